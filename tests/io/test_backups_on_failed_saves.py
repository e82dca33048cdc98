"""A save that fails while it keeps the backup (a full disk, a quota) leaves every backup as it was.

Before: :func:`qmskit.io.iorw.backup_file` moved the backups one slot down first and only then copied the
file into ``<name>.bak``. When the copy failed (disk full) the save failed, but the move had happened: the
oldest backup was gone, ``<name>.bak`` was empty, and the form, which retries a failed save every few
seconds, pushed one more backup out with every retry until only one was left. These tests failed before.
"""
from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pandas as pd
import pytest

from qmskit.io import iorw
from qmskit.io.responses import COLUMNS, read_responses, write_responses

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"


def _offices(path: Path, tmp_path: Path) -> list[str | None]:
    got = []
    for slot in iorw.backup_names(path):
        got.append(read_responses(shutil.copyfile(slot, tmp_path / "copy.yaml"), MINI)[0]["office"]
                   if slot.exists() else None)
    return got


def test_a_failed_backup_copy_moves_no_backup(tmp_path, monkeypatch):
    path = tmp_path / "o.yaml"
    for i in range(7):
        write_responses(path, {"office": f"v{i}"}, pd.DataFrame(columns=COLUMNS), MINI)
    before = _offices(path, tmp_path)
    assert before == ["v5", "v4", "v3", "v2", "v1"]
    current = path.read_bytes()

    def full(src, dst, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(shutil, "copy2", full)
    for _ in range(3):  # the form retries a failed save by itself
        with pytest.raises(OSError):
            write_responses(path, {"office": "v7"}, pd.DataFrame(columns=COLUMNS), MINI)
    monkeypatch.undo()
    assert path.read_bytes() == current
    assert _offices(path, tmp_path) == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    write_responses(path, {"office": "v7"}, pd.DataFrame(columns=COLUMNS), MINI)  # the disk has room again
    assert _offices(path, tmp_path) == ["v6", "v5", "v4", "v3", "v2"]
