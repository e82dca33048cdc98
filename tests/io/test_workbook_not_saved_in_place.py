"""An office's .xlsx that qmskit reads but openpyxl cannot save into is never replaced by a fresh workbook.

Before: a workbook calamine reads (so the form opens it, ``score`` scores it) but openpyxl cannot load (a
row height or a validation written the way some other program writes it: ``TypeError: expected <class
'float'>``) was saved over with a fresh qmskit workbook: the office's own sheets, columns, comments and
formatting were gone, kept only in the .bak that five more form saves push out. And an owned cell under
merged cells the office made (Evidence merged across Notes) stopped every save with ``AttributeError:
'MergedCell' object attribute 'value' is read-only`` ("internal error" on the command line, the form's
saves failing for ever); ``actions plan`` into such a plan did the same. Now the office's file stays byte
for byte as it was, the save goes to ``<stem>.unsaved-<time>.xlsx`` beside it, and one line (en and zh)
says why. These tests failed before.
"""
from __future__ import annotations

import re
import sys
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from qmskit.errors import KeptAsCopyWarning, ResponsesWarning
from qmskit.i18n.catalog import say
from qmskit.io.responses import read_responses, write_responses

sys.path.insert(0, str(Path(__file__).parents[1]))
from savecheck import save_one_cell  # noqa: E402
from textcheck import assert_chinese_line  # noqa: E402

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"


def _office_file(tmp_path: Path, checklist=MINI) -> Path:
    """A qmskit workbook to which the office added its own sheet."""
    path = tmp_path / "office.xlsx"
    write_responses(path, {"office": "Riverside"}, pd.DataFrame([{"id": "4.1-a", "answer": "yes"}]), checklist,
                    backup=False)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Evidence list")["A1"] = "Calibration register, kept by Ms. Li"
    wb.save(path)
    return path


def _rewrite(path: Path, member: str, old: str, new: str) -> None:
    with zipfile.ZipFile(path) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    text = files[member].decode()
    assert old in text
    files[member] = text.replace(old, new, 1).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)


def unloadable(tmp_path: Path) -> Path:
    """Row 2's height written as text: calamine reads the workbook, openpyxl's load raises TypeError."""
    path = _office_file(tmp_path)
    _rewrite(path, "xl/worksheets/sheet2.xml", '<row r="2"', '<row ht="auto" customHeight="1" r="2"')
    with pytest.raises(TypeError):
        openpyxl.load_workbook(path)
    return path


def merged(tmp_path: Path, checklist=MINI) -> Path:
    """The office merged Evidence across Notes in 4.1-a's row (and typed its evidence there)."""
    path = _office_file(tmp_path, checklist)
    wb = openpyxl.load_workbook(path)
    ws = wb["Assessment"]
    header = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, header.index("ID") + 1).value == "4.1-a")
    evidence = header.index("Evidence") + 1
    assert header[evidence] == "Notes"
    ws.cell(row, evidence).value = "Context analysis 2026, signed"
    ws.merge_cells(start_row=row, start_column=evidence, end_row=row, end_column=evidence + 1)
    wb.save(path)
    return path


CASES = {"unloadable": (unloadable, "expected <class 'float'>"), "merged": (merged, "merged cells")}


def save_note(path: Path, note: str) -> tuple[Path, list[ResponsesWarning]]:
    return save_one_cell(path, MINI, "notes", note)


@pytest.mark.parametrize("case", list(CASES))
def test_the_office_file_is_kept_and_the_save_goes_to_a_copy(tmp_path, case):
    make, words = CASES[case]
    path = make(tmp_path)
    before = path.read_bytes()
    written, said = save_note(path, "ask the director")
    assert path.read_bytes() == before and not list(tmp_path.glob("office.xlsx.bak"))
    assert re.fullmatch(r"office\.unsaved-\d{8}-\d{6}(-\d+)?\.xlsx", written.name) and written.parent == tmp_path
    assert read_responses(written, MINI)[1].set_index("id").at["4.1-a", "notes"] == "ask the director"
    assert len(said) == 1 and isinstance(said[0], KeptAsCopyWarning) and said[0].copy == written
    line = str(said[0])
    assert "\n" not in line and line.startswith(f"{path}: ") and written.name in line and words in line, line
    assert_chinese_line(say(said[0], "zh"), path)


def test_a_merge_over_a_cell_with_nothing_to_write_is_saved_in_place(tmp_path):
    """Only a value that has to go under the office's merge sends the save to a copy."""
    path = merged(tmp_path)
    meta, frame = read_responses(path, MINI)
    frame.loc[frame["id"] == "4.1-b", "owner"] = "Ms. Chen"
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResponsesWarning)
        assert write_responses(path, meta, frame.drop(columns="row"), MINI) == path
    wb = openpyxl.load_workbook(path)
    assert "Evidence list" in wb.sheetnames and len(wb["Assessment"].merged_cells.ranges) == 1
    assert read_responses(path, MINI)[1].set_index("id").at["4.1-b", "owner"] == "Ms. Chen"


def test_the_form_saves_into_one_copy(tmp_path):
    from qmskit.forms.session import ResponsesSession
    path = merged(tmp_path)
    before = path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResponsesWarning)
        session = ResponsesSession(path, MINI, debounce=3600, max_delay=3600)
        try:
            for n in range(3):
                session.set("4.1-a", "notes", f"note v{n}")
                assert session.flush(), session.error
        finally:
            session.close()
    assert path.read_bytes() == before
    copies = sorted(tmp_path.glob("office.unsaved-*.xlsx"))
    assert copies == [session.path] and session.kept_from == path
    assert read_responses(copies[0], MINI)[1].set_index("id").at["4.1-a", "notes"] == "note v2"


def test_migrate_into_such_a_workbook_says_where_the_answers_went(tmp_path):
    """migrate notes 4.1-a (new in 2015: assess afresh), the cell under the office's merge."""
    from qmskit.cli import main
    path = merged(tmp_path, "iso9001-2015")
    old = tmp_path / "old.yaml"
    write_responses(old, {"office": "Riverside"}, pd.DataFrame([{"id": "2008-4.1-a", "answer": "no"}]),
                    "iso9001-2008-legacy", backup=False)
    before = path.read_bytes()
    res = CliRunner().invoke(main, ["migrate", str(old), "-o", str(path)])
    assert res.exit_code == 0, res.output
    assert "internal error" not in res.output and path.read_bytes() == before
    (copy,) = tmp_path.glob("office.unsaved-*.xlsx")
    assert copy.name in res.output and read_responses(copy)[1].set_index("id").at["4.1-a", "notes"]


def _plan(tmp_path: Path) -> tuple[Path, Path]:
    from qmskit.io.actions_xlsx import plan_file
    responses = tmp_path / "responses.xlsx"
    write_responses(responses, {"office": "Riverside"},
                    pd.DataFrame([{"id": "4.1-a", "answer": "no"}, {"id": "5-a", "answer": "no"}]), MINI, backup=False)
    plan = tmp_path / "plan.xlsx"
    plan_file(responses, plan, lang="en", checklist=MINI)
    return responses, plan


def plan_merged(tmp_path: Path) -> tuple[Path, Path]:
    """The office merged the Severity cells of the plan's two findings (both major), and the Owner cells
    (one owner for both, left blank)."""
    responses, plan = _plan(tmp_path)
    wb = openpyxl.load_workbook(plan)
    ws = wb["Actions"]
    header = [c.value for c in ws[1]]
    assert ws.cell(2, header.index("Severity") + 1).value == ws.cell(3, header.index("Severity") + 1).value
    for column in ("Severity", "Owner"):
        ws.merge_cells(start_row=2, start_column=header.index(column) + 1, end_row=3, end_column=header.index(column) + 1)
    wb.save(plan)
    return responses, plan


def plan_unloadable(tmp_path: Path) -> tuple[Path, Path]:
    responses, plan = _plan(tmp_path)
    _rewrite(plan, "xl/worksheets/sheet2.xml", '<row r="2"', '<row ht="auto" customHeight="1" r="2"')
    return responses, plan


@pytest.mark.parametrize("make", [plan_merged, plan_unloadable])
def test_actions_plan_into_such_a_plan_is_one_line_and_keeps_the_plan(tmp_path, make):
    from qmskit.cli import main
    responses, plan = make(tmp_path)
    before = plan.read_bytes()
    res = CliRunner().invoke(main, ["actions", "plan", str(responses), "-o", str(plan), "--checklist", str(MINI)])
    assert "internal error" not in res.output and "Traceback" not in res.output, res.output
    assert plan.read_bytes() == before
    lines = [line for line in res.output.splitlines() if line.strip()]
    copies = list(tmp_path.glob("plan.unsaved-*.xlsx"))
    if res.exit_code == 0:  # the plan went to a copy, and the line says where
        assert len(copies) == 1 and any(copies[0].name in line and str(plan) in line for line in lines), res.output
    else:  # refused: one line naming the plan
        assert res.exit_code == 1 and len(lines) == 1 and str(plan) in lines[0] and not copies, res.output
