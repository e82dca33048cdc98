"""Hostile .ods files an office's answers are saved into (``migrate -o``, the form, a split part): one line
naming the file, exit 1, ≤ 500 MB, nothing written, the file as it was.

Before: saving into an .ods builds its whole content.xml in memory (xml.dom.minidom, or odfpy when its
sheets are carried into a fresh file), bounded only by its size (8 MB). A content.xml of 7.5 MB holding
1.4 million short attributes, within every read limit, took the save to 800 MB (1 GB with the carry); and
3,000 nested spans in a cell ended it in a RecursionError ("internal error", or, caught as a damaged zip
member, "not an .ods" and the office's file replaced by a fresh one). These tests failed before.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from harness import corpus, run_cli  # noqa: F401  (corpus is a fixture)

NS = ('xmlns:t="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:o="urn:oasis:names:tc:opendocument:xmlns:office:1.0"')


def _old(corpus: Path) -> Path:
    """A 2008-structure assessment to migrate from."""
    import pandas as pd

    from qmskit.io.responses import write_responses
    path = corpus / "old-2008.yaml"
    if not path.exists():
        write_responses(path, {"office": "Calc Office"}, pd.DataFrame([{"id": "2008-4.1-a", "answer": "no"}]),
                        "iso9001-2008-legacy", backup=False)
    return path


def _office_ods(corpus: Path, name: str, change) -> Path:
    """A qmskit .ods (the 2015 checklist, a few answers) whose content.xml ``change`` rewrote."""
    from corpus import answered_file
    path = answered_file(corpus / name, "Calc Office")
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        data = {i.filename: zf.read(i) for i in infos}
    data["content.xml"] = change(data["content.xml"].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in infos:
            zf.writestr(info, data[info.filename])
    return path


def _with_sheet(sheet: str, *, rename_assessment: bool = False):
    def change(content: str) -> str:
        content = content.replace("<office:document-content ", f"<office:document-content {NS} ", 1)
        if rename_assessment:
            content = content.replace('table:name="Assessment"', 'table:name="Assessment 2025"')
        return content.replace("</office:spreadsheet>", sheet + "</office:spreadsheet>")
    return change


# 170,000 empty elements of 8 attributes each in one cell's paragraph (7.5 MB; calamine reads the cell's text)
MANY_ATTRIBUTES = ('<t:table t:name="Notes"><t:table-row><t:table-cell o:value-type="string"><text:p>'
                   + '<x a="" b="" c="" d="" e="" f="" g="" h=""/>' * 170_000
                   + "</text:p></t:table-cell></t:table-row></t:table>")
DEEP = ('<t:table t:name="Notes"><t:table-row><t:table-cell o:value-type="string"><text:p>'
        + "<text:span>" * 3000 + "x" + "</text:span>" * 3000 + "</text:p></t:table-cell></t:table-row></t:table>")

CASES = {"many-attributes": (MANY_ATTRIBUTES, False, "elements and attributes"),
         "many-attributes-carried": (MANY_ATTRIBUTES, True, "elements and attributes"),
         "deep": (DEEP, False, "nested"),
         "deep-carried": (DEEP, True, "nested")}


@pytest.mark.parametrize("case", list(CASES))
def test_saving_into_a_hostile_ods_is_one_line_and_writes_nothing(corpus, case):
    sheet, rename, words = CASES[case]
    path = _office_ods(corpus, f"save-{case}.ods", _with_sheet(sheet, rename_assessment=rename))
    before = path.read_bytes()
    run = run_cli(["migrate", _old(corpus), "-o", path], cwd=corpus)
    run.assert_one_line_error(str(path), words)
    assert path.read_bytes() == before
    assert not list(corpus.glob(f"save-{case}.ods.*bak")) and not list(corpus.glob(f"save-{case}.unsaved-*"))
