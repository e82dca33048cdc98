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
    first_gap = page.locator("#gaps table.qr-table tbody tr").first
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
