"""Formula cells in an office's workbook, so that no text the office typed is read as blank.

python-calamine reads a formula cell as the value Excel or LibreOffice last computed and stored with it.
Some cells have none: a workbook saved by openpyxl or a script (``ws["F3"] = "=see register 2024"``) stores
the formula only, and a formula the spreadsheet could not compute stores an error (``#NAME?``, ``Err:509``
— what Excel, WPS and LibreOffice make of evidence typed as "=见 2024 登记册"). calamine gives both as an
empty cell, so a "yes" lost its evidence without a word and a save into the workbook wrote the blank back.

What a consultant expects, and what the readers do: a computed value is the cell's value (what the office
sees on screen); a formula with no usable computed value is read as the formula text — what the office
typed, never nothing — and named in a warning (file and cells), because a consultant should look at a
cell whose result the file does not hold. :func:`FormulaIndex.uncomputed` gives those cells for one sheet.
An .xlsx cell holding an error value with no formula (``#N/A`` typed into Excel is stored as the error, not
as text) is read blank by calamine too: it reads as its text ("#N/A", what the office sees) and is named in
a warning of its own.

Found without building anything for a workbook without formulas (most): the .xlsx pre-scan notes which
sheet parts hold an ``<f>`` tag or an error type (a byte search of what it reads anyway), and only those parts are parsed
again here (expat, streaming, after the pre-scan bounded them); the .ods pre-scan's walk of content.xml
records each cell with a ``table:formula`` as it passes (:class:`qmskit.io.ods._Extent`).
"""
from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from qmskit.errors import ResponsesError
from qmskit.i18n.catalog import msg
from qmskit.i18n.numbers import fmt_size
from qmskit.io.limits import MAX_CELL_CHARS, MAX_CELL_TEXT_BYTES, MAX_PARSED_TAGS, tags_in

# an <f> tag (any namespace prefix) in sheet XML: the pre-scan's byte test (a false hit only costs a parse)
FORMULA_TAG_HINTS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")
# an error value's type (t="e", either quote): Excel stores "#N/A" typed into a cell as the error #N/A, and
# calamine reads it blank, so a cell the office sees filled in read as unanswered without a word
ERROR_TYPE_HINTS = (b'"e"', b"'e'")


def may_hold_error_value(part: bytes, before: bytes = b"") -> bool:
    """The pre-scan's byte test for an error value in a stretch of sheet XML (a false hit only costs a parse).
    A "#" first, since every error value starts with one: that is a memchr (~2 µs for a 220 KB sheet), where
    looking for a 3-byte pattern costs ~300 µs, a tenth of reading the whole workbook. ``before``: the end of
    the member's previous stretch, where the type is when the stretch boundary (always before a "<") falls
    between a cell's opening tag and its <v>."""
    return b"#" in part and any(hint in part or hint in before for hint in ERROR_TYPE_HINTS)


# Excel's and LibreOffice's error values: LibreOffice saves "#N/A" typed into a cell as the formula
# <f>#N/A</f> (an .ods: of:=#N/A), Excel as the value alone; both are what the office typed, not a formula
_ERROR_LITERAL = re.compile(r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|"
                            r"BLOCKED!|BUSY!|CONNECT!|EXTERNAL!|PYTHON!|UNKNOWN!)", re.IGNORECASE)


# the error values python-calamine (0.9, calamine 0.37) reads; any other (#SPILL!, #CALC!: Excel 365's) makes
# it refuse the whole sheet ("Unsupported cell error value")
CALAMINE_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA"})
def is_error_literal(formula: str) -> bool:
    """Whether a formula's text (without its "=") is an error value alone, as LibreOffice stores one typed."""
    return _ERROR_LITERAL.fullmatch(formula.strip()) is not None


ERROR_TAG_REACH = 4096  # how much of the previous stretch ``before`` holds (a cell's opening tag is short)
_REF = re.compile(r"\s*([A-Za-z]{0,3})([0-9]{0,7})\s*$")
_MAX_TRANSLATED_CHARS = 200_000   # formula text translated for the cells of shared formulas, a sheet (~0.4 s)
_MAX_FORMULA_CELLS = 100_000      # formula cells in one sheet read (a responses workbook has a few dozen)
_MAX_DEPTH = 32                   # elements nested in a sheet or workbook part (a sheet's deepest: 7)


@dataclass(frozen=True, slots=True)
class FormulaCell:
    """One formula cell: where it is (1-based), what was typed and what the file stores as its result; or,
    with ``formula`` False, an .xlsx cell holding an error value and no formula (``text``: the error)."""
    sheet: str
    row: int
    col: int
    text: str                    # the formula as typed, with its leading "=" (an error value: as stored)
    computed: bool = False       # the file holds a usable result (what calamine reads)
    kind: str = "n"              # .xlsx: the cell's type attribute ("str", "n", "b", "e", ...)
    stored: str | None = None    # .xlsx: the text of its <v> (the result as stored), None without one
    formula: bool = True         # False: an error value typed or pasted as such (#N/A), no formula

    @property
    def coordinate(self) -> str:
        return f"{self.sheet}!{self.reference}"

    @property
    def reference(self) -> str:
        return f"{column_letters(self.col)}{self.row}"


def column_letters(col: int) -> str:
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: bytes) -> int:
    """A cell reference's column letters as a number (b"A" is 1); the readers' one parser of them."""
    if len(letters) > 4:  # past any limit (XFD, Excel's last column, has three)
        return 26 ** 5
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


@dataclass
class FormulaIndex:
    """The formula cells of a workbook by sheet name, found lazily for an .xlsx (only in the sheet parts
    the pre-scan saw an <f> tag in), all at once for an .ods (the pre-scan's walk records them)."""
    path: Path | None = None
    members: frozenset[str] = frozenset()        # .xlsx sheet parts that hold an <f> tag or an error type
    found: dict[str, list[FormulaCell]] = field(default_factory=dict)   # sheet -> cells (.ods: all known)
    complete: bool = False                       # True when ``found`` already holds every sheet's cells
    # .xlsx: the workbook asks the spreadsheet to recompute every formula on opening (calcPr fullCalcOnLoad),
    # so a stored result may not be what the office sees: XlsxWriter stores 0 for every formula and sets it
    recalculated_on_load: bool = False
    data: bytes | None = None                    # .xlsx: the file's bytes the pre-scan checked (else path is read)

    def cells(self, sheet: str) -> list[FormulaCell]:
        if sheet not in self.found and not self.complete:
            self.found[sheet] = self._parse(sheet) if self.members and self.path is not None else []
        return self.found.get(sheet, [])

    def uncomputed(self, sheet: str) -> list[FormulaCell]:
        """The formula cells of ``sheet`` whose file holds no usable result (read as their text)."""
        return [c for c in self.cells(sheet) if not c.computed]

    def stored_results(self, sheet: str) -> list[FormulaCell]:
        """The formula cells of ``sheet`` read as the result stored with them, when the workbook asks for
        every formula to be recomputed on opening (the spreadsheet may then show another value)."""
        return [c for c in self.cells(sheet) if c.computed and c.formula] if self.recalculated_on_load else []

    def _parse(self, sheet: str) -> list[FormulaCell]:
        assert self.path is not None
        try:
            # (the bytes the pre-scan checked when it read them: a file replaced since is not parsed)
            with zipfile.ZipFile(self.path if self.data is None else io.BytesIO(self.data)) as zf:
                member = _sheet_member(zf, sheet)
                if member is None or member not in self.members:
                    return []
                if tags_in(zf, member) > MAX_PARSED_TAGS:   # (before ElementTree's Python per element)
                    raise FormulaLimit("formulas.too_many_tags", member=member, limit=MAX_PARSED_TAGS)
                with zf.open(member) as fh:
                    return xlsx_formula_cells(fh, sheet)
        except FormulaLimit as limit:
            where = msg("place.sheet_row", sheet=sheet, row=limit.row) if limit.row else sheet
            raise ResponsesError(msg(limit.key, **limit.fields), path=self.path, where=where) from None
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError):
            return []  # the pre-scan and calamine already accepted the file; a part they read but we cannot is moot


def _sheet_member(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member of the worksheet named ``sheet`` (xl/workbook.xml and its relationships). Streamed,
    each element dropped once read, ending at </sheets>: a workbook part padded to 16 MB with empty
    elements built as one tree took 755 MB (found by a hostile-file session)."""
    rid = None
    for name, el in _elements(zf, "xl/workbook.xml", "sheets"):
        if name == "sheet" and el.get("name") == sheet:
            rid = next((v for k, v in el.attrib.items() if k.rpartition("}")[2] == "id"), None)
            break
    if rid is None:
        return None
    for name, el in _elements(zf, "xl/_rels/workbook.xml.rels", "Relationships"):
        if name == "Relationship" and el.get("Id") == rid:
            target = (el.get("Target") or "").replace("\\", "/")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return None


def _elements(zf: zipfile.ZipFile, member: str, last: str):
    """(local name, element) of each element of ``member`` as it ends, up to the end of the element named
    ``last``; each dropped once given (nested at most _MAX_DEPTH deep: FormulaLimit past it)."""
    import xml.etree.ElementTree as ET

    depth = 0
    with zf.open(member) as fh:
        for event, el in ET.iterparse(fh, events=("start", "end")):
            if event == "start":
                depth += 1
                if depth > _MAX_DEPTH:
                    raise FormulaLimit("formulas.too_deep", member=member, limit=_MAX_DEPTH)
                continue
            depth -= 1
            name = el.tag.rpartition("}")[2]
            yield name, el
            if name == last:
                return
            el.clear()


class FormulaLimit(Exception):
    """A sheet's formula cells beyond a limit: the catalog key and fields of the line, and the row (0: the
    whole sheet); FormulaIndex names the file and the sheet."""

    def __init__(self, key: str, row: int = 0, **fields: object):
        super().__init__(key)
        self.key, self.row, self.fields = key, row, fields


def xlsx_formula_cells(fh, sheet: str) -> list[FormulaCell]:
    """Each formula cell of one worksheet's XML. Its result is usable unless it is an error (``t="e"``) or
    there is no ``<v>`` text in a cell of a type other than text (``t="str"``: an empty text is a computed "").
    Also each cell holding an error value without a formula (``formula`` False), which calamine reads blank.

    Bounded whatever the sheet holds (found by a hostile-file session; each sheet passed the pre-scan): its
    tags are counted first (:meth:`FormulaIndex._parse`; 190 MB of "<a/>" after the cells took 124 s and
    4.4 GB), every element is dropped once read (ElementTree keeps them all otherwise), parsing ends with
    <sheetData>, at most _MAX_FORMULA_CELLS are read with at most MAX_CELL_TEXT_BYTES of formula text, a
    formula over MAX_CELL_CHARS is refused (a shared formula of 3 MB copied into 1,500 cells took 4.5 GB),
    a shared formula's text is one object for all the cells it is not translated for, and translating
    stops at _MAX_TRANSLATED_CHARS (1,000 translations of a 100,000-character formula took 250 s)."""
    import xml.etree.ElementTree as ET

    found: list[FormulaCell] = []
    # shared formula id -> (its text, the master's coordinate, "=" and the text: one object for every copy)
    shared: dict[str, tuple[str, str, str]] = {}
    row = col = 0
    spent = _Spent()
    path: list = []   # the open elements, outermost first
    for event, el in ET.iterparse(fh, events=("start", "end")):
        name = el.tag.rpartition("}")[2]
        if event == "start":
            path.append(el)
            if len(path) > _MAX_DEPTH:   # (2.9 million <a> nested in an <f> held 900 MB: each open element is kept)
                raise FormulaLimit("formulas.too_deep_in_sheet", limit=_MAX_DEPTH)
            if name == "row":
                r = el.get("r")
                row = int(r) if r and r.strip().isdigit() else row + 1
                col = 0
            continue
        path.pop()
        if name == "sheetData":
            break
        if name == "c":
            ref = _REF.match(el.get("r") or "")
            letters, digits = (ref.group(1), ref.group(2)) if ref else ("", "")
            if digits:
                row = int(digits)
            col = column_number(letters.encode()) if letters else col + 1
            cell = _formula_cell(el, sheet, row, col, shared, spent)
            if cell is not None:
                found.append(cell)
                if len(found) > _MAX_FORMULA_CELLS:
                    raise FormulaLimit("formulas.too_many_cells", limit=_MAX_FORMULA_CELLS)
        if not path or path[-1].tag.rpartition("}")[2] != "c":   # (a cell's <f> and <v> wait for its end)
            el.clear()
            if path:
                path[-1].clear()   # (the parent's children read so far: else each one stays in the tree)
    return found


@dataclass
class _Spent:
    """What reading a sheet's formulas has cost so far, in characters."""
    text: int = 0         # formula text as stored (each <f> once: a shared formula's copies cost no more)
    translated: int = 0   # text translated for the cells of shared formulas


def _formula_cell(el, sheet: str, row: int, col: int, shared: dict[str, tuple[str, str, str]],
                  spent: _Spent) -> FormulaCell | None:
    """The FormulaCell of one <c> element, or None (neither a formula nor an error value)."""
    formula = value = None
    for child in el:
        local = child.tag.rpartition("}")[2]
        if local == "f":
            formula = child
        elif local == "v":
            value = child
    stored = None if value is None else value.text or ""
    if formula is None:
        if el.get("t") == "e" and stored and stored.strip():
            return FormulaCell(sheet, row, col, stored.strip(), False, "e", stored, formula=False)
        return None
    text = formula.text or ""
    if len(text) > MAX_CELL_CHARS:
        raise FormulaLimit("formulas.too_long", row, chars=len(text), limit=MAX_CELL_CHARS)
    spent.text += len(text)
    if spent.text > MAX_CELL_TEXT_BYTES:
        raise FormulaLimit("formulas.too_much_text", limit=fmt_size(MAX_CELL_TEXT_BYTES))
    here = f"{column_letters(col)}{row}"
    si = formula.get("si")
    kind = el.get("t", "n")
    computed = kind != "e" and (kind in ("str", "inlineStr") or bool((stored or "").strip()))
    typed = None
    if formula.get("t") == "shared" and si is not None:
        if text:
            shared[si] = (text, here, "=" + text)
        elif si in shared:
            master, origin, typed = shared[si]
            text = master
            # only a text that is read needs translating, and only so much of it (~2 µs a character)
            if not computed and spent.translated + len(master) <= _MAX_TRANSLATED_CHARS:
                spent.translated += len(master)
                text = _translated(master, origin, here)
                typed = None
    if not computed and is_error_literal(text):   # LibreOffice's way of storing a typed #N/A
        return FormulaCell(sheet, row, col, text.strip(), False, kind, stored, formula=False)
    if text.strip():
        return FormulaCell(sheet, row, col, typed if typed is not None else "=" + text, computed, kind, stored)
    return None


def _translated(text: str, origin: str, here: str) -> str:
    """A shared formula as it reads in a dependent cell (Excel stores its text only in the first cell)."""
    from openpyxl.formula.translate import Translator
    try:
        return Translator("=" + text, origin=origin).translate_formula(here)[1:]
    except Exception:  # a formula openpyxl cannot tokenise: the master's text is still what was typed
        return text


def ods_formula_text(formula: str) -> str:
    """An .ods ``table:formula`` as typed: without its namespace ("of:=[.A1]&"x"" → "=[.A1]&"x"")."""
    head, sep, rest = formula.partition(":")
    return rest if sep and head.isalpha() and rest.startswith("=") else formula


# ----------------------------------------------------------------------------- keeping results through a save

# a formula cell as openpyxl writes it: its formula, and an empty <v> (openpyxl keeps no formula's result)
_SAVED_FORMULA = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"([^<>]*)>(<f(?:\s[^<>]*)?/>|<f(?:\s[^<>]*)?>[^<]*</f>)'
                            rb'(?:<v\s*/>|<v></v>)</c>')


def results_kept(worksheets, formulas: FormulaIndex) -> dict[str, dict[str, tuple[str, str]]]:
    """For a save through openpyxl (which writes every formula without its result): each formula cell the
    save leaves as the office had it, with the result its file stored (type, <v> text), by sheet title —
    so :func:`with_results` puts the results back and the saved file reads as it did (a formula answer stays
    "yes", not its formula text; Excel and LibreOffice recompute on opening anyway)."""
    kept: dict[str, dict[str, tuple[str, str]]] = {}
    for ws in worksheets:
        cells = {}
        for f in formulas.cells(ws.title):
            if f.stored is None or (not f.stored and f.kind != "str"):
                continue
            # still a formula: nobody wrote it (qmskit.io.xlsx.put makes every cell it writes a text or value)
            cell = ws._cells.get((f.row, f.col))  # (not ws[ref]: that would add a cell openpyxl did not load)
            if cell is not None and cell.data_type == "f":
                cells[f.reference] = (f.kind, f.stored)
        if cells:
            kept[ws.title] = cells
    return kept


def with_results(data: bytes, members: dict[str, dict[str, tuple[str, str]]]) -> bytes:
    """The saved .xlsx ``data`` with the stored results put back into its formula cells (``members``: the
    sheet part, as openpyxl named it, → {reference: (type, <v> text)})."""
    from xml.sax.saxutils import escape, quoteattr

    def put_back(keep: dict[str, tuple[str, str]], match: re.Match) -> bytes:
        found = keep.get(match.group(1).decode())
        if found is None:
            return match.group(0)
        kind, stored = found
        attrs = match.group(2)
        if kind != "n" and not re.search(rb"\st\s*=", attrs):
            attrs += b" t=" + quoteattr(kind).encode()
        return (b'<c r="' + match.group(1) + b'"' + attrs + b">" + match.group(3)
                + b"<v>" + escape(stored).encode() + b"</v></c>")

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            keep = members.get(info.filename)
            if keep:
                body = _SAVED_FORMULA.sub(functools.partial(put_back, keep), body)
            dst.writestr(info, body)
    return out.getvalue()
