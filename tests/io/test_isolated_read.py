"""A workbook the pre-scan's fast check cannot vouch for (and every .ods) is read by calamine in a child
process under a memory limit (qmskit.io.isolated_read): the same cells as in-process, and a file the
pre-scan misjudges costs one line instead of the process."""
from __future__ import annotations

import datetime as dt
import json
import re
import resource
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from qmskit.errors import ResponsesError
from qmskit.i18n.catalog import msg
from qmskit.i18n.numbers import fmt_size
from qmskit.io import isolated_read, xlsx_read
from qmskit.io.calamine_child import CANNOT_START
from qmskit.io.isolated_read import IsolatedBook, read_isolated
from qmskit.io.limits import MAX_COLUMNS, MAX_READER_MEMORY, MAX_READER_SECONDS, MAX_ROWS
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


def far_cell_sheet(data: bytes, ref: str = "XFD1048576") -> bytes:
    """A cell at ``ref`` besides the others (XFD1048576: calamine would build a 16,384 x 1,048,576 rectangle)."""
    row = re.match(r"[A-Z]+([0-9]+)", ref).group(1)
    return data.replace(b"</sheetData>", f'<row  r="{row}"><c  r="{ref}" t="inlineStr"><is><t>x</t>'
                        "</is></c></row></sheetData>".encode())


def test_a_file_calamine_would_build_too_large_costs_one_line_not_the_process(tmp_path):
    far = rewritten(typed_workbook(tmp_path / "plain.xlsx"), tmp_path / "far.xlsx", far_cell_sheet)
    with pytest.raises(ResponsesError) as caught:
        read_isolated(far.read_bytes(), far)      # (past the pre-scan, as if it had misjudged the file)
    assert str(caught.value) == f"{far}: {OVER_LIMITS}"


def test_when_the_walk_misjudges_a_sheet_the_limit_still_holds(tmp_path, monkeypatch):
    """The exact walk made to pass everything (as a disagreement with calamine would): the read is refused
    in one line. Before the child, calamine aborted the whole process here, asking for hundreds of GB."""
    far = rewritten(typed_workbook(tmp_path / "plain.xlsx"), tmp_path / "far.xlsx", far_cell_sheet)
    with pytest.raises(ResponsesError, match="reaches"):
        open_workbook(far)                        # (the walk, as it is, names the far cell)
    monkeypatch.setattr(xlsx_read, "_walk", lambda *args: None)
    with pytest.raises(ResponsesError) as caught:
        open_workbook(far)
    assert str(caught.value) == f"{far}: {OVER_LIMITS}"


def test_a_misjudged_sheet_that_fits_in_the_child_is_still_held_to_the_sheet_limits(tmp_path, monkeypatch):
    """A cell at GR45000 fits in the child's memory (45,000 x 200 cells): the child names how far the sheet
    reaches instead of handing this process 9 million cells (found by a review)."""
    far = rewritten(typed_workbook(tmp_path / "plain.xlsx"), tmp_path / "far.xlsx",
                    lambda data: far_cell_sheet(data, "GR45000"))
    monkeypatch.setattr(xlsx_read, "_walk", lambda *args: None)
    wb = open_workbook(far)
    with pytest.raises(ResponsesError) as caught:
        wb["Assessment"]
    expected = ResponsesError(msg("xlsx_read.too_many_rows", row=45_000, limit=MAX_ROWS), path=far, where="Assessment")
    assert str(caught.value) == str(expected)


def test_the_largest_sheet_the_limits_let_through_reads_within_the_childs_limit(tmp_path):
    from qmskit.io.formulas import column_letters

    letters = [column_letters(c) for c in range(1, MAX_COLUMNS + 1)]
    rows = "".join(f'<row  r="{r}">' + "".join(f'<c  r="{c}{r}" t="inlineStr"><is><t>{c}{r}</t></is></c>'
                                               for c in letters) + "</row>" for r in range(1, MAX_ROWS + 1))
    plain = typed_workbook(tmp_path / "plain.xlsx")
    big = rewritten(plain, tmp_path / "big.xlsx", lambda data: re.sub(
        rb"<sheetData>.*</sheetData>", b"<sheetData>" + rows.encode() + b"</sheetData>", data, flags=re.S))
    book = read_isolated(big.read_bytes(), big)
    got = book.get_sheet_by_name("Assessment").to_python()
    assert (len(got), len(got[0]), got[-1][-1]) == (MAX_ROWS, MAX_COLUMNS, f"{letters[-1]}{MAX_ROWS}")
    assert book.peak_kb * 1024 < MAX_READER_MEMORY / 2     # (its VmPeak: ~160 MB measured)


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


def child_request(memory: int, calamine: str = "/nonexistent") -> bytes:
    request = json.dumps({"memory": memory, "rows": 5, "columns": 5, "output": 1000, "calamine": calamine}).encode()
    return struct.pack(">I", len(request)) + request


def test_a_child_that_cannot_start_says_so_and_the_file_is_read_in_this_process(tmp_path, monkeypatch):
    """No python_calamine where the child looks (an interpreter without it; the request names no folder),
    or a hard address-space limit below the child's: exit status 3, and the reader falls back to this
    process (bounded by the walk) instead of blaming the file (found by a review)."""
    base = Path(sys.base_prefix) / "bin" / "python3"
    done = subprocess.run([str(base), "-I", str(isolated_read._CHILD)], input=child_request(MAX_READER_MEMORY),
                          capture_output=True, check=False)
    assert (done.returncode, done.stderr.startswith(b"cannot start: ")) == (CANNOT_START, True), done.stderr

    def hard_limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MAX_READER_MEMORY - 1, MAX_READER_MEMORY - 1))

    done = subprocess.run([sys.executable, "-I", str(isolated_read._CHILD)], input=child_request(MAX_READER_MEMORY),
                          capture_output=True, check=False, preexec_fn=hard_limit)
    assert (done.returncode, b"hard address-space limit" in done.stderr) == (CANNOT_START, True), done.stderr

    plain = typed_workbook(tmp_path / "plain.xlsx")
    odd = rewritten(plain, tmp_path / "odd.xlsx", two_spaces)
    monkeypatch.setattr(isolated_read, "_cannot_start", [])
    monkeypatch.setattr(isolated_read, "_CHILD", tmp_path / "cannot_start.py")
    isolated_read._CHILD.write_text(f"import sys\nsys.exit({CANNOT_START})\n")
    wb = open_workbook(odd)
    assert isinstance(wb._book, CalamineWorkbook)
    assert wb["Assessment"]._rows == in_process(plain)["Assessment"]
    assert isolated_read._cannot_start       # (and no child is started again in this process)


def test_the_child_finds_the_parents_calamine_whatever_the_interpreter_finds(tmp_path, monkeypatch):
    """An interpreter without python_calamine of its own (qmskit found it through PYTHONPATH, a --user
    install or a sys.path edit, which the child's -I leaves out): the request names the folder."""
    odd = rewritten(typed_workbook(tmp_path / "plain.xlsx"), tmp_path / "odd.xlsx", two_spaces)
    monkeypatch.setattr(isolated_read, "_cannot_start", [])
    monkeypatch.setattr(sys, "executable", str(Path(sys.base_prefix) / "bin" / "python3"))
    assert isinstance(open_workbook(odd)._book, IsolatedBook)


def test_a_child_that_fails_otherwise_blames_itself_not_the_file(tmp_path, monkeypatch):
    odd = rewritten(typed_workbook(tmp_path / "plain.xlsx"), tmp_path / "odd.xlsx", two_spaces)
    monkeypatch.setattr(isolated_read, "_cannot_start", [])
    monkeypatch.setattr(isolated_read, "_CHILD", tmp_path / "fails.py")
    isolated_read._CHILD.write_text("raise RuntimeError('a fault of the reader')\n")
    with pytest.raises(ResponsesError) as caught:
        open_workbook(odd)
    assert str(caught.value) == f"{odd}: {msg('isolated_read.failed', code=1)}"
    assert "a fault of the reader" in str(caught.value.__cause__)    # (what --debug shows)
