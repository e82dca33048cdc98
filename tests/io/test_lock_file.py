"""A lock file qmskit did not make (a symbolic link, a folder) is never written through: one line, exit 1.

Before: a lock file that was a symbolic link failed every save with the bare, untranslated "Too many
levels of symbolic links" (filelock refuses to follow it); a folder in its place gave "Is a directory".
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from qmskit.cli import main
from qmskit.errors import WriteTargetError
from qmskit.io.responses import write_responses

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"


def _lock_of(path):
    return path.with_name(f".{path.name}.lock")


@pytest.mark.parametrize("make", ["symlink", "dangling", "folder"])
def test_a_lock_file_qmskit_did_not_make_is_refused_in_one_line(tmp_path, make):
    path = tmp_path / "office.yaml"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    lock = _lock_of(path)
    if make == "symlink":
        lock.symlink_to(victim)
    elif make == "dangling":
        lock.symlink_to(tmp_path / "no" / "such" / "place")
    else:
        lock.mkdir()
    kind = {"symlink": "a symbolic link", "dangling": "a symbolic link", "folder": "a folder"}[make]
    with pytest.raises(WriteTargetError) as caught:
        write_responses(path, {"office": "X"}, pd.DataFrame([{"id": "4.1-a", "answer": "yes"}]), MINI)
    assert str(caught.value) == (f"{path}: its lock file .office.yaml.lock is {kind}, not a lock qmskit made; "
                                 "nothing was written (remove .office.yaml.lock and try again)")
    assert victim.read_text(encoding="utf-8") == "precious\n" and not path.exists()
    out = CliRunner().invoke(main, ["template", str(MINI), "--office", "X", "-o", str(path), "--lang", "zh"])
    assert out.exit_code == 1 and out.output.count("\n") == 1
    assert "锁文件 .office.yaml.lock" in out.output and "不是 qmskit 创建的锁" in out.output
    assert os.path.lexists(lock) and victim.read_text(encoding="utf-8") == "precious\n"
