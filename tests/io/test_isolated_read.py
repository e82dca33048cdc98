"""A workbook the pre-scan's fast check cannot vouch for (and every .ods) is read by calamine in a child
process under a memory limit (qmskit.io.isolated_read): the same cells as in-process, and a file the
pre-scan misjudges costs one line instead of the process."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from qmskit.errors import ResponsesError
from qmskit.i18n.catalog import msg
from qmskit.i18n.numbers import fmt_size
from qmskit.io import xlsx_read
from qmskit.io.isolated_read import IsolatedBook
from qmskit.io.limits import MAX_READER_MEMORY, MAX_READER_SECONDS
from qmskit.io.xlsx_read import open_workbook, prescan_held

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "examples").rglob("*.xlsx")) + sorted((ROOT / "tests" / "data").glob("*.xlsx"))
OVER_LIMITS = msg("isolated_read.over_limits", memory=fmt_size(MAX_READER_MEMORY), seconds=MAX_READER_SECONDS)

VALUES = [["text", "中文 ✓", 3, 2.5, True],
          [dt.datetime(2024, 5, 6, 7, 8, 9), dt.date(2023, 1, 2), dt.time(10, 11, 12), None, -0.125]]


def typed_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Assessment"
    for row in VALUES:
        ws.append(row)
    ws["D2"] = dt.timedelta(days=1, hours=2)
    wb.save(path)
    return path


def rewritten(path: Path, out: Path, change) -> Path:
    """``path`` with its first sheet's XML passed through ``change``."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            dst.writestr(info, data)
    return out


def two_spaces(data: bytes) -> bytes:
    """Every cell tag with two spaces before its r: read alike by every reader, vouched by no fast check."""
    return re.sub(rb"<c r=", b"<c  r=", data)


def in_process(path: Path) -> dict:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def test_every_workbook_qmskit_ships_or_tests_is_vouched_for_and_read_in_process():
    assert SHIPPED
    for path in SHIPPED:
        assert prescan_held(path).vouched, path
        assert isinstance(open_workbook(path)._book, CalamineWorkbook), path


def test_a_sheet_not_vouched_for_reads_in_a_child_with_the_same_cells(tmp_path):
    plain = typed_workbook(tmp_path / "plain.xlsx")
    odd = rewritten(plain, tmp_path / "odd.xlsx", two_spaces)
    assert not prescan_held(odd).vouched
    wb = open_workbook(odd)
    assert isinstance(wb._book, IsolatedBook)
    assert wb.sheetnames == ["Assessment"]
    expected = in_process(plain)["Assessment"]
    assert wb["Assessment"]._rows == expected
    kinds = {type(v) for row in expected for v in row}
    assert {str, float, bool, dt.datetime, dt.date, dt.time, dt.timedelta} <= kinds   # (every kind crossed)


def test_an_ods_reads_in_a_child(tmp_path):
    from qmskit.io.ods import open_workbook_for
    from qmskit.io.responses import read_responses, write_responses

    meta, frame = read_responses(ROOT / "examples" / "offices" / "eastport-civil-affairs.xlsx")
    ods = tmp_path / "office.ods"
    write_responses(ods, meta, frame.drop(columns="row"), meta["checklist"], backup=False)
    assert isinstance(open_workbook_for(ods)._book, IsolatedBook)
    assert read_responses(ods)[1]["answer"].tolist() == frame["answer"].tolist()


def far_cell_sheet(data: bytes) -> bytes:
    """A cell at XFD1048576 besides the others: calamine would build a 16,384 x 1,048,576 rectangle."""
    return data.replace(b"</sheetData>", b'<row  r="1048576"><c  r="XFD1048576" t="inlineStr"><is><t>x</t>'
                        b"</is></c></row></sheetData>")


def test_a_file_calamine_would_build_too_large_costs_one_line_not_the_process(tmp_path):
    far = rewritten(typed_workbook(tmp_path / "plain.xlsx"), tmp_path / "far.xlsx", far_cell_sheet)
    book = IsolatedBook(far.read_bytes(), far)    # (past the pre-scan, as if it had misjudged the file)
    assert book.sheet_names == ["Assessment"]
    with pytest.raises(ResponsesError) as caught:
        book.get_sheet_by_name("Assessment").to_python()
    assert str(caught.value) == f"{far}: {OVER_LIMITS}"


def test_when_the_walk_misjudges_a_sheet_the_limit_still_holds(tmp_path, monkeypatch):
    """The exact walk made to pass everything (as a disagreement with calamine would): the read is refused
    in one line. Before the child, calamine aborted the whole process here, asking for hundreds of GB."""
    far = rewritten(typed_workbook(tmp_path / "plain.xlsx"), tmp_path / "far.xlsx", far_cell_sheet)
    with pytest.raises(ResponsesError, match="reaches"):
        open_workbook(far)                        # (the walk, as it is, names the far cell)
    monkeypatch.setattr(xlsx_read, "_walk", lambda *args: None)
    wb = open_workbook(far)
    with pytest.raises(ResponsesError) as caught:
        wb["Assessment"]
    assert str(caught.value) == f"{far}: {OVER_LIMITS}"


def test_the_largest_sheet_the_limits_let_through_reads_within_the_childs_limit(tmp_path):
    from qmskit.io.formulas import column_letters
    from qmskit.io.limits import MAX_COLUMNS, MAX_ROWS

    letters = [column_letters(c) for c in range(1, MAX_COLUMNS + 1)]
    rows = "".join(f'<row  r="{r}">' + "".join(f'<c  r="{c}{r}" t="inlineStr"><is><t>{c}{r}</t></is></c>'
                                               for c in letters) + "</row>" for r in range(1, MAX_ROWS + 1))
    plain = typed_workbook(tmp_path / "plain.xlsx")
    big = rewritten(plain, tmp_path / "big.xlsx", lambda data: re.sub(
        rb"<sheetData>.*</sheetData>", b"<sheetData>" + rows.encode() + b"</sheetData>", data, flags=re.S))
    got = IsolatedBook(big.read_bytes(), big).get_sheet_by_name("Assessment").to_python()
    assert (len(got), len(got[0]), got[-1][-1]) == (MAX_ROWS, MAX_COLUMNS, f"{letters[-1]}{MAX_ROWS}")


def test_calamine_refusing_a_sheet_in_the_child_is_its_usual_line(tmp_path):
    def bad_number(data: bytes) -> bytes:
        return two_spaces(data).replace(b"<v>3</v>", b"<v>three</v>", 1)

    odd = rewritten(typed_workbook(tmp_path / "plain.xlsx"), tmp_path / "odd.xlsx", bad_number)
    wb = open_workbook(odd)
    assert isinstance(wb._book, IsolatedBook)
    with pytest.raises(ResponsesError) as caught:
        wb["Assessment"]
    expected = msg("xlsx_read.sheet_unreadable", base=msg(xlsx_read.NOT_A_WORKBOOK), sheet="Assessment")
    assert str(caught.value) == f"{odd}: {expected}"
