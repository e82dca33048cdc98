"""What scoring needs of a checklist, as numpy arrays, worked out once per checklist.

Scoring one office or a hundred thousand asks the same questions of the checklist every time: weights,
which questions are requirements, critical or prerequisites, which clause each sits in, which questions
lie beneath a clause. :func:`checklist_arrays` answers them once per :class:`Checklist` object (kept as
long as the checklist lives) so a score is array arithmetic only.

Arrays of many units (offices) are question-major here (questions × units), so a sum over questions
adds whole contiguous rows. Roll-ups use the shape of the tree: questions are listed in document
order, so the questions beneath any clause are one contiguous range of rows. For many units a node's
sum is then a sum of consecutive rows, in two steps (questions → runs of one clause's questions; runs
→ every node above them), one ``np.add.reduce`` per run and per node, each over all units at once
(numpy's ``reduceat`` along that axis is ~20× slower than this); for a handful of units, or a
checklist whose questions are out of document order, it is the dense product with the question ×
clause incidence matrix.
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
    leaf_incidence: np.ndarray      # question × clause, 1 at the question's own clause
    run_bounds: np.ndarray          # (first, end) question of each run of questions sharing their own clause
    run_of_q: np.ndarray            # each question's run
    node_runs: np.ndarray | None    # (first, end) run beneath each clause; None: not in document order
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
            # a few hundred questions: plain str methods (np.char costs an import of numpy.char per process)
            prefix = clause + "."
            mask = np.fromiter((c == clause or c.startswith(prefix) for c in map(str, self.clause_of_q)),
                               dtype=bool, count=len(self.clause_of_q))
            self._beneath[clause] = mask
        return mask

    def run_sums(self, x: np.ndarray, dtype=float) -> np.ndarray:
        """Runs × units: the sum of ``x`` (questions × units) over each run of one clause's questions."""
        out = np.empty((len(self.run_bounds), x.shape[1]), dtype=dtype)
        for i, (first, end) in enumerate(self.run_bounds):
            np.add.reduce(x[first:end], axis=0, out=out[i], dtype=dtype)
        return out

    def subtree_sums(self, x: np.ndarray) -> np.ndarray:
        """Clauses × units: the sum of ``x`` (questions × units) over every question beneath each clause
        (the clause's own and all its descendants')."""
        if self.node_runs is None or x.shape[1] < _FEW_UNITS:
            return self.incidence.T @ x
        runs = self.run_sums(x)
        out = np.zeros((len(self.clause_ids), x.shape[1]))
        for j, (first, end) in enumerate(self.node_runs):
            if end > first:
                np.add.reduce(runs[first:end], axis=0, out=out[j])
        return out


_FEW_UNITS = 16  # fewer units than this: one small matrix product costs less than a reduce per node


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
    starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]]) if n else np.zeros(0, dtype=np.int64)
    run_bounds = np.column_stack([starts, np.r_[starts[1:], n]]).astype(np.int64) if n else \
        np.zeros((0, 2), dtype=np.int64)
    run_of_q = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n])) if n else np.zeros(0, dtype=np.int64)
    run_clause = own[starts] if n else np.zeros(0, dtype=np.int64)
    return ChecklistArrays(
        ids=pd.Index(q["id"].astype(object), name="id"), id_values=q["id"].to_numpy(dtype=object),
        clause_of_q=clause_of_q, weight=q["weight"].to_numpy(dtype=float),
        requirement=(q["basis"] != Basis.PRACTICE).to_numpy(dtype=bool),
        critical=q["critical"].to_numpy(dtype=bool), prerequisite=q["prerequisite"].to_numpy(dtype=bool),
        na_allowed=q["na_allowed"].to_numpy(dtype=bool),
        q_clause_order=clause_order.reindex(clause_of_q).to_numpy(), q_order=q["order"].to_numpy(),
        clause_ids=clause_ids, clause_order=clause_order,
        questions_beneath=incidence.sum(axis=0).round().astype(np.int64), incidence=incidence,
        leaf_incidence=cl.leaf_incidence,
        run_bounds=run_bounds, run_of_q=run_of_q, node_runs=_node_runs(incidence, run_of_q),
        runs_are_clauses=len(np.unique(run_clause)) == len(run_clause))


def _node_runs(incidence: np.ndarray, run_of_q: np.ndarray) -> np.ndarray | None:
    """(first, end) run beneath each clause, or None when some clause's questions are not one contiguous
    range of rows (questions out of document order: roll-ups then use the incidence product)."""
    bounds = np.zeros((incidence.shape[1], 2), dtype=np.int64)
    for j in range(incidence.shape[1]):
        rows = np.flatnonzero(incidence[:, j])
        if not len(rows):
            continue
        if rows[-1] - rows[0] + 1 != len(rows):
            return None
        bounds[j] = run_of_q[rows[0]], run_of_q[rows[-1]] + 1
    return bounds
