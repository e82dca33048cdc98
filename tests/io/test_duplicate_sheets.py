"""A workbook listing two sheets of one name (in any case, as Excel compares them) is refused in one line,
for reading and for saving into alike.

Before: a second <sheet name="Assessment"> in xl/workbook.xml, hidden and listed first, its part all "no",
was what qmskit read (score 0 where the visible sheet said all "yes"), and validate-responses found no
error (found by a hostile-input review). These tests failed before.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from qmskit.cli import main
from qmskit.errors import ResponsesError
from qmskit.io.responses import read_responses, write_responses

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"
IDS = ["4.1-a", "4.1-b", "4.2-a", "5-a", "5-b"]
ANSWERS = pd.DataFrame({"id": IDS, "answer": ["yes"] * 5, "evidence": ["seen"] * 5})
SHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def rewritten(path: Path, change) -> None:
    """``path`` with each member's bytes replaced by ``change(members)`` (a dict name → bytes, changed in place)."""
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    change(members)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in members.items():
            zout.writestr(name, data)


def with_second_sheet(path: Path, name: str, *, first: bool = True) -> None:
    """A hidden sheet ``name`` (XML-escaped as given) whose part is the Assessment sheet with every "yes"
    a "no", listed before (``first``) or after the others."""
    def change(m: dict[str, bytes]) -> None:
        rels = m["xl/_rels/workbook.xml.rels"].decode()
        assert b"<t>yes</t>" in m["xl/worksheets/sheet2.xml"]  # (openpyxl writes text as inline strings)
        m["xl/worksheets/sheet9.xml"] = m["xl/worksheets/sheet2.xml"].replace(b"<t>yes</t>", b"<t>no</t>")
        m["xl/_rels/workbook.xml.rels"] = rels.replace(
            "</Relationships>", f'<Relationship Type="{SHEET_TYPE}" Target="/xl/worksheets/sheet9.xml" '
                                'Id="rId99"/></Relationships>').encode()
        tag = f'<sheet name="{name}" sheetId="99" state="hidden" r:id="rId99"/>'
        book = m["xl/workbook.xml"].decode()
        m["xl/workbook.xml"] = (book.replace("<sheets>", "<sheets>" + tag) if first
                                else book.replace("</sheets>", tag + "</sheets>")).encode()
        m["[Content_Types].xml"] = m["[Content_Types].xml"].replace(b"</Types>", (
            b'<Override PartName="/xl/worksheets/sheet9.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'))
    rewritten(path, change)


def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "office.xlsx"
    write_responses(path, {"office": "X"}, ANSWERS, MINI, backup=False)
    return path


def refused(path: Path, line: str) -> None:
    """Reading, validating and saving into ``path`` all say ``line`` (after the file's name); the file unchanged."""
    before = path.read_bytes()
    with pytest.raises(ResponsesError) as read:
        read_responses(path, MINI)
    assert str(read.value) == f"{path}: {line}"
    res = CliRunner().invoke(main, ["validate-responses", str(path), "--checklist", str(MINI)])
    assert res.exit_code == 1 and "Traceback" not in res.output and line in res.output, res.output
    with pytest.raises(ResponsesError) as written:  # never replaced by a fresh workbook either
        write_responses(path, {"office": "X"}, ANSWERS.assign(answer="partial"), MINI)
    assert str(written.value) == str(read.value)
    assert path.read_bytes() == before
    assert not list(path.parent.glob(path.name + ".bak*"))


@pytest.mark.parametrize("first", [True, False])
def test_hidden_sheet_of_the_same_name(tmp_path, first):
    path = workbook(tmp_path)
    with_second_sheet(path, "Assessment", first=first)
    refused(path, "two sheets are named 'Assessment'; rename or remove one")


def test_names_differing_in_case_are_one_name(tmp_path):
    path = workbook(tmp_path)
    with_second_sheet(path, "ASSESSMENT")
    refused(path, "two sheets are named 'ASSESSMENT' and 'Assessment', one name to Excel (which tells no case "
                  "apart in sheet names); rename or remove one")


def test_a_name_written_with_references(tmp_path):
    path = workbook(tmp_path)
    with_second_sheet(path, "Assess&#109;en&#x74;", first=False)  # "Assessment", as an XML reader reads it
    refused(path, "two sheets are named 'Assessment'; rename or remove one")


def test_similar_names_are_still_read(tmp_path):
    path = workbook(tmp_path)
    with_second_sheet(path, "Assessment (2)")
    assert read_responses(path, MINI)[1]["answer"].tolist() == ["yes"] * 5


def test_ods_with_two_tables_of_one_name(tmp_path):
    path = tmp_path / "office.ods"
    write_responses(path, {"office": "X"}, ANSWERS, MINI, backup=False)

    def change(m: dict[str, bytes]) -> None:
        content = m["content.xml"].decode()
        table = re.search(r'<table:table table:name="Assessment".*?</table:table>', content, re.S)
        assert table
        copy = table.group().replace('table:name="Assessment"', 'table:name="assessment"')
        m["content.xml"] = content.replace(table.group(), copy.replace(">yes<", ">no<") + table.group()).encode()
    rewritten(path, change)
    refused(path, "two sheets are named 'assessment' and 'Assessment', one name to Excel (which tells no case "
                  "apart in sheet names); rename or remove one")
