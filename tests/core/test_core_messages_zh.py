"""What the core says to a user (a KPI value it cannot use, an exclusion ISO 9001 does not allow, a warning
about an answer, two assessments that do not belong together) are catalog messages: the core names them
by key and fields, ``str(error)`` is the English line as before, and the edge says them in Chinese."""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import qmskit
from qmskit.core.compare import compare_assessments
from qmskit.core.history import build_history
from qmskit.errors import ComparisonError, Message, ResponsesError, RowPlace
from qmskit.i18n.catalog import error_line, say
from qmskit.io.responses import validate_responses

sys.path.insert(0, str(Path(__file__).parents[1]))
from textcheck import assert_chinese_line  # noqa: E402

DATA = Path(__file__).parents[1] / "data"
FIX = qmskit.load_checklist(DATA / "verdict.yaml")
KPIS = """id: kpi-mini
version: "1"
extends: {base}
title: {{en: "Mini with KPIs", zh: "带指标的迷你表"}}
kpis:
  - {{id: sat, name: {{en: Satisfied, zh: 满意}}, unit: "%", target: 90, direction: higher}}
"""


@pytest.fixture
def kcl(tmp_path):
    path = tmp_path / "kpi-mini.yaml"
    path.write_text(KPIS.format(base=DATA / "mini.yaml"), encoding="utf-8")
    return qmskit.load_checklist(path)


def refusal(path, cl) -> ResponsesError:
    with pytest.raises(ResponsesError) as caught:
        qmskit.read_responses(path, cl)
    return caught.value


@pytest.mark.parametrize("text, zh", [
    ("# kpi.sat: 101\n", "第 2 行）：绩效指标“sat”：实测值 101 不是有效的百分比（应在 0 到 100 之间）"),
    ("# kpi.sat: 90\n# kpi.sat.previous: ninety\n", "第 3 行）：绩效指标“sat”：上期值“ninety”不是数字（请填写数字，如 92.5 表示 92.5%）"),  # noqa: E501
    ("# kpi.speed: 3\n", "第 2 行）：绩效指标编号“speed”不存在（检查表 kpi-mini 设定的指标：sat）"),
])
def test_kpi_value_problems_in_chinese(kcl, tmp_path, text, zh):
    path = tmp_path / "bad.csv"
    path.write_text("# office: O\n" + text + "id,answer\n4.1-a,yes\n", encoding="utf-8")
    error = refusal(path, kcl)
    assert error.code and error_line(error, "en") == str(error)
    line = error_line(error, "zh")
    assert_chinese_line(line, path)
    assert line.endswith(zh), line


def test_kpi_given_twice_names_the_first_place_in_chinese(kcl):
    with pytest.raises(ResponsesError) as caught:
        qmskit.core.kpis.parse_kpi_values([{"id": "sat", "value": 1, "row": 2}, {"id": "sat", "value": 2, "row": 3}],
                                          kcl, "o.xlsx", rows_are=RowPlace.KPIS_ROW)
    assert str(caught.value) == "o.xlsx:KPIs row 3: KPI 'sat' is given twice (first at KPIs row 2)"
    assert error_line(caught.value, "zh") == ("o.xlsx（KPIs 工作表第 3 行）：绩效指标“sat”填写了两次"
                                              "（首次出现在KPIs 工作表第 2 行）")


def _score(answers: dict, meta: dict | None = None) -> qmskit.Assessment:
    rows = [{"id": q, "answer": answers.get(q, "yes"), "evidence": "register", "notes": ""} for q in FIX.questions["id"]]
    return qmskit.score(FIX, validate_responses(pd.DataFrame(rows), FIX), {"office": "T", **(meta or {})})


def test_the_cores_warnings_are_messages_said_in_chinese():
    a = _score({"x1": "n/a", "x2": "partial", "x3": ""}, {"excluded_clauses": ["2.3"]})
    assert all(isinstance(w, Message) for w in a.warnings)
    assert [say(w, "zh") for w in a.warnings] == [
        "问题“x1”答“不适用”，但备注中没有说明理由",
        "问题“x2”已答“部分”，但条款 2.3 已列为删减（excluded_clauses）；该答案予以保留并计分"]
    assert a.warnings[1] == ("question 'x2' is answered 'partial' although clause 2.3 is excluded "
                             "(excluded_clauses); the answer is kept and scored")  # the English, as before


def test_comparison_and_history_refusals_and_notes_in_chinese():
    one, other = _score({}, {"office": "East"}), _score({}, {"office": "West"})
    with pytest.raises(ComparisonError) as caught:
        compare_assessments(one, other)
    assert str(caught.value) == "different offices: before is 'East', after is 'West' (use --force to compare anyway)"
    assert error_line(caught.value, "zh") == "单位不同：前一次为“East”，后一次为“West”（如仍要比较，请加 --force）"
    cmp = compare_assessments(one, other, force=True)
    assert [say(n, "zh") for n in cmp.notes][0] == "单位不同：前一次为“East”，后一次为“West”（已按 --force 照常比较）"
    with pytest.raises(ComparisonError) as caught:
        build_history([one])
    assert error_line(caught.value, "zh") == "评估历史至少需要该单位的两次评估"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = build_history([one, other], force=True)
    assert all(isinstance(n, Message) for n in h.notes)
    for note in h.notes:
        assert_chinese_line(say(note, "zh"), "")


def test_several_problems_are_said_part_by_part():
    """Another office and another checklist: one line, each part in the line's language."""
    one = _score({}, {"office": "East"})
    mini = qmskit.load_checklist(DATA / "mini.yaml")
    other = qmskit.score(mini, pd.DataFrame({"id": ["4.1-a"], "answer": ["yes"]}), {"office": "West"})
    with pytest.raises(ComparisonError) as caught:
        build_history([one, other])
    assert str(caught.value) == ("different offices: 'East' () and 'West' (); different checklists: 'verdict-fixture' "
                                 "and 'mini' (use --force to build the history anyway)")
    assert error_line(caught.value, "zh") == ("单位不同：“East”（）与“West”（）；检查表不同：“verdict-fixture”与“mini”"
                                              "（如仍要生成评估历史，请加 --force）")
