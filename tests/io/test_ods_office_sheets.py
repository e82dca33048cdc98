"""An .ods is rewritten on every save; the sheets the office added to it are carried over, never dropped.

Before: write_responses (and so every form autosave) rewrote an .ods with qmskit's three sheets only; the
office's own "Evidence list" sheet survived in the backups, and after five more saves in none. Failed before.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import qmskit.io.ods as ods
from qmskit.errors import ResponsesError
from qmskit.io.responses import read_responses, write_responses

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
EVIDENCE = [["Ref", "Document"], ["E1", "Quality manual v3"], ["E2", "=见 2024 登记册"]]


def office_ods(tmp_path: Path) -> Path:
    """A qmskit workbook to which the office added an "Evidence list" sheet, saved as .ods by LibreOffice."""
    if SOFFICE is None:
        pytest.skip("LIBREOFFICE TEST SKIPPED: soffice missing — apt-get install libreoffice-calc")
    src = tmp_path / "office.xlsx"
    write_responses(src, {"office": "Riverside"}, pd.DataFrame([{"id": "4.1-a", "answer": "yes"}]), MINI, backup=False)
    wb = openpyxl.load_workbook(src)
    sheet = wb.create_sheet("Evidence list")
    for row in EVIDENCE:
        sheet.append(row)
    sheet["B3"].data_type = "s"
    wb.save(src)
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "ods",
                    "--outdir", str(tmp_path / "lo"), str(src)], check=True, capture_output=True, timeout=180)
    return shutil.copyfile(tmp_path / "lo" / "office.ods", tmp_path / "office.ods")


def save_owner(path: Path, owner: str) -> None:
    meta, frame = read_responses(path, MINI)
    frame.loc[frame["id"] == "4.1-a", "owner"] = owner
    write_responses(path, meta, frame, MINI)


def test_the_office_sheets_of_an_ods_survive_every_save(tmp_path):
    path = office_ods(tmp_path)
    for n in range(7):  # more saves than backups are kept
        save_owner(path, f"owner {n}")
    book = pd.ExcelFile(path, engine="odf")
    assert book.sheet_names == ["Office", "Assessment", "Evidence list"]
    assert pd.read_excel(book, sheet_name="Evidence list", header=None).values.tolist() == EVIDENCE
    assert read_responses(path, MINI)[1].set_index("id").at["4.1-a", "owner"] == "owner 6"


def test_a_sheet_too_large_to_carry_is_refused_not_dropped(tmp_path, monkeypatch):
    path = office_ods(tmp_path)
    before = path.read_bytes()
    monkeypatch.setattr(ods, "MAX_CARRIED_CONTENT", 1024)
    with pytest.raises(ResponsesError, match=r"holds .* KB of sheet content, more than the 1 KB qmskit updates "
                                             r"in place in an .ods; nothing was written"):
        save_owner(path, "someone")
    assert path.read_bytes() == before
