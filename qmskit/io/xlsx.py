"""The field workbook: an "Office" sheet of metadata and an "Assessment" sheet of questions.

Written so a consultant can hand it to an office: dropdowns for answers (n/a offered only where the
question allows it), columns saying which questions are critical, prerequisites and may be n/a, frozen
header, readable widths, rows grouped by top-level clause, the id column hidden and locked. Read back
leniently.

User text is always a string cell (never a formula, whatever it starts with) and marked ``quotePrefix``
when it starts like a formula, so Excel keeps it text when edited. Saving into an existing workbook
(:func:`update_xlsx`) changes only the cells qmskit owns and keeps everything the office added.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import operator
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np
import pandas as pd

from qmskit.checklist.loader import Checklist
from qmskit.core.scales import DROPDOWN, normalize_answers
from qmskit.errors import AmbiguousWorkbook, ResponsesError, ResponsesWarning
from qmskit.i18n.catalog import LabelPairs, msg, t
from qmskit.io.cells import holds_ooxml_escape, normalize_text, ooxml_escaped, starts_like_formula

if TYPE_CHECKING:
    from openpyxl import Workbook

    from qmskit.io.formulas import FormulaIndex

# openpyxl (~60 ms to import) is imported only by the functions that write or update a workbook: reading
# goes through python-calamine (qmskit.io.xlsx_read), and `qmskit score` never pays for openpyxl

OFFICE_SHEET, ASSESSMENT_SHEET = "Office", "Assessment"
# Sheet labels are catalog messages (qmskit/i18n/locale): a workbook is written in one language and read
# back in either, so every label maps to its key. key → column width; the header is xlsx.assessment.<key>.
ASSESSMENT_COLUMNS = {
    "clause": 9, "id": 10, "question": 60, "hint": 40, "answer": 11, "evidence": 40, "notes": 30, "owner": 16,
    "due": 13,
    # what the office needs to answer right (read by nobody: the checklist is the truth)
    "critical": 9, "prerequisite": 12, "na_allowed": 11,
}
ASSESSMENT_LABELS = LabelPairs("xlsx.assessment", ASSESSMENT_COLUMNS)
EDITABLE = ("answer", "evidence", "notes", "owner", "due")  # the cells qmskit owns on the Assessment sheet
ASSESSMENT_READ = ("id", *EDITABLE)  # the Assessment columns the reader takes in (and the writer writes to)
# the Office sheet: one row per metadata key, labelled xlsx.office.<key>
META_LABELS = LabelPairs("xlsx.office", (
    "office", "assessor", "date", "checklist", "checklist_version", "scope", "sites", "exclusions",
    # the clauses scored n/a (ISO 9001 4.3): "exclusions" above is only the text the report's header shows,
    # so without this row an office filling in the template had nowhere to exclude 8.3
    "excluded_clauses", "language",
    "status", "confidentiality", "report_number", "summary", "closing", "internal_notes"))
# keys qmskit itself adds to a file (a re-assessment's previous file, a part of a split, a migration): a row
# only where present, labelled like the others (a Chinese Office sheet showed "previous_sha256", "part_of")
RECORD_LABELS = LabelPairs("xlsx.office", (
    "previous_date", "previous_file", "previous_sha256", "part", "part_of", "part_clauses", "migrated_from"))


def office_label(key: str, lang: str) -> str:
    """The Office sheet's label of a metadata key (a key qmskit does not know is its own label)."""
    return META_LABELS.label(key, lang) if key in META_LABELS else RECORD_LABELS.label(key, lang)


KPI_SHEET = "KPIs"
# key → width, header xlsx.kpi.<key>; name/unit/target are for the reader, the checklist's target counts
KPI_COLUMNS = {"id": 20, "name": 48, "unit": 8, "target": 10, "value": 12, "previous": 12}
KPI_LABELS = LabelPairs("xlsx.kpi", KPI_COLUMNS)
KPI_READ = ("id", "value", "previous")  # the KPI columns the reader takes in (and the writer writes to)
HEADER_COLOUR, SECTION_COLOUR = "1F4E79", "DDEBF7"


def office_header(lang: str) -> list[str]:
    """The Office sheet's header row: field, value and the (hidden) machine key."""
    return [t("xlsx.field", lang), t("xlsx.value", lang), "key"]


def flag_texts(lang: str) -> tuple[str, str, str, str]:
    """What the Critical / Prerequisite columns show for yes and no, and N/A allowed for yes and no."""
    return t("xlsx.flag.yes", lang), "", t("xlsx.na_allowed.yes", lang), t("xlsx.na_allowed.no", lang)


def put(cell, value) -> None:
    """Set a cell to a value the way qmskit stores user data: text as a string cell, never a formula, a
    literal ``_xHHHH_`` in it escaped (qmskit.io.cells.ooxml_escaped: openpyxl writes it as it is, and
    every reader takes it for the character it names). The one place qmskit puts text into an .xlsx."""
    if isinstance(value, str):
        cell.value = ooxml_escaped(value)
        cell.data_type = "s"  # openpyxl would make "=see register" a formula that reads back empty
        cell.quotePrefix = starts_like_formula(value)
    else:
        cell.value = value


def append(ws, values: list) -> int:
    """``ws.append`` with every string stored as text (see :func:`put`); the number of the row it filled."""
    ws.append(values)
    row = last_row(ws)
    for col, value in enumerate(values, start=1):
        if isinstance(value, str):
            put(ws.cell(row, col), value)
    return row


def last_row(ws) -> int:
    """The row the last ``ws.append`` filled. Not ``ws.max_row`` nor ``ws[row]``: openpyxl computes those by
    scanning every cell of the sheet, so asking per row made writing a sheet quadratic in its rows (a
    281-question workbook took ~1 s of CPU, most of it in those scans)."""
    return ws._current_row


def answer_token(answer, scale: str, lang: str):
    """A canonical answer as the sheet's dropdown offers it in ``lang`` ("partial" is 部分 in a Chinese
    workbook, whose list validation allows only 是/部分/否/不适用); anything else (a maturity level, a blank)
    as it is. The reader accepts both languages, so this only keeps a sheet in its own language."""
    if not isinstance(answer, str) or answer not in DROPDOWN[(scale, "en")]:
        return answer
    return DROPDOWN[(scale, lang)][DROPDOWN[(scale, "en")].index(answer)]


def _sheet_with_header(wb: Workbook, title: str, columns: dict[str, int], labels: LabelPairs, lang: str):
    """A new sheet whose first row is the (en or zh) column labels, styled, with the columns' widths."""
    from openpyxl.styles import Alignment, Font, PatternFill
    ws = wb.create_sheet(title)
    append(ws, [labels.label(key, lang) for key in columns])
    for i, width in enumerate(columns.values(), start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_COLOUR)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    return ws


def write_xlsx(path: Path, meta: dict, responses: pd.DataFrame, cl: Checklist, *, lang: str = "en") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    header_fill = PatternFill("solid", fgColor=HEADER_COLOUR)
    section_fill = PatternFill("solid", fgColor=SECTION_COLOUR)
    wb = Workbook()
    office = wb.active
    office.title = OFFICE_SHEET
    append(office, office_header(lang))
    for key in meta_keys(meta):
        label = office_label(key, lang)
        value = meta.get(key, "")
        if key == "language" and not value:
            value = lang
        append(office, [label, value.isoformat() if isinstance(value, dt.date) else value, key])
    for cell in office[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
    office.column_dimensions["A"].width = 30
    office.column_dimensions["B"].width = 60
    office.column_dimensions["C"].hidden = True  # machine key; labels may be translated

    ws = _sheet_with_header(wb, ASSESSMENT_SHEET, ASSESSMENT_COLUMNS, ASSESSMENT_LABELS, lang)
    ws.freeze_panes = "C2"

    answers = responses.set_index("id") if len(responses) else None
    titles = dict(zip(cl.clauses["clause"], cl.clauses[f"title_{lang}"]))
    wrap = Alignment(wrap_text=True, vertical="top")
    section_start = None
    last_top = None
    editable = set(EDITABLE)
    yes, blank, na_yes, na_no = flag_texts(lang)
    na_rows: list[int] = []
    no_na_rows: list[int] = []
    width = len(ASSESSMENT_COLUMNS)
    for q in cast("Iterable[Any]", cl.questions.itertuples(index=False)):
        if q.top != last_top:
            if section_start is not None:
                ws.row_dimensions.group(section_start, last_row(ws), outline_level=1, hidden=False)
            section_row = append(ws, [q.top, "", titles.get(q.top, "")])
            for i in range(1, width + 1):  # the section's band spans the header's columns
                cell = ws.cell(section_row, i)
                cell.font = Font(bold=True)
                cell.fill = section_fill
            section_start = section_row + 1
            last_top = q.top
        row = {"clause": q.clause, "id": q.id, "question": getattr(q, f"text_{lang}"),
               "hint": getattr(q, f"evidence_{lang}"), "critical": yes if q.critical else blank,
               "prerequisite": yes if getattr(q, "prerequisite", False) else blank,
               "na_allowed": na_yes if q.na_allowed else na_no}
        if answers is not None and q.id in answers.index:
            given = answers.loc[q.id]
            for key in editable:
                value = given.get(key, "")
                row[key] = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else value
            row["answer"] = answer_token(row.get("answer", ""), cl.scale, lang)
        r = append(ws, [row.get(key, "") for key in ASSESSMENT_COLUMNS])
        (na_rows if q.na_allowed else no_na_rows).append(r)
        for i, key in enumerate(ASSESSMENT_COLUMNS, start=1):
            cell = ws.cell(r, i)
            cell.alignment = wrap
            cell.protection = Protection(locked=key not in editable)
    if section_start is not None:
        ws.row_dimensions.group(section_start, last_row(ws), outline_level=1, hidden=False)

    answer_col = ws.cell(1, list(ASSESSMENT_COLUMNS).index("answer") + 1).column_letter
    # one dropdown per kind of row: n/a is offered only where the question allows it (ISO 9001 4.3)
    for rows, with_na in ((na_rows, True), (no_na_rows, False)):
        if not rows:
            continue
        tokens = [t for t in DROPDOWN[(cl.scale, lang)] if with_na or t != DROPDOWN[(cl.scale, lang)][-1]]
        # Excel's and WPS's words for a value off the list: the list's own choices, in its language
        error = t("xlsx.answer_choices", lang, choices=t("list.sep", lang).join(tokens))
        dv = DataValidation(type="list", formula1='"' + ",".join(tokens) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="qmskit", error=error)
        ws.add_data_validation(dv)
        for first, last in _runs(rows):
            dv.add(f"{answer_col}{first}:{answer_col}{last}")
    id_col = ws.cell(1, 2).column_letter
    ws.column_dimensions[id_col].hidden = True
    # Lock structure (ids, questions) but leave answer/evidence/notes/owner/due editable; no password.
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    ws.protection.autoFilter = False
    ws.protection.sort = False
    if isinstance(meta.get("answered_by"), dict):  # a merge's (qmskit.io.merge)
        _write_answered_by(ws, meta["answered_by"], lang)
    if len(cl.kpis):
        _write_kpis(wb, cl, meta.get("kpis"), lang)
    save_workbook(wb, path)


def _write_answered_by(ws, who: dict[str, str], lang: str) -> None:
    """A merged workbook's "Answered by" column, after qmskit's own: who answered each question."""
    from copy import copy

    from openpyxl.styles import Alignment
    col = len(ASSESSMENT_COLUMNS) + 1
    src = ws.cell(1, col - 1)
    head = ws.cell(1, col, t("merge.answered_by", lang))
    head.font, head.fill, head.alignment = copy(src.font), copy(src.fill), copy(src.alignment)
    ws.column_dimensions[head.column_letter].width = 18
    id_col = list(ASSESSMENT_COLUMNS).index("id") + 1
    for n in range(2, last_row(ws) + 1):
        qid = ws.cell(n, id_col).value
        if qid in who:
            cell = ws.cell(n, col)
            put(cell, who[qid])  # names are user text: stored as text, never a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def save_workbook(wb: Workbook, path: Path, formulas: FormulaIndex | None = None) -> None:
    """Save into memory, then write the bytes: a full disk fails in one plain write, never inside
    openpyxl's zip writer (whose half-closed ZipFile would print a traceback when collected).
    ``formulas``: the loaded file's formula cells, whose stored results go back into the formulas the
    save kept (openpyxl writes none: see qmskit.io.formulas.results_kept)."""
    from qmskit.io.formulas import results_kept, with_results
    kept = results_kept(wb.worksheets, formulas) if formulas is not None and formulas.members else {}
    if kept and formulas is not None and not formulas.recalculated_on_load:
        # openpyxl asks for every formula to be recomputed on opening, whatever the file said; the results
        # go back as the office's spreadsheet computed them, so the file keeps its own word on that
        # (else every later read names them as results Excel may change: qmskit.io.formulas.stored_results)
        wb.calculation.fullCalcOnLoad = False
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if kept:  # each sheet's part as openpyxl just wrote it ("/xl/worksheets/sheet2.xml")
        data = with_results(data, {ws.path.lstrip("/"): kept[ws.title] for ws in wb.worksheets if ws.title in kept})
    Path(path).write_bytes(data)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) ranges: a short sqref instead of one range per row."""
    runs: list[tuple[int, int]] = []
    for r in rows:
        if runs and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs


def _write_kpis(wb: Workbook, cl: Checklist, values, lang: str) -> None:
    """The KPIs sheet: one row per declared indicator, value and previous editable."""
    from openpyxl.styles import Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    from qmskit.core.kpis import PERCENT_UNITS, kpi_rows_for_file
    ws = _sheet_with_header(wb, KPI_SHEET, KPI_COLUMNS, KPI_LABELS, lang)
    for r in kpi_rows_for_file(cl, values):
        sign = "≥" if r["direction"] == "higher" else "≤"
        n = append(ws, [r["id"], r[f"name_{lang}"] if lang in ("en", "zh") else r["name_en"], r["unit"],
                        r["target"], r["value"], r["previous"]])
        for i, key in enumerate(KPI_COLUMNS, start=1):
            ws.cell(n, i).protection = Protection(locked=key not in ("value", "previous"))
        ws.cell(n, 4).number_format = f'"{sign} "0.##'
    percent_rows = [n for n, u in enumerate(cl.kpis["unit"], start=2) if u in PERCENT_UNITS]
    if percent_rows:
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                            showErrorMessage=True, errorTitle="qmskit", error="0 .. 100")
        ws.add_data_validation(dv)
        for n in percent_rows:
            dv.add(f"E{n}:F{n}")
    ws.freeze_panes = "B2"
    ws.protection.sheet = True


# ----------------------------------------------------------------------------- saving into an office's workbook

def update_xlsx(existing: Path, out: Path, meta: dict, responses: pd.DataFrame, cl: Checklist) -> bool:
    """Write ``existing`` with our values to ``out``, changing only the cells qmskit owns
    (:func:`update_owned_cells`). Everything else (extra columns and sheets, merged cells, widths, colours,
    comments, validations) is what openpyxl loaded. Returns False when ``existing`` is not a qmskit
    workbook (then the caller writes a fresh one; the old file is kept as a backup). Raises
    :class:`qmskit.io.xlsx_parts.PartsWouldBeLost` when the saved workbook lacks parts of the office's
    (openpyxl drops drawn shapes, threaded comments, form controls ...): the caller keeps it as a copy.
    """
    from qmskit.io.xlsx_parts import error_words, load_for_update
    from qmskit.io.xlsx_read import prescan
    try:
        formulas = prescan(existing)  # the read limits first: openpyxl's full load has no bound of its own
    except AmbiguousWorkbook:  # (two sheets of one name: refused, as the reader refuses it; nothing replaced)
        raise
    except Exception as exc:  # no workbook qmskit reads: a fresh one, the old kept as .bak
        fresh_instead(existing, getattr(exc, "detail", None) or error_words(exc))
        return False
    # a workbook qmskit reads but openpyxl cannot load: NotSavedInPlace (the save goes to a copy). A macro-
    # enabled workbook (an .xlsm saved under .xlsx) keeps its VBA project: without keep_vba openpyxl
    # drops the office's macros without a word
    wb = load_for_update(existing, rich_text=True, keep_vba=has_macros(existing))
    why = update_owned_cells(_OpenpyxlBook(wb, _ReadBack(existing)), meta, responses, cl, existing)
    if why is not None:
        fresh_instead(existing, why)
        return False
    save_workbook(wb, out, formulas)
    from qmskit.io.xlsx_parts import check_kept
    check_kept(existing, out)  # shapes, threaded comments, controls ... openpyxl dropped: PartsWouldBeLost
    return True


class OwnedSheet(Protocol):
    """One sheet as :func:`update_owned_cells` sees it: cells by (row, column), both from 1."""

    @property
    def max_row(self) -> int: ...          # the last row holding anything
    @property
    def max_column(self) -> int: ...       # the last column holding anything, in any row
    def value(self, row: int, col: int) -> Any: ...   # as the readers read it (a formula: its result)
    def put(self, row: int, col: int, value) -> None: ...  # text as text, never a formula; None empties it


class OwnedBook(Protocol):
    """A workbook (an .xlsx through openpyxl, an .ods through qmskit.io.ods_update) as
    :func:`update_owned_cells` changes it."""

    @property
    def sheetnames(self) -> list[str]: ...
    def sheet(self, name: str) -> OwnedSheet: ...
    def add_office_sheet(self, lang: str) -> OwnedSheet: ...   # first, with its header (key column hidden)
    def add_kpi_sheet(self, cl: Checklist, values, lang: str) -> None: ...  # last, as a new file has it


def update_owned_cells(book: OwnedBook, meta: dict, responses: pd.DataFrame, cl: Checklist,
                       path: Path) -> str | None:
    """Put our values into the cells qmskit owns; None when done, else why ``book`` is no qmskit workbook.
    A header the readers would refuse (an owned column given twice) raises their ResponsesError naming
    ``path`` (the file being updated): nothing is saved.

    Owned: answer, evidence, notes, owner and due on the Assessment sheet (found by header and by the
    hidden ID column, wherever the office moved them), the values of the Office sheet, the KPI values.
    A cell whose value already reads back as ours is not touched (a date the office typed stays a date,
    a formula whose result is ours stays a formula). An owned column the office deleted comes back at the
    end, a question row it deleted at the bottom."""
    if ASSESSMENT_SHEET not in book.sheetnames:
        return msg("xlsx.no_sheet_short", sheet=ASSESSMENT_SHEET)
    ws = book.sheet(ASSESSMENT_SHEET)
    # (an owned header given twice is refused, as the reader refuses it: the file is left as it is)
    cols = header_columns(_header(ws), ASSESSMENT_SHEET, "assessment", ASSESSMENT_READ, path)
    header_lang = "zh" if "answer" in cols and str(ws.value(1, cols["answer"])).strip() == \
        ASSESSMENT_LABELS.label("answer", "zh") else "en"
    if "id" not in cols or "answer" not in cols:
        return msg("xlsx.no_id_answer_short", sheet=ASSESSMENT_SHEET)
    for key in ASSESSMENT_COLUMNS:  # an owned column the office deleted comes back at the end
        if key in EDITABLE and key not in cols:
            cols[key] = ws.max_column + 1
            ws.put(1, cols[key], ASSESSMENT_LABELS.label(key, header_lang))
    rows: dict[str, int] = {}
    for r in range(2, ws.max_row + 1):
        value = ws.value(r, cols["id"])
        if value is not None and str(value).strip():
            rows.setdefault(str(value).strip(), r)
    given = {str(rec["id"]): rec for rec in responses.to_dict("records")}
    questions = cl.questions.set_index("id")
    for qid in [q for q in given if q not in rows and q in questions.index]:  # rows the office deleted
        r = ws.max_row + 1
        rows[qid] = r
        q = questions.loc[qid]
        for key, value in (("clause", q["clause"]), ("id", qid), ("question", q[f"text_{header_lang}"]),
                           ("hint", q[f"evidence_{header_lang}"])):
            if key in cols:
                ws.put(r, cols[key], value)
    for qid, r in rows.items():
        rec = given.get(qid, {})
        for key in EDITABLE:
            new = _blank_to_none(rec.get(key))
            if not _reads_as(ws.value(r, cols[key]), new, key, cl.scale):
                ws.put(r, cols[key], answer_token(new, cl.scale, header_lang) if key == "answer" else new)
    if isinstance(meta.get("answered_by"), dict):  # a merge into an existing workbook (qmskit.io.merge)
        _update_answered_by(ws, rows, meta["answered_by"], header_lang)
    _update_office(book, meta, header_lang)
    if len(cl.kpis):
        _update_kpis(book, cl, meta.get("kpis"), header_lang, path)
    return None


def _update_answered_by(ws: OwnedSheet, rows: dict[str, int], who: dict[str, str], lang: str) -> None:
    """The "Answered by" column (in either language, wherever the office moved it; else a new one at the
    end) says who answered each question now: a question nobody answered has it blank."""
    from qmskit.io.merge import answered_by_labels
    labels = {label.lower() for label in answered_by_labels()}
    col = next((c for c in range(1, ws.max_column + 1)
                if ws.value(1, c) is not None and str(ws.value(1, c)).strip().lower() in labels), None)
    if col is None:
        col = ws.max_column + 1
        ws.put(1, col, t("merge.answered_by", lang))
    for qid, r in rows.items():
        new = _blank_to_none(who.get(qid))
        if _blank_to_none(ws.value(r, col)) != new:
            ws.put(r, col, new)


class _OpenpyxlSheet:
    def __init__(self, ws, read: _ReadBack):
        self.ws, self.read = ws, read

    @property
    def max_row(self) -> int:
        return self.ws.max_row

    @property
    def max_column(self) -> int:
        return self.ws.max_column

    def value(self, row: int, col: int):
        return self.read.value(self.ws.cell(row, col))

    def put(self, row: int, col: int, value) -> None:
        from qmskit.io.xlsx_parts import NotSavedInPlace, merged_over
        cell = self.ws.cell(row, col)
        merged = merged_over(cell)
        if merged is not None:  # openpyxl cannot write it, and the office would never see it
            raise NotSavedInPlace(merged)
        put(cell, value)


class _OpenpyxlBook:
    """An openpyxl workbook as an :class:`OwnedBook`."""

    def __init__(self, wb, read: _ReadBack):
        self.wb, self.read = wb, read

    @property
    def sheetnames(self) -> list[str]:
        return self.wb.sheetnames

    def sheet(self, name: str) -> _OpenpyxlSheet:
        return _OpenpyxlSheet(self.wb[name], self.read)

    def add_office_sheet(self, lang: str) -> _OpenpyxlSheet:
        office = self.wb.create_sheet(OFFICE_SHEET, 0)
        append(office, office_header(lang))
        office.column_dimensions["C"].hidden = True
        return _OpenpyxlSheet(office, self.read)

    def add_kpi_sheet(self, cl: Checklist, values, lang: str) -> None:
        _write_kpis(self.wb, cl, values, lang)


class _ReadBack:
    """A cell's value as the readers read it, to tell whether a save changes it. openpyxl loads a formula
    cell as its formula ("=A1&\"x\""); the readers read its computed value, or its text when it has none
    (qmskit.io.formulas). Comparing our value with the formula would overwrite every formula cell with its
    own result; so a formula cell is compared with what the reader gets, read (calamine, once per sheet)
    only when an owned cell holds a formula, and a formula the save does not change stays a formula."""

    def __init__(self, path: Path):
        self.path = path
        self._sheets: dict[str, Any] = {}

    def value(self, cell):
        if cell.data_type != "f":
            return cell.value
        title = cell.parent.title
        if title not in self._sheets:
            from qmskit.io.xlsx_read import open_workbook
            book = open_workbook(self.path)  # (no warning here: read_workbook gives those)
            try:
                self._sheets[title] = book[title]
            finally:
                book.close()
        return self._sheets[title].value(cell.row, cell.column)



def has_macros(path: Path) -> bool:
    """Whether the workbook holds a VBA project (any part named vbaProject.bin, any case or folder)."""
    import zipfile
    with zipfile.ZipFile(path) as zf:
        return any(name.replace("\\", "/").rsplit("/", 1)[-1].lower() == "vbaproject.bin" for name in zf.namelist())


def fresh_instead(path: Path, why: str) -> None:
    import warnings

    warnings.warn(ResponsesWarning(msg("xlsx.fresh_instead", why=why), path=path), stacklevel=4)


def _blank_to_none(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return None
    return value


def _reads_as(old, new, key: str, scale: str) -> bool:
    """True when the cell's current value already reads back as ``new`` (so it is left as the office made it)."""
    if hasattr(old, "__str__") and type(old).__name__ == "CellRichText":
        old = str(old)
    if isinstance(old, str) and holds_ooxml_escape(old):
        # an .xlsx cell loaded by openpyxl: it strips the escape of a literal _xHHHH_ (qmskit.io.cells) and
        # saves it back without one, so it is always written again, from what calamine read (the frame)
        return False
    if old is None or (isinstance(old, str) and not old.strip()):
        return new is None
    if new is None:
        return False
    if key == "answer":
        return _canonical_answer(old if not isinstance(old, str) else old.strip(), scale) == new
    if key == "due" or isinstance(old, (dt.date, dt.datetime)):
        if isinstance(old, (dt.date, dt.datetime)):
            old = (old.date() if isinstance(old, dt.datetime) else old).isoformat()
        new = new.isoformat() if isinstance(new, (dt.date, dt.datetime)) else new
        return str(old).strip() == str(new).strip()
    if isinstance(new, str):  # a number the office typed (or a formula computed) reads back as its text
        return normalize_text(old) == new
    return old == new


@functools.lru_cache(maxsize=256, typed=True)  # typed: True == 1, but a TRUE cell is no level 1
def _canonical_answer(value, scale: str):
    """The canonical answer a cell value reads as (None when not a valid answer); cached: a workbook holds
    a handful of distinct answer spellings, and normalize_answers is built for whole columns."""
    canon, invalid = normalize_answers(pd.Series([value], dtype=object), scale)
    return None if invalid.iloc[0] else canon.iloc[0]


def meta_keys(meta: dict) -> list[str]:
    """The Office sheet's rows: every known metadata key, then the file's own plain-valued keys."""
    return list(META_LABELS) + [k for k in meta if k not in META_LABELS and not k.startswith("_")
                                and not isinstance(meta[k], (dict, list))]


def _update_office(book: OwnedBook, meta: dict, lang: str) -> None:
    # renamed or deleted by the office: the metadata needs a home
    office = book.sheet(OFFICE_SHEET) if OFFICE_SHEET in book.sheetnames else book.add_office_sheet(lang)
    labels = META_LABELS.keys_by_label()
    where: dict[str, int] = {}
    for r in range(2, office.max_row + 1):
        label, key = office.value(r, 1), office.value(r, 3)
        key = str(key).strip() if key else labels.get(str(label).strip().lower()) if label is not None else None
        if key and key not in where:
            where[key] = r
    for key in meta_keys(meta):
        value = meta.get(key)
        value = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else _blank_to_none(value)
        if key not in where:
            if value is None:
                continue
            where[key] = office.max_row + 1
            office.put(where[key], 1, office_label(key, lang))
            office.put(where[key], 3, key)
        if not _reads_as(office.value(where[key], 2), value, key, "compliance"):
            office.put(where[key], 2, value)


def _header(ws: OwnedSheet) -> list:
    """The first row of a sheet being updated, as the readers read it."""
    return [ws.value(1, c) for c in range(1, ws.max_column + 1)]


def _update_kpis(book: OwnedBook, cl: Checklist, values, lang: str, path: Path) -> None:
    from qmskit.core.kpis import kpi_rows_for_file
    if KPI_SHEET not in book.sheetnames:
        book.add_kpi_sheet(cl, values, lang)
        return
    ws = book.sheet(KPI_SHEET)
    cols = header_columns(_header(ws), KPI_SHEET, "kpi", KPI_READ, path)
    if "id" not in cols:
        return
    for key in ("value", "previous"):
        if key not in cols:
            cols[key] = ws.max_column + 1
            ws.put(1, cols[key], KPI_LABELS.label(key, lang))
    rows: dict[str, int] = {}
    for n in range(2, ws.max_row + 1):
        kpi = ws.value(n, cols["id"])
        if kpi is not None:
            rows[str(kpi).strip()] = n
    for k in kpi_rows_for_file(cl, values):
        r = rows.get(k["id"])
        if r is None:
            r = ws.max_row + 1
            ws.put(r, cols["id"], k["id"])
        for key in ("value", "previous"):
            old = ws.value(r, cols[key])
            if isinstance(old, str):
                try:
                    old = float(old.strip().rstrip("%"))
                except ValueError:
                    pass
            if not (old == k[key] or (old in (None, "") and k[key] is None)):
                ws.put(r, cols[key], k[key])


def read_xlsx(path: Path, *, strict: bool = False) -> tuple[dict, pd.DataFrame]:
    """(metadata, raw frame) of a field workbook, read with python-calamine after a bounded pre-scan
    (qmskit.io.xlsx_read). What cannot be read is a warning naming the file and what was ignored (an error
    with ``strict``), never silently dropped. Who answered what (a merged workbook's "Answered by"
    column, or nothing) is remembered (:func:`answered_by_remembered`), so the report asking next
    (qmskit.io.merge.read_answered_by) costs no second read."""
    from qmskit.io.xlsx_read import open_workbook
    key = _file_key(path)
    wb = open_workbook(path)
    try:
        if key is not None and ASSESSMENT_SHEET in wb.sheetnames:
            from qmskit.io.merge import answered_by_rows
            _remember_answered_by(key, answered_by_rows(wb[ASSESSMENT_SHEET]))
    except ResponsesError:
        pass  # read_workbook below reports what is wrong with the sheet
    return read_workbook(wb, path, strict=strict)


_ANSWERED_BY: dict[tuple, dict[str, str]] = {}  # file identity -> who answered what ({} for most files)


def _file_key(path: Path) -> tuple | None:
    """What identifies one version of a file: where it is, when it changed, how big it is."""
    try:
        st = Path(path).stat()
        return str(Path(path).resolve()), st.st_mtime_ns, st.st_size
    except OSError:
        return None


def _remember_answered_by(key: tuple, value: dict[str, str]) -> None:
    if len(_ANSWERED_BY) >= 256:
        _ANSWERED_BY.pop(next(iter(_ANSWERED_BY)))
    _ANSWERED_BY[key] = value


def answered_by_remembered(path: Path) -> dict[str, str] | None:
    """Who answered what in ``path`` as seen when this version of it was last read by :func:`read_xlsx`
    ({} for a workbook without an "Answered by" column); None when it was not read in this process."""
    key = _file_key(path)
    known = _ANSWERED_BY.get(key) if key is not None else None
    return None if known is None else dict(known)


def read_workbook(wb, path: Path, *, strict: bool = False) -> tuple[dict, pd.DataFrame]:
    """(metadata, raw frame) from an opened workbook (an .xlsx, or an .ods by qmskit.io.ods); closes it."""
    try:
        names = wb.sheetnames
        if ASSESSMENT_SHEET not in names:
            raise ResponsesError(msg("xlsx.no_assessment_sheet", sheet=ASSESSMENT_SHEET, found=", ".join(names),
                                     office=OFFICE_SHEET), path=path)
        if OFFICE_SHEET in names:
            meta = _read_office(wb[OFFICE_SHEET], path)
        else:
            meta = {}
            ignored(msg("xlsx.no_office_sheet", sheet=OFFICE_SHEET, found=", ".join(names)), path, strict=strict)
        frame = _read_assessment(wb[ASSESSMENT_SHEET], path, strict=strict)
        if KPI_SHEET in names:
            meta["kpis"] = _read_kpis(wb[KPI_SHEET], path)
        warn_formulas_as_text(_cells_read(wb, wb.formulas_as_text), path, _cells_read(wb, wb.stored_results))
        return meta, frame
    finally:
        wb.close()


def _cells_read(wb, cells: list) -> list:
    """Those of ``cells`` (formula and error cells, qmskit.io.formulas) that the reader takes in: the Office
    sheet's label, value and key columns, and the Assessment and KPI columns under a header it knows. A
    formula in a column the office added ("=IF(E2=\"yes\",1,0)") is read by nobody, so it is named by nobody."""
    known: dict[tuple[str, int], bool] = {}

    def read_here(sheet: str, col: int) -> bool:
        if sheet == OFFICE_SHEET:
            return col <= 3
        kind = {ASSESSMENT_SHEET: "assessment", KPI_SHEET: "kpi"}.get(sheet)
        if kind is None:
            return False
        if (sheet, col) not in known:
            header = wb[sheet].value(1, col)
            known[sheet, col] = header is not None and str(header).strip().lower() in _labels_read(kind)
        return known[sheet, col]
    return [c for c in cells if read_here(c.sheet, c.col)]


MAX_CELLS_NAMED = 5  # a warning names this many cells, then counts the rest


def warn_formulas_as_text(cells: list, path: Path, stored_results: list | None = None) -> None:
    """One warning naming the cells whose formula had no computed value and was read as typed, one naming
    the cells that held an error value without a formula, read as its text, and one naming the formulas read
    as the result stored with them though the workbook asks for every formula to be recomputed on opening
    (``stored_results``; see qmskit.io.formulas)."""
    import warnings

    from qmskit.errors import clipped
    for key, group in (("xlsx.formula_as_text", [c for c in cells if c.formula]),
                       ("xlsx.error_as_text", [c for c in cells if not c.formula]),
                       ("xlsx.formula_result_stored", stored_results or [])):
        if not group:
            continue
        named = ", ".join(f"{c.coordinate} {clipped(c.text, 40)!r}"
                          + (f" → {clipped(c.stored or '', 40)!r}" if c.computed else "") for c in group[:MAX_CELLS_NAMED])
        if len(group) > MAX_CELLS_NAMED:
            named = msg("xlsx.and_more", first=named, more=len(group) - MAX_CELLS_NAMED)
        warnings.warn(ResponsesWarning(msg(key, n=len(group), cells=named), path=path), stacklevel=3)


def ignored(problem: str, path, *, where: str | None = None, strict: bool = False) -> None:
    """Input we cannot use: a warning naming the file (and place), or with ``strict`` an error."""
    if strict:
        raise ResponsesError(msg("responses.strict", problem=problem), path=path, where=where)
    import warnings

    warnings.warn(ResponsesWarning(problem, path=path, where=where), stacklevel=3)


@functools.cache
def _labels_read(sheet: str) -> dict[str, str]:
    """A sheet's header labels (en and zh, case-folded) → keys, worked out once per process for the readers
    (the catalogs do not change while qmskit runs; every workbook read asks)."""
    return {"office": META_LABELS, "assessment": ASSESSMENT_LABELS, "kpi": KPI_LABELS}[sheet].keys_by_label()


def header_columns(header: Sequence, sheet: str, kind: str, unique: tuple[str, ...], path: Path) -> dict[str, int]:
    """{key: column (1-based)} of the header cells that name one of the ``kind`` sheet's keys (en or zh, any
    case), each key at its first column. A key of ``unique`` (those the reader takes in and the writer
    writes to) under two headers is refused: the reader took the last such column and the in-place writer
    the first, so a workbook whose column E said "yes" and the office's own column N headed "Answer" said
    "no" scored 0, and a save into E never read back (found by a hostile-input review)."""
    lookup = _labels_read(kind)
    cols: dict[str, int] = {}
    for c, label in enumerate(header, start=1):
        key = lookup.get(str(label).strip().lower()) if label is not None else None
        if key is None:
            continue
        if key not in cols:
            cols[key] = c
        elif key in unique:
            from qmskit.io.formulas import column_letters
            first, second = str(header[cols[key] - 1]).strip(), str(label).strip()
            same = first.lower() == second.lower()
            raise AmbiguousWorkbook(msg("xlsx.duplicate_header" if same else "xlsx.duplicate_headers", label=first,
                                        other=second, first=column_letters(cols[key]), second=column_letters(c)),
                                    path=path, where=sheet)
    return cols


def _read_office(ws, path: Path) -> dict:
    """The Office sheet's values by key. A key qmskit reads given on two rows is refused (the reader took
    the last, the in-place writer updates the first: an edit saved into one never read back)."""
    labels = _labels_read("office")
    known = set(labels.values())
    meta: dict = {}
    rows_of: dict[str, int] = {}
    for n, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if not row or row[0] is None:
            continue
        key = row[2] if len(row) > 2 and row[2] else labels.get(str(row[0]).strip().lower(), str(row[0]).strip())
        if str(key) in known:
            if str(key) in rows_of:
                raise AmbiguousWorkbook(msg("xlsx.duplicate_office_row", label=str(row[0]).strip(),
                                            first=rows_of[str(key)], second=n), path=path, where=OFFICE_SHEET)
            rows_of[str(key)] = n
        value = row[1] if len(row) > 1 else None
        if isinstance(value, dt.datetime):
            value = value.date()
        meta[str(key)] = value if not isinstance(value, str) else value.strip()
    return meta


def _read_assessment(ws, path: Path, *, strict: bool = False) -> pd.DataFrame:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        raise ResponsesError(msg("xlsx.sheet_empty", sheet=ASSESSMENT_SHEET), path=path)
    found = header_columns(header, ASSESSMENT_SHEET, "assessment", ASSESSMENT_READ, path)
    if "id" not in found or "answer" not in found:
        raise ResponsesError(msg("xlsx.needs_id_answer", sheet=ASSESSMENT_SHEET), path=path,
                             where=msg("place.row", row=1))
    cols = list(ASSESSMENT_READ)
    # each column's position (a header given twice is refused); then the sheet column by column
    values = {k: ws.column(found[k] - 1, min_row=2) for k in cols if k in found}
    ids = values["id"]
    kept = [i for i, qid in enumerate(ids) if qid is not None and str(qid).strip()]
    if len(kept) < len(ids):  # section rows and blank rows; a question row whose hidden ID was cleared
        for i in sorted(set(range(len(ids))) - set(kept)):
            given = [f"{k} {str(values[k][i]).strip()[:40]!r}" for k in EDITABLE
                     if k in values and values[k][i] is not None and str(values[k][i]).strip()]
            if given:  # its answers belong to no question
                ignored(msg("xlsx.row_without_id", given=", ".join(given)), path,
                        where=msg("place.row", row=i + 2), strict=strict)
    if not kept:  # the frame as pandas builds it from empty lists
        return pd.DataFrame({c: [] for c in cols + ["row"]}, columns=cols + ["row"])
    take = operator.itemgetter(*kept) if len(kept) > 1 else (lambda v: (v[kept[0]],))
    # one block of objects, as the cells are (pandas would otherwise infer and build a string column for each,
    # turning blanks into NaN, only for validation to undo it); the spreadsheet row of each
    block = np.full((len(kept), len(cols)), None, dtype=object)
    for i, c in enumerate(cols):
        if c in values:
            block[:, i] = take(values[c])
    frame = pd.DataFrame(block, columns=cols, dtype=object, copy=False)
    frame["row"] = np.array(kept, dtype=np.int64) + 2
    return frame


def _read_kpis(ws, path: Path) -> list[dict]:
    """Raw KPI rows [{id, value, previous, row}] (validated by qmskit.core.kpis.parse_kpi_values)."""
    rows = ws.iter_rows(values_only=True)
    cols = header_columns(next(rows, ()), KPI_SHEET, "kpi", KPI_READ, path)
    at = [(k, cols[k] - 1) for k in KPI_READ if k in cols]
    entries = []
    for n, values in enumerate(rows, start=2):
        rec = {k: values[i] if i < len(values) else None for k, i in at}
        if all(rec.get(k) in (None, "") for k in ("id", "value", "previous")):
            continue
        entries.append({"id": rec.get("id"), "value": rec.get("value"), "previous": rec.get("previous"), "row": n})
    return entries
