"""Unsaved copies never overwrite each other.

Before: two sessions (two notebooks on one file, or two kernels) that kept their edits beside it in the
same second both wrote ``<stem>.unsaved-<second>.xlsx``: the second copy was saved *into* the first (an
in-place update), blanking every edit the first held that the second did not (a .yaml copy was replaced
whole). Failed before.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import qmskit.forms.session as session_module
from qmskit.forms.session import ResponsesSession
from qmskit.io.responses import read_responses, write_responses

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"


class _FrozenClock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2026, 12, 2, 0, 40, 5)


@pytest.mark.parametrize("suffix", [".xlsx", ".yaml"])
def test_two_copies_saved_in_the_same_second_keep_both_sets_of_edits(tmp_path, monkeypatch, suffix):
    path = tmp_path / f"office{suffix}"
    write_responses(path, {"office": "Riverside"}, pd.DataFrame([{"id": "5-a", "answer": "no"}]), MINI)
    monkeypatch.setattr(session_module.dt, "datetime", _FrozenClock)
    first = ResponsesSession(path, MINI, debounce=3600, max_delay=3600)
    second = ResponsesSession(path, MINI, debounce=3600, max_delay=3600)
    first.set("4.1-a", "evidence", "typed in the first notebook")
    second.set("4.2-a", "notes", "typed in the second notebook")
    copies = [first.save_copy(), second.save_copy()]
    assert [c.name for c in copies] == [f"office.unsaved-20261202-004005{suffix}",
                                        f"office.unsaved-20261202-004005-2{suffix}"]
    one, two = (read_responses(c, MINI)[1].set_index("id") for c in copies)
    assert one.at["4.1-a", "evidence"] == "typed in the first notebook"
    assert two.at["4.2-a", "notes"] == "typed in the second notebook"
    assert one.at["5-a", "answer"] == two.at["5-a", "answer"] == "no"
    for s in (first, second):  # stopped without close(), which would save into the file (not tested here)
        with s._lock:
            s._closed = True
            s._wake.notify()
        session_module._EXIT_FLUSH.discard(s)
