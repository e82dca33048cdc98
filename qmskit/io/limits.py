"""Input limits (design.md "Input limits"): what a file qmskit reads may be, checked before parsing.

Every check raises the caller's QmskitError subclass with one line naming the file and the limit, so a
hostile or broken input costs bounded time and memory (≤ 500 MB) instead of a hang or a traceback.
"""
from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from qmskit.errors import QmskitError

MAX_RESPONSES_BYTES = 20 * 1024 * 1024      # a responses file (.xlsx/.csv/.yaml) on disk
MAX_YAML_BYTES = 20 * 1024 * 1024           # any YAML qmskit reads (checklists, profiles, responses)
MAX_ROWS = 5_000                            # rows per sheet (or CSV/YAML responses)
MAX_COLUMNS = 200                           # columns per sheet
MAX_CELL_CHARS = 10_000                     # characters in one cell / field
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024      # all members of an .xlsx, expanded
MAX_ZIP_MEMBERS = 10_000                    # entries in an .xlsx central directory
MAX_YAML_DEPTH = 50                         # nesting of mappings/sequences
MAX_YAML_ALIAS_NODES = 10_000               # nodes reached through aliases (billion laughs)
MAX_YAML_NODES = 200_000                    # parse events (scalars, collections) in one YAML document

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def mib(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def file_kind(path: Path) -> str | None:
    """None for a regular file, else what it is ("a folder", "a device", …); follows symlinks."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing"
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return None if stat.S_ISREG(mode) else "not a regular file"


def check_regular_file(path: Path, error: type[QmskitError], max_bytes: int, what: str = "file") -> int:
    """Refuse what is not a regular file of at most ``max_bytes``; return its size.

    Checked with stat() before any open(): opening a FIFO blocks, a device never ends."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error("file not found", path=path) from None
    except OSError as exc:
        raise error(f"cannot read ({exc.strerror or exc})", path=path) from None
    kind = file_kind(path)
    if kind is not None:
        raise error(f"is {kind}, not a {what} (give a regular file)", path=path)
    if st.st_size > max_bytes:
        raise error(f"{what} is {mib(st.st_size)}; the limit is {mib(max_bytes)}", path=path)
    return st.st_size


def read_bytes_bounded(path: Path, error: type[QmskitError], max_bytes: int, what: str = "file") -> bytes:
    """A regular file's bytes, never more than ``max_bytes`` (it may grow between stat and read)."""
    check_regular_file(path, error, max_bytes, what)
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise error("cannot read (permission denied)", path=path) from None
    except OSError as exc:
        raise error(f"cannot read ({exc.strerror or exc})", path=path) from None
    if len(data) > max_bytes:
        raise error(f"{what} is larger than the limit of {mib(max_bytes)}", path=path)
    return data


def open_bounded_zip(path: Path, error: type[QmskitError], not_this_kind: str, what: str) -> zipfile.ZipFile:
    """Open a zip container (.xlsx, .ods) whose central directory stays within the limits: at most
    MAX_ZIP_MEMBERS members expanding to at most MAX_UNZIPPED_BYTES (what the directory declares; the
    readers still stream each member within its own bounds). ``not_this_kind``: the one line for a file
    that is not a zip at all; ``what``: the container as the messages name it ("workbook")."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise error(not_this_kind, path=path) from None
    except OSError as exc:
        raise error(f"cannot read ({exc.strerror or exc})", path=path) from None
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        zf.close()
        raise error(f"the {what} has {len(infos):,} zip members; the limit is {MAX_ZIP_MEMBERS:,}", path=path)
    expanded = sum(i.file_size for i in infos)
    if expanded > MAX_UNZIPPED_BYTES:
        zf.close()
        raise error(f"the {what} expands to {mib(expanded)} when unzipped; the limit is "
                    f"{mib(MAX_UNZIPPED_BYTES)} (a zip bomb?)", path=path)
    return zf


def check_cell(value, error: type[QmskitError], path, where: str) -> None:
    """A text longer than MAX_CELL_CHARS is refused (one line, never echoed)."""
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise error(f"a cell holds {len(value):,} characters; the limit is {MAX_CELL_CHARS:,}",
                    path=path, where=where)


def write_error_message(exc: OSError) -> str:
    """Plain words for a failed write (disk full, read-only folder, permission)."""
    return "cannot write: " + os_reason(exc)


def os_reason(exc: OSError) -> str:
    import errno
    return {errno.ENOSPC: "the disk is full (no space left on device)",
            errno.EROFS: "the folder is on a read-only file system",
            errno.EACCES: "permission denied (the folder or file is read-only)",
            errno.EPERM: "operation not permitted (the folder or file is protected)",
            errno.EDQUOT: "disk quota exceeded",
            errno.EFBIG: "the file is too large for this file system"}.get(exc.errno or 0, exc.strerror or str(exc))


def os_error_line(exc: OSError) -> str:
    """'<file>: <reason>' for an OSError, naming the file the user gave rather than our temporary file
    (atomic writes go through ``.<name>.<random>.tmp`` beside it)."""
    import re
    name = exc.filename if exc.filename is not None else exc.filename2
    if name is None:
        return os_reason(exc)
    name = os.fsdecode(name) if isinstance(name, bytes) else str(name)
    folder, base = os.path.split(name)
    temp = re.fullmatch(r"\.(.+)\.(?:[^.]+\.tmp|lock)", base)  # our temporary and lock files
    if temp:
        name = os.path.join(folder, temp.group(1))
    return f"{name}: {os_reason(exc)}"
