"""Text holding ``_xHHHH_`` survives a workbook round trip: written escaped (``_x005F_xHHHH_``, OOXML's rule,
as Excel writes it), read back exactly by calamine and by openpyxl, and saved in place again and again
without being escaped twice or losing its escape.

Before: openpyxl wrote the text as it is and calamine read it as the character it names: evidence
"file_x0041_.pdf" read back as "fileA.pdf", "ref _x000D_ 12" gained a line break (found by a hostile-input
review). These tests failed before.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from qmskit.io.actions_xlsx import plan_file, read_actions
from qmskit.io.responses import read_responses, write_responses
from qmskit.io.xlsx_read import open_workbook

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"
IDS = ["4.1-a", "4.1-b", "4.2-a", "5-a", "5-b"]
TEXTS = ["file_x0041_.pdf", "ref _x000D_ 12", "_x005F_", "_x005F_x0041_ and _x00e9_", "_X0041_ stays"]


def frame(answer: str = "partial") -> pd.DataFrame:
    return pd.DataFrame({"id": IDS, "answer": [answer] * 5, "evidence": TEXTS, "notes": TEXTS[::-1],
                         "owner": TEXTS})


def read_back(path: Path) -> pd.DataFrame:
    got = read_responses(path, MINI)[1].set_index("id")
    return got.loc[IDS, ["evidence", "notes", "owner"]]


def assert_exact(path: Path, meta_value: str) -> None:
    got = read_back(path)
    assert got["evidence"].tolist() == TEXTS and got["notes"].tolist() == TEXTS[::-1]
    assert got["owner"].tolist() == TEXTS
    assert read_responses(path, MINI)[0]["scope"] == meta_value
    # openpyxl as the in-place save loads it reads the same text (but where the text itself holds "x005F_":
    # openpyxl drops every one of those, whatever follows)
    ws = openpyxl.load_workbook(path, rich_text=True)["Assessment"]
    loaded = [str(ws.cell(r, 6).value) for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value in IDS]
    assert [a for a, b in zip(loaded, TEXTS) if "x005F_" not in b] == [b for b in TEXTS if "x005F_" not in b]
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet2.xml").decode()
    escaped = lambda text: re.sub("_(?=x[0-9A-Fa-f]{4}_)", "_x005F_", text)  # noqa: E731  (OOXML's rule)
    for text in TEXTS:  # escaped once, never twice
        if escaped(text) != text:
            assert escaped(text) in sheet and escaped(escaped(text)) not in sheet


@pytest.mark.parametrize("text", TEXTS + ["plain", "_x", "__x0041__", "_x005F_x005F_"])
def test_escape_is_undone_exactly(text):
    from qmskit.io.cells import ooxml_escaped, ooxml_unescaped_literals
    assert ooxml_unescaped_literals(ooxml_escaped(text)) == text


def test_new_workbook_reads_back_exactly(tmp_path):
    path = tmp_path / "office.xlsx"
    write_responses(path, {"office": "X", "scope": "scope_x0041_"}, frame(), MINI, backup=False)
    assert_exact(path, "scope_x0041_")


def test_saved_in_place_again_and_again(tmp_path):
    path = tmp_path / "office.xlsx"
    write_responses(path, {"office": "X", "scope": "scope_x0041_"}, frame(), MINI, backup=False)
    for answer in ("yes", "no", "no"):  # a changed answer, then nothing changed: each cell as read
        meta, got = read_responses(path, MINI)
        write_responses(path, meta, got.assign(answer=answer), MINI, backup=False)
        assert_exact(path, "scope_x0041_")


def test_action_plan_reads_back_exactly(tmp_path):
    responses, plan = tmp_path / "office.xlsx", tmp_path / "plan.xlsx"
    write_responses(responses, {"office": "X"}, frame(), MINI, backup=False)
    for _ in range(2):  # written, then updated in place
        plan_file(responses, plan, lang="en", checklist=MINI)
        rows = read_actions(plan).plan.set_index("id")
        assert set(IDS) <= set(rows.index)  # every answer partial: a finding each
        wanted = dict(zip(IDS, TEXTS))
        assert {q: rows.at[q, "owner"] for q in IDS if q in rows.index} == {q: wanted[q] for q in IDS
                                                                           if q in rows.index}
        book = open_workbook(plan)  # calamine reads the plan's text as openpyxl does
        try:
            texts = {str(v) for row in book["Actions"].iter_rows() for v in row if v is not None}
        finally:
            book.close()
        assert {wanted[q] for q in rows.index if q in wanted} <= texts and "fileA.pdf" not in texts
