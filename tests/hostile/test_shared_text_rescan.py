"""The shared-text bound holds when the fast check gives up part-way through the shared strings.

sharedStrings.xml is named by the workbook's relationships, so the pre-scan reads it like a sheet: the
fast check first, the exact walk when the fast check cannot vouch for a stretch. The fast check records
where each <si> starts as it goes; when it gave up in the second megabyte, the strings after that point
were never recorded, and a cell naming one of them counted as copying nothing. The exact scan now records
the strings afresh."""
from __future__ import annotations

import pytest
from corpus import ASSESSMENT_HEADER, SHEET_HEAD, _col, inline, workbook

from qmskit.errors import ResponsesError


def test_a_long_string_after_a_comment_in_the_second_megabyte_is_bounded(tmp_path):
    from qmskit.io.xlsx_read import _CHUNK, prescan
    short = "<si><t>s</t></si>"
    before = (_CHUNK + _CHUNK // 2) // len(short)           # plain strings up to the middle of the second chunk
    after = (_CHUNK // 2 + 256 * 1024) // len(short)         # more, so the long one sits in the third chunk
    long_index = before + after
    shared = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
              'spreadsheetml/2006/main">' + short * before + "<!-- a comment the fast check leaves to the walk -->"
              + short * after + "<si><t>" + "y" * 9999 + "</t></si>" + short * 10 + "</sst>")
    assert shared.index("y" * 9999) > 2 * _CHUNK
    # 34 rows x 200 cells naming the long string: 68 MB of copies, far over the limit (limits.MAX_CELL_TEXT_BYTES)
    rows = ['<row r="1">' + "".join(inline(f"{_col(c)}1", h) for c, h in enumerate(ASSESSMENT_HEADER, start=1))
            + "</row>"]
    for r in range(2, 36):
        rows.append(f'<row r="{r}">' + "".join(f'<c r="{_col(c)}{r}" t="s"><v>{long_index}</v></c>'
                                               for c in range(1, 201)) + "</row>")
    sheet = SHEET_HEAD + "<sheetData>" + "".join(rows) + "</sheetData></worksheet>"
    path = workbook(tmp_path / "late-long-string.xlsx", sheet, shared=shared)
    with pytest.raises(ResponsesError, match="of text"):
        prescan(path)
