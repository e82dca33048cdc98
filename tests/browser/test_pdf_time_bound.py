"""Printing a PDF is bounded in time: a file that runs over its time (``$QMSKIT_PDF_TIMEOUT``, or a bound
scaled with the HTML's size) fails alone in one line naming the HTML, which is kept; Chromium's renderer and
what is left of its process group are ended; `qmskit report --pdf` exits 1 and a batch names the office's
report in a FAILED line while the other offices and the portfolio are printed.

(A report of 5,000 "no" answers once did not finish printing in 600 s; nothing bounded it.)
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CHROMIUM

from qmskit.cli import main
from qmskit.config import PDF_TIMEOUT_BASE, PDF_TIMEOUT_MAX, PDF_TIMEOUT_PER_MB
from qmskit.errors import PdfError
from qmskit.i18n.catalog import say
from qmskit.render import pdf

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
# a page that never lets the renderer go once it has loaded: printing it never ends by itself
HANGS = ("<!doctype html><html lang='en'><head><title>hangs</title></head><body><p>never printed</p>"
         "<script>addEventListener('load', () => setTimeout(() => { for (;;) {} }, 0));</script></body></html>")
PLAIN = "<!doctype html><html lang='en'><head><title>plain</title></head><body><p>printed</p></body></html>"


@pytest.fixture(autouse=True)
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing — run `make system-deps`")
    pytest.importorskip("playwright.async_api")


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.timeout(120)  # without a bound the hanging page is never printed: the test times out
def test_a_print_that_never_ends_is_stopped_and_named_and_the_others_are_printed(tmp_path, monkeypatch):
    hangs, plain = tmp_path / "hangs.html", tmp_path / "plain.html"
    hangs.write_text(HANGS, encoding="utf-8")
    plain.write_text(PLAIN, encoding="utf-8")
    groups: list[set[int]] = []
    real_groups = pdf.browser_groups
    monkeypatch.setattr(pdf, "browser_groups", lambda profile: groups.append(real_groups(profile)) or groups[-1])
    monkeypatch.setenv("QMSKIT_PDF_TIMEOUT", "3")
    run = pdf.print_pdfs([pdf.PdfJob(hangs, tmp_path / "hangs.pdf"),
                          pdf.PdfJob(plain, tmp_path / "plain.pdf", timeout=120)], parallel=2)
    stuck, printed = run.outcomes
    assert stuck.timed_out and not stuck.ok and not (tmp_path / "hangs.pdf").exists()
    line = say(stuck.error, "en")
    assert line.startswith(f"{hangs}: ") and "within 3 s" in line and "QMSKIT_PDF_TIMEOUT=" in line
    assert "HTML report is kept" in line and "\n" not in line
    assert "3 秒内" in say(stuck.error, "zh") and "QMSKIT_PDF_TIMEOUT" in say(stuck.error, "zh")
    assert printed.ok and (tmp_path / "plain.pdf").read_bytes().startswith(b"%PDF-")
    assert hangs.read_text(encoding="utf-8") == HANGS  # the HTML is left as it was
    # the browser was found by its own profile, and nothing of its process group outlives the run
    assert len(groups) == 1 and len(groups[0]) == 1
    deadline = time.monotonic() + 10
    while any(map(group_alive, groups[0])) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(map(group_alive, groups[0]))


def test_print_pdf_raises_one_line_naming_the_html(tmp_path):
    hangs = tmp_path / "hangs.html"
    hangs.write_text(HANGS, encoding="utf-8")
    with pytest.raises(PdfError) as err:
        pdf.print_pdf(hangs, timeout=2)
    assert str(err.value).startswith(f"{hangs}: the PDF was not printed within 2 s")
    assert not hangs.with_suffix(".pdf").exists() and hangs.exists()


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan", "inf"])
def test_a_bad_time_bound_is_one_line_before_anything_runs(tmp_path, monkeypatch, value):
    monkeypatch.setenv("QMSKIT_PDF_TIMEOUT", value)
    with pytest.raises(PdfError, match="QMSKIT_PDF_TIMEOUT must be a number of seconds greater than 0"):
        pdf.check_available()
    res = CliRunner().invoke(main, ["report", str(ROOT / "examples" / "offices" / "hillview-town-office.xlsx"),
                                    "-o", str(tmp_path / "out"), "--pdf"])
    assert res.exit_code == 1 and res.output.count("\n") == 1 and "QMSKIT_PDF_TIMEOUT" in res.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_default_bound_grows_with_the_report(tmp_path, monkeypatch):
    monkeypatch.delenv("QMSKIT_PDF_TIMEOUT", raising=False)
    small, big = tmp_path / "small.html", tmp_path / "big.html"
    small.write_text("x" * 100_000, encoding="utf-8")
    big.write_text("x" * 2_000_000, encoding="utf-8")
    assert PDF_TIMEOUT_BASE < pdf.print_timeout(small) < pdf.print_timeout(big)
    assert pdf.print_timeout(big) - pdf.print_timeout(small) == pytest.approx(1.9 * PDF_TIMEOUT_PER_MB)
    huge = tmp_path / "huge.html"
    with huge.open("wb") as fh:
        fh.truncate(200_000_000)  # (sparse) a report of 10,000-character cells is tens of megabytes
    assert pdf.print_timeout(huge) == PDF_TIMEOUT_MAX  # bounded however big the report
    monkeypatch.setenv("QMSKIT_PDF_TIMEOUT", "900")
    assert pdf.print_timeout(big) == pdf.print_timeout(huge) == 900


def test_report_pdf_over_its_time_exits_1_in_one_line_and_keeps_the_html(tmp_path, monkeypatch):
    monkeypatch.setenv("QMSKIT_PDF_TIMEOUT", "0.001")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["report", str(ROOT / "examples" / "offices" / "hillview-town-office.xlsx"),
                                    "-o", str(out), "--pdf"])
    assert res.exit_code == 1, res.output
    html = next(out.glob("*.en.html"))
    assert res.output.count("\n") == 1 and "Traceback" not in res.output
    assert res.output.startswith(f"error: {html}: the PDF was not printed within 0.001 s")
    assert "QMSKIT_PDF_TIMEOUT=SECONDS" in res.output
    assert "<html" in html.read_text(encoding="utf-8") and not list(out.glob("*.pdf"))


def test_batch_names_the_report_that_ran_over_and_prints_the_rest(tmp_path, monkeypatch):
    from qmskit.batch import runner as batch

    offices = [ROOT / "examples" / "offices" / n for n in ("riverside-general-office.xlsx", "hillview-town-office.xlsx")]
    real = pdf.print_timeout
    # Hillview's report gets no time at all; Riverside's and the portfolio the usual bound
    monkeypatch.setattr(pdf, "print_timeout", lambda html=None: 0.001 if html is not None and Path(html).name.startswith(
        "hillview") else real(html))  # (the batch prints from staged copies under their final names)
    result = batch.run_batch(offices, tmp_path, workers=1, progress=False, pdf=True)
    assert result.exit_code == 1
    riverside, hillview = result.offices
    assert riverside.pdf and riverside.pdf.exists() and (tmp_path / "index.pdf").exists()
    assert hillview.pdf is None and hillview.html.exists() and not hillview.html.with_suffix(".pdf").exists()
    failed = [line for line in result.summary_lines() if line.startswith("FAILED")]
    assert failed == [f"FAILED {hillview.html}: the PDF was not printed within 0.001 s, so Chromium was stopped; "
                      "the HTML report is kept: open it in a browser and print it from there, or allow more time "
                      "with QMSKIT_PDF_TIMEOUT=SECONDS"]
    assert any(line.startswith("失败：") and str(hillview.html) in line for line in result.summary_lines("zh"))
