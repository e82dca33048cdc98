"""Gaps: answered questions with p < 1, classified by severity and ranked; the action plan from them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from qmskit.core.arrays import ChecklistArrays, checklist_arrays
from qmskit.core.model import GAP_REASONS, SEVERITIES, SEVERITY_RANK, DocStatus, GapReason, Severity

__all__ = ["SEVERITIES", "SEVERITY_RANK", "classify_gaps", "rank_gaps", "action_plan",
           "documented_information_register", "office_documents_register",
           "recommended_action"]


def classify_gaps(cl, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Severity and reason of every (unit, question) at once, for one office or many (design.md, "Gaps").

    ``points``: units × questions, p in 0..1, NaN where unanswered or n/a. Returns two int8 arrays of
    the same shape: index into ``SEVERITIES`` and into ``GAP_REASONS``, −1 where there is no gap.

    * ``basis: practice`` → observation (reason ``practice``);
    * requirement, critical and p = 0 → major (``critical``);
    * requirement in an *absent* leaf clause (≥ 2 answered applicable requirement questions, all
      p = 0) → major (``absent``);
    * any other requirement gap → minor (``not_met`` at p = 0, ``partial`` otherwise).
    The one-office and many-office paths both call this, so their findings always agree.
    """
    p = np.asarray(points, dtype=float)
    masks = gap_masks(checklist_arrays(cl), p.T)
    sev = np.full(p.T.shape, -1, dtype=np.int8)
    sev[masks.observation] = SEVERITY_RANK[Severity.OBSERVATION]
    sev[masks.minor] = SEVERITY_RANK[Severity.MINOR]
    sev[masks.major] = SEVERITY_RANK[Severity.MAJOR]
    reason = np.full(p.T.shape, -1, dtype=np.int8)  # the first matching reason, in the order of design.md
    reason[masks.requirement_gap] = _REASON[GapReason.PARTIAL]
    reason[masks.requirement_gap & masks.zero] = _REASON[GapReason.NOT_MET]
    reason[masks.major] = _REASON[GapReason.ABSENT]
    reason[masks.critical_zero] = _REASON[GapReason.CRITICAL]
    reason[masks.observation] = _REASON[GapReason.PRACTICE]
    return sev.T, reason.T


@dataclass
class GapMasks:
    """Boolean questions × units arrays: which answers are gaps of which severity (see classify_gaps)."""
    zero: np.ndarray
    requirement_gap: np.ndarray
    critical_zero: np.ndarray
    major: np.ndarray
    minor: np.ndarray
    observation: np.ndarray


def gap_masks(arrays: ChecklistArrays, p: np.ndarray) -> GapMasks:
    """The gap rules on question-major points (questions × units, NaN = unanswered or n/a)."""
    requirement = arrays.requirement[:, None]
    answered = ~np.isnan(p)
    with np.errstate(invalid="ignore"):
        zero = answered & (p == 0)
        gap = answered & (p < 1)
    answered_req = answered & requirement
    zero_req = zero & requirement
    if arrays.runs_are_clauses:  # per-clause counts are per-run sums (one reduceat), spread back with a take
        n_answered, n_zero = arrays.run_sums(answered_req, np.int32), arrays.run_sums(zero_req, np.int32)
        in_absent = ((n_answered >= 2) & (n_zero == n_answered))[arrays.run_of_q]
    else:
        leaf = arrays.leaf_incidence
        n_answered, n_zero = leaf.T @ answered_req.astype(float), leaf.T @ zero_req.astype(float)
        in_absent = (leaf @ ((n_answered >= 2) & (n_zero == n_answered)).astype(float)) > 0
    req_gap = gap & requirement
    critical_zero = req_gap & arrays.critical[:, None] & zero
    major = critical_zero | (req_gap & in_absent)
    return GapMasks(zero=zero, requirement_gap=req_gap, critical_zero=critical_zero, major=major,
                    minor=req_gap & ~major, observation=gap & ~requirement)


_REASON = {r: i for i, r in enumerate(GAP_REASONS)}


def rank_gaps(questions: pd.DataFrame, clause_order: pd.Series, severity: np.ndarray,
              reason: np.ndarray) -> pd.DataFrame:
    """The gap register in rank order from a scored questions frame and :func:`classify_gaps` codes.

    ``questions`` needs id, clause, order, weight, points, answered. Impact is the number of
    overall-score points the gap is worth: 100 × w(1 − p) / Σ w over answered applicable questions.
    Rank: severity, impact (descending), clause document order, question order.
    """
    return ranked_gaps(questions, questions["clause"].map(clause_order).to_numpy(dtype=float), severity, reason)


def ranked_gaps(questions: pd.DataFrame, clause_rank: np.ndarray, severity: np.ndarray,
                reason: np.ndarray) -> pd.DataFrame:
    """:func:`rank_gaps` with each question's clause document order already known (one sort, one take)."""
    severity, reason = np.asarray(severity), np.asarray(reason)
    rows, impact = gap_rank_order(questions["weight"].to_numpy(dtype=float),
                                  questions["points"].to_numpy(dtype=float),
                                  questions["answered"].to_numpy(dtype=bool), clause_rank,
                                  questions["order"].to_numpy(), severity)
    gaps = questions.iloc[rows].reset_index(drop=True)
    gaps["severity"] = np.asarray(SEVERITIES, dtype=object)[severity[rows]]
    gaps["reason"] = np.asarray(GAP_REASONS, dtype=object)[reason[rows]]
    gaps["impact"] = impact
    gaps.insert(0, "rank", np.arange(1, len(gaps) + 1))
    return gaps


def gap_rank_order(weight: np.ndarray, points: np.ndarray, answered: np.ndarray, clause_rank: np.ndarray,
                   order: np.ndarray, severity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(question positions of the gaps in rank order, their impact): severity, impact descending, clause
    document order, question order."""
    total_w = weight[answered].sum()
    rows = np.flatnonzero(severity >= 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        impact = 100.0 * weight[rows] * (1.0 - points[rows]) / total_w if total_w else np.full(len(rows), np.nan)
    # np.lexsort sorts by the last key first; a NaN impact sorts last, where sort_values puts it
    ranked = np.lexsort((order[rows], np.asarray(clause_rank, dtype=float)[rows],
                         -np.nan_to_num(impact, nan=-np.inf), severity[rows]))
    return rows[ranked], impact[ranked]


def recommended_action(frame: pd.DataFrame, lang: str = "en") -> pd.Series:
    """What the office should do per row: the question's ``action`` in ``lang`` (English when that is
    blank), falling back to the evidence hint only for a checklist that gives no action."""
    # the first of these that is neither missing nor "" (a column the frame lacks counts as ""); per row
    # in Python over the columns' lists: the same as where-chains over four columns, ~10x cheaper a call
    columns = [frame[name].tolist() for name in
               dict.fromkeys((f"action_{lang}", "action_en", f"evidence_{lang}", "evidence_en")) if name in frame]

    def first(values: tuple[Any, ...]) -> Any:
        return next((v for v in values if not pd.isna(v) and v != ""), "")

    return pd.Series([first(values) for values in zip(*columns, strict=True)] if columns else [""] * len(frame),
                     index=frame.index, dtype=object)


def action_plan(gaps: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """One action per gap, in rank order: the recommended action, who owns it and by when."""
    return pd.DataFrame({
        "rank": gaps["rank"], "id": gaps["id"], "clause": gaps["clause"], "severity": gaps["severity"],
        "reason": gaps.get("reason", pd.Series(None, index=gaps.index, dtype=object)),
        "action": recommended_action(gaps, lang), "owner": gaps["owner"].fillna(""), "due": gaps["due"].fillna(""),
        "impact": gaps["impact"],
    }).reset_index(drop=True)


def _register(questions: pd.DataFrame, column: str) -> pd.DataFrame:
    # one take of the columns shown (the questions frame has ~30), the status computed on the arrays
    mask = questions[column].notna().to_numpy() if column in questions else np.zeros(len(questions), dtype=bool)
    keep = ["id", "clause", "documented_information", "answer", "evidence", "text_en", "text_zh", column]
    di = questions.loc[mask, [c for c in dict.fromkeys(keep) if c in questions]].reset_index(drop=True)
    p = questions["points"].to_numpy(dtype=float)[mask]
    evidence = questions["evidence"].to_numpy(dtype=object)[mask] if "evidence" in questions else np.full(p.shape, "")
    # a met answer with no evidence recorded is the office's claim, not a document anyone saw: an auditor
    # writes "present" only for what was seen (design.md: such a "yes" is *unsupported*; the same test of
    # "no evidence" as scoring's ``unsupported`` list, so the register and that list always agree)
    seen = np.fromiter((isinstance(e, str) and e != "" for e in evidence), dtype=bool, count=len(evidence))
    if "evidence_carried" in questions:  # only carried over from the previous assessment: not seen this time
        seen &= ~questions["evidence_carried"].to_numpy(dtype=bool)[mask]
    di["status"] = np.select(
        [questions["answer"].to_numpy()[mask] == "n/a", ~questions["answered"].to_numpy(dtype=bool)[mask],
         (p >= 1) & seen, p >= 1, p > 0],
        [DocStatus.NA, DocStatus.UNANSWERED, DocStatus.PRESENT, DocStatus.UNSUPPORTED, DocStatus.PARTIAL],
        DocStatus.MISSING).astype(object)
    if column != "documented_information":
        di["documented_information"] = di[column]
    return di[["id", "clause", "documented_information", "status", "answer", "evidence", "text_en", "text_zh"]]


def documented_information_register(questions: pd.DataFrame) -> pd.DataFrame:
    """Questions about the documented information ISO 9001 itself requires, each with its
    :class:`~qmskit.core.model.DocStatus`: present (met, evidence seen) / unsupported (met, no evidence
    recorded) / partial / missing / unanswered / n/a."""
    return _register(questions, "documented_information")


def office_documents_register(questions: pd.DataFrame) -> pd.DataFrame:
    """The office's own documents (a profile's ``office_document``), apart from the mandatory register.
    Same columns; ``documented_information`` holds the office_document kind (maintain / retain)."""
    return _register(questions, "office_document")
