"""PDF deliverables printed by headless Chromium: page numbers, running header, confidentiality line,
CJK glyphs, and a print layout where no table or badge is wider than its page or cell.

Skipped loudly without /usr/bin/chromium (run `make system-deps`); the PDF checks read the printed file
back with poppler (pdftotext, pdffonts, pdftoppm), installed by the same script.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import CHROMIUM

from qmskit import api
from qmskit.batch import outputs as batchdir
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


def pdf_pages_text(path: Path) -> list[str]:
    out = subprocess.run([poppler("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")


@pytest.fixture(scope="module", params=["en", "zh"])
def printed(request, printed_report, tmp_path_factory):
    """The test office's internal copy and the branded example's client copy, HTML and PDF, per language."""
    lang = request.param
    out = tmp_path_factory.mktemp(f"pdf-{lang}")
    plain = printed_report(lang)
    branded = api.build_report(BRANDED_OFFICE, out, lang=lang, pdf=True, brand=BRAND, audience="client")
    return lang, plain, branded


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
            rows: [...document.querySelectorAll('table.qr-table tr')].map(r => getComputedStyle(r).breakInside)};
}"""


def test_print_layout_nothing_wider_than_the_page(chromium, printed):
    """Print media at the A4 content width (210 − 2 × 12 mm = 186 mm ≈ 703 px): every box is inside the
    page, every badge inside its cell; table heads repeat on each page and rows never split."""
    lang, plain, branded = printed
    for html_path in (plain, branded):
        page = chromium.new_page(viewport={"width": 703, "height": 1000})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        page.goto(html_path.as_uri(), wait_until="load")
        page.emulate_media(media="print")
        result = page.evaluate(OVERFLOW_JS)
        page.close()
        assert result["width"] == pytest.approx(703, abs=1)
        assert result["bad"] == [], f"{html_path.name}: {result['bad']}"
        assert set(result["heads"]) == {"table-header-group"}
        assert set(result["rows"]) == {"avoid"}


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


def test_one_browser_prints_many_files_in_parallel(printed, tmp_path):
    lang, plain, branded = printed
    jobs = [pdf.PdfJob(src, tmp_path / f"{i}-{src.stem}.pdf") for i, src in enumerate([plain, branded] * 2)]
    run = pdf.print_pdfs(jobs, parallel=3)
    assert not run.failed and run.parallel == 3
    assert all(j.pdf.read_bytes()[:5] == b"%PDF-" for j in jobs)
    assert [o.pages for o in run.outcomes[:2]] == [o.pages for o in run.outcomes[2:]]
    assert not list(tmp_path.glob(".*.tmp"))


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
