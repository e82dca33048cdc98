"""Scoring: responses → question points → clause scores (matrix roll-up) → overall, readiness, gaps.

score = 100 × Σ wᵢpᵢ / Σ wᵢ over the answered, applicable questions beneath a node (null when none);
completeness = 100 × answered / applicable. Full precision everywhere; rounding is for display only.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .assessment import Assessment
from .checklist import Checklist, load_checklist
from .errors import ResponsesError
from .gaps import rank_gaps
from .kpis import evaluate_kpis
from .readiness import readiness_bands, readiness_verdict
from .responses import COLUMNS, read_responses
from .scales import ALLOWED_TEXT, NA, answer_points, normalize_answers


def rollup(cl: Checklist, points: pd.DataFrame, not_applicable: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Roll question points up the clause tree for many units (offices) at once.

    ``points``: unit × question id, p in 0..1, NaN when unanswered or n/a.
    ``not_applicable``: unit × question id, True where the answer is n/a.
    Returns unit × clause frames: score, answered, applicable, plus per-unit overall figures.
    """
    inc = cl.incidence
    w = cl.questions["weight"].to_numpy()
    answered = points.notna().to_numpy()
    applicable = ~not_applicable.to_numpy()
    p = np.nan_to_num(points.to_numpy(dtype=float))
    a = inc.to_numpy()
    sw = (answered * w) @ a
    swp = (p * w) @ a
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(sw > 0, 100.0 * swp / np.where(sw > 0, sw, 1), np.nan)
    frame = lambda m: pd.DataFrame(m, index=points.index, columns=inc.columns)  # noqa: E731
    total_w = (answered * w).sum(axis=1)
    n_answered = answered.sum(axis=1)
    n_applicable = applicable.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = np.where(total_w > 0, 100.0 * (p * w).sum(axis=1) / np.where(total_w > 0, total_w, 1), np.nan)
        completeness = np.where(n_applicable > 0, 100.0 * n_answered / np.where(n_applicable > 0, n_applicable, 1),
                                np.nan)
    return {
        "score": frame(score),
        "answered": frame((answered.astype(int) @ a).round().astype(int)),
        "applicable": frame((applicable.astype(int) @ a).round().astype(int)),
        "overall": pd.Series(overall, index=points.index),
        "completeness": pd.Series(completeness, index=points.index),
    }


def score(checklist: Checklist | str, responses: pd.DataFrame | str | Path, meta: dict | None = None, *,
          source: str | Path | None = None) -> Assessment:
    """Score one office. ``responses`` is a frame from :func:`read_responses` or a path to a file."""
    if isinstance(responses, (str, Path)):
        source = source or responses
        file_meta, responses = read_responses(responses, checklist)
        meta = {**file_meta, **(meta or {})}
    cl = load_checklist(checklist)
    meta = dict(meta or {})
    q = cl.questions.merge(responses[COLUMNS], on="id", how="left", validate="one_to_one")
    for col in ("evidence", "notes", "owner", "due"):
        q[col] = q[col].astype("object").where(q[col].notna(), "")
    q["answer"] = q["answer"].astype("object").where(q["answer"].notna(), None)
    q["points"] = answer_points(q["answer"], cl.scale)
    q["applicable"] = q["answer"] != NA
    q["answered"] = q["applicable"] & q["answer"].notna()

    one = pd.Index(["office"])
    rolled = rollup(cl, pd.DataFrame([q["points"].to_numpy()], index=one, columns=q["id"]),
                    pd.DataFrame([(~q["applicable"]).to_numpy()], index=one, columns=q["id"]))
    clauses = cl.clauses[["clause", "parent", "level", "top", "order", "is_leaf", "title_en", "title_zh"]].copy()
    clauses["score"] = rolled["score"].iloc[0].to_numpy()
    clauses["answered"] = rolled["answered"].iloc[0].to_numpy()
    clauses["applicable"] = rolled["applicable"].iloc[0].to_numpy()
    clauses["questions"] = cl.incidence.sum(axis=0).round().astype(int).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        clauses["completeness"] = np.where(clauses["applicable"] > 0,
                                           100.0 * clauses["answered"] / clauses["applicable"].clip(lower=1), np.nan)
    overall = _float_or_none(rolled["overall"].iloc[0])
    completeness = _float_or_none(rolled["completeness"].iloc[0])

    clause_order = cl.clauses.set_index("clause")["order"]
    gaps = rank_gaps(q, clause_order)
    # reasons name the clauses of major gaps in document order (reads like the standard's contents)
    majors = gaps[gaps["severity"] == "major"]
    major_clauses = majors["clause"].iloc[majors["clause"].map(clause_order).argsort(kind="stable")].tolist()
    band, reasons = readiness_verdict(overall, completeness, major_clauses, cl.thresholds)

    warnings_ = [f"question '{r.id}' is n/a without a justification in the notes"
                 for r in q[(q["answer"] == NA) & (q["notes"] == "")].itertuples()]
    kpis, kpi_findings = evaluate_kpis(cl, meta.get("kpis"))  # KPI targets: findings, never scores
    return Assessment(
        checklist=cl, meta=meta, source=str(source) if source else None, kpis=kpis, kpi_findings=kpi_findings,
        questions=q, clauses=clauses, gaps=gaps, overall=overall, completeness=completeness,
        readiness=band, readiness_reasons=reasons,
        unanswered=q.loc[q["applicable"] & ~q["answered"], "id"].tolist(),
        unsupported=q.loc[q["answered"] & (q["points"] >= 1) & (q["evidence"] == ""), "id"].tolist(),
        warnings=warnings_,
    )


def _float_or_none(value) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


@dataclass
class ManyScores:
    """Scores of many offices: ``offices`` one row per office, ``clauses`` tidy office × clause rows."""
    offices: pd.DataFrame
    clauses: pd.DataFrame

    def matrix(self, level: int | None = None) -> pd.DataFrame:
        """Wide office × clause score table (optionally only clauses of one tree level)."""
        long = self.clauses if level is None else self.clauses[self.clauses["level"] == level]
        order = list(dict.fromkeys(long["clause"]))
        return long.pivot(index="office", columns="clause", values="score")[order]


def score_many(checklist: Checklist | str, tidy: pd.DataFrame) -> ManyScores:
    """Score N offices at once from a tidy frame with columns office, id, answer (raw or canonical).

    Vectorized: one normalisation pass, one pivot and a few matrix products; no loop per office.
    """
    cl = load_checklist(checklist)
    canon, invalid = normalize_answers(tidy["answer"], cl.scale)
    if invalid.any():
        bad = tidy[invalid].iloc[0]
        raise ResponsesError(f"office '{bad['office']}', question '{bad['id']}': answer {bad['answer']!r} "
                             f"is not allowed; allowed: {ALLOWED_TEXT[cl.scale]}")
    unknown = ~tidy["id"].isin(cl.questions["id"])
    if unknown.any():
        bad = tidy[unknown].iloc[0]
        raise ResponsesError(f"office '{bad['office']}': question id '{bad['id']}' is not in checklist {cl.id}")
    # Scatter answers into office × question matrices (codes instead of a pivot: no reshaping cost).
    office_codes, office_names = pd.factorize(tidy["office"])
    q_codes = pd.Index(cl.questions["id"]).get_indexer(tidy["id"])
    flat = office_codes.astype(np.int64) * len(cl.questions) + q_codes
    if pd.Series(flat).duplicated().any():
        bad = tidy[pd.Series(flat).duplicated().to_numpy()].iloc[0]
        raise ResponsesError(f"office '{bad['office']}': question id '{bad['id']}' appears twice")
    offices = pd.Index(office_names, name="office")
    ids = pd.Index(cl.questions["id"], name="id")
    p = np.full((len(offices), len(ids)), np.nan)
    p[office_codes, q_codes] = answer_points(canon, cl.scale).to_numpy()
    na_m = np.zeros((len(offices), len(ids)), dtype=bool)
    na_m[office_codes, q_codes] = (canon == NA).to_numpy()
    points = pd.DataFrame(p, index=offices, columns=ids)
    na = pd.DataFrame(na_m, index=offices, columns=ids)
    rolled = rollup(cl, points, na)

    crit = cl.questions["critical"].to_numpy()
    p = points.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        n_major = ((p == 0) & crit).sum(axis=1)
        n_minor = (((p > 0) & (p < 1) & crit) | ((p == 0) & ~crit)).sum(axis=1)
        n_obs = ((p > 0) & (p < 1) & ~crit).sum(axis=1)
    summary = pd.DataFrame({
        "overall": rolled["overall"], "completeness": rolled["completeness"],
        "major": n_major, "minor": n_minor, "observation": n_obs,
    }, index=offices)
    summary["readiness"] = readiness_bands(summary["overall"], summary["completeness"], summary["major"],
                                           cl.thresholds)
    meta = cl.clauses.set_index("clause")[["level", "title_en"]]
    clauses = (rolled["score"].stack(future_stack=True).rename("score").to_frame()
               .join(rolled["answered"].stack().rename("answered"))
               .join(rolled["applicable"].stack().rename("applicable"))
               .reset_index())
    clauses = clauses.join(meta, on="clause")
    return ManyScores(offices=summary.reset_index(), clauses=clauses)
