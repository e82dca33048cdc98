"""The report's list of warnings holds the reader's and the scoring's, never the garbage collector's."""
from __future__ import annotations

import warnings
from pathlib import Path

from qmskit import api
from qmskit.io import responses

RIVERSIDE = Path(__file__).resolve().parents[2] / "examples" / "offices" / "riverside-general-office.xlsx"


def test_a_resource_warning_during_the_read_is_not_a_report_warning(monkeypatch) -> None:
    read = responses.read_responses

    def read_while_something_is_collected(*args, **kwargs):
        # what the garbage collector says when it finalises the booting kernel's zmq context mid-read
        warnings.warn("Unclosed context <zmq.asyncio.Context() at 0x7f00>", ResourceWarning, stacklevel=1)
        warnings.warn("a note about the file", UserWarning, stacklevel=1)
        return read(*args, **kwargs)

    monkeypatch.setattr(responses, "read_responses", read_while_something_is_collected)
    seen: list = []
    a = api.load_assessment(RIVERSIDE, reader_warnings=seen)
    assert [str(w.message) for w in seen] == ["a note about the file"]
    assert "a note about the file" in a.warnings
    assert not [w for w in a.warnings if "Unclosed" in w]
