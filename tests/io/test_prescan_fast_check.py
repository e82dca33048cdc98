"""The .xlsx pre-scan's fast check (qmskit.io.xlsx_read._plain_and_near) only ever vouches for sheet XML
that the exact walk (_walk, the one that names the row or column in its message) also lets through, so
every hostile reference form still reaches the walk and is refused with the same line; and it does vouch
for the sheets qmskit, Excel and LibreOffice write (otherwise the speed is not real). Both of its forms are
held to that: one compiled pattern for a stretch up to _ONE_PATTERN_MAX, numpy passes for a longer one
(each test runs on the bare sheet and on one padded past that length)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from qmskit.errors import ResponsesError
from qmskit.io.limits import MAX_COLUMNS
from qmskit.io.xlsx_read import _ONE_PATTERN_MAX, _V_TAG, _fast_check, _plain_and_near, _Walk, _walk

DATA = Path(__file__).resolve().parents[1] / "data"
HEAD = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


def cell(ref: str, text: str = "x") -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet(*rows: str, pad: bool = False) -> bytes:
    body = "".join(rows) or "<row r=\"1\">" + cell("A1") + "</row>"
    header = '<row r="1">' + cell("A1", "ID") + cell("B1", "Answer") + "</row>"
    return (HEAD + header + body + (PAD if pad else "") + "</sheetData></worksheet>").encode()


# plain cells enough to take a stretch past _ONE_PATTERN_MAX, to the numpy passes
PAD = '<row r="4000">' + "".join(cell(f"{c}4000", "plain text") for c in "ABCDEFGHIJ") + "</row>"
PAD *= _ONE_PATTERN_MAX // len(PAD) + 1
PADDED = pytest.mark.parametrize("pad", [False, True], ids=["one-pattern", "numpy"])


def walk_passes(part: bytes) -> bool:
    try:
        _walk(part, _Walk(), Path("t.xlsx"), "xl/worksheets/sheet1.xml")
    except ResponsesError:
        return False
    return True


# every spelling the hostile corpus uses (tests/hostile/test_inputs.py) and more that readers accept
HOSTILE = {
    "far": '<row r="1048576">' + cell("XFD1048576") + "</row>",
    "single-quoted": "<row r='1048576'><c r='XFD1048576' t=\"inlineStr\"><is><t>x</t></is></c></row>",
    "spaces-around-equals": '<row r = "1048576"><c r = "XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "space-before-equals-only": '<row r="3"><c r ="XFD3"><v>1</v></c></row>',
    "tab-before-r": '<row r="3"><c\tr="XFD3"><v>1</v></c></row>',
    "newline-before-r": '<row r="3"><c s="1"\nr="XFD3"><v>1</v></c></row>',
    "leading-zeros": '<row r="0001048576"><c r="XFD0001048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "eight-digit-row": '<row r="10485760"><c r="A10485760" t="inlineStr"><is><t>x</t></is></c></row>',
    "four-letter-column": '<row r="3"><c r="ZZZZ3" t="inlineStr"><is><t>x</t></is></c></row>',
    "three-letter-column": '<row r="3">' + cell("AAA3") + "</row>",
    "column-201": '<row r="3">' + cell("GS3") + "</row>",
    "row-5001": '<row r="5001">' + cell("A5001") + "</row>",
    "row-9999-in-a-cell-only": '<row r="3">' + cell("A9999") + "</row>",
    "lower-case-column": '<row r="3">' + cell("xfd3") + "</row>",
    "namespace-prefix": ('<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="1048576">'
                         '<x:c r="XFD1048576" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row>'),
    "prefixed-cell-only": '<row r="3"><x:c r="XFD3"><v>1</v></x:c></row>',
    "second-reference": '<row r="3"><c r="A3" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "second-reference-quoted-otherwise": "<row r=\"3\"><c r=\"A3\" t=\">\" r='XFD1048576'><is><t>x</t></is></c></row>",
    "second-reference-on-a-row": '<row r="3" r="9000">' + cell("A3") + "</row>",
    "cells-without-references": "<row>" + '<c t="inlineStr"><is><t>x</t></is></c>' * (MAX_COLUMNS + 1) + "</row>",
    "rows-without-references": "<row><c><v>1</v></c></row>" * 3,
    "bare-tags": '<row r="3"><c><v>1</v></c><c/></row>',
    "character-reference": '<row r="3"><c r="&#88;FD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "spaces-inside-the-reference": '<row r="3">' + cell(" XFD3") + "</row>",
}


@PADDED
@pytest.mark.parametrize("name", HOSTILE)
def test_the_fast_check_leaves_every_odd_or_far_form_to_the_walk(name, pad):
    part = sheet(HOSTILE[name], pad=pad)
    assert not _plain_and_near(part)


@PADDED
@pytest.mark.parametrize("ref", ["A1", "GR1", "GR5000", "Z99", "AA10", "B4999", "FZ10", "G1", "A1000", "A4000"])
def test_plain_references_within_the_limits_are_vouched_for(ref, pad):
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    part = sheet(f'<row r="{row}">' + cell(ref) + "</row>", pad=pad)
    assert _plain_and_near(part) and walk_passes(part)


def test_the_sheets_qmskit_and_spreadsheet_programs_write_are_vouched_for(tmp_path):
    import qmskit
    from qmskit.io.responses import write_responses
    cl = qmskit.load_checklist("iso9001-2015")
    frame = cl.questions[["id"]].copy()
    frame["answer"] = "yes"
    frame["evidence"] = "register <r. 5> & minutes (review) \"r\" 记录 r-12"
    ours = write_responses(tmp_path / "ours.xlsx", {"office": "O"}, frame, cl, backup=False)
    for path in (ours, DATA / "office-libreoffice.xlsx"):
        with zipfile.ZipFile(path) as zf:
            sheets = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        assert sheets
        for xml in sheets:
            assert _plain_and_near(xml[:xml.rfind(b"<")]), path.name


# random sheets from pieces that are each plain, odd or far: whatever the fast check vouches for, the
# walk lets through (the fast check is only ever stricter)
PIECES = ['<row r="{r}">', "</row>", '<c r="{col}{r}" s="1" t="inlineStr"><is><t>t</t></is></c>',
          '<c r="{col}{r}"><v>1</v></c>', "<c><v>2</v></c>", "<row>", '<c r=\'{col}{r}\'/>', '<c r = "{col}{r}"/>',
          '<c r="{col}{r}" r="{col}{r}"/>', '<x:c r="{col}{r}"/>', "<t>r = r r=' :c </t>", '<c t=">" r="{col}{r}"/>',
          '<c\tr="{col}{r}"/>', '<c r="{col}0{r}"/>', '<cols><col min="1" max="3"/></cols>', "<c/>",
          "<selection sqref=\"A1\" header=\"0\"/>", "<r><t>rich</t></r>", '<c r="{col}{r}" t="s"><x:v>3</x:v></c>',
          '<c r="{col}{r}" t="s"><v\n>4</v></c>', "<v/>"]


@settings(max_examples=300, deadline=None)
@example([(2, 1, 200)], True)  # a cell at the last column allowed, then rows: the walk refused "column 201"
@given(st.lists(st.tuples(st.integers(0, len(PIECES) - 1), st.integers(1, 9999), st.integers(1, 18_278)),
                min_size=1, max_size=40), st.booleans())
def test_whatever_the_fast_check_vouches_for_the_walk_passes(pieces, pad):
    body = "".join(PIECES[i].format(r=r, col=get_column_letter(c)) for i, r, c in pieces)
    part = (HEAD + body + (PAD if pad else "")).encode()
    v_tags = _fast_check(part)
    if v_tags is not None:
        assert walk_passes(part), body
        assert v_tags >= len(_V_TAG.findall(part)), body  # the shared-text bound never counts fewer <v>



@pytest.mark.parametrize("body, formula", [
    ('<row r="2"><c r="A2"><f>SUM(B1:B2)</f><v>3</v></c></row>', True),
    ('<row r="2"><c r="A2" t="str"><f t="shared" si="0">B1</f><v>x</v></c></row>', True),
    ('<row r="2"><c r="A2"><x:f>1+1</x:f></c></row>', True),
    ('<row r="2">' + cell("A2", "of: form") + "</row>", False),
    ('<row r="2">' + cell("A2") + '</row></sheetData><dataValidations count="1"><dataValidation sqref="A2" '
     'type="list"><formula1>"yes,no"</formula1></dataValidation></dataValidations>', False),
])
@PADDED
def test_the_fast_check_tells_formula_cells_from_a_data_validation(body, formula, pad):
    """Every sheet qmskit writes has a list validation (<formula1>): taking it for a formula cell sent each
    of them through the formula parse (qmskit.io.formulas), ten times the cost of the whole read."""
    seen = [False]
    if _fast_check(sheet(body, pad=pad), seen) is None:  # a prefixed tag: the walk's byte search decides (it finds x:f)
        assert formula
        return
    assert seen[0] == formula


@pytest.mark.parametrize("limit", [1, 9, 10, 99, 200, 5000, 4321, 10_000])
def test_the_pattern_of_row_numbers_takes_exactly_one_to_the_limit(limit):
    import re

    from qmskit.io.xlsx_read import _numbers_up_to
    pattern = re.compile(_numbers_up_to(limit))
    taken = [n for n in range(0, limit * 3 + 10) if pattern.fullmatch(str(n).encode())]
    assert taken == list(range(1, limit + 1))
    assert not pattern.fullmatch(b"01") and not pattern.fullmatch(b"")


@pytest.mark.parametrize("limit", [26, 27, 52, 200, 701, 702])
def test_the_pattern_of_column_letters_takes_exactly_one_to_the_limit(limit):
    import re

    from qmskit.io.xlsx_read import _columns_up_to
    pattern = re.compile(_columns_up_to(limit))
    taken = [c for c in range(1, 18_279) if pattern.fullmatch(get_column_letter(c).encode())]
    assert taken == list(range(1, limit + 1))


def test_tag_bytes_counts_what_the_markup_pattern_matches():
    """The cell-text bound's count of the bytes inside tags (numpy passes: the pattern took 15 s over 190 MB
    of empty tags, found by a hostile-file session) is the pattern's, on every short mix of the bytes that
    decide it."""
    import random

    from qmskit.io.xlsx_read import _MARKUP, _tag_bytes

    rng = random.Random(9001)
    for _ in range(20_000):
        part = bytes(rng.choice(b'<>!ab /"') for _ in range(rng.randint(0, 40)))
        assert _tag_bytes(part) == len(part) - len(_MARKUP.sub(b"", part)), part
