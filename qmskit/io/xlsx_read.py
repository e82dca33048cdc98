"""Reading an .xlsx safely and fast: a bounded pre-scan of the zip, then python-calamine.

Why both: calamine (Rust) reads a responses workbook ~10× faster than openpyxl, but it builds each sheet
as one dense rectangle from the first to the last cell it finds, so two cells far apart (A1 and
XFD1048576) make it allocate hundreds of GB and abort the whole process; openpyxl in read-only mode
pads every row to the ``<dimension>`` the file claims. So before either looks at a file, :func:`prescan`
checks what the zip central directory declares (total expanded size, member count), refuses XML
entity declarations (XXE, "billion laughs"), and streams each worksheet's XML to find how far its rows
and cells really reach — without building anything: a few C-level searches vouch for a sheet written
the usual way (every tag opening with one plain ``r="A1"``), anything else is walked tag by tag with
every reference as readers accept it (either quotes, spaces, zero padding, namespace prefixes, a second
``r``). Only a workbook within the limits of :mod:`qmskit.io.limits` reaches calamine.

:func:`open_workbook` returns sheets whose ``iter_rows(min_row=, values_only=True)`` yields tuples the
way openpyxl's read-only mode did (``None`` for a blank cell, ``int`` for a whole number, dates as
``datetime``), so the sheet readers in :mod:`qmskit.io.xlsx` work unchanged.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from qmskit.errors import ResponsesError
from qmskit.i18n.catalog import msg
from qmskit.io.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, cannot_read, cell_too_long, mib, open_bounded_zip

NOT_A_WORKBOOK = "xlsx_read.not_a_workbook"  # the catalog key of the one line for a file that is no .xlsx
_CHUNK = 1 << 20
_MAX_CARRY = 16 << 20          # longest stretch of sheet XML without a "<" we hold while scanning
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")

# The fast check (a few C-level searches per chunk, no Python per cell), for sheets written the way Excel,
# LibreOffice, WPS and openpyxl write them: every row and cell tag (no namespace prefix) opens with a plain
# r="A1" reference (double quotes, no leading zero), carries no second r attribute (calamine would take it)
# and no reference reaches past MAX_ROWS / MAX_COLUMNS. Anything else (or a reference too far) goes to the
# exact walk below, which follows every tag as readers place it and names the row or column in its message.
assert MAX_COLUMNS == 200 and MAX_ROWS == 5_000  # _ODD_OR_FAR_REF spells these limits out
_NOT_OPENING_WITH_REF = re.compile(rb'<(?:c|row)(?: (?!r=")|[>/\t\n\r])')
_PREFIXED_TAG = re.compile(rb":(?:c|row)[\s/>]")
# one pass over every " r": an r attribute written otherwise (' r =', " r='"), a reference that is not plain
# or has 3 letters or 5+ digits, a column past GR (200), a row from 5,001 to 9,999
_ODD_OR_FAR_REF = re.compile(rb' r(?:\s|=[\s\']|="(?:(?![A-Z]{0,2}(?:[1-9][0-9]{0,3})?")|[H-Z][A-Z]|G[S-Z]'
                             rb'|[A-Z]{0,2}(?:[6-9][0-9]{3}|5[1-9][0-9]{2}|50[1-9][0-9]|500[1-9])"))')
_OTHER_REF_SPACE = re.compile(rb"r(?<=[\t\n\r]r)\s*=")  # '\tr=': led by a literal, searched much faster


# The exact walk: every start tag of a row or cell (any namespace prefix), attribute values quoted either
# way (a ">" may sit inside one); each r attribute (any prefix, spaces around "=") as calamine reads it.
_TAG_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:row|c)(?=[\s/>])")
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)/?>")
_R_ATTR = re.compile(rb"""(?:^|\s)(?:[A-Za-z_][\w.-]*:)?r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF_VALUE = re.compile(rb"\s*([A-Za-z]*)([0-9]*)\s*")


def _column_number(letters: bytes) -> int:
    if len(letters) > 4:  # past any limit (XFD, Excel's last column, has three)
        return 26 ** 5
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _too_far(row: int, col: int, path: Path, member: str) -> None:
    if row > MAX_ROWS:
        raise ResponsesError(msg("xlsx_read.too_many_rows", row=row, limit=MAX_ROWS), path=path, where=member)
    if col > MAX_COLUMNS:
        raise ResponsesError(msg("xlsx_read.too_many_columns", col=col, limit=MAX_COLUMNS), path=path, where=member)


def _plain_and_near(part: bytes) -> bool:
    """True when the fast check vouches for this stretch of sheet XML (see above); False: walk it."""
    # every plain ' r="' opens a row or cell tag: none is a second reference (nor sits in text)
    return (part.count(b' r="') == part.count(b'<c r="') + part.count(b'<row r="')
            and not (_NOT_OPENING_WITH_REF.search(part) or _PREFIXED_TAG.search(part)
                     or _ODD_OR_FAR_REF.search(part) or _OTHER_REF_SPACE.search(part)))


def _walk(part: bytes, row: int, col: int, path: Path, member: str) -> tuple[int, int]:
    """Follow the row and column position through a stretch of sheet XML (whole tags only), as readers
    place rows and cells: an r attribute sets the position, a tag without one counts on by one."""
    starts = _TAG_START.findall(part)
    tags = list(_TAG.finditer(part))
    if len(starts) != len(tags):  # a row or cell tag that does not close (a raw "<" in an attribute)
        raise ResponsesError(_damaged(member, msg("xlsx_read.malformed_tag")), path=path)
    for m in tags:
        refs = [a or b for a, b in _R_ATTR.findall(m.group(2))]
        letters = digits = b""
        for ref in refs:  # a tag given two references: each one counts, the farthest decides
            parsed = _REF_VALUE.fullmatch(ref)
            if parsed is None:
                raise ResponsesError(_damaged(member, msg("xlsx_read.malformed_ref")), path=path)
            letters, digits = parsed.group(1), parsed.group(2)
            _too_far(int(digits) if digits else row, _column_number(letters) if letters else col, path, member)
        if m.group(1) == b"row":
            row = int(digits) if digits else row + 1
            col = 0
        else:
            if digits:
                row = int(digits)
            col = _column_number(letters) if letters else col + 1
        _too_far(row, col, path, member)
    return row, col


def _scan_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, is_sheet: bool, exact: bool = False) -> bool:
    """Stream one XML member: no DTD/entities; for a worksheet, rows ≤ MAX_ROWS and columns ≤ MAX_COLUMNS.

    Returns False when the fast check could not vouch for a stretch of a worksheet (the caller then scans
    the member again with ``exact``, which walks every row and cell tag and raises what it finds)."""
    row = col = 0
    carry = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            buf = carry + chunk
            if not chunk:
                end = len(buf)
            else:
                end = buf.rfind(b"<")
                if end <= 0:
                    end = 0 if len(buf) < _MAX_CARRY else -1
                if end < 0:
                    raise ResponsesError(msg("xlsx_read.text_run", member=info.filename, size=mib(_MAX_CARRY),
                                             limit=MAX_CELL_CHARS), path=path)
            part = buf[:end]
            # a DTD is only allowed before the root element, but look everywhere: cheap and certain
            if _DTD.search(part):
                raise ResponsesError(msg("xlsx_read.dtd", member=info.filename), path=path)
            if is_sheet:
                if exact:
                    row, col = _walk(part, row, col, path, info.filename)
                elif not _plain_and_near(part):
                    return False
            carry = buf[end:]
            if not chunk:
                return True


def prescan(path: Path) -> None:
    """Check an .xlsx within the limits before any reader opens it (see the module docstring)."""
    with open_bounded_zip(path, ResponsesError, NOT_A_WORKBOOK, "limits.what.workbook") as zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names:
            raise ResponsesError(msg(NOT_A_WORKBOOK), path=path)
        try:
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")) and not info.is_dir():
                    is_sheet = info.filename.startswith("xl/worksheets/")
                    if not _scan_member(zf, info, path, is_sheet):
                        _scan_member(zf, info, path, is_sheet, exact=True)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, ValueError, OSError):
            # a damaged or encrypted member, an unsupported compression method, a CRC mismatch
            raise ResponsesError(msg(NOT_A_WORKBOOK), path=path) from None


def _damaged(member: str, problem: str) -> str:
    """The not-a-workbook line with the part of the zip that is broken and how."""
    return msg("xlsx_read.damaged_part", base=msg(NOT_A_WORKBOOK), member=member, problem=problem)


class Sheet:
    """One sheet's cells, already read; ``iter_rows`` as openpyxl's read-only worksheet offers it."""

    def __init__(self, name: str, rows: list[tuple]):
        self.title = name
        self._rows = rows

    def iter_rows(self, min_row: int = 1, values_only: bool = True):
        return iter(self._rows[min_row - 1:])


class Workbook:
    """What :func:`qmskit.io.xlsx.read_xlsx` needs of a workbook: sheet names and sheets by name."""

    def __init__(self, path: Path, book):
        self.path = path
        self._book = book
        self.sheetnames = list(book.sheet_names)
        self._cache: dict[str, Sheet] = {}

    def __getitem__(self, name: str) -> Sheet:
        if name not in self._cache:
            from python_calamine import CalamineError
            try:
                data = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except CalamineError:
                raise ResponsesError(msg("xlsx_read.sheet_unreadable", base=msg(NOT_A_WORKBOOK), sheet=name),
                                     path=self.path) from None
            self._cache[name] = Sheet(name, [_row(values, n, name, self.path) for n, values in
                                             enumerate(data, start=1)])
        return self._cache[name]

    def close(self) -> None:
        self._book.close()


def _row(values: list, n: int, sheet: str, path: Path) -> tuple:
    """calamine's values as openpyxl gave them: blank → None, 5.0 → 5, a date cell → datetime.
    (One loop per row without a call per cell: this runs for every cell of every workbook read.)"""
    out = []
    for value in values:
        kind = type(value)
        if kind is str:
            if not value:
                value = None
            elif len(value) > MAX_CELL_CHARS:
                raise ResponsesError(cell_too_long(len(value)), path=path, where=msg("place.sheet_row", sheet=sheet, row=n))
        elif kind is float:
            if value.is_integer() and abs(value) < 1e15:
                value = int(value)
        elif kind is dt.date:
            value = dt.datetime(value.year, value.month, value.day)
        out.append(value)
    return tuple(out)


def open_workbook(path: Path, *, scan=None, not_this_kind: str = NOT_A_WORKBOOK) -> Workbook:
    """Pre-scan ``path`` (``scan``: this module's .xlsx pre-scan unless another format passes its own) and
    open it with calamine; raises ResponsesError with one line (the catalog's ``not_this_kind`` message
    when calamine refuses it)."""
    from python_calamine import CalamineError, CalamineWorkbook

    (scan or prescan)(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except CalamineError:
        raise ResponsesError(msg(not_this_kind), path=path) from None
    except OSError as exc:
        raise ResponsesError(cannot_read(exc), path=path) from None
    return Workbook(path, book)
