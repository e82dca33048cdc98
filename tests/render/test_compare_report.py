"""The comparison page's chart: inline SVG drawn by the office report's chart code (qmskit.render.charts),
in English and Chinese, with no matplotlib anywhere on a report's path."""
from __future__ import annotations

import json
import subprocess
import sys
import xml.dom.minidom
from pathlib import Path

import pytest
from conftest import chart_bars

from qmskit import api
from qmskit.render import compare_report

GOV = Path(__file__).resolve().parents[2] / "examples" / "gov"
BEFORE, AFTER = GOV / "moonbay-district-office-2025.xlsx", GOV / "moonbay-district-office-2026.xlsx"


@pytest.fixture(scope="module")
def comparison():
    return api.load_comparison(BEFORE, AFTER)


@pytest.mark.parametrize("lang, words", [("en", ["Score", "Scores by clause, before and after"]),
                                         ("zh", ["得分", "各条款得分对比"])])
def test_chart_is_inline_svg_in_both_languages(comparison, lang, words):
    html = str(compare_report.chart_html(comparison, lang))
    assert "<svg" in html and "<img" not in html and "base64" not in html
    svg = html[html.index("<svg"):html.index("</svg>") + len("</svg>")]
    xml.dom.minidom.parseString(svg)  # well-formed
    assert len(svg) < 8_000  # the PNG it replaces was ~15 KB of base64
    top = comparison.clauses[comparison.clauses["level"] == 1]
    for clause in top["clause"]:
        assert f">{clause}</text>" in svg
    bars = int(top["before"].notna().sum() + top["after"].notna().sum())
    assert svg.count("<rect") == 1 + 2  # the background, the legend's two swatches (bars: a path per colour)
    assert chart_bars(svg) == bars
    assert ">2025-10-20</text>" in svg and ">2026-10-19</text>" in svg
    assert 'stroke="#9dc3e6"' in svg and 'stroke="#1f4e79"' in svg  # the palette's before and after colours
    assert 'fill="#9dc3e6"' in svg and 'fill="#1f4e79"' in svg  # and the legend's swatches
    for word in words:  # the y axis's title and the chart's <title>: CJK as text, no font needed to draw it
        assert f">{word}</" in svg


def test_words_of_the_chart_follow_the_language(comparison):
    zh, en = str(compare_report.chart_svg(comparison, "zh")), str(compare_report.chart_svg(comparison, "en"))
    assert ">得分</text>" in zh and ">Score</text>" in en


def test_same_dates_are_numbered_and_missing_dates_are_named(comparison):
    from types import SimpleNamespace

    def legend(before_meta, after_meta, lang):
        cmp = SimpleNamespace(clauses=comparison.clauses, before=SimpleNamespace(meta=before_meta),
                              after=SimpleNamespace(meta=after_meta))
        return [item["label"] for item in compare_report.chart_geometry(cmp, lang)["legend"]]

    assert legend({}, {}, "zh") == ["前次", "本次"] and legend({}, {}, "en") == ["Before", "After"]
    day = {"date": "2026-01-01"}
    assert legend(day, day, "en") == ["2026-01-01 (1)", "2026-01-01 (2)"]


def test_no_report_path_imports_matplotlib():
    """Rendering the office report's and the comparison's every section loads no matplotlib."""
    code = f"""
import json, sys
from qmskit import api
from qmskit.render import compare_report, report
cmp = api.load_comparison({str(BEFORE)!r}, {str(AFTER)!r})
compare_report.sections(cmp, "zh")
a = api.load_assessment({str(AFTER)!r})
report.sections(a, {{"lang": "en"}}, "en")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib")))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []
