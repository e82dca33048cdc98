"""Builders for the hostile corpus: every file is generated in the test session (sparse files for the
size limits, workbooks assembled member by member for the sheet-XML cases)."""
from __future__ import annotations

import contextlib
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/xl/workbook.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                 '<Override PartName="/xl/worksheets/sheet1.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                 '<Override PartName="/xl/worksheets/sheet2.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                 '<Override PartName="/xl/sharedStrings.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                 '</Types>')
ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
             'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Office" sheetId="1" r:id="rId1"/><sheet name="Assessment" sheetId="2" r:id="rId2"/>'
            '</sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                 '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/worksheet" Target="worksheets/sheet2.xml"/>'
                 '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _col(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def sheet_xml(rows: list[list[str]], *, dimension: str | None = None, prolog: str | None = None,
              raw_row: str = "") -> str:
    """A worksheet of inline strings, every row and cell carrying its reference. ``prolog`` replaces the
    XML declaration (e.g. to add a DOCTYPE); ``raw_row`` is appended to sheetData unescaped."""
    out = [prolog if prolog is not None else '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    if dimension:
        out.append(f'<dimension ref="{dimension}"/>')
    out.append("<sheetData>")
    for r, values in enumerate(rows, start=1):
        out.append(f'<row r="{r}">' + "".join(inline(f"{_col(c)}{r}", v) for c, v in enumerate(values, start=1)
                                              if v != "") + "</row>")
    out.append(raw_row + "</sheetData></worksheet>")
    return "".join(out)


ASSESSMENT_HEADER = ["Clause", "ID", "Question", "What an auditor looks for", "Answer", "Evidence", "Notes",
                     "Owner", "Due date"]
OFFICE_ROWS = [["Field", "Value", "key"], ["Office", "Hostile Office", "office"]]


def workbook(path: Path, assessment: str, *, office: str | None = None, shared: str | None = None,
             extra: dict | None = None, book: str = WORKBOOK) -> Path:
    """An .xlsx from raw sheet XML (Office sheet: a plain header unless given; ``book``: the workbook part)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", office or sheet_xml(OFFICE_ROWS))
        zf.writestr("xl/worksheets/sheet2.xml", assessment)
        zf.writestr("xl/sharedStrings.xml", shared or
                    '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                    'spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>')
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def assessment_rows(n: int) -> list[list[str]]:
    return [ASSESSMENT_HEADER] + [["4.1", f"q-{i}", "Question?", "", "yes", "", "", "", ""] for i in range(n)]


@contextlib.contextmanager
def _streamed_sheet(path: Path):
    """An .xlsx at ``path`` with the usual parts and an Office sheet; yields the Assessment sheet's stream
    (written with ZIP64, so it may expand to hundreds of MB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                           ("xl/worksheets/sheet1.xml", sheet_xml(OFFICE_ROWS))):
            zf.writestr(name, data)
        with zf.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as fh:
            yield fh


def zip_bomb(path: Path, expanded_mb: int) -> Path:
    """A workbook whose sheet expands to ``expanded_mb`` MB (of spaces; compresses ~1000:1)."""
    with _streamed_sheet(path) as fh:
        fh.write(SHEET_HEAD.encode())
        block = b" " * (1 << 20)
        for _ in range(expanded_mb):
            fh.write(block)
        fh.write(b"<sheetData/></worksheet>")
    return path


def with_dimension(src: Path, dst: Path, ref: str) -> Path:
    """Copy of a real qmskit workbook whose every sheet claims ``<dimension ref=REF>``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), data)
            zout.writestr(info, data)
    return dst


def sparse(path: Path, size: int) -> Path:
    """A file that claims ``size`` bytes without using the disk."""
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path


def billion_laughs_yaml(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append(f"office: *a{levels - 1}")
    return "\n".join(lines) + "\nresponses: []\n"


def deep_yaml(depth: int) -> str:
    return "office: X\nresponses: []\nnotes: " + "[" * depth + "x" + "]" * depth + "\n"


XML_BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                      + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                                for i in range(1, 10))
                      + ']>')
XML_XXE = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


ODS_NAMESPACES = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
                  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def ods_content(tables: str) -> str:
    """A content.xml holding ``tables`` (raw <table:table> elements)."""
    return ('<?xml version="1.0" encoding="UTF-8"?><office:document-content ' + ODS_NAMESPACES
            + ' office:version="1.2"><office:body><office:spreadsheet>' + tables
            + "</office:spreadsheet></office:body></office:document-content>")


def ods(path: Path, tables: str | None = None, *, content: str | bytes | None = None) -> Path:
    """An .ods from raw table XML (or a whole content.xml)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content if content is not None else ods_content(tables or ""))
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return path


def ods_cell(text: str, attrs: str = "") -> str:
    return f'<table:table-cell office:value-type="string"{attrs}><text:p>{escape(text)}</text:p></table:table-cell>'


# one emoji among ASCII: Python stores the whole string at 4 bytes a character (UTF-8: ~1), the worst case
# of memory per byte of text in the file
WIDE_TEXT = "x" * 9998 + "\U0001F600"


def inline_text_workbook(path: Path, text: str, cells: int, *, columns: int = 8) -> Path:
    """An .xlsx whose Assessment sheet holds ``cells`` inline copies of ``text`` (after a plain header), the
    sheet streamed into the zip (it may expand to hundreds of MB)."""
    with _streamed_sheet(path) as fh:
        fh.write((SHEET_HEAD + "<sheetData>" + '<row r="1">'
                  + "".join(inline(f"{_col(c)}1", h) for c, h in enumerate(ASSESSMENT_HEADER, start=1))
                  + "</row>").encode())
        body = escape(text)
        for r in range(2, 2 + -(-cells // columns)):
            fh.write((f'<row r="{r}">' + "".join(f'<c r="{_col(c)}{r}" t="inlineStr"><is><t>{body}</t></is></c>'
                                                 for c in range(1, columns + 1)) + "</row>").encode())
        fh.write(b"</sheetData></worksheet>")
    return path


# ---------------------------------------------------------------------------------------------- raw zips
# Zips assembled byte by byte (zipfile cannot write the lies): local headers that disagree with the central
# directory, data descriptors, ZIP64 extra fields, declared sizes smaller than the stream, other methods,
# and end records that one zip reader takes and another skips.
import struct  # noqa: E402
import zlib  # noqa: E402
from dataclasses import dataclass  # noqa: E402


@dataclass
class RawMember:
    name: str
    data: bytes                      # the member's content, uncompressed
    method: int = 8                  # 0 stored, 8 deflate, 12 bzip2, 14 lzma
    size: int | None = None          # declared uncompressed size (default: the real one)
    crc: int | None = None           # declared CRC-32 (default: of ``data``)
    local_size: int | None = None    # the local header's own claims (default: the central directory's)
    local_csize: int | None = None
    descriptor: bool = False         # flag bit 3: zeros in the local header, a data descriptor after the data
    zip64: bool = False              # sizes 0xFFFFFFFF and a ZIP64 extra field, local and central


def _compressed(m: RawMember) -> bytes:
    if m.method == 0:
        return m.data
    if m.method == 8:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(m.data) + c.flush()
    if m.method == 12:
        import bz2
        return bz2.compress(m.data)
    if m.method == 14:
        import lzma
        props = lzma._encode_filter_properties({"id": lzma.FILTER_LZMA1})  # type: ignore[attr-defined]
        filt = lzma._decode_filter_properties(lzma.FILTER_LZMA1, props)  # type: ignore[attr-defined]
        c = lzma.LZMACompressor(lzma.FORMAT_RAW, filters=[filt])
        return struct.pack("<BBH", 9, 4, len(props)) + props + c.compress(m.data) + c.flush()
    raise ValueError(m.method)


def raw_zip(members: list[RawMember], *, comment: bytes = b"") -> bytes:
    out, central = bytearray(), bytearray()
    for m in members:
        payload = _compressed(m)
        crc = zlib.crc32(m.data) if m.crc is None else m.crc
        size = len(m.data) if m.size is None else m.size
        csize, name, offset = len(payload), m.name.encode(), len(out)
        flags = 0x800 | (8 if m.descriptor else 0)
        lcrc, lsize = crc, size if m.local_size is None else m.local_size
        lcsize = csize if m.local_csize is None else m.local_csize
        if m.descriptor:
            lcrc = lsize = lcsize = 0
        version = 45 if m.zip64 else 20
        lextra = struct.pack("<HHQQ", 1, 16, lsize, lcsize) if m.zip64 else b""
        if m.zip64:
            lsize = lcsize = 0xFFFFFFFF
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, version, flags, m.method, 0, 0x21, lcrc, lcsize, lsize,
                           len(name), len(lextra)) + name + lextra + payload
        if m.descriptor:
            out += struct.pack("<IIII", 0x08074B50, crc, csize, size)
        cextra = struct.pack("<HHQQQ", 1, 24, size, csize, offset) if m.zip64 else b""
        c_size, c_csize, c_offset = (0xFFFFFFFF,) * 3 if m.zip64 else (size, csize, offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, version, version, flags, m.method, 0, 0x21, crc,
                               c_csize, c_size, len(name), len(cextra), 0, 0, 0, 0, c_offset) + name + cextra
    cd_offset = len(out)
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                                 cd_offset, len(comment)) + comment
    return bytes(out)


def end_record(data: bytes, **fields: int) -> bytes:
    """``data`` (a zip) with fields of its end-of-central-directory record changed: disk, cd_disk, here,
    total, cd_size, cd_offset, comment_length."""
    at = data.rfind(b"PK\x05\x06")
    names = ("disk", "cd_disk", "here", "total", "cd_size", "cd_offset", "comment_length")
    values = dict(zip(names, struct.unpack("<HHHHIIH", data[at + 4:at + 22])))
    values.update(fields)
    return data[:at + 4] + struct.pack("<HHHHIIH", *(values[n] for n in names)) + data[at + 22:]


ODS_MANIFEST = ('<?xml version="1.0"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')


def ods_members(content: str | bytes, **content_fields) -> list[RawMember]:
    """The members of an .ods (content.xml given; ``content_fields``: RawMember fields for it)."""
    body = content.encode() if isinstance(content, str) else content
    return [RawMember("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", method=0),
            RawMember("content.xml", body, **content_fields),
            RawMember("META-INF/manifest.xml", ODS_MANIFEST.encode())]


def xlsx_members(assessment: str | bytes, **sheet_fields) -> list[RawMember]:
    """The members of an .xlsx as :func:`workbook` writes them (the Assessment sheet given)."""
    body = assessment.encode() if isinstance(assessment, str) else assessment
    parts = [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS), ("xl/workbook.xml", WORKBOOK),
             ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS), ("xl/worksheets/sheet1.xml", sheet_xml(OFFICE_ROWS))]
    return [RawMember(n, d.encode()) for n, d in parts] + [RawMember("xl/worksheets/sheet2.xml", body, **sheet_fields)]


def answered_file(path: Path, office: str, questions: int = 5) -> Path:
    """A responses file written by qmskit itself (.xlsx/.ods by the suffix): the first questions answered yes."""
    import qmskit
    from qmskit.io.responses import write_responses
    cl = qmskit.load_checklist("iso9001-2015")
    frame = cl.questions[["id"]].head(questions).copy()
    frame["answer"] = "yes"
    write_responses(path, {"office": office}, frame, cl, backup=False)
    return path
