"""The office report in a real browser and printed to PDF by headless Chromium: offline in a browser
(verdict, score, first gap, links, every network request blocked and recorded); page numbers, running
header, confidentiality line, CJK glyphs, and a print layout where no table or badge is wider than its
page or cell.

One module, so the reports (the test office's internal copy and the branded example's client copy, per
language) are built once, on one warm kernel, and printed once, for every check that reads them: one
through ``build_report(pdf=True)``, the others (and that one again) by one browser printing in parallel.
Skipped loudly without /usr/bin/chromium (run `make system-deps`); the PDF checks read the printed file
back with poppler (pdftotext, pdffonts, pdftoppm), installed by the same script.
"""
from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import CHROMIUM

from qmskit import api
from qmskit.batch import outputs as batchdir
from qmskit.i18n.catalog import t
from qmskit.i18n.numbers import fmt_number
from qmskit.render import pdf
from qmskit.render.brand import load_brand

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
BRAND = ROOT / "examples" / "brand" / "brand.yaml"
BRANDED_OFFICE = ROOT / "examples" / "brand" / "riverside-general-office.yaml"
PAGE_RE = {"en": r"Page (\d+) of (\d+)", "zh": r"第 (\d+) 页，共 (\d+) 页"}


def poppler(tool: str) -> str:
    exe = shutil.which(tool)
    if not exe:
        pytest.skip(f"PDF CHECKS SKIPPED: {tool} is missing — run `make system-deps` (apt-get install poppler-utils)")
    return exe


@functools.cache
def pdf_pages_text(path: Path) -> list[str]:
    """The text of each page (pdftotext -layout), read once per PDF: the module's PDFs are written once
    and several checks read the same file."""
    out = subprocess.run([poppler("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")


@pytest.fixture(scope="module")
def reports(full_responses, report_kernel, tmp_path_factory):
    """Per language, the test office's internal copy and the branded example's client copy, HTML and PDF;
    and the print run that printed all but the first, with the first printed again (``again``).

    The English internal copy is printed by ``build_report(pdf=True)`` (one browser for one file); the
    other three and a second copy of it by ONE ``print_pdfs`` call, three pages at a time: the run
    test_one_browser_prints_many_files_in_parallel checks. (A browser launch is cheap; loading and
    printing a report is most of a PDF's ~3 s of CPU, so each file is printed once, one twice.)"""
    if not CHROMIUM.exists():
        pytest.skip(f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing — run `make system-deps`")
    built = {}
    for lang in ("en", "zh"):
        plain = api.build_report(full_responses, tmp_path_factory.mktemp(f"report-{lang}"), lang=lang,
                                 pdf=lang == "en", kernel=report_kernel)
        branded = api.build_report(BRANDED_OFFICE, tmp_path_factory.mktemp(f"pdf-{lang}"), lang=lang,
                                   brand=BRAND, audience="client", kernel=report_kernel)
        built[lang] = (plain, branded)
    assert built["en"][0].with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"  # build_report printed it
    again = tmp_path_factory.mktemp("again") / "plain-en-again.pdf"
    jobs = [pdf.PdfJob(html, html.with_suffix(".pdf"))
            for html in (built["en"][1], built["zh"][0], built["zh"][1])] + [pdf.PdfJob(built["en"][0], again)]
    run = pdf.print_pdfs(jobs, parallel=3)
    return built, run, again


@pytest.fixture(scope="module", params=["en", "zh"])
def printed(request, reports):
    """The test office's internal copy and the branded example's client copy, HTML and PDF, in one language."""
    built, run, _ = reports
    assert not run.failed, [o.error for o in run.failed]
    return (request.param, *built[request.param])


@pytest.fixture(scope="module")
def assessment(full_responses):
    return api.load_assessment(full_responses)


def test_every_page_has_number_running_header_and_confidentiality_line(printed):
    lang, plain, branded = printed
    for html_path, office, notice in ((plain, "Lakeside Test Office", "Confidential: test data."),
                                      (branded, "Riverside Municipal Government General Office",
                                       "Confidential: prepared for the named office only.")):
        pdf_path = html_path.with_suffix(".pdf")
        assert pdf_path.read_bytes()[:5] == b"%PDF-"
        pages = pdf_pages_text(pdf_path)
        assert len(pages) >= 5
        for n, text in enumerate(pages, start=1):
            found = re.search(PAGE_RE[lang], text)
            assert found and found.groups() == (str(n), str(len(pages))), f"page {n}: no page number"
            assert office in text, f"page {n}: no running header"
            assert notice in text, f"page {n}: no confidentiality line"
    number = load_brand(BRAND).number(office="", date="2026-10-15", seq=7)
    assert number == "NWQP-2026-007"
    assert all(number in text for text in pdf_pages_text(branded.with_suffix(".pdf")))


def test_chinese_pdf_embeds_a_cjk_font(printed):
    lang, plain, branded = printed
    if lang != "zh":
        pytest.skip("Chinese only")
    text = "".join(pdf_pages_text(plain.with_suffix(".pdf")))
    assert "差距清单" in text and "准备程度" in text  # extracted as Chinese, not boxes or missing glyphs
    assert "北风质量咨询" in "".join(pdf_pages_text(branded.with_suffix(".pdf")))
    fonts = subprocess.run([poppler("pdffonts"), str(plain.with_suffix(".pdf"))], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(" yes " in f[60:] for f in fonts), "a font is not embedded:\n" + "\n".join(fonts)
    # Noto Sans CJK is CFF-based: Skia embeds it as Type 3 glyph procedures (named "[none]")
    assert any("Type 3" in f for f in fonts) or any("CJK" in f for f in fonts)


def test_client_copy_leaves_out_the_technical_appendix(printed):
    lang, plain, branded = printed
    client = "".join(pdf_pages_text(branded.with_suffix(".pdf")))
    internal = "".join(pdf_pages_text(plain.with_suffix(".pdf")))
    assert "SHA-256" not in client and "qmskit report" not in client and "branch registry desk" not in client
    assert "SHA-256" in internal and "qmskit report" in internal
    words = {"en": ("Executive summary", "Closing remarks", "Dr. Li Wen"), "zh": ("执行摘要", "结束语", "李文")}[lang]
    assert all(w in client for w in words)
    assert branded.name.endswith(f".{lang}.client.html") and plain.name.endswith(f".{lang}.html")


def open_offline(browser, path, **context):
    """A page with the report loaded; anything but file: and data: URLs is aborted and recorded."""
    page = browser.new_page(**context)
    left, console = [], []

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            left.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.goto(path.as_uri(), wait_until="load")
    return page, left, console


@pytest.fixture(scope="module")
def report_page(chromium, printed):
    """The language's internal copy loaded offline once in a 1280 × 900 window, for the checks that read
    it on screen (loading and laying out the ~30-page report is most of each check's browser CPU); each
    check leaves the window as wide as it found it, and what it clicks only scrolls."""
    _, path, _ = printed
    page, left, console = open_offline(chromium, path, viewport={"width": 1280, "height": 900})
    yield page, left, console
    page.close()


def test_report_opens_offline_and_shows_verdict_score_and_first_gap(report_page, printed, assessment, tmp_path):
    lang, path, _ = printed
    a = assessment
    page, left, console = report_page
    verdict = page.locator(".qr-verdict")
    assert verdict.is_visible()
    assert t(f"band_{a.readiness}", lang) in verdict.inner_text()
    assert verdict.get_attribute("data-band") == a.readiness
    overall = page.locator(".qr-figure-value").first
    assert overall.is_visible() and overall.inner_text().strip() == fmt_number(a.overall)
    first_gap = page.locator("#gaps table.qr-table tbody tr[id]").first
    first_gap.scroll_into_view_if_needed()
    assert first_gap.is_visible() and a.gaps.iloc[0]["id"] in first_gap.inner_text()
    assert page.locator(".qr-chart svg").evaluate("svg => svg.getBoundingClientRect().width > 300 "
                                                  "&& svg.getBoundingClientRect().height > 80")
    if lang == "zh":
        assert "差距清单" in page.locator("#gaps h2").inner_text()
    # the window as shown (a full-page shot of the ~30-page report cost ~7 s of CPU; the whole document is
    # painted by the print just below, and every printed page is checked in the tests above)
    page.screenshot(path=tmp_path / f"report-{lang}.png")
    page.pdf(path=tmp_path / f"report-{lang}.pdf", format="A4", print_background=True)
    assert (tmp_path / f"report-{lang}.png").stat().st_size > 50_000
    assert (tmp_path / f"report-{lang}.pdf").read_bytes()[:5] == b"%PDF-"
    assert left == [], f"requests left the file: {left}"
    assert console == [], f"console errors: {console}"


def test_every_link_lands_on_its_target_and_the_register_reads_by_severity(report_page, printed, assessment):
    """Issue 15's smaller report in a browser: every in-page link has its target; following one from the
    action plan and one from the documented-information register brings the finding's row into view; the
    gap register is a table per severity under a heading with its count (rows without badges), each body
    headed by its impact."""
    lang, path, _ = printed
    a = assessment
    page, left, console = report_page
    missing = page.evaluate("""() => [...document.querySelectorAll('a[href^="#"]')]
        .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))""")
    assert missing == []
    for selector in ("#actions td a", "#docinfo td a[href^='#f']", "#appendix td a[href^='#f']",
                     "#appendix td a[href='#na']", "#appendix td a[href='#unanswered']"):
        link = page.locator(selector).first
        if not link.count():
            continue
        target = link.get_attribute("href")
        link.click()
        assert page.evaluate("location.hash") == target
        box = page.locator(target).bounding_box()
        assert box is not None and -2 <= box["y"] < 900, (selector, target, box)
    groups = page.evaluate("""() => [...document.querySelectorAll('#gaps h3[id^="gaps-"]')].map(h => ({
        id: h.id, text: h.textContent,
        rows: h.nextElementSibling.querySelectorAll('tbody tr[id]').length,
        runs: [...h.nextElementSibling.querySelectorAll('tbody tr.qr-run th')].map(th => th.textContent),
        badges: h.nextElementSibling.querySelectorAll('.qr-badge').length}))""")
    counts = a.gaps["severity"].value_counts()
    assert [g["id"] for g in groups] == [f"gaps-{s}" for s in ("major", "minor", "observation") if counts.get(s)]
    for g in groups:
        severity = g["id"].removeprefix("gaps-")
        assert g["rows"] == counts[severity] and f"{counts[severity]}" in g["text"] and g["badges"] == 0
        assert g["runs"] and all(run.startswith((t("gaps_impact", lang, impact=""), t("reason_kpi", lang)))
                                 for run in g["runs"])
    assert left == [] and console == []


DATE_LINES_JS = r"""() => {
    // every date (2027-03-31) the gap register and the action plan write: on how many lines it stands
    const out = [];
    for (const cell of document.querySelectorAll('#gaps td, #actions td')) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const m of node.data.matchAll(/\d{4}-\d{2}-\d{2}/g)) {
                const r = document.createRange(); r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
                const tops = new Set([...r.getClientRects()].filter(x => x.width).map(x => Math.round(x.top)));
                out.push([m[0], tops.size]);
            }
        }
    }
    return out; }"""


def test_a_due_date_is_never_broken_across_lines_in_print(report_page):
    """A due date in the gap register's owner column (12 % of the page) and in the action plan's range
    ("2027-01-15 – 2027-06-15") stays on one line when printed: Chromium broke "2027-" from "03-31" after
    the hyphen in the A4 PDF (a consultant's client read "2027-" on one line and "03-31" on the next)."""
    page, left, _ = report_page
    page.set_viewport_size({"width": 703, "height": 900})  # the A4 content width (report.css @page)
    page.emulate_media(media="print")
    try:
        dates = page.evaluate(DATE_LINES_JS)
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1280, "height": 900})
    assert len(dates) > 20
    assert [d for d in dates if d[1] != 1] == []
    assert left == []


def test_rank_header_stays_on_one_line_and_scores_stand_right_of_their_bars(report_page):
    """The gap register's rank header ("#", "序号") never wraps, even in a narrow window (820 px: it wrapped
    in Chinese); the clause table's scores are right-aligned after their bar, as the other number columns,
    not left of it — on screen and in print."""
    page, left, _ = report_page
    page.set_viewport_size({"width": 820, "height": 900})
    try:
        check_rank_header_and_clause_scores(page)
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1280, "height": 900})
    assert left == []


def check_rank_header_and_clause_scores(page) -> None:
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        lines = page.evaluate("""() => { const th = document.querySelector('#gaps table.qr-gaps th');
            const r = document.createRange(); r.selectNodeContents(th);
            return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }""")
        assert lines == 1, (media, lines)
        cells = page.evaluate("""() => [...document.querySelectorAll('#clauses td[style]')].map(td => {
            const r = document.createRange(); r.selectNodeContents(td); const text = r.getBoundingClientRect();
            const cell = td.getBoundingClientRect(), em = parseFloat(getComputedStyle(td).fontSize);
            return {text_left: text.left, text_right: text.right, cell_right: cell.right,
                    bar_end: cell.right - 3.4 * em, pad: parseFloat(getComputedStyle(td).paddingRight)}; })""")
        assert cells
        for c in cells:  # the text after the bar's track, flush with the cell's right padding
            assert c["text_left"] >= c["bar_end"] - 0.5 and abs(c["cell_right"] - c["pad"] - c["text_right"]) < 2, c


OVERFLOW_JS = r"""() => {
    const page = document.querySelector('main').getBoundingClientRect();
    const bad = [];
    const where = el => el.tagName.toLowerCase() + ' in #' + ((el.closest('section') || {}).id || '?');
    for (const el of document.querySelectorAll('main *')) {
        const r = el.getBoundingClientRect();
        if (r.width && r.right > page.right + 0.5) bad.push(where(el) + ' ends at ' + r.right.toFixed(1));
    }
    for (const t of document.querySelectorAll('table'))
        if (t.scrollWidth > t.clientWidth + 0.5) bad.push(where(t) + ' content ' + t.scrollWidth + ' > ' + t.clientWidth);
    for (const b of document.querySelectorAll('td .qr-badge, th .qr-badge')) {
        const r = b.getBoundingClientRect(), c = b.closest('td, th').getBoundingClientRect();
        if (r.left < c.left - 0.5 || r.right > c.right + 0.5) bad.push('badge "' + b.textContent + '" ' + where(b));
        const size = parseFloat(getComputedStyle(b).fontSize);
        if (!/\s/.test(b.textContent.trim()) && /^[A-Za-z]+$/.test(b.textContent.trim()) && r.height > size * 2)
            bad.push('badge "' + b.textContent + '" broken over two lines ' + where(b));
    }
    return {bad: bad.slice(0, 10), width: page.width,
            heads: [...document.querySelectorAll('table.qr-table thead')].map(h => getComputedStyle(h).display),
            rows: [...document.querySelectorAll('table.qr-table tr')].map(r => getComputedStyle(r).breakInside),
            majors: Object.fromEntries([...document.querySelectorAll('section.qr-major')].map(
                s => [s.id, getComputedStyle(s).breakBefore]))};
}"""


def test_print_layout_nothing_wider_than_the_page(chromium, printed):
    """Print media at the A4 content width (210 − 2 × 12 mm = 186 mm ≈ 703 px), offline: every box is inside
    the page, every badge inside its cell; table heads repeat on each page, rows never split; only the appendix starts a
    page."""
    lang, plain, branded = printed
    for html_path in (plain, branded):
        page, left, _ = open_offline(chromium, html_path, viewport={"width": 703, "height": 1000})
        page.emulate_media(media="print")
        result = page.evaluate(OVERFLOW_JS)
        page.close()
        assert result["width"] == pytest.approx(703, abs=1)
        assert result["bad"] == [], f"{html_path.name}: {result['bad']}"
        assert set(result["heads"]) == {"table-header-group"}
        assert set(result["rows"]) == {"avoid"}
        # the appendix starts a page; every other section follows what precedes it
        majors = result["majors"]
        assert majors.get("appendix", "page") == "page" and "gaps" in majors, html_path.name
        assert {v for k, v in majors.items() if k != "appendix"} == {"auto"}, html_path.name
        assert left == []


def test_printed_pages_render_header_and_footer_visibly(printed, tmp_path):
    """Rasterise page 2 (pdftoppm) and look for ink in the top and bottom margins, where Chromium draws the
    running header and the footer: text in the PDF is not enough (a broken template style prints it at
    a size nobody can read)."""
    from PIL import Image

    lang, plain, branded = printed
    subprocess.run([poppler("pdftoppm"), "-r", "60", "-png", "-f", "2", "-l", "2", str(branded.with_suffix(".pdf")),
                    str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    w, h = image.size
    mm = h / 297
    for top, bottom in ((2 * mm, 16 * mm), (h - 15 * mm, h - 2 * mm)):
        band = image.crop((int(12 * mm), int(top), int(w - 12 * mm), int(bottom)))
        dark = sum(band.histogram()[:160])  # pixels darker than light grey
        assert dark > 60, f"nothing readable printed in the margin band {top:.0f}-{bottom:.0f} px"


def test_one_browser_prints_many_files_in_parallel(reports):
    """The module's print run: four files (both languages, one of them printed by build_report's own
    print_pdf too) with one browser, three at a time; the same report gives the same pages either way."""
    built, run, again = reports
    assert not run.failed and run.parallel == 3 and len(run.outcomes) == 4
    assert all(o.job.pdf.read_bytes()[:5] == b"%PDF-" and o.pages for o in run.outcomes)
    plain_en = built["en"][0].with_suffix(".pdf")
    assert run.outcomes[-1].job.pdf == again
    assert run.outcomes[-1].pages == pdf.page_count(plain_en.read_bytes()) == len(pdf_pages_text(again))
    assert pdf_pages_text(again) == pdf_pages_text(plain_en)
    for folder in {o.job.pdf.parent for o in run.outcomes}:
        assert not list(folder.glob(".*.tmp"))


def test_batch_prints_every_office_and_the_portfolio_with_one_browser(tmp_path, monkeypatch):
    """`run_batch(pdf=True)`: one print_pdfs call (one browser) for all offices and index.html; the
    portfolio links the language-named reports; the PDFs are in the manifest (a re-run replaces them)."""
    if not CHROMIUM.exists():
        pytest.skip(f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing — run `make system-deps`")
    from qmskit.batch import runner as batch

    calls = []
    real = pdf.print_pdfs
    monkeypatch.setattr(pdf, "print_pdfs", lambda jobs, **kw: calls.append(len(jobs)) or real(jobs, **kw))
    offices = [ROOT / "examples" / "offices" / n for n in ("riverside-general-office.xlsx", "hillview-town-office.xlsx")]
    result = batch.run_batch(offices, tmp_path, lang="zh", workers=1, progress=False, pdf=True,
                             brand=BRAND, audience="client")
    assert result.exit_code == 0, result.summary_lines()
    assert calls == [3]                                   # two offices + the portfolio, one browser
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == sorted(
        [o.html.with_suffix(".pdf").name for o in result.offices] + ["index.pdf"])
    assert all(o.html.name.endswith(".zh.client.html") and o.pdf and o.timings["pdf"] > 0 for o in result.offices)
    numbers = [re.search(r"NWQP-\d{4}-00(\d)", pdf_pages_text(o.pdf)[0]).group(1) for o in result.offices]
    assert numbers == ["1", "2"]                          # report numbers follow the input order
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{o.html.name}"' in index for o in result.offices)
    manifest = (tmp_path / batchdir.MANIFEST).read_text(encoding="utf-8")
    assert "index.pdf" in manifest and all(o.pdf.name in manifest for o in result.offices)


def test_no_page_is_left_mostly_empty_by_a_section_break(printed):
    """Sections follow one another on the page (only the appendix starts a fresh one): a forced break before
    each major section left a page holding just the chart, or the last rows of a register with the next
    section on the following page. Every page but the first (the cover and summary), the last and the
    one the appendix's break ends holds at least 25 lines of text."""
    lang, plain, branded = printed
    for html_path in (plain, branded):
        pages = pdf_pages_text(html_path.with_suffix(".pdf"))
        lines = [sum(1 for line in text.splitlines() if line.strip()) for text in pages]
        appendix = next((n for n, text in enumerate(pages)
                         if ("Appendix: all answers" if lang == "en" else "附录：全部回答") in text), None)
        exempt = {0, len(pages) - 1} | ({appendix - 1} if appendix else set())
        thin = {n + 1: count for n, count in enumerate(lines) if n not in exempt and count < 25}
        assert thin == {}, f"{html_path.name}: pages with few lines {thin} of {len(pages)}"
