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
    assert said == [f"{page}: it held another report (an earlier run): that one is kept as office.en.html.bak",
                    f"{page}: the PDF beside it was printed from an earlier report: it is now office.en.pdf.bak; "
                    "add --pdf to print this one as office.en.pdf"]
    assert (tmp_path / "office.en.html.bak").read_text(encoding="utf-8") == "<p>2026-11-20</p>"


def test_a_page_holding_another_report_is_kept_as_a_backup_and_the_same_page_again_is_not(tmp_path):
    """`qmskit report` on this year's file replaced last year's report (the same office: the same file name)
    without a word (found by a new user's session). The earlier page is kept, backups never overwrite each
    other; a page written again unchanged (a re-run) keeps nothing and says nothing."""
    page = tmp_path / "office.en.html"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for year in ("2025", "2026", "2027"):
            _write_page(page, f"<p>{year}</p>")
        assert len(caught) == 2
        _write_page(page, "<p>2027</p>")
    assert len(caught) == 2
    assert page.read_text(encoding="utf-8") == "<p>2027</p>"
    assert (tmp_path / "office.en.html.bak").read_text(encoding="utf-8") == "<p>2026</p>"
    assert (tmp_path / "office.en.html.1.bak").read_text(encoding="utf-8") == "<p>2025</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.en.html", "office.en.html.1.bak",
                                                          "office.en.html.bak"]


def test_a_pdf_printed_from_another_report_is_kept_before_the_new_one_is_printed(tmp_path, monkeypatch):
    from pathlib import Path

    from qmskit.render import pdf

    def fake_print(page, out=None):
        Path(out).write_bytes(b"%PDF-1.7 " + Path(page).read_bytes())
        return Path(out)

    monkeypatch.setattr(pdf, "print_pdf", fake_print)
    page = tmp_path / "office.en.html"
    _write_page(page, "<p>2026</p>", pdf=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _write_page(page, "<p>2026</p>", pdf=True)   # a re-run: the same page, its PDF printed again
        assert not caught
        _write_page(page, "<p>2027</p>", pdf=True)
    assert (tmp_path / "office.en.pdf").read_bytes() == b"%PDF-1.7 <p>2027</p>"
    assert (tmp_path / "office.en.pdf.bak").read_bytes() == b"%PDF-1.7 <p>2026</p>"
    said = [str(w.message) for w in caught if isinstance(w.message, ResponsesWarning)]
    assert said[1] == (f"{page}: the PDF beside it was printed from an earlier report: it is kept as "
                       "office.en.pdf.bak; office.en.pdf is printed from this one")


def test_a_page_without_an_earlier_pdf_says_nothing(tmp_path):
    page = tmp_path / "office.en.html"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _write_page(page, "<p>x</p>")
    assert not caught and sorted(p.name for p in tmp_path.iterdir()) == ["office.en.html"]


def test_history_with_pdf_run_twice_replaces_its_own_pdf_without_a_word(tmp_path, monkeypatch):
    """`history --pdf` wrote its page without the PDF and printed it afterwards, so every rerun took its own
    PDF for an earlier one: a false warning and one more .bak each time (found by a review)."""
    from pathlib import Path

    from click.testing import CliRunner

    from qmskit.cli import main
    from qmskit.render import pdf

    def fake_print(page, out=None):   # (Chromium is not what this test is about)
        out = Path(out or Path(page).with_suffix(".pdf"))
        out.write_bytes(b"%PDF-1.7 " + Path(page).read_bytes()[:20])
        return out

    monkeypatch.setattr(pdf, "check_available", lambda: None)
    monkeypatch.setattr(pdf, "print_pdf", fake_print)
    gov = Path(__file__).resolve().parents[2] / "examples" / "gov"
    files = [str(gov / f"moonbay-district-office-{year}.xlsx") for year in (2025, 2026)]
    for _ in range(2):
        result = CliRunner().invoke(main, ["history", *files, "-o", str(tmp_path), "--pdf"])
        assert result.exit_code == 0, result.output
        assert "earlier report" not in result.output
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".html", ".pdf"]
