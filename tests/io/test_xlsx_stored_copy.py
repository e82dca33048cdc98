"""calamine reads the bytes the pre-scan checked (qmskit.io.xlsx_read.stored_copy): the same cells as from
the file itself, for every workbook qmskit ships, writes or receives edited; and read_responses gives the
same (metadata, frame) whether the members are held or the file is read again (too large to hold)."""
from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from qmskit.io import xlsx_read
from qmskit.io.responses import read_responses
from qmskit.io.xlsx_read import _NO_MERGED_CELLS, _merged_cells_skipped, prescan_held, stored_copy

ROOT = Path(__file__).resolve().parents[2]
WORKBOOKS = sorted((ROOT / "examples").rglob("*.xlsx")) + sorted((ROOT / "tests" / "data").glob("*.xlsx"))
OFFICES = sorted((ROOT / "examples" / "offices").glob("*.xlsx"))  # responses workbooks (no action plans)


def cells(book: CalamineWorkbook) -> dict:
    out = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
    book.close()
    return out


def calamine_both_ways(path: Path) -> tuple[dict, dict]:
    held = prescan_held(path)[1]
    assert held is not None
    return (cells(CalamineWorkbook.from_path(str(path))),
            cells(CalamineWorkbook.from_filelike(io.BytesIO(stored_copy(held)))))


def edited(tmp_path: Path) -> Path:
    """An example workbook saved by openpyxl (shared strings), with typed cells and merged ranges."""
    import datetime as dt
    wb = openpyxl.load_workbook(ROOT / "examples" / "offices" / "eastport-civil-affairs.xlsx")
    ws = wb["Assessment"]
    ws.cell(3, 9).value = dt.datetime(2026, 5, 1)
    ws.cell(5, 7).value = 42
    ws.cell(6, 7).value = 3.5
    ws.cell(7, 8).value = True
    ws.merge_cells("G10:H12")
    ws.merge_cells("C20:D20")
    path = tmp_path / "edited.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_calamine_reads_the_same_cells_from_the_held_copy(path):
    direct, held = calamine_both_ways(path)
    assert held == direct


def test_merged_ranges_and_typed_cells_read_the_same(tmp_path):
    path = edited(tmp_path)
    direct, held = calamine_both_ways(path)
    assert held == direct
    copy = zipfile.ZipFile(io.BytesIO(stored_copy(prescan_held(path)[1])))
    assert copy.testzip() is None  # every CRC right
    sheet = copy.read("xl/worksheets/sheet2.xml")
    assert _NO_MERGED_CELLS in sheet[:1000] and b'ref="G10:H12"' in sheet


@pytest.mark.parametrize("path", OFFICES[:3] + [None], ids=lambda p: p.name if p else "edited")
def test_read_responses_is_the_same_held_or_read_again(path, tmp_path, monkeypatch):
    path = path or edited(tmp_path)

    def read():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            meta, frame = read_responses(path)
        return meta, frame, [str(w.message) for w in caught]

    meta, frame, said = read()
    monkeypatch.setattr(xlsx_read, "_HOLD_BYTES", 0)
    assert prescan_held(path)[1] is None
    meta_again, frame_again, said_again = read()
    assert meta == meta_again and said == said_again
    assert frame.equals(frame_again) and list(frame.dtypes) == list(frame_again.dtypes)


@pytest.mark.parametrize("head, marked", [
    (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="m">', True),
    (b'\xef\xbb\xbf<worksheet xmlns="m" a="x>y">', True),
    (b'<x:worksheet xmlns:x="m">', True),
    (b'<worksheet xmlns="m"/>', False),          # no element to put it in
    (b'<!-- c --><worksheet xmlns="m">', False),  # anything unusual first: left as it is
    (b'<chartsheet xmlns="m">', False),
])
def test_the_empty_merged_cells_go_just_inside_a_plain_root(head, marked):
    out = _merged_cells_skipped(head + b"<sheetData/></worksheet>")
    assert (out is not None) == marked
    if marked:
        assert out == head + _NO_MERGED_CELLS + b"<sheetData/></worksheet>"


@pytest.mark.parametrize("held", [True, False])
def test_a_file_replaced_after_the_check_is_not_read(tmp_path, monkeypatch, held):
    """calamine reads the bytes the pre-scan checked, never the path again: a workbook swapped in between
    (a sync client, a shared folder) is not what gets read. Before, members too large to hold made calamine
    open the path after the check: a swapped-in sheet reaching XFD1048576 aborted the process (SIGABRT)."""
    checked = tmp_path / "office.xlsx"
    wb = openpyxl.load_workbook(OFFICES[0])
    first = wb["Assessment"]["E3"].value
    other = "no" if first != "no" else "yes"
    wb["Assessment"]["E3"] = other
    swapped = tmp_path / "swapped.xlsx"
    wb.save(swapped)
    checked.write_bytes(OFFICES[0].read_bytes())
    if not held:
        monkeypatch.setattr(xlsx_read, "_HOLD_BYTES", 0)
    real = xlsx_read.prescan_held

    def check_then_swap(path, **kw):
        result = real(path, **kw)
        swapped.replace(path)  # after the check, before calamine opens anything
        return result

    monkeypatch.setattr(xlsx_read, "prescan_held", check_then_swap)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb_read = xlsx_read.open_workbook(checked)
    assert checked.read_bytes() != OFFICES[0].read_bytes()  # the swap happened
    assert wb_read["Assessment"].value(3, 5) == first != other


def test_an_ods_replaced_after_the_check_is_not_read(tmp_path, monkeypatch):
    """The same for an .ods: calamine reads the bytes its pre-scan checked (a swapped-in file with 99,000 x
    1,000 cells scored at ~10 GB before)."""
    import qmskit
    from qmskit.io import ods
    from qmskit.io.responses import write_responses
    cl = qmskit.load_checklist("iso9001-2015")
    frame = cl.questions[["id"]].head(5).copy()
    frame["answer"] = "yes"
    checked = write_responses(tmp_path / "office.ods", {"office": "X"}, frame, cl, backup=False)
    frame["answer"] = "no"
    swapped = write_responses(tmp_path / "swapped.ods", {"office": "X"}, frame, cl, backup=False)
    real = ods.prescan_read

    def check_then_swap(path):
        result = real(path)
        swapped.replace(path)
        return result

    monkeypatch.setattr(ods, "prescan_read", check_then_swap)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, read = read_responses(checked, cl)
    assert not swapped.exists()  # the swap happened
    assert set(read.dropna(subset=["answer"])["answer"].head(5)) == {"yes"}
