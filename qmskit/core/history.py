"""History: one office's assessments over time (the many-point view; ``qmskit.core.compare`` is the two-point one).

``build_history(assessments)`` puts the assessments in date order and lines them up: overall and
per-clause scores, the readiness band per date, KPI values against their targets, and what happened to
the findings between consecutive assessments. Finding movement reuses ``compare.compare_gaps`` (the same
fate rules as ``qmskit compare``), with one more distinction only a history can make:

- ``opened``: a finding now that was never a finding in any earlier assessment;
- ``recurring``: a finding now, not one in the previous assessment, but one in an earlier assessment
  (it was closed and has come back);
- ``closed``: a finding before, fully met or n/a now;
- ``still_open``: a finding both times (improved, worsened or unchanged);
- ``unassessed``: a finding before, unanswered now (not counted as closed).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pandas as pd

from qmskit.core.assessment import Assessment, same_day
from qmskit.core.compare import ComparisonError, _text, compare_gaps, same_office
from qmskit.core.values import as_number
from qmskit.errors import joined, msg

MOVES = ["opened", "recurring", "closed", "still_open", "unassessed"]


@dataclass
class Transition:
    before: str               # labels of the two assessments
    after: str
    ids: dict[str, list[str]]  # move -> question ids (rank order of compare_gaps)

    def counts(self) -> dict[str, int]:
        return {m: len(self.ids.get(m, [])) for m in MOVES}


@dataclass
class History:
    assessments: list[Assessment]   # date order
    labels: list[str]               # one per assessment: its date, or the file name when undated
    points: pd.DataFrame            # label, date, source, office, overall, completeness, readiness, major, minor, observation
    clauses: pd.DataFrame           # clause, parent, level, top, title_en, title_zh, then one column per label
    transitions: list[Transition]
    kpis: pd.DataFrame              # id, name_en, name_zh, unit, target, direction, then value and status per label
    notes: list[str] = field(default_factory=list)
    forced: bool = False

    @property
    def office(self) -> str:
        return self.assessments[-1].office

    @property
    def offices_differ(self) -> bool:
        """True when the assessments name different offices (lined up with ``force``)."""
        return any(not same_office(self.assessments[0].office, a.office) for a in self.assessments[1:])

    @property
    def offices_heading(self) -> str:
        """The office; with offices that differ, each of them in date order ("A → B"), so no headline puts
        one office's name over another's scores."""
        if not self.offices_differ:
            return self.office
        names: list[str] = []
        for a in self.assessments:
            if not any(same_office(a.office, n) for n in names):
                names.append(a.office)
        return " → ".join(names)

    @property
    def latest(self) -> Assessment:
        return self.assessments[-1]

    def to_dict(self) -> dict:
        """The ``qmskit history --json`` document: unrounded numbers, null where undefined."""
        return {
            "office": self.office,
            "forced": self.forced,
            "assessments": [{"label": r.label, "date": r.date, "source": r.source, "office": r.office,
                             "overall": as_number(r.overall), "completeness": as_number(r.completeness), "readiness": r.readiness,
                             "findings": {"major": int(r.major), "minor": int(r.minor),
                                          "observation": int(r.observation)}}
                            for r in cast("Iterable[Any]", self.points.itertuples(index=False))],
            "clauses": [{"clause": r["clause"], "title": r["title_en"],
                         "scores": [as_number(r[label]) for label in self.labels]}
                        for r in self.clauses.to_dict("records")],
            "transitions": [{"before": t.before, "after": t.after, "counts": t.counts(),
                             "ids": {m: list(t.ids.get(m, [])) for m in MOVES}} for t in self.transitions],
            "kpis": [{"id": r["id"], "name": r["name_en"], "unit": r["unit"], "target": as_number(r["target"]),
                      "direction": r["direction"], "values": [as_number(r[f"value:{label}"]) for label in self.labels],
                      "status": [r[f"status:{label}"] for label in self.labels]}
                     for r in self.kpis.to_dict("records")],
            "notes": list(self.notes),
        }


def _file(a: Assessment) -> str:
    return Path(a.source or a.office).name


def _labels(assessments: list[Assessment]) -> list[str]:
    labels: list[str] = []
    seen: dict[str, int] = {}
    for a in assessments:
        base = _text(a.meta.get("date")) or (Path(a.source).name if a.source else a.office)
        seen[base] = seen.get(base, 0) + 1
        labels.append(base if seen[base] == 1 else f"{base} ({seen[base]})")
    return labels


def build_history(assessments: list[Assessment], *, force: bool = False) -> History:
    """Line up two or more assessments of one office. Raises ComparisonError for different offices or
    checklists unless ``force`` (then the mismatch is kept as a note)."""
    if len(assessments) < 2:
        raise ComparisonError(msg("history.too_few"))
    notes: list[str] = []
    problems: list[str] = []
    # one office assessed twice on one date: a copy (the same file given twice, a link, a copy, the same
    # answers in another format) counts once, with a note; different answers are refused like other offices
    # (the history would show a change that did not happen, over no time at all)
    given, groups = assessments, same_day(assessments)
    for g in groups:
        for i, first_at in g.copies:
            copy_name, first_name = _file(given[i]), _file(given[first_at])
            notes.append(msg("history.given_twice", file=first_name) if copy_name == first_name else
                         msg("history.same_assessment", copy=copy_name, first=first_name))
        if g.conflicting:
            problems.append(msg("history.err_same_day", office=g.office, date=g.date,
                                files=", ".join(_file(given[i]) for i in g.conflicting)))
    copies = {i for g in groups for i, _ in g.copies}
    assessments = [a for i, a in enumerate(given) if i not in copies]
    if len(assessments) < 2:
        raise ComparisonError(msg("history.one_assessment",
                                  files=", ".join(dict.fromkeys(_file(a) for a in given))))
    first = assessments[0]
    for a in assessments[1:]:
        if not same_office(first.office, a.office):
            problems.append(msg("history.err_offices", first=first.office, first_file=Path(first.source or "").name,
                                other=a.office, other_file=Path(a.source or "").name))
        if a.checklist.id != first.checklist.id:
            problems.append(msg("history.err_checklists", first=first.checklist.id, other=a.checklist.id))
    if problems and not force:
        raise ComparisonError(msg("history.refused", problems=joined(problems)))
    notes += [msg("history.forced_note", problem=p) for p in problems]
    undated = [_file(a) for a in assessments if not _text(a.meta.get("date"))]
    if undated:
        notes.append(msg("history.undated", files=", ".join(undated)))
    else:
        assessments = sorted(assessments, key=lambda a: _text(a.meta.get("date")) or "")  # stable for equal dates
    versions = list(dict.fromkeys(a.checklist.version for a in assessments))
    if len(versions) > 1:
        notes.append(msg("history.version_changed", versions=" -> ".join(versions)))
    labels = _labels(assessments)
    return History(assessments=assessments, labels=labels, points=_points(assessments, labels),
                   clauses=_clauses(assessments, labels), transitions=_transitions(assessments, labels),
                   kpis=_kpis(assessments, labels), notes=notes, forced=bool(problems))


def _points(assessments, labels) -> pd.DataFrame:
    rows = []
    for a, label in zip(assessments, labels):
        counts = a.gaps["severity"].value_counts()
        rows.append({"label": label, "date": _text(a.meta.get("date")), "source": a.source, "office": a.office,
                     "overall": a.overall, "completeness": a.completeness, "readiness": a.readiness,
                     "major": int(counts.get("major", 0)), "minor": int(counts.get("minor", 0)),
                     "observation": int(counts.get("observation", 0)), "kpi_findings": len(a.kpi_findings)})
    return pd.DataFrame(rows)


def _clauses(assessments, labels) -> pd.DataFrame:
    """Every clause of the latest tree (then any only in earlier ones), one score column per assessment."""
    cols = ["clause", "parent", "level", "top", "order", "title_en", "title_zh"]
    frame = assessments[-1].clauses[cols].copy()
    for a in reversed(assessments[:-1]):
        extra = a.clauses[~a.clauses["clause"].isin(frame["clause"])][cols]
        if len(extra):
            frame = pd.concat([frame, extra], ignore_index=True)
    for a, label in zip(assessments, labels):
        frame[label] = frame["clause"].map(dict(zip(a.clauses["clause"], a.clauses["score"]))).astype(float)
    return frame.reset_index(drop=True)


def _transitions(assessments, labels) -> list[Transition]:
    out = []
    for k in range(1, len(assessments)):
        before, after = assessments[k - 1], assessments[k]
        earlier = set().union(*(set(a.gaps["id"]) for a in assessments[: k - 1])) if k > 1 else set()
        g = compare_gaps(before, after)
        ids: dict[str, list[str]] = {m: [] for m in MOVES}
        for qid, status in zip(g["id"], g["status"]):
            if status == "opened":
                ids["recurring" if qid in earlier else "opened"].append(qid)
            elif status in ("improved", "worsened", "unchanged"):
                ids["still_open"].append(qid)
            else:
                ids[status].append(qid)
        out.append(Transition(labels[k - 1], labels[k], ids))
    return out


def _kpis(assessments, labels) -> pd.DataFrame:
    latest = assessments[-1]
    cols = ["id", "name_en", "name_zh", "unit", "target", "direction"]
    if latest.kpis is None or not len(latest.kpis):
        return pd.DataFrame(columns=cols)
    frame = latest.kpis[cols].copy()
    for a, label in zip(assessments, labels):
        k = a.kpis if a.kpis is not None and len(a.kpis) else pd.DataFrame(columns=["id", "value", "status"])
        frame[f"value:{label}"] = frame["id"].map(dict(zip(k["id"], pd.to_numeric(k["value"], errors="coerce"))))
        frame[f"status:{label}"] = frame["id"].map(dict(zip(k["id"], k["status"]))).fillna("no_value")
    return frame.reset_index(drop=True)


