"""What scoring needs of a checklist, as numpy arrays, worked out once per checklist.

Scoring one office or a hundred thousand asks the same questions of the checklist every time: weights,
which questions are requirements, critical or prerequisites, which clause each sits in, which questions
lie beneath a clause. :func:`checklist_arrays` answers them once per :class:`Checklist` object (kept as
long as the checklist lives) so a score is array arithmetic only.

Roll-ups use the shape of the tree: questions are listed in document order, so the questions beneath
any clause form one contiguous range. A node's sum is then two ``np.add.reduceat`` passes (questions →
runs of one clause, runs → the nodes of each tree level, whose ranges are disjoint) instead of a dense
product with the question × clause incidence matrix; a checklist whose questions are not in document
order falls back to that product.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from qmskit.checklist.loader import Checklist
from qmskit.core.model import Basis

_CACHE: weakref.WeakKeyDictionary[Checklist, ChecklistArrays] = weakref.WeakKeyDictionary()


@dataclass(eq=False)
class ChecklistArrays:
    """Per-question and per-clause arrays of one checklist (questions and clauses in checklist order)."""
    ids: pd.Index                   # question ids, checklist order
    id_values: np.ndarray           # the same as an object array (for lists of ids)
    clause_of_q: np.ndarray         # each question's own clause (object)
    weight: np.ndarray
    requirement: np.ndarray         # basis is requirement (not practice)
    critical: np.ndarray
    prerequisite: np.ndarray
    na_allowed: np.ndarray
    q_clause_order: np.ndarray      # document order of each question's own clause
    q_order: np.ndarray             # each question's own order
    clause_ids: pd.Index            # every clause node, document order
    clause_order: pd.Series         # clause -> document order
    questions_beneath: np.ndarray   # per clause: number of questions in it or beneath it
    incidence: np.ndarray           # question × clause, 1 where the clause is the question's own or above it
    run_starts: np.ndarray          # first question of each run of questions that share their own clause
    run_of_q: np.ndarray            # each question's run
    run_clause: np.ndarray          # each run's clause (position in clause_ids)
    levels: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None  # per tree level: (clauses, reduceat indices, empty)
    runs_are_clauses: bool          # every clause's own questions form one run: per-run sums are per-clause sums
    _beneath: dict[str, np.ndarray] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict)  # other modules' per-checklist values, by name

    @property
    def n_questions(self) -> int:
        return len(self.ids)

    def beneath(self, clause: str) -> np.ndarray:
        """Questions in ``clause`` or beneath it (bool per question), cached per clause."""
        mask = self._beneath.get(clause)
        if mask is None:
            clauses = self.clause_of_q.astype(str)
            mask = (clauses == clause) | np.char.startswith(clauses, clause + ".")
            self._beneath[clause] = mask
        return mask

    def run_sums(self, x: np.ndarray) -> np.ndarray:
        """Units × runs: the sum of ``x`` (units × questions) over each run of one clause's questions."""
        if x.shape[1] == 0:
            return np.zeros((x.shape[0], 0))
        return np.add.reduceat(x, self.run_starts, axis=1)

    def subtree_sums(self, x: np.ndarray) -> np.ndarray:
        """Units × clauses: the sum of ``x`` (units × questions, float) over every question beneath each
        clause (the clause's own and all its descendants')."""
        if self.levels is None:
            return x @ self.incidence
        runs = self.run_sums(x)
        padded = np.concatenate([runs, np.zeros((runs.shape[0], 1))], axis=1)
        out = np.zeros((x.shape[0], len(self.clause_ids)))
        for clauses, indices, empty in self.levels:
            sums = np.add.reduceat(padded, indices, axis=1)[:, ::2]
            sums[:, empty] = 0.0
            out[:, clauses] = sums
        return out


def checklist_arrays(cl: Checklist) -> ChecklistArrays:
    """The arrays of ``cl``, built on first use and kept while ``cl`` lives."""
    arrays = _CACHE.get(cl)
    if arrays is None:
        arrays = _build(cl)
        _CACHE[cl] = arrays
    return arrays


def _build(cl: Checklist) -> ChecklistArrays:
    q, c = cl.questions, cl.clauses
    clause_ids = pd.Index(c["clause"].astype(object), name="clause")
    clause_order = pd.Series(c["order"].to_numpy(), index=clause_ids)
    col = {clause: i for i, clause in enumerate(clause_ids)}
    clause_of_q = q["clause"].to_numpy(dtype=object)
    own = np.array([col[x] for x in clause_of_q], dtype=np.int64)
    incidence = cl.incidence.to_numpy()
    n = len(q)
    # runs: maximal stretches of consecutive questions with the same own clause
    if n:
        run_starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
    else:
        run_starts = np.zeros(0, dtype=np.int64)
    run_of_q = np.cumsum(np.isin(np.arange(n), run_starts)) - 1 if n else np.zeros(0, dtype=np.int64)
    run_clause = own[run_starts] if n else np.zeros(0, dtype=np.int64)
    return ChecklistArrays(
        ids=pd.Index(q["id"].astype(object), name="id"), id_values=q["id"].to_numpy(dtype=object),
        clause_of_q=clause_of_q, weight=q["weight"].to_numpy(dtype=float),
        requirement=(q["basis"] != Basis.PRACTICE).to_numpy(dtype=bool),
        critical=q["critical"].to_numpy(dtype=bool), prerequisite=q["prerequisite"].to_numpy(dtype=bool),
        na_allowed=q["na_allowed"].to_numpy(dtype=bool),
        q_clause_order=clause_order.reindex(clause_of_q).to_numpy(), q_order=q["order"].to_numpy(),
        clause_ids=clause_ids, clause_order=clause_order,
        questions_beneath=incidence.sum(axis=0).round().astype(np.int64), incidence=incidence,
        run_starts=run_starts, run_of_q=run_of_q, run_clause=run_clause,
        levels=_levels(c, incidence, run_of_q, len(run_starts)),
        runs_are_clauses=len(np.unique(run_clause)) == len(run_clause))


def _levels(clauses: pd.DataFrame, incidence: np.ndarray, run_of_q: np.ndarray, n_runs: int):
    """Per tree level, the clauses of that level and ``np.add.reduceat`` indices over the runs (padded by
    one zero column) whose even results are those clauses' subtree sums; None when some clause's
    questions are not one contiguous range of runs (then roll-ups use the incidence product)."""
    depth = clauses["level"].to_numpy()
    ranges = []
    for j in range(incidence.shape[1]):
        rows = np.flatnonzero(incidence[:, j])
        if len(rows) and rows[-1] - rows[0] + 1 != len(rows):
            return None
        runs = np.unique(run_of_q[rows]) if len(rows) else np.zeros(0, dtype=np.int64)
        if len(runs) and runs[-1] - runs[0] + 1 != len(runs):
            return None
        ranges.append((int(runs[0]), int(runs[-1]) + 1) if len(runs) else None)
    levels = []
    for d in np.unique(depth):
        members = [int(j) for j in np.flatnonzero(depth == d)]
        spans = sorted((ranges[j] or (n_runs, n_runs), j) for j in members)
        last_end = 0
        indices: list[int] = []
        order, empty = [], []
        for (start, end), j in spans:
            if start < last_end:  # overlapping ranges at one level: not a tree in document order
                return None
            indices += [start, end]
            order.append(j)
            empty.append(start == end)
            last_end = max(last_end, end)
        levels.append((np.asarray(order, dtype=np.int64), np.asarray(indices, dtype=np.int64),
                       np.asarray(empty, dtype=bool)))
    return levels
