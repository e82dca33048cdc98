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


def test_the_scorings_own_warnings_reach_the_terminal_of_report_as_of_score(tmp_path) -> None:
    """`score` printed "n/a without a justification", `report` did not (found by a new user's session):
    build_report now issues the scoring's notes too (the CLI prints every ResponsesWarning)."""
    import pandas as pd

    from qmskit.errors import ResponsesWarning

    meta, frame = responses.read_responses(RIVERSIDE)
    qid = next(q for q, allowed in zip(frame["id"], api.load_assessment(RIVERSIDE).questions.set_index("id")
                                       .loc[frame["id"], "na_allowed"], strict=True) if allowed)
    frame.loc[frame["id"] == qid, ["answer", "notes"]] = ["n/a", ""]
    path = tmp_path / "office.xlsx"
    responses.write_responses(path, meta, pd.DataFrame(frame.drop(columns="row")), meta["checklist"], backup=False)

    class NoKernel:  # (the notebook run is not what this test is about)
        def run_report(self, *args, **kwargs):
            return None

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        api._execute_report(NoKernel(), path, "en", None, None, None, None, False, {})
    said = [str(w.message) for w in caught if isinstance(w.message, ResponsesWarning)]
    assert [line for line in said if f"'{qid}' is n/a without a justification" in line], said
