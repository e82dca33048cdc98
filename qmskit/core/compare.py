"""Follow-up: what changed between two assessments of the same office.

``compare_assessments(before, after)`` lines two scored assessments up: overall and per-clause score
change, each gap's fate, KPI changes and the verdict change. It refuses to compare different offices
or different checklists (a likely mix-up) unless ``force=True``.

Gap fate, by question id:
- ``closed``: a gap before, fully met or n/a after;
- ``opened``: not a gap before (met, n/a, unanswered or absent), a gap after;
- ``improved`` / ``worsened``: a gap both times, with more / fewer points after;
- ``unchanged``: a gap both times with the same points;
- ``unassessed``: a gap before, unanswered (or absent) after — not counted as closed.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from qmskit.core.assessment import Assessment, _answer, same_office  # the JSON contract's number/answer forms
from qmskit.core.readiness import BANDS
from qmskit.core.values import as_number
from qmskit.errors import ComparisonError, joined, msg

GAP_STATUSES = ["closed", "opened", "improved", "worsened", "unchanged", "unassessed"]
TOL = 1e-9


@dataclass
class Comparison:
    before: Assessment
    after: Assessment
    clauses: pd.DataFrame      # clause, parent, level, top, order, title_en, title_zh, before, after, change
    gaps: pd.DataFrame         # id, clause, status, severity/answer/points/impact _before/_after, text_en/zh
    kpis: pd.DataFrame         # id, name_en, name_zh, unit, target, direction, before, after, change, ...
    notes: list[str] = field(default_factory=list)
    forced: bool = False

    @property
    def office(self) -> str:
        return self.after.office

    @property
    def offices_differ(self) -> bool:
        """True when the two sides name different offices (compared with ``force``): every headline then
        names each side's office beside its own figures."""
        return not same_office(self.before.office, self.after.office)

    @property
    def overall_change(self) -> float | None:
        return _diff(self.before.overall, self.after.overall)

    @property
    def completeness_change(self) -> float | None:
        return _diff(self.before.completeness, self.after.completeness)

    @property
    def readiness_change(self) -> str:
        """``improved`` / ``worsened`` / ``unchanged``: the verdict moved up, down or stayed."""
        b, a = BANDS.index(self.before.readiness), BANDS.index(self.after.readiness)
        return "improved" if a < b else "worsened" if a > b else "unchanged"

    def gap_counts(self) -> dict[str, int]:
        counts = self.gaps["status"].value_counts()
        return {s: int(counts.get(s, 0)) for s in GAP_STATUSES}

    def __repr__(self) -> str:
        return (f"<Comparison {self.office!r}: overall {self.before.overall} -> {self.after.overall}, "
                f"{self.before.readiness} -> {self.after.readiness}, {self.gap_counts()}>")

    def to_dict(self) -> dict:
        """The ``qmskit compare --json`` document: unrounded numbers, null where undefined."""
        def side(a: Assessment) -> dict:
            return {"office": a.office, "source": a.source, "date": _text(a.meta.get("date")), "checklist":
                    {"id": a.checklist.id, "version": a.checklist.version}, "overall": as_number(a.overall),
                    "completeness": as_number(a.completeness), "readiness": a.readiness,
                    "gaps": len(a.gaps), "kpi_findings": len(a.kpi_findings)}

        def gap(r) -> dict:
            return {"id": r.id, "clause": r.clause, "severity_before": r.severity_before,
                    "severity_after": r.severity_after, "answer_before": _answer(r.answer_before),
                    "answer_after": _answer(r.answer_after), "impact_before": as_number(r.impact_before),
                    "impact_after": as_number(r.impact_after)}

        return {
            "office": self.office,
            "forced": self.forced,
            "before": side(self.before),
            "after": side(self.after),
            "overall_change": as_number(self.overall_change),
            "completeness_change": as_number(self.completeness_change),
            "readiness": {"before": self.before.readiness, "after": self.after.readiness,
                          "change": self.readiness_change},
            "clauses": [{"clause": r.clause, "title": r.title_en, "before": as_number(r.before), "after": as_number(r.after),
                         "change": as_number(r.change)} for r in self.clauses.itertuples(index=False)],
            "gap_counts": self.gap_counts(),
            "gaps": {s: [gap(r) for r in self.gaps[self.gaps["status"] == s].itertuples(index=False)]
                     for s in GAP_STATUSES},
            "kpis": [{"id": r.id, "name": r.name_en, "unit": r.unit, "target": float(r.target),
                      "direction": r.direction, "before": as_number(r.before), "after": as_number(r.after),
                      "change": as_number(r.change), "status_before": r.status_before, "status_after": r.status_after,
                      "change_kind": r.change_kind} for r in cast("Iterable[Any]", self.kpis.itertuples(index=False))],
            "notes": list(self.notes),
        }


# ----------------------------------------------------------------------------- helpers

def _text(value) -> str | None:
    if value in (None, ""):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _diff(before, after) -> float | None:
    b, a = as_number(before), as_number(after)
    return None if a is None or b is None else a - b




# ----------------------------------------------------------------------------- comparing

def compare_assessments(before: Assessment, after: Assessment, *, force: bool = False) -> Comparison:
    """Compare two assessments of one office. Raises :class:`ComparisonError` for different offices or
    checklists unless ``force`` (then the mismatch is kept as a note)."""
    notes: list[str] = []
    problems: list[str] = []
    if not same_office(before.office, after.office):
        problems.append(msg("compare.err_offices", before=before.office, after=after.office))
    if before.checklist.id != after.checklist.id:
        problems.append(msg("compare.err_checklists", before=before.checklist.id, after=after.checklist.id))
    if problems and not force:
        raise ComparisonError(msg("compare.refused", problems=joined(problems)), path=after.source or None)
    notes += [msg("compare.forced_note", problem=p) for p in problems]
    if before.checklist.version != after.checklist.version:
        notes.append(msg("compare.version_changed", before=before.checklist.version, after=after.checklist.version))
    b_date, a_date = _text(before.meta.get("date")), _text(after.meta.get("date"))
    if b_date and a_date and a_date < b_date:
        notes.append(msg("compare.dates_swapped", after=a_date, before=b_date))
    if before.source and after.source and Path(before.source).resolve() == Path(after.source).resolve():
        notes.append(msg("compare.same_file"))
    return Comparison(before=before, after=after, clauses=compare_clauses(before, after),
                      gaps=compare_gaps(before, after), kpis=compare_kpis(before, after),
                      notes=notes, forced=bool(problems))


def compare_clauses(before: Assessment, after: Assessment) -> pd.DataFrame:
    """Every clause of the 'after' tree (then any only in 'before'), with both scores and the change."""
    cols = ["clause", "parent", "level", "top", "order", "title_en", "title_zh"]
    b = before.clauses[cols + ["score"]].rename(columns={"score": "before"})
    a = after.clauses[cols + ["score"]].rename(columns={"score": "after"})
    merged = a.merge(b[["clause", "before"]], on="clause", how="left")
    only_before = b[~b["clause"].isin(a["clause"])].assign(after=np.nan)
    merged = pd.concat([merged, only_before[merged.columns]], ignore_index=True) if len(only_before) else merged
    merged["change"] = merged["after"] - merged["before"]
    return merged[cols + ["before", "after", "change"]].reset_index(drop=True)


def _side(a: Assessment, suffix: str) -> pd.DataFrame:
    q = a.questions[["id", "clause", "order", "answer", "points", "answered", "text_en", "text_zh"]].copy()
    q = q.merge(a.gaps[["id", "severity", "impact"]], on="id", how="left")
    q["is_gap"] = q["severity"].notna()
    keep = ["answer", "points", "answered", "severity", "impact", "is_gap"]
    return q.rename(columns={c: f"{c}_{suffix}" for c in keep})


def compare_gaps(before: Assessment, after: Assessment) -> pd.DataFrame:
    """One row per question that is a gap in either assessment, with its fate (see module doc)."""
    b, a = _side(before, "before"), _side(after, "after")
    merged = a.merge(b.drop(columns=["clause", "order", "text_en", "text_zh"]), on="id", how="outer")
    only_b = merged["clause"].isna()  # question absent from the 'after' checklist
    if only_b.any():
        info = before.questions.set_index("id")[["clause", "order", "text_en", "text_zh"]]
        for col in info.columns:
            merged.loc[only_b, col] = merged.loc[only_b, "id"].map(info[col])
        merged.loc[only_b, "order"] = merged.loc[only_b, "order"] + len(after.questions)
    gb = merged["is_gap_before"].eq(True)
    ga = merged["is_gap_after"].eq(True)
    pb = merged["points_before"].astype(float)
    pa = merged["points_after"].astype(float)
    answered_after = merged["answered_after"].eq(True) | merged["answer_after"].eq("n/a")
    status = np.select(
        [gb & ~ga & answered_after, gb & ~ga, ~gb & ga, gb & ga & (pa > pb + TOL), gb & ga & (pa < pb - TOL),
         gb & ga],
        ["closed", "unassessed", "opened", "improved", "worsened", "unchanged"], "")
    merged["status"] = status
    out = merged[merged["status"] != ""].copy()
    rank = {s: i for i, s in enumerate(GAP_STATUSES)}
    sev_rank = {"major": 0, "minor": 1, "observation": 2}
    out["_s"] = out["status"].map(rank)
    out["_sev"] = out["severity_after"].fillna(out["severity_before"]).map(sev_rank)
    out = out.sort_values(["_s", "_sev", "order"], kind="mergesort")
    cols = ["id", "clause", "status", "severity_before", "severity_after", "answer_before", "answer_after",
            "points_before", "points_after", "impact_before", "impact_after", "text_en", "text_zh"]
    out = out[cols].reset_index(drop=True)
    for col in ("severity_before", "severity_after", "answer_before", "answer_after"):
        out[col] = out[col].astype("object").where(out[col].notna(), None)
    return out


KPI_CHANGE_KINDS = ["now_met", "now_missed", "still_met", "still_missed", "newly_measured", "not_measured"]


def compare_kpis(before: Assessment, after: Assessment) -> pd.DataFrame:
    """Indicators of the 'after' checklist with both values, the change and what it means for the target."""
    cols = ["id", "name_en", "name_zh", "unit", "target", "direction", "before", "after", "change",
            "status_before", "status_after", "change_kind", "trend"]
    ak = after.kpis
    if ak is None or not len(ak):
        return pd.DataFrame(columns=cols)
    bk = before.kpis if before.kpis is not None and len(before.kpis) else pd.DataFrame(columns=["id", "value", "status"])
    k = ak[["id", "name_en", "name_zh", "unit", "target", "direction", "value", "status"]].rename(
        columns={"value": "after", "status": "status_after"})
    k = k.merge(bk[["id", "value", "status"]].rename(columns={"value": "before", "status": "status_before"}),
                on="id", how="left")
    before_v = pd.to_numeric(k["before"], errors="coerce")
    after_v = pd.to_numeric(k["after"], errors="coerce")
    # no 'before' value in the earlier file: fall back to the 'previous' the later file reports
    prev = pd.to_numeric(ak.set_index("id")["previous"], errors="coerce")
    before_v = before_v.fillna(k["id"].map(prev))
    k["before"], k["after"] = before_v, after_v
    k["change"] = after_v - before_v
    sign = pd.Series(np.where(k["direction"] == "lower", -1.0, 1.0), index=k.index)
    with np.errstate(invalid="ignore"):
        met_before = sign * (before_v - k["target"].astype(float)) >= -TOL  # same rule as qmskit.core.kpis
    k["status_before"] = np.select([before_v.isna(), met_before], ["no_value", "met"], "not_met")
    sb, sa = k["status_before"], k["status_after"]
    k["change_kind"] = np.select(
        [sa == "no_value", (sb != "met") & (sa == "met") & (sb != "no_value"), (sb == "met") & (sa == "not_met"),
         (sb == "met") & (sa == "met"), (sb == "not_met") & (sa == "not_met"), sb == "no_value"],
        ["not_measured", "now_met", "now_missed", "still_met", "still_missed", "newly_measured"], "")
    better = sign * k["change"].astype(float)
    trend = np.select([better > TOL, better < -TOL, better.notna()], ["improved", "worsened", "unchanged"], "")
    k["trend"] = pd.Series([t or None for t in trend], index=k.index, dtype="object")
    return k[cols].reset_index(drop=True)


