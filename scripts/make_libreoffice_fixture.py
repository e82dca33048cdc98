"""Build tests/data/office-libreoffice.xlsx: a qmskit workbook an office has worked on, saved by LibreOffice.

The office added what offices add — a "Comment from director" column, an "Evidence list" sheet, merged
cells, wider columns, coloured cells, cell comments — and the file went through LibreOffice Calc
(``soffice --headless --convert-to xlsx``), which rewrites the whole package its own way. The saving
tests (tests/test_safety.py) check that qmskit's saves keep all of it.

    .venv/bin/python scripts/make_libreoffice_fixture.py [OUT.xlsx]

Needs Debian's libreoffice-calc (``apt-get install libreoffice-calc``).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini.yaml"
FIXTURE = ROOT / "tests" / "data" / "office-libreoffice.xlsx"

# What the office added, checked by the tests after every save.
DIRECTOR_HEADER = "Comment from director"
DIRECTOR_COMMENTS = {"4.1-a": "Agreed, see minutes of 3 May", "5-a": "=Policy to be re-signed"}
EVIDENCE_SHEET = "Evidence list"
EVIDENCE_ROWS = [("Ref", "Document", "Location"), ("E1", "Quality manual v3", "Shared drive / QMS"),
                 ("E2", "Management review minutes 2026", "Director's office")]
YELLOW = "FFFF00"


def office_additions(path: Path) -> None:
    """Edit a fresh qmskit workbook the way an office would (with openpyxl, before LibreOffice saves it)."""
    wb = load_workbook(path)
    ws = wb["Assessment"]
    col = ws.max_column + 1
    ws.cell(1, col).value = DIRECTOR_HEADER
    ws.cell(1, col).fill = PatternFill("solid", fgColor=YELLOW)
    ids = {ws.cell(r, 2).value: r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value}
    for qid, text in DIRECTOR_COMMENTS.items():
        cell = ws.cell(ids[qid], col)
        cell.value = text
        cell.data_type = "s"
    ws.column_dimensions[ws.cell(1, col).column_letter].width = 35
    ws.column_dimensions["F"].width = 55  # the office widened Evidence
    ws.cell(ids["4.2-a"], 6).fill = PatternFill("solid", fgColor=YELLOW)
    ws.cell(ids["4.1-b"], 3).comment = Comment("Ask the quality officer", "Director")
    ev = wb.create_sheet(EVIDENCE_SHEET)
    for row in EVIDENCE_ROWS:
        ev.append(row)
    ev.append(("Prepared by the quality office", None, None))
    ev.merge_cells(start_row=4, start_column=1, end_row=4, end_column=3)
    ev["A1"].font = Font(bold=True)
    ev.column_dimensions["B"].width = 40
    wb.save(path)


def build(out: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("soffice not found: apt-get install libreoffice-calc")
    from qmskit.io.responses import write_responses
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "office.xlsx"
        frame = pd.DataFrame([
            {"id": "4.1-a", "answer": "yes", "evidence": "Context analysis 2026", "notes": "", "owner": "", "due": ""},
            {"id": "4.1-b", "answer": "partial", "evidence": "", "notes": "Reviewed once", "owner": "Ms. Chen",
             "due": "2026-12-01"},
            {"id": "5-a", "answer": "no", "evidence": "", "notes": "", "owner": "Director", "due": ""},
        ])
        write_responses(src, {"office": "Riverside Office", "assessor": "A. Consultant", "date": "2026-10-01",
                              "scope": "Permits and licences"}, frame, str(MINI), backup=False)
        office_additions(src)
        conv = tmp / "lo"
        # a private profile: never touch the user's LibreOffice settings, and never wait for a running one
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
                        "xlsx:Calc MS Excel 2007 XML", "--outdir", str(conv), str(src)],
                       check=True, capture_output=True, timeout=180)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(conv / "office.xlsx", out)
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE))
