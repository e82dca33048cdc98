"""The action-plan workbook: an "Office" sheet (whose plan, from which assessment) and an "Actions" sheet.

Written for an office to work in: qmskit's columns (finding, requirement, recommended action) locked,
the office's columns editable, a status dropdown, dates as real dates. Read back losslessly. Writing
into an existing plan updates it in place: only the cells qmskit owns change, rows are appended for new
findings, and everything the office added (columns, sheets, formatting, comments) stays.
"""
from __future__ import annotations

import datetime as dt
import functools
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from qmskit.config import DEFAULT_CHECKLIST, DEFAULT_LANGUAGE, LANGUAGES
from qmskit.core.actions import (
    DATE_KEYS,
    KEYS,
    OFFICE_KEYS,
    QMSKIT_KEYS,
    STATUS_ORDER,
)
from qmskit.core.assessment import same_office
from qmskit.core.values import is_blank
from qmskit.errors import ActionsError
from qmskit.i18n.catalog import LANGS, LabelPairs, msg, t
from qmskit.io import iorw
from qmskit.io.cells import ooxml_unescaped_literals
from qmskit.io.formulas import FormulaCell, FormulaIndex
from qmskit.io.iorw import file_sha256  # one definition, with the other file helpers
from qmskit.io.xlsx import append, has_macros, office_header, save_workbook, warn_formulas_as_text

OFFICE_SHEET, ACTIONS_SHEET = "Office", "Actions"
# Sheet labels are the catalog's actions_xlsx.* messages (read back in either language). key → width.
HEADER_WIDTHS = {
    "id": 11, "clause": 9, "severity": 12, "reason": 11, "requirement": 46, "action": 46, "owner": 16, "due": 12,
    "status": 17, "root_cause": 30, "correction": 30, "corrective_action": 30, "closure_evidence": 30,
    "closed_date": 12, "verified_by": 16, "verified_date": 12, "in_assessment": 12,
}
HEADER_LABELS = LabelPairs("actions_xlsx.column", HEADER_WIDTHS)
META_LABELS = LabelPairs("actions_xlsx.office", (
    "office", "checklist", "checklist_version", "assessment_date", "responses", "responses_sha256", "updated",
    "language", "closed_before"))
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
OFFICE_FILL = PatternFill("solid", fgColor="FFF2CC")  # the columns the office fills in


@dataclass
class ActionPlanFile:
    meta: dict
    plan: pd.DataFrame            # columns KEYS, canonical values (status keys, ISO dates, yes/no)
    rows: dict = field(default_factory=dict)   # id -> spreadsheet row (for error messages)

    @property
    def office(self) -> str:
        return str(self.meta.get("office") or "")


# ----------------------------------------------------------------------------- writing

def _put(cell, value) -> None:
    """Store user text as text (qmskit.io.xlsx.put: a string cell, quotePrefix before a formula trigger).
    A cell under merged cells the office made takes nothing (None stays None); a value for it raises
    qmskit.io.xlsx_parts.NotSavedInPlace (openpyxl cannot write it, Excel would not show it)."""
    from qmskit.io.xlsx import put
    from qmskit.io.xlsx_parts import NotSavedInPlace, merged_over
    merged = merged_over(cell)
    if merged is not None:
        if value is None:
            return
        raise NotSavedInPlace(merged)
    put(cell, value)


def _cell_value(key: str, value, lang: str):
    if is_blank(value):
        return None
    if key in DATE_KEYS:
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if key == "status":
        return t(f"action.status.{value}", lang) if str(value) in STATUS_ORDER else str(value)
    if key == "in_assessment":
        return t(f"actions_xlsx.yes_no.{value}", lang) if str(value) in ("yes", "no") else str(value)
    if key in CODED:  # severity and reason in the plan's language (a Chinese plan said "minor", "partial")
        return t(f"{CODED[key][0]}{value}", lang) if str(value) in CODED[key][1] else value
    return value


# the locked columns written as words from a fixed set: key -> (catalog prefix, codes); read back to codes
CODED = {"severity": ("sev_", ("major", "minor", "observation")),
         "reason": ("reason_", ("critical", "absent", "not_met", "partial", "practice", "kpi"))}


@functools.cache
def _coded_tokens(key: str) -> dict[str, str]:
    prefix, codes = CODED[key]
    return {**{t(f"{prefix}{code}", lang).casefold(): code for lang in LANGS for code in codes},
            **{code: code for code in codes}}


def _code(key: str, value) -> str:
    """A severity or reason cell as its code (either language's word, or the code itself)."""
    text = _text(value)
    return _coded_tokens(key).get(text.strip().casefold(), text)


def _style_header(ws) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _status_validation(ws, col_letter: str, lang: str) -> None:
    labels = [t(f"action.status.{k}", lang) for k in STATUS_ORDER]
    dv = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="qmskit", error=", ".join(labels))
    ws.add_data_validation(dv)
    dv.add(f"{col_letter}2:{col_letter}{max(ws.max_row, 2) + 500}")  # room for rows the office adds


def _write_row(ws, row: int, columns: dict, values: dict, lang: str, keys) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    for key in keys:
        if key not in columns:
            continue
        cell = ws.cell(row, columns[key])
        _put(cell, _cell_value(key, values.get(key), lang))
        if key in DATE_KEYS:
            cell.number_format = "yyyy-mm-dd"
        cell.alignment = wrap
        cell.protection = Protection(locked=key not in OFFICE_KEYS)
        if key in OFFICE_KEYS:
            cell.fill = OFFICE_FILL


def _new_workbook(meta: dict, plan: pd.DataFrame, lang: str) -> Workbook:
    wb = Workbook()
    office = wb.active
    office.title = OFFICE_SHEET
    _write_office(office, meta, lang)
    ws = wb.create_sheet(ACTIONS_SHEET)
    append(ws, [HEADER_LABELS.label(k, lang) for k in KEYS])
    _style_header(ws)
    for i, key in enumerate(KEYS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = HEADER_WIDTHS[key]
    columns = {k: i for i, k in enumerate(KEYS, start=1)}
    for n, values in enumerate(plan.to_dict("records"), start=2):
        _write_row(ws, n, columns, values, lang, KEYS)
    _status_validation(ws, ws.cell(1, columns["status"]).column_letter, lang)
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{ws.cell(1, len(KEYS)).column_letter}{max(ws.max_row, 1)}"
    # qmskit's columns locked, the office's editable; no password (it guards against slips, not people)
    ws.protection.sheet = True
    for attr in ("formatRows", "formatColumns", "autoFilter", "sort", "insertRows"):
        setattr(ws.protection, attr, False)
    return wb


def _write_office(ws, meta: dict, lang: str) -> None:
    ws.delete_rows(1, ws.max_row)
    append(ws, office_header(lang))
    _style_header(ws)
    for key in META_LABELS:
        value = meta.get(key, "")
        row = ws.max_row + 1
        _put(ws.cell(row, 1), META_LABELS.label(key, lang))
        _put(ws.cell(row, 2), value.isoformat() if isinstance(value, dt.date) else _text(value))
        _put(ws.cell(row, 3), key)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].hidden = True


def _text(value) -> str:
    return "" if is_blank(value) else str(value)


def write_actions(path: str | Path, meta: dict, plan: pd.DataFrame, *, lang: str = "en") -> Path:
    """Write a new action-plan workbook atomically (an existing file is kept as a backup)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ActionsError(msg("actions_xlsx.unsupported_type", suffix=path.suffix), path=path)
    wb = _new_workbook(meta, plan, lang)
    with iorw.atomic_path(path, backup=True, lock=True) as tmp:
        save_workbook(wb, tmp)  # one plain write: a full disk fails there, not inside openpyxl's zip writer
    return path


def update_actions_in_place(path: str | Path, meta: dict, plan: pd.DataFrame) -> Path:
    """Write ``plan`` into the existing workbook at ``path``: qmskit's cells refreshed, the office's cells
    rewritten with their (kept) values, new rows appended, everything else untouched; backup first.
    Returns the file written: ``path``, or a ``<stem>.unsaved-<time>.xlsx`` copy beside it when saving
    would drop parts of the office's workbook openpyxl cannot keep, when openpyxl cannot load it, or
    when a value would go under merged cells the office made (qmskit.io.xlsx_parts): then the copy is
    the plan as a fresh workbook."""
    from qmskit.io.xlsx_parts import NotSavedInPlace, PartsWouldBeLost, check_kept, keep_as_copy, save_as_copy
    path = Path(path)
    try:
        wb, formulas = _updated(path, meta, plan)
    except NotSavedInPlace as refused:  # the office's plan as it is; a fresh one beside it, and a line saying so
        lang = str(meta.get("language") or "en")
        return save_as_copy(path, lambda tmp: save_workbook(_new_workbook(meta, plan, lang), tmp), refused.why)
    try:
        with iorw.atomic_path(path, backup=True, lock=True) as tmp:
            save_workbook(wb, tmp, formulas)  # the office's formulas keep their results (openpyxl drops them)
            check_kept(path, tmp)  # shapes, threaded comments, controls ... openpyxl would drop
    except PartsWouldBeLost as lost:  # the office's plan as it is; ours beside it, and a line saying so
        return keep_as_copy(path, lost)
    return path


def _updated(path: Path, meta: dict, plan: pd.DataFrame) -> tuple[Any, FormulaIndex]:
    """The plan at ``path`` loaded, with ``plan`` written into it (not saved)."""
    # formulas as formulas: with cached values only (data_only), saving replaced every formula the office
    # had put in the workbook (its own columns and sheets included) by its last value, or by nothing
    wb, formulas = _load(path, read_only=False, data_only=False)
    if ACTIONS_SHEET not in wb.sheetnames:
        raise ActionsError(msg("actions_xlsx.not_a_plan", sheet=ACTIONS_SHEET), path=path)
    ws = wb[ACTIONS_SHEET]
    columns = _columns(ws, path)
    lang = _sheet_lang(ws)
    if OFFICE_SHEET in wb.sheetnames:
        _write_office(wb[OFFICE_SHEET], meta, lang)
    rows = {}
    for n in range(2, ws.max_row + 1):
        value = ws.cell(n, columns["id"]).value
        if not is_blank(value):
            rows[str(value).strip()] = n
    next_row = ws.max_row + 1
    for values in plan.to_dict("records"):
        found = rows.get(values["id"])
        if found is None:  # a new finding: a full row
            _write_row(ws, next_row, columns, values, lang, KEYS)
            next_row += 1
            continue
        # an existing row: only qmskit's cells, and owner/due where the office left them blank
        keys = QMSKIT_KEYS + [k for k in ("owner", "due") if k in columns and is_blank(ws.cell(found, columns[k]).value)]
        _write_row(ws, found, columns, values, lang, keys)
    return wb, formulas


# ----------------------------------------------------------------------------- reading

def _load(path: Path, *, read_only: bool, data_only: bool = True) -> tuple[Any, FormulaIndex]:
    """The workbook as openpyxl loads it, and its formula cells (qmskit.io.formulas)."""
    if not path.exists():
        raise ActionsError(msg("limits.not_found"), path=path)
    if path.suffix.lower() != ".xlsx":
        raise ActionsError(msg("actions_xlsx.unsupported_type", suffix=path.suffix), path=path)
    from qmskit.io.limits import MAX_RESPONSES_BYTES, check_regular_file
    from qmskit.io.xlsx_read import prescan  # the input limits (size, zip bomb, DTD, sheet extent) before openpyxl
    check_regular_file(path, ActionsError, MAX_RESPONSES_BYTES, "limits.what.action_plan")
    formulas = prescan(path)
    if not read_only:  # to save into: a plan openpyxl cannot load goes to a copy (NotSavedInPlace)
        from qmskit.io.xlsx_parts import load_for_update
        # an in-place update keeps a VBA project the workbook holds (openpyxl drops it otherwise)
        return load_for_update(path, data_only=data_only, keep_vba=has_macros(path)), formulas
    try:
        return load_workbook(path, read_only=True, data_only=data_only), formulas
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ActionsError(msg("actions_xlsx.not_a_workbook"), path=path) from None


def _columns(ws, path: Path) -> dict:
    header = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))] if ws.max_row else []
    lookup = HEADER_LABELS.keys_by_label()
    columns = {}
    for i, h in enumerate(header, start=1):
        key = lookup.get(str(h).strip().casefold()) if h is not None else None
        if key and key not in columns:
            columns[key] = i
    if "id" not in columns or "status" not in columns:
        raise ActionsError(msg("actions_xlsx.needs_id_status", sheet=ACTIONS_SHEET), path=path,
                           where=msg("place.row", row=1))
    return columns


# what a person may type besides the labels in either language: the keys and a few obvious variants
STATUS_VARIANTS = {"in progress": "in_progress", "in-progress": "in_progress", "ongoing": "in_progress",
                   "closed": "done", "verified": "verified", "effective": "verified", "进行": "in_progress",
                   "完成": "done", "已关闭": "done", "已验证": "verified", "未完成": "open"}


@functools.cache
def _status_tokens() -> dict[str, str]:
    # input parsing (people type the workbook): a status's words in either language, the catalog's ``action.status.*``
    return {**{t(f"action.status.{key}", lang).casefold(): key for lang in LANGS for key in STATUS_ORDER},
            **{key: key for key in STATUS_ORDER}, **STATUS_VARIANTS}


def status_key(text: object) -> str | None:
    """The status a person typed (a label in either language, a key, a variant), or None if it is none."""
    return _status_tokens().get(str(text).strip().casefold())


def _sheet_lang(ws) -> str:
    first = ws.cell(1, 1).value
    return "zh" if isinstance(first, str) and any("\u4e00" <= ch <= "\u9fff" for ch in first) else "en"


def _status(value, path, row) -> str:
    if is_blank(value):
        return "open"
    key = status_key(value)
    if key is None:
        allowed = ", ".join(t(f"action.status.{k}", "en") for k in STATUS_ORDER)
        allowed_zh = "、".join(t(f"action.status.{k}", "zh") for k in STATUS_ORDER)
        raise ActionsError(msg("actions_xlsx.bad_status", value=str(value).strip(), allowed=allowed,
                               allowed_zh=allowed_zh), path=path, where=msg("place.row", row=row))
    return key


def _date(value, path, row: int, qid: str, key: str) -> str:
    """A finding's date (``key``: due, closed_date …) as YYYY-MM-DD, by the lenient rule of responses files."""
    from qmskit.io.responses import _date_text
    # a bare number is not a date; the words are made only for a bad one (this runs for every row)
    text = None if isinstance(value, (int, float)) and not isinstance(value, bool) else _date_text(value)
    if text is None:
        what = msg("actions_xlsx.finding_date", id=qid, date=msg(f"actions_xlsx.date_name.{key}"))
        raise ActionsError(msg("responses.not_a_date", what=what, text=value if isinstance(value, (int, float))
                               else str(value).strip()), path=path, where=msg("place.row", row=row))
    return text


def read_actions(path: str | Path) -> ActionPlanFile:
    """Read an action-plan workbook; raise ActionsError naming the file and row on bad content."""
    path = Path(path)
    wb, formulas = _load(path, read_only=True)
    as_text: list[FormulaCell] = []

    def typed(sheet: str, rows):
        """Each row's values, a formula without a usable result as its text (openpyxl: None, or the error),
        a text's escaped literal _xHHHH_ as written (openpyxl's read-only mode gives an inline string raw)."""
        texts = {(c.row, c.col): c for c in formulas.uncomputed(sheet)}
        for n, values in enumerate(rows, start=1):
            if any(type(v) is str and "_x005F_" in v for v in values):
                values = tuple(ooxml_unescaped_literals(v) if type(v) is str else v for v in values)
            if texts and any((n, i) in texts for i in range(1, len(values) + 1)):
                values = list(values)
                for i in range(len(values)):
                    if (n, i + 1) in texts:
                        values[i] = texts[(n, i + 1)].text
                        as_text.append(texts[(n, i + 1)])
                values = tuple(values)
            yield values
    try:
        if ACTIONS_SHEET not in wb.sheetnames:
            raise ActionsError(msg("actions_xlsx.no_plan_sheet", sheet=ACTIONS_SHEET, found=", ".join(wb.sheetnames)),
                               path=path)
        meta = {}
        if OFFICE_SHEET in wb.sheetnames:
            for n, row in enumerate(typed(OFFICE_SHEET, wb[OFFICE_SHEET].iter_rows(values_only=True)), start=1):
                if n > 1 and row and len(row) > 2 and row[2]:
                    value = row[1]
                    meta[str(row[2])] = value.date().isoformat() if isinstance(value, dt.datetime) else _text(value)
        ws = wb[ACTIONS_SHEET]
        rows_iter = typed(ACTIONS_SHEET, ws.iter_rows(values_only=True))
        header = next(rows_iter, None)
        if not header:
            raise ActionsError(msg("xlsx.sheet_empty", sheet=ACTIONS_SHEET), path=path)
        lookup = HEADER_LABELS.keys_by_label()
        keys = [lookup.get(str(h).strip().casefold()) if h is not None else None for h in header]
        if "id" not in keys or "status" not in keys:
            raise ActionsError(msg("actions_xlsx.needs_id_status", sheet=ACTIONS_SHEET), path=path,
                               where=msg("place.row", row=1))
        records: list[dict] = []
        seen: dict[str, int] = {}
        for n, values in enumerate(rows_iter, start=2):
            rec = {}
            for k, v in zip(keys, values):
                if k and k not in rec:
                    rec[k] = v
            if is_blank(rec.get("id")):
                continue
            qid = str(rec["id"]).strip()
            if qid in seen:
                raise ActionsError(msg("actions_xlsx.duplicate", id=qid, first=seen[qid]), path=path,
                                   where=msg("place.row", row=n))
            seen[qid] = n
            out = {k: _text(rec.get(k)) for k in KEYS}
            out["id"] = qid
            out["status"] = _status(rec.get("status"), path, n)
            for key in CODED:
                out[key] = _code(key, rec.get(key))
            for key in DATE_KEYS:
                out[key] = _date(rec.get(key), path, n, qid, key)
            flag = _text(rec.get("in_assessment")).strip().casefold()
            out["in_assessment"] = "no" if flag in ("no", "否", "n", "false") else "yes"
            records.append(out)
        # (named only where the reader takes the value in: the Office sheet's label, value and key, a plan
        # column under a header it knows; a formula in a column the office added is read by nobody)
        warn_formulas_as_text([c for c in as_text if (c.col <= 3 if c.sheet == OFFICE_SHEET else
                                                      c.col <= len(keys) and keys[c.col - 1] is not None)], path)
    finally:
        wb.close()
    plan = pd.DataFrame(records, columns=KEYS).astype(object)
    return ActionPlanFile(meta=meta, plan=plan, rows=seen)


# ----------------------------------------------------------------------------- commands' API

def plan_file(responses: str | Path, output: str | Path, *, lang: str | None = None, checklist=None,
              force: bool = False, today: dt.date | None = None):
    """Score ``responses`` and write its findings to the action plan ``output`` (updated in place when
    it exists). ``today`` is the "plan updated" date (default: today). Returns (PlanUpdate, Assessment)."""
    from qmskit.core.actions import plan_rows, update_plan
    from qmskit.core.scoring import score
    from qmskit.io.responses import evidence_marks, read_responses

    responses, output = Path(responses), Path(output)
    meta, frame = read_responses(responses, checklist)
    a = score(checklist or meta.get("checklist") or DEFAULT_CHECKLIST, frame, meta, source=responses,
              reverify_marks=evidence_marks())
    lang = lang or (str(meta["language"]) if meta.get("language") in LANGUAGES else DEFAULT_LANGUAGE)
    from qmskit.i18n.catalog import kpi_finding_texts, t
    action = t("kpi_action", lang)
    fresh = plan_rows(a, lang, {fid: (text, action) for fid, text in kpi_finding_texts(a, lang).items()})
    date = meta.get("date")
    info = {"office": a.office, "checklist": a.checklist.id, "checklist_version": a.checklist.version,
            "assessment_date": date.isoformat() if isinstance(date, (dt.date, dt.datetime)) else _text(date),
            "responses": responses.name, "responses_sha256": file_sha256(responses),
            "updated": (today or dt.date.today()).isoformat(), "language": lang, "closed_before": ""}
    if output.exists():
        existing = read_actions(output)
        if existing.office and not force and not same_office(existing.office, a.office):
            raise ActionsError(msg("actions_xlsx.other_office", plan=existing.office, office=a.office), path=output)
        update = update_plan(existing.plan, fresh)
        info["language"] = existing.meta.get("language") or lang
        info["closed_before"] = ", ".join(_closed_before_update(existing, info, update))
        update_actions_in_place(output, info, update.plan)
    else:
        from qmskit.core.actions import PlanUpdate
        update = PlanUpdate(fresh, added=list(fresh["id"]))
        write_actions(output, info, fresh, lang=lang)
    return update, a


def _closed_before_update(existing: ActionPlanFile, info: dict, update) -> list[str]:
    """What the plan records as closed before its assessment: the actions marked done or verified when a new
    assessment is folded in that it still finds (ineffective, :func:`qmskit.core.actions.progress`); the same
    assessment again (``plan`` re-run) keeps what was known, for the actions it still finds."""
    from qmskit.core.actions import closed_before
    same = existing.meta.get("responses_sha256") == info["responses_sha256"] or \
        (bool(info["assessment_date"]) and existing.meta.get("assessment_date") == info["assessment_date"])
    if not same:
        return update.still_found
    known = set(closed_before(existing.plan, existing.meta.get("closed_before")))
    return [qid for qid in update.still_found if qid in known]


def status_of(path: str | Path, as_of: dt.date):
    """Read an action plan and count its progress on ``as_of`` (a qmskit.core.actions.Progress), against the
    assessment it was last made or updated from (its ``in_assessment`` column and assessment date)."""
    from qmskit.core.actions import closed_before, progress
    f = read_actions(path)
    return progress(f.plan, f.office or Path(path).stem, as_of, assessed=f.meta.get("assessment_date"),
                    before=closed_before(f.plan, f.meta.get("closed_before")))
