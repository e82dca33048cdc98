"""A file marked read-only is never replaced. The atomic rename needs only the folder's permission (and root
may write anything), so a responses file or action plan the office had set read-only ("final, do not change")
was silently replaced by the next save. Now: one line naming the file, nothing written; the form shows the
line and keeps its edits in ``<stem>.unsaved-<time><suffix>`` when it closes."""
from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest

from qmskit.errors import WriteTargetError
from qmskit.io import iorw

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))
from harness import run_cli  # noqa: E402

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"


def read_only(path: Path) -> Path:
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # 0o444: what `chmod a-w` leaves
    return path


def test_an_atomic_write_refuses_a_read_only_file_and_leaves_nothing_behind(tmp_path):
    target = tmp_path / "final.yaml"
    target.write_text("final answers\n", encoding="utf-8")
    read_only(target)
    for lock in (False, True):
        with pytest.raises(WriteTargetError) as refused:
            iorw.write_text(target, "new\n", backup=True, lock=lock)
        assert "read-only" in str(refused.value) and "final.yaml" in str(refused.value)
    assert target.read_text(encoding="utf-8") == "final answers\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".final.yaml.lock", "final.yaml"], "no temp, no .bak"


def test_a_writable_file_is_still_replaced_with_its_mode_kept(tmp_path):
    target = tmp_path / "open.yaml"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    iorw.write_text(target, "new\n", lock=True)
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


def test_template_force_onto_a_read_only_workbook_is_one_line(tmp_path):
    target = tmp_path / "office.xlsx"
    first = run_cli(["template", "iso9001-2015", "--office", "X", "-o", target], cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = read_only(target).read_bytes()
    run = run_cli(["template", "iso9001-2015", "--office", "Y", "-o", target, "--force"], cwd=tmp_path)
    run.assert_one_line_error("office.xlsx", "read-only", "nothing was written")
    assert target.read_bytes() == before
    assert not list(tmp_path.glob("office.xlsx*.bak"))


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_the_form_on_a_read_only_file_says_so_and_keeps_the_edits_in_a_copy(tmp_path, suffix):
    from qmskit.forms.session import ERROR, flush_open_sessions
    from qmskit.forms.widgets import AssessmentForm
    from qmskit.io.responses import read_responses
    path = tmp_path / f"o{suffix}"
    form = AssessmentForm(MINI, path, poll=None, debounce=0.05)   # writes the new file
    form.close()
    before = read_only(path).read_bytes()
    form = AssessmentForm(MINI, path, poll=None, debounce=0.05)
    form.card("4.1-a").answer.value = "partial"
    end = time.monotonic() + 30
    while form.session.status != ERROR and time.monotonic() < end:
        time.sleep(0.02)
    assert form.session.status == ERROR
    assert "read-only" in (form.session.error or "")
    flush_open_sessions()  # what atexit runs when the kernel shuts down
    assert path.read_bytes() == before, "the read-only file is as it was"
    copies = list(tmp_path.glob(f"o.unsaved-*{suffix}"))
    assert len(copies) == 1
    assert read_responses(copies[0], MINI)[1].set_index("id").at["4.1-a", "answer"] == "partial"
    form.close()
