"""Gaps: answered questions with p < 1, classified by severity and ranked; the action plan from them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from qmskit.core.model import GAP_REASONS, SEVERITIES, SEVERITY_RANK, Basis, GapReason, Severity

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
    q = cl.questions
    p = np.asarray(points, dtype=float)
    requirement = (q["basis"] != Basis.PRACTICE).to_numpy()
    critical = q["critical"].to_numpy(dtype=bool)
    answered = ~np.isnan(p)
    with np.errstate(invalid="ignore"):
        zero = answered & (p == 0)
        gap = answered & (p < 1)
    leaf = cl.leaf_incidence
    answered_req = (answered & requirement).astype(float) @ leaf
    zero_req = (zero & requirement).astype(float) @ leaf
    absent_leaf = (answered_req >= 2) & (zero_req == answered_req)
    in_absent = (absent_leaf.astype(float) @ leaf.T) > 0
    req_gap = gap & requirement
    critical_zero = req_gap & critical & zero
    major = critical_zero | (req_gap & in_absent)
    minor = req_gap & ~major
    observation = gap & ~requirement
    sev = np.select([major, minor, observation],
                    [SEVERITY_RANK[Severity.MAJOR], SEVERITY_RANK[Severity.MINOR], SEVERITY_RANK[Severity.OBSERVATION]],
                    -1).astype(np.int8)
    code = {r: i for i, r in enumerate(GAP_REASONS)}
    reason = np.select([observation, critical_zero, major, req_gap & zero, req_gap],
                       [code[GapReason.PRACTICE], code[GapReason.CRITICAL], code[GapReason.ABSENT],
                        code[GapReason.NOT_MET], code[GapReason.PARTIAL]], -1).astype(np.int8)
    return sev, reason


def rank_gaps(questions: pd.DataFrame, clause_order: pd.Series, severity: np.ndarray,
              reason: np.ndarray) -> pd.DataFrame:
    """The gap register in rank order from a scored questions frame and :func:`classify_gaps` codes.

    ``questions`` needs id, clause, order, weight, points, answered. Impact is the number of
    overall-score points the gap is worth: 100 × w(1 − p) / Σ w over answered applicable questions.
    Rank: severity, impact (descending), clause document order, question order.
    """
    answered = questions["answered"].astype(bool)
    total_w = questions.loc[answered, "weight"].sum()
    is_gap = np.asarray(severity) >= 0
    gaps = questions[is_gap].copy()
    gaps["severity"] = np.asarray(SEVERITIES, dtype=object)[np.asarray(severity)[is_gap]]
    gaps["reason"] = np.asarray(GAP_REASONS, dtype=object)[np.asarray(reason)[is_gap]]
    gaps["impact"] = 100.0 * gaps["weight"] * (1.0 - gaps["points"]) / total_w if total_w else np.nan
    gaps["_sev"] = np.asarray(severity)[is_gap]
    gaps["_clause"] = gaps["clause"].map(clause_order)
    gaps = gaps.sort_values(["_sev", "impact", "_clause", "order"], ascending=[True, False, True, True],
                            kind="mergesort")
    gaps = gaps.drop(columns=["_sev", "_clause"]).reset_index(drop=True)
    gaps.insert(0, "rank", range(1, len(gaps) + 1))
    return gaps


def recommended_action(frame: pd.DataFrame, lang: str = "en") -> pd.Series:
    """What the office should do per row: the question's ``action`` in ``lang`` (English when that is
    blank), falling back to the evidence hint only for a checklist that gives no action."""
    def col(name: str) -> pd.Series:
        values = frame.get(name, pd.Series("", index=frame.index))
        return values.astype(object).where(values.notna(), "")
    out = col(f"action_{lang}")
    for fallback in ("action_en", f"evidence_{lang}", "evidence_en"):
        out = out.where(out != "", col(fallback))
    return out


def action_plan(gaps: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """One action per gap, in rank order: the recommended action, who owns it and by when."""
    return pd.DataFrame({
        "rank": gaps["rank"], "id": gaps["id"], "clause": gaps["clause"], "severity": gaps["severity"],
        "reason": gaps.get("reason", pd.Series(None, index=gaps.index, dtype=object)),
        "action": recommended_action(gaps, lang), "owner": gaps["owner"].fillna(""), "due": gaps["due"].fillna(""),
        "impact": gaps["impact"],
    }).reset_index(drop=True)


def _register(questions: pd.DataFrame, column: str) -> pd.DataFrame:
    di = questions[questions[column].notna()].copy() if column in questions else questions.iloc[:0].copy()
    p = di["points"]
    di["status"] = np.select(
        [di["answer"] == "n/a", ~di["answered"].astype(bool), p >= 1, p > 0],
        ["n/a", "unanswered", "present", "partial"], "missing")
    if column != "documented_information":
        di["documented_information"] = di[column]
    return di[["id", "clause", "documented_information", "status", "answer", "evidence",
               "text_en", "text_zh"]].reset_index(drop=True)


def documented_information_register(questions: pd.DataFrame) -> pd.DataFrame:
    """Questions about the documented information ISO 9001 itself requires: present / partial / missing."""
    return _register(questions, "documented_information")


def office_documents_register(questions: pd.DataFrame) -> pd.DataFrame:
    """The office's own documents (a profile's ``office_document``), apart from the mandatory register.
    Same columns; ``documented_information`` holds the office_document kind (maintain / retain)."""
    return _register(questions, "office_document")
