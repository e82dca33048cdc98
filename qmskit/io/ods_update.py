"""An .ods saved in place: the cells qmskit owns changed in content.xml, every other byte of the file kept.

:func:`qmskit.io.ods.write_ods` writes a whole new file (pandas' odf engine), so every save of an office's
.ods (the form saves on every change) lost what the office had added to the Assessment sheet: its own
columns ("Reviewer comment"), cell styles, comments (annotations), merged cells, validations. Here
content.xml is parsed (xml.dom.minidom: element and attribute names, prefixes and namespace declarations
stay as written, elements qmskit does not know are kept as they are), the owned cells are found and
changed by :func:`qmskit.io.xlsx.update_owned_cells` (the rules an .xlsx is updated by), and only
content.xml is written back; styles.xml, settings, pictures and the manifest are copied unchanged.

A sheet is addressed by (row, column) like a spreadsheet, every repeat counted (LibreOffice writes runs of
identical rows and cells once, with ``number-rows-repeated`` / ``number-columns-repeated``, and ends each
sheet with a million empty rows): a run is split only around a cell that is written, never expanded.
A written cell keeps its style, validation, merge span and annotation; only its value and text change.
"""
from __future__ import annotations

import bisect
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.dom import Node

import pandas as pd

from qmskit.checklist.loader import Checklist
from qmskit.errors import AmbiguousWorkbook, ResponsesError
from qmskit.i18n.catalog import msg
from qmskit.i18n.numbers import fmt_size
from qmskit.io.formulas import is_error_literal, ods_formula_text
from qmskit.io.limits import ZIP_READ_ERRORS

if TYPE_CHECKING:
    from xml.dom.minidom import Document

Element = Any  # a minidom element (typeshed's node unions make every tree walk a cast)

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_ROW_GROUPS = frozenset({"table-header-rows", "table-row-group", "table-rows"})
_COLUMN_GROUPS = frozenset({"table-header-columns", "table-column-group", "table-columns"})
_CELLS = frozenset({"table-cell", "covered-table-cell"})
# what a cell's value is made of: these go when qmskit writes the cell (style, validation, span and
# annotation stay)
_VALUE_ATTRS = frozenset({"value-type", "value", "date-value", "time-value", "boolean-value", "string-value",
                          "currency"})
_TEXT_CHILDREN = frozenset({"p", "h", "list"})
_NUMBERS = frozenset({"float", "percentage", "currency"})
# minidom writes a newline, CR or tab inside an attribute value as it is, which a reader then reads as a
# space: marked before writing (NUL is in no XML document), then written as character references
_MARKS = {"\n": "\x00A", "\r": "\x00D", "\t": "\x00T"}
_MARKED = str.maketrans(_MARKS)
_REFERENCES = {b"\x00A": b"&#10;", b"\x00D": b"&#13;", b"\x00T": b"&#9;"}


def update_ods(existing: Path, out: Path, meta: dict, responses: pd.DataFrame, cl: Checklist) -> bool:
    """Write ``existing`` with our values to ``out``, changing only the cells qmskit owns (see the module
    docstring). Returns False when ``existing`` is not an .ods qmskit can update (the caller then writes
    a fresh one; the old file is kept as the backup). A content.xml too large to update is refused in one
    line: nothing is written rather than the office's additions lost."""
    from xml.dom import minidom
    from xml.parsers.expat import ExpatError

    from qmskit.io.ods import MAX_CARRIED_CONTENT, MAX_CARRIED_NODES, NOT_AN_ODS, prescan, too_deep_to_save, xml_nodes
    from qmskit.io.xlsx import fresh_instead, update_owned_cells
    try:
        prescan(existing)  # the read limits (no DTD or entity, sheet extent, text) before the parse
    except AmbiguousWorkbook:  # (two sheets of one name: refused, as the reader refuses it; nothing replaced)
        raise
    except ResponsesError as exc:
        fresh_instead(existing, exc.detail)
        return False
    with zipfile.ZipFile(existing) as zf:
        infos = zf.infolist()
        content = [i for i in infos if i.filename == "content.xml"]
        if len(content) != 1 or len({i.filename for i in infos}) != len(infos):
            fresh_instead(existing, msg(NOT_AN_ODS))  # two parts under one name: which one is the sheet?
            return False
        size = content[0].file_size
        if size > MAX_CARRIED_CONTENT:
            raise ResponsesError(msg("ods.too_large_to_update", size=fmt_size(size),
                                     limit=fmt_size(MAX_CARRIED_CONTENT)), path=existing)
        data = zf.read(content[0])
        nodes = xml_nodes(data)
        if nodes > MAX_CARRIED_NODES:  # the tree costs memory by its nodes, not its bytes
            raise ResponsesError(msg("ods.too_many_nodes_to_update", n=nodes, limit=MAX_CARRIED_NODES),
                                 path=existing)
        try:
            try:
                dom = minidom.parseString(data)
                book = OdsBook(dom)
            except (ExpatError, ValueError):
                fresh_instead(existing, msg(NOT_AN_ODS))
                return False
            why = update_owned_cells(book, meta, responses, cl, existing)
            if why is not None:
                fresh_instead(existing, why)
                return False
            body = serialized(dom)
        except RecursionError:  # minidom's reading, copying and writing recurse: nested thousands deep
            raise too_deep_to_save(existing) from None
        del dom, book, data
        buf = io.BytesIO()
        try:
            with zipfile.ZipFile(buf, "w") as zout:
                for info in infos:  # in their order, each as it was stored (the mimetype first, uncompressed)
                    zout.writestr(info, body if info is content[0] else zf.read(info))
        except ZIP_READ_ERRORS:  # a member the pre-scan does not read (a picture) is damaged: zlib.error
            fresh_instead(existing, msg(NOT_AN_ODS))
            return False
    Path(out).write_bytes(buf.getvalue())  # one plain write: a full disk fails here, not in the zip writer
    return True


def serialized(dom: Document) -> bytes:
    """content.xml as bytes; a newline, CR or tab in an attribute value (a multi-line string-value, a
    formula) or a CR in text kept as a character reference, as the parser found it."""
    stack: list[Any] = [dom.documentElement]
    while stack:
        node = stack.pop()
        if node.nodeType == Node.ELEMENT_NODE:
            for attr in node.attributes.values():
                if "\n" in attr.value or "\r" in attr.value or "\t" in attr.value:
                    attr.value = attr.value.translate(_MARKED)
            stack.extend(node.childNodes)
        elif node.nodeType == Node.TEXT_NODE and "\r" in node.data:
            node.data = node.data.replace("\r", _MARKS["\r"])
    data = dom.toxml(encoding="UTF-8")
    for mark, reference in _REFERENCES.items():
        data = data.replace(mark, reference)
    return data


def _elements(node) -> list[Element]:
    return [n for n in node.childNodes if n.nodeType == Node.ELEMENT_NODE]


def _is(node, namespace: str, names: frozenset[str] | str) -> bool:
    return node.namespaceURI == namespace and (node.localName in names if isinstance(names, frozenset)
                                               else node.localName == names)


def _repeats(node, name: str) -> int:
    value = node.getAttributeNS(TABLE, name)
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


class _Run:
    """Rows (or cells) written once for ``count`` of them, the first at ``start`` (from 0)."""
    __slots__ = ("start", "count", "node")

    def __init__(self, start: int, count: int, node: Element):
        self.start, self.count, self.node = start, count, node


class OdsBook:
    """content.xml's spreadsheet as a :class:`qmskit.io.xlsx.OwnedBook`."""

    def __init__(self, dom: Document):
        self.dom = dom
        root: Element = dom.documentElement
        if not _is(root, OFFICE, "document-content"):
            raise ValueError(OFFICE)  # (caught: the file is no .ods qmskit updates)
        # the prefix this file gives each namespace, for the elements and attributes qmskit adds
        self.prefixes = {attr.value: attr.localName for attr in root.attributes.values()
                         if attr.prefix == "xmlns"}
        for namespace in (OFFICE, TABLE, TEXT):
            if namespace not in self.prefixes:
                raise ValueError(namespace)
        body = next((n for n in _elements(root) if _is(n, OFFICE, "body")), None)
        spreadsheet = next((n for n in _elements(body) if _is(n, OFFICE, "spreadsheet")), None) if body else None
        if spreadsheet is None:
            raise ValueError(OFFICE)
        self.spreadsheet = spreadsheet
        self._sheets: dict[str, OdsSheet] = {}

    def _tables(self) -> list[Element]:
        return [n for n in _elements(self.spreadsheet) if _is(n, TABLE, "table")]

    @property
    def sheetnames(self) -> list[str]:
        return [t.getAttributeNS(TABLE, "name") for t in self._tables()]

    def sheet(self, name: str) -> OdsSheet:
        if name not in self._sheets:
            table = next(t for t in self._tables() if t.getAttributeNS(TABLE, "name") == name)
            self._sheets[name] = OdsSheet(self, table)
        return self._sheets[name]

    def element(self, namespace: str, local: str, **attrs: str) -> Element:
        """A new element in this file's prefixes; attributes (``_`` for ``-``) in the table namespace."""
        node = self.dom.createElementNS(namespace, f"{self.prefixes[namespace]}:{local}")
        for key, value in attrs.items():
            self.set(node, TABLE, key.replace("_", "-"), value)
        return node

    def set(self, node: Element, namespace: str, name: str, value: str) -> None:
        node.setAttributeNS(namespace, f"{self.prefixes[namespace]}:{name}", value)

    def _new_table(self, name: str, *, first: bool, columns: list[bool]) -> OdsSheet:
        """An empty sheet (its columns declared, True for a hidden one), first or after the last sheet."""
        table = self.element(TABLE, "table", name=name)
        for hidden in columns:
            table.appendChild(self.element(TABLE, "table-column", **({"visibility": "collapse"} if hidden else {})))
        tables = self._tables()
        if first and tables:
            self.spreadsheet.insertBefore(table, tables[0])
        elif tables:  # before what follows the sheets (named ranges, database ranges)
            self.spreadsheet.insertBefore(table, tables[-1].nextSibling)
        else:
            self.spreadsheet.appendChild(table)
        self._sheets[name] = OdsSheet(self, table)
        return self._sheets[name]

    def add_office_sheet(self, lang: str) -> OdsSheet:
        from qmskit.io.xlsx import OFFICE_SHEET, office_header
        office = self._new_table(OFFICE_SHEET, first=True, columns=[False, False, True])
        for col, label in enumerate(office_header(lang), start=1):
            office.put(1, col, label)
        return office

    def add_kpi_sheet(self, cl: Checklist, values, lang: str) -> None:
        from qmskit.core.kpis import kpi_rows_for_file
        from qmskit.io.xlsx import KPI_COLUMNS, KPI_LABELS, KPI_SHEET
        kpis = self._new_table(KPI_SHEET, first=False, columns=[False] * len(KPI_COLUMNS))
        for col, key in enumerate(KPI_COLUMNS, start=1):
            kpis.put(1, col, KPI_LABELS.label(key, lang))
        for row, k in enumerate(kpi_rows_for_file(cl, values), start=2):
            for col, value in enumerate([k["id"], k[f"name_{lang}"] if lang in ("en", "zh") else k["name_en"],
                                         k["unit"], k["target"], k["value"], k["previous"]], start=1):
                kpis.put(row, col, value)


class OdsSheet:
    """One ``table:table`` as a :class:`qmskit.io.xlsx.OwnedSheet`."""

    def __init__(self, book: OdsBook, table: Element):
        self.book, self.table = book, table
        self.rows: list[_Run] = []
        start = 0
        for row in self._row_nodes(table):
            count = _repeats(row, "number-rows-repeated")
            self.rows.append(_Run(start, count, row))
            start += count
        self._starts = [run.start for run in self.rows]
        self._cells: dict[int, list[_Run]] = {}   # id(row element) -> its cells
        self._extent: tuple[int, int] | None = None

    @classmethod
    def _row_nodes(cls, node) -> list[Element]:
        rows: list[Element] = []
        for child in _elements(node):
            if _is(child, TABLE, "table-row"):
                rows.append(child)
            elif _is(child, TABLE, _ROW_GROUPS):
                rows.extend(cls._row_nodes(child))
        return rows

    def _cell_runs(self, row: Element) -> list[_Run]:
        runs = self._cells.get(id(row))
        if runs is None:
            runs, start = [], 0
            for cell in _elements(row):
                if _is(cell, TABLE, _CELLS):
                    count = _repeats(cell, "number-columns-repeated")
                    runs.append(_Run(start, count, cell))
                    start += count
            self._cells[id(row)] = runs
        return runs

    # ------------------------------------------------------------------ reading
    def _extent_now(self) -> tuple[int, int]:
        if self._extent is None:
            rows = cols = 0
            for run in self.rows:
                used = [c for c in self._cell_runs(run.node) if _has_content(c.node)]
                if used:
                    rows = run.start + run.count
                    cols = max(cols, used[-1].start + used[-1].count)
            self._extent = (rows, cols)
        return self._extent

    @property
    def max_row(self) -> int:
        return self._extent_now()[0]

    @property
    def max_column(self) -> int:
        return self._extent_now()[1]

    def _find(self, runs: list[_Run], starts: list[int], index: int) -> _Run | None:
        i = bisect.bisect_right(starts, index) - 1
        if i < 0 or index >= runs[i].start + runs[i].count:
            return None
        return runs[i]

    def value(self, row: int, col: int):
        found = self._find(self.rows, self._starts, row - 1)
        if found is None:
            return None
        cells = self._cell_runs(found.node)
        cell = self._find(cells, [c.start for c in cells], col - 1)
        return None if cell is None else cell_value(cell.node)

    # ------------------------------------------------------------------ writing
    def put(self, row: int, col: int, value) -> None:
        cell = self._cell_to_write(self._row_to_write(row - 1), col - 1)
        write_cell(self.book, cell, value)
        self._declare_columns(col)
        if value is not None:
            rows, cols = self._extent_now()
            self._extent = (max(rows, row), max(cols, col))

    def _row_to_write(self, index: int) -> Element:
        """The row element of row ``index`` alone: split out of its repeated run, or added at the end."""
        total = self.rows[-1].start + self.rows[-1].count if self.rows else 0
        if index >= total:
            after = self.rows[-1].node if self.rows else self._last_column()
            if index > total:  # the empty rows between (a row holds at least one cell)
                gap = self.book.element(TABLE, "table-row", number_rows_repeated=str(index - total))
                gap.appendChild(self.book.element(TABLE, "table-cell"))
                after = self._insert_after(gap, after)
                self.rows.append(_Run(total, index - total, gap))
            new = self._insert_after(self.book.element(TABLE, "table-row"), after)
            self.rows.append(_Run(index, 1, new))
            self._starts = [run.start for run in self.rows]
            return new
        run = self._find(self.rows, self._starts, index)
        assert run is not None
        if run.count > 1:
            i = self.rows.index(run)
            self.rows[i:i + 1] = self._split(run, index, "number-rows-repeated")
            self._starts = [r.start for r in self.rows]
            run = self.rows[next(j for j, r in enumerate(self.rows) if r.start == index)]
        return run.node

    def _cell_to_write(self, row: Element, index: int) -> Element:
        cells = self._cell_runs(row)
        total = cells[-1].start + cells[-1].count if cells else 0
        if index >= total:
            if index > total:
                gap = self.book.element(TABLE, "table-cell", number_columns_repeated=str(index - total))
                row.appendChild(gap)
                cells.append(_Run(total, index - total, gap))
            new = self.book.element(TABLE, "table-cell")
            row.appendChild(new)
            cells.append(_Run(index, 1, new))
            return new
        run = self._find(cells, [c.start for c in cells], index)
        assert run is not None
        if run.count > 1:
            i = cells.index(run)
            cells[i:i + 1] = self._split(run, index, "number-columns-repeated")
            run = next(c for c in cells if c.start == index)
        return run.node

    def _split(self, run: _Run, index: int, attr: str) -> list[_Run]:
        """``run`` as up to three runs: the copies before ``index``, ``index`` alone, the copies after."""
        before, after = index - run.start, run.start + run.count - 1 - index
        parts = []
        if before:
            head = run.node.cloneNode(True)
            self.book.set(head, TABLE, attr, str(before))
            run.node.parentNode.insertBefore(head, run.node)
            parts.append(_Run(run.start, before, head))
        if after:
            tail = run.node.cloneNode(True)
            self.book.set(tail, TABLE, attr, str(after))
            self._insert_after(tail, run.node)
        if run.node.hasAttributeNS(TABLE, attr):
            run.node.removeAttributeNS(TABLE, attr)
        parts.append(_Run(index, 1, run.node))
        if after:
            parts.append(_Run(index + 1, after, tail))
        return parts

    def _insert_after(self, node: Element, after: Element | None) -> Element:
        if after is None:
            self.table.appendChild(node)
        else:
            after.parentNode.insertBefore(node, after.nextSibling)
        return node

    def _columns(self, node=None) -> list[Element]:
        columns: list[Element] = []
        for child in _elements(self.table if node is None else node):
            if _is(child, TABLE, "table-column"):
                columns.append(child)
            elif _is(child, TABLE, _COLUMN_GROUPS):
                columns.extend(self._columns(child))
        return columns

    def _last_column(self) -> Element | None:
        columns = self._columns()
        return columns[-1] if columns else None

    def _declare_columns(self, col: int) -> None:
        """A sheet that declares its columns declares the one just written (LibreOffice declares all 16384;
        pandas' writer none, and then none is added)."""
        columns = self._columns()
        declared = sum(_repeats(c, "number-columns-repeated") for c in columns)
        if columns and col > declared:
            more = self.book.element(TABLE, "table-column", number_columns_repeated=str(col - declared))
            self._insert_after(more, columns[-1])


def _has_content(cell: Element) -> bool:
    """Whether a cell holds anything (a value, a formula, text, a comment, a picture), as calamine and an
    office would count it for a sheet's extent."""
    if cell.hasAttributeNS(OFFICE, "value-type") or cell.hasAttributeNS(TABLE, "formula"):
        return True
    return bool(_elements(cell))


def cell_value(cell: Element):
    """A cell's value as the readers read it: its number, date, truth value or text (a formula: its
    stored result, or when it has no usable one the formula as typed, as qmskit.io.ods reads it, so a save
    that leaves the cell's text as it was leaves its formula too); None for an empty cell."""
    kind = cell.getAttributeNS(OFFICE, "value-type")
    formula = cell.getAttributeNS(TABLE, "formula")
    if formula and (cell.getAttributeNS(CALCEXT, "value-type") == "error"
                    or not kind and not cell.hasAttributeNS(CALCEXT, "value-type") and not cell_text(cell)):
        typed = ods_formula_text(formula)
        return typed[1:].strip() if typed.startswith("=") and is_error_literal(typed[1:]) else typed
    if kind in _NUMBERS:
        try:
            number = float(cell.getAttributeNS(OFFICE, "value"))
        except ValueError:
            return cell_text(cell)
        # a whole number as the readers give it (3, not 3.0: qmskit.io.xlsx_read._value), so "3" typed or
        # computed (=1+2) reads back as the text it was read as and the save leaves the cell alone
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    if kind == "date":
        stamp = cell.getAttributeNS(OFFICE, "date-value")
        try:
            return dt.datetime.fromisoformat(stamp) if "T" in stamp else dt.date.fromisoformat(stamp)
        except ValueError:
            return stamp
    if kind == "boolean":
        return cell.getAttributeNS(OFFICE, "boolean-value").strip().lower() == "true"
    if kind == "string" and cell.hasAttributeNS(OFFICE, "string-value"):
        return cell.getAttributeNS(OFFICE, "string-value")
    text = cell_text(cell)
    return text if text or kind else None


def cell_text(cell: Element) -> str:
    """The text of a cell's paragraphs, one line each (its annotation is no part of it)."""
    return "\n".join(_inline_text(p) for p in _elements(cell) if _is(p, TEXT, frozenset({"p", "h"})))


def _inline_text(node) -> str:
    parts = []
    for child in node.childNodes:
        if child.nodeType == Node.TEXT_NODE:
            parts.append(child.data)
        elif child.nodeType != Node.ELEMENT_NODE or child.namespaceURI == OFFICE:  # an annotation inside
            continue
        elif _is(child, TEXT, "s"):
            count = child.getAttributeNS(TEXT, "c")
            parts.append(" " * (int(count) if count.isdigit() else 1))
        elif _is(child, TEXT, "tab"):
            parts.append("\t")
        elif _is(child, TEXT, "line-break"):
            parts.append("\n")
        else:  # a span, a link: their text
            parts.append(_inline_text(child))
    return "".join(parts)


def write_cell(book: OdsBook, cell: Element, value) -> None:
    """Give ``cell`` our value: text as a string cell (a leading = stays text; its exact text also as the
    string value, the paragraphs being for display), a number as a number, None as an empty cell. Its
    formula and old value go; its style, validation, span and annotation stay."""
    for attr in list(cell.attributes.values()):
        if ((attr.namespaceURI == OFFICE and attr.localName in _VALUE_ATTRS)
                or (attr.namespaceURI == CALCEXT and attr.localName == "value-type")
                or (attr.namespaceURI == TABLE and attr.localName == "formula")):
            cell.removeAttributeNode(attr)
    for child in list(cell.childNodes):
        if child.nodeType == Node.TEXT_NODE or _is(child, TEXT, _TEXT_CHILDREN):
            cell.removeChild(child)
    if value is None:
        return
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        kind, text = "float", (str(int(value)) if float(value).is_integer() else repr(float(value)))
        book.set(cell, OFFICE, "value", repr(float(value)))
    else:  # the exact text as the string value too (calamine reads it, and knows no text:tab)
        kind, text = "string", str(value)
        book.set(cell, OFFICE, "string-value", text)
    book.set(cell, OFFICE, "value-type", kind)
    if CALCEXT in book.prefixes:
        book.set(cell, CALCEXT, "value-type", kind)
    for line in text.split("\n"):
        cell.appendChild(_paragraph(book, line))


def _paragraph(book: OdsBook, line: str) -> Element:
    """One line as ``text:p``: a reader collapses white space in a paragraph, so a tab is ``text:tab`` and
    spaces beyond one between words (and any at either end) are ``text:s``."""
    p = book.element(TEXT, "p")
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == "\t":
            p.appendChild(book.element(TEXT, "tab"))
            i += 1
            continue
        j = i
        while j < n and line[j] not in " \t":
            j += 1
        if j > i:
            p.appendChild(book.dom.createTextNode(line[i:j]))
            i = j
            continue
        while j < n and line[j] == " ":
            j += 1
        spaces = j - i
        if i > 0 and j < n:  # between words: the first space as it is
            p.appendChild(book.dom.createTextNode(" "))
            spaces -= 1
        if spaces:
            space = book.element(TEXT, "s")
            book.set(space, TEXT, "c", str(spaces))
            p.appendChild(space)
        i = j
    return p
