"""The result of scoring one office, and its stable JSON form (the `qmskit score --json` contract)."""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pandas as pd

from qmskit.checklist.loader import Checklist
from qmskit.core.model import Band, Reason, Severity
from qmskit.core.values import as_number, text_or_empty


def _answer(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value) if not isinstance(value, str) else value


@dataclass
class Assessment:
    checklist: Checklist
    meta: dict
    source: str | None
    questions: pd.DataFrame     # checklist order, with answer, points, applicable, answered, evidence...
    clauses: pd.DataFrame       # every node in document order, with score, answered, applicable, questions
    gaps: pd.DataFrame          # rank order
    overall: float | None
    completeness: float | None
    readiness: Band
    reasons: list[Reason]       # the verdict's reasons as data; text comes from qmskit.i18n.catalog
    unanswered: list[str]
    unsupported: list[str]      # "yes" with no evidence: listed and counted, not a gap; holds back "ready"
    warnings: list[str]
    kpis: pd.DataFrame = field(default_factory=pd.DataFrame)
    kpi_findings: list[dict] = field(default_factory=list)

    @property
    def office(self) -> str:
        if self.meta.get("office"):
            return str(self.meta["office"])
        return Path(self.source).stem if self.source else "office"

    @property
    def date(self) -> str | None:
        """The assessment date as YYYY-MM-DD (the metadata's), None when the file gives none."""
        value = self.meta.get("date")
        if value in (None, ""):
            return None
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    @property
    def started(self) -> bool:
        """False when nothing is answered: shown as "not started" (the band stays early_stage)."""
        return bool(self.questions["answered"].any())

    @property
    def display_band(self) -> str:
        """The band key a screen shows: the band, or ``not_started`` for an empty assessment."""
        return self.readiness.value if self.started else "not_started"

    def reason_texts(self, lang: str = "en") -> list[str]:
        """The reasons as words (:func:`qmskit.i18n.catalog.reason_texts`); kept for the JSON contract's
        ``readiness_reasons`` and notebooks, the one place the core still reaches the catalog (lazily)."""
        from qmskit.i18n.catalog import reason_texts
        return reason_texts(self.reasons, lang)

    @property
    def readiness_reasons(self) -> list[str]:
        """The reasons in English (the JSON contract's ``readiness_reasons``)."""
        return self.reason_texts("en")

    def finding_counts(self) -> dict[str, int]:
        """Findings by severity over the question gaps, plus missed KPI targets (observations, counted
        apart as ``kpi_observation``) and unsupported "yes" answers. The CLI and the report show these."""
        counts = self.gaps["severity"].value_counts()
        out = {s.value: int(counts.get(s.value, 0)) for s in Severity}
        out["kpi_observation"] = sum(1 for f in self.kpi_findings if f.get("severity") == Severity.OBSERVATION)
        out["unsupported"] = len(self.unsupported)
        return out

    def __repr__(self) -> str:
        return (f"<Assessment {self.office!r}: overall {self.overall}, completeness {self.completeness}, "
                f"{self.readiness}, {len(self.gaps)} gaps>")

    def action_plan(self, lang: str = "en") -> pd.DataFrame:
        from qmskit.core.gaps import action_plan
        return action_plan(self.gaps, lang)

    def documented_information(self) -> pd.DataFrame:
        from qmskit.core.gaps import documented_information_register
        return documented_information_register(self.questions)

    def to_dict(self) -> dict:
        """The JSON contract (design.md, "qmskit score --json")."""
        return {
            "office": self.office,
            "source": self.source,
            "checklist": {"id": self.checklist.id, "version": self.checklist.version},
            "overall": as_number(self.overall),
            "completeness": as_number(self.completeness),
            "readiness": self.readiness.value,
            "readiness_reasons": self.readiness_reasons,
            "clauses": [
                {"clause": r.clause, "title": r.title_en, "score": as_number(r.score), "answered": int(r.answered),
                 "applicable": int(r.applicable), "questions": int(r.questions)}
                for r in cast("Iterable[Any]", self.clauses.itertuples(index=False))
            ],
            "questions": [
                {"id": r.id, "clause": r.clause, "weight": float(r.weight), "critical": bool(r.critical),
                 "answer": _answer(r.answer), "points": as_number(r.points)}
                for r in cast("Iterable[Any]", self.questions.itertuples(index=False))
            ],
            "gaps": [
                {"id": r.id, "clause": r.clause, "severity": r.severity, "basis": r.basis, "reason": r.reason,
                 "answer": _answer(r.answer), "impact": as_number(r.impact)}
                for r in self.gaps.itertuples(index=False)
            ],
            "unanswered": list(self.unanswered),
            "unsupported": list(self.unsupported),
            "kpi_findings": list(self.kpi_findings),
            "readiness_reason_codes": [r.to_dict() for r in self.reasons],
        }

    def office_documents(self) -> pd.DataFrame:
        from qmskit.core.gaps import office_documents_register
        return office_documents_register(self.questions)


def office_key(name: object) -> str:
    """An office's name as compared: case and runs of spaces aside."""
    return re.sub(r"\s+", " ", str(name)).strip().casefold()


def same_office(a: str, b: str) -> bool:
    """Two office names that name one office."""
    return office_key(a) == office_key(b)


def telling_apart(assessments: Sequence[Assessment]) -> list[str]:
    """For each assessment, what tells it apart from the others of its office among ``assessments``: its
    date when no other assessment of that office has the same one, else its file's name (both when even that
    repeats). An office assessed once gets its date (its file's name when undated). Data, not words: the
    edges show it beside the office's name (``qmskit score`` of several files, the batch's portfolio)."""
    def file_name(a: Assessment) -> str:
        return Path(a.source).name if a.source else ""

    tags: list[str] = []
    for a in assessments:
        peers = [b for b in assessments if b is not a and same_office(b.office, a.office)]
        if a.date and all(b.date != a.date for b in peers):
            tags.append(a.date)
        elif all(file_name(b) != file_name(a) for b in peers) and file_name(a):
            tags.append(file_name(a))
        else:
            tags.append(" · ".join(filter(None, (a.date, file_name(a)))))
    return tags


def latest_in_groups(keys: Sequence[object], dates: Sequence[object]) -> list[int | None]:
    """For each item, the index of the latest item of its group (items of one ``key``; None: in no group):
    the latest ``date`` (ISO text; an undated item is older than any dated one), of equal dates the last given.
    One rule for "the latest assessment" wherever several of one office meet (the portfolio, action plans)."""
    groups: dict[object, list[int]] = {}
    for i, key in enumerate(keys):
        if key is not None:
            groups.setdefault(key, []).append(i)
    out: list[int | None] = [None] * len(keys)
    for members in groups.values():
        latest = max(members, key=lambda i: (text_or_empty(dates[i]), i))
        for i in members:
            out[i] = latest
    return out


def latest_of_each(assessments: Sequence[Assessment]) -> list[bool]:
    """For each assessment, whether it is its office's latest among ``assessments`` (one office: names that
    :func:`same_office`), by :func:`latest_in_groups`: a file that gives no date is never taken for the
    newest. An office assessed once is its own latest. A portfolio counts offices by these: one office
    assessed twice is one office, its earlier assessment reported but not counted again."""
    latest = latest_in_groups([office_key(a.office) for a in assessments], [a.date for a in assessments])
    return [j == i for i, j in enumerate(latest)]


# what an office's file answers: two assessments that agree on all of it are one assessment given twice
ANSWER_COLUMNS = ("id", "answer", "evidence", "notes", "owner", "due")


def same_assessment(a: Assessment, b: Assessment) -> bool:
    """True when ``a`` and ``b`` are one assessment: one office, one date (or both undated), one checklist and
    version, the same metadata, answers (with their evidence, notes, owners, due dates) and KPIs: the same
    file given twice, a link to it, a copy of it or the same answers saved in another format."""
    if not (same_office(a.office, b.office) and a.date == b.date and a.meta == b.meta
            and (a.checklist.id, a.checklist.version) == (b.checklist.id, b.checklist.version)):
        return False
    cols = [c for c in ANSWER_COLUMNS if c in a.questions.columns and c in b.questions.columns]
    if not a.questions[cols].reset_index(drop=True).equals(b.questions[cols].reset_index(drop=True)):
        return False
    ka, kb = (k if k is not None else pd.DataFrame() for k in (a.kpis, b.kpis))
    return bool(ka.reset_index(drop=True).equals(kb.reset_index(drop=True)))


@dataclass
class SameDay:
    """Assessments (indexes into the list given to :func:`same_day`) of one office on one date.
    ``copies``: pairs (copy, first) that are the same assessment as an earlier one (:func:`same_assessment`);
    ``conflicting``: the group's assessments that differ from each other (two or more, or none)."""
    office: str
    date: str | None
    members: list[int]
    copies: list[tuple[int, int]]
    conflicting: list[int]


def same_day(assessments: Sequence[Assessment]) -> list[SameDay]:
    """Every office assessed more than once on one date (undated assessments group with each other) among
    ``assessments``, in input order: which are copies of an earlier one, and which differ. Two different
    assessments of an office dated the same day cannot both be right, and nothing here can say which is;
    two undated ones are told apart by their files (:func:`telling_apart`), so they never conflict."""
    groups: dict[tuple[str, str | None], list[int]] = {}
    for i, a in enumerate(assessments):
        groups.setdefault((office_key(a.office), a.date), []).append(i)
    found = []
    for (_, date), members in groups.items():
        if len(members) < 2:
            continue
        copies: list[tuple[int, int]] = []
        distinct: list[int] = []
        for i in members:
            first = next((j for j in distinct if same_assessment(assessments[j], assessments[i])), None)
            if first is None:
                distinct.append(i)
            else:
                copies.append((i, first))
        conflicting = distinct if date is not None and len(distinct) > 1 else []
        found.append(SameDay(assessments[members[0]].office, date, members, copies, conflicting))
    return found
