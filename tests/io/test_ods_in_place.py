"""An .ods is saved in place: only the cells qmskit owns change, what the office added to its sheets stays.

Before: every save of an .ods (each form autosave, ``migrate`` into it, a split part) rewrote the file
through pandas' odf engine, so a "Reviewer comment" column the office added to the Assessment sheet, its
cell styles, its comments (annotations), merged cells and validations were gone after the first save
(the office's other sheets were already carried over). These tests failed before.
"""
from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.dom import minidom

import openpyxl
import pandas as pd
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from qmskit.io.ods_update import OdsBook
from qmskit.io.responses import read_responses, write_responses

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"
GOV_XLSX = Path(__file__).parents[2] / "examples" / "gov" / "moonbay-district-office-2026.xlsx"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
OWNED = {5, 6, 7, 8, 9}  # answer, evidence, notes, owner, due: the Assessment columns qmskit writes
EVIDENCE = "Quality manual  v3\n\tsee =REGISTER!A1"  # two spaces, a tab, a leading = : all kept as typed


def soffice_convert(src: Path, to: str, outdir: Path) -> Path:
    if SOFFICE is None:
        pytest.skip("LIBREOFFICE TEST SKIPPED: soffice missing — apt-get install libreoffice-calc")
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{outdir}/profile", "--convert-to", to,
                    "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=180)
    return outdir / f"{src.stem}.{to}"


def book(path: Path) -> OdsBook:
    with zipfile.ZipFile(path) as zf:
        return OdsBook(minidom.parseString(zf.read("content.xml")))


def cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """Every cell that holds anything, as XML, by (row, column): the repeats LibreOffice writes expanded
    only where they hold something, so two files compare cell by cell."""
    ws = book(path).sheet(sheet)
    found = {}
    for run in ws.rows:
        for cell in ws._cell_runs(run.node):
            if cell.node.attributes.length or cell.node.childNodes:
                xml = cell.node.toxml().replace(f' table:number-columns-repeated="{cell.count}"', "")
                for r in range(run.start, min(run.start + run.count, ws.max_row)):
                    for c in range(cell.start, min(cell.start + cell.count, ws.max_column)):
                        found[(r + 1, c + 1)] = xml
    return found


def save(path: Path, **changes) -> None:
    """One save of the form: the given fields of question 4.1-a changed."""
    meta, frame = read_responses(path, MINI)
    for key, value in changes.items():
        frame.loc[frame["id"] == "4.1-a", key] = value
    write_responses(path, meta, frame.drop(columns="row"), MINI)


@pytest.fixture(scope="module")
def libreoffice_ods(tmp_path_factory) -> Path:
    """A qmskit workbook the office worked on (a "Reviewer comment" column with a yellow cell, a comment
    on an evidence cell, two merged cells), then saved as .ods by LibreOffice."""
    folder = tmp_path_factory.mktemp("lo")
    src = folder / "office.xlsx"
    write_responses(src, {"office": "Riverside"}, pd.DataFrame([{"id": "4.1-a", "answer": "yes"}]), MINI,
                    backup=False)
    wb = openpyxl.load_workbook(src)
    ws = wb["Assessment"]
    ws["M1"], ws["M3"], ws["M4"] = "Reviewer comment", "check again", "=1+1"
    ws["M3"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["F3"].comment = Comment("Ask the director", "QA")
    ws.merge_cells("M5:N6")
    wb.save(src)
    return soffice_convert(src, "ods", folder)


def test_a_libreoffice_ods_keeps_the_office_column_styles_comments_and_merges(libreoffice_ods, tmp_path):
    path = shutil.copyfile(libreoffice_ods, tmp_path / "office.ods")
    before = cells(path, "Assessment")
    for n in range(3):  # each save updates the file the last one wrote
        save(path, evidence=EVIDENCE, owner=f"=Ms. Chen {n}", answer="partial")
    meta, frame = read_responses(path, MINI)
    row = frame.set_index("id").loc["4.1-a"]
    assert (row["answer"], row["evidence"], row["owner"]) == ("partial", EVIDENCE, "=Ms. Chen 2")
    after = cells(path, "Assessment")
    changed = {rc for rc in before.keys() | after.keys() if before.get(rc) != after.get(rc)}
    assert changed == {(3, 5), (3, 6), (3, 8)}  # answer, evidence, owner of 4.1-a: nothing else
    assert "Ask the director" in after[(3, 6)] and 'style-name="' in after[(3, 6)]
    sheet = book(path).sheet("Assessment")
    assert [sheet.value(r, 13) for r in (1, 3, 4)] == ["Reviewer comment", "check again", 2.0]
    # LibreOffice opens what qmskit wrote and sees it all
    back = openpyxl.load_workbook(soffice_convert(path, "xlsx", tmp_path / "back"))
    ws = back["Assessment"]
    assert (ws["M1"].value, ws["M3"].value, ws["F3"].value, ws["H3"].value) == (
        "Reviewer comment", "check again", EVIDENCE, "=Ms. Chen 2")
    assert ws["F3"].comment is not None and "Ask the director" in ws["F3"].comment.text
    assert ws["M3"].fill.fgColor.rgb.endswith("FFFF00")
    assert "M5:N6" in [str(r) for r in ws.merged_cells.ranges]
    assert ws["M4"].value == "=1+1"


def test_office_and_kpi_values_of_a_libreoffice_ods_are_updated_in_place(tmp_path):
    path = soffice_convert(GOV_XLSX, "ods", tmp_path)
    meta, frame = read_responses(path)
    kpi = meta["kpis"][0]["id"]
    meta["assessor"] = "J. Wang"
    meta["kpis"] = [{**k, "value": 42.5} if k["id"] == kpi else k for k in meta["kpis"]]
    before = {name: cells(path, name) for name in ("Office", "KPIs")}
    write_responses(path, meta, frame.drop(columns="row"), meta["checklist"])
    meta2, _ = read_responses(path)
    assert meta2["assessor"] == "J. Wang"
    assert next(k for k in meta2["kpis"] if k["id"] == kpi)["value"] == 42.5
    for name, old in before.items():
        new = cells(path, name)
        assert len({rc for rc in old.keys() | new.keys() if old.get(rc) != new.get(rc)}) == 1, name


def own_ods_with_office_additions(path: Path) -> Path:
    """An .ods written by qmskit to which the office added a column (its cells styled) and a comment on an
    evidence cell, with odfpy (what any ODF tool writes)."""
    from odf.office import Annotation
    from odf.opendocument import load
    from odf.style import Style, TableCellProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    write_responses(path, {"office": "Riverside"}, pd.DataFrame([{"id": "4.1-a", "answer": "yes"}]), MINI,
                    backup=False)
    doc = load(str(path))
    yellow = Style(name="officeYellow", family="table-cell")
    yellow.addElement(TableCellProperties(backgroundcolor="#ffff00"))
    doc.automaticstyles.addElement(yellow)
    sheet = next(t for t in doc.spreadsheet.getElementsByType(Table) if t.getAttribute("name") == "Assessment")
    for n, row in enumerate(sheet.getElementsByType(TableRow)):
        cell = TableCell(valuetype="string", stylename=yellow)
        cell.addElement(P(text="Reviewer comment" if n == 0 else f"remark {n}"))
        row.addElement(cell)
        if n == 1:  # the evidence cell of 4.1-a (row 2: pandas writes no section rows)
            evidence = row.getElementsByType(TableCell)[5]
            note = Annotation()
            note.addElement(P(text="Ask the director"))
            evidence.insertBefore(note, evidence.firstChild)
    doc.save(str(path))
    return path


def test_an_ods_written_by_qmskit_keeps_the_column_and_comment_the_office_added(tmp_path):
    path = own_ods_with_office_additions(tmp_path / "own.ods")
    before = cells(path, "Assessment")
    save(path, evidence=EVIDENCE, notes="second save")
    save(path, notes="third save")
    after = cells(path, "Assessment")
    assert {rc for rc in before.keys() | after.keys() if before.get(rc) != after.get(rc)} == {(2, 6), (2, 7)}
    sheet = book(path).sheet("Assessment")
    assert [sheet.value(r, 13) for r in range(1, 4)] == ["Reviewer comment", "remark 1", "remark 2"]
    assert "Ask the director" in after[(2, 6)]
    frame = read_responses(path, MINI)[1].set_index("id")
    assert (frame.at["4.1-a", "evidence"], frame.at["4.1-a", "notes"]) == (EVIDENCE, "third save")


def test_a_question_row_and_an_owned_column_the_office_deleted_come_back(tmp_path):
    """The same rules as an .xlsx: a deleted question row at the bottom, a deleted owned column at the end."""
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    path = tmp_path / "own.ods"
    write_responses(path, {"office": "Riverside"}, pd.DataFrame([{"id": "5-b", "answer": "no"}]), MINI, backup=False)
    doc = load(str(path))
    sheet = next(t for t in doc.spreadsheet.getElementsByType(Table) if t.getAttribute("name") == "Assessment")
    rows = sheet.getElementsByType(TableRow)
    sheet.removeChild(rows[-1])                       # 5-b's row
    for row in rows[:-1]:                             # the Due column (the 9th)
        row.removeChild(row.getElementsByType(TableCell)[8])
    doc.save(str(path))
    meta, frame = read_responses(path, MINI)
    frame = pd.concat([frame.drop(columns="row"), pd.DataFrame([{"id": "5-b", "answer": "no", "due": "2026-03-01"}])])
    write_responses(path, meta, frame, MINI)
    got = read_responses(path, MINI)[1].set_index("id")
    assert (got.at["5-b", "answer"], got.at["5-b", "due"]) == ("no", "2026-03-01")
    sheet = book(path).sheet("Assessment")
    assert sheet.value(1, 12) == "Due date" and sheet.value(sheet.max_row, 2) == "5-b"


def test_an_office_and_a_kpi_sheet_the_office_deleted_are_written_again(tmp_path):
    from odf.opendocument import load
    from odf.table import Table

    meta, frame = read_responses(GOV_XLSX)
    path = tmp_path / "gov.ods"
    write_responses(path, meta, frame.drop(columns="row"), meta["checklist"], backup=False)
    doc = load(str(path))
    for table in list(doc.spreadsheet.getElementsByType(Table)):
        if table.getAttribute("name") in ("Office", "KPIs"):
            doc.spreadsheet.removeChild(table)
    doc.save(str(path))
    write_responses(path, meta, frame.drop(columns="row"), meta["checklist"])
    assert book(path).sheetnames == ["Office", "Assessment", "KPIs"]
    meta2, frame2 = read_responses(path)
    assert (meta2["office"], meta2["assessor"]) == (meta["office"], meta["assessor"])
    assert [(k["id"], k["value"]) for k in meta2["kpis"]] == [(k["id"], k["value"]) for k in meta["kpis"]]
    assert frame2["answer"].tolist() == frame["answer"].tolist()
