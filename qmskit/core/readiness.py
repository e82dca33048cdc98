"""The readiness verdict (design.md, "Readiness"): checked from the top band down, first match wins.

* **ready**: completeness 100 %, every prerequisite answered yes, no major, minors ≤ ``ready_max_minor``,
  every critical or prerequisite "yes" has evidence, overall ≥ ``ready_min``;
* **nearly_ready**: completeness ≥ 90 %, every prerequisite answered yes, majors ≤
  ``nearly_ready_max_major``, overall ≥ ``nearly_ready_min``;
* **developing**: overall ≥ ``developing_min``;
* **early_stage** otherwise (also when overall is null).

:func:`readiness_bands` is the rule, vectorised over many offices; :func:`readiness_verdict` applies the
very same rule to one office and adds its reasons as data (:class:`~qmskit.core.model.Reason`), never text.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from qmskit.core.model import BANDS, TOL, Band, Reason, ReasonCode

NEARLY_READY_MIN_COMPLETENESS = 90.0
READY_COMPLETENESS = 100.0


def _null(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True)
class ReadinessFacts:
    """What the verdict of one office depends on (everything else is in the thresholds)."""
    overall: float | None
    completeness: float | None
    major_clauses: Sequence[str] = ()          # one clause per major gap, document order
    minor_clauses: Sequence[str] = ()          # one clause per minor gap, document order
    prerequisites_missing: Sequence[str] = ()  # applicable prerequisite questions not answered yes
    unsupported_key: Sequence[str] = ()        # critical or prerequisite "yes" without evidence
    unsupported: Sequence[str] = field(default_factory=tuple)  # every "yes" without evidence
    carried: Sequence[str] = ()                # of those, the ones whose only evidence is carried over, unverified


def readiness_bands(overall, completeness, n_major, n_minor, n_prerequisites_missing, n_unsupported_key,
                    thresholds: dict) -> np.ndarray:
    """The band of each office (arrays of equal length; NaN overall/completeness = null)."""
    th = thresholds
    o = np.asarray(overall, dtype=float)
    c = np.asarray(completeness, dtype=float)
    major = np.asarray(n_major)
    minor = np.asarray(n_minor)
    prereq_ok = np.asarray(n_prerequisites_missing) == 0
    evidenced = np.asarray(n_unsupported_key) == 0
    with np.errstate(invalid="ignore"):  # NaN compares False: a null score meets no gate
        ready = ((c >= READY_COMPLETENESS - TOL) & prereq_ok & (major == 0) & (minor <= th["ready_max_minor"])
                 & evidenced & (o >= th["ready_min"] - TOL))
        near = ((c >= NEARLY_READY_MIN_COMPLETENESS - TOL) & prereq_ok & (major <= th["nearly_ready_max_major"])
                & (o >= th["nearly_ready_min"] - TOL))
        dev = o >= th["developing_min"] - TOL
    return np.select([ready, near, dev], BANDS[:3], BANDS[3]).astype(object)


def _clause_set(clauses: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(clauses))


def readiness_verdict(facts: ReadinessFacts, thresholds: dict) -> tuple[Band, list[Reason]]:
    """(band, reasons) of one office. The band comes from :func:`readiness_bands`; the reasons say which
    gates of the next band up failed (or, for ready, why it holds and what it still asks for)."""
    th = thresholds
    f = facts
    overall = None if f.overall is None or _null(f.overall) else float(f.overall)
    completeness = None if f.completeness is None or _null(f.completeness) else float(f.completeness)
    band = Band(readiness_bands([np.nan if overall is None else overall],
                                [np.nan if completeness is None else completeness],
                                [len(f.major_clauses)], [len(f.minor_clauses)], [len(f.prerequisites_missing)],
                                [len(f.unsupported_key)], th)[0])

    def below(value, minimum) -> bool:
        return value is None or value < minimum - TOL

    def majors(gate: Band, allowed: int) -> Reason:
        return Reason(ReasonCode.MAJOR_GAPS, {"count": len(f.major_clauses), "clauses": _clause_set(f.major_clauses),
                                              "band": gate.value, "allowed": int(allowed)})

    def overall_reason(gate: Band, required: float) -> Reason:
        if overall is None:
            return Reason(ReasonCode.NO_ANSWERS, {"band": gate.value, "required": float(required)})
        return Reason(ReasonCode.OVERALL_BELOW, {"value": overall, "required": float(required), "band": gate.value})

    def prerequisites(gate: Band) -> Reason:
        return Reason(ReasonCode.PREREQUISITES_MISSING, {"count": len(f.prerequisites_missing),
                                                         "ids": list(f.prerequisites_missing), "band": gate.value})

    ready_fail: list[Reason] = []
    if below(completeness, READY_COMPLETENESS):
        ready_fail.append(Reason(ReasonCode.COMPLETENESS_BELOW, {"value": completeness, "required": READY_COMPLETENESS,
                                                                 "band": Band.READY.value}))
    if f.prerequisites_missing:
        ready_fail.append(prerequisites(Band.READY))
    if f.major_clauses:
        ready_fail.append(majors(Band.READY, 0))
    if len(f.minor_clauses) > th["ready_max_minor"]:
        ready_fail.append(Reason(ReasonCode.MINOR_GAPS, {"count": len(f.minor_clauses),
                                                         "clauses": _clause_set(f.minor_clauses),
                                                         "band": Band.READY.value,
                                                         "allowed": int(th["ready_max_minor"])}))
    # the key "yes" without evidence: those with none recorded, then those resting on evidence carried over
    # (one reason each, so no answer is described twice and neither is said to have no text)
    carried_ids = set(f.carried)
    for code, ids in ((ReasonCode.UNSUPPORTED_KEY, [q for q in f.unsupported_key if q not in carried_ids]),
                      (ReasonCode.UNSUPPORTED_KEY_CARRIED, [q for q in f.unsupported_key if q in carried_ids])):
        if ids:
            ready_fail.append(Reason(code, {"count": len(ids), "ids": ids, "band": Band.READY.value}))
    if below(overall, th["ready_min"]):
        ready_fail.append(overall_reason(Band.READY, th["ready_min"]))
    key = set(f.unsupported_key)
    other_carried = [q for q in f.carried if q not in key]
    carried = [Reason(ReasonCode.EVIDENCE_CARRIED, {"count": len(other_carried)})] if other_carried else []

    if band is Band.READY:
        reasons = [Reason(ReasonCode.COMPLETENESS_MET, {"value": completeness}),
                   Reason(ReasonCode.NO_MAJOR_GAPS, {})]
        if f.minor_clauses:
            reasons.append(Reason(ReasonCode.MINOR_GAPS_OPEN, {"count": len(f.minor_clauses),
                                                               "clauses": _clause_set(f.minor_clauses)}))
        reasons.append(Reason(ReasonCode.OVERALL_MET, {"value": overall, "required": float(th["ready_min"])}))
        if f.unsupported:
            reasons.append(Reason(ReasonCode.UNSUPPORTED_YES, {"count": len(f.unsupported)}))
        return band, reasons + carried
    if band is Band.NEARLY_READY:
        return band, ready_fail + carried

    near_fail: list[Reason] = []
    if below(completeness, NEARLY_READY_MIN_COMPLETENESS):
        near_fail.append(Reason(ReasonCode.COMPLETENESS_BELOW, {"value": completeness,
                                                                "required": NEARLY_READY_MIN_COMPLETENESS,
                                                                "band": Band.NEARLY_READY.value}))
    if f.prerequisites_missing:
        near_fail.append(prerequisites(Band.NEARLY_READY))
    if len(f.major_clauses) > th["nearly_ready_max_major"]:
        near_fail.append(majors(Band.NEARLY_READY, th["nearly_ready_max_major"]))
    if below(overall, th["nearly_ready_min"]):
        near_fail.append(overall_reason(Band.NEARLY_READY, th["nearly_ready_min"]))
    if band is Band.DEVELOPING:
        return band, near_fail
    # early stage: the developing gate first, then the other unmet nearly-ready gates
    dev = overall_reason(Band.DEVELOPING, th["developing_min"])
    return band, [dev] + [r for r in near_fail if r.code not in (ReasonCode.OVERALL_BELOW, ReasonCode.NO_ANSWERS)]


def readiness_series(overall: pd.Series, completeness: pd.Series, n_major, n_minor, n_prerequisites_missing,
                     n_unsupported_key, thresholds: dict) -> pd.Series:
    """:func:`readiness_bands` as a Series on the offices' index."""
    bands = readiness_bands(overall.to_numpy(dtype=float), completeness.to_numpy(dtype=float), n_major, n_minor,
                            n_prerequisites_missing, n_unsupported_key, thresholds)
    return pd.Series(bands, index=overall.index, name="readiness", dtype=object)


__all__ = ["BANDS", "TOL", "ReadinessFacts", "readiness_bands", "readiness_series",
           "readiness_verdict"]
