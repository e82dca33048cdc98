"""The verdict's vocabulary: bands, severities, bases, gap reasons and readiness reasons as data.

Enums are ``StrEnum``: a member equals its plain string value (``Severity.MAJOR == "major"``), so frames
and the JSON contract keep plain strings while code names the concept instead of spelling it.
No display text lives here: messages for reasons are in :mod:`qmskit.i18n.catalog` (one catalog, en + zh).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

TOL = 1e-9  # thresholds compare unrounded values with this tolerance (design.md, "Scoring")
# a KPI unit written any of these ways is a percentage (0..100, shown as "92.5%")
PERCENT_UNITS = frozenset({"%", "percent", "％"})


class Band(StrEnum):
    """Readiness bands, best first (checked from the top, first match wins)."""
    READY = "ready"
    NEARLY_READY = "nearly_ready"
    DEVELOPING = "developing"
    EARLY_STAGE = "early_stage"


BANDS: list[str] = [b.value for b in Band]


class Severity(StrEnum):
    """Finding severities in a certification body's terms, most severe first."""
    MAJOR = "major"              # major nonconformity
    MINOR = "minor"              # minor nonconformity
    OBSERVATION = "observation"  # opportunity for improvement


SEVERITIES: list[str] = [s.value for s in Severity]
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}


class Basis(StrEnum):
    """Why a question is asked: an ISO 9001 "shall", or good practice / a profile's own expectation."""
    REQUIREMENT = "requirement"
    PRACTICE = "practice"


class GapReason(StrEnum):
    """Why a gap has its severity (design.md, "Gaps")."""
    CRITICAL = "critical"   # a critical requirement not met at all → major
    ABSENT = "absent"       # lies in an absent leaf clause (a whole required process missing) → major
    NOT_MET = "not_met"     # a requirement not met → minor
    PARTIAL = "partial"     # a requirement partly met → minor
    PRACTICE = "practice"   # good practice, not a requirement → observation


GAP_REASONS: list[str] = [r.value for r in GapReason]


class FindingKind(StrEnum):
    """What a finding of the gap register is about: a question's gap, or a KPI that missed its target
    (an observation of 9.1 with id ``kpi:<indicator id>``, reason ``kpi``; design.md, "Gaps")."""
    QUESTION = "question"
    KPI = "kpi"


class DocStatus(StrEnum):
    """A documented-information register row: what was seen of the document a question asks about."""
    PRESENT = "present"          # met, and the evidence seen is recorded
    UNSUPPORTED = "unsupported"  # answered as met, but no evidence recorded: claimed, not seen
    PARTIAL = "partial"
    MISSING = "missing"
    UNANSWERED = "unanswered"
    NA = "n/a"


DOC_STATUSES: list[str] = [d.value for d in DocStatus]


class ReasonCode(StrEnum):
    """Readiness reasons: each the catalog message ``reason.<code>`` (rendered by qmskit.i18n.catalog.reason_text)."""
    # a gate of a band that was not met (values name the band whose gate failed)
    COMPLETENESS_BELOW = "completeness_below"
    PREREQUISITES_MISSING = "prerequisites_missing"
    MAJOR_GAPS = "major_gaps"
    MINOR_GAPS = "minor_gaps"
    UNSUPPORTED_KEY = "unsupported_key"
    # the same gate, for the critical or prerequisite "yes" whose only evidence is carried over from the
    # previous assessment, still marked to re-verify: text is there, so "no evidence recorded" was untrue
    UNSUPPORTED_KEY_CARRIED = "unsupported_key_carried"
    OVERALL_BELOW = "overall_below"
    NO_ANSWERS = "no_answers"
    # why a ready verdict holds, and what it still asks for
    COMPLETENESS_MET = "completeness_met"
    NO_MAJOR_GAPS = "no_major_gaps"
    MINOR_GAPS_OPEN = "minor_gaps_open"
    OVERALL_MET = "overall_met"
    UNSUPPORTED_YES = "unsupported_yes"
    # said with either: how many of the other unsupported "yes" (not critical or prerequisite: those are
    # named by UNSUPPORTED_KEY_CARRIED) rest only on evidence carried over from the previous assessment (still
    # marked to re-verify): why they count as unsupported though text is there
    EVIDENCE_CARRIED = "evidence_carried"


@dataclass(frozen=True)
class Reason:
    """A readiness reason as data: a code plus its values (counts, clause lists, thresholds, band).

    ``to_dict`` is the JSON form (``{"code": "major_gaps", "count": 3, "clauses": ["7.5.3", "9.2"], ...}``);
    text is rendered per language by :func:`qmskit.i18n.catalog.reason_text`.
    """
    code: ReasonCode
    values: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, **self.values}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reason:
        values = {k: v for k, v in data.items() if k != "code"}
        return cls(ReasonCode(data["code"]), values)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


# The columns of a responses frame, one row per question (the readers produce them, scoring consumes them).
# warnings are catalog Messages (qmskit.errors.Message: English text with its catalog key): the key is the
# warning's code, what a page filters on, never the words
NA_UNJUSTIFIED = "scoring.na_unjustified"   # an n/a answer with no justification in its notes


RESPONSE_COLUMNS = ["id", "answer", "evidence", "notes", "owner", "due"]
