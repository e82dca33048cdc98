"""Key performance indicators: measured values against a checklist's targets.

A checklist declares indicators (``kpis:`` id, name, unit, target, direction, clause); a responses file
carries measured values (``value`` and optionally ``previous``, the last period's value). Here:

* :func:`parse_kpi_values` validates what a file gave (numbers only, percentages in 0..100, known ids,
  no duplicates) into canonical ``[{id, value, previous}]`` in checklist order;
* :func:`evaluate_kpis` compares each value with its target (tolerance 1e-9, like the readiness
  thresholds), works out the trend against ``previous`` and turns every missed target into a
  finding: ``kpi:<id>``, an *observation* of clause 9.1 unless the KPI names another (missing an
  objective is not a nonconformity: the auditor checks it was analysed and acted on). Findings never
  change scores or the verdict (design.md, "Gaps");
* the display frames for reports (words, formatted numbers) are in :mod:`qmskit.render.kpi_tables`:
  the core keeps codes (status, trend) and numbers only.

File layouts (readers in responses.py / xlsx.py call into here):
xlsx: a "KPIs" sheet with columns id, name, unit, target, value, previous (name, unit and target are
written for the reader's convenience; the checklist's target is the one that counts).
yaml: ``kpis:`` either a mapping ``{id: value}`` / ``{id: {value: v, previous: p}}`` or a list of
``{id, value, previous}``.
csv: metadata lines ``# kpi.<id>: <value>`` and ``# kpi.<id>.previous: <value>`` before the header.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from qmskit.checklist.loader import Checklist
from qmskit.core.arrays import checklist_arrays
from qmskit.core.model import PERCENT_UNITS, TOL, Severity
from qmskit.core.values import as_number
from qmskit.errors import ResponsesError, RowPlace, msg

KPI_FRAME_COLUMNS = ["id", "name_en", "name_zh", "unit", "target", "direction", "clause", "value", "previous",
                     "status", "met", "change", "trend"]
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


# ----------------------------------------------------------------------------- reading

def kpi_entries_from_yaml(value, lines: dict, path: str | Path = "<responses>") -> list[dict]:
    """The ``kpis:`` value of a YAML responses file as [{id, value, previous, row}] (row = file line)."""
    entries = []
    if isinstance(value, dict):
        for kid, item in value.items():
            row = lines.get(("kpis", kid), 0)
            if isinstance(item, dict):
                extra = set(item) - {"value", "previous"}
                if extra:
                    raise ResponsesError(msg("kpis.unknown_key", kpi=kid, key=sorted(extra)[0],
                                             allowed="value, previous"), path=path, where=msg("place.line", line=row))
                entries.append({"id": kid, "value": item.get("value"), "previous": item.get("previous"),
                                "row": row})
            else:
                entries.append({"id": kid, "value": item, "previous": None, "row": row})
    elif isinstance(value, list):
        for i, item in enumerate(value):
            row = lines.get(("kpis", i), 0)
            if not isinstance(item, dict) or "id" not in item:
                raise ResponsesError(msg("kpis.entry_needs_id"), path=path, where=msg("place.line", line=row))
            extra = set(item) - {"id", "value", "previous"}
            if extra:
                raise ResponsesError(msg("kpis.unknown_key", kpi=item["id"], key=sorted(extra)[0],
                                         allowed="id, value, previous"), path=path, where=msg("place.line", line=row))
            entries.append({"id": item["id"], "value": item.get("value"), "previous": item.get("previous"),
                            "row": row})
    elif value is not None:
        raise ResponsesError(msg("kpis.not_mapping"), path=path, where=msg("place.line", line=lines.get(("kpis",), 0)))
    return entries


def csv_kpi_entry(key: str, value: str, line: int, entries: dict) -> None:
    """Collect one ``# kpi.<id>[.previous]: value`` metadata line of a CSV file into ``entries``."""
    kid = key[len("kpi."):]
    field = "value"
    if kid.endswith(".previous"):
        kid, field = kid[: -len(".previous")], "previous"
    entry = entries.setdefault(kid, {"id": kid, "value": None, "previous": None, "row": line})
    entry[field] = value
    entry.setdefault("rows", {})[field] = line


def _to_number(raw, *, kid: str, what: str, unit: str, path, where: str) -> float | None:
    # ``what``: the catalog's name of the value (a Message: "value", "previous value")
    """Lenient where unambiguous: 92.5, "92.5", " 92.5 % " are 92.5; blank is no value."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    if isinstance(raw, bool):
        raise ResponsesError(msg("kpis.bool_not_number", kpi=kid, what=what, value=raw), path=path, where=where)
    if isinstance(raw, (int, float, np.integer, np.floating)):
        number = float(raw)
    else:
        text = str(raw).strip()
        if text == "":
            return None
        if unit in PERCENT_UNITS or unit == "":
            text = text.rstrip("%％").strip()
        if not _NUMBER.match(text):
            key = "kpis.text_not_percentage" if unit in PERCENT_UNITS else "kpis.text_not_number"
            raise ResponsesError(msg(key, kpi=kid, what=what, value=str(raw).strip()), path=path, where=where)
        number = float(text)
    if not math.isfinite(number):
        raise ResponsesError(msg("kpis.not_finite", kpi=kid, what=what, value=repr(raw)), path=path, where=where)
    if unit in PERCENT_UNITS and not 0 <= number <= 100:
        raise ResponsesError(msg("kpis.out_of_percent", kpi=kid, what=what, value=f"{number:g}"),
                             path=path, where=where)
    return number


def parse_kpi_values(entries, cl: Checklist, path: str | Path = "<responses>", *,
                     rows_are: RowPlace = RowPlace.ROW) -> list[dict]:
    """Validate raw KPI entries against the checklist; return [{id, value, previous}] in checklist order.

    ``entries``: a list of {id, value, previous, row} (or the already-canonical list). Raises a one-line
    :class:`ResponsesError` naming the file and row for unknown ids, duplicates, non-numbers and
    percentages outside 0..100. ``rows_are`` says what a row number counts (a sheet's row, a file's line).
    """
    if entries is None:
        return []
    if isinstance(entries, dict):  # {id: value} or {id: {value, previous}} given through the API
        entries = [{"id": k, **(v if isinstance(v, dict) else {"value": v})} for k, v in entries.items()]
    units = _units(cl)
    seen: dict[str, object] = {}
    out: dict[str, dict] = {}
    for n, entry in enumerate(entries):
        kid = "" if entry.get("id") is None else str(entry["id"]).strip()
        row = entry.get("row", n + 1)
        where = rows_are.at(row)
        if kid == "":
            if entry.get("value") in (None, "") and entry.get("previous") in (None, ""):
                continue  # a blank row
            raise ResponsesError(msg("kpis.no_id"), path=path, where=where)
        if kid not in units:
            raise ResponsesError(msg("kpis.unknown_id", kpi=kid, checklist=cl.id,
                                     declared=", ".join(units) or msg("kpis.none_declared")), path=path, where=where)
        if kid in seen:
            raise ResponsesError(msg("kpis.given_twice", kpi=kid, first=rows_are.at(seen[kid])),
                                 path=path, where=where)
        seen[kid] = row
        unit = units[kid]
        rows = entry.get("rows") or {}
        out[kid] = {
            "id": kid,
            "value": _to_number(entry.get("value"), kid=kid, what=msg("kpis.what_value"), unit=unit, path=path,
                                where=rows_are.at(rows.get("value", row))),
            "previous": _to_number(entry.get("previous"), kid=kid, what=msg("kpis.what_previous"), unit=unit,
                                   path=path, where=rows_are.at(rows.get("previous", row))),
        }
    return [out[k] for k in units if k in out]


def _units(cl: Checklist) -> dict[str, str]:
    """Declared KPI id -> unit, in checklist order (worked out once per checklist)."""
    derived = checklist_arrays(cl).derived
    if "kpi_units" not in derived:
        derived["kpi_units"] = {str(k): str(u or "") for k, u in zip(cl.kpis["id"], cl.kpis["unit"])} \
            if len(cl.kpis) else {}
    return derived["kpi_units"]


# ----------------------------------------------------------------------------- evaluating

def evaluate_kpis(cl: Checklist, values) -> tuple[pd.DataFrame, list[dict]]:
    """Each declared KPI with its value, met / not met, trend; and the findings for missed targets.

    ``status``: ``met``, ``not_met`` or ``no_value`` (nothing measured: listed, but not a finding).
    Met means value ≥ target − 1e-9 (direction higher) or value ≤ target + 1e-9 (direction lower).
    ``trend`` (against ``previous``, in the KPI's good direction): improved / worsened / unchanged.
    """
    if not len(cl.kpis):
        return pd.DataFrame(columns=KPI_FRAME_COLUMNS), []
    given = {v["id"]: v for v in parse_kpi_values(values, cl)}
    kpis = cl.kpis
    ids = kpis["id"].tolist()
    values_given = [given.get(k, {}).get("value") for k in ids]
    previous_given = [given.get(k, {}).get("previous") for k in ids]
    value = np.array(values_given, dtype=float)
    previous = np.array(previous_given, dtype=float)
    sign = np.where(kpis["direction"].to_numpy(dtype=object) == "lower", -1.0, 1.0)
    with np.errstate(invalid="ignore"):
        margin = sign * (value - kpis["target"].to_numpy(dtype=float))   # ≥ 0 when the target is met
        better = sign * (value - previous)
        has_value = ~np.isnan(value)
        met = has_value & (margin >= -TOL)
        trend = np.select([better > TOL, better < -TOL, ~np.isnan(better)], ["improved", "worsened", "unchanged"], "")
    columns = {c: kpis[c] for c in KPI_FRAME_COLUMNS[:7]}
    index = kpis.index
    frame = pd.DataFrame({
        **columns,
        "value": pd.Series(values_given, index=index), "previous": pd.Series(previous_given, index=index),
        "status": np.select([~has_value, met], ["no_value", "met"], "not_met"),
        "met": pd.Series(np.where(has_value, met, np.array(None, dtype=object)), index=index, dtype="object"),
        "change": value - previous,
        "trend": pd.Series([t or None for t in trend], index=index, dtype="object"),
    }, index=index)
    missed = np.flatnonzero(has_value & ~met)
    findings = [kpi_finding(r) for r in frame.iloc[missed].itertuples(index=False)] if len(missed) else []
    return frame, findings


def kpi_finding(r) -> dict:
    """One missed target as a JSON-ready finding (design.md: observation, clause 9.1, id kpi:<indicator>)."""
    return {
        "id": f"kpi:{r.id}", "indicator": r.id, "clause": r.clause or "9.1", "severity": Severity.OBSERVATION.value,
        "name": r.name_en, "unit": r.unit, "target": float(r.target), "direction": r.direction,
        "value": as_number(r.value), "previous": as_number(r.previous), "trend": r.trend,
    }


# ----------------------------------------------------------------------------- writing

def kpi_rows_for_file(cl: Checklist, values) -> list[dict]:
    """Every declared KPI (so an office sees what to fill) with the values given, for writers."""
    given = {v["id"]: v for v in parse_kpi_values(values, cl)} if values else {}
    return [{"id": r.id, "name_en": r.name_en, "name_zh": r.name_zh, "unit": r.unit, "target": float(r.target),
             "direction": r.direction, "value": given.get(r.id, {}).get("value"),
             "previous": given.get(r.id, {}).get("previous")}
            for r in cast("Iterable[Any]", cl.kpis.itertuples(index=False))]


def csv_kpi_lines(cl: Checklist, values) -> str:
    out = []
    for r in kpi_rows_for_file(cl, values):
        out.append(f"# kpi.{r['id']}: {_plain_number(r['value'])}\n")
        if r["previous"] is not None:
            out.append(f"# kpi.{r['id']}.previous: {_plain_number(r['previous'])}\n")
    return "".join(out)


def yaml_kpis(cl: Checklist, values) -> dict:
    return {r["id"]: {"value": r["value"], "previous": r["previous"]} for r in kpi_rows_for_file(cl, values)}


def _plain_number(value) -> str:
    """Shortest text that reads back to the same float (92.5, 90, 97.123456789)."""
    if value is None:
        return ""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text
