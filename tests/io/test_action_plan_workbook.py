"""The action-plan workbook as an office works in it: in its own language, and its formulas kept.

Found walking through the README: a Chinese plan (from a zh assessment) showed the locked Severity and
Reason columns as "minor" / "partial"; and `qmskit actions plan` run again into the office's plan saved
the workbook as loaded with cached values only, so every formula the office had added (a "days open"
column, a sum on its own sheet) became a frozen number, or nothing when no cached value was stored.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import load_workbook

from qmskit.io.actions_xlsx import plan_file, read_actions, status_of

GOV = Path(__file__).resolve().parents[2] / "examples" / "gov"


def _column(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def test_chinese_plan_writes_severity_and_reason_in_chinese_and_reads_codes(tmp_path):
    responses = tmp_path / "moonbay-2026.xlsx"
    shutil.copy(GOV / "moonbay-district-office-2026.xlsx", responses)
    plan = tmp_path / "plan.xlsx"
    plan_file(responses, plan)
    ws = load_workbook(plan)["Actions"]
    severities = {ws.cell(r, _column(ws, "严重程度")).value for r in range(2, ws.max_row + 1)}
    reasons = {ws.cell(r, _column(ws, "判定依据")).value for r in range(2, ws.max_row + 1)}
    assert severities <= {"严重", "一般", "观察项"} and "一般" in severities
    assert "部分满足" in reasons and not reasons & {"partial", "not_met", "practice", "kpi"}
    back = read_actions(plan).plan
    assert set(back["severity"]) <= {"major", "minor", "observation"}
    assert "partial" in set(back["reason"])
    status = status_of(plan, as_of=__import__("datetime").date(2027, 6, 1))  # ranks by severity code
    assert status.overdue > 0


def test_replanning_keeps_the_offices_formulas(tmp_path):
    responses = tmp_path / "moonbay-2026.xlsx"
    shutil.copy(GOV / "moonbay-district-office-2026.xlsx", responses)
    plan = tmp_path / "plan.xlsx"
    plan_file(responses, plan, lang="en")
    wb = load_workbook(plan)
    ws = wb["Actions"]
    extra = ws.max_column + 1
    ws.cell(1, extra, "Days open")
    ws.cell(2, extra, "=TODAY()-H2")
    wb.create_sheet("Tracking")["A1"] = "=COUNTA(Actions!A:A)-1"
    wb.save(plan)

    plan_file(responses, plan)  # again: updated in place
    wb = load_workbook(plan)
    assert wb["Actions"].cell(2, extra).value == "=TODAY()-H2"
    assert wb["Tracking"]["A1"].value == "=COUNTA(Actions!A:A)-1"


def test_a_kpi_finding_reads_in_the_plan_as_in_the_report(tmp_path):
    """The Chinese action plan gave a missed KPI as "Customer satisfaction: satisfied：实测 85.0%…" and another
    recommended action than the report's (found by a new user's session): the plan's requirement and action
    are the report's register's, in the plan's language."""
    import warnings as _warnings

    from qmskit.io.actions_xlsx import plan_file
    from qmskit.render.report import gap_register_frame
    source = Path(__file__).resolve().parents[2] / "examples" / "gov" / "moonbay-district-office-2025.xlsx"
    for lang in ("en", "zh"):
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            _update, a = plan_file(source, tmp_path / f"plan-{lang}.xlsx", lang=lang)
        register = gap_register_frame(a, lang)
        kpi = register[register["kind"] == "kpi"].set_index("id")
        assert len(kpi) == len(a.kpi_findings) > 0
        plan = _update.plan.set_index("id")
        for fid, row in kpi.iterrows():
            assert plan.loc[fid, "requirement"] == row["requirement"], (lang, fid)
            assert plan.loc[fid, "action"] == row["action"], (lang, fid)
        if lang == "zh":
            assert all("measured" not in plan.loc[fid, "requirement"] for fid in kpi.index)
