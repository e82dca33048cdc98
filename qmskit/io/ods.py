"""LibreOffice's own format: a responses workbook as .ods, read and written like the .xlsx one.

Reading: a bounded pre-scan of the zip (member count, unzipped size, no DTD/entities, and content.xml
followed as calamine reads it, every repeat counted: rows, columns, cell text and all text within the
limits, see :class:`_Extent`), then python-calamine, then the very code
that reads an .xlsx (:func:`qmskit.io.xlsx.read_workbook`): same sheets, same headers (en or zh), same
errors. Writing a new file: the same sheets and columns through pandas' ``odf`` engine (odfpy). An .ods
written here has no dropdowns, grouping or locked cells (odfpy through pandas cannot set them); it
round-trips every value, and text stays text. Saving into an existing .ods changes only the cells qmskit
owns (qmskit.io.ods_update); :func:`carry_office_sheets` is for the rest, a file with no sheet to update.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import NoReturn

import pandas as pd

from qmskit.checklist.loader import Checklist
from qmskit.errors import ResponsesError
from qmskit.i18n.catalog import msg
from qmskit.i18n.numbers import fmt_size
from qmskit.io.formulas import FormulaCell, FormulaIndex, is_error_literal, ods_formula_text
from qmskit.io.limits import (
    MAX_CELL_CHARS,
    MAX_CELL_TEXT_BYTES,
    MAX_COLUMNS,
    MAX_RESPONSES_BYTES,
    MAX_ROWS,
    MAX_SHEETS,
    MAX_WORKBOOK_CELLS,
    ZIP_READ_ERRORS,
    cell_too_long,
    open_bounded_zip,
    read_bytes_bounded,
)
from qmskit.io.xlsx_read import check_sheet_names

NOT_AN_ODS = "ods.not_an_ods"  # the catalog key of the one line for a file that is no .ods
MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_CHUNK = 1 << 20
_COUNT = re.compile(r"\+?[0-9]+")           # a repeat count as calamine parses it (Rust's usize: "+5000" too)
_VALUE_ATTR = re.compile(r"value|formula")   # office:value, office:string-value, calcext:value-type, table:formula …
# A sheet at the limits written cell by cell (5,000 x 200 text cells, 4 tags each: the cell and its paragraph,
# opened and closed) has ~4 million tags; more is no responses file, and each tag costs the walk ~2 µs
_MAX_TAGS = 5 * MAX_ROWS * MAX_COLUMNS
# ... and each attribute costs the walk ~1 µs more (expat builds a dict of them for every element; 300 on each
# cell made a 2 MB file take 19 s). Counted as "=" signs (each attribute has one; values and text may add
# more): a sheet at the limits holds ~3 a cell, one of formulas ~5
_MAX_EQUALS = 8 * MAX_ROWS * MAX_COLUMNS
# calamine builds every table of content.xml when it opens the file (not only the sheets asked for), each
# as the rectangle from A1 to its last cell with content, ~31 MB a million cells: 30 tables of 5,000 x 200
# numbers (each within the sheet limits, no text, an 800-byte file) aborted the process at 1 GB. All tables'
# rectangles together stay within two sheets at the limits.
_MAX_CELLS = MAX_WORKBOOK_CELLS
_TEXT_ATTRS = frozenset({"string-value", "date-value", "time-value", "formula"})  # copied as text into each cell
# the elements the walk follows, by local name (any prefix); every other element is _OTHER
_OTHER, _TABLE, _ROW, _CELL, _SPACES, _PARAGRAPH = range(1, 7)
_KINDS = {"table": _TABLE, "table-row": _ROW, "table-cell": _CELL, "covered-table-cell": _CELL, "s": _SPACES,
          "p": _PARAGRAPH}


def prescan_read(path: Path) -> tuple[FormulaIndex, bytes]:
    """:func:`prescan` of the file's bytes, read once, returned with them: calamine then reads what was
    checked, not the path again (a file swapped in between scored at ~10 GB)."""
    data = read_bytes_bounded(path, ResponsesError, MAX_RESPONSES_BYTES, "limits.what.spreadsheet")
    return prescan(path, data), data


def prescan(path: Path, data: bytes | None = None) -> FormulaIndex:
    """Check an .ods within the limits before calamine reads it; returns its formula cells (the walk of
    content.xml records them as it passes, qmskit.io.formulas). ``data``: the file's bytes, already read."""
    with open_bounded_zip(path, ResponsesError, NOT_AN_ODS, "limits.what.spreadsheet", data=data) as zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        try:
            if "content.xml" not in names or ("mimetype" in names and zf.read("mimetype").strip() != MIMETYPE):
                raise ResponsesError(msg(NOT_AN_ODS), path=path)
            for info in infos:
                if info.filename.endswith(".xml"):
                    _scan(zf, info, path)
            extent = _Extent(path)
            for info in infos:  # every member a zip reader may take for content.xml (duplicates: each one)
                if not info.is_dir() and _content_name(info.filename):
                    extent.walk(zf, info)
            return FormulaIndex(path, found=extent.formulas, complete=True)
        except ZIP_READ_ERRORS:
            raise ResponsesError(msg(NOT_AN_ODS), path=path) from None


def _content_name(name: str) -> bool:
    return name.replace("\\", "/").lstrip("/").removeprefix("./").lower() == "content.xml"


def _scan(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """No DTD or entity declaration in any XML member."""
    carry = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            buf = carry + chunk
            if _DTD.search(buf):
                raise ResponsesError(msg("ods.dtd", member=info.filename), path=path)
            if not chunk:
                return
            carry = buf[-256:]


class _Refused(Exception):
    """Raised inside the XML parser's handlers; carries the one line out of expat."""

    def __init__(self, error: ResponsesError):
        self.error = error


class _Extent:
    """content.xml as calamine reads it, followed element by element (expat, streaming, no DTD): where each
    table's rows and cells really reach and how much text calamine would build, before calamine builds it.

    calamine expands every repeat: a row's ``number-rows-repeated`` copies the row, a cell's
    ``number-columns-repeated`` copies the cell, and ``<text:s text:c="N"/>`` is N spaces. Empty cells and
    rows only count when content follows them (LibreOffice ends each sheet with a repeated empty row), so
    a sheet reaches as far as its last cell with content: the position of that cell (every repeat before
    it counted, in every run) must stay within MAX_ROWS x MAX_COLUMNS, each cell's text within MAX_CELL_CHARS
    and all text, each copy counted, within MAX_CELL_TEXT_BYTES.

    Conservative where calamine is narrower: any namespace prefix counts (calamine reads only ``table:``),
    a cell has content when any of its attributes names a value or formula, and all text in a cell is its
    text. A structure calamine would read otherwise than this walk (a row inside a row, a cell inside a
    cell or outside a row, a table inside either) is refused as not an .ods."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.text_bytes = 0          # text calamine builds, each copy counted (all members, all tables)
        self.cells = 0               # cells of the tables closed so far, each its rectangle (all members)
        self.reach = (0, 0)          # (rows, columns) of this table's rectangle so far
        self.table = ""
        self.tables = 0              # open tables (1 inside one; a table inside a table is refused)
        self.sheets = 0              # tables begun so far (all members): calamine holds each one's name and cells
        self.names: dict[str, str] = {}   # this member's table names (case-folded → as written): no two alike
        self.rows = 0                # rows of this table so far, repeats counted
        self.row: tuple[int, int] | None = None      # (first row, repeats) of the open row
        self.col = 0                 # cells of the open row so far, repeats counted
        self.cell: list[int] | None = None           # [copies, characters, utf-8 bytes, paragraphs] of the open cell
        self._kinds: dict[str, int] = {}             # element name -> _KINDS (looked up once per name)
        # formula cells by table (qmskit.io.formulas); the open cell's: (row, col, copies, formula, value type)
        self.formulas: dict[str, list[FormulaCell]] = {}
        self._formula: tuple[int, int, int, int, str, str | None] | None = None

    def walk(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        from xml.parsers import expat

        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = self._damaged
        self.table, self.tables, self.rows, self.row, self.col, self.cell = "", 0, 0, None, 0, None
        self.reach, self.names = (0, 0), {}
        try:
            tags = equals = 0
            with zf.open(info) as fh:   # counted first (C speed): the walk's Python work is bounded before it starts
                while chunk := fh.read(_CHUNK):
                    tags += chunk.count(b"<")
                    equals += chunk.count(b"=")
            if tags > _MAX_TAGS:
                self._refuse(msg("ods.too_many_tags", member=info.filename, limit=_MAX_TAGS))
            if equals > _MAX_EQUALS:
                self._refuse(msg("ods.too_many_attributes", member=info.filename, limit=_MAX_EQUALS))
            with zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except _Refused as refused:
            raise refused.error from None
        except expat.ExpatError:
            raise ResponsesError(msg(NOT_AN_ODS), path=self.path) from None

    def _refuse(self, detail: str) -> NoReturn:
        raise _Refused(ResponsesError(detail, path=self.path))

    def _damaged(self, *_args) -> NoReturn:
        self._refuse(msg(NOT_AN_ODS))

    def _repeats(self, attrs: dict[str, str], name: str) -> int:
        n = 1
        for key, value in attrs.items():
            if key.rpartition(":")[2] == name:
                if not _COUNT.fullmatch(value):
                    self._damaged()      # calamine cannot read it either
                n = max(n, int(value))
        return n

    def _kind(self, name: str) -> int:
        kind = self._kinds.get(name)
        if kind is None:
            kind = self._kinds[name] = _KINDS.get(name.rpartition(":")[2], _OTHER)
        return kind

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        kind = self._kinds.get(name) or self._kind(name)
        if kind == _OTHER:
            return
        if kind == _CELL:
            if self.row is None or self.cell is not None:
                self._damaged()
            first, row_copies = self.row
            n = self._repeats(attrs, "number-columns-repeated") if attrs else 1
            self.cell = [row_copies * n, 0, 0, 0]
            if attrs and any(key.endswith("formula") for key in attrs):
                self._note_formula(attrs, first, row_copies, n)
            if attrs and any(_VALUE_ATTR.search(key) for key in attrs):   # calamine keeps this cell
                if first + row_copies > MAX_ROWS:
                    self._refuse(msg("ods.too_many_rows", sheet=self.table, row=first + row_copies, limit=MAX_ROWS))
                if self.col + n > MAX_COLUMNS:
                    self._refuse(msg("ods.too_many_columns", sheet=self.table, col=self.col + n, limit=MAX_COLUMNS))
                rows, cols = self.reach
                self.reach = rows, cols = max(rows, first + row_copies), max(cols, self.col + n)
                if self.cells + rows * cols > _MAX_CELLS:
                    self._refuse(msg("ods.too_many_cells", n=self.cells + rows * cols, limit=_MAX_CELLS))
                values = "".join(v for k, v in attrs.items() if k.rpartition(":")[2] in _TEXT_ATTRS)
                if values:
                    self._add(len(values), len(values.encode("utf-8", "surrogatepass")))
            self.col += n
        elif kind == _ROW:
            if self.row is not None:
                self._damaged()
            self.row, self.col = (self.rows, self._repeats(attrs, "number-rows-repeated") if attrs else 1), 0
        elif kind == _TABLE:
            if self.tables or self.row is not None:
                self._damaged()          # a table inside a table or a cell: calamine misreads or skips it
            self.sheets += 1
            if self.sheets > MAX_SHEETS:  # (4.9 million empty tables, a 380 KB file, took 1.26 GB before)
                self._refuse(msg("limits.too_many_sheets", limit=MAX_SHEETS))
            self.table, self.tables, self.rows, self.reach = attrs.get("table:name", ""), 1, 0, (0, 0)
            try:
                check_sheet_names(self.names, [v for k, v in attrs.items() if k.rpartition(":")[2] == "name"], self.path)
            except ResponsesError as error:
                raise _Refused(error) from None
        elif self.cell is None:
            return
        elif kind == _SPACES:                                # <text:s text:c="N"/>: N spaces
            spaces = max((int(v) if _COUNT.fullmatch(v) else 1 for k, v in attrs.items()
                          if k.rpartition(":")[2] == "c"), default=1)
            self._add(spaces, spaces)
        else:                                                # a paragraph after the first: a newline
            self.cell[3] += 1
            if self.cell[3] > 1:
                self._add(1, 1)

    def _note_formula(self, attrs: dict[str, str], first: int, row_copies: int, n: int) -> None:
        formula = next(v for k, v in attrs.items() if k.rpartition(":")[2] == "formula")
        kinds = {k.rpartition(":")[2] if k.startswith("office:") else k: v for k, v in attrs.items()
                 if k.endswith("value-type")}
        calc = kinds.get("calcext:value-type")
        kind = None if calc == "error" else kinds.get("value-type") or ("" if calc is None else calc)
        self._formula = (first, self.col, row_copies, n, ods_formula_text(formula), kind)

    def _formula_done(self, paragraphs: int) -> None:
        """The open formula cell recorded: its result is usable when it has a value type that is not an
        error, or none but a paragraph (LibreOffice's way of writing a formula whose result is "")."""
        assert self._formula is not None
        first, col, row_copies, n, text, kind = self._formula
        self._formula = None
        computed = bool(kind) or (kind == "" and paragraphs > 0)
        typed_error = not computed and text.startswith("=") and is_error_literal(text[1:])  # "#N/A" typed
        cells = self.formulas.setdefault(self.table, [])
        for r in range(first + 1, min(first + row_copies, MAX_ROWS) + 1):
            for c in range(col + 1, min(col + n, MAX_COLUMNS) + 1):
                if len(cells) < MAX_ROWS * 2:  # (a repeated formula: as many as a sheet's worth of rows)
                    cells.append(FormulaCell(self.table, r, c, text[1:].strip(), False, formula=False) if typed_error
                                 else FormulaCell(self.table, r, c, text, computed))

    def _text(self, data: str) -> None:
        if self.cell is not None:
            self._add(len(data), len(data.encode("utf-8", "surrogatepass")))

    def _add(self, chars: int, size: int) -> None:
        cell = self.cell
        assert cell is not None
        cell[1] += chars
        cell[2] += size
        if cell[1] > MAX_CELL_CHARS:
            first = self.row[0] + 1 if self.row else 0
            raise _Refused(ResponsesError(cell_too_long(cell[1]), path=self.path,
                                          where=msg("place.sheet_row", sheet=self.table, row=first)))
        if self.text_bytes + cell[0] * cell[2] > MAX_CELL_TEXT_BYTES:
            self._refuse(msg("ods.repeated_text", limit=fmt_size(MAX_CELL_TEXT_BYTES)))

    def _end(self, name: str) -> None:
        kind = self._kinds.get(name) or self._kind(name)
        if kind == _OTHER or kind == _SPACES or kind == _PARAGRAPH:
            return
        if kind == _CELL and self.cell is not None:
            self.text_bytes += self.cell[0] * self.cell[2]
            if self._formula is not None:
                self._formula_done(self.cell[3])
            self.cell = None
        elif kind == _ROW and self.row is not None and self.cell is None:
            self.rows += self.row[1]
            self.row = None
        elif kind == _TABLE and self.tables and self.row is None:
            self.tables = 0
            self.cells += self.reach[0] * self.reach[1]
            self.reach = (0, 0)
        else:
            self._damaged()              # a closing tag that closes nothing open here


def read_ods(path: Path, *, strict: bool = False) -> tuple[dict, pd.DataFrame]:
    from qmskit.io.xlsx import read_workbook

    return read_workbook(open_workbook_for(path), path, strict=strict)


def _text(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def write_ods(path: Path, meta: dict, responses: pd.DataFrame, cl: Checklist, *, lang: str = "en") -> None:
    """The Office, Assessment (every question, in checklist order) and KPIs sheets, headers in ``lang``."""
    from qmskit.core.kpis import kpi_rows_for_file
    from qmskit.io.xlsx import (
        ASSESSMENT_COLUMNS,
        ASSESSMENT_LABELS,
        KPI_COLUMNS,
        KPI_LABELS,
        answer_token,
        flag_texts,
        meta_keys,
        office_header,
        office_label,
    )

    keys = meta_keys(meta)
    field, value, key_header = office_header(lang)
    office = pd.DataFrame({
        field: [office_label(k, lang) for k in keys],
        value: [_text(meta.get(k, lang if k == "language" else "")) for k in keys],
        key_header: keys})
    given = responses.set_index("id") if len(responses) else pd.DataFrame()
    rows = []
    yes, blank, na_yes, na_no = flag_texts(lang)
    for q in cl.questions.itertuples(index=False):
        row = {"clause": q.clause, "id": q.id, "question": getattr(q, f"text_{lang}"),
               "hint": getattr(q, f"evidence_{lang}"), "critical": yes if q.critical else blank,
               "prerequisite": yes if getattr(q, "prerequisite", False) else blank,
               "na_allowed": na_yes if q.na_allowed else na_no}
        for key in ("answer", "evidence", "notes", "owner", "due"):
            row[key] = _text(given.at[q.id, key]) if q.id in given.index and key in given.columns else ""
        row["answer"] = answer_token(row["answer"], cl.scale, lang)  # the sheet's own language, as in .xlsx
        rows.append(row)
    assessment = pd.DataFrame([[r.get(k, "") for k in ASSESSMENT_COLUMNS] for r in rows],
                              columns=[ASSESSMENT_LABELS.label(k, lang) for k in ASSESSMENT_COLUMNS])
    assessment = assessment.astype(object)
    with pd.ExcelWriter(path, engine="odf") as writer:
        office.to_excel(writer, sheet_name="Office", index=False)
        assessment.to_excel(writer, sheet_name="Assessment", index=False)
        if len(cl.kpis):
            kpis = pd.DataFrame([[r["id"], r[f"name_{lang}"], r["unit"], r["target"], r["value"], r["previous"]]
                                 for r in kpi_rows_for_file(cl, meta.get("kpis"))],
                                columns=[KPI_LABELS.label(k, lang) for k in KPI_COLUMNS])
            kpis.to_excel(writer, sheet_name="KPIs", index=False)


OWN_SHEETS = ("Office", "Assessment", "KPIs")   # the sheets write_ods writes
# the largest content.xml updated in place or whose sheets are carried over (both build the whole document)
MAX_CARRIED_CONTENT = 8 << 20
# ... and the most XML nodes it may hold, counted as tags and '=' signs (elements, text, attributes): the
# document costs ~450 bytes a node in memory (minidom; odfpy's carry ~530), so bytes alone bound nothing:
# 7.5 MB of short attributes (1.5 million) took a save to 800 MB, 1 GB with the carry. Measured at 560,000
# nodes: 340 MB (update), 380 MB (carry) for the whole process; a Jupyter kernel starts ~100 MB higher.
# 88,000 text cells written as LibreOffice writes them (7.9 MB) are 530,000 nodes; a responses file of the
# full checklist with the office's own columns and sheets holds a few tens of thousands.
MAX_CARRIED_NODES = 500_000


def xml_nodes(data: bytes) -> int:
    """The nodes an XML document's tree will hold, as :data:`MAX_CARRIED_NODES` counts them."""
    return data.count(b"<") + data.count(b"=")


def too_deep_to_save(path: Path) -> ResponsesError:
    """The one line for a document nested too deeply to be rewritten (Python's tree code recurses)."""
    return ResponsesError(msg("ods.too_deep_to_update"), path=path)


def carry_office_sheets(existing: Path, fresh: Path) -> None:
    """Copy the sheets the office added to ``existing`` (any besides OWN_SHEETS) into ``fresh``, the .ods just
    written in its place when ``existing`` could not be updated in place (no Assessment sheet qmskit can
    read: qmskit.io.ods_update), so an office's "Evidence list" sheet never survives only in the backups.
    Their cells and text are kept (at the end, in their order; their styles may fall back to the
    defaults). A sheet too large to carry is refused in one line, so the save fails rather than lose it
    (the form then keeps its edits as an unsaved copy)."""
    try:
        book = open_workbook_for(existing)
    except ResponsesError:
        return  # not an .ods qmskit reads: the fresh file replaces it, the old one kept as the backup
    try:
        extra = [name for name in book.sheetnames if name not in OWN_SHEETS]
    finally:
        book.close()
    if not extra:
        return
    with zipfile.ZipFile(existing) as zf:
        members = [i for i in zf.infolist() if _content_name(i.filename)]
        size = sum(i.file_size for i in members)
        if size > MAX_CARRIED_CONTENT:
            raise ResponsesError(msg("ods.cannot_carry", sheets=", ".join(extra), size=fmt_size(size),
                                     limit=fmt_size(MAX_CARRIED_CONTENT)), path=existing)
        nodes = sum(xml_nodes(zf.read(i)) for i in members)
    if nodes > MAX_CARRIED_NODES:
        raise ResponsesError(msg("ods.cannot_carry_nodes", sheets=", ".join(extra), n=nodes,
                                 limit=MAX_CARRIED_NODES), path=existing)
    from odf.opendocument import load
    from odf.table import Table

    try:
        old, new = load(str(existing)), load(str(fresh))
        for table in old.spreadsheet.getElementsByType(Table):
            if table.getAttribute("name") in extra:
                new.spreadsheet.addElement(table)
        new.save(str(fresh))
    except RecursionError:
        raise too_deep_to_save(existing) from None


def open_workbook_for(path: Path):
    from qmskit.io.xlsx_read import open_workbook
    return open_workbook(path, scan=prescan_read, not_this_kind=NOT_AN_ODS)
