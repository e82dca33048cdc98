"""Scoring: responses → question points → clause scores (matrix roll-up) → overall, readiness, gaps.

score = 100 × Σ wᵢpᵢ / Σ wᵢ over the answered, applicable questions beneath a node (null when none);
completeness = 100 × answered / applicable. Full precision everywhere; rounding is for display only.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from qmskit.checklist.loader import Checklist, load_checklist
from qmskit.core.assessment import Assessment
from qmskit.core.exclusions import apply_exclusions, parse_excluded_clauses
from qmskit.core.gaps import classify_gaps, rank_gaps
from qmskit.core.kpis import evaluate_kpis
from qmskit.core.model import RESPONSE_COLUMNS, TOL, Severity
from qmskit.core.readiness import ReadinessFacts, readiness_series, readiness_verdict
from qmskit.core.scales import ALLOWED_TEXT, NA, answer_points, normalize_answers
from qmskit.errors import ResponsesError


def rollup(cl: Checklist, points: pd.DataFrame, not_applicable: pd.DataFrame) -> dict[str, pd.DataFrame | pd.Series]:
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
        from qmskit.io.responses import read_responses  # the file edge, only for the path form

        file_meta, responses = read_responses(responses, checklist)
        meta = {**file_meta, **(meta or {})}
    cl = load_checklist(checklist)
    meta = dict(meta or {})
    exclusions = excluded_clauses_of(meta)
    responses, exclusion_warnings = apply_exclusions(responses, cl, exclusions)
    q = cl.questions.merge(responses[RESPONSE_COLUMNS], on="id", how="left", validate="one_to_one")
    for col in ("evidence", "notes", "owner", "due"):
        q[col] = q[col].astype("object").where(q[col].notna(), "")
    blank = q["answer"].isna() | (q["answer"].astype("object") == "")  # a frame not from read_responses
    q["answer"] = q["answer"].astype("object").where(~blank, None)
    q["points"] = answer_points(q["answer"], cl.scale)
    q["applicable"] = q["answer"] != NA
    q["answered"] = q["applicable"] & q["answer"].notna()

    one = pd.Index(["office"])
    rolled = rollup(cl, pd.DataFrame([q["points"].to_numpy()], index=one, columns=q["id"]),
                    pd.DataFrame([(~q["applicable"]).to_numpy()], index=one, columns=q["id"]))
    clauses = cl.clauses[["clause", "parent", "level", "top", "order", "is_leaf", "title_en", "title_zh",
                          "title_source"]].copy()
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
    severity, reason = classify_gaps(cl, q["points"].to_numpy(dtype=float)[None, :])
    gaps = rank_gaps(q, clause_order, severity[0], reason[0])
    evidenced = q["evidence"] != ""
    unsupported = q["answered"] & (q["points"] >= 1) & ~evidenced
    key = q["critical"].astype(bool) | q["prerequisite"].astype(bool)
    prereq_missing = q["prerequisite"].astype(bool) & q["applicable"] & ~(q["points"] >= 1)

    def in_document_order(severity_name: str) -> list[str]:
        rows = gaps[gaps["severity"] == severity_name]
        return rows["clause"].iloc[rows["clause"].map(clause_order).argsort(kind="stable")].tolist()

    facts = ReadinessFacts(
        overall=overall, completeness=completeness,
        major_clauses=in_document_order(Severity.MAJOR), minor_clauses=in_document_order(Severity.MINOR),
        prerequisites_missing=q.loc[prereq_missing, "id"].tolist(),
        unsupported_key=q.loc[unsupported & key, "id"].tolist(),
        unsupported=q.loc[unsupported, "id"].tolist())
    band, reasons = readiness_verdict(facts, cl.thresholds)

    warnings_ = [f"question '{r.id}' is n/a without a justification in the notes"
                 for r in q[(q["answer"] == NA) & (q["notes"] == "")].itertuples()] + exclusion_warnings
    kpis, kpi_findings = evaluate_kpis(cl, meta.get("kpis"))  # KPI targets: observations, never scores
    return Assessment(
        checklist=cl, meta=meta, source=str(source) if source else None, kpis=kpis, kpi_findings=kpi_findings,
        questions=q, clauses=clauses, gaps=gaps, overall=overall, completeness=completeness,
        readiness=band, reasons=reasons,
        unanswered=q.loc[q["applicable"] & ~q["answered"], "id"].tolist(),
        unsupported=list(facts.unsupported),
        warnings=warnings_,
    )


def excluded_clauses_of(meta: dict) -> list:
    """The office's exclusions by clause from its metadata (already checked when the file was read)."""
    value = meta.get("excluded_clauses")
    if not value:
        return []
    try:
        return parse_excluded_clauses(value, str(meta.get("exclusions") or ""))
    except ValueError as exc:
        raise ResponsesError(f"excluded_clauses: {exc}") from None


def _float_or_none(value) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


@dataclass
class ManyScores:
    """Scores of many offices: ``offices`` one row per office, ``clauses`` tidy office × clause rows.

    ``offices`` columns: overall, completeness, major, minor, observation (question gaps only),
    kpi_observation (missed KPI targets, counted apart), unsupported, prerequisites_missing, readiness.
    """
    offices: pd.DataFrame
    clauses: pd.DataFrame

    def matrix(self, level: int | None = None) -> pd.DataFrame:
        """Wide office × clause score table (optionally only clauses of one tree level)."""
        long = self.clauses if level is None else self.clauses[self.clauses["level"] == level]
        order = list(dict.fromkeys(long["clause"]))
        return long.pivot(index="office", columns="clause", values="score")[order]


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """(integer codes, distinct values) of a column: a categorical's own codes (no hashing at all),
    else one factorize pass; -1 marks a missing value."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), pd.Index(column.cat.categories, dtype="object")
    codes, uniques = pd.factorize(column.astype("object"), use_na_sentinel=True)
    return codes, pd.Index(uniques, dtype="object")


def _first_row(tidy: pd.DataFrame, mask: np.ndarray) -> pd.Series:
    return tidy.iloc[int(np.flatnonzero(mask)[0])]


def score_many(checklist: Checklist | str, tidy: pd.DataFrame, kpi_values: pd.DataFrame | None = None) -> ManyScores:
    """Score N offices at once from a tidy frame with columns office, id, answer (raw or canonical) and
    optionally ``evidence`` (without it every "yes" counts as evidenced). ``kpi_values`` (office, id,
    value) counts missed KPI targets as observations; they never change scores or bands.

    Vectorized on integer codes: each column is factorized once (categorical columns give their codes
    for free), each distinct answer is parsed once, answers are scattered into office × question
    matrices, the tree roll-up is a few matrix products, and the office × clause table is built straight
    from the matrices; no loop per office and no index joins. Severities, counts and bands are those of :func:`score` (the same
    :func:`classify_gaps` and :func:`readiness_bands`).
    """
    cl = load_checklist(checklist)
    answer_codes, answers = _codes(tidy["answer"])
    canon_u, invalid_u = normalize_answers(pd.Series(answers, dtype="object"), cl.scale)
    invalid = np.append(invalid_u.to_numpy(dtype=bool), False)[answer_codes]
    if invalid.any():
        bad = _first_row(tidy, invalid)
        raise ResponsesError(f"office '{bad['office']}', question '{bad['id']}': answer {bad['answer']!r} "
                             f"is not allowed; allowed: {ALLOWED_TEXT[cl.scale]}")
    id_codes, id_values = _codes(tidy["id"])
    ids = pd.Index(cl.questions["id"], name="id")
    q_of_id = np.append(ids.get_indexer(id_values), -1).astype(np.int32)  # distinct id -> column; -1 unknown
    q_codes = q_of_id[id_codes]
    if (q_codes < 0).any():
        bad = _first_row(tidy, q_codes < 0)
        raise ResponsesError(f"office '{bad['office']}': question id '{bad['id']}' is not in checklist {cl.id}")
    office_codes, office_names = _codes(tidy["office"])
    if isinstance(tidy["office"].dtype, pd.CategoricalDtype):
        # offices in order of first appearance (as factorize gives them); sorted codes that use every
        # category (the usual office-major frame) already are, without a unique pass
        if len(office_codes) and not (np.all(office_codes[1:] >= office_codes[:-1])
                                      and office_codes[0] == 0 and office_codes[-1] == len(office_names) - 1):
            used = np.unique(office_codes, return_index=True)
            order = used[0][np.argsort(used[1])]
            remap = np.full(len(office_names), -1, dtype=np.int64)
            remap[order] = np.arange(len(order))
            office_codes, office_names = remap[office_codes], office_names[order]
    n_off, n_q = len(office_names), len(ids)
    index_type = np.int32 if n_off * n_q < 2**31 else np.int64
    flat = office_codes.astype(index_type) * np.asarray(n_q, dtype=index_type) + q_codes.astype(index_type)
    seen = np.zeros(n_off * n_q, dtype=bool)
    seen[flat] = True
    if int(np.count_nonzero(seen)) != len(flat):  # a cell written twice: an office answered a question twice
        bad = _first_row(tidy, pd.Series(flat).duplicated().to_numpy())
        raise ResponsesError(f"office '{bad['office']}': question id '{bad['id']}' appears twice")
    del seen
    offices = pd.Index(office_names, name="office")
    points_u = np.append(answer_points(canon_u, cl.scale).to_numpy(dtype=float), np.nan)
    na_u = np.append((canon_u == NA).to_numpy(dtype=bool), False)
    p = np.full((n_off, n_q), np.nan)
    na_m = np.zeros((n_off, n_q), dtype=bool)
    step = 1 << 22  # scatter in slices: temporaries stay a few tens of MB whatever the number of offices
    for start in range(0, len(flat), step):
        part, codes_part = flat[start:start + step], answer_codes[start:start + step]
        p.ravel()[part] = points_u[codes_part]
        na_m.ravel()[part] = na_u[codes_part]
    evidenced = np.ones((n_off, n_q), dtype=bool)
    if "evidence" in tidy:
        ev = tidy["evidence"]
        evidenced.ravel()[flat] = (ev.notna() & (ev.astype(str).str.strip() != "")).to_numpy()
    del flat
    points = pd.DataFrame(p, index=offices, columns=ids, copy=False)
    na = pd.DataFrame(na_m, index=offices, columns=ids, copy=False)
    rolled = rollup(cl, points, na)

    severity, _ = classify_gaps(cl, p)
    q = cl.questions
    prereq = q["prerequisite"].to_numpy(dtype=bool)
    key = q["critical"].to_numpy(dtype=bool) | prereq
    with np.errstate(invalid="ignore"):
        met = p >= 1
    unsupported = met & ~evidenced
    summary = pd.DataFrame({
        "overall": rolled["overall"], "completeness": rolled["completeness"],
        "major": (severity == 0).sum(axis=1), "minor": (severity == 1).sum(axis=1),
        "observation": (severity == 2).sum(axis=1),
        "kpi_observation": _missed_kpis(cl, kpi_values, offices),
        "unsupported": unsupported.sum(axis=1),
        "prerequisites_missing": (prereq & ~na_m & ~met).sum(axis=1),
    }, index=offices)
    summary["readiness"] = readiness_series(summary["overall"], summary["completeness"], summary["major"],
                                            summary["minor"], summary["prerequisites_missing"],
                                            (unsupported & key).sum(axis=1), cl.thresholds)
    # the long office × clause table straight from the matrices (office-major, clauses in document order)
    meta = cl.clauses.set_index("clause")[["level", "title_en"]]
    clause_ids = rolled["score"].columns
    n_cl = len(clause_ids)
    clauses = pd.DataFrame({
        "office": np.repeat(offices.to_numpy(dtype=object), n_cl),
        "clause": np.tile(clause_ids.to_numpy(dtype=object), n_off),
        "score": rolled["score"].to_numpy().ravel(),
        "answered": rolled["answered"].to_numpy().ravel(),
        "applicable": rolled["applicable"].to_numpy().ravel(),
        "level": np.tile(meta["level"].reindex(clause_ids).to_numpy(), n_off),
        "title_en": np.tile(meta["title_en"].reindex(clause_ids).to_numpy(dtype=object), n_off),
    })
    return ManyScores(offices=summary.reset_index(), clauses=clauses)


def _missed_kpis(cl: Checklist, kpi_values: pd.DataFrame | None, offices: pd.Index) -> np.ndarray:
    """Missed KPI targets per office (vectorized: one merge with the targets)."""
    if kpi_values is None or not len(kpi_values) or not len(cl.kpis):
        return np.zeros(len(offices), dtype=int)
    merged = kpi_values.merge(cl.kpis[["id", "target", "direction"]], on="id", how="inner")
    value = pd.to_numeric(merged["value"], errors="coerce")
    sign = np.where(merged["direction"] == "lower", -1.0, 1.0)
    with np.errstate(invalid="ignore"):
        missed = value.notna() & (sign * (value - merged["target"].astype(float)) < -TOL)
    counts = merged.loc[missed.to_numpy(), "office"].value_counts()
    return counts.reindex(offices, fill_value=0).to_numpy()


def tidy_answers(assessment: Assessment, key: str | None = None) -> pd.DataFrame:
    """One office's given answers as score_many input rows: office (``key`` or the office's name), id,
    answer, evidence."""
    q = assessment.questions
    given = q[q["answer"].notna()]
    return pd.DataFrame({"office": key or assessment.office, "id": given["id"], "answer": given["answer"],
                         "evidence": given["evidence"]}).reset_index(drop=True)
