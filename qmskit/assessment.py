"""The result of scoring one office, and its stable JSON form (the `qmskit score --json` contract)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .checklist import Checklist


def _num(value):
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


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
    readiness: str
    readiness_reasons: list[str]
    unanswered: list[str]
    unsupported: list[str]      # "yes" with no evidence: flagged in the report, not a gap
    warnings: list[str]
    kpis: pd.DataFrame = field(default_factory=pd.DataFrame)
    kpi_findings: list[dict] = field(default_factory=list)

    @property
    def office(self) -> str:
        if self.meta.get("office"):
            return str(self.meta["office"])
        return Path(self.source).stem if self.source else "office"

    def __repr__(self) -> str:
        return (f"<Assessment {self.office!r}: overall {self.overall}, completeness {self.completeness}, "
                f"{self.readiness}, {len(self.gaps)} gaps>")

    def action_plan(self, lang: str = "en") -> pd.DataFrame:
        from .gaps import action_plan
        return action_plan(self.gaps, lang)

    def documented_information(self) -> pd.DataFrame:
        from .gaps import documented_information_register
        return documented_information_register(self.questions)

    def to_dict(self) -> dict:
        """The JSON contract (design.md, "qmskit score --json")."""
        return {
            "office": self.office,
            "source": self.source,
            "checklist": {"id": self.checklist.id, "version": self.checklist.version},
            "overall": _num(self.overall),
            "completeness": _num(self.completeness),
            "readiness": self.readiness,
            "readiness_reasons": list(self.readiness_reasons),
            "clauses": [
                {"clause": r.clause, "title": r.title_en, "score": _num(r.score), "answered": int(r.answered),
                 "applicable": int(r.applicable), "questions": int(r.questions)}
                for r in self.clauses.itertuples(index=False)
            ],
            "questions": [
                {"id": r.id, "clause": r.clause, "weight": float(r.weight), "critical": bool(r.critical),
                 "answer": _answer(r.answer), "points": _num(r.points)}
                for r in self.questions.itertuples(index=False)
            ],
            "gaps": [
                {"id": r.id, "clause": r.clause, "severity": r.severity, "answer": _answer(r.answer),
                 "impact": _num(r.impact)}
                for r in self.gaps.itertuples(index=False)
            ],
            "unanswered": list(self.unanswered),
            "kpi_findings": list(self.kpi_findings),
        }
