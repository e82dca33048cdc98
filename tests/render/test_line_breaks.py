"""Line breaks the office typed in evidence and notes stay line breaks in the report (HTML folds a newline
into a space: "SWOT sheet, tab 2" typed on its own line ran into the line before it; found by a new
user's session), each line still escaped."""
from __future__ import annotations

from pathlib import Path

import qmskit
from qmskit.render import report
from qmskit.render.templating import lines

ROOT = Path(__file__).resolve().parents[2]
EASTPORT = ROOT / "examples" / "offices" / "eastport-civil-affairs.xlsx"
TYPED = "Context analysis 2026\nSWOT sheet, tab 2\r\n- reviewed by <b>director</b>"
SHOWN = "Context analysis 2026<br>SWOT sheet, tab 2<br>- reviewed by &lt;b&gt;director&lt;/b&gt;"


def test_lines_escapes_each_line_and_keeps_the_breaks():
    assert str(lines(TYPED)) == SHOWN
    assert str(lines("one line & more")) == "one line &amp; more"


def test_multi_line_evidence_and_notes_keep_their_lines_in_the_gaps_and_the_appendix():
    meta, frame = qmskit.read_responses(EASTPORT)
    gap = frame.index[frame["answer"].isin(["no", "partial"])][0]
    met = frame.index[frame["answer"].eq("yes")][0]      # (written out in full only in the appendix)
    frame.loc[[gap, met], ["evidence", "notes"]] = [TYPED, "note one\nnote two"]
    a = qmskit.score(meta["checklist"], frame, meta)
    for html in (str(report.gap_register_html(a, "en")), str(report.appendix_html(a, "en"))):
        assert SHOWN in html and "note one<br>note two" in html
        assert "<b>director" not in html


def test_multi_line_evidence_keeps_its_lines_in_the_documented_information_register():
    meta, frame = qmskit.read_responses(EASTPORT)
    a = qmskit.score(meta["checklist"], frame, meta)
    documented = set(a.questions.loc[a.questions["documented_information"].fillna("").astype(str) != "", "id"])
    met = frame.index[frame["answer"].eq("yes") & frame["id"].isin(documented)][0]
    frame.loc[met, "evidence"] = TYPED
    html = str(report.docinfo_html(qmskit.score(meta["checklist"], frame, meta), "en"))
    assert SHOWN in html
