"""Safe writes: every file qmskit writes goes through here (temp file in the same folder + rename)."""
from __future__ import annotations

import functools
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(path: str | os.PathLike, *, backup: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it over ``path``.

    Readers never see a half-written file and a failure leaves the old file untouched.
    With ``backup=True`` an existing file is first copied to ``<name>.bak``.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if backup and target.exists():
            backup_file(target)
        # mkstemp makes 0600 files; give the result the mode an ordinary write would (keep an existing
        # file's mode, else 0666 less the umask) so colleagues and web servers can read reports.
        os.chmod(tmp_path, target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~current_umask())
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


@functools.lru_cache(maxsize=1)
def current_umask() -> int:
    """The process umask, read on first write (not at import: importing must change no process state).

    Linux reports it in /proc/self/status; elsewhere it can only be read by setting it, done once and
    restored at once (cached, so threads writing later never race on it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def backup_file(path: str | os.PathLike) -> Path:
    """Copy ``path`` to ``<path>.bak`` (atomically) and return the backup's path."""
    src = Path(path)
    bak = src.with_name(src.name + ".bak")
    fd, tmp = tempfile.mkstemp(prefix=f".{bak.name}.", suffix=".tmp", dir=src.parent)
    os.close(fd)
    shutil.copy2(src, tmp)
    os.replace(tmp, bak)
    return bak


def write_text(path: str | os.PathLike, text: str, *, backup: bool = False) -> Path:
    with atomic_path(path, backup=backup) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes, *, backup: bool = False) -> Path:
    with atomic_path(path, backup=backup) as tmp:
        tmp.write_bytes(data)
    return Path(path)
