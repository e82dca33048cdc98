"""A page written again without --pdf beside the PDF of an earlier run: that PDF showed another report
(an earlier assessment) than the page now does, and could be sent as this one (found by a new user's
session). It is kept as a backup, never removed, and the consultant is told."""
from __future__ import annotations

import warnings

from qmskit.api import _write_page
from qmskit.errors import ResponsesWarning


def test_an_earlier_pdf_beside_a_page_written_again_is_kept_as_a_backup_and_said(tmp_path):
    page = tmp_path / "office.en.html"
    page.write_text("<p>2026-11-20</p>", encoding="utf-8")
    earlier = page.with_suffix(".pdf")
    earlier.write_bytes(b"%PDF-1.7 the 2026-11-20 report")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _write_page(page, "<p>2027-05-10</p>")
    assert page.read_text(encoding="utf-8") == "<p>2027-05-10</p>"
    assert not earlier.exists()
    kept = tmp_path / "office.en.pdf.bak"
    assert kept.read_bytes() == b"%PDF-1.7 the 2026-11-20 report"
    said = [str(w.message) for w in caught if isinstance(w.message, ResponsesWarning)]
    assert said == [f"{page}: the PDF beside it was printed from an earlier report: it is now office.en.pdf.bak; "
                    "add --pdf to print this one as office.en.pdf"]


def test_a_page_without_an_earlier_pdf_says_nothing(tmp_path):
    page = tmp_path / "office.en.html"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _write_page(page, "<p>x</p>")
    assert not caught and sorted(p.name for p in tmp_path.iterdir()) == ["office.en.html"]
