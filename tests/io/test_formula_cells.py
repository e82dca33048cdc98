"""A formula in a cell the office fills in is never read as blank, and a save never erases it.

Before: calamine reads a formula with no stored result (a workbook saved by openpyxl or a script, or an
error result: what Excel, WPS and LibreOffice make of evidence typed as "=见 2024 登记册") as an empty cell,
so a "yes" counted as unsupported without a word, and every in-place save (write_responses, the form,
`qmskit plan`) wrote the blank back over the office's text. A formula with a stored result was read right,
but the save replaced the formula with its own result as plain text. Each test failed before the fix.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import qmskit
from qmskit.api import load_assessment
from qmskit.errors import ResponsesWarning
from qmskit.forms.session import SAVED, ResponsesSession
from qmskit.i18n.catalog import say
from qmskit.io.responses import read_responses, write_responses

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TEXT_FORMULA = "=见 2024 登记册"            # evidence the office typed with a leading "=": no real formula
REAL_FORMULA = '=A1&" checked"'             # a real formula (A1 holds the header "Clause")
SUM_FORMULA = "=1+2"


def qmskit_workbook(path: Path, responses: list[dict]) -> tuple[openpyxl.Workbook, dict[str, int]]:
    """``responses`` written by qmskit to ``path``, opened in openpyxl, with each question's row."""
    write_responses(path, {"office": "Riverside"}, pd.DataFrame(responses), MINI, backup=False)
    wb = openpyxl.load_workbook(path)
    ws = wb["Assessment"]
    return wb, {ws.cell(r, 2).value: r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value}


def office_workbook(tmp_path: Path, name: str = "office.xlsx", *,
                    answer_formula: bool = False) -> tuple[Path, dict[str, int]]:
    """A qmskit workbook in which the office typed formulas into evidence and notes cells (and with
    ``answer_formula`` into an answer), saved by openpyxl (no stored results, as any script saves them).
    Returns the path and each question's row."""
    path = tmp_path / name
    wb, rows = qmskit_workbook(path, [{"id": "4.1-a", "answer": "yes", "evidence": "placeholder"},
                                      {"id": "4.2-a", "answer": "partial", "evidence": "Register"},
                                      {"id": "5-a", "answer": "no", "notes": "old"},
                                      {"id": "5-b", "answer": "no"}])
    ws = wb["Assessment"]
    ws.cell(rows["4.1-a"], 6).value = TEXT_FORMULA      # F: evidence of a critical "yes"
    ws.cell(rows["5-a"], 7).value = REAL_FORMULA        # G: notes
    ws.cell(rows["4.2-a"], 6).value = SUM_FORMULA       # F: evidence
    if answer_formula:
        ws.cell(rows["5-b"], 5).value = '=IF(1>0,"yes","no")'  # E: the answer itself
    wb.save(path)
    return path, rows


def read(path: Path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        meta, frame = read_responses(path, MINI)
    said = [str(w.message) for w in caught if issubclass(w.category, ResponsesWarning)]
    return meta, frame.set_index("id"), said


def cell(path: Path, row: int, col: int):
    c = openpyxl.load_workbook(path)["Assessment"].cell(row, col)
    return c.value, c.data_type


def save_with(path: Path, qid: str, key: str, value: str) -> None:
    """Read ``path``, change one cell as a consultant would, and save in place (write_responses)."""
    meta, frame, _ = read(path)
    frame.at[qid, key] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResponsesWarning)
        write_responses(path, meta, frame.reset_index(), MINI, backup=False)


def libreoffice(src: Path, out_dir: Path, target: str) -> Path:
    """``src`` opened and saved by LibreOffice Calc (which computes every formula and stores its result)."""
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{out_dir}/profile", "--convert-to",
                    target, "--outdir", str(out_dir), str(src)], check=True, capture_output=True, timeout=180)
    return out_dir / (src.stem + "." + target.split(":")[0])


# ------------------------------------------------------------------ openpyxl-saved: no stored results

def test_a_formula_without_a_result_reads_as_what_was_typed_and_is_named(tmp_path):
    path, _ = office_workbook(tmp_path)
    _, got, said = read(path)
    assert got.at["4.1-a", "evidence"] == TEXT_FORMULA
    assert got.at["5-a", "notes"] == REAL_FORMULA
    assert got.at["4.2-a", "evidence"] == SUM_FORMULA
    assert len(said) == 1 and said[0].startswith(f"{path}: 3 cells hold a formula with no computed value")
    for where in ("Assessment!F3 '=见 2024 登记册'", "Assessment!F5 '=1+2'", "Assessment!G7 '=A1&\" checked\"'"):
        assert where in said[0], said


def test_a_formula_answer_without_a_result_is_named_not_taken_as_blank(tmp_path):
    path, _ = office_workbook(tmp_path, answer_formula=True)
    with pytest.raises(qmskit.ResponsesError, match=r"row 8: question '5-b': answer '=IF\(1>0,\"yes\",\"no\"\)'"):
        read(path)


def test_a_yes_whose_evidence_is_a_formula_is_supported(tmp_path):
    path, rows = office_workbook(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResponsesWarning)
        a = load_assessment(path, MINI)
    assert "4.1-a" not in a.unsupported


# ------------------------------------------------------------------ error values without a formula

def error_workbook(tmp_path: Path, *, answer: str | None = None, second: bool = True) -> tuple[Path, dict[str, int]]:
    """A qmskit workbook in which the office typed "#N/A" and "#DIV/0!" into evidence cells (and with
    ``answer`` into an answer cell): Excel stores those as error values (t="e"), not as text, and so does
    openpyxl for such a string; calamine reads them blank."""
    path = tmp_path / "errors.xlsx"
    wb, rows = qmskit_workbook(path, [{"id": "4.1-a", "answer": "yes", "evidence": "placeholder"},
                                      {"id": "4.2-a", "answer": "partial", "evidence": "Register"},
                                      {"id": "5-b", "answer": "no"}])
    ws = wb["Assessment"]
    ws.cell(rows["4.1-a"], 6).value = "#N/A"
    if second:
        ws.cell(rows["4.2-a"], 6).value = "#DIV/0!"
    if answer is not None:
        ws.cell(rows["5-b"], 5).value = answer
    wb.save(path)
    assert cell(path, rows["4.1-a"], 6) == ("#N/A", "e")
    return path, rows


def test_an_error_value_reads_as_its_text_and_is_named(tmp_path):
    path, rows = error_workbook(tmp_path)
    _, got, said = read(path)
    assert got.at["4.1-a", "evidence"] == "#N/A"
    assert got.at["4.2-a", "evidence"] == "#DIV/0!"
    assert len(said) == 1 and said[0].startswith(f"{path}: 2 cells hold an error value, not a formula or text")
    assert f"Assessment!F{rows['4.1-a']} '#N/A'" in said[0] and f"Assessment!F{rows['4.2-a']} '#DIV/0!'" in said[0]


def test_an_error_value_cut_by_the_pre_scans_stretches_is_still_found(tmp_path):
    """The pre-scan reads a sheet in 1 MiB stretches, each ending before a "<": one may end between a cell's
    opening tag (its t="e") and its <v>#N/A</v>. Before, the cell was then read blank, and an in-place save
    wrote it back empty (found by a review)."""
    import re
    import zipfile

    from qmskit.io.xlsx_read import _CHUNK
    path, rows = error_workbook(tmp_path, second=False)   # (one error cell: the stretch after it holds no other)
    member = "xl/worksheets/sheet2.xml"
    sheet = zipfile.ZipFile(path).read(member)
    at = sheet.index(b'<c r="F%d"' % rows["4.1-a"])
    pad = _CHUNK - 4 - sheet.index(b"<v>", at)   # the cell's <v> starts 4 bytes before the first stretch ends
    _rewritten(path, member, lambda data: data[:at] + b" " * pad + data[at:])
    _, got, said = read(path)
    assert got.at["4.1-a", "evidence"] == "#N/A" and len(said) == 1
    save_with(path, "4.1-b", "owner", "Ms. Chen")
    saved = zipfile.ZipFile(path).read(member).decode()
    assert re.search(rf'<c r="F{rows["4.1-a"]}"[^>]*t="e"><v>#N/A</v></c>', saved)


def _rewritten(path: Path, member: str, change) -> Path:
    """``path`` with one member's bytes passed through ``change``."""
    import zipfile
    src = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, change(zin.read(info)) if info.filename == member else zin.read(info))
    return path


def _excel_365_errors(tmp_path: Path, pad: int = 0) -> tuple[Path, dict[str, int]]:
    """Evidence holding #SPILL! and a column the office added holding =SEQUENCE(3) stored as #CALC!: errors
    of Excel 365 that python-calamine does not know (``pad``: bytes of another part, to pass 16 MB)."""
    import re
    path, rows = error_workbook(tmp_path, second=False)
    row = rows["4.1-a"]

    def change(sheet: bytes) -> bytes:
        sheet = sheet.replace(b"<v>#N/A</v>", b"<v>#SPILL!</v>")
        return re.sub(rb'(<row r="%d"[^>]*>.*?)(</row>)' % row,
                      rb'\1<c r="Z%d" t="e"><f>SEQUENCE(3)</f><v>#CALC!</v></c>\2' % row, sheet)
    _rewritten(path, "xl/worksheets/sheet2.xml", change)
    if pad:
        import zipfile
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("docProps/pad.xml", b"<pad>" + b"<p/>" * (pad // 4) + b"</pad>")
    return path, rows


def test_an_error_value_calamine_does_not_know_is_read(tmp_path):
    """Before, one #SPILL! or #CALC! anywhere in the Assessment sheet (Excel 365 writes them for a dynamic
    array that cannot spill) refused the whole workbook as "not an .xlsx workbook" (found by a review)."""
    path, rows = _excel_365_errors(tmp_path)
    _, got, said = read(path)
    assert got.at["4.1-a", "evidence"] == "#SPILL!"
    assert len(said) == 1 and f"Assessment!F{rows['4.1-a']} '#SPILL!'" in said[0] and "Z" not in said[0], said


def test_an_error_value_calamine_does_not_know_in_a_large_workbook_is_named(tmp_path):
    """Over 16 MB expanded, calamine reads the file's own bytes, and its refusal names the cell and value."""
    path, rows = _excel_365_errors(tmp_path, pad=17 << 20)
    with pytest.raises(qmskit.ResponsesError, match=rf"cell Assessment!F{rows['4.1-a']} holds the error value "
                                                     r"#SPILL!, which the spreadsheet reader cannot take"):
        read(path)


def test_an_error_value_in_an_answer_is_not_taken_as_unanswered(tmp_path):
    path, rows = error_workbook(tmp_path, answer="#N/A")
    with pytest.raises(qmskit.ResponsesError, match=rf"row {rows['5-b']}: question '5-b': answer '#N/A'"):
        read(path)


def test_the_error_warning_exists_in_chinese(tmp_path):
    path, _ = error_workbook(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_responses(path, MINI)
    line = say(caught[0].message, "zh")
    assert line.startswith(f"{path}：2 个单元格含有错误值") and "#DIV/0!" in line, line


def test_saving_in_place_keeps_an_error_value_the_save_does_not_change(tmp_path):
    path, rows = error_workbook(tmp_path)
    save_with(path, "4.1-b", "owner", "Ms. Chen")
    assert cell(path, rows["4.1-a"], 6) == ("#N/A", "e")
    assert read(path)[1].at["4.1-a", "evidence"] == "#N/A"


# ------------------------------------------------------------------ stored results the file asks to recompute

def stored_result_workbook(tmp_path: Path, *, recalculate: bool) -> tuple[Path, int]:
    """A workbook whose answer to 5-b is the formula ="yes" stored with the result "no" (XlsxWriter stores 0
    for every formula; a tool may store anything), with or without the flag that makes Excel recompute
    every formula on opening (``fullCalcOnLoad``, which openpyxl and XlsxWriter set). Returns its row."""
    import re
    path, rows = office_workbook(tmp_path, "stored.xlsx")
    row = rows["5-b"]

    def sheet(data: bytes) -> bytes:
        data, n = re.subn(rb'<c r="E%d"[^>]*(/>|>.*?</c>)' % row, b'<c r="E%d" t="str"><f>"yes"</f><v>no</v></c>' % row,
                          data)
        # and a column the office added, which qmskit does not read: =1+1 stored as 5
        data, m = re.subn(rb'(<row r="%d"[^>]*>.*?)(</row>)' % row, rb'\1<c r="Z%d"><f>1+1</f><v>5</v></c>\2' % row, data)
        assert n == m == 1
        return data

    def book(data: bytes) -> bytes:
        assert b'fullCalcOnLoad="1"' in data
        return data if recalculate else data.replace(b'fullCalcOnLoad="1"', b"")
    _rewritten(path, "xl/worksheets/sheet2.xml", sheet)
    return _rewritten(path, "xl/workbook.xml", book), row


def test_a_stored_result_the_file_asks_to_recompute_is_named(tmp_path):
    """Before: "no" was read without a word, where Excel, recomputing on opening, shows "yes" (found by a
    hostile-file session)."""
    path, row = stored_result_workbook(tmp_path, recalculate=True)
    _, got, said = read(path)
    assert got.at["5-b", "answer"] == "no"  # (the file's result: qmskit computes no formula)
    named = [s for s in said if "read as the result stored with it" in s]
    assert len(named) == 1 and f"""Assessment!E{row} '="yes"' → 'no'""" in named[0], said
    assert f"Z{row}" not in named[0]  # (a column nobody reads)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_responses(path, MINI)
    assert any("办公室看到的值可能不同" in say(w.message, "zh") for w in caught)


def test_a_stored_result_excel_saved_is_read_without_a_word(tmp_path):
    path, row = stored_result_workbook(tmp_path, recalculate=False)
    _, got, said = read(path)
    assert got.at["5-b", "answer"] == "no"
    assert not [s for s in said if "stored with it" in s], said


def test_saving_in_place_keeps_formulas_the_save_does_not_change(tmp_path):
    path, rows = office_workbook(tmp_path)
    save_with(path, "4.1-b", "owner", "Ms. Chen")      # the consultant changes one other cell
    assert cell(path, rows["4.1-a"], 6) == (TEXT_FORMULA, "f")
    assert cell(path, rows["5-a"], 7) == (REAL_FORMULA, "f")
    assert cell(path, rows["4.2-a"], 6) == (SUM_FORMULA, "f")
    assert cell(path, rows["4.1-b"], 8) == ("Ms. Chen", "s")
    assert read(path)[1].at["4.1-a", "evidence"] == TEXT_FORMULA


def test_saving_the_cell_itself_replaces_its_formula_with_the_new_text(tmp_path):
    path, rows = office_workbook(tmp_path)
    save_with(path, "4.1-a", "evidence", "Context analysis 2026")
    assert cell(path, rows["4.1-a"], 6) == ("Context analysis 2026", "s")
    assert cell(path, rows["5-a"], 7) == (REAL_FORMULA, "f")


def test_the_form_saves_around_the_office_formulas(tmp_path):
    path, rows = office_workbook(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResponsesWarning)
        session = ResponsesSession(path, MINI, debounce=0.01)
        assert session.get("4.1-a", "evidence") == TEXT_FORMULA
        session.set("4.1-b", "answer", "partial")
        session.flush()
        assert session.status == SAVED
        session.close()
    assert cell(path, rows["4.1-a"], 6) == (TEXT_FORMULA, "f")
    assert cell(path, rows["5-a"], 7) == (REAL_FORMULA, "f")
    assert read(path)[1].at["4.1-b", "answer"] == "partial"


# ------------------------------------------------------------------ LibreOffice-saved: stored results

@pytest.fixture(scope="module")
def lo_saved(tmp_path_factory):
    if SOFFICE is None:
        pytest.skip("LIBREOFFICE TEST SKIPPED: soffice missing — apt-get install libreoffice-calc")
    tmp = tmp_path_factory.mktemp("lo")
    path, rows = office_workbook(tmp, "lo-office.xlsx", answer_formula=True)
    return {"xlsx": libreoffice(path, tmp / "xlsx", "xlsx:Calc MS Excel 2007 XML"),
            "ods": libreoffice(path, tmp / "ods", "ods"), "rows": rows}


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_libreoffice_results_are_read_and_its_errors_as_what_was_typed(lo_saved, kind, tmp_path):
    path = shutil.copyfile(lo_saved[kind], tmp_path / lo_saved[kind].name)
    _, got, said = read(path)
    assert got.at["5-a", "notes"] == "Clause checked"       # the stored result
    assert got.at["4.2-a", "evidence"] == "3"
    assert got.at["5-b", "answer"] == "yes"
    # LibreOffice could not compute "=见 2024 登记册" (an error result): the text typed, named
    assert got.at["4.1-a", "evidence"] == TEXT_FORMULA
    assert len(said) == 1 and said[0].startswith(f"{path}: 1 cell holds a formula with no computed value")
    assert "Assessment!F3 '=见 2024 登记册'" in said[0]


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_an_error_value_libreoffice_saved_reads_as_typed(lo_saved, kind, tmp_path):
    """LibreOffice stores a typed "#N/A" as the formula <f>#N/A</f> (an .ods: of:=#N/A). Before, it read as
    "=#N/A" with the advice to open and save the file in LibreOffice, which the office just did (found by a
    review); now as Excel's form does: the text, named as an error value."""
    src, rows = error_workbook(tmp_path)
    target = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "ods": "ods"}[kind]
    path = libreoffice(src, tmp_path / kind, target)
    _, got, said = read(path)
    assert got.at["4.1-a", "evidence"] == "#N/A" and got.at["4.2-a", "evidence"] == "#DIV/0!"
    assert len(said) == 1 and said[0].startswith(f"{path}: 2 cells hold an error value"), said


def test_saving_into_a_libreoffice_workbook_keeps_its_formulas_and_their_results(lo_saved, tmp_path):
    path = shutil.copyfile(lo_saved["xlsx"], tmp_path / "office.xlsx")
    rows = lo_saved["rows"]
    save_with(path, "4.1-b", "owner", "Ms. Chen")
    assert cell(path, rows["5-a"], 7) == ('=A1&" checked"', "f")
    assert cell(path, rows["4.2-a"], 6) == (SUM_FORMULA, "f")
    assert cell(path, rows["4.1-a"], 6) == (TEXT_FORMULA, "f")
    assert cell(path, rows["5-b"], 5)[1] == "f"
    _, got, said = read(path)  # the results went back in with the formulas: it reads as it did
    assert got.at["5-a", "notes"] == "Clause checked" and got.at["4.2-a", "evidence"] == "3"
    assert got.at["5-b", "answer"] == "yes" and got.at["4.1-b", "owner"] == "Ms. Chen"
    assert got.at["4.1-a", "evidence"] == TEXT_FORMULA and len(said) == 1
    # openpyxl asks for every formula to be recomputed on opening; the save keeps the file's own word (the
    # results went back as LibreOffice computed them), so they are not named as results Excel may change
    import zipfile
    assert b'fullCalcOnLoad="1"' not in zipfile.ZipFile(path).read("xl/workbook.xml")


def test_saving_into_a_libreoffice_ods_keeps_its_formulas(lo_saved, tmp_path):
    """Before, an .ods saved in place turned a formula without a usable result into its text (the updater
    compared the text read, the formula as typed, with the cell's empty stored result) and one computing a
    whole number (=1+2) into the text "3" (it compared "3" with 3.0), though neither cell was changed."""
    import zipfile
    path = shutil.copyfile(lo_saved["ods"], tmp_path / "office.ods")
    before = zipfile.ZipFile(path).read("content.xml").decode().count("table:formula=")
    save_with(path, "4.1-b", "owner", "Ms. Chen")
    assert zipfile.ZipFile(path).read("content.xml").decode().count("table:formula=") == before > 0
    _, got, said = read(path)
    assert got.at["4.1-a", "evidence"] == TEXT_FORMULA and got.at["4.1-b", "owner"] == "Ms. Chen"
    assert got.at["5-a", "notes"] == "Clause checked"


# ------------------------------------------------------------------ the action plan (`qmskit plan`)

def test_a_formula_in_the_action_plan_is_read_as_typed_and_kept_by_re_planning(tmp_path):
    from qmskit.io.actions_xlsx import plan_file, read_actions

    responses, _ = office_workbook(tmp_path)
    out = tmp_path / "actions.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResponsesWarning)
        plan_file(responses, out, lang="en", checklist=MINI)
    wb = openpyxl.load_workbook(out)
    ws = wb["Actions"]
    col = {c.value: c.column for c in ws[1]}
    first = ws.cell(2, col["ID"]).value
    ws.cell(2, col["Closure evidence"]).value = "=见 纠正措施记录 7"
    ws.cell(2, col["Root cause"]).value = '=B2&" not owned"'
    wb.save(out)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        row = read_actions(out).plan.set_index("id").loc[first]
    assert row["closure_evidence"] == "=见 纠正措施记录 7" and row["root_cause"] == '=B2&" not owned"'
    said = [str(w.message) for w in caught if issubclass(w.category, ResponsesWarning)]
    assert len(said) == 1 and "2 cells hold a formula" in said[0] and "Actions!" in said[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResponsesWarning)
        plan_file(responses, out, checklist=MINI)
    ws = openpyxl.load_workbook(out)["Actions"]
    assert (ws.cell(2, col["Closure evidence"]).value, ws.cell(2, col["Closure evidence"]).data_type) == \
        ("=见 纠正措施记录 7", "f")
    assert ws.cell(2, col["Root cause"]).value == '=B2&" not owned"'


# ------------------------------------------------------------------ sheet XML as Excel writes it

def test_shared_formulas_and_prefixed_tags_are_found_as_excel_writes_them():
    """Excel stores a filled-down formula once (a shared formula: the dependents name it by index) and some
    writers prefix every tag; a dependent with no result reads as its own formula, as Excel shows it."""
    import io

    from qmskit.io.formulas import xlsx_formula_cells
    xml = (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
           b'<x:row r="3"><x:c r="G3"><x:f t="shared" ref="G3:G5" si="0">A3&amp;"x"</x:f><x:v/></x:c></x:row>'
           b'<x:row r="4"><x:c r="G4"><x:f t="shared" si="0"/><x:v/></x:c></x:row>'
           b'<x:row r="5"><x:c r="G5" t="str"><x:f t="shared" si="0"/><x:v>done</x:v></x:c>'
           b'<x:c t="e"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    cells = {c.reference: c for c in xlsx_formula_cells(io.BytesIO(xml), "Assessment")}
    assert list(cells) == ["G3", "G4", "G5", "H5"]
    assert (cells["G3"].text, cells["G3"].computed) == ('=A3&"x"', False)
    assert (cells["G4"].text, cells["G4"].computed) == ('=A4&"x"', False)   # translated to its own row
    assert cells["G5"].computed and cells["G5"].stored == "done"           # a result: read as "done"
    assert (cells["H5"].text, cells["H5"].computed) == ("=1/0", False)     # an error result: its text
