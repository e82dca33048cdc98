"""Safe writes: every file qmskit writes goes through here.

- Atomic: a temporary file in the same folder, renamed over the target (readers never see half a file,
  a failure leaves the old file untouched).
- Locked (``lock=True``: responses files and action plans, what people edit and several processes save):
  a lock file (``.<name>.lock``, the ``filelock`` package) guards the target against a second writer in
  another process, so "check the file, then replace it" (:func:`locked`) is one step across processes.
  The lock is re-entrant within a thread. Reports are not locked one by one (no lock files among them):
  a batch holds a lock on its whole output folder.
- Not while open elsewhere: a locked target that Excel, WPS or LibreOffice has open (their lock file beside
  it: :mod:`qmskit.io.office_locks`) is not replaced; one line names the lock file.
- Backed up: :func:`backup_file` keeps the previous version as ``<name>.bak``; older backups move to
  ``<name>.1.bak`` … ``<name>.4.bak`` (the last :data:`KEEP_BACKUPS` versions, newest first); none is
  ever overwritten by a newer one.
- Tidy: temp files of our own naming left beside a locked target by a killed writer (kill -9) are
  removed by the next write, under the lock (so they cannot belong to a live writer).
- Fitting: every name made from another file's name (lock, temp, backups, unsaved copies) goes through
  :func:`side_name`, so a long but legal name (~80 Chinese characters) still gets side files the file
  system takes; names that fit are exactly as described above.
"""
from __future__ import annotations

import errno
import functools
import hashlib
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qmskit.errors import FileBusyError, WriteTargetError
from qmskit.io.office_locks import refuse_if_open_elsewhere

KEEP_BACKUPS = 5
LOCK_TIMEOUT = 30.0  # seconds; a write takes well under one, so a longer wait means a stuck writer


_locks: dict[str, object] = {}
_locks_guard = threading.Lock()

NAME_MAX = 255  # bytes in a file name, where the file system does not say (ext4, APFS, NTFS ~ 255)
_TEMP_SUFFIX, _TEMP_RANDOM = ".tmp", 8  # mkstemp puts 8 random characters between prefix and suffix


def name_max(folder: str | os.PathLike) -> int:
    """The longest file name (in bytes) ``folder``'s file system takes (:data:`NAME_MAX` when it cannot say:
    no ``pathconf`` on Windows, a folder not made yet)."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):
        return NAME_MAX


def side_name(folder: str | os.PathLike, name: str, prefix: str = "", suffix: str = "", *, extra: int = 0) -> str:
    """``<prefix><name><suffix>``: the name of a file made beside (or for) the file ``name`` in ``folder``.

    When it would not fit the file system's limit (less ``extra`` bytes the caller adds itself), ``name`` is
    cut on a character boundary and a short hash of the whole of it added: a 250-byte responses file name is
    legal, but its lock file ``.<name>.lock`` is not, and a save that cannot make its lock loses the edits.
    The hash keeps two long names that begin alike from sharing a side file, and is stable, so the next
    process finds the same lock, backups and stale temps. A name that fits is returned as it always was."""
    whole = f"{prefix}{name}{suffix}"
    room = name_max(folder) - extra
    if len(whole.encode("utf-8")) <= room:
        return whole
    return prefix + _shortened(name, room - len(prefix.encode("utf-8")) - len(suffix.encode("utf-8")), "~") + suffix


def _shortened(text: str, max_bytes: int, sep: str, strip: str = "") -> str:
    """``text`` cut to fit ``max_bytes`` UTF-8 bytes on a character boundary, ``<sep><8 hex of its SHA-1>``
    at the end (names cut alike stay apart)."""
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    cut = text.encode("utf-8")[: max(max_bytes - len(sep) - len(digest), 0)].decode("utf-8", "ignore")
    return f"{cut.rstrip(strip) if strip else cut}{sep}{digest}"


@contextmanager
def _long_name_refused(path) -> Iterator[None]:
    """A name the file system refuses as too long (the target's own, or a folder path over PATH_MAX; our
    side names always fit) becomes one line naming the file, in the form as on the command line."""
    try:
        yield
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
        from qmskit.io.limits import os_reason
        raise WriteTargetError(os_reason(exc), path=path) from exc


def lock_path(path: str | os.PathLike) -> Path:
    target = Path(path).absolute()
    return target.with_name(side_name(target.parent, target.name, ".", ".lock"))


def _lock_for(path: Path):
    from filelock import FileLock
    key = str(lock_path(path))
    with _locks_guard:  # one FileLock object per file and process: re-entrant in a thread, exclusive across
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = FileLock(key, timeout=LOCK_TIMEOUT)
        return lock


def _check_lock_file(lock_file: Path, path) -> None:
    """A lock file qmskit can use: none yet, or a regular file. A symbolic link (the lock would be taken on
    whatever it points to), a folder, a pipe or a device is refused with one line naming it: qmskit never
    made it, so it removes nothing and writes nothing through it."""
    import stat
    try:
        mode = os.lstat(lock_file).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise  # the lock file is fine, the name is not: locked() says so, with no advice about locks
        mode, error = 0, exc.strerror or type(exc).__name__
    else:
        if stat.S_ISREG(mode):
            return
        error = ""
    from qmskit.i18n.catalog import msg
    from qmskit.io.limits import file_kind
    kind = (msg("iorw.lock_error", error=error) if error else msg("iorw.kind_link") if stat.S_ISLNK(mode)
            else file_kind(lock_file))
    raise WriteTargetError(msg("iorw.lock_unusable", lock=lock_file.name, kind=kind), path=path)


@contextmanager
def locked(path: str | os.PathLike, *, timeout: float | None = None) -> Iterator[None]:
    """Hold ``path``'s lock file (other qmskit processes writing ``path`` wait)."""
    from filelock import Timeout
    target = Path(path).absolute()
    with _long_name_refused(path):
        target.parent.mkdir(parents=True, exist_ok=True)
        _check_lock_file(lock_path(target), path)
        lock = _lock_for(target)
        try:
            lock.acquire(timeout=LOCK_TIMEOUT if timeout is None else timeout)
        except Timeout:
            from qmskit.i18n.catalog import msg
            raise FileBusyError(msg("iorw.busy", lock=lock_path(target).name, seconds=LOCK_TIMEOUT),
                                path=path) from None
        except OSError:
            # a lock file that became a link or a folder meanwhile gets _check_lock_file's line; otherwise the
            # folder refuses it (read-only, full, no permission) and the caller's line names the OS reason
            _check_lock_file(lock_path(target), path)
            raise
    try:
        yield
    finally:
        lock.release()


def _temp_prefix(target: Path) -> str:
    """``.<name>.``: what our temp files for ``target`` begin with (room left for mkstemp's random part)."""
    return side_name(target.parent, target.name, ".", ".", extra=_TEMP_RANDOM + len(_TEMP_SUFFIX))


def _make_temp(target: Path) -> str:
    """A new empty temp file beside ``target`` (``.<name>.<random>.tmp``), closed; its path."""
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=_TEMP_SUFFIX, dir=target.parent)
    os.close(fd)
    return tmp


def _temp_pattern(target: Path) -> re.Pattern:
    # mkstemp adds 8 characters of [a-z0-9_]; a few more or fewer are allowed should that ever change
    return re.compile(re.escape(_temp_prefix(target)) + r"[A-Za-z0-9_]{6,12}" + re.escape(_TEMP_SUFFIX))


def remove_stale_temps(target: Path) -> list[Path]:
    """Remove temp files of our own naming for ``target`` (call under its lock: no live writer owns them)."""
    removed: list[Path] = []
    pattern = _temp_pattern(target)
    bak_pattern = _temp_pattern(backup_names(target)[0])  # backup_file's copy in progress
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        if (pattern.fullmatch(entry.name) or bak_pattern.fullmatch(entry.name)) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


@contextmanager
def atomic_path(path: str | os.PathLike, *, backup: bool = False, lock: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it over ``path``.

    With ``backup=True`` an existing file is first kept as ``<name>.bak`` (see :func:`backup_file`).
    With ``lock=True`` (responses files, action plans: what people edit and several processes save) it
    all happens under the file's lock, and temp files a killed writer left are removed first. Reports
    are written without a lock file beside them (a batch locks its whole output folder instead).
    """
    target = Path(path)
    with _long_name_refused(target), (locked(target) if lock else _no_lock()):
        target.parent.mkdir(parents=True, exist_ok=True)
        check_write_target(target)
        if lock:  # what people edit: never replaced while Excel, WPS or LibreOffice has it open (their next
            refuse_if_open_elsewhere(target)  # save would put back their copy over ours)
            remove_stale_temps(target)
        tmp = _make_temp(target)
        tmp_path = Path(tmp)
        try:
            yield tmp_path
            if backup and target.exists():
                backup_file(target)
            # mkstemp makes 0600 files; give the result the mode an ordinary write would (keep an existing
            # file's mode, else 0666 less the umask) so colleagues and web servers can read reports.
            os.chmod(tmp_path, target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~current_umask())
            os.replace(tmp_path, target)
        except BaseException as exc:
            tmp_path.unlink(missing_ok=True)
            if isinstance(exc, OSError) and exc.filename in (None, tmp):
                # a failed write() names no file, and the temp file is ours: "disk full" must say which
                exc.filename = str(target)
            raise


@contextmanager
def _no_lock() -> Iterator[None]:
    yield


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


def check_write_target(target: Path) -> None:
    """Only a writable regular file (or nothing) is replaced (a read-only one is refused: :func:`_read_only`).
    A folder, named pipe or device at ``target`` (a symlink
    to /dev/zero too) is refused before anything is written. Its backup would copy a device without end
    (/dev/zero filled the disk at ~70 MB/s) or block on a pipe, and the rename would put a file where the
    user's pipe or link to a device was."""
    from qmskit.io.limits import file_kind
    kind = file_kind(target)
    if kind is not None and kind != "missing":
        from qmskit.i18n.catalog import msg
        raise WriteTargetError(msg("iorw.not_regular_target", kind=kind), path=target)
    if kind is None and _read_only(target):
        from qmskit.i18n.catalog import msg
        raise WriteTargetError(msg("iorw.read_only"), path=target)


def _read_only(target: Path) -> bool:
    """A file someone marked read-only (no write permission for anyone: chmod a-w, or the read-only
    attribute a Windows share maps to it), or one this user may not write. The atomic rename would replace
    it all the same (it needs only the folder's permission; root may write anything), silently undoing a
    "final, do not change" the office or consultant set on it."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not mode & 0o222 or not os.access(target, os.W_OK)


def backup_names(path: str | os.PathLike) -> list[Path]:
    """The backup slots of ``path``, newest first: <name>.bak, <name>.1.bak … <name>.4.bak."""
    src = Path(path)
    return [src.with_name(side_name(src.parent, src.name, suffix=f"{'' if i == 0 else f'.{i}'}.bak"))
            for i in range(KEEP_BACKUPS)]


def backup_file(path: str | os.PathLike) -> Path:
    """Keep a copy of ``path`` as ``<name>.bak``, moving older backups one slot down; returns ``<name>.bak``.

    The oldest of :data:`KEEP_BACKUPS` is dropped; no backup is ever replaced by a newer version.
    Call it under the file's lock (:func:`locked`) when other processes may write the file.
    """
    src = Path(path)
    check_write_target(src)  # (a device is never copied, whoever calls)
    slots = backup_names(src)
    # the copy first, the older backups moved only once it is made: a copy that fails (a full disk) moves
    # none (the form retries a failed save every few seconds; each retry pushed one more backup out)
    tmp = _make_temp(slots[0])
    try:
        shutil.copy2(src, tmp)
        for older, newer in zip(reversed(slots[1:]), reversed(slots[:-1])):
            if newer.exists():
                os.replace(newer, older)
        os.replace(tmp, slots[0])
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return slots[0]


def write_text(path: str | os.PathLike, text: str, *, backup: bool = False, lock: bool = False) -> Path:
    with atomic_path(path, backup=backup, lock=lock) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes, *, backup: bool = False, lock: bool = False) -> Path:
    with atomic_path(path, backup=backup, lock=lock) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, read in blocks (records which file a report or an assessment came from)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def slugify(name: str, *, max_bytes: int = 120) -> str:
    """A file-name stem for an office: letters (any script, CJK kept) and digits joined by ``-``.

    Never empty, never a path (``/``, ``\\``, ``..`` and control characters vanish), at most ``max_bytes``
    UTF-8 bytes (a short hash keeps truncated names apart), not a reserved Windows device name.
    """
    text = unicodedata.normalize("NFKC", str(name or "")).casefold()
    slug = "-".join(re.findall(r"[^\W_]+", text))
    if len(slug.encode("utf-8")) > max_bytes:
        slug = _shortened(slug, max_bytes, "-", strip="-")
    if not slug:
        return "office"
    if slug in _WINDOWS_RESERVED:
        slug += "-office"
    return slug


def claim_new_name(folder: Path, stem: str, tail: str, suffix: str) -> Path:
    """``folder/<stem><tail><suffix>``, or ``<stem><tail>-2<suffix>``, ``-3`` … : the first name nobody holds,
    claimed by creating it empty (O_EXCL: two copies saved in the same second, by two sessions or two
    processes, never get one name; the second used to overwrite the first's edits). A ``stem`` too long
    for the rest is shortened (:func:`side_name`); ``tail`` and the number are always kept whole."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        candidate = folder / side_name(folder, stem, suffix=f"{tail}{'' if n == 1 else f'-{n}'}{suffix}")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise FileExistsError(folder / f"{stem}{tail}{suffix}")


def claim_unsaved_copy(path: Path, folder: Path | None = None, suffix: str | None = None) -> Path:
    """``<stem>.unsaved-<time><suffix>`` beside ``path`` (or in ``folder``), claimed (:func:`claim_new_name`):
    where edits go that ``path`` itself cannot take, never over another such copy."""
    import datetime as dt
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return claim_new_name(folder or path.parent, path.stem, f".unsaved-{stamp}", path.suffix if suffix is None else suffix)


def drop_placeholder(path: Path) -> None:
    """Remove the empty file :func:`claim_new_name` made when nothing could be written into it."""
    try:
        if path.stat().st_size == 0:
            path.unlink()
    except OSError:
        pass
