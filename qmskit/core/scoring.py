"""Scoring: responses → question points → clause scores (matrix roll-up) → overall, readiness, gaps.

score = 100 × Σ wᵢpᵢ / Σ wᵢ over the answered, applicable questions beneath a node (null when none);
completeness = 100 × answered / applicable. Full precision everywhere; rounding is for display only.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from qmskit.checklist.loader import Checklist, load_checklist
from qmskit.core.arrays import ChecklistArrays, checklist_arrays
from qmskit.core.assessment import Assessment
from qmskit.core.exclusions import exclude_answers, named_but_not_excluded, parse_excluded_clauses
from qmskit.core.gaps import classify_gaps, gap_masks, gap_rank_order, ranked_gaps
from qmskit.core.kpis import evaluate_kpis
from qmskit.core.model import SEVERITY_RANK, TOL, Severity
from qmskit.core.readiness import ReadinessFacts, readiness_series, readiness_verdict
from qmskit.core.scales import NA, allowed_answers, answer_points, factorize_answers, normalize_answers
from qmskit.core.values import carried_over
from qmskit.errors import ResponsesError, msg


def rollup(cl: Checklist, points: np.ndarray, not_applicable: np.ndarray) -> dict[str, np.ndarray]:
    """Roll question points up the clause tree for many units (offices) at once.

    ``points``: units × questions, p in 0..1, NaN when unanswered or n/a; ``not_applicable``: units ×
    questions, True where the answer is n/a. Returns units × clause arrays ``score``, ``answered``,
    ``applicable`` (counts) and per-unit ``overall`` and ``completeness`` (NaN where undefined).
    """
    rolled = _rollup(checklist_arrays(cl), np.asarray(points, dtype=float).T, np.asarray(not_applicable).T)
    return {k: v.T for k, v in rolled.items()}


def _rollup(arrays: ChecklistArrays, p: np.ndarray, na: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`rollup` on question-major arrays (questions × units); clause figures come clause-major.

    The four sums every node needs (Σw and Σwp over answered questions, answered and applicable
    counts) are stacked side by side and rolled up in one pass; counts are exact in float64."""
    n_q, units = p.shape
    answered = ~np.isnan(p)
    w = arrays.weight[:, None]
    stack = np.empty((n_q, 4, units))
    np.multiply(answered, w, out=stack[:, 0])
    np.multiply(np.where(answered, p, 0.0), w, out=stack[:, 1])
    stack[:, 2] = answered
    np.logical_not(na, out=stack[:, 3], casting="unsafe")
    sums = arrays.subtree_sums(stack.reshape(n_q, 4 * units)).reshape(-1, 4, units)
    sw, swp = sums[:, 0], sums[:, 1]
    total_w, total_wp = stack[:, 0].sum(axis=0), stack[:, 1].sum(axis=0)
    n_answered, n_applicable = stack[:, 2].sum(axis=0), stack[:, 3].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(sw > 0, 100.0 * swp / np.where(sw > 0, sw, 1), np.nan)
        overall = np.where(total_w > 0, 100.0 * total_wp / np.where(total_w > 0, total_w, 1), np.nan)
        completeness = np.where(n_applicable > 0, 100.0 * n_answered / np.where(n_applicable > 0, n_applicable, 1),
                                np.nan)
    return {
        "score": score,
        "answered": np.rint(sums[:, 2]).astype(np.int32),
        "applicable": np.rint(sums[:, 3]).astype(np.int32),
        "overall": overall,
        "completeness": completeness,
    }


_TEXT_COLUMNS = ("evidence", "notes", "owner", "due")


def _by_question(arrays: ChecklistArrays, responses: pd.DataFrame) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The responses' columns as arrays in checklist order (one entry per question): answer (None where
    blank or absent) and the text columns ("" where absent); rows for unknown ids are left out."""
    pos = arrays.ids.get_indexer(pd.Index(responses["id"], dtype=object)) if len(responses) else np.zeros(0, dtype=np.int64)
    hit = pos >= 0
    taken = pos[hit]
    if len(np.unique(taken)) != len(taken):
        dup = responses["id"][hit][pd.Series(taken).duplicated().to_numpy()].iloc[0]
        raise ResponsesError(msg("scoring.id_twice", id=dup))
    n = arrays.n_questions
    out: dict[str, np.ndarray] = {}
    for col in ("answer", *_TEXT_COLUMNS):
        values = np.full(n, None if col == "answer" else "", dtype=object)
        if col in responses:
            values[taken] = responses[col].to_numpy(dtype=object)[hit]
        blank = pd.isna(values)
        if col == "answer":
            blank |= values == ""  # a frame not from read_responses
            values[blank] = None
        else:
            values[blank] = ""
        out[col] = values
    return out, taken


def score(checklist: Checklist | str, responses: pd.DataFrame | str | Path, meta: dict | None = None, *,
          source: str | Path | None = None, reverify_marks: Iterable[str] = ()) -> Assessment:
    """Score one office. ``responses`` is a frame from :func:`read_responses` or a path to a file.

    Array arithmetic over the checklist's cached arrays (:mod:`qmskit.core.arrays`): the office's answers
    are put in checklist order once, and points, roll-up, gaps and the verdict are computed on them with
    the same functions :func:`score_many` uses for many offices.
    """
    if isinstance(responses, (str, Path)):
        source = source or responses
        from qmskit.io.responses import evidence_marks, read_responses  # the file edge, only for the path form

        file_meta, responses = read_responses(responses, checklist)
        reverify_marks = tuple(reverify_marks) or evidence_marks()
        meta = {**file_meta, **(meta or {})}
    cl = load_checklist(checklist)
    arrays = checklist_arrays(cl)
    meta = dict(meta or {})
    given, _ = _by_question(arrays, responses)
    answer, notes = given["answer"], given["notes"]
    excluded_by = np.full(len(answer), None, dtype=object)  # the excluded clause that made an answer n/a
    exclusions = excluded_clauses_of(meta)
    exclusion_warnings = exclude_answers(cl, answer, notes, exclusions, excluded_by)
    exclusion_warnings += named_but_not_excluded(cl, str(meta.get("exclusions") or ""), exclusions, answer)
    points = answer_points(pd.Series(answer, dtype=object), cl.scale).to_numpy(dtype=float)
    applicable = answer != NA
    answered = applicable & ~pd.isna(answer)

    q = cl.questions.copy(deep=False)
    for col in ("answer", *_TEXT_COLUMNS):
        q[col] = pd.Series(given[col], index=q.index, dtype=object)  # object: None stays None, not NaN
    q["excluded_by"] = pd.Series(excluded_by, index=q.index, dtype=object)
    # evidence still only carried over from the previous assessment (re-verify mark) was not seen this time
    carried = carried_over(given["evidence"], reverify_marks)
    q["evidence_carried"] = carried
    q["points"] = points
    q["applicable"] = applicable
    q["answered"] = answered

    rolled = _rollup(arrays, points[:, None], ~applicable[:, None])
    clauses = _clause_frame(cl, arrays)
    clauses["score"] = rolled["score"][:, 0]
    clauses["answered"] = rolled["answered"][:, 0].astype(np.int64)
    clauses["applicable"] = rolled["applicable"][:, 0].astype(np.int64)
    clauses["questions"] = arrays.questions_beneath
    with np.errstate(invalid="ignore", divide="ignore"):
        clauses["completeness"] = np.where(clauses["applicable"] > 0,
                                           100.0 * clauses["answered"] / clauses["applicable"].clip(lower=1), np.nan)
    overall = _float_or_none(rolled["overall"][0])
    completeness = _float_or_none(rolled["completeness"][0])

    severity, reason = classify_gaps(cl, points[None, :])
    severity, reason = severity[0], reason[0]
    gaps = ranked_gaps(q, arrays.q_clause_order, severity, reason)
    evidenced = (given["evidence"] != "") & ~carried
    with np.errstate(invalid="ignore"):
        met = points >= 1
    unsupported = answered & met & ~evidenced
    key = arrays.critical | arrays.prerequisite
    prereq_missing = arrays.prerequisite & applicable & ~met
    ranked, _ = gap_rank_order(arrays.weight, points, answered, arrays.q_clause_order, arrays.q_order, severity)

    def in_document_order(code: int) -> list[str]:
        """The clause of each gap of one severity, in clause document order (rank order among equals)."""
        rows = ranked[severity[ranked] == code]
        return arrays.clause_of_q[rows[np.argsort(arrays.q_clause_order[rows], kind="stable")]].tolist()

    ids = arrays.id_values
    facts = ReadinessFacts(
        overall=overall, completeness=completeness,
        major_clauses=in_document_order(SEVERITY_RANK[Severity.MAJOR]),
        minor_clauses=in_document_order(SEVERITY_RANK[Severity.MINOR]),
        prerequisites_missing=ids[prereq_missing].tolist(),
        unsupported_key=ids[unsupported & key].tolist(),
        unsupported=ids[unsupported].tolist(),
        carried=ids[unsupported & carried].tolist())
    band, reasons = readiness_verdict(facts, cl.thresholds)

    unjustified = ~applicable & (notes == "") & pd.isna(excluded_by)  # an exclusion is its justification
    # the key is the warning's code (core.model.NA_UNJUSTIFIED): the report finds these by it
    warnings_ = [msg("scoring.na_unjustified", id=qid) for qid in ids[unjustified]] + exclusion_warnings
    kpis, kpi_findings = evaluate_kpis(cl, meta.get("kpis"))  # KPI targets: observations, never scores
    return Assessment(
        checklist=cl, meta=meta, source=str(source) if source else None, kpis=kpis, kpi_findings=kpi_findings,
        questions=q, clauses=clauses, gaps=gaps, overall=overall, completeness=completeness,
        readiness=band, reasons=reasons,
        unanswered=ids[applicable & ~answered].tolist(),
        unsupported=list(facts.unsupported),
        warnings=warnings_,
    )


_CLAUSE_COLUMNS = ["clause", "parent", "level", "top", "order", "is_leaf", "title_en", "title_zh", "title_source"]


def _clause_frame(cl: Checklist, arrays: ChecklistArrays) -> pd.DataFrame:
    """The clause columns an Assessment shows, a fresh frame each time (built from a cached one)."""
    if "clause_frame" not in arrays.derived:
        arrays.derived["clause_frame"] = cl.clauses[_CLAUSE_COLUMNS].copy()
    return arrays.derived["clause_frame"].copy(deep=False)


def excluded_clauses_of(meta: dict) -> list:
    """The office's exclusions by clause from its metadata (already checked when the file was read)."""
    value = meta.get("excluded_clauses")
    if not value:
        return []
    try:
        return parse_excluded_clauses(value, str(meta.get("exclusions") or ""))
    except ValueError as exc:
        raise ResponsesError(msg("responses.excluded_clauses", problem=exc.args[0])) from None


def _float_or_none(value) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


@dataclass(eq=False)
class ManyScores:
    """Scores of many offices: ``offices`` one row per office, ``clauses`` tidy office × clause rows.

    ``offices`` columns: overall, completeness, major, minor, observation (question gaps only),
    kpi_observation (missed KPI targets, counted apart), unsupported, prerequisites_missing, readiness.
    The office × clause figures are held as matrices (``scores``, office × clause, offices in the order
    of ``offices``); the tidy ``clauses`` table (office-major, clauses in document order) is built from
    them the first time it is asked for: at 100,000 offices it is 9 million rows, which
    :meth:`matrix` and most callers never need.
    """
    offices: pd.DataFrame
    scores: pd.DataFrame
    answered: np.ndarray
    applicable: np.ndarray
    clause_meta: pd.DataFrame  # level, title_en per clause, in the order of the scores' columns

    @cached_property
    def clauses(self) -> pd.DataFrame:
        offices, clause_ids = self.scores.index, self.scores.columns
        n_off, n_cl = len(offices), len(clause_ids)
        return pd.DataFrame({
            "office": np.repeat(offices.to_numpy(dtype=object), n_cl),
            "clause": np.tile(clause_ids.to_numpy(dtype=object), n_off),
            "score": self.scores.to_numpy().ravel(),
            "answered": self.answered.ravel().astype(np.int64),
            "applicable": self.applicable.ravel().astype(np.int64),
            "level": np.tile(self.clause_meta["level"].to_numpy(dtype=np.int64), n_off),
            "title_en": np.tile(self.clause_meta["title_en"].to_numpy(dtype=object), n_off),
        })

    def matrix(self, level: int | None = None) -> pd.DataFrame:
        """Wide office × clause score table (optionally only clauses of one tree level), offices sorted by
        name (as a pivot of the tidy table gives them)."""
        keep = np.ones(len(self.clause_meta), dtype=bool) if level is None else \
            (self.clause_meta["level"] == level).to_numpy()
        offices = self.scores.index
        order = np.argsort(offices.to_numpy(dtype=object), kind="stable")
        return pd.DataFrame(self.scores.to_numpy()[np.ix_(order, np.flatnonzero(keep))],
                            index=pd.Index(offices.to_numpy(dtype=object)[order], name="office"),
                            columns=pd.Index(self.scores.columns[keep].to_numpy(dtype=object), name="clause"))


def _codes(column: pd.Series, *, answers: bool = False) -> tuple[np.ndarray, pd.Index]:
    """(integer codes, distinct values) of a column: a categorical's own codes (no hashing at all),
    else one factorize pass; -1 marks a missing value. ``answers``: booleans kept apart from the numbers
    they equal (scales.factorize_answers), so a TRUE is never scored as level 1."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return np.asarray(column.array.codes), pd.Index(column.cat.categories, dtype="object")
    codes, uniques = (factorize_answers(column) if answers
                      else pd.factorize(column.astype("object"), use_na_sentinel=True))
    return codes, pd.Index(uniques, dtype="object")


def _first_row(tidy: pd.DataFrame, mask: np.ndarray) -> pd.Series:
    return tidy.iloc[int(np.flatnonzero(mask)[0])]


_ROWS = 1 << 22     # tidy rows scattered at a time: temporaries of a few tens of MB whatever the input
_CELLS = 1 << 19    # office × question cells scored at a time (a block of offices)


def score_many(checklist: Checklist | str, tidy: pd.DataFrame, kpi_values: pd.DataFrame | None = None, *,
               reverify_marks: Iterable[str] = ()) -> ManyScores:
    """Score N offices at once from a tidy frame with columns office, id, answer (raw or canonical) and
    optionally ``evidence`` (without it every "yes" counts as evidenced; evidence starting with one of
    ``reverify_marks`` is carried over, not seen, as in :func:`score`). ``kpi_values`` (office, id,
    value) counts missed KPI targets as observations; they never change scores or bands.

    On integer codes throughout: each column is factorized once (categorical columns give their codes
    for free), each distinct answer is parsed once, the answers' codes are scattered into one small
    office × question code matrix, and offices are then scored in blocks (points, tree roll-up, gaps,
    counts) with the very functions :func:`score` uses (:func:`rollup`, :func:`classify_gaps`,
    :func:`readiness_bands`); no loop per office and no index joins. Memory: the code matrix (1–2 bytes
    per cell), the office × clause results, and one block's temporaries.
    """
    cl = load_checklist(checklist)
    arrays = checklist_arrays(cl)
    answer_codes, answers = _codes(tidy["answer"], answers=True)
    canon_u, invalid_u = normalize_answers(pd.Series(answers, dtype="object"), cl.scale)
    if invalid_u.any():
        invalid = np.append(invalid_u.to_numpy(dtype=bool), False)[answer_codes]
        bad = _first_row(tidy, invalid)
        q = arrays.ids.get_indexer(pd.Index([bad["id"]]))[0]
        na_ok = q < 0 or bool(arrays.na_allowed[q])
        raise ResponsesError(msg("scoring.office_bad_answer", office=bad["office"], id=bad["id"], answer=bad["answer"],
                                 allowed=allowed_answers(cl.scale, na_ok)))
    id_codes, id_values = _codes(tidy["id"])
    q_of_id = np.append(arrays.ids.get_indexer(id_values), -1).astype(np.int32)  # distinct id -> column; -1 unknown
    if (q_of_id[:-1] < 0).any():
        unknown = q_of_id[id_codes] < 0
        if unknown.any():
            bad = _first_row(tidy, unknown)
            raise ResponsesError(msg("scoring.office_unknown_id", office=bad["office"], id=bad["id"], checklist=cl.id))
    if (id_codes < 0).any():
        bad = _first_row(tidy, id_codes < 0)
        raise ResponsesError(msg("scoring.office_unknown_id", office=bad["office"], id=bad["id"], checklist=cl.id))
    office_codes, office_names = _office_codes(tidy["office"])
    n_off, n_q, n_u = len(office_names), arrays.n_questions, len(answers)

    # each cell holds the code of its distinct answer; n_u marks a row with a missing answer, n_u + 1 a
    # cell no row wrote (both unanswered)
    code_type = np.int8 if n_u + 2 < 2**7 else np.int16 if n_u + 2 < 2**15 else np.int32
    cells = np.full((n_off, n_q), n_u + 1, dtype=code_type)
    flat_cells = cells.reshape(-1)
    evidenced = np.ones((n_off, n_q), dtype=bool) if "evidence" in tidy else None
    if evidenced is not None:
        ev_codes, ev_values = _codes(tidy["evidence"])
        ev_text = pd.Series(ev_values, dtype=object)
        ev_seen = (ev_text.notna() & (ev_text.astype(str).str.strip() != "")).to_numpy(dtype=bool)
        ev_given = np.append(ev_seen & ~carried_over(ev_text.to_numpy(dtype=object), reverify_marks), False)
    for start in range(0, len(tidy), _ROWS):
        stop = start + _ROWS
        flat = office_codes[start:stop].astype(np.int64) * n_q + q_of_id[id_codes[start:stop]]
        part = answer_codes[start:stop]
        flat_cells[flat] = np.where(part < 0, n_u, part).astype(code_type)
        if evidenced is not None:
            evidenced.reshape(-1)[flat] = ev_given[ev_codes[start:stop]]
    if np.count_nonzero(flat_cells != n_u + 1) != len(tidy):  # a cell written twice: a question answered twice
        flat = office_codes.astype(np.int64) * n_q + q_of_id[id_codes]
        bad = _first_row(tidy, pd.Series(flat).duplicated().to_numpy())
        raise ResponsesError(msg("scoring.office_id_twice", office=bad["office"], id=bad["id"]))

    points_u = np.append(answer_points(canon_u, cl.scale).to_numpy(dtype=float), [np.nan, np.nan])
    na_u = np.append((canon_u == NA).to_numpy(dtype=bool), [False, False])
    n_cl = len(arrays.clause_ids)
    scores = np.empty((n_off, n_cl))
    count_type = np.int16 if n_q < 2**15 else np.int32
    answered_n, applicable_n = np.empty((n_off, n_cl), dtype=count_type), np.empty((n_off, n_cl), dtype=count_type)
    per_office = {k: np.empty(n_off) for k in ("overall", "completeness")}
    counts = {k: np.empty(n_off, dtype=np.int64) for k in ("major", "minor", "observation", "unsupported",
                                                            "prerequisites_missing", "unsupported_key")}
    prereq = arrays.prerequisite
    key = arrays.critical | prereq
    block = max(1, _CELLS // max(n_q, 1))
    for lo in range(0, n_off, block):
        hi = min(n_off, lo + block)
        codes = cells[lo:hi].T  # question-major: each question's answers in one contiguous row
        p, na = points_u[codes], na_u[codes]
        rolled = _rollup(arrays, p, na)
        scores[lo:hi] = rolled["score"].T
        answered_n[lo:hi], applicable_n[lo:hi] = rolled["answered"].T, rolled["applicable"].T
        per_office["overall"][lo:hi], per_office["completeness"][lo:hi] = rolled["overall"], rolled["completeness"]
        gaps = gap_masks(arrays, p)
        counts["major"][lo:hi] = np.count_nonzero(gaps.major, axis=0)
        counts["minor"][lo:hi] = np.count_nonzero(gaps.minor, axis=0)
        counts["observation"][lo:hi] = np.count_nonzero(gaps.observation, axis=0)
        with np.errstate(invalid="ignore"):
            met = p >= 1
        if evidenced is not None:
            unsupported = met & ~evidenced[lo:hi].T
            counts["unsupported"][lo:hi] = np.count_nonzero(unsupported, axis=0)
            counts["unsupported_key"][lo:hi] = np.count_nonzero(unsupported & key[:, None], axis=0)
        else:
            counts["unsupported"][lo:hi] = counts["unsupported_key"][lo:hi] = 0
        counts["prerequisites_missing"][lo:hi] = np.count_nonzero(prereq[:, None] & ~na & ~met, axis=0)
    del cells, evidenced

    offices = pd.Index(office_names, name="office")
    summary = pd.DataFrame({
        "overall": per_office["overall"], "completeness": per_office["completeness"],
        "major": counts["major"], "minor": counts["minor"], "observation": counts["observation"],
        "kpi_observation": _missed_kpis(cl, kpi_values, offices),
        "unsupported": counts["unsupported"], "prerequisites_missing": counts["prerequisites_missing"],
    }, index=offices)
    summary["readiness"] = readiness_series(summary["overall"], summary["completeness"], summary["major"],
                                            summary["minor"], summary["prerequisites_missing"],
                                            counts["unsupported_key"], cl.thresholds)
    meta = cl.clauses.set_index("clause")[["level", "title_en"]].reindex(arrays.clause_ids)
    return ManyScores(offices=summary.reset_index(),
                      scores=pd.DataFrame(scores, index=offices, columns=arrays.clause_ids, copy=False),
                      answered=answered_n, applicable=applicable_n, clause_meta=meta)


def _office_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Office codes numbered in order of first appearance (as factorize gives them)."""
    office_codes, office_names = _codes(column)
    if isinstance(column.dtype, pd.CategoricalDtype) and len(office_codes):
        # sorted codes that use every category (the usual office-major frame) already are, without a
        # unique pass
        if not (office_codes[0] == 0 and office_codes[-1] == len(office_names) - 1
                and np.all(office_codes[1:] >= office_codes[:-1])):
            used = np.unique(office_codes, return_index=True)
            order = used[0][np.argsort(used[1])]
            remap = np.full(len(office_names), -1, dtype=np.int64)
            remap[order] = np.arange(len(order))
            office_codes, office_names = remap[office_codes], office_names[order]
    return office_codes, office_names


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
