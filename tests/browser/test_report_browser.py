"""The office report in a real browser: headless Chromium, every network request blocked and recorded."""
from __future__ import annotations

import pytest

from qmskit import api
from qmskit.i18n.catalog import t
from qmskit.i18n.numbers import fmt_number

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module", params=["en", "zh"])
def built(request, printed_report, full_responses):
    lang = request.param
    return lang, printed_report(lang), api.load_assessment(full_responses)


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


def test_report_opens_offline_and_shows_verdict_score_and_first_gap(chromium, built, tmp_path):
    lang, path, a = built
    page, left, console = open_offline(chromium, path, viewport={"width": 1280, "height": 900})
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
    page.screenshot(path=tmp_path / f"report-{lang}.png", full_page=True)
    page.pdf(path=tmp_path / f"report-{lang}.pdf", format="A4", print_background=True)
    assert (tmp_path / f"report-{lang}.png").stat().st_size > 50_000
    assert (tmp_path / f"report-{lang}.pdf").read_bytes()[:5] == b"%PDF-"
    assert left == [], f"requests left the file: {left}"
    assert console == [], f"console errors: {console}"
    page.close()


def test_printed_tables_fit_the_page(chromium, built):
    """In print layout at A4 content width (186 mm ≈ 703 px) nothing is wider than the page."""
    lang, path, _ = built
    page, left, _ = open_offline(chromium, path, viewport={"width": 703, "height": 1000})
    page.emulate_media(media="print")
    overflow = page.evaluate("""() => {
        const limit = document.querySelector('main').getBoundingClientRect().right + 1;
        return [...document.querySelectorAll('table, img, .qr-verdict, dl')]
            .filter(el => el.getBoundingClientRect().right > limit)
            .map(el => el.tagName + '#' + (el.closest('section') || {}).id);
    }""")
    assert overflow == []
    majors = page.evaluate("[...document.querySelectorAll('section.qr-major')].map(s => "
                           "getComputedStyle(s).breakBefore)")
    assert majors and set(majors) == {"page"}
    assert left == []
    page.close()


def test_every_link_lands_on_its_target_and_the_register_reads_by_severity(chromium, built):
    """Issue 15's smaller report in a browser: every in-page link has its target; following one from the
    action plan and one from the documented-information register brings the finding's row into view; the
    gap register is a table per severity under a heading with its count (rows without badges), each body
    headed by its impact."""
    lang, path, a = built
    page, left, console = open_offline(chromium, path, viewport={"width": 1280, "height": 900})
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
    page.close()


def test_rank_header_stays_on_one_line_and_scores_stand_right_of_their_bars(chromium, built):
    """The gap register's rank header ("#", "序号") never wraps, even in a narrow window (820 px: it wrapped
    in Chinese); the clause table's scores are right-aligned after their bar, as the other number columns,
    not left of it — on screen and in print."""
    lang, path, _ = built
    page, left, _ = open_offline(chromium, path, viewport={"width": 820, "height": 900})
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
    assert left == []
    page.close()
