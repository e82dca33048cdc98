"""The warm kernel's checklist fingerprint (qmskit.jupyter.kernelstate): taken at every reset, it must
notice any change a notebook makes to a cached checklist and nothing else."""
from __future__ import annotations

import copy

from qmskit.checklist.loader import load_checklist
from qmskit.jupyter.kernelstate import _fingerprint


def _fresh():
    return copy.deepcopy(load_checklist("iso9001-2015"))


def test_reading_a_checklist_leaves_its_fingerprint_alone():
    cl = _fresh()
    before = _fingerprint(cl)
    cl.questions.to_numpy()            # reads that may consolidate pandas blocks
    cl.questions.sum(numeric_only=True)
    cl.clauses[cl.clauses["level"] == 1]
    assert _fingerprint(cl) == before == _fingerprint(_fresh())


def test_every_kind_of_change_changes_the_fingerprint():
    base = _fingerprint(_fresh())
    cl = _fresh()
    cl.questions.loc[cl.questions.index[0], "weight"] = 99
    assert _fingerprint(cl) != base
    cl = _fresh()
    cl.questions.loc[cl.questions.index[3], "text_en"] = "changed"
    assert _fingerprint(cl) != base
    cl = _fresh()
    cl.questions["extra"] = 1
    assert _fingerprint(cl) != base
    cl = _fresh()
    cl.clauses.index = cl.clauses.index + 1   # the frame itself, in place
    assert _fingerprint(cl) != base
    cl = _fresh()
    cl.title["en"] = "other"            # a frozen dataclass still holds mutable dicts
    assert _fingerprint(cl) != base
    cl = _fresh()
    cl.thresholds[next(iter(cl.thresholds))] = -1
    assert _fingerprint(cl) != base
