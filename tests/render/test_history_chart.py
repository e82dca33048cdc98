"""The history trend chart's threshold labels (real Moonbay files, the page rendered): beside their lines in a
margin right of the plot, never over the latest scores (drawn at the plot's right edge) nor over each other."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from qmskit.api import history_files
from qmskit.render import history_report

GOV = Path(__file__).resolve().parents[2] / "examples" / "gov"
MOONBAY = [GOV / f"moonbay-district-office-{year}.xlsx" for year in (2024, 2025, 2026)]
LABEL = re.compile(r'<text x="([\d.]+)" y="([\d.]+)" style="fill: [^"]+">([^<]+)</text>')


@pytest.fixture(scope="module")
def history():
    return history_files(MOONBAY)


def _labels(page: str) -> list[tuple[float, float, str]]:
    return [(float(x), float(y), text) for x, y, text in LABEL.findall(page)]


@pytest.mark.parametrize("lang, names", [("en", ["Ready for certification", "Nearly ready", "Developing"]),
                                         ("zh", ["具备认证条件", "基本具备", "建设中"])])
@pytest.mark.parametrize("thresholds", [None, {"ready_min": 80, "nearly_ready_min": 78, "developing_min": 77}])
def test_threshold_labels_stand_apart_beside_the_plot(history, lang, names, thresholds):
    if thresholds:  # a checklist may set thresholds a few points apart: their labels would lie on each other
        latest = history.assessments[-1]
        checklist = dataclasses.replace(latest.checklist, thresholds={**latest.checklist.thresholds, **thresholds})
        history = dataclasses.replace(history, assessments=[*history.assessments[:-1],
                                                            dataclasses.replace(latest, checklist=checklist)])
    chart = history_report.trend_chart(history, lang)
    page = history_report.render_history(history, lang)
    labels = _labels(page)
    assert [text for _, _, text in labels] == names
    for x, y, text in labels:
        # right of every line and point of the plot, and inside the drawing
        assert x > chart["right"] and x + history_report._text_width(text) <= chart["width"]
        assert chart["top"] <= y - history_report.LABEL_FONT_PX and y <= chart["bottom"] + history_report.LABEL_FONT_PX
    ys = sorted(y for _, y, _ in labels)
    assert all(b - a >= history_report.LABEL_GAP_PX for a, b in zip(ys, ys[1:]))  # one line of text apart
    for (_, y, _), th in zip(labels, chart["thresholds"]):
        assert abs(y - history_report.LABEL_FONT_PX / 2 - th["y"]) <= 2 * history_report.LABEL_GAP_PX  # beside its line
    # the latest assessment's scores are drawn at the plot's right edge, left of every label
    last_x = max(float(p.split(",")[0]) for p in chart["overall"]["points"].split())
    assert last_x == pytest.approx(chart["right"], abs=0.1) and all(x > last_x for x, _, _ in labels)


@pytest.mark.parametrize("lang, line", [("en", "Re-run with: <code>qmskit "), ("zh", "重新生成命令：<code>qmskit ")])
def test_rerun_line_is_punctuated_as_the_language_writes(history, lang, line):
    """The history's and the comparison's re-run line: "Re-run with: qmskit …", "重新生成命令：qmskit …" (the
    Chinese pages said "重新生成命令: qmskit …", an English colon and space after Chinese words)."""
    from qmskit.api import load_comparison
    from qmskit.render import compare_report
    assert line in history_report.render_history(history, lang)
    cmp = load_comparison(MOONBAY[0], MOONBAY[1])
    assert line in compare_report.notes_html(cmp, lang, {"before": MOONBAY[0], "after": MOONBAY[1]})
