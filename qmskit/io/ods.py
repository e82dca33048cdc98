"""LibreOffice's own format: a responses workbook as .ods, read and written like the .xlsx one.

Reading: a bounded pre-scan of the zip (member count, unzipped size, no DTD/entities, and no repeated
row or column run that would expand past the sheet limits), then python-calamine, then the very code
that reads an .xlsx (:func:`qmskit.io.xlsx.read_workbook`): same sheets, same headers (en or zh), same
errors. Writing: the same sheets and columns through pandas' ``odf`` engine (odfpy). An .ods written
here has no dropdowns, grouping or locked cells (odfpy through pandas cannot set them); it round-trips
every value, and text stays text.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd

from qmskit.checklist.loader import Checklist
from qmskit.errors import ResponsesError
from qmskit.i18n.catalog import msg
from qmskit.io.limits import MAX_COLUMNS, MAX_ROWS, MAX_SHARED_TEXT_BYTES, mib, open_bounded_zip

NOT_AN_ODS = "ods.not_an_ods"  # the catalog key of the one line for a file that is no .ods
MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_REPEAT = re.compile(rb'table:number-(rows|columns)-repeated="(\d+)"')
_CHUNK = 1 << 20
# a row or cell tag (any prefix) and its repeat count: calamine copies what a run holds once per repeat
_RUN_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(table-row|table-cell|covered-table-cell)(?=[\s/>])([^<>]*)>")
_RUN_COUNT = re.compile(rb"number-(?:rows|columns)-repeated\s*=\s*[\"']\s*(\d+)")


def prescan(path: Path) -> None:
    with open_bounded_zip(path, ResponsesError, NOT_AN_ODS, "limits.what.spreadsheet") as zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        try:
            if "content.xml" not in names or ("mimetype" in names and zf.read("mimetype").strip() != MIMETYPE):
                raise ResponsesError(msg(NOT_AN_ODS), path=path)
            for info in infos:
                if info.filename.endswith(".xml"):
                    _scan(zf, info, path)
            _repeated_text(zf, path)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, ValueError, OSError):
            raise ResponsesError(msg(NOT_AN_ODS), path=path) from None


def _scan(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """No DTD; a repeated run of rows or columns is fine when empty (LibreOffice writes one to the sheet's
    end), but a run that repeats content would expand past the limits: refuse runs we cannot bound."""
    carry = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            buf = carry + chunk
            if _DTD.search(buf):
                raise ResponsesError(msg("ods.dtd", member=info.filename), path=path)
            for m in _REPEAT.finditer(buf):
                n, kind = int(m.group(2)), m.group(1)
                if n > (MAX_ROWS if kind == b"rows" else MAX_COLUMNS) and not _empty_run(buf[m.end(): m.end() + 4000], kind):
                    repeats = msg("ods.repeats_row") if kind == b"rows" else msg("ods.repeats_column")
                    raise ResponsesError(msg("ods.repeats", member=info.filename, repeats=repeats, n=n,
                                             limit=MAX_ROWS if kind == b"rows" else MAX_COLUMNS), path=path)
            if not chunk:
                return
            carry = buf[-256:]


def _repeated_text(zf: zipfile.ZipFile, path: Path) -> None:
    """The text calamine builds out of content.xml, each stretch times the repeats of the row and cell
    around it, within MAX_SHARED_TEXT_BYTES: a 5,000-times repeated row of a 200-times repeated 10,000-character
    cell (within the row and column limits, a few KB zipped) is 10 GB of copies and aborted the process."""
    total, rows, cells, carry = 0, 1, 1, b""
    with zf.open("content.xml") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            buf = carry + chunk
            end = max(buf.rfind(b"<"), 0) if chunk else len(buf)
            at = 0
            for m in _RUN_TAG.finditer(buf, 0, end):
                total += (m.start() - at) * rows * cells
                at = m.end()
                closing, self_closing, kind = bool(m.group(1)), m.group(3).endswith(b"/"), m.group(2)
                count = _RUN_COUNT.search(m.group(3))
                n = 1 if closing or self_closing or count is None else max(int(count.group(1)), 1)
                if kind == b"table-row":
                    rows = n
                else:
                    cells = n
            total += (end - at) * rows * cells
            if total > MAX_SHARED_TEXT_BYTES:
                raise ResponsesError(msg("ods.repeated_text", limit=mib(MAX_SHARED_TEXT_BYTES)), path=path)
            carry = buf[end:]
            if not chunk:
                return


def _empty_run(after: bytes, kind: bytes) -> bool:
    """Is the repeated row (or cell) that starts just before ``after`` empty? A cell: its tag closes itself.
    A row: no text before the row ends."""
    if kind == b"columns":
        end = after.find(b">")
        return end > 0 and after[end - 1:end] == b"/"
    end = after.find(b"</table:table-row>")
    return end >= 0 and b"<text:p" not in after[:end]


def read_ods(path: Path, *, strict: bool = False) -> tuple[dict, pd.DataFrame]:
    from qmskit.io.xlsx import read_workbook
    from qmskit.io.xlsx_read import open_workbook

    return read_workbook(open_workbook(path, scan=prescan, not_this_kind=NOT_AN_ODS), path, strict=strict)


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
        META_LABELS,
        answer_token,
        flag_texts,
        meta_keys,
        office_header,
    )

    keys = meta_keys(meta)
    field, value, key_header = office_header(lang)
    office = pd.DataFrame({
        field: [META_LABELS.label(k, lang) for k in keys],
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
