"""A disk cache of validated checklists, so a command does not parse and check the same YAML again.

Parsing the full checklist (with its line marks) and checking it against the schema and the semantic
rules costs ~0.1 s of CPU in every process that loads it: every ``qmskit score``, every report kernel.
What comes out of that work is plain data (the composed, validated mapping that
:func:`qmskit.checklist.loader.build_checklist` turns into frames), so it is kept on disk, written with
:mod:`marshal` (plain data only: loading it runs no code, unlike pickle), in
``<user cache folder>/qmskit/checklists/`` (:func:`cache_dir`; ``$QMSKIT_CACHE_DIR`` overrides it,
``$QMSKIT_NO_CACHE=1`` turns it off).

Only ever a shortcut, never a source of truth:

- The entry's name and its recorded key are a SHA-256 of the YAML text itself, of the code that reads
  and checks it (:func:`code_fingerprint`: qmskit's version, the schema, the loader modules' source) and
  of the Python version (marshal's format): an edited checklist, an upgraded qmskit or an edited
  loader is a miss, and the YAML is read and checked as before.
- A profile (``extends:``) also records each base it was composed with: the ``extends`` value, the file
  it resolved to and that file's SHA-256. A hit needs every one to resolve to the same file with the
  same content (an edited base, or a relative ``extends`` that now points elsewhere, is a miss).
- The file holds a SHA-256 of its own payload: a truncated, corrupt or foreign file (another key, another
  format) is ignored and replaced; nothing read from the cache can raise.
- A checklist that fails to load is never stored (its error is raised again, with its line, each time).
- Writes are atomic (a temporary file renamed into place), and any failure to write (a read-only or
  missing home, a full disk) is silent: the command works as without a cache. At most
  :data:`MAX_ENTRIES` entries are kept (oldest removed), so editing a checklist many times does not
  fill the disk.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from qmskit.config import ENV_CACHE_DIR, ENV_NO_CACHE

FORMAT = b"qmskit-checklist-cache 1\n"
MAX_ENTRIES = 64
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # far above any checklist's entry (a checklist's YAML is at most 20 MB)
SUFFIX = ".marshal"

# (extends as written, the base file it resolved to, that file's SHA-256): what a profile was composed with
Dependency = tuple[str, str, str]
# read(path, text, dependencies) -> the validated data; appends each base it composes to ``dependencies``
Reader = Callable[[Path, str, list], dict]


def enabled() -> bool:
    return os.environ.get(ENV_NO_CACHE, "") in ("", "0")


def cache_dir() -> Path:
    """``$QMSKIT_CACHE_DIR/checklists``, else the user's cache folder for qmskit (platformdirs: e.g.
    ``$XDG_CACHE_HOME/qmskit`` or ``~/.cache/qmskit`` on Linux, ``~/Library/Caches/qmskit`` on macOS)."""
    root = os.environ.get(ENV_CACHE_DIR)
    if not root:
        import platformdirs
        root = platformdirs.user_cache_dir("qmskit", appauthor=False)
    return Path(root) / "checklists"


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> bytes:
    """What the cached data depends on besides the YAML: qmskit's version, the Python (marshal's format),
    and the bytes of the schema and of the modules that read, compose and check a checklist (an editable
    install changes its code without changing its version)."""
    from qmskit import __version__
    from qmskit.checklist import loader, profiles
    from qmskit.io import limits, yamlio

    digest = hashlib.sha256(FORMAT + f"{__version__} {sys.version_info[:2]} {marshal.version}".encode())
    for source in (loader.bundled_dir() / "schema.json", *(Path(str(m.__file__)) for m in (loader, profiles, yamlio,
                                                                                          limits))):
        digest.update(source.read_bytes())
    return digest.digest()


def entry_key(text: str) -> str:
    return hashlib.sha256(code_fingerprint() + text.encode("utf-8")).hexdigest()


def validated_data(path: Path, text: str, read: Reader, resolve: Callable[[str], Path]) -> dict:
    """The validated data of the checklist ``path`` whose text is ``text``: from the cache when an entry
    for this text, this code and these bases is there; else ``read(path, text, dependencies)``, stored for
    next time. ``resolve(extends)`` is the loader's resolution of an ``extends`` value to a file."""
    if not enabled():
        return read(path, text, [])
    try:
        key = entry_key(text)
        folder = cache_dir()
    except Exception:  # e.g. no home folder to put a cache in, a loader module not on disk
        return read(path, text, [])
    entry = folder / f"{key}{SUFFIX}"
    cached = _read_entry(entry, key)
    if cached is not None and _bases_unchanged(cached["deps"], resolve):
        return cached["data"]
    deps: list[Dependency] = []
    data = read(path, text, deps)
    _write_entry(entry, {"key": key, "deps": [list(d) for d in deps], "data": data})
    return data


def _read_entry(entry: Path, key: str) -> dict | None:
    """The entry's payload when the file is whole, in this format and for this key; else None."""
    try:
        # a regular file, read within a bound: a FIFO put there blocked the command forever, a link to
        # /dev/zero read until memory ran out
        with open(os.open(entry, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return None
            raw = fh.read(MAX_ENTRY_BYTES + 1)
        if len(raw) > MAX_ENTRY_BYTES:
            return None
        head = len(FORMAT)
        digest, payload = raw[head:head + 32], raw[head + 32:]
        if raw[:head] != FORMAT or hashlib.sha256(payload).digest() != digest:
            return None
        value = marshal.loads(payload)
    except Exception:  # missing, unreadable, truncated, not marshal data
        return None
    if not (isinstance(value, dict) and value.get("key") == key and isinstance(value.get("data"), dict)
            and isinstance(value.get("deps"), list)
            and all(isinstance(d, list) and len(d) == 3 and all(isinstance(x, str) for x in d)
                    for d in value["deps"])):
        return None
    return value


def _bases_unchanged(deps: list, resolve: Callable[[str], Path]) -> bool:
    for extends, base_path, sha in deps:
        try:
            resolved = resolve(extends).resolve()
            if str(resolved) != base_path:
                return False
            from qmskit.checklist.loader import ChecklistError
            from qmskit.io.yamlio import read_yaml_text
            if text_sha256(read_yaml_text(resolved, ChecklistError)) != sha:
                return False
        except Exception:  # the base is gone or unreadable: reading the profile again says so properly
            return False
    return True


def _write_entry(entry: Path, value: dict[str, Any]) -> None:
    """Store ``value`` atomically; data marshal cannot hold (e.g. a YAML date) or a folder that cannot be
    written leaves the cache as it was, without a word: it only ever saves time."""
    try:
        payload = marshal.dumps(value)
        if entry.is_symlink() or not entry.is_file():
            # Our own folder: a pipe, device or link in an entry's place is taken away, not written through
            # (the writers refuse such targets, which would leave the bad entry there for ever).
            entry.unlink(missing_ok=True)
        from qmskit.io.iorw import write_bytes
        write_bytes(entry, FORMAT + hashlib.sha256(payload).digest() + payload)
        _prune(entry.parent)
    except Exception:
        pass


def _prune(folder: Path) -> None:
    """Keep the newest :data:`MAX_ENTRIES` entries."""
    entries = list(folder.glob(f"*{SUFFIX}"))
    if len(entries) <= MAX_ENTRIES:
        return
    def mtime(p: Path) -> float:
        try:
            return p.stat().st_mtime
        except OSError:
            return 0.0
    for old in sorted(entries, key=mtime)[:-MAX_ENTRIES]:
        try:
            old.unlink()
        except OSError:
            pass
