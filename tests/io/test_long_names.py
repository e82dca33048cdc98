"""A responses file whose name is long but legal (~80 Chinese characters: 241-255 UTF-8 bytes) is saved.

Before: the file could be read, but every file qmskit makes beside it (``.<name>.lock``, the temp file
``.<name>.<random>.tmp``, ``<name>.bak`` …, ``<stem>.unsaved-<time>.xlsx``) got a name over the file
system's 255 bytes: each save failed with ENAMETOOLONG, the form's edits were lost at kernel shutdown, and
the error line said to remove a lock file that did not exist. Now a side name that would not fit is
shortened (with a hash of the whole name); one that fits is exactly as before.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import qmskit.forms.session as session_module
from qmskit.cli import main
from qmskit.errors import WriteTargetError
from qmskit.forms.session import SAVED, ResponsesSession
from qmskit.i18n.catalog import say
from qmskit.io import iorw
from qmskit.io.responses import read_responses, write_responses

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"
RIVERSIDE = Path(__file__).parents[2] / "examples" / "offices" / "riverside-general-office.xlsx"
# 83 characters: 249 + 5 bytes. (84, as the report had it, is 257 bytes: a name no file system takes.)
LONG = "质量管理体系" * 13 + "办公室丙丁" + ".xlsx"


def test_the_name_is_legal_but_its_side_files_would_not_be(tmp_path):
    assert len(LONG) == 83 + 5
    assert len(LONG.encode()) <= 255 < len(f".{LONG}.lock".encode())
    (tmp_path / LONG).write_bytes(b"")  # the file system takes the name itself


def names_fit(folder: Path) -> None:
    assert all(len(p.name.encode("utf-8")) <= 255 for p in folder.iterdir())


def frame(answer: str, evidence: str = "") -> pd.DataFrame:
    return pd.DataFrame([{"id": "4.1-a", "answer": answer, "evidence": evidence}])


def answer_in(path: Path, field: str = "answer"):
    return read_responses(path, MINI)[1].set_index("id").at["4.1-a", field]


@pytest.mark.parametrize("n", [83, 80])  # 80: the lock fits, the temp files and their backups' do not
def test_saves_in_place_keep_distinct_rotating_backups(tmp_path, n):
    path = tmp_path / ("质" * n + ".xlsx")
    versions = []
    for answer in ("no", "partial", "yes"):  # written, then saved in place twice
        write_responses(path, {"office": "X"}, frame(answer), MINI)
        versions.append(path.read_bytes())
    assert answer_in(path) == "yes"
    bak, older = iorw.backup_names(path)[:2]
    assert bak != older and {bak, older} < set(tmp_path.iterdir())
    assert (bak.read_bytes(), older.read_bytes()) == (versions[1], versions[0])  # each version kept once
    for _ in range(iorw.KEEP_BACKUPS + 1):  # rotates to the last slot, never past it
        write_responses(path, {"office": "X"}, frame("no"), MINI)
    slots = iorw.backup_names(path)
    assert len(set(slots)) == iorw.KEEP_BACKUPS  # every slot filled, no temp file left behind
    assert set(tmp_path.iterdir()) == {path, iorw.lock_path(path), *slots}
    names_fit(tmp_path)


def test_two_long_names_alike_up_to_the_cut_never_share_a_side_file(tmp_path):
    one, two = tmp_path / LONG, tmp_path / LONG.replace("丙丁", "丙戊")
    assert iorw.lock_path(one) != iorw.lock_path(two)
    assert not set(iorw.backup_names(one)) & set(iorw.backup_names(two))
    assert iorw.lock_path(one) == iorw.lock_path(one)  # stable: the next process finds the same lock


def test_short_names_are_as_they_always_were(tmp_path):
    path = tmp_path / "o.xlsx"
    assert iorw.lock_path(path) == tmp_path / ".o.xlsx.lock"
    assert [p.name for p in iorw.backup_names(path)] == ["o.xlsx.bak", "o.xlsx.1.bak", "o.xlsx.2.bak",
                                                          "o.xlsx.3.bak", "o.xlsx.4.bak"]
    with iorw.atomic_path(path, lock=True) as tmp:
        assert tmp.name.startswith(".o.xlsx.") and tmp.name.endswith(".tmp") and len(tmp.name) == len(".o.xlsx..tmp") + 8
        tmp.write_bytes(b"x")
    assert iorw.claim_unsaved_copy(path).name.startswith("o.unsaved-")
    name = "名" * 80 + ".xlsx"  # 245 bytes: its .bak (249) and lock (251) fit, so they keep their names
    assert iorw.backup_names(tmp_path / name)[0].name == f"{name}.bak"
    assert iorw.lock_path(tmp_path / name).name == f".{name}.lock"


def test_the_form_saves_a_long_named_file_and_keeps_the_edit(tmp_path):
    path = tmp_path / LONG
    write_responses(path, {"office": "X"}, frame("no"), MINI)
    session = ResponsesSession(path, MINI, debounce=0.01)
    versions = []
    try:
        for answer, evidence in (("yes", "typed in the form"), ("partial", "typed again")):
            session.set("4.1-a", "answer", answer)
            session.set("4.1-a", "evidence", evidence)
            end = time.monotonic() + 30  # a bound, not a speed claim
            while (session.unsaved or session.status != SAVED) and time.monotonic() < end:
                time.sleep(0.02)
            assert session.status == SAVED and session.error is None, session.error
            versions.append(path.read_bytes())
    finally:
        session.close()
    assert session.path == path and session.copy_path is None
    assert (answer_in(path), answer_in(path, "evidence")) == ("partial", "typed again")
    assert iorw.backup_names(path)[0].read_bytes() == versions[0]  # the first save, kept by the second
    names_fit(tmp_path)


def test_stale_temps_of_a_long_name_are_cleaned_by_the_next_save(tmp_path):
    path = tmp_path / LONG
    write_responses(path, {"office": "X"}, frame("yes"), MINI)
    code = ("import os, signal\nfrom qmskit.io import iorw\n"
            f"with iorw.atomic_path({str(path)!r}, backup=True, lock=True) as tmp:\n"
            "    tmp.write_bytes(b'half a workbook')\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n")
    assert subprocess.run([sys.executable, "-c", code]).returncode == -signal.SIGKILL
    left = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1, "kill -9 leaves the temp file behind"
    write_responses(path, {"office": "X"}, frame("no"), MINI)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert answer_in(path) == "no"


class _FrozenClock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2026, 12, 2, 0, 40, 5)


def test_unsaved_copies_of_a_long_name_are_written_and_never_share_a_name(tmp_path, monkeypatch):
    path = tmp_path / LONG
    write_responses(path, {"office": "X"}, frame("no"), MINI)
    monkeypatch.setattr(session_module.dt, "datetime", _FrozenClock)
    session = ResponsesSession(path, MINI, debounce=3600, max_delay=3600)
    session.set("4.1-a", "evidence", "kept beside the file")
    copies = [session.save_copy(), session.save_copy()]
    with session._lock:  # stopped without close(), which would save into the file (not tested here)
        session._closed = True
        session._wake.notify()
    session_module._EXIT_FLUSH.discard(session)
    assert copies[0] != copies[1] and all(c.parent == tmp_path for c in copies)
    assert all(".unsaved-20261202-004005" in c.name and c.suffix == ".xlsx" for c in copies)
    assert [answer_in(c, "evidence") for c in copies] == ["kept beside the file"] * 2
    names_fit(tmp_path)


def test_score_and_report_on_a_long_named_file(tmp_path):
    """The office named by the file (no office in its metadata): the report's name comes from the stem."""
    meta, given = read_responses(RIVERSIDE)
    path = tmp_path / LONG
    write_responses(path, {k: v for k, v in meta.items() if k != "office"}, given)
    score = CliRunner().invoke(main, ["score", "--json", str(path)])
    assert score.exit_code == 0, score.output
    assert json.loads(score.output)
    out = tmp_path / "reports"
    report = CliRunner().invoke(main, ["report", str(path), "-o", str(out), "--keep-notebook"])
    assert report.exit_code == 0, report.output
    pages = sorted(p.suffix for p in out.iterdir())
    assert pages == [".html", ".ipynb"], pages
    names_fit(out)


def test_a_name_the_file_system_cannot_take_is_one_line_naming_it_not_lock_advice(tmp_path):
    path = tmp_path / ("质" * 90 + ".xlsx")  # 275 bytes: not a name any file can have
    with pytest.raises(WriteTargetError) as caught:
        write_responses(path, {"office": "X"}, frame("no"), MINI)
    line = str(caught.value)
    assert path.name in line and "too long" in line and "lock" not in line
    assert "名称过长" in say(caught.value.detail, "zh")
    out = CliRunner().invoke(main, ["template", "iso9001-2015", "--office", "X", "-o", str(path)])
    assert out.exit_code == 1 and "too long" in out.output and "lock" not in out.output
    assert "Traceback" not in out.output and len(out.output.strip().splitlines()) == 1
    assert [name for name in os.listdir(tmp_path) if not name.endswith(".lock")] == []  # (locks stay, as for any file)
