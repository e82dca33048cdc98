"""Action plans: workbook round trip, in-place update keeping the office's entries, progress logic."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from qmskit.cli import main
from qmskit.core.actions import KEYS, oldest_overdue, progress, update_plan
from qmskit.io.actions_xlsx import ActionsError, plan_file, read_actions, status_of, write_actions
from qmskit.io.responses import write_responses

ROOT = Path(__file__).resolve().parents[2]
GOV = ROOT / "examples" / "gov"
BEFORE, AFTER = GOV / "moonbay-district-office-2025.xlsx", GOV / "moonbay-district-office-2026.xlsx"


def plan_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{k: r.get(k, "") for k in KEYS} | {"in_assessment": r.get("in_assessment", "yes")}
                         for r in rows], columns=KEYS).astype(object)


def test_plan_round_trips_losslessly(tmp_path):
    out = tmp_path / "actions.xlsx"
    update, a = plan_file(BEFORE, out, lang="en")
    assert len(update.plan) == len(a.gaps) + len(a.kpi_findings)
    assert list(update.plan["id"][: len(a.gaps)]) == list(a.gaps["id"])  # rank order
    back = read_actions(out)
    pd.testing.assert_frame_equal(back.plan, update.plan)
    assert back.meta["office"] == a.office and back.meta["assessment_date"] == "2025-10-20"
    assert len(back.meta["responses_sha256"]) == 64
    # every finding carries its severity, reason, requirement and a recommended action
    assert set(back.plan["severity"]) <= {"major", "minor", "observation"}
    assert (back.plan["action"] != "").all() and (back.plan["requirement"] != "").all()
    assert set(back.plan["status"]) == {"open"}


def test_office_entries_survive_a_new_plan(tmp_path):
    """The office works in the workbook; re-running `plan` from the next assessment keeps every entry."""
    out = tmp_path / "actions.xlsx"
    plan_file(BEFORE, out, lang="en")
    wb = load_workbook(out)
    ws = wb["Actions"]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    first_id = ws.cell(2, col["ID"]).value
    ws.cell(2, col["Status"]).value = "done"
    ws.cell(2, col["Root cause"]).value = "=no one owned it"  # a leading '=' is text, not a formula
    ws.cell(2, col["Root cause"]).data_type = "s"
    ws.cell(2, col["Closure evidence"]).value = "Minutes 2026-03-01"
    ws.cell(2, col["Closed date"]).value = dt.datetime(2026, 3, 2)
    ws.cell(2, col["Owner"]).value = "Office manager"
    ws.cell(1, len(header) + 1).value = "Office's own column"
    ws.cell(2, len(header) + 1).value = "kept"
    wb.create_sheet("Notes")["A1"] = "our notes"
    wb.save(out)

    update, _ = plan_file(AFTER, out)
    back = read_actions(out)
    row = back.plan.set_index("id").loc[first_id]
    assert row["status"] == "done" and row["root_cause"] == "=no one owned it"
    assert row["closure_evidence"] == "Minutes 2026-03-01" and row["closed_date"] == "2026-03-02"
    assert row["owner"] == "Office manager"
    assert (tmp_path / "actions.xlsx.bak").exists()
    wb = load_workbook(out)
    assert wb["Notes"]["A1"].value == "our notes"
    assert wb["Actions"].cell(2, len(header) + 1).value == "kept"
    assert wb["Actions"].cell(2, col["Root cause"]).data_type == "s"
    # findings closed by the re-assessment stay, marked; new ones are appended
    assert set(update.resolved) == set(back.plan.loc[back.plan["in_assessment"] == "no", "id"])
    assert update.added and set(update.added) <= set(back.plan["id"])
    assert len(back.plan) == len(update.kept) + len(update.resolved) + len(update.added)


def test_update_plan_rules():
    existing = plan_frame([{"id": "a", "severity": "minor", "owner": "X", "status": "in_progress"},
                           {"id": "b", "severity": "minor", "status": "done", "closure_evidence": "ok"}])
    fresh = plan_frame([{"id": "a", "severity": "major", "owner": "Y", "due": "2027-01-01"},
                        {"id": "c", "severity": "observation"}])
    up = update_plan(existing, fresh)
    p = up.plan.set_index("id")
    assert p.loc["a", "severity"] == "major" and p.loc["a", "owner"] == "X" and p.loc["a", "due"] == "2027-01-01"
    assert p.loc["a", "status"] == "in_progress"
    assert p.loc["b", "in_assessment"] == "no" and p.loc["b", "closure_evidence"] == "ok"
    assert (up.added, up.kept, up.resolved) == (["c"], ["a"], ["b"])


def test_progress_counts_by_hand():
    plan = plan_frame([
        {"id": "q1", "severity": "major", "status": "open", "due": "2026-01-10"},          # overdue 21 days
        {"id": "q2", "severity": "minor", "status": "in_progress", "due": "2026-01-30"},   # overdue 1 day
        {"id": "q3", "severity": "minor", "status": "in_progress", "due": "2026-01-31"},   # due today: not overdue
        {"id": "q4", "severity": "minor", "status": "open", "due": ""},                    # no due date
        {"id": "q5", "severity": "minor", "status": "done", "due": "2025-12-01", "closure_evidence": ""},
        {"id": "q6", "severity": "minor", "status": "done", "due": "2025-12-01", "closure_evidence": "record"},
        {"id": "q7", "severity": "observation", "status": "verified", "closure_evidence": "", "due": "2025-01-01"},
        {"id": "q8", "severity": "major", "status": "open", "due": "2020-01-01", "in_assessment": "no"},
    ])
    p = progress(plan, "X", dt.date(2026, 1, 31))
    assert (p.total, p.open, p.in_progress, p.done, p.verified) == (8, 4, 2, 2, 1)
    assert (p.overdue, p.no_due, p.done_without_evidence, p.done_not_verified) == (2, 1, 2, 2)
    assert p.resolved_by_reassessment == 1
    assert list(p.overdue_items["id"]) == ["q1", "q2"] and list(p.overdue_items["days_overdue"]) == [21, 1]
    later = progress(plan, "X", dt.date(2026, 2, 1))
    assert later.overdue == 3
    both = oldest_overdue([p, progress(plan.assign(due="2019-06-01"), "Y", dt.date(2026, 1, 31))], limit=3)
    assert list(both["office"]) == ["Y", "Y", "Y"]
    json.dumps(p.to_dict())


def test_status_cli_text_and_json(tmp_path):
    out = tmp_path / "actions.xlsx"
    plan_file(BEFORE, out, lang="en")
    runner = CliRunner()
    res = runner.invoke(main, ["actions", "status", str(out), "--as-of", "2026-01-01", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    expected = status_of(out, dt.date(2026, 1, 1))
    assert doc["overdue"] == expected.overdue > 0 and doc["open"] == doc["total"]
    res = runner.invoke(main, ["actions", "status", str(out), "--as-of", "2020-01-01"])
    assert res.exit_code == 0 and "overdue:" not in res.output


@pytest.mark.parametrize("case", ["bad_status", "bad_date", "not_xlsx", "no_sheet", "duplicate", "missing"])
def test_bad_action_files_are_one_line(tmp_path, case):
    out = tmp_path / "actions.xlsx"
    plan_file(BEFORE, out, lang="en")
    wb = load_workbook(out)
    ws = wb["Actions"]
    header = [c.value for c in ws[1]]
    if case == "bad_status":
        ws.cell(3, header.index("Status") + 1).value = "finished-ish"
    elif case == "bad_date":
        ws.cell(3, header.index("Closed date") + 1).value = "next week"
    elif case == "no_sheet":
        ws.title = "Other"
    elif case == "duplicate":
        ws.cell(3, 1).value = ws.cell(2, 1).value
    wb.save(out)
    if case == "not_xlsx":
        out.write_text("id,status\n")
    if case == "missing":
        out = tmp_path / "nope.xlsx"
    res = CliRunner().invoke(main, ["actions", "status", str(out)])
    assert res.exit_code == 1
    line = res.output.strip()
    assert line.startswith("error: ") and str(out) in line and "\n" not in line and "Traceback" not in line
    if case in ("bad_status", "bad_date", "duplicate"):
        assert "row 3" in line


def test_plan_refuses_another_offices_plan(tmp_path):
    out = tmp_path / "actions.xlsx"
    plan_file(BEFORE, out, lang="en")
    other = tmp_path / "other.yaml"
    write_responses(other, {"office": "Another Office", "checklist": "gov-office"},
                    pd.DataFrame({"id": ["4.1-a"], "answer": ["no"]}), "gov-office")
    res = CliRunner().invoke(main, ["actions", "plan", str(other), "-o", str(out)])
    assert res.exit_code == 1 and "Another Office" in res.output and "--force" in res.output


def test_chinese_workbook_reads_back(tmp_path):
    out = tmp_path / "actions.xlsx"
    update, _ = plan_file(BEFORE, out, lang="zh")
    wb = load_workbook(out)
    assert wb["Actions"].cell(1, 9).value == "状态" and wb["Actions"].cell(2, 9).value == "未开始"
    pd.testing.assert_frame_equal(read_actions(out).plan, update.plan)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_saved_plan_reads_back(tmp_path):
    out = tmp_path / "actions.xlsx"
    update, _ = plan_file(BEFORE, out, lang="en")
    lo = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(lo), str(out)], check=True, timeout=180,
                   capture_output=True)
    pd.testing.assert_frame_equal(read_actions(lo / "actions.xlsx").plan, update.plan)


def test_write_refuses_other_formats(tmp_path):
    with pytest.raises(ActionsError, match="expected .xlsx"):
        write_actions(tmp_path / "a.csv", {}, plan_frame([]))


def test_report_shows_action_status_and_who_answered(tmp_path):
    """One real report (papermill + nbconvert) of a merged file with its action plan attached."""
    from qmskit.checklist.loader import load_checklist
    from qmskit.io.merge import merge_files, split_file
    from qmskit.io.responses import read_responses

    meta, frame = read_responses(AFTER)
    cl = load_checklist(meta["checklist"])
    parts = split_file(cl, meta, frame.drop(columns="row"), tmp_path / "p.xlsx", "clause",
                       {"Li Wei": ["4", "5", "6", "7"], "Zhang Min": ["8", "9", "10"]})
    merged = tmp_path / "merged.xlsx"
    merge_files(list(parts.files.values()), merged)
    plan = tmp_path / "actions.xlsx"
    plan_file(merged, plan, lang="en")
    wb = load_workbook(plan)
    ws = wb["Actions"]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("Status") + 1).value = "done"
    ws.cell(3, header.index("Status") + 1).value = "verified effective"
    ws.cell(3, header.index("Closure evidence") + 1).value = "Audit report 2027-01"
    wb.save(plan)
    res = CliRunner().invoke(main, ["report", str(merged), "-o", str(tmp_path / "out"), "--lang", "en",
                                    "--actions", str(plan)])
    assert res.exit_code == 0, res.output
    html = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    p = status_of(plan, dt.date.today())
    assert (f"{p.total} actions — {p.open} open ({p.overdue} overdue); 2 done, 1 of them verified effective; "
            "1 done without closure evidence.") in html
    assert "done · no closure evidence" in html and "verified effective" in html
    assert "Answered by" in html and "Li Wei" in html and "Zhang Min" in html
    assert "--actions actions.xlsx" in html


def test_batch_with_action_plans(tmp_path):
    """batch --actions DIR: plans matched to offices by name; the portfolio gets the actions column and the
    oldest overdue actions; a broken file in DIR is skipped with a warning, offices without a plan show —."""
    plans = tmp_path / "plans"
    plans.mkdir()
    plan_file(AFTER, plans / "moonbay.xlsx", lang="en")
    (plans / "broken.xlsx").write_text("not a workbook")
    other = GOV / "pinecrest-municipal-office.xlsx"
    res = CliRunner().invoke(main, ["batch", str(AFTER), str(other), "-o", str(tmp_path / "out"), "-q",
                                    "--no-office-reports", "--actions", str(plans)])
    assert res.exit_code == 0, res.output
    assert "action plan skipped" in res.output and "broken.xlsx" in res.output
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    p = status_of(plans / "moonbay.xlsx", dt.date.today())
    assert "Actions (open / overdue / verified)" in html
    assert re.search(f"<td class=.qr-num.>{p.open} / {p.overdue} / {p.verified}</td>", html)
    assert re.search("<td class=.qr-num.>—</td>", html)  # the office without a plan
    assert "Oldest overdue actions" in html
    for r in p.overdue_items.head(3).itertuples(index=False):
        assert f"{r.clause} · {r.id}" in html


def test_plan_cli_counts_findings_in_the_right_number(tmp_path):
    one = tmp_path / "one.yaml"
    write_responses(one, {"office": "One Office", "checklist": "gov-office"},
                    pd.DataFrame({"id": ["4.1-a"], "answer": ["no"]}), "gov-office")
    res = CliRunner().invoke(main, ["actions", "plan", str(one), "-o", str(tmp_path / "actions.xlsx")])
    assert res.exit_code == 0, res.output
    assert ": 1 action for One Office (1 question finding, 0 KPI findings)" in res.output
    write_responses(one, {"office": "One Office", "checklist": "gov-office"},
                    pd.DataFrame({"id": ["4.1-a", "4.1-b"], "answer": ["yes", "no"]}), "gov-office", backup=False)
    res = CliRunner().invoke(main, ["actions", "plan", str(one), "-o", str(tmp_path / "actions.xlsx")])
    assert res.exit_code == 0, res.output
    assert "1 new finding added, 0 kept with the office's entries, 1 no longer a finding (kept, marked)" in res.output


def test_report_counts_a_stale_plan_against_the_assessment_it_reports(tmp_path):
    """A plan made from last year's assessment, attached to this year's report (`report --actions` before
    `actions plan` was run again): an action whose finding this assessment no longer has is not open or
    overdue in that report (README: open = "open or in progress, and still a finding"), and the portfolio's
    oldest overdue actions do not list it. The plan itself (its in_assessment column) still says yes."""
    from qmskit.api import load_assessment
    from qmskit.render.actions_report import attached

    plan = tmp_path / "actions.xlsx"
    plan_file(BEFORE, plan, lang="en")
    wb = load_workbook(plan)
    ws = wb["Actions"]
    due = [c.value for c in ws[1]].index("Due date") + 1
    for row in range(2, ws.max_row + 1):
        ws.cell(row, due).value = "2020-01-01"  # every action long overdue
    wb.save(plan)
    a = load_assessment(AFTER, actions=plan)
    p = attached(a).progress
    now = set(a.gaps["id"]) | {k["id"] for k in a.kpi_findings}
    rows = read_actions(plan).plan
    still = rows[rows["id"].isin(now) & rows["status"].isin(["open", "in_progress", ""])]
    assert len(still) < len(rows)  # the example closed some of last year's findings
    assert p.open == p.overdue == len(still)
    assert set(p.overdue_items["id"]) == set(still["id"])
    assert p.resolved_by_reassessment == len(rows) - len(still)
    assert status_of(plan, dt.date.today()).open == len(rows)  # `actions status` reads the plan as written
    # the verdict's progress line accounts for every action: open + done + no longer a finding = total
    from qmskit.render.actions_report import progress_line
    gone = p.resolved_by_reassessment
    assert progress_line(a, "en").endswith(f" {gone} other actions: no longer a finding in this assessment.")
    assert progress_line(a, "zh").endswith(f"另有 {gone} 项在本次评估中已不再是发现项。")


def test_the_report_shows_the_owner_and_due_date_the_office_typed_in_the_plan(tmp_path):
    """The office fills in owners and dates in the action plan, not in the responses file: the report with
    the plan attached shows them, in the action plan by owner, in the finding's row and in the findings
    table (gaps.csv), which all agree (before: "unassigned · no date", found by a new user's session). The
    plan is written with the responses file's owners and dates, so one the office cleared there is blank."""
    from qmskit.api import load_assessment
    from qmskit.render import report
    from qmskit.render.findings_table import findings_frame

    plan = tmp_path / "actions.xlsx"
    plan_file(AFTER, plan, lang="en")
    wb = load_workbook(plan)
    ws = wb["Actions"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in ("ID", "Owner", "Due date")}
    qid, cleared = ws.cell(2, col["ID"]).value, ws.cell(3, col["ID"]).value
    ws.cell(2, col["Owner"]).value = "Ms. Wu (Admin)"
    ws.cell(2, col["Due date"]).value = dt.date(2027, 1, 15)
    ws.cell(3, col["Owner"]).value = ws.cell(3, col["Due date"]).value = None
    wb.save(plan)
    a = load_assessment(AFTER, actions=plan)
    by_id = a.gaps.set_index("id")
    assert by_id.at[qid, "owner"] != "Ms. Wu (Admin)" and by_id.at[cleared, "owner"]   # (the responses')
    by_owner = str(report.action_plan_html(a, "en"))
    assert "Ms. Wu (Admin)" in by_owner and "2027-01-15" in by_owner
    register = str(report.gap_register_html(a, "en"))
    row = register.split(f"<td>{qid}<td>", 1)[1].split("<tr", 1)[0]
    assert "Ms. Wu (Admin)" in row and "2027-01-15" in row
    assert by_id.at[cleared, "owner"] not in register.split(f"<td>{cleared}<td>", 1)[1].split("<tr", 1)[0]
    table = findings_frame(a, "en").set_index("id")
    assert (table.at[qid, "owner"], table.at[qid, "due"]) == ("Ms. Wu (Admin)", "2027-01-15")
    assert (table.at[cleared, "owner"], table.at[cleared, "due"]) == ("", "")


def _mark(plan: Path, ids: dict[str, dict[str, str]]) -> None:
    """Type into the plan as the office would: per action id, column header -> value."""
    wb = load_workbook(plan)
    ws = wb["Actions"]
    header = [c.value for c in ws[1]]
    for row in range(2, ws.max_row + 1):
        for col, value in ids.get(str(ws.cell(row, 1).value), {}).items():
            ws.cell(row, header.index(col) + 1).value = value
    wb.save(plan)


def test_a_done_action_the_re_assessment_still_finds_is_ineffective(tmp_path):
    """A new user's review: an action marked done whose gap the next assessment still finds was counted
    "done, not verified" and shown as "done" beside the open finding; to an auditor it is an ineffective
    corrective action. Closed before the re-assessment (or undated) and still found: ineffective, in
    `actions status` (table and --json) and the report; closed after it: waits for the next one."""
    from qmskit.api import load_assessment
    from qmskit.core.actions import finding_ids
    from qmskit.render.actions_report import progress_line, status_cells

    plan = tmp_path / "actions.xlsx"
    plan_file(BEFORE, plan, lang="en")
    after = load_assessment(AFTER)
    still = [i for i in read_actions(plan).plan["id"] if i in set(finding_ids(after))]
    undated, later, fresh = still[0], still[1], still[2]
    _mark(plan, {undated: {"Status": "done", "Closure evidence": "record"},
                 later: {"Status": "verified effective", "Closed date": "2099-01-01"}})
    plan_file(AFTER, plan, lang="en")  # the re-assessment folded in: the plan records what it still finds
    _mark(plan, {fresh: {"Status": "done"}})  # closed after the plan was updated: not ineffective
    p = status_of(plan, dt.date(2027, 1, 1))
    assert p.ineffective_ids == [undated] and p.ineffective == 1
    assert sum(p.columns().values()) == p.total
    doc = json.loads(CliRunner().invoke(main, ["actions", "status", str(plan), "--json"]).output)
    assert doc["ineffective"] == 1 and doc["ineffective_ids"] == [undated]
    res = CliRunner().invoke(main, ["actions", "status", str(plan), "--lang", "zh"])
    assert "无效" in res.output and undated in res.output
    a = load_assessment(AFTER, actions=plan)
    cells = dict(zip(finding_ids(a), status_cells(a, finding_ids(a), "en"), strict=True))
    assert cells[undated] == "ineffective: marked done, still a finding"
    assert cells[later].startswith("verified effective") and cells[fresh].startswith("done")
    assert " 1 action ineffective: marked done, but this assessment still finds the gap." in progress_line(a, "en")
    assert "另有 1 项措施无效" in progress_line(a, "zh")


def test_a_plan_goes_only_with_its_own_or_a_later_assessment(tmp_path):
    """A new user's review: plans were matched to assessments by office name only, so last year's report
    showed this year's plan (actions overdue that this year's assessment no longer finds, "no longer a
    finding" for a finding that first appeared this year), with no word. A plan from a later assessment
    is never applied to an earlier one; one from an earlier assessment (the follow-up) is, with a note
    naming both dates; in a batch, an office's plan goes with its latest assessment only."""
    from qmskit.api import attach_actions, load_assessment
    from qmskit.core.actions import PlanFit, latest_per_plan, plan_fit
    from qmskit.render.actions_report import attached

    assert plan_fit("abc", "2026-01-01", "abc", "2020-01-01") is PlanFit.SAME   # its own file
    assert plan_fit("abc", "2026-01-01", "def", "2026-01-01") is PlanFit.SAME   # re-saved the same day
    assert plan_fit("abc", "2025-11-10", "def", "2026-11-12") is PlanFit.OLDER
    assert plan_fit("abc", "2026-11-12", "def", "2025-11-10") is PlanFit.NEWER
    assert plan_fit("abc", "", "def", "2025-11-10") is PlanFit.UNKNOWN
    assert latest_per_plan(["p", None, "p", "q"], ["2026-01-01", None, "2025-01-01", None]) == [None, None, 0, None]

    newer = tmp_path / "newer.xlsx"
    plan_file(AFTER, newer, lang="en")
    old = load_assessment(BEFORE, actions=newer)
    assert attached(old) is None
    (note,) = [w for w in old.warnings if getattr(w, "key", "") == "actions.plan_newer"]
    assert "2025-" in note and "2026-" in note and "not applied" in note
    res = CliRunner().invoke(main, ["report", str(BEFORE), "-o", str(tmp_path / "out"), "--actions", str(newer)])
    assert res.exit_code == 0, res.output
    warned = [line for line in res.output.splitlines() if "newer.xlsx" in line and "not applied" in line]
    assert len(warned) == 1 and re.search(r"2026-\d\d-\d\d.*2025-\d\d-\d\d", warned[0]), res.output
    assert "Action plan (" not in (tmp_path / "out" / next((tmp_path / "out").glob("*.html")).name).read_text(
        encoding="utf-8")

    older = tmp_path / "older.xlsx"
    plan_file(BEFORE, older, lang="en")
    a = attach_actions(load_assessment(AFTER), None, older)
    assert attached(a) is not None
    assert [w for w in a.warnings if getattr(w, "key", "") == "actions.plan_older"]
    same = attach_actions(load_assessment(AFTER), None, newer)
    assert attached(same) is not None and not [w for w in same.warnings if "action plan" in str(w)]

    # a batch of both years: the plan of the later one only on the later one; last year's, given both, too
    from qmskit.batch.runner import run_batch
    for plan_from in (AFTER, BEFORE):
        plans = tmp_path / f"plans-{plan_from.stem}"
        plans.mkdir()
        plan_file(plan_from, plans / "moonbay.xlsx", lang="en")
        result = run_batch([BEFORE, AFTER], tmp_path / f"b-{plan_from.stem}", office_reports=False, progress=False,
                           actions=plans)
        by_date = {o.assessment.date: o.assessment for o in result.offices if o.assessment is not None}
        first, last = sorted(by_date)
        assert attached(by_date[last]) is not None and attached(by_date[first]) is None, plan_from
        assert any(last in str(w) and "moonbay.xlsx" in str(w) for w in by_date[first].warnings)


def test_another_offices_plan_is_not_applied_and_said(tmp_path):
    """`report --actions` with another office's plan showed that office's statuses against this office's
    findings, without a word (found by the same review): noted in one line naming both offices, not applied."""
    from qmskit.api import load_assessment
    from qmskit.render.actions_report import attached
    other = tmp_path / "other.xlsx"
    plan_file(GOV.parent / "offices" / "eastport-civil-affairs.xlsx", other, lang="en")
    a = load_assessment(AFTER, actions=other)
    assert attached(a) is None
    (note,) = [w for w in a.warnings if getattr(w, "key", "") == "actions.plan_other_office"]
    assert "another office" in str(note) and "Eastport" in str(note) and a.office in str(note)
