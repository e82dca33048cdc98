"""The portfolio page's texts and markup (en and zh): real offices written to xlsx, scored, rendered."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import OFFICE_META, mixed_answers

from qmskit.batch import inputs, summary
from qmskit.batch.tasks import Status
from qmskit.checklist.loader import load_checklist
from qmskit.config import DEFAULT_CHECKLIST
from qmskit.i18n.catalog import join_reasons
from qmskit.io.responses import write_responses
from qmskit.render import portfolio


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pf")
    cl = load_checklist(DEFAULT_CHECKLIST)
    outcomes = []
    for i, name in enumerate(["North Office", "South Office", "East Office"]):
        path = write_responses(folder / f"o{i}.xlsx", {**OFFICE_META, "office": name}, mixed_answers(cl, seed=i),
                               cl, backup=False)
        outcomes.append(inputs.score_file(path))
    inputs.assign_slugs(outcomes)
    for o in outcomes:
        o.status = Status.DONE
        o.html = Path(f"{o.slug}.en.html")
    return outcomes


def page(data: dict, lang: str) -> str:
    pf = portfolio.Portfolio(copy.deepcopy(data), lang)
    return "".join(f() for f in (pf.header_html, pf.ranking_html, pf.heatmap_html, pf.distribution_html,
                                 pf.shared_gaps_html))


@pytest.mark.parametrize("lang, office", [("en", "Office"), ("zh", "单位")])
def test_heatmap_first_column_is_headed_office(scored, lang, office):
    html = portfolio.Portfolio(summary.portfolio_data(scored, lang, True), lang).heatmap_html()
    first = re.search(r'<thead><tr><th scope="col">([^<]*)</th>', html)
    assert first and first.group(1) == office


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_histogram_bars_are_stacked_by_actual_verdicts(scored, lang):
    data = summary.portfolio_data(scored, lang, True)
    for o, (score, band) in zip(data["offices"], [(82.0, "developing"), (83.0, "developing"), (40.0, "early_stage")]):
        o["overall"], o["readiness"] = score, band  # 80–85 allows "nearly ready" on score; the verdicts say less
    html = portfolio.Portfolio(data, lang).distribution_html()
    assert "qr-bar-nearly_ready" not in html and "qr-bar-ready" not in html
    assert html.count('class="qr-bar-developing"') == 1 and html.count('class="qr-bar-early_stage"') == 1
    developing = {"en": "Developing", "zh": "建设中"}[lang]
    assert f"80–85: {developing}{' (2)' if lang == 'en' else '（2）'}</title>" in html
    caption = {"en": "Number of offices per band of overall score", "zh": "各总分区间的单位数量"}[lang]
    assert caption in html


def test_histogram_stacks_two_verdicts_in_one_bin():
    h = portfolio.histogram(np.array([81.0, 82.0, 84.0]),
                            np.array(["nearly_ready", "developing", "developing"]),
                            {"developing_min": 50, "nearly_ready_min": 75, "ready_min": 85})
    bars = {b["band"]: b for b in h["bars"]}
    assert [b["band"] for b in h["bars"]] == ["developing", "nearly_ready"]  # worst at the bottom
    assert bars["developing"]["count"] == 2 and bars["nearly_ready"]["count"] == 1
    assert float(bars["nearly_ready"]["y"]) + float(bars["nearly_ready"]["height"]) == pytest.approx(
        float(bars["developing"]["y"]), abs=0.11)


@pytest.mark.parametrize("lang, links", [("en", "name links to its full report"), ("zh", "点击单位名称")])
def test_links_sentence_only_when_office_reports_are_linked(scored, lang, links):
    with_links = page(summary.portfolio_data(scored, lang, True), lang)
    assert links in with_links and "<a href=" in with_links
    without = page(summary.portfolio_data(scored, lang, False), lang)
    assert links not in without and "<a href=" not in without


@pytest.mark.parametrize("lang, joined", [
    ("en", ["2024). Each office", "full report. 1 input could not be assessed"]),
    ("zh", ["）。点击单位名称查看其完整报告。1 个输入无法评估"]),
])
def test_intro_sentences_are_joined_as_the_language_writes_them(scored, lang, joined):
    """The intro's sentences: a space after an English full stop, none after a Chinese one (the page said
    "…2015+A1:2024))。 点击单位名称…")."""
    data = summary.portfolio_data(scored, lang, True)
    data["failed"] = [{"source": "x.xlsx", "office": "X", "stage": "read", "reason": "bad"}]
    html = portfolio.Portfolio(data, lang).header_html()
    assert all(words in html for words in joined), html


@pytest.mark.parametrize("lang, sep", [("en", "; "), ("zh", "；")])
def test_reasons_are_joined_with_the_languages_separator(scored, lang, sep):
    data = summary.portfolio_data(scored, lang, True)
    office = next(o for o in data["offices"] if len(o["readiness_reasons"]) >= 2)
    html = portfolio.Portfolio(data, lang).ranking_html()
    texts = [join_reasons([r], lang) for r in office["readiness_reasons"]]
    assert sep.join(texts) in html
    if lang == "zh":
        cells = re.findall(r'<td class="qr-small">([^<]*)</td>', html)
        assert cells and not any("; " in c for c in cells)


@pytest.mark.parametrize("lang, title", [("en", "Gaps shared by two or more offices"), ("zh", "两个及以上单位共有的差距")])
def test_shared_gaps_title_states_its_rule(scored, lang, title):
    data = summary.portfolio_data(scored, lang, True)
    base = data["offices"][0]
    data["offices"] = [{**copy.deepcopy(base), "office": f"Office {i}",
                        "gaps": [{"id": "4.1-a", "clause": "4.1", "severity": "minor"}] if i < 3 else []}
                       for i in range(6)]
    data["questions"] = {"4.1-a": {"clause": "4.1", "en": "Context", "zh": "环境"}}
    html = portfolio.Portfolio(data, lang).shared_gaps_html()
    assert f"<h2>{title}</h2>" in html and "shared by most" not in html and "多数" not in html
    assert "50%" in html


@pytest.mark.parametrize("lang, not_started, early", [("en", "Not started", "Early stage"), ("zh", "尚未开始", "起步阶段")])
def test_band_cards_count_an_empty_assessment_as_not_started(scored, lang, not_started, early):
    """The ranking shows an office with nothing answered as "not started" (design.md); the cards above it
    must count it the same way, not as one more "early stage" office."""
    data = summary.portfolio_data(scored, lang, True)
    o = data["offices"][0]
    o["readiness"], o["display_band"], o["overall"] = "early_stage", "not_started", None
    found = re.findall(r'qr-band-count"[^>]*>(\d+)</div><div>([^<]+)</div>', portfolio.Portfolio(data, lang).bands_html())
    cards = {label: int(n) for n, label in found}
    assert cards[not_started] == 1
    assert sum(cards.values()) == len(data["offices"])
    assert cards[early] == sum(1 for x in data["offices"][1:] if x["readiness"] == "early_stage")


@pytest.mark.parametrize("lang, notice", [("en", "Confidential: the consultant's overview"),
                                          ("zh", "保密：咨询方对所列单位的汇总")])
def test_every_printed_page_of_the_portfolio_carries_the_confidentiality_line(scored, lang, notice):
    """The portfolio's PDF had no running header and no confidentiality line (a new user's session): its
    page gives the printer both, as a report's does."""
    import html as _html

    from qmskit.render.pdf import header_footer
    text = portfolio.Portfolio(summary.portfolio_data(scored, lang, True), lang).header_html()
    running = {m.group(1): _html.unescape(m.group(2))
               for m in re.finditer(r'<span data-qr-running="(\w+)">([^<]*)</span>', text)}
    assert running["confidential"].startswith(notice) and running["left"]
    _header, footer = header_footer(running, lang)
    assert _html.escape(notice, quote=True) in footer
