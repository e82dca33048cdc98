"""Reading an .xlsx safely and fast: a bounded pre-scan of the zip, then python-calamine.

Why both: calamine (Rust) reads a responses workbook ~10× faster than openpyxl, but it builds each sheet
as one dense rectangle from the first to the last cell it finds, so two cells far apart (A1 and
XFD1048576) make it allocate hundreds of GB and abort the whole process; openpyxl in read-only mode
pads every row to the ``<dimension>`` the file claims. So before either looks at a file, :func:`prescan`
checks what the zip central directory declares (total expanded size, member count), refuses XML
entity declarations (XXE, "billion laughs"), and streams each worksheet's XML through a small regular
expression to find how far its rows and cells really reach — without building anything. Only a
workbook within the limits of :mod:`qmskit.io.limits` reaches calamine.

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
from qmskit.io.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, mib, open_bounded_zip

NOT_A_WORKBOOK = ("not an .xlsx workbook (another file type renamed to .xlsx, or a damaged file); "
                  "save it from Excel/WPS as .xlsx, or start from `qmskit template`")
_CHUNK = 1 << 20
_MAX_CARRY = 16 << 20          # longest stretch of sheet XML without a "<" we hold while scanning
_TAG = re.compile(rb"<(row|c)\b([^>]*)>")
_REF = re.compile(rb'\br="([A-Za-z]{0,3})([0-9]{0,7})"')
_REFS = re.compile(rb'<(row|c)\b[^>]*?\br="([A-Za-z]{0,3})([0-9]{0,7})"')
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _too_far(row: int, col: int, path: Path, member: str) -> None:
    if row > MAX_ROWS:
        raise ResponsesError(f"a sheet reaches row {row:,}; the limit is {MAX_ROWS:,} rows per sheet",
                             path=path, where=member)
    if col > MAX_COLUMNS:
        raise ResponsesError(f"a sheet reaches column {col:,}; the limit is {MAX_COLUMNS} columns per sheet",
                             path=path, where=member)


def _extent(part: bytes, row: int, col: int, path: Path, member: str) -> tuple[int, int]:
    """Follow the row and column position through a stretch of sheet XML (whole tags only)."""
    refs = _REFS.findall(part)
    tags = sum(part.count(t) for t in (b"<c ", b"<c>", b"<c/>", b"<row ", b"<row>", b"<row/>"))
    if not refs and not tags:
        return row, col
    rows = {d for _, _, d in refs}
    if len(refs) == tags and b"" not in rows:
        # every row and cell says where it is (Excel, LibreOffice, openpyxl): only the largest matter
        columns = {lt.upper() for lt in {lt for _, lt, _ in refs}} - {b""}
        _too_far(max(map(int, rows)), max(map(_column_number, columns), default=0), path, member)
        kind, letters, digits = refs[-1]
        return int(digits), (_column_number(letters) if kind == b"c" else 0)
    for m in _TAG.finditer(part):  # some position is implicit: count as readers do
        ref = _REF.search(m.group(2))
        letters, digits = (ref.group(1), ref.group(2)) if ref else (b"", b"")
        if m.group(1) == b"row":
            row = int(digits) if digits else row + 1
            col = 0
        else:
            if digits:
                row = int(digits)
            col = _column_number(letters) if letters else col + 1
        _too_far(row, col, path, member)
    return row, col


def _scan_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, is_sheet: bool) -> None:
    """Stream one XML member: no DTD/entities; for a worksheet, rows ≤ MAX_ROWS and columns ≤ MAX_COLUMNS.

    Rows and cells without an ``r`` attribute count on from the previous one, as readers place them."""
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
                    raise ResponsesError(f"{info.filename} holds a text run longer than {mib(_MAX_CARRY)} "
                                         f"(a cell may hold at most {MAX_CELL_CHARS:,} characters)", path=path)
            part = buf[:end]
            # a DTD is only allowed before the root element, but look everywhere: cheap and certain
            if _DTD.search(part):
                raise ResponsesError(f"{info.filename} declares XML entities or a DTD; refused (a workbook "
                                     "saved by Excel, WPS or LibreOffice never does)", path=path)
            if is_sheet:
                row, col = _extent(part, row, col, path, info.filename)
            carry = buf[end:]
            if not chunk:
                return


def prescan(path: Path) -> None:
    """Check an .xlsx within the limits before any reader opens it (see the module docstring)."""
    with open_bounded_zip(path, ResponsesError, NOT_A_WORKBOOK, "workbook") as zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names:
            raise ResponsesError(NOT_A_WORKBOOK, path=path)
        try:
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")) and not info.is_dir():
                    _scan_member(zf, info, path, info.filename.startswith("xl/worksheets/"))
        except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, ValueError, OSError):
            # a damaged or encrypted member, an unsupported compression method, a CRC mismatch
            raise ResponsesError(NOT_A_WORKBOOK, path=path) from None


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
                raise ResponsesError(NOT_A_WORKBOOK + f" (sheet '{name}' cannot be read)", path=self.path) from None
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
                raise ResponsesError(f"a cell holds {len(value):,} characters; the limit is {MAX_CELL_CHARS:,}",
                                     path=path, where=f"sheet '{sheet}' row {n}")
        elif kind is float:
            if value.is_integer() and abs(value) < 1e15:
                value = int(value)
        elif kind is dt.date:
            value = dt.datetime(value.year, value.month, value.day)
        out.append(value)
    return tuple(out)


def open_workbook(path: Path, *, scan=None, not_this_kind: str = NOT_A_WORKBOOK) -> Workbook:
    """Pre-scan ``path`` (``scan``: this module's .xlsx pre-scan unless another format passes its own) and
    open it with calamine; raises ResponsesError with one line (``not_this_kind`` when calamine refuses it)."""
    from python_calamine import CalamineError, CalamineWorkbook

    (scan or prescan)(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except CalamineError:
        raise ResponsesError(not_this_kind, path=path) from None
    except OSError as exc:
        raise ResponsesError(f"cannot read ({exc.strerror or exc})", path=path) from None
    return Workbook(path, book)
