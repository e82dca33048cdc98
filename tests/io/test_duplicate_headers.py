"""A header qmskit reads given twice is refused, by the reader and by the in-place writer alike.

Before: the reader took the last column under a header it knows and the in-place writer the first, so a
workbook whose column E said "yes" (with evidence) and whose office's own column N headed "Answer" said
"no" scored 0 without a word, and an answer the form saved into E never read back (found by a
hostile-input review). These tests failed before: the reader read N, the writer wrote E.
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from xml.dom import minidom

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from qmskit.cli import main
from qmskit.errors import ResponsesError
from qmskit.io.ods_update import OdsBook, serialized
from qmskit.io.responses import read_responses, write_responses

DATA = Path(__file__).parents[1] / "data"
MINI, VERDICT = DATA / "mini.yaml", DATA / "verdict.yaml"
IDS = ["4.1-a", "4.1-b", "4.2-a", "5-a", "5-b"]
ANSWERS = pd.DataFrame({"id": IDS, "answer": ["yes"] * 5, "evidence": ["seen"] * 5})


def add_column(path: Path, sheet: str, col: int, header: str, value: str | None) -> None:
    """The office's own column ``col`` of ``sheet`` headed ``header``, ``value`` in every row below it."""
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path)
        ws = wb[sheet]
        ws.cell(1, col).value = header
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, 1).value is not None and value is not None:
                ws.cell(r, col).value = value
        wb.save(path)
        return
    with zipfile.ZipFile(path) as zf:
        members = {i: zf.read(i) for i in zf.infolist()}
    content = next(i for i in members if i.filename == "content.xml")
    book = OdsBook(minidom.parseString(members[content]))
    ws = book.sheet(sheet)
    ws.put(1, col, header)
    for r in range(2, ws.max_row + 1):
        if value is not None:
            ws.put(r, col, value)
    members[content] = serialized(book.dom)
    with zipfile.ZipFile(path, "w") as zout:
        for info, data in members.items():
            zout.writestr(info, data)


@pytest.fixture(params=["xlsx", "ods"])
def suffix(request) -> str:
    return request.param


def refused_alike(path: Path, line: str, checklist: Path = MINI) -> None:
    """Reading ``path`` and saving into it both raise ``line`` (after the file's name); the file unchanged."""
    before = path.read_bytes()
    with pytest.raises(ResponsesError) as read:
        read_responses(path, checklist)
    assert str(read.value) == f"{path}:{line}"
    with pytest.raises(ResponsesError) as written:
        write_responses(path, {"office": "X"}, ANSWERS.assign(answer="partial"), checklist)
    assert str(written.value) == str(read.value)
    assert path.read_bytes() == before
    assert not list(path.parent.glob(path.name + ".bak*"))  # nothing replaced, so nothing backed up


def test_second_answer_column_is_refused(tmp_path, suffix):
    path = tmp_path / f"office.{suffix}"
    write_responses(path, {"office": "X"}, ANSWERS, MINI, backup=False)
    add_column(path, "Assessment", 14, "Answer", "no")
    refused_alike(path, "Assessment: the header 'Answer' is in columns E and N; rename or remove one")


@pytest.mark.parametrize("header", ["ID", "evidence", " NOTES ", "Owner", "Due date", "证据"])
def test_every_column_read_counts(tmp_path, header):
    path = tmp_path / "office.xlsx"
    write_responses(path, {"office": "X"}, ANSWERS, MINI, backup=False)
    add_column(path, "Assessment", 20, header, None)
    with pytest.raises(ResponsesError, match=r"Assessment: the headers? '.*' (is in columns|in column) [A-Z]\b.* T\b"):
        read_responses(path)


def test_english_and_chinese_header_of_one_column(tmp_path, suffix):
    path = tmp_path / f"office.{suffix}"
    write_responses(path, {"office": "X"}, ANSWERS, MINI, backup=False)
    add_column(path, "Assessment", 14, "答案", "否")
    refused_alike(path, "Assessment: the headers 'Answer' in column E and '答案' in column N name the same "
                        "column; rename or remove one")


def test_kpi_value_column_twice(tmp_path, suffix):
    path = tmp_path / f"office.{suffix}"
    write_responses(path, {"office": "X"}, pd.DataFrame({"id": [], "answer": []}), VERDICT, backup=False)
    add_column(path, "KPIs", 8, "Value", None)
    with pytest.raises(ResponsesError) as read:
        read_responses(path, VERDICT)
    assert str(read.value) == f"{path}:KPIs: the header 'Value' is in columns E and H; rename or remove one"
    before = path.read_bytes()
    with pytest.raises(ResponsesError, match="KPIs: the header 'Value'"):
        write_responses(path, {"office": "X"}, pd.DataFrame({"id": [], "answer": []}), VERDICT)
    assert path.read_bytes() == before


def test_columns_nobody_reads_may_repeat(tmp_path, suffix):
    """A second "Question" or "Critical" column is the office's own business: read and saved as before."""
    path = tmp_path / f"office.{suffix}"
    write_responses(path, {"office": "X"}, ANSWERS, MINI, backup=False)
    add_column(path, "Assessment", 14, "Question", "my note")
    write_responses(path, {"office": "X"}, ANSWERS.assign(answer="partial"), MINI)
    assert read_responses(path, MINI)[1]["answer"].tolist() == ["partial"] * 5


def test_cli_says_one_line_in_either_language(tmp_path):
    path = tmp_path / "office.xlsx"
    write_responses(path, {"office": "X"}, ANSWERS, MINI, backup=False)
    add_column(path, "Assessment", 14, "Answer", "no")
    res = CliRunner().invoke(main, ["score", str(path)])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        f"error: {path}:Assessment: the header 'Answer' is in columns E and N; rename or remove one"]
    res = CliRunner().invoke(main, ["--lang", "zh", "score", str(path)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "表头“Answer”同时出现在第 E 列和第 N 列" in res.output
