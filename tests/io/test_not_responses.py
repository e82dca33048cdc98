"""A file that is not a responses file (an assessor-assignment YAML, a CSV or workbook without the
responses columns) is refused with one line naming the file: never scored as an empty office."""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from forkcli import run_qmskit

from qmskit.cli import main
from qmskit.errors import ResponsesError
from qmskit.io.responses import read_responses

ROOT = Path(__file__).resolve().parents[2]
GOV = ROOT / "examples" / "gov"
ASSIGN = GOV / "moonbay-assign.yaml"


def test_yaml_without_responses_key_is_refused():
    with pytest.raises(ResponsesError, match="not a responses file: no 'responses' key") as exc:
        read_responses(ASSIGN)
    assert str(ASSIGN) in str(exc.value)


@pytest.mark.parametrize("command", ["validate-responses", "score"])
def test_cli_refuses_assignment_yaml(command):
    result = CliRunner().invoke(main, [command, str(ASSIGN)])
    assert result.exit_code == 1, result.output
    assert "not a responses file: no 'responses' key" in result.output
    assert "Traceback" not in result.output and "Not started" not in result.output
    assert "no problems" not in result.output.lower()


def test_yaml_with_empty_responses_list_is_still_an_office(tmp_path):
    path = tmp_path / "new-office.yaml"
    path.write_text("office: New office\nchecklist: iso9001-2015\nresponses: []\n", encoding="utf-8")
    meta, frame = read_responses(path)
    assert meta["office"] == "New office" and len(frame) == 0


def test_csv_without_id_and_answer_columns_is_refused(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,clauses\nLi Wei,4\n", encoding="utf-8")
    with pytest.raises(ResponsesError, match=r"CSV header lacks column\(s\) id, answer"):
        read_responses(path)


@pytest.mark.parametrize(("sheet", "refusal"), [("Staff", "no sheet named 'Assessment'"),
                                                ("Assessment", "needs 'ID' and 'Answer' columns")])
def test_workbook_without_responses_is_refused(tmp_path, sheet, refusal):
    path = tmp_path / "staff.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = sheet
    wb.active.append(["Name", "Clauses"])
    wb.active.append(["Li Wei", "4"])
    wb.save(path)
    with pytest.raises(ResponsesError, match=refusal):
        read_responses(path)


@pytest.mark.slow
def test_batch_glob_lists_assignment_yaml_as_failed(tmp_path):
    folder = tmp_path / "gov"
    folder.mkdir()
    shutil.copy(ASSIGN, folder)
    shutil.copy(GOV / "silverbrook-county-office.yaml", folder)
    out = tmp_path / "out"
    # the pattern as the shell hands it over unexpanded; the CLI forked from the pre-imported interpreter
    proc = run_qmskit("batch", folder / "*.yaml", "-o", out, "--no-office-reports", "--workers", "1", "-q")
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "1 of 2 offices done" in proc.stdout
    assert "FAILED" in proc.stdout and "moonbay-assign.yaml: not a responses file" in proc.stdout
    portfolio = (out / "index.html").read_text(encoding="utf-8")
    assert "moonbay-assign" not in (out / "scores.csv").read_text(encoding="utf-8")
    assert "Silverbrook" in portfolio or "silverbrook" in portfolio.lower()
