"""KPIs: values in responses files, met / not met at and around targets, trend, findings, bad inputs."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from qmskit import ResponsesError, load_checklist, read_responses, score, write_responses
from qmskit.cli import main
from qmskit.core.kpis import evaluate_kpis, parse_kpi_values
from qmskit.render.kpi_tables import kpi_findings_frame, kpi_table

BASE = Path(__file__).parents[1] / "data" / "mini.yaml"
ANSWERS = pd.DataFrame({"id": ["4.1-a", "4.1-b", "4.2-a", "5-a", "5-b"],
                        "answer": ["yes", "partial", "no", "yes", "yes"], "evidence": ["e"] * 5,
                        "notes": [""] * 5, "owner": [""] * 5, "due": [""] * 5})


@pytest.fixture(scope="module")
def kcl(tmp_path_factory):
    """mini + three indicators: a percentage (higher), a 100% target, and a 'lower is better' count."""
    path = tmp_path_factory.mktemp("kpi") / "kpi-mini.yaml"
    path.write_text(f"""id: kpi-mini
version: "1"
extends: {BASE}
title: {{en: "Mini with KPIs", zh: "带指标的迷你表"}}
kpis:
  - {{id: sat, name: {{en: Satisfied, zh: 满意}}, unit: "%", target: 90, direction: higher}}
  - {{id: full, name: {{en: All satisfied, zh: 全部满意}}, unit: "%", target: 100, direction: higher}}
  - {{id: late, name: {{en: Late documents, zh: 逾期公文}}, unit: documents, target: 5, direction: lower, clause: "8.5.1"}}
""", encoding="utf-8")
    return load_checklist(path)


def status(cl, kid, value, previous=None):
    frame, findings = evaluate_kpis(cl, [{"id": kid, "value": value, "previous": previous}])
    row = frame.set_index("id").loc[kid]
    return row["status"], row["trend"], findings


@pytest.mark.parametrize("value, expected", [
    (90.0, "met"), (90 - 1e-12, "met"), (90 + 1e-12, "met"), (95.0, "met"),
    (90 - 0.01, "not_met"), (89.0, "not_met"), (0.0, "not_met"),
])
def test_higher_is_better_at_and_around_target(kcl, value, expected):
    assert status(kcl, "sat", value)[0] == expected


@pytest.mark.parametrize("value, expected", [
    (5.0, "met"), (5 + 1e-12, "met"), (5 - 1e-12, "met"), (0.0, "met"), (5.01, "not_met"), (12.0, "not_met"),
])
def test_lower_is_better_at_and_around_target(kcl, value, expected):
    assert status(kcl, "late", value)[0] == expected


def test_hundred_percent_target_needs_hundred(kcl):
    assert status(kcl, "full", 100)[0] == "met"
    assert status(kcl, "full", 100 - 1e-12)[0] == "met"
    assert status(kcl, "full", 99.99)[0] == "not_met"


@pytest.mark.parametrize("kid, value, previous, trend", [
    ("sat", 92, 88, "improved"), ("sat", 85, 88, "worsened"), ("sat", 88, 88, "unchanged"),
    ("sat", 88 + 1e-12, 88, "unchanged"), ("sat", 92, None, None),
    ("late", 3, 7, "improved"), ("late", 7, 3, "worsened"),
])
def test_trend_follows_the_good_direction(kcl, kid, value, previous, trend):
    assert status(kcl, kid, value, previous)[1] == trend


def test_unmet_kpis_become_observations_of_their_clause(kcl):
    # missing an objective is not a nonconformity (design.md, "Gaps"): an observation, never minor
    frame, findings = evaluate_kpis(kcl, [{"id": "sat", "value": 85.5, "previous": 80},
                                          {"id": "late", "value": 9, "previous": None}])
    assert [f["id"] for f in findings] == ["kpi:sat", "kpi:late"]
    assert findings[0] == {"id": "kpi:sat", "indicator": "sat", "clause": "9.1", "severity": "observation",
                           "name": "Satisfied", "unit": "%", "target": 90.0, "direction": "higher",
                           "value": 85.5, "previous": 80.0, "trend": "improved"}
    assert findings[1]["clause"] == "8.5.1"
    assert frame.set_index("id").loc["full", "status"] == "no_value"  # not measured: listed, no finding
    rows = kpi_findings_frame(findings, "en")
    assert rows["text"].tolist()[0] == "Satisfied: 85.5% (target ≥ 90%)"
    # Chinese punctuation in a Chinese sentence (it mixed in a half-width ": " and "(": a new user's session)
    assert kpi_findings_frame(findings, "zh")["text"].tolist()[0] == "Satisfied：85.5%（目标 ≥ 90%）"


def test_kpis_never_change_scores_and_appear_in_json(kcl):
    plain = score(kcl, ANSWERS, {"office": "X"})
    with_kpis = score(kcl, ANSWERS, {"office": "X", "kpis": {"sat": 70, "late": 1}})
    assert plain.overall == with_kpis.overall and plain.readiness == with_kpis.readiness
    assert plain.gaps["id"].tolist() == with_kpis.gaps["id"].tolist()
    doc = with_kpis.to_dict()
    assert [f["id"] for f in doc["kpi_findings"]] == ["kpi:sat"]
    assert "kpi:sat" not in [g["id"] for g in doc["gaps"]]
    assert plain.to_dict()["kpi_findings"] == []
    json.dumps(doc)  # JSON-ready


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".yaml"])
def test_round_trip_every_format(kcl, tmp_path, suffix):
    values = [{"id": "sat", "value": 97.123456789, "previous": 88.0}, {"id": "late", "value": 3, "previous": None}]
    path = write_responses(tmp_path / f"office{suffix}", {"office": "Lakeside", "kpis": values}, ANSWERS, kcl)
    meta, frame = read_responses(path, kcl)
    assert meta["kpis"] == [{"id": "sat", "value": 97.123456789, "previous": 88.0},
                            {"id": "full", "value": None, "previous": None},
                            {"id": "late", "value": 3.0, "previous": None}]
    assert frame["answer"].tolist() == ANSWERS["answer"].tolist()
    again = write_responses(tmp_path / f"again{suffix}", meta, frame, kcl)
    assert read_responses(again, kcl)[0]["kpis"] == meta["kpis"]


def test_xlsx_kpi_sheet_layout(kcl, tmp_path):
    path = write_responses(tmp_path / "o.xlsx", {"office": "O", "kpis": {"sat": 91}}, ANSWERS, kcl, lang="zh")
    ws = load_workbook(path)["KPIs"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("编号", "指标", "单位", "目标", "实测值", "上期")
    assert rows[1] == ("sat", "满意", "%", 90, 91, None)
    assert [r[0] for r in rows[1:]] == ["sat", "full", "late"]


def test_yaml_and_csv_accept_the_documented_shapes(kcl, tmp_path):
    y = tmp_path / "o.yaml"
    y.write_text("office: O\nchecklist: kpi-mini\nkpis:\n  sat: 91\n  late: {value: 2, previous: 4}\n"
                 "responses: []\n", encoding="utf-8")
    assert read_responses(y, kcl)[0]["kpis"] == [{"id": "sat", "value": 91.0, "previous": None},
                                                  {"id": "late", "value": 2.0, "previous": 4.0}]
    y.write_text("office: O\nkpis:\n  - {id: sat, value: '92.5 %', previous: 90}\nresponses: []\n", encoding="utf-8")
    assert read_responses(y, kcl)[0]["kpis"] == [{"id": "sat", "value": 92.5, "previous": 90.0}]
    c = tmp_path / "o.csv"
    c.write_text("# office: O\n# kpi.sat: 93\n# kpi.sat.previous: 91.5\n# kpi.late: 4\nid,answer\n4.1-a,yes\n",
                 encoding="utf-8")
    assert read_responses(c, kcl)[0]["kpis"] == [{"id": "sat", "value": 93.0, "previous": 91.5},
                                                  {"id": "late", "value": 4.0, "previous": None}]


def _xlsx_with_kpi_row(kcl, path, row: tuple):
    write_responses(path, {"office": "O"}, ANSWERS, kcl)
    wb = load_workbook(path)
    ws = wb["KPIs"]
    ws.append(list(row))
    wb.save(path)
    return ws.max_row


@pytest.mark.parametrize("row, message", [
    (("sat", "", "", "", "ninety", None), "KPI 'sat' is given twice (first at KPIs row 2)"),
    (("nope", "", "", "", 5, None), "unknown KPI id 'nope' (checklist kpi-mini declares: sat, full, late)"),
])
def test_bad_xlsx_kpi_rows_name_the_row(kcl, tmp_path, row, message):
    path = tmp_path / "bad.xlsx"
    n = _xlsx_with_kpi_row(kcl, path, row)
    with pytest.raises(ResponsesError) as exc:
        read_responses(path, kcl)
    assert str(exc.value) == f"{path}:KPIs row {n}: {message}"


def test_xlsx_value_not_a_number(kcl, tmp_path):
    path = write_responses(tmp_path / "nan.xlsx", {"office": "O"}, ANSWERS, kcl)
    wb = load_workbook(path)
    wb["KPIs"]["E2"] = "ninety"
    wb.save(path)
    with pytest.raises(ResponsesError) as exc:
        read_responses(path, kcl)
    assert str(exc.value) == (f"{path}:KPIs row 2: KPI 'sat': value 'ninety' is not a number "
                              "(give e.g. 92.5 for 92.5%)")


CSV_HEAD, CSV_TAIL = "# office: O\n", "id,answer\n4.1-a,yes\n"
YAML_HEAD, YAML_TAIL = "office: O\nkpis:\n", "responses: []\n"


@pytest.mark.parametrize("name, text, message", [
    ("bad.csv", CSV_HEAD + "# kpi.sat: 101\n" + CSV_TAIL,
     "line 2: KPI 'sat': value 101 is not a percentage (allowed: 0 to 100)"),
    ("bad.csv", CSV_HEAD + "# kpi.sat: 90\n# kpi.sat.previous: -1\n" + CSV_TAIL,
     "line 3: KPI 'sat': previous value -1 is not a percentage"),
    ("bad.csv", CSV_HEAD + "# kpi.sat: 9o\n" + CSV_TAIL, "line 2: KPI 'sat': value '9o' is not a number"),
    ("bad.csv", CSV_HEAD + "# kpi.speed: 3\n" + CSV_TAIL, "line 2: unknown KPI id 'speed'"),
    ("bad.yaml", YAML_HEAD + "  sat: -0.5\n" + YAML_TAIL, "line 3: KPI 'sat': value -0.5 is not a percentage"),
    ("bad.yaml", YAML_HEAD + "  sat: yes\n" + YAML_TAIL, "line 3: KPI 'sat': value 'yes' is not a number"),  # the word written
    ("bad.yaml", YAML_HEAD + "  sat: {value: 90, target: 80}\n" + YAML_TAIL,
     "line 3: KPI 'sat': unknown key 'target' (allowed: value, previous)"),
    ("bad.yaml", YAML_HEAD + "  late: .inf\n" + YAML_TAIL, "line 3: KPI 'late': value inf is not a finite number"),
])
def test_bad_csv_and_yaml_kpis_name_the_line(kcl, tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ResponsesError) as exc:
        read_responses(path, kcl)
    assert str(exc.value).startswith(f"{path}:{message}")
    assert "\n" not in str(exc.value)


def test_unknown_kpi_against_a_checklist_without_kpis(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("# kpi.sat: 90\nid,answer\n4.1-a,yes\n", encoding="utf-8")
    with pytest.raises(ResponsesError, match=r"line 1: unknown KPI id 'sat' \(checklist mini declares: none\)"):
        read_responses(path, load_checklist(BASE))


def test_cli_score_reports_bad_kpi_in_one_line(kcl, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("# kpi.sat: 120\nid,answer\n4.1-a,yes\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(path), "--checklist", str(kcl.source), "--json"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: {path}:line 1: KPI 'sat': value 120 is not a percentage (allowed: 0 to 100)"]


def test_display_table_both_languages(kcl):
    frame, _ = evaluate_kpis(kcl, [{"id": "sat", "value": 90 - 1e-6, "previous": 91}, {"id": "late", "value": 2}])
    en = kpi_table(frame, "en")
    assert en.columns.tolist() == ["id", "Indicator", "Target", "Value", "Previous", "Status", "Trend", "_status"]
    row = en.set_index("id").loc["sat"]
    # a value a hair under target must not display as the target itself
    assert (row["Target"], row["Value"], row["Status"], row["Trend"]) == ("≥ 90%", "89.999999%", "not met", "↓ worsened")
    assert en.set_index("id").loc["late", "Target"] == "≤ 5 documents"
    zh = kpi_table(frame, "zh").set_index("id")
    assert zh.loc["sat", "状态"] == "未达标" and zh.loc["late", "状态"] == "达标" and zh.loc["full", "状态"] == "未填报"
    assert zh.loc["sat", "指标"] == "满意"


def test_parse_rejects_duplicates_via_api(kcl):
    with pytest.raises(ResponsesError, match="KPI 'sat' is given twice"):
        parse_kpi_values([{"id": "sat", "value": 1}, {"id": "sat", "value": 2}], kcl)
