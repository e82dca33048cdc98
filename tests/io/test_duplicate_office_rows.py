"""A key of the Office sheet qmskit reads (Office, Scope, Assessor …) given on two rows: the reader took the
last row, the in-place writer updates the first, so an edit saved into one never read back. Refused in one
line naming the sheet, the label and both rows; a row the office added under its own label may repeat."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

import qmskit
from qmskit.errors import ResponsesError

CL = "iso9001-2015"


def _workbook(tmp_path):
    cl = qmskit.load_checklist(CL)
    path = qmskit.write_responses(tmp_path / "o.xlsx", {"office": "North", "scope": "Licensing"},
                                  pd.DataFrame({"id": cl.questions["id"]}), cl, backup=False)
    wb = openpyxl.load_workbook(path)
    ws = wb["Office"]
    labels = {str(ws.cell(r, 1).value).strip(): r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value}
    return path, wb, ws, labels


def test_a_key_given_on_two_rows_is_refused(tmp_path):
    path, wb, ws, labels = _workbook(tmp_path)
    row = ws.max_row + 1
    ws.cell(row, 1).value, ws.cell(row, 2).value = "Scope of certification", "Everything"
    wb.save(path)
    with pytest.raises(ResponsesError) as err:
        qmskit.read_responses(path)
    assert str(err.value) == (f"{path}:Office: 'Scope of certification' is given on rows "
                              f"{labels['Scope of certification']} and {row}; remove one")


def test_the_offices_own_label_may_repeat(tmp_path):
    path, wb, ws, _labels = _workbook(tmp_path)
    for value in ("a", "b"):
        row = ws.max_row + 1
        ws.cell(row, 1).value, ws.cell(row, 2).value = "Our note", value
    wb.save(path)
    meta, _frame = qmskit.read_responses(path)
    assert meta["scope"] == "Licensing"
