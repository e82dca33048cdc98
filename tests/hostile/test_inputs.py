"""Hostile and broken inputs (issue 14, design.md "Input limits"): each one exits 1 with one line naming
the file and the limit, no traceback, never "internal error", within the time-out and ≤ 500 MB peak RSS.

Every case runs the real CLI in its own process under a memory limit (see harness.run_cli)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from corpus import (
    ASSESSMENT_HEADER,
    SHEET_HEAD,
    WIDE_TEXT,
    WORKBOOK,
    XML_BILLION_LAUGHS,
    XML_XXE,
    assessment_rows,
    billion_laughs_yaml,
    deep_yaml,
    inline,
    inline_text_workbook,
    ods,
    ods_cell,
    ods_content,
    sheet_xml,
    sparse,
    with_dimension,
    workbook,
    zip_bomb,
)
from harness import PEAK_RSS_LIMIT_MB, corpus, run_cli, score_text  # noqa: F401  (corpus is a fixture)

MB = 1024 * 1024
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def good_xlsx(corpus) -> Path:
    """A real workbook written by qmskit (the full checklist, some answers)."""
    import qmskit
    from qmskit.io.responses import write_responses
    cl = qmskit.load_checklist("iso9001-2015")
    frame = cl.questions[["id"]].copy()
    frame["answer"] = "yes"
    path = corpus / "good.xlsx"
    write_responses(path, {"office": "Good Office"}, frame.head(20), cl, backup=False)
    return path


# ---------------------------------------------------------------------------------------------- not a file
def test_a_folder_named_like_a_workbook(corpus):
    (corpus / "folder.xlsx").mkdir()
    run_cli(["score", corpus / "folder.xlsx"], cwd=corpus).assert_one_line_error("folder.xlsx", "is a folder")


def test_a_fifo_is_refused_without_opening_it(corpus):
    fifo = corpus / "pipe.csv"
    os.mkfifo(fifo)   # opening it would block forever: the check must come first
    run_cli(["score", fifo], cwd=corpus).assert_one_line_error("pipe.csv", "named pipe")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused(corpus, device):
    link = corpus / f"{Path(device).name}.yaml"
    link.symlink_to(device)
    run_cli(["score", link], cwd=corpus).assert_one_line_error(link.name, "is a device")


# ---------------------------------------------------------------------------------------------- sizes
@pytest.mark.parametrize("name", ["big.csv", "big.xlsx", "big.yaml"])
def test_a_responses_file_over_20_mb(corpus, name):
    sparse(corpus / name, 21 * MB)
    run_cli(["score", corpus / name], cwd=corpus).assert_one_line_error(name, "limit is 20 MB")


def test_a_100_mb_yaml_checklist(corpus):
    sparse(corpus / "huge-checklist.yaml", 100 * MB)
    run_cli(["validate", corpus / "huge-checklist.yaml"], cwd=corpus).assert_one_line_error(
        "huge-checklist.yaml", "limit is 20 MB")


# ---------------------------------------------------------------------------------------------- CSV shape
def test_csv_with_too_many_rows(corpus):
    score_text(corpus, "rows.csv", "id,answer\n" + "4.1-a,yes\n" * 6000).assert_one_line_error(
        "rows.csv", "limit is 5,000")


def test_csv_header_with_five_million_columns(corpus):
    score_text(corpus, "wide.csv", "id,answer" + "," * 5_000_000 + "\n4.1-a,yes\n").assert_one_line_error(
        "wide.csv", "columns; the limit is 200")


def test_csv_cell_over_10000_characters(corpus):
    line = score_text(corpus, "longcell.csv", "id,answer,evidence\n4.1-a,yes," + "x" * 20_000 + "\n").assert_one_line_error(
        "longcell.csv", "limit is 10,000")
    assert "xxxxxxxxxx" not in line   # the text itself is never echoed


def test_csv_cell_over_the_csv_module_field_limit(corpus):
    score_text(corpus, "hugecell.csv", 'id,answer,evidence\n4.1-a,yes,"' + "y" * 200_000 + '"\n').assert_one_line_error(
        "hugecell.csv", "10,000")


# ---------------------------------------------------------------------------------------------- workbooks
def test_sheet_with_too_many_rows(corpus):
    path = workbook(corpus / "rows.xlsx", sheet_xml(assessment_rows(6000)))
    run_cli(["score", path], cwd=corpus).assert_one_line_error("rows.xlsx", "limit is 5,000 rows")


def test_sheet_with_too_many_columns(corpus):
    header = ["ID", "Answer"] + [f"extra {i}" for i in range(300)]
    path = workbook(corpus / "cols.xlsx", sheet_xml([header]))
    run_cli(["score", path], cwd=corpus).assert_one_line_error("cols.xlsx", "limit is 200 columns")


def test_two_cells_far_apart(corpus):
    """calamine would allocate the whole A1:XFD1048576 rectangle (hundreds of GB) and abort the process."""
    far = inline("XFD1048576", "far away")
    path = workbook(corpus / "far.xlsx", sheet_xml(assessment_rows(2), raw_row=f'<row r="1048576">{far}</row>'))
    run_cli(["score", path], cwd=corpus).assert_one_line_error("far.xlsx", "1,048,576", "limit is 5,000")


def test_cells_without_references_count_like_readers_count(corpus):
    """Rows and cells may omit r="…"; a row of 20,000 such cells is still 20,000 columns."""
    row = "<row>" + "<c t=\"inlineStr\"><is><t>x</t></is></c>" * 20_000 + "</row>"
    path = workbook(corpus / "implicit.xlsx", sheet_xml([], raw_row=row))
    run_cli(["score", path], cwd=corpus).assert_one_line_error("implicit.xlsx", "limit is 200 columns")


# references readers accept but a plain r="A1" scan would miss: calamine placed each of these cells far away
# and aborted the process (or allocated gigabytes) before the pre-scan followed every row and cell tag
FAR_REFERENCES = {
    "single-quoted": "<row r='1048576'><c r='XFD1048576' t=\"inlineStr\"><is><t>x</t></is></c></row>",
    "spaces-around-equals": '<row r = "1048576"><c r = "XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "leading-zeros": '<row r="0001048576"><c r="XFD0001048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "eight-digit-row": '<row r="10485760"><c r="A10485760" t="inlineStr"><is><t>x</t></is></c></row>',
    "four-letter-column": '<row r="3"><c r="ZZZZ3" t="inlineStr"><is><t>x</t></is></c></row>',
    "namespace-prefix": ('<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="1048576">'
                         '<x:c r="XFD1048576" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row>'),
    # XML names may be non-ASCII; the walk once took only ASCII prefixes and calamine asked for 512 GB
    "non-ascii-prefix": ('<é:row xmlns:é="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="1048576">'
                         '<é:c r="XFD1048576" t="inlineStr"><é:is><é:t>x</é:t></é:is></é:c></é:row>'),
    "non-ascii-attribute-prefix": ('<row r="3"><c r="A3" xmlns:й="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                   'й:r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'),
    "second-reference": '<row r="3"><c r="A3" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "second-reference-quoted-otherwise": "<row r=\"3\"><c r=\"A3\" t=\">\" r='XFD1048576'><is><t>x</t></is></c></row>",
    # calamine's own attribute reader (found by hostile-file sessions): no space is needed before a key, so
    # the second r here is the one it keeps; it stops after three of r/s/t, so three s hide the r and the
    # cells are placed by counting; and it moves a row on at every </row>, matched or not
    "second-reference-after-a-quote": '<row r="3"><c r="A3" t="inlineStr"r="XFD1048576"><is><t>x</t></is></c></row>',
    "repeated-attributes-hide-the-reference": ('<row r="3">' + '<c s="0" s="0" s="0" r="A3"><v>1</v></c>' * 300
                                               + "</row>"),
    "stray-row-ends": ('<row r="3"><c r="A3"><v>1</v></c></row>' + "</row>" * 10_000
                       + '<row><c t="inlineStr"><is><t>x</t></is></c></row>'),
}


@pytest.mark.parametrize("name", FAR_REFERENCES)
def test_far_references_in_any_spelling(corpus, name):
    path = workbook(corpus / f"far-{name}.xlsx", sheet_xml(assessment_rows(2), raw_row=FAR_REFERENCES[name]))
    run_cli(["score", path], cwd=corpus).assert_one_line_error(f"far-{name}.xlsx", "the limit is")


@pytest.mark.parametrize("member", ["xl/elsewhere/sheet2.xml", "xl/worksheets/sheet2.bin"])
def test_a_sheet_wherever_the_relationships_put_it(corpus, member):
    """calamine reads the sheet the workbook's relationships name, wherever it is and whatever it is called;
    the pre-scan looked only at xl/worksheets/*.xml, and calamine aborted the process on the far cell."""
    import zipfile

    from corpus import CONTENT_TYPES, OFFICE_ROWS, ROOT_RELS, WORKBOOK, WORKBOOK_RELS
    far = sheet_xml(assessment_rows(2), raw_row=f'<row r="1048576">{inline("XFD1048576", "far")}</row>')
    path = corpus / f"placed-{member.replace('/', '-')}.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("xl/workbook.xml", WORKBOOK), ("xl/worksheets/sheet1.xml", sheet_xml(OFFICE_ROWS)),
                           ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.replace("worksheets/sheet2.xml", member[3:])),
                           (member, far)):
            zf.writestr(name, data)
    run_cli(["score", path], cwd=corpus).assert_one_line_error(path.name, member, "limit is 5,000 rows")


# a row end (or start) only a scan of the raw bytes sees: the walk went back to the first column (or row)
# where calamine's reader, seeing text, went on, and a 55 KB file aborted the process (found by a
# hostile-file session); each phantom follows a row of 199 cells, three times
PHANTOM_ROW_ENDS = {
    "comment": "<!--</row>-->",
    "cdata": "<c><is><t><![CDATA[</row>]]></t></is></c>",
    "processing-instruction": "<?x </row>?>",
    "attribute-value": '<c s="0" x="</row>"/>',
    "junk-after-the-name": "</row x>",
    "form-feed": "</row\x0c>",
    "two-prefixes": "</a:b:row>",   # (quick-xml's local name is all after the first ":")
    # calamine reads a cell up to its </c>, ignoring every other end tag (<x> keeps quick-xml's stack even)
    "inside-a-cell": "<x><c><v>1</v></row></c>",
    # calamine reads a <t> to its first </t>, so "</is></c>" inside it ends nothing
    "inside-a-text": '<c t="inlineStr"><is><t>x</is></c><x><y></t></is></row></c>',
}


@pytest.mark.parametrize("phantom", PHANTOM_ROW_ENDS)
def test_a_row_end_calamine_does_not_see(corpus, phantom):
    block = '<row r="290">' + "<c/>" * 199 + PHANTOM_ROW_ENDS[phantom]
    row = block * 3 + '<c t="n"><v>7</v></c></row>'
    path = workbook(corpus / f"phantom-{phantom}.xlsx", sheet_xml(assessment_rows(2), raw_row=row))
    line = run_cli(["score", path], cwd=corpus).assert_one_line_error(path.name)
    assert any(said in line for said in ("limit is 200 columns", "comment, CDATA or a processing instruction",
                                         "limit is 5,000 rows", "row or cell tag is malformed")), line


@pytest.mark.parametrize("phantom", ['<!--<row r="3"/>-->', '<row\x0c r="3"/>', '<a:b:row r="3"/>',
                                     '<row><c><v><row r="3"/></v></c></row>'])
def test_a_row_start_calamine_does_not_see(corpus, phantom):
    """A row tag only the raw bytes show (in a comment; a name quick-xml reads as "row\\f" or "b:row") set
    the walk's row back while calamine's went on, one row per <row/>: 2.45 GB from a 44 KB file."""
    row = '<row r="3"><c r="A3"><v>1</v></c></row>' + "<row/>" * 6000 + phantom + '<row><c><v>1</v></c></row>'
    path = workbook(corpus / "phantom-row-start.xlsx", sheet_xml(assessment_rows(2), raw_row=row))
    line = run_cli(["score", path], cwd=corpus).assert_one_line_error(path.name)
    assert any(said in line for said in ("comment, CDATA or a processing instruction", "limit is 5,000 rows",
                                         "row or cell tag is malformed")), line


RELATIONSHIP_SPELLINGS = {
    # calamine takes a sheet's relationship type by its last "/" word and reads attributes with no space
    # between them; the pre-scan wanted ".../worksheet" after a space, skipped the part, and calamine
    # aborted the process on its far cell (found by a hostile-file session)
    "type-without-a-slash": lambda rels: rels.replace(
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="elsewhere',
        'Type="worksheet" Target="elsewhere'),
    "no-space-before-type": lambda rels: rels.replace('" Type="http://schemas.openxmlformats.org/officeDocument/'
                                                      '2006/relationships/worksheet" Target="elsewhere',
                                                      '"Type="http://schemas.openxmlformats.org/officeDocument/'
                                                      '2006/relationships/worksheet" Target="elsewhere'),
}


@pytest.mark.parametrize("spelling", RELATIONSHIP_SPELLINGS)
def test_a_sheet_relationship_in_calamines_spellings(corpus, spelling):
    import zipfile

    from corpus import CONTENT_TYPES, OFFICE_ROWS, ROOT_RELS, WORKBOOK, WORKBOOK_RELS
    far = sheet_xml(assessment_rows(2), raw_row=f'<row r="1048576">{inline("XFD1048576", "far")}</row>')
    rels = RELATIONSHIP_SPELLINGS[spelling](WORKBOOK_RELS.replace("worksheets/sheet2.xml", "elsewhere/big.xml"))
    assert rels != WORKBOOK_RELS.replace("worksheets/sheet2.xml", "elsewhere/big.xml")
    path = corpus / f"rels-{spelling}.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("xl/workbook.xml", WORKBOOK), ("xl/worksheets/sheet1.xml", sheet_xml(OFFICE_ROWS)),
                           ("xl/_rels/workbook.xml.rels", rels), ("xl/elsewhere/big.xml", far)):
            zf.writestr(name, data)
    run_cli(["score", path], cwd=corpus).assert_one_line_error(path.name, "xl/elsewhere/big.xml", "limit is 5,000 rows")


def _renamed(path: Path, renames: dict[str, str], extra: dict[str, bytes] | None = None) -> Path:
    """``path`` with members renamed (``renames``: old -> new name) and ``extra`` fields set, by old name."""
    import io
    import zipfile
    src = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            new = zipfile.ZipInfo(renames.get(info.filename, info.filename), info.date_time)
            new.compress_type, new.extra = zipfile.ZIP_DEFLATED, (extra or {}).get(info.filename, b"")
            zout.writestr(new, zin.read(info))
    return path


def test_member_names_calamine_reads_otherwise(corpus):
    """calamine's zip crate names a member by its Info-ZIP Unicode Path field (Python's zipfile ignores it)
    and looks parts up with "\\" as "/" in any case, the last match winning: a sheet, shared strings or a
    workbook part the pre-scan never checked was read (aborts, 4 GB; found by a hostile-file session)."""
    import struct
    import zlib
    unicode_path = b"xl/worksheets/sheet2.xml"
    field = struct.pack("<HHBI", 0x7075, 5 + len(unicode_path), 1, zlib.crc32(b"xl/pad.xml")) + unicode_path
    cases = {
        "unicode-path": ({"xl/sharedStrings.xml": "xl/pad.xml"}, {"xl/sharedStrings.xml": field}, "second name"),
        "backslash-twin": ({"docProps/app.xml": "xl\\workbook.xml"}, None, "same name"),
        "case-twin": ({"docProps/app.xml": "XL/Workbook.xml"}, None, "same name"),
    }
    from corpus import OFFICE_ROWS
    for name, (renames, extra, said) in cases.items():
        path = workbook(corpus / f"names-{name}.xlsx", sheet_xml(assessment_rows(2)),
                        extra={"docProps/app.xml": sheet_xml(OFFICE_ROWS)})
        run_cli(["score", _renamed(path, renames, extra)], cwd=corpus).assert_one_line_error(path.name, said)


def test_a_workbook_folder_calamine_reads_otherwise(corpus):
    """calamine reads every part from the folder of the officeDocument target as written: "xl\\workbook.xml"
    made it the top folder, and a workbook, relationships and shared strings there went unchecked (4 GB)."""
    from corpus import ROOT_RELS
    path = workbook(corpus / "root-folder.xlsx", sheet_xml(assessment_rows(2)))
    _streamed_member(path, "_rels/.rels", ROOT_RELS.replace('Target="xl/workbook.xml"', 'Target="xl\\workbook.xml"'),
                     "", 0, "")
    run_cli(["score", path], cwd=corpus).assert_one_line_error("root-folder.xlsx", "xl\\workbook.xml")


def test_a_cell_tag_of_forty_thousand_attributes(corpus):
    """A cell tag carrying t="e" 40,000 times, and a "#" in the sheet: the rewrite of error values calamine
    cannot read (a regex) took 143 s (found by a hostile-file session); now one pass."""
    row = ('<row r="3"><c r="A3"' + ' t="e"' * 40_000 + '><v>1</v></c>'
           + '<c r="B3" t="inlineStr"><is><t>#</t></is></c></row>')
    path = workbook(corpus / "many-attributes.xlsx", sheet_xml(assessment_rows(2), raw_row=row))
    run = run_cli(["score", path], cwd=corpus, timeout=30)
    assert run.returncode == 1 and "many-attributes.xlsx" in run.stderr


def test_millions_of_tags_in_a_sheet_the_fast_check_cannot_vouch_for(corpus):
    """A sheet the fast check cannot vouch for (a row tag with two spaces before its r) is walked tag by
    tag in Python: 6 million empty tags (a 30 KB file; 200 MB of them expand from 200 KB) took the walk
    ~20 s, 50 million minutes. They are counted first, at C speed, and refused."""
    row = '<row  r="3"><c r="A3"><v>1</v></c></row>' + "<a/>" * 6_000_001
    path = workbook(corpus / "many-tags.xlsx", sheet_xml(assessment_rows(2), raw_row=row))
    run_cli(["score", path], cwd=corpus, timeout=30).assert_one_line_error("many-tags.xlsx", "6,000,000 XML tags")


def _shared_formula_rows(master: str, rows: range, columns: range, *, computed: bool = True) -> str:
    """A shared formula's master in the first cell, then dependents (its text stored once, in the master)."""
    value = "<v>1</v>" if computed else ""
    cells = []
    for r in rows:
        row = "".join(f'<c r="{_col(c)}{r}"><f t="shared" si="0"/>{value}</c>' for c in columns)
        if r == rows[0]:
            row = (f'<c r="{_col(columns[0])}{r}"><f t="shared" ref="A1:A2" si="0">{master}</f><v>1</v></c>'
                   + row.split("</c>", 1)[1])
        cells.append(f'<row r="{r}">{row}</row>')
    return "".join(cells)


def _col(n: int) -> str:
    from qmskit.io.formulas import column_letters
    return column_letters(n)


def test_a_formula_longer_than_a_cell_may_be_is_refused_before_it_is_copied(corpus):
    """A shared formula of 1 MB copied into 1,000 cells took 1.07 GB, one of 100,000 characters translated
    for 1,000 cells 250 s (found by a hostile-file session; the sheet passed the pre-scan)."""
    row = _shared_formula_rows("A1+" * 6_666 + "A1", range(300, 310), range(13, 14), computed=False)
    path = workbook(corpus / "long-formula.xlsx", sheet_xml(assessment_rows(2), raw_row=row))
    run_cli(["score", path], cwd=corpus, timeout=60).assert_one_line_error(
        "long-formula.xlsx", "row 300", "a formula of 20,000 characters")


def test_a_shared_formula_in_many_cells_costs_its_text_once(corpus):
    """80,000 cells (426 rows x 188 columns) sharing one formula of 9,000 characters: each got a copy of it
    (786 MB); now one object."""
    rows = _shared_formula_rows("A1+" * 2_999 + "A1", range(300, 726), range(13, 201))
    path = workbook(corpus / "shared-formula.xlsx", sheet_xml(assessment_rows(2), raw_row=rows))
    run = run_cli(["score", path], cwd=corpus, timeout=120)   # (read whole, then its made-up ids refused)
    assert run.returncode == 1 and "question id 'q-0' is not in checklist" in run.stderr, run.stderr[-2000:]
    assert run.peak_mb <= PEAK_RSS_LIMIT_MB, f"peak RSS {run.peak_mb:.0f} MB"


def test_millions_of_tags_besides_a_formula_cell_are_counted_before_they_are_parsed(corpus):
    """A sheet the fast check vouches for, one formula cell in it, then 6 million empty tags: the formula
    reader (ElementTree, Python per element) kept every element, 190 MB of them took 124 s and 4.4 GB."""
    row = '<row r="300"><c r="M300"><f>1+1</f><v>2</v></c></row>'
    sheet = sheet_xml(assessment_rows(2), raw_row=row).replace("</sheetData>", "</sheetData>" + "<a/>" * 6_000_001)
    path = workbook(corpus / "formula-tags.xlsx", sheet)
    run_cli(["score", path], cwd=corpus, timeout=60).assert_one_line_error("formula-tags.xlsx", "6,000,000 XML tags")


def test_elements_nested_deep_in_a_formula_are_refused(corpus):
    """calamine reads an <f> to its end and passes over what is inside; the formula reader kept every open
    element: 2.9 million nested <a> (a 71 KB file) took 946 MB (found by a hostile-file session)."""
    row = '<row r="300"><c r="M300"><f>1+1' + "<a>" * 100 + "</a>" * 100 + "</f><v>2</v></c></row>"
    path = workbook(corpus / "deep-formula.xlsx", sheet_xml(assessment_rows(2), raw_row=row))
    run_cli(["score", path], cwd=corpus).assert_one_line_error("deep-formula.xlsx", "nest more than 32 deep")


def test_a_workbook_part_padded_to_its_limit_is_read_streaming(corpus):
    """xl/workbook.xml padded to 15 MB with empty elements after </sheets>: finding a sheet's part for the
    formula reader built it as one tree (755 MB, found by a hostile-file session); now streamed to </sheets>."""
    padded = WORKBOOK.replace("</sheets>", "</sheets>" + '<x a=""/>' * 1_700_000)
    row = '<row r="300"><c r="M300"><f>1+1</f></c></row>'   # (no result stored: the formula is read as text)
    path = workbook(corpus / "padded-book.xlsx", sheet_xml(assessment_rows(2), raw_row=row), book=padded)
    run = run_cli(["score", path], cwd=corpus, timeout=120)   # (read whole, then its made-up ids refused)
    assert run.returncode == 1 and "question id 'q-0' is not in checklist" in run.stderr, run.stderr[-2000:]
    assert run.peak_mb <= PEAK_RSS_LIMIT_MB, f"peak RSS {run.peak_mb:.0f} MB"


def test_many_sheets_naming_one_large_part_are_refused_in_the_child(corpus, good_xlsx):
    """13 <sheet> entries naming one part of a million numbers, in a workbook the fast check cannot vouch
    for: the pre-scan counts the part once, the reader's child read it 13 times and handed this process
    13 million cells (725 MB, found by a hostile-file session). All sheets' cells together are now held to
    two sheets' at the limits, as an .ods's."""
    import zipfile

    letters = [_col(c) for c in range(1, 201)]
    big = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
           'spreadsheetml/2006/main"><sheetData>' + "".join(
               f'<row r="{r}">' + "".join(f'<c r="{x}{r}"><v>1</v></c>' for x in letters) + "</row>"
               for r in range(1, 5001)) + "</sheetData></worksheet>")
    sheets = "".join(f'<sheet name="Big{k}" sheetId="{10 + k}" r:id="rIdBig{k}"/>' for k in range(13))
    rels = "".join(f'<Relationship Id="rIdBig{k}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/worksheet" Target="/xl/worksheets/big.xml"/>' for k in range(13))
    path = corpus / "one-part-many-sheets.xlsx"
    with zipfile.ZipFile(good_xlsx) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"</sheets>", sheets.encode() + b"</sheets>")
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", rels.encode() + b"</Relationships>")
            elif info.filename == "xl/worksheets/sheet1.xml":   # (one row tag no fast check vouches for)
                data = data.replace(b'<row r="1"', b"<row r='1'", 1)
            dst.writestr(info, data)
        dst.writestr("xl/worksheets/big.xml", big)
    run_cli(["score", path], cwd=corpus, timeout=120).assert_one_line_error("one-part-many-sheets.xlsx",
                                                                             "could not be read within")


def test_a_styles_part_of_millions_of_number_formats_is_refused(corpus):
    """calamine keeps every <numFmt> (~150 bytes each, in this process: the sheets passed the pre-scan):
    180 MB of them took 836 MB. The styles part is held to 16 MB."""
    formats = "".join(f'<numFmt numFmtId="{n}" formatCode=""/>' for n in range(500_000))
    styles = ('<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              f"<numFmts>{formats}</numFmts></styleSheet>")
    path = workbook(corpus / "styles.xlsx", sheet_xml(assessment_rows(2)), extra={"xl/styles.xml": styles})
    run_cli(["score", path], cwd=corpus).assert_one_line_error("styles.xlsx", "xl/styles.xml", "16 MB")


def test_a_duration_calamine_panics_on_is_one_line(corpus):
    """A cell styled as a duration ([h]:mm:ss) holding -1e12: chrono panics inside calamine, and the
    panic's own words (written by Rust to the terminal) and a Python traceback came out, 170 lines."""
    styles = ('<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="46" applyNumberFormat="1"/></cellXfs></styleSheet>')
    row = '<row r="300"><c r="M300" s="1"><v>-1e12</v></c></row>'
    path = workbook(corpus / "duration.xlsx", sheet_xml(assessment_rows(2), raw_row=row), extra={"xl/styles.xml": styles})
    run_cli(["score", path], cwd=corpus).assert_one_line_error("duration.xlsx", "cannot be read")


def test_a_reference_readers_cannot_parse_is_refused(corpus):
    path = workbook(corpus / "charref.xlsx", sheet_xml(
        assessment_rows(2), raw_row='<row r="3"><c r="&#88;FD1048576" t="inlineStr"><is><t>x</t></is></c></row>'))
    run_cli(["score", path], cwd=corpus).assert_one_line_error("charref.xlsx", "not an .xlsx workbook")


def test_a_cell_over_10000_characters(corpus):
    rows = assessment_rows(1)
    rows[1][5] = "z" * 20_000
    path = workbook(corpus / "longcell.xlsx", sheet_xml(rows))
    line = run_cli(["score", path], cwd=corpus).assert_one_line_error("longcell.xlsx", "limit is 10,000")
    assert "zzzzzzzzzz" not in line


def _shared_string_sheet(rows: int, cols: int, index=lambda r, c: 0) -> str:
    """An Assessment sheet whose cells (after a plain header row) all name shared strings."""
    from corpus import _col
    body = ['<row r="1">' + "".join(inline(f"{_col(c)}1", h) for c, h in enumerate(ASSESSMENT_HEADER, start=1)) + "</row>"]
    for r in range(2, rows + 1):
        body.append(f'<row r="{r}">' + "".join(f'<c r="{_col(c)}{r}" t="s"><v>{index(r, c)}</v></c>'
                                               for c in range(1, cols + 1)) + "</row>")
    return SHEET_HEAD + "<sheetData>" + "".join(body) + "</sheetData></worksheet>"


def _shared_strings(*texts: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + "".join(f"<si><t>{t}</t></si>" for t in texts) + "</sst>")


def test_one_shared_string_repeated_by_a_million_cells(corpus):
    """A 2 MB workbook whose 5,000 x 200 cells all name one 9,999-character shared string: within every
    sheet and cell limit, but calamine copies the string into each cell (~20 GB) and aborted the process."""
    path = workbook(corpus / "shared-amp.xlsx", _shared_string_sheet(5000, 200), shared=_shared_strings("x" * 9999))
    assert path.stat().st_size < 4 * MB
    run_cli(["score", path], cwd=corpus).assert_one_line_error("shared-amp.xlsx", "more than 4 MB of text")


def test_a_long_shared_string_named_once_among_many_cells_is_read(corpus):
    """The exact count behind the quick bound: one long shared string and 20,000 cells naming short ones
    (the quick bound, cells x longest string, says 200 MB; the cells really copy ~10 KB)."""
    from qmskit.io.xlsx_read import prescan
    sheet = _shared_string_sheet(201, 100, index=lambda r, c: 1 if (r, c) == (2, 1) else 0)
    path = workbook(corpus / "shared-ok.xlsx", sheet, shared=_shared_strings("short", "y" * 9999))
    prescan(path)   # no error


def _streamed_member(path: Path, name: str, head: str, unit: str, count: int, tail: str) -> Path:
    """Rewrite one member of the workbook at ``path`` as head + unit * count + tail, written in blocks (a
    200 MB string built here would stay in this test process's RSS, which the wrapped cases' fresh
    interpreters inherit through fork: the read-only and disk-full cases then measured 545 MB)."""
    import zipfile
    source = path.with_name(path.name + ".src")
    path.rename(source)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != name:
                zout.writestr(info, zin.read(info))
                continue
            with zout.open(name, "w", force_zip64=True) as fh:
                fh.write(head.encode())
                block = (unit * 100_000).encode()
                for _ in range(count // 100_000):
                    fh.write(block)
                fh.write((unit * (count % 100_000) + tail).encode())
    source.unlink()
    return path


SST_HEAD = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def test_millions_of_empty_shared_strings(corpus):
    """39 million empty <si/> (a 331 KB file), one cell naming the first: within every text limit, but the
    pre-scan's record of where each string starts took 40 s and 2.5 GB (found by a hostile-file session)."""
    path = workbook(corpus / "many-strings.xlsx", _shared_string_sheet(2, 1))
    _streamed_member(path, "xl/sharedStrings.xml", SST_HEAD, "<si/>", 39_000_000, "</sst>")
    assert path.stat().st_size < MB
    run_cli(["score", path], cwd=corpus).assert_one_line_error("many-strings.xlsx", "xl/sharedStrings.xml",
                                                                "more than 1,000,000 shared strings")


def test_as_many_shared_strings_as_one_sheet_has_cells_is_read(corpus):
    """The limit's edge: 1,000,000 shared strings pass the pre-scan."""
    from qmskit.io.xlsx_read import prescan
    prescan(workbook(corpus / "strings-at-limit.xlsx", _shared_string_sheet(2, 1),
                     shared=SST_HEAD + "<si/>" * 1_000_000 + "</sst>"))  # no error


def _listing_sheets(extra: int) -> str:
    """The workbook part listing its two sheets and ``extra`` more entries naming the first one's part, each
    under a name of its own (two sheets of one name are refused)."""
    return WORKBOOK.replace("</sheets>", "".join(f'<sheet name="S{i}" sheetId="{9 + i}" r:id="rId1"/>'
                                                 for i in range(extra)) + "</sheets>")


EXTRA_SHEET = '<sheet name="S" sheetId="9" r:id="rId1"/>'


def test_a_workbook_listing_millions_of_sheets(corpus):
    """4.9 million <sheet/> entries in xl/workbook.xml (a 632 KB file) were read into 1.8 GB (found by a
    hostile-file session)."""
    from corpus import WORKBOOK
    head, tail = WORKBOOK.split("</sheets>")
    path = workbook(corpus / "many-sheets.xlsx", sheet_xml(assessment_rows(2)))
    _streamed_member(path, "xl/workbook.xml", head, EXTRA_SHEET, 4_900_000, "</sheets>" + tail)
    assert path.stat().st_size < MB
    run_cli(["score", path], cwd=corpus).assert_one_line_error("many-sheets.xlsx", "more than 1,000 sheets")


def test_a_workbook_listing_a_thousand_sheets_passes_the_pre_scan(corpus):
    from qmskit.io.xlsx_read import prescan
    prescan(workbook(corpus / "sheets-at-limit.xlsx", sheet_xml(assessment_rows(2)), book=_listing_sheets(998)))


@pytest.mark.parametrize("rels, part, target", [
    ("xl/_rels/workbook.xml.rels", "xl/sst.xml", '"sharedStrings.xml"'),
    ("_rels/.rels", "xl/main.xml", '"xl/workbook.xml"')])
def test_relationships_sending_excel_to_another_part_than_qmskit_reads(corpus, rels, part, target):
    """A decoy: the relationships point Excel at another shared-strings table (or workbook part) than the
    one calamine reads by its usual name, so qmskit scored "yes" where Excel shows "no" (found by a
    hostile-file session). Refused, naming both parts."""
    from corpus import ROOT_RELS, WORKBOOK_RELS
    path = workbook(corpus / f"decoy-{part.split('/')[-1]}.xlsx", _shared_string_sheet(2, 1),
                    shared=_shared_strings("yes"), extra={part: _shared_strings("no")})
    text = {"_rels/.rels": ROOT_RELS, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS}[rels]
    wanted = part.removeprefix("xl/") if rels.startswith("xl/") else part
    _streamed_member(path, rels, text.replace(f"Target={target}", f'Target="{wanted}"'), "", 0, "")
    run_cli(["score", path], cwd=corpus).assert_one_line_error(path.name, f"send Excel to {wanted}",
                                                                "qmskit reads")


@pytest.mark.parametrize("target", ['"/xl/sharedStrings.xml"', '"./SharedStrings.xml"', '"..\\xl\\sharedStrings.xml"'])
def test_relationships_naming_the_usual_part_another_way_are_read(corpus, target):
    """The same part spelled as OPC allows (absolute, any case, "." and "..", backslashes) is no decoy."""
    from corpus import WORKBOOK_RELS

    from qmskit.io.xlsx_read import prescan
    path = workbook(corpus / "rels-spelling.xlsx", _shared_string_sheet(2, 1), shared=_shared_strings("yes"))
    _streamed_member(path, "xl/_rels/workbook.xml.rels", WORKBOOK_RELS.replace('Target="sharedStrings.xml"',
                                                                               f"Target={target}"), "", 0, "")
    prescan(path)  # no error


# the text cells hold, against the 500 MB bound: each byte of it costs up to ~9 bytes once read (calamine's
# copy, a Python str at 4 bytes a character), and what is shown in the report costs the batch ~40 more
def test_inline_text_over_the_cell_text_limit(corpus):
    """190 MB of inline text (within the 200 MB zip limit, every cell within 10,000 characters): read, it
    took 1.8 GB."""
    path = inline_text_workbook(corpus / "inline-text.xlsx", WIDE_TEXT, 19_800)
    assert path.stat().st_size < 2 * MB
    run_cli(["score", path], cwd=corpus).assert_one_line_error("inline-text.xlsx", "more than 4 MB of text")


def _defining_names(path: Path, count: int) -> Path:
    """A workbook whose xl/workbook.xml defines ``count`` names (written in blocks, see _streamed_member)."""
    head, tail = WORKBOOK.split("</workbook>")[0] + "<definedNames>", "</definedNames></workbook>"
    return _streamed_member(workbook(path, sheet_xml(assessment_rows(2))), "xl/workbook.xml", head,
                            '<definedName name="_old" hidden="1">#REF!$A$1:$Z$100,Office!$A$1:$C$16</definedName>',
                            count, tail)


def test_millions_of_defined_names(corpus):
    """2 million defined names (a 168 MB xl/workbook.xml in a 635 KB file): calamine reads each one's text,
    330 MB. Before, 200,000 of them were refused as "its cells would hold more than 4 MB of text", though no
    cell holds any (found by a hostile-file session): the workbook part was counted as a sheet."""
    from qmskit.errors import ResponsesError
    from qmskit.i18n.catalog import say
    from qmskit.io.xlsx_read import prescan
    path = _defining_names(corpus / "defined-names.xlsx", 2_000_000)
    assert path.stat().st_size < MB
    run_cli(["score", path], cwd=corpus).assert_one_line_error(
        "defined-names.xlsx", "defines more than 100,000 names", "Name Manager")
    with pytest.raises(ResponsesError) as refused:
        prescan(path)
    assert "定义的名称超过 100,000 个" in say(refused.value, "zh")


def test_a_hundred_thousand_defined_names_are_read(corpus):
    path = _defining_names(corpus / "names-at-limit.xlsx", 100_000)
    run = run_cli(["validate-responses", path], cwd=corpus)
    # read to its answers (these name no question of the checklist: the one problem reported)
    assert "is not in checklist" in run.stdout and "defines more than" not in run.stdout + run.stderr, run.stdout[-2000:]
    assert run.peak_mb <= 500


def test_shared_text_within_the_limit_is_counted_once(corpus):
    """1,100 cells naming 1,100 distinct 2,000-character strings: 2.2 MB of text, within the 4 MB limit, as
    LibreOffice saves such a workbook. Before, the shared-strings part counted as a sheet too (a relationship
    names it), so its text counted twice and the workbook was refused as over 4 MB (found by a review)."""
    from qmskit.io.xlsx_read import prescan
    texts = [f"{i:04d}" + "x" * 1996 for i in range(1100)]
    path = workbook(corpus / "shared-once.xlsx", _shared_string_sheet(111, 10, index=lambda r, c: (r - 2) * 10 + c - 1),
                    shared=_shared_strings(*texts))
    prescan(path)  # no error


def test_shared_text_over_the_cell_text_limit(corpus):
    """6,000 cells naming one wide 10,000-character string: 60 MB of copies (within the old 64 MB shared-text
    limit) took 604 MB."""
    path = workbook(corpus / "shared-wide.xlsx", _shared_string_sheet(751, 8), shared=_shared_strings(WIDE_TEXT))
    run_cli(["score", path], cwd=corpus).assert_one_line_error("shared-wide.xlsx", "more than 4 MB of text")


def test_csv_text_over_the_cell_text_limit(corpus):
    """A 17 MB CSV (within 20 MB) of the full checklist, evidence and notes 10,000 wide CJK characters each:
    read and scored (212 MB), and a batch of two peaked at ~470 MB; the text limit holds for every format."""
    import csv

    import qmskit
    cl = qmskit.load_checklist("iso9001-2015")
    wide = "质" * 9998 + "\U0001F600"
    path = corpus / "wide.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "answer", "evidence", "notes"])
        writer.writerows([i, "yes", wide, wide] for i in cl.questions["id"])
    assert 16 * MB < path.stat().st_size < 20 * MB
    run_cli(["score", path], cwd=corpus).assert_one_line_error("wide.csv", "of text; the limit is 4 MB")


def test_cell_text_within_the_limit_stays_within_the_memory_bound(corpus, tmp_path):
    """Two offices at the cell-text limit (every question's evidence and notes 7,000 wide characters, 3.9 MB
    each) through one batch: its two threads read, score and render both at once. With a 16 MB limit the
    batch process peaked at 510 MB."""
    import qmskit
    cl = qmskit.load_checklist("iso9001-2015")
    text = WIDE_TEXT[-7000:]
    rows = [ASSESSMENT_HEADER] + [[c, i, "", "", "yes", text, text, "", ""]
                                  for c, i in zip(cl.questions["clause"], cl.questions["id"])]
    from corpus import OFFICE_ROWS
    # two offices: an identical copy of one office is one report (batch leaves copies out, with a note)
    files = [workbook(corpus / f"wide-{n}.xlsx", sheet_xml(rows),
                      office=sheet_xml([OFFICE_ROWS[0], ["Office", f"Wide Office {n}", "office"]]))
             for n in ("a", "b")]
    score = run_cli(["score", "--json", files[0]], cwd=corpus)
    assert score.returncode == 0, score.stderr[-2000:]
    assert score.peak_mb <= 500, score.peak_mb
    batch = run_cli(["batch", *files, "-o", tmp_path / "out", "--quiet"], cwd=corpus)
    assert batch.returncode == 0, (batch.stdout[-2000:], batch.stderr[-2000:])  # a failed office is said on stdout
    assert len(list((tmp_path / "out").glob("*.en.html"))) == 2 and (tmp_path / "out" / "index.html").exists()
    assert batch.peak_mb <= 500, batch.peak_mb


def test_ods_repeated_row_of_repeated_long_cells(corpus):
    """Each repeat within its limit (5,000 rows, 200 columns), the cell 9,999 characters, the file a few
    KB: calamine copies the cell 1,000,000 times (~10 GB) and aborted the process."""
    cell = ('<table:table-cell table:number-columns-repeated="200" office:value-type="string"><text:p>'
            + "x" * 9999 + "</text:p></table:table-cell>")
    path = ods(corpus / "repeats.ods", '<table:table table:name="Assessment"><table:table-row '
               'table:number-rows-repeated="5000">' + cell + "</table:table-row></table:table>")
    run_cli(["score", path], cwd=corpus).assert_one_line_error("repeats.ods", "more than 4 MB of text")


def _ods_rows(n: str, cells: str, runs: int = 1, table: str = "Assessment") -> str:
    return (f'<table:table table:name="{table}">'
            + f'<table:table-row table:number-rows-repeated="{n}">{cells}</table:table-row>' * runs + "</table:table>")


ANSWER_CELLS = ods_cell("4.1-a") + ods_cell("yes") + ods_cell("seen")
FLOAT_CELLS = '<table:table-cell table:number-columns-repeated="200" office:value-type="float" office:value="3"/>'
# sheets whose rows, every repeat counted, reach past 5,000 though no single run says more than 5,000 in
# digits: each one reached calamine, which built every copy (8 GB for the float cells, 680 MB for the others)
ODS_FAR_ROWS = {
    "forty-runs-of-5000": (_ods_rows("5000", ANSWER_CELLS, runs=40), "10,000"),
    "plus-sign": (_ods_rows("+1000000", ANSWER_CELLS), "1,000,000"),
    "character-reference": (_ods_rows("&#49;000000", ANSWER_CELLS), "1,000,000"),
    "cells-with-no-text": (_ods_rows("400000", FLOAT_CELLS), "400,000"),
}


@pytest.mark.parametrize("name", ODS_FAR_ROWS)
def test_ods_rows_reaching_past_the_limit_in_any_spelling(corpus, name):
    from qmskit.errors import ResponsesError
    from qmskit.i18n.catalog import say
    from qmskit.io.ods import prescan
    tables, row = ODS_FAR_ROWS[name]
    path = ods(corpus / f"far-rows-{name}.ods", tables)
    run_cli(["score", path], cwd=corpus).assert_one_line_error(
        path.name, f"reaches row {row}", "the limit is 5,000 rows per sheet")
    with pytest.raises(ResponsesError) as refused:
        prescan(path)
    assert f"延伸到第 {row} 行" in say(refused.value, "zh") and "5,000 行的上限" in say(refused.value, "zh")


def test_ods_columns_reaching_past_the_limit(corpus):
    """5,000 rows (the limit) of one float cell repeated "+16384" times: 82 million cells."""
    cells = '<table:table-cell table:number-columns-repeated="+16384" office:value-type="float" office:value="1"/>'
    path = ods(corpus / "far-columns.ods", _ods_rows("5000", cells))
    run_cli(["score", path], cwd=corpus).assert_one_line_error(
        "far-columns.ods", "reaches column 16,384", "limit is 200 columns")


def test_ods_of_millions_of_tables(corpus):
    """4.9 million empty tables in content.xml (a 380 KB file) took 1.26 GB (found by a hostile-file session),
    as 07de96f's millions of <sheet/> did for an .xlsx."""
    head, tail = ods_content(_ods_rows("2", ANSWER_CELLS) + "\0").split("\0")
    path = _streamed_member(ods(corpus / "million-tables.ods", content=head + tail), "content.xml", head,
                            '<table:table table:style-name="S"/>', 4_900_000, tail)  # (unnamed: no name clash)
    assert path.stat().st_size < MB
    run_cli(["score", path], cwd=corpus).assert_one_line_error("million-tables.ods", "more than 1,000 sheets")


def test_ods_of_a_thousand_tables_passes_the_pre_scan(corpus):
    from qmskit.io.ods import prescan
    prescan(ods(corpus / "tables-at-limit.ods", _ods_rows("2", ANSWER_CELLS)
                   + "".join(f'<table:table table:name="S{i}"/>' for i in range(999))))


def test_ods_spaces_element_of_two_billion(corpus):
    """<text:s text:c="2000000000"/> is 2 billion spaces in calamine (7.9 GB, 68 s) from a 700-byte file."""
    spaces = ('<table:table-cell office:value-type="string"><text:p>a<text:s text:c="2000000000"/></text:p>'
              '</table:table-cell>')
    path = ods(corpus / "spaces.ods", '<table:table table:name="Assessment"><table:table-row>'
               + ods_cell("ID") + ods_cell("Answer") + "</table:table-row><table:table-row>" + ods_cell("4.1-a")
               + spaces + "</table:table-row></table:table>")
    line = run_cli(["score", path], cwd=corpus).assert_one_line_error("spaces.ods", "limit is 10,000")
    assert "2,000,000,001 characters" in line


def test_ods_text_held_in_an_attribute_is_counted(corpus):
    """office:string-value="…" is the cell's text (no text between the tags): 1,000,000 copies of it."""
    cell = ('<table:table-cell table:number-columns-repeated="200" office:value-type="string" '
            f'office:string-value="{"x" * 9999}"/>')
    path = ods(corpus / "attribute-text.ods", _ods_rows("5000", cell))
    run_cli(["score", path], cwd=corpus).assert_one_line_error("attribute-text.ods", "more than 4 MB of text")


def test_ods_table_inside_a_table_cannot_restart_the_count(corpus):
    """calamine counts an inner table's rows in the outer table: 4,999 + 4,999 content rows."""
    inner = _ods_rows("4999", ANSWER_CELLS, table="inner")
    path = ods(corpus / "nested-table.ods", _ods_rows("4999", ANSWER_CELLS)[:-len("</table:table>")]
               + inner + "</table:table>")
    run_cli(["score", path], cwd=corpus).assert_one_line_error("nested-table.ods", "not an .ods spreadsheet")


def test_ods_with_millions_of_empty_cells_is_refused_quickly(corpus):
    """100 MB of empty cells (5.5 million tags): refused by counting tags, before the walk that follows each."""
    import zipfile
    path = corpus / "empty-cells.ods"
    head, tail = ods_content('<table:table table:name="Assessment">@</table:table>').encode().split(b"@")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        with zf.open("content.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            row = b"<table:table-row>" + b"<table:table-cell/>" * 50_000 + b"</table:table-row>"
            for _ in range(110):
                fh.write(row)
            fh.write(tail)
    run = run_cli(["score", path], cwd=corpus)
    run.assert_one_line_error("empty-cells.ods", "more than 5,000,000 XML tags")


def test_ods_many_tables_each_within_the_sheet_limits(corpus):
    """30 tables of 5,000 x 200 numbers, each within the sheet limits and without text, an 800-byte file:
    calamine builds every table when it opens the file (~31 MB a million cells) and aborted the process."""
    tables = _ods_rows("1", ANSWER_CELLS) + "".join(_ods_rows("5000", FLOAT_CELLS, table=f"T{i}") for i in range(30))
    path = ods(corpus / "many-tables.ods", tables)
    assert path.stat().st_size < 4096
    run_cli(["score", path], cwd=corpus).assert_one_line_error(
        "many-tables.ods", "its sheets together span", "the limit is 2,000,000")


def test_ods_two_full_tables_are_read(corpus):
    """Within the bound: the Assessment sheet and one table of 5,000 x 200 numbers (an office's own sheet)."""
    tables = (_ods_rows("1", ods_cell("ID") + ods_cell("Answer")) [:-len("</table:table>")]
              + "<table:table-row>" + ods_cell("4.1-a") + ods_cell("yes") + "</table:table-row></table:table>"
              + _ods_rows("5000", FLOAT_CELLS, table="Figures"))
    path = ods(corpus / "two-tables.ods", tables)
    run = run_cli(["score", "--json", path], cwd=corpus)
    assert run.returncode == 0, run.stderr[-2000:]
    assert '"answer": "yes"' in run.stdout and run.peak_mb <= 500


def test_ods_cells_with_hundreds_of_attributes_are_refused_by_counting(corpus):
    """60,000 empty cells of 300 attributes each (190 MB expanded, a 2 MB file): the walk took 19 s of CPU
    (expat builds every attribute dict); refused by counting "=" signs, before the walk."""
    import zipfile
    attrs = " ".join(f'x:a{i}="1"' for i in range(300))
    rows = ("<table:table-row>" + f"<table:table-cell {attrs}/>" * 100 + "</table:table-row>") * 50
    head, tail = ods_content('<table:table table:name="Assessment">@</table:table>').replace(
        "<office:document-content ", '<office:document-content xmlns:x="urn:x" ').encode().split(b"@")
    path = corpus / "attributes.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        with zf.open("content.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            for _ in range(12):
                fh.write(rows.encode())
            fh.write(tail)
    run_cli(["score", path], cwd=corpus).assert_one_line_error("attributes.ods", "more than 8,000,000 XML attributes")


def test_ods_as_libreoffice_writes_it_is_read(corpus):
    """LibreOffice ends every row with a run of empty cells and every sheet with a run of a million empty
    rows; a cell may carry a comment; both value-type spellings; all within the limits."""
    import re
    import zipfile

    from corpus import answered_file
    plain = answered_file(corpus / "plain.ods", "Calc Office")
    with zipfile.ZipFile(plain) as zf:
        content = zf.read("content.xml").decode()
    content = content.replace("</table:table-row>", '<table:table-cell table:number-columns-repeated="1015"/>'
                              "</table:table-row>")
    content = content.replace("</table:table>", '<table:table-row table:number-rows-repeated="1048570">'
                              '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
                              "</table:table>")
    content = re.sub(r'office:value-type="string"', 'office:value-type="string" calcext:value-type="string"',
                     content).replace("<office:document-content ", '<office:document-content xmlns:calcext='
                                      '"urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" ', 1)
    content = content.replace('calcext:value-type="string">', 'calcext:value-type="string"><office:annotation '
                              'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Auditor</dc:creator>'
                              '<text:p>checked</text:p></office:annotation>', 1)
    path = ods(corpus / "calc.ods", content=content)
    run = run_cli(["score", "--json", path], cwd=corpus)
    assert run.returncode == 0, run.stderr
    assert '"office": "Calc Office"' in run.stdout and '"answer": "yes"' in run.stdout


def test_zip_bomb(corpus):
    path = zip_bomb(corpus / "bomb.xlsx", 250)
    assert path.stat().st_size < 2 * MB
    run_cli(["score", path], cwd=corpus).assert_one_line_error("bomb.xlsx", "limit is 200 MB")


def test_too_many_zip_members(corpus):
    path = workbook(corpus / "members.xlsx", sheet_xml(assessment_rows(1)),
                    extra={f"xl/media/m{i}.bin": b"" for i in range(10_001)})
    run_cli(["score", path], cwd=corpus).assert_one_line_error("members.xlsx", "zip members; the limit is 10,000")


def test_a_huge_dimension_claim_is_harmless(corpus, good_xlsx):
    """<dimension ref="A1:XFD1048576"> on a genuine workbook: read as usual, quickly, in little memory."""
    path = with_dimension(good_xlsx, corpus / "dimension.xlsx", "A1:XFD1048576")
    run = run_cli(["score", "--json", path], cwd=corpus)
    assert run.returncode == 0, run.stderr
    assert '"office": "Good Office"' in run.stdout
    assert run.peak_mb <= 500


def test_xxe_in_sheet_xml(corpus):
    doc = sheet_xml(assessment_rows(1), prolog=XML_XXE,
                    raw_row='<row r="3"><c r="B3" t="inlineStr"><is><t>&xxe;</t></is></c></row>')
    path = workbook(corpus / "xxe.xlsx", doc)
    run = run_cli(["score", path], cwd=corpus)
    run.assert_one_line_error("xxe.xlsx", "declares XML entities")
    assert "root:" not in run.stderr + run.stdout      # /etc/passwd never read, never echoed


def test_billion_laughs_in_shared_strings(corpus):
    shared = (XML_BILLION_LAUGHS + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<si><t>&lol9;</t></si></sst>')
    path = workbook(corpus / "laughs.xlsx", sheet_xml(assessment_rows(1)), shared=shared)
    run_cli(["score", path], cwd=corpus).assert_one_line_error("laughs.xlsx", "declares XML entities")


def test_not_a_zip_at_all(corpus):
    (corpus / "text.xlsx").write_text("id,answer\n", encoding="utf-8")
    run_cli(["score", corpus / "text.xlsx"], cwd=corpus).assert_one_line_error("text.xlsx", "not an .xlsx workbook")


def test_a_zip_that_is_not_a_workbook(corpus):
    import zipfile
    with zipfile.ZipFile(corpus / "docx.xlsx", "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    run_cli(["score", corpus / "docx.xlsx"], cwd=corpus).assert_one_line_error("docx.xlsx", "not an .xlsx workbook")


# ---------------------------------------------------------------------------------------------- YAML
def test_yaml_billion_laughs(corpus):
    score_text(corpus, "laughs.yaml", billion_laughs_yaml()).assert_one_line_error(
        "laughs.yaml", "aliases expand past 10,000")


def test_yaml_billion_laughs_in_a_checklist(corpus):
    path = corpus / "laughs-checklist.yaml"
    path.write_text(billion_laughs_yaml().replace("office:", "id:"), encoding="utf-8")
    run_cli(["validate", path], cwd=corpus).assert_one_line_error("laughs-checklist.yaml", "aliases expand")


@pytest.mark.parametrize("depth", [60, 5000])
def test_yaml_nested_too_deep(corpus, depth):
    path = corpus / f"deep-{depth}.yaml"
    path.write_text(deep_yaml(depth), encoding="utf-8")
    run_cli(["score", path], cwd=corpus).assert_one_line_error(path.name, "malformed YAML" if depth > 1000
                                                               else "deeper than 50 levels")


def test_yaml_with_too_many_entries(corpus):
    score_text(corpus, "entries.yaml", "office: X\nresponses: []\nnotes:\n" + "- x\n" * 250_000).assert_one_line_error(
        "entries.yaml", "more than 200,000 entries")


def test_yaml_with_a_list_as_a_key(corpus):
    score_text(corpus, "complexkey.yaml", "? [a, b]\n: c\nresponses: []\n").assert_one_line_error(
        "complexkey.yaml", "line 1", "plain text")


def test_yaml_impossible_date(corpus):
    score_text(corpus, "date.yaml", "office: X\ndate: 2024-02-30\nresponses: []\n").assert_one_line_error(
        "date.yaml", "day is out of range")


def test_yaml_too_many_responses(corpus):
    score_text(corpus, "many.yaml", "office: X\nresponses:\n" + "- {id: 4.1-a, answer: yes}\n" * 5001).assert_one_line_error(
        "many.yaml", "limit is 5,000")


# ---------------------------------------------------------------------------------------------- checklist: key
@pytest.fixture(scope="session")
def named(corpus) -> Path:
    """A responses folder next to an outside folder holding a secret file."""
    root = corpus / "named"
    (root / "office").mkdir(parents=True)
    (root / "outside").mkdir()
    (root / "outside" / "secret.yaml").write_text("SECRET-CONTENT-42: yes\n", encoding="utf-8")
    (root / "office" / "dir.yaml").mkdir()
    os.mkfifo(root / "office" / "fifo.yaml")
    shutil.copy(DATA / "mini.yaml", root / "office" / "mini.yaml")
    return root


@pytest.mark.parametrize("value, fragment", [
    ("/etc/passwd", "must be a bundled checklist id or a .yaml file in this file's folder"),
    ("../outside/secret.yaml", "must be a bundled checklist id"),
    ("/dev/zero", "must be a bundled checklist id"),
    ("dir.yaml", "is a folder"),
    ("fifo.yaml", "named pipe"),
    ("[1, 2]", "'checklist' must be text"),
])
def test_checklist_named_inside_a_responses_file(named, value, fragment):
    path = named / "office" / f"names-{abs(hash(value))}.yaml"
    path.write_text(f"office: X\nchecklist: {value}\nresponses: []\n", encoding="utf-8")
    run = run_cli(["score", path], cwd=named / "office")
    line = run.assert_one_line_error(path.name, fragment)
    assert "SECRET" not in run.stderr + run.stdout and "root:" not in line


def test_checklist_named_inside_a_responses_file_may_be_beside_it(named):
    path = named / "office" / "beside.yaml"
    path.write_text("office: X\nchecklist: mini.yaml\nresponses:\n- {id: 4.1-a, answer: yes}\n", encoding="utf-8")
    run = run_cli(["score", "--json", path], cwd=named / "outside")   # cwd elsewhere: found beside the file
    assert run.returncode == 0, run.stderr
    assert '"checklist"' in run.stdout and "mini" in run.stdout


# ---------------------------------------------------------------------------------------------- terminal
HOSTILE_NAME = "[bold]X[/] [link=http://evil.example]click[/link] \x1b[31mRED\x1b]8;;http://x\x07 \x9b2J $\\foo$"


def test_terminal_output_prints_user_text_literally(corpus):
    path = corpus / "terminal.csv"
    path.write_text(f"# office: {HOSTILE_NAME}\nid,answer,evidence,notes,owner,due\n4.1-a,yes,,,,\n",
                    encoding="utf-8")
    run = run_cli(["score", path], cwd=corpus)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "[bold]X[/]" in out and "[link=http://evil.example]click[/link]" in out   # markup shown, not applied
    assert "$\\foo$" in out and "RED" in out
    assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out            # nothing acts on the terminal
    as_json = run_cli(["score", "--json", path], cwd=corpus)
    assert as_json.returncode == 0 and "\x1b" not in as_json.stdout and "\x9b" not in as_json.stdout
    import json
    assert "[link=http://evil.example]click[/link]" in json.loads(as_json.stdout)["office"]


def test_error_lines_escape_control_characters(corpus):
    path = corpus / "bad\x1b[2Jname.csv"
    path.write_text("id,answer\n4.1-a,maybe\x1b]0;pwned\x07\n", encoding="utf-8")
    run = run_cli(["score", path], cwd=corpus)
    run.assert_one_line_error("\\x1b[2J", "not allowed")
    assert "\x1b" not in run.stderr and "\x07" not in run.stderr


def test_chart_labels_are_never_interpreted():
    """A custom checklist's clause '$\\foo$' (or a date typed as '$x$' or '<b>') is drawn as typed, never as
    mathtext or markup."""
    from types import SimpleNamespace

    import pandas as pd

    from qmskit.render.compare_report import chart_svg
    clauses = pd.DataFrame({"clause": ["$\\foo$", "5"], "level": [1, 1], "before": [40.0, 60.0],
                            "after": [50.0, 70.0]})
    cmp = SimpleNamespace(clauses=clauses, before=SimpleNamespace(meta={"date": "$\\bar$"}),
                          after=SimpleNamespace(meta={"date": "<b>x^</b>"}))
    svg = str(chart_svg(cmp))
    assert ">$\\foo$</text>" in svg and ">$\\bar$</text>" in svg and ">&lt;b&gt;x^&lt;/b&gt;</text>" in svg
    import xml.dom.minidom
    xml.dom.minidom.parseString(svg)  # well-formed


# ---------------------------------------------------------------------------------------------- writing
def _unshare_available() -> bool:
    if not shutil.which("unshare") or not sys.platform.startswith("linux"):
        return False
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    return probe.returncode == 0


needs_unshare = pytest.mark.skipif(not _unshare_available(),
                                   reason="needs unshare(1) with user namespaces to mount a small tmpfs")


def _in_tmpfs(folder: Path, options: str, args: list) -> list:
    """A command prefix: in a private mount namespace, mount a tmpfs with OPTIONS on FOLDER, then run."""
    return ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
            f'mount -t tmpfs -o {options} none "{folder}" && exec "$@"', "sh"]


@needs_unshare
@pytest.mark.parametrize("name, options, after_path, words", [("full", "size=16k", ":", "disk is full"),
                                                              ("readonly", "ro", "", "read-only file system")],
                         ids=["disk-full", "read-only"])
def test_a_template_into_a_folder_that_cannot_take_it(corpus, name, options, after_path, words):
    folder = corpus / name
    folder.mkdir()
    run = run_cli(["template", "iso9001-2015", "--office", "X", "-o", folder / "t.xlsx"], cwd=corpus,
                  wrap=_in_tmpfs(folder, options, []), tmp=corpus)
    run.assert_one_line_error(f"{folder / 't.xlsx'}{after_path}", words)


@needs_unshare
def test_read_only_batch_output_folder(corpus, good_xlsx):
    folder = corpus / "readonly-batch"
    folder.mkdir()
    run = run_cli(["batch", good_xlsx, "-o", folder, "--quiet"], cwd=corpus, wrap=_in_tmpfs(folder, "ro", []),
                  tmp=corpus)
    run.assert_one_line_error(str(folder), "read-only file system")


@pytest.mark.parametrize("kind", ["fifo", "folder", "device-link"])
def test_template_force_onto_what_is_not_a_regular_file(corpus, kind):
    """``template --force`` first backs the old file up: a symlink to /dev/zero was copied without end (4 GB
    of disk in 60 s, the temporary copy left behind when killed), a named pipe gave "[Errno None] None"."""
    folder = corpus / f"target-{kind}"
    folder.mkdir()
    target = folder / "t.xlsx"
    {"fifo": lambda: os.mkfifo(target), "folder": target.mkdir,
     "device-link": lambda: target.symlink_to("/dev/zero")}[kind]()
    run = run_cli(["template", "iso9001-2015", "--office", "X", "-o", target, "--force"], cwd=corpus)
    run.assert_one_line_error("t.xlsx", "qmskit writes only regular files, nothing was written")
    assert sorted(p.name for p in folder.iterdir() if p.name != ".t.xlsx.lock") == ["t.xlsx"]
    assert target.is_symlink() or not target.is_file()   # left as it was
