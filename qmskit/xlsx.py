"""The field workbook: an "Office" sheet of metadata and an "Assessment" sheet of questions.

Written so a consultant can hand it to an office: dropdowns for answers, frozen header, readable
widths, rows grouped by top-level clause, the id column hidden and locked. Read back leniently.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from .checklist import Checklist
from .errors import ResponsesError
from .scales import DROPDOWN

OFFICE_SHEET, ASSESSMENT_SHEET = "Office", "Assessment"
# (key, en header, zh header, width)
ASSESSMENT_COLUMNS = [
    ("clause", "Clause", "条款", 9),
    ("id", "ID", "编号", 10),
    ("question", "Question", "问题", 60),
    ("hint", "What an auditor looks for", "审核关注的证据", 40),
    ("answer", "Answer", "答案", 11),
    ("evidence", "Evidence", "证据", 40),
    ("notes", "Notes", "备注", 30),
    ("owner", "Owner", "负责人", 16),
    ("due", "Due date", "完成日期", 13),
]
META_LABELS = {
    "office": ("Office", "单位"), "assessor": ("Assessor", "评估人"), "date": ("Assessment date", "评估日期"),
    "checklist": ("Checklist", "检查表"), "checklist_version": ("Checklist version", "检查表版本"),
    "scope": ("Scope of certification", "认证范围"), "sites": ("Sites", "场所"),
    "exclusions": ("Exclusions and justification", "删减及理由"), "language": ("Report language", "报告语言"),
    "status": ("Status (draft/final)", "状态（草稿/定稿）"),
    "confidentiality": ("Confidentiality notice", "保密声明"),
    "report_number": ("Report number (blank: from the brand file)", "报告编号（留空则按品牌文件生成）"),
    "summary": ("Executive summary (Markdown)", "执行摘要（Markdown）"),
    "closing": ("Closing remarks (Markdown)", "结束语（Markdown）"),
    "internal_notes": ("Internal notes, not in the client copy (Markdown)", "内部备注，客户版不含（Markdown）"),
}
KPI_SHEET = "KPIs"
# (key, en header, zh header, width); name/unit/target are for the reader, the checklist's target counts
KPI_COLUMNS = [
    ("id", "ID", "编号", 20), ("name", "Indicator", "指标", 48), ("unit", "Unit", "单位", 8),
    ("target", "Target", "目标", 10), ("value", "Value", "实测值", 12), ("previous", "Previous", "上期", 12),
]
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
SECTION_FILL = PatternFill("solid", fgColor="DDEBF7")


def _header_lookup() -> dict:
    lookup = {}
    for key, en, zh, _ in ASSESSMENT_COLUMNS:
        for label in (key, en, zh):
            lookup[label.strip().lower()] = key
    lookup["due"] = "due"
    return lookup


def _sheet_with_header(wb: Workbook, title: str, columns: list, lang: str):
    """A new sheet whose first row is the (en or zh) column labels, styled, with the columns' widths."""
    ws = wb.create_sheet(title)
    ws.append([en if lang == "en" else zh for _, en, zh, _ in columns])
    for i, (_, _, _, width) in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    return ws


def write_xlsx(path: Path, meta: dict, responses: pd.DataFrame, cl: Checklist, *, lang: str = "en") -> None:
    wb = Workbook()
    office = wb.active
    office.title = OFFICE_SHEET
    office.append(["Field" if lang == "en" else "字段", "Value" if lang == "en" else "值", "key"])
    keys = list(META_LABELS) + [k for k in meta if k not in META_LABELS and not k.startswith("_")
                                and not isinstance(meta[k], (dict, list))]
    for key in keys:
        label = META_LABELS.get(key, (key, key))[0 if lang == "en" else 1]
        value = meta.get(key, "")
        if key == "language" and not value:
            value = lang
        office.append([label, value.isoformat() if isinstance(value, dt.date) else value, key])
    for cell in office[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
    office.column_dimensions["A"].width = 30
    office.column_dimensions["B"].width = 60
    office.column_dimensions["C"].hidden = True  # machine key; labels may be translated

    ws = _sheet_with_header(wb, ASSESSMENT_SHEET, ASSESSMENT_COLUMNS, lang)
    ws.freeze_panes = "C2"

    answers = responses.set_index("id") if len(responses) else None
    titles = dict(zip(cl.clauses["clause"], cl.clauses[f"title_{lang}"]))
    wrap = Alignment(wrap_text=True, vertical="top")
    section_start = None
    last_top = None
    editable = {"answer", "evidence", "notes", "owner", "due"}
    for q in cl.questions.itertuples(index=False):
        if q.top != last_top:
            if section_start is not None:
                ws.row_dimensions.group(section_start, ws.max_row, outline_level=1, hidden=False)
            ws.append([q.top, "", titles.get(q.top, "")])
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
                cell.fill = SECTION_FILL
            section_start = ws.max_row + 1
            last_top = q.top
        row = {"clause": q.clause, "id": q.id, "question": getattr(q, f"text_{lang}"),
               "hint": getattr(q, f"evidence_{lang}")}
        if answers is not None and q.id in answers.index:
            given = answers.loc[q.id]
            for key in editable:
                value = given.get(key, "")
                row[key] = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else value
        ws.append([row.get(key, "") for key, *_ in ASSESSMENT_COLUMNS])
        for i, (key, *_rest) in enumerate(ASSESSMENT_COLUMNS, start=1):
            cell = ws.cell(ws.max_row, i)
            cell.alignment = wrap
            cell.protection = Protection(locked=key not in editable)
    if section_start is not None:
        ws.row_dimensions.group(section_start, ws.max_row, outline_level=1, hidden=False)

    answer_col = ws.cell(1, [k for k, *_ in ASSESSMENT_COLUMNS].index("answer") + 1).column_letter
    dv = DataValidation(type="list", formula1='"' + ",".join(DROPDOWN[(cl.scale, lang)]) + '"',
                        allow_blank=True, showErrorMessage=True,
                        errorTitle="qmskit", error=", ".join(DROPDOWN[(cl.scale, "en")]))
    ws.add_data_validation(dv)
    dv.add(f"{answer_col}2:{answer_col}{ws.max_row}")
    id_col = ws.cell(1, 2).column_letter
    ws.column_dimensions[id_col].hidden = True
    # Lock structure (ids, questions) but leave answer/evidence/notes/owner/due editable; no password.
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    ws.protection.autoFilter = False
    ws.protection.sort = False
    if len(cl.kpis):
        _write_kpis(wb, cl, meta.get("kpis"), lang)
    wb.save(path)


def _write_kpis(wb: Workbook, cl: Checklist, values, lang: str) -> None:
    """The KPIs sheet: one row per declared indicator, value and previous editable."""
    from .kpis import PERCENT_UNITS, kpi_rows_for_file
    ws = _sheet_with_header(wb, KPI_SHEET, KPI_COLUMNS, lang)
    for r in kpi_rows_for_file(cl, values):
        sign = "≥" if r["direction"] == "higher" else "≤"
        ws.append([r["id"], r[f"name_{lang}"] if lang in ("en", "zh") else r["name_en"], r["unit"],
                   r["target"], r["value"], r["previous"]])
        for i, (key, *_rest) in enumerate(KPI_COLUMNS, start=1):
            ws.cell(ws.max_row, i).protection = Protection(locked=key not in ("value", "previous"))
        ws.cell(ws.max_row, 4).number_format = f'"{sign} "0.##'
    percent_rows = [n for n, u in enumerate(cl.kpis["unit"], start=2) if u in PERCENT_UNITS]
    if percent_rows:
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                            showErrorMessage=True, errorTitle="qmskit", error="0 .. 100")
        ws.add_data_validation(dv)
        for n in percent_rows:
            dv.add(f"E{n}:F{n}")
    ws.freeze_panes = "B2"
    ws.protection.sheet = True


def read_xlsx(path: Path) -> tuple[dict, pd.DataFrame]:
    """Read a responses workbook with python-calamine after a bounded pre-scan (qmskit.xlsx_read)."""
    from .xlsx_read import open_workbook
    wb = open_workbook(path)
    try:
        names = wb.sheetnames
        if ASSESSMENT_SHEET not in names:
            raise ResponsesError(f"no sheet named '{ASSESSMENT_SHEET}' (found: {', '.join(names)}); "
                                 f"expected sheets '{OFFICE_SHEET}' and '{ASSESSMENT_SHEET}'", path=path)
        meta = _read_office(wb[OFFICE_SHEET]) if OFFICE_SHEET in names else {}
        frame = _read_assessment(wb[ASSESSMENT_SHEET], path)
        if KPI_SHEET in names:
            meta["kpis"] = _read_kpis(wb[KPI_SHEET])
        return meta, frame
    finally:
        wb.close()


def _read_office(ws) -> dict:
    labels = {label.lower(): key for key, pair in META_LABELS.items() for label in pair}
    meta = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        if not row or row[0] is None:
            continue
        key = row[2] if len(row) > 2 and row[2] else labels.get(str(row[0]).strip().lower(), str(row[0]).strip())
        value = row[1] if len(row) > 1 else None
        if isinstance(value, dt.datetime):
            value = value.date()
        meta[str(key)] = value if not isinstance(value, str) else value.strip()
    return meta


def _read_assessment(ws, path: Path) -> pd.DataFrame:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        raise ResponsesError(f"sheet '{ASSESSMENT_SHEET}' is empty", path=path)
    lookup = _header_lookup()
    keys = [lookup.get(str(h).strip().lower()) if h is not None else None for h in header]
    if "id" not in keys or "answer" not in keys:
        raise ResponsesError(f"sheet '{ASSESSMENT_SHEET}' row 1 needs 'ID' and 'Answer' columns", path=path,
                             where="row 1")
    records = []
    for n, values in enumerate(rows, start=2):
        rec = {k: v for k, v in zip(keys, values) if k}
        if rec.get("id") in (None, ""):
            continue  # section rows and blank rows
        rec["row"] = n
        records.append(rec)
    cols = ["id", "answer", "evidence", "notes", "owner", "due", "row"]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in records], columns=cols)


def _read_kpis(ws) -> list[dict]:
    """Raw KPI rows [{id, value, previous, row}] (validated by qmskit.kpis.parse_kpi_values)."""
    lookup = {label.strip().lower(): key for key, en, zh, _ in KPI_COLUMNS for label in (key, en, zh)}
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    keys = [lookup.get(str(h).strip().lower()) if h is not None else None for h in header]
    entries = []
    for n, values in enumerate(rows, start=2):
        rec = {k: v for k, v in zip(keys, values) if k}
        if all(rec.get(k) in (None, "") for k in ("id", "value", "previous")):
            continue
        entries.append({"id": rec.get("id"), "value": rec.get("value"), "previous": rec.get("previous"), "row": n})
    return entries
