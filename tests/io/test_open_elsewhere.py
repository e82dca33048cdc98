"""A workbook open in Excel, WPS or LibreOffice is never replaced.

Before: qmskit saved into the office's workbook while Excel had it open (its owner file ``~$<name>``
beside it) or LibreOffice (``.~lock.<name>#``); the program's next Ctrl-S wrote its copy back over
qmskit's answers (or qmskit's save over what was typed there). Now: nothing is written into it; a
command says so in one line (exit 1), the form keeps its edits in one ``.unsaved`` copy and saves in
place once the lock file is gone. Every refusal names the lock file to delete if the workbook is open
nowhere (a crashed program leaves it behind).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import qmskit.forms.session as session_module
from qmskit.errors import OpenElsewhereError
from qmskit.forms.session import ERROR, SAVED, ResponsesSession
from qmskit.i18n.catalog import error_line, say
from qmskit.io.office_locks import EXCEL, LIBREOFFICE, open_elsewhere
from qmskit.io.responses import read_responses, write_responses

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))
from harness import run_cli  # noqa: E402
from textcheck import assert_chinese_line  # noqa: E402

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"
# what Excel writes into an owner file: the user name's length, the name, padding (the content is not read)
OWNER = b"\x06Li Wei" + b" " * 48 + b"\x06\x00" + "Li Wei".encode("utf-16-le") + b" \x00" * 48


def excel_owner(path: Path, name: str | None = None) -> Path:
    owner = path.with_name(name or "~$" + path.name)
    owner.write_bytes(OWNER)
    return owner


def libreoffice_lock(path: Path) -> Path:
    lock = path.with_name(f".~lock.{path.name}#")
    lock.write_text(",liwei,OFFICE-PC,02.12.2026 09:14,file:///C:/Users/liwei/AppData/Roaming/LibreOffice/4;",
                    encoding="utf-8")
    return lock


def office_file(tmp_path: Path, suffix: str, name: str = "office") -> Path:
    path = tmp_path / f"{name}{suffix}"
    write_responses(path, {"office": "Riverside"}, pd.DataFrame([{"id": "5-a", "answer": "no"}]), MINI)
    return path


def answers(path: Path) -> pd.DataFrame:
    return read_responses(path, MINI)[1].set_index("id")


# ----------------------------------------------------------------------------- the rule

def test_the_lock_files_of_each_program_are_recognised(tmp_path):
    book = tmp_path / "office.xlsx"
    book.write_bytes(b"x")
    assert open_elsewhere(book) is None
    owner = excel_owner(book)
    found = open_elsewhere(book)
    assert found is not None and (found.program, found.path) == (EXCEL, owner)
    owner.unlink()
    lock = libreoffice_lock(book)
    found = open_elsewhere(book)
    assert found is not None and (found.program, found.path) == (LIBREOFFICE, lock)


def test_a_long_name_owner_file_with_its_first_characters_replaced_counts(tmp_path):
    """Word (and, by some reports, WPS and Excel) puts ``~$`` in place of a long name's first two characters
    (one for a stem of seven) instead of before it."""
    long = tmp_path / "riverside-assessment-2026.xlsx"
    long.write_bytes(b"x")
    excel_owner(long, "~$verside-assessment-2026.xlsx")
    assert open_elsewhere(long).path.name == "~$verside-assessment-2026.xlsx"
    seven = tmp_path / "office7.xlsx"
    seven.write_bytes(b"x")
    excel_owner(seven, "~$ffice7.xlsx")
    assert open_elsewhere(seven).path.name == "~$ffice7.xlsx"
    short = tmp_path / "plan.xlsx"  # a short name is only ever prepended
    short.write_bytes(b"x")
    excel_owner(short, "~$an.xlsx")
    assert open_elsewhere(short) is None


def test_another_files_owner_file_is_not_this_ones(tmp_path):
    """``~$report.xlsx`` beside report.xlsx is report.xlsx's owner file, not a cut spelling of ab-report.xlsx's."""
    mine, theirs = tmp_path / "abreport.xlsx", tmp_path / "report.xlsx"
    mine.write_bytes(b"x")
    theirs.write_bytes(b"x")
    excel_owner(theirs)
    assert open_elsewhere(theirs) is not None
    assert open_elsewhere(mine) is None


def test_no_file_yet_or_a_folder_of_that_name_is_no_lock(tmp_path):
    assert open_elsewhere(tmp_path / "new.xlsx") is None  # nothing to replace
    excel_owner(tmp_path / "new.xlsx")
    assert open_elsewhere(tmp_path / "new.xlsx") is None
    book = tmp_path / "office.xlsx"
    book.write_bytes(b"x")
    (tmp_path / "~$office.xlsx").mkdir()  # the programs make a file; a folder is no program's lock
    assert open_elsewhere(book) is None


# ----------------------------------------------------------------------------- writing

@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".csv", ".yaml"])
@pytest.mark.parametrize("program", [excel_owner, libreoffice_lock])
def test_a_save_into_an_open_file_writes_nothing_and_names_the_lock_file(tmp_path, suffix, program):
    path = office_file(tmp_path, suffix)
    before, listing = path.read_bytes(), sorted(p.name for p in tmp_path.iterdir())
    lock = program(path)
    with pytest.raises(OpenElsewhereError) as refused:
        write_responses(path, {"office": "Riverside"}, pd.DataFrame([{"id": "5-a", "answer": "yes"}]), MINI)
    line = str(refused.value)
    assert line.startswith(str(path)) and lock.name in line and "Close the file there" in line
    assert f"delete {lock.name}" in line, "a stale lock file must have a way out"
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(listing + [lock.name]), "no .bak, no temp"
    assert_chinese_line(error_line(refused.value, "zh"), path)
    lock.unlink()  # closed there: the same save goes into the file
    write_responses(path, {"office": "Riverside"}, pd.DataFrame([{"id": "5-a", "answer": "yes"}]), MINI)
    assert answers(path).at["5-a", "answer"] == "yes"


def test_commands_that_write_in_place_say_one_line_and_change_nothing(tmp_path):
    book = tmp_path / "office.xlsx"
    assert run_cli(["template", "iso9001-2015", "--office", "X", "-o", book], cwd=tmp_path).returncode == 0
    plan = tmp_path / "plan.xlsx"
    assert run_cli(["actions", "plan", book, "-o", plan], cwd=tmp_path).returncode == 0
    lock = libreoffice_lock(book)
    before = book.read_bytes()
    run = run_cli(["template", "iso9001-2015", "--office", "Y", "-o", book, "--force"], cwd=tmp_path)
    run.assert_one_line_error("office.xlsx", "LibreOffice", lock.name, f"delete {lock.name}")
    assert book.read_bytes() == before and not list(tmp_path.glob("*.bak"))
    run = run_cli(["--lang", "zh", "template", "iso9001-2015", "--office", "Y", "-o", book, "--force"], cwd=tmp_path)
    assert run.returncode == 1 and len(run.lines) == 1 and "Traceback" not in run.stderr
    assert_chinese_line(run.lines[0], book)
    owner = excel_owner(plan)
    plan_before = plan.read_bytes()
    run = run_cli(["actions", "plan", book, "-o", plan], cwd=tmp_path)
    run.assert_one_line_error("plan.xlsx", "Excel", owner.name)
    assert plan.read_bytes() == plan_before and not list(tmp_path.glob("plan.unsaved-*"))


# ----------------------------------------------------------------------------- the form

def _stop(session: ResponsesSession) -> None:
    """Stop without close() (which saves), as test_unsaved_copies does."""
    with session._lock:
        session._closed = True
        session._wake.notify()
    session_module._EXIT_FLUSH.discard(session)


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
@pytest.mark.parametrize("program", [excel_owner, libreoffice_lock])
def test_the_form_keeps_its_edits_in_one_copy_until_the_file_is_closed_there(tmp_path, suffix, program):
    path = office_file(tmp_path, suffix)
    before = path.read_bytes()
    lock = program(path)
    session = ResponsesSession(path, MINI, debounce=3600, max_delay=3600)
    try:
        session.set("4.1-a", "answer", "partial")
        assert session.flush() is False
        assert session.status == ERROR and lock.name in session.error and "Close the file there" in session.error
        assert path.read_bytes() == before, "the open workbook is untouched"
        copies = list(tmp_path.glob(f"office.unsaved-*{suffix}"))
        assert copies == [session.copy_path]
        assert answers(copies[0]).at["4.1-a", "answer"] == "partial"
        session.set("4.1-a", "evidence", "procedure QP-07")  # typed while it is still open there
        assert session.flush() is False
        assert list(tmp_path.glob(f"office.unsaved-*{suffix}")) == copies, "one copy, rewritten, not one a save"
        assert answers(copies[0]).at["4.1-a", "evidence"] == "procedure QP-07"
        assert path.read_bytes() == before
        lock.unlink()  # closed there
        assert session.flush() is True and session.status == SAVED and session.error is None
        saved = answers(path)
        assert saved.at["4.1-a", "answer"] == "partial" and saved.at["4.1-a", "evidence"] == "procedure QP-07"
        assert saved.at["5-a", "answer"] == "no"
    finally:
        _stop(session)


def test_the_form_saves_in_place_on_its_own_once_the_lock_file_is_gone(tmp_path, monkeypatch):
    monkeypatch.setattr(session_module, "RETRY_FIRST", 0.05)
    monkeypatch.setattr(session_module, "RETRY_MAX", 0.1)
    from qmskit.forms.widgets import AssessmentForm
    path = office_file(tmp_path, ".xlsx")
    owner = excel_owner(path)
    form = AssessmentForm(MINI, path, poll=None, debounce=0.05)
    try:
        form.card("4.1-a").answer.value = "partial"
        end = time.monotonic() + 30
        while form.session.status != ERROR and time.monotonic() < end:
            time.sleep(0.02)
        assert form.session.status == ERROR
        header = form.status_html.value
        assert owner.name in header and "Close the file there" in header and form.session.copy_path.name in header
        form.set_lang("zh")
        assert owner.name in form.status_html.value and "关闭" in form.status_html.value
        assert answers(form.session.copy_path).at["4.1-a", "answer"] == "partial"
        owner.unlink()
        end = time.monotonic() + 30
        while form.session.status != SAVED and time.monotonic() < end:
            time.sleep(0.02)
        assert form.session.status == SAVED
        assert answers(path).at["4.1-a", "answer"] == "partial"
    finally:
        form.close()


def test_closing_while_it_is_still_open_there_leaves_the_file_and_one_copy(tmp_path):
    path = office_file(tmp_path, ".xlsx")
    before = path.read_bytes()
    libreoffice_lock(path)
    session = ResponsesSession(path, MINI, debounce=3600, max_delay=3600)
    session.set("4.1-a", "notes", "typed just before the kernel stopped")
    session.close()  # what the kernel's exit runs
    assert path.read_bytes() == before
    copies = list(tmp_path.glob("office.unsaved-*.xlsx"))
    assert len(copies) == 1 and answers(copies[0]).at["4.1-a", "notes"] == "typed just before the kernel stopped"
    assert "LibreOffice" in say(session.error, "en")


def test_a_link_to_the_workbook_is_checked_where_the_workbook_is(tmp_path):
    """LibreOffice resolves a link and puts its lock file beside the real file."""
    real = tmp_path / "shared" / "office.xlsx"
    real.parent.mkdir()
    real.write_bytes(b"x")
    link = tmp_path / "office.xlsx"
    link.symlink_to(real)
    assert open_elsewhere(link) is None
    lock = libreoffice_lock(real)
    assert open_elsewhere(link).path == lock
