"""Gaps: answered questions with p < 1, classified by severity and ranked; the action plan from them."""
from __future__ import annotations

import numpy as np
import pandas as pd

SEVERITIES = ["major", "minor", "observation"]
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def classify_severity(critical: pd.Series, points: pd.Series) -> pd.Series:
    """major: critical and p = 0; minor: critical and 0 < p < 1, or not critical and p = 0;
    observation: not critical and 0 < p < 1. Rows with p = 1 or no p get None."""
    crit = critical.astype(bool).to_numpy()
    p = points.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        zero, part = p == 0, (p > 0) & (p < 1)
    sev = np.select([crit & zero, (crit & part) | (~crit & zero), ~crit & part], SEVERITIES, None)
    return pd.Series(sev, index=points.index, dtype="object")


def rank_gaps(questions: pd.DataFrame, clause_order: pd.Series) -> pd.DataFrame:
    """The gap register in rank order from a scored questions frame.

    ``questions`` needs id, clause, order, weight, critical, points, answered. Impact is the number of
    overall-score points the gap is worth: 100 × w(1 − p) / Σ w over answered applicable questions.
    Rank: severity, impact (descending), clause document order, question order.
    """
    answered = questions["answered"].astype(bool)
    total_w = questions.loc[answered, "weight"].sum()
    gaps = questions[answered & (questions["points"] < 1)].copy()
    gaps["severity"] = classify_severity(gaps["critical"], gaps["points"])
    gaps["impact"] = 100.0 * gaps["weight"] * (1.0 - gaps["points"]) / total_w if total_w else np.nan
    gaps["_sev"] = gaps["severity"].map(SEVERITY_RANK)
    gaps["_clause"] = gaps["clause"].map(clause_order)
    gaps = gaps.sort_values(["_sev", "impact", "_clause", "order"], ascending=[True, False, True, True],
                            kind="mergesort")
    gaps = gaps.drop(columns=["_sev", "_clause"]).reset_index(drop=True)
    gaps.insert(0, "rank", range(1, len(gaps) + 1))
    return gaps


def action_plan(gaps: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """One action per gap, in rank order: what to put in place (the evidence an auditor expects),
    who owns it and by when (from the responses)."""
    hint = gaps.get(f"evidence_{lang}", gaps.get("evidence_en", pd.Series("", index=gaps.index)))
    return pd.DataFrame({
        "rank": gaps["rank"], "id": gaps["id"], "clause": gaps["clause"], "severity": gaps["severity"],
        "action": hint.fillna(""), "owner": gaps["owner"].fillna(""), "due": gaps["due"].fillna(""),
        "impact": gaps["impact"],
    }).reset_index(drop=True)


def documented_information_register(questions: pd.DataFrame) -> pd.DataFrame:
    """Questions about mandatory documented information with present / partial / missing status."""
    di = questions[questions["documented_information"].notna()].copy()
    p = di["points"]
    di["status"] = np.select(
        [di["answer"] == "n/a", ~di["answered"].astype(bool), p >= 1, p > 0],
        ["n/a", "unanswered", "present", "partial"], "missing")
    return di[["id", "clause", "documented_information", "status", "answer", "evidence",
               "text_en", "text_zh"]].reset_index(drop=True)
