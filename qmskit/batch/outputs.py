"""A batch's output folder: one batch at a time, results replaced all at once, nothing foreign deleted.

- Lock: ``.qmskit-batch.lock`` is held (``fcntl.flock``, released by the kernel even on kill -9) for the
  whole batch and says who holds it (pid, host, start time); a second batch into the same folder stops
  with :class:`BatchBusy` (exit status 2) naming the holder.
- Staging: every output of the run is written into a hidden staging folder inside the output folder and
  only moved into place by :meth:`OutputFolder.commit` at the very end, so an interrupted run leaves the
  previous results as they were (old results or new, never a mix).
- Manifest: ``.qmskit-batch.json`` records each file a batch wrote with the sha256 of what it wrote.
  A later run removes a file the earlier one wrote (an office no longer in the inputs) only if it is a
  plain file of a kind qmskit writes and still has exactly that content; a file the user put there or
  edited, or one named by a planted or stale manifest, is never deleted. A file about to be replaced
  that this tool did not write (e.g. the user's own ``index.html``) is first kept as a backup (``.bak``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import stat
import tempfile
from pathlib import Path

from qmskit.errors import BatchBusy, QmskitError
from qmskit.i18n.catalog import msg
from qmskit.io import iorw

MANIFEST = ".qmskit-batch.json"
LOCK = ".qmskit-batch.lock"
STAGING_PREFIX = ".qmskit-staging-"
OUTPUT_SUFFIXES = (".html", ".csv", ".ipynb", ".pdf")   # the only kinds of file a batch writes (and may remove)


def sha256_file(path: Path) -> str | None:
    """The file's sha256, or None when it is not a regular file (a symlink, folder, device …)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return iorw.file_sha256(path)  # one definition of hashing a file, with the other file helpers
    except OSError:
        return None


def read_manifest(out: Path) -> dict[str, str]:
    """{file name: sha256} of what the last batch wrote; {} for a missing, malformed or old manifest
    (one without hashes: nothing it names can be proven ours, so nothing is removed)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {name: digest for name, digest in files.items()
            if isinstance(name, str) and isinstance(digest, str) and _plain_name(name)}


def _plain_name(name: str) -> bool:
    """A file directly in the folder, of a kind a batch writes (no paths, no hidden files)."""
    return (bool(name) and name == os.path.basename(name) and "\\" not in name and not name.startswith(".")
            and name.lower().endswith(OUTPUT_SUFFIXES))


class OutputFolder:
    """``with OutputFolder(out) as folder:`` — lock, stage with :meth:`write_text`, then :meth:`commit`."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.staging: Path | None = None
        self.staged: dict[str, tuple[Path, str]] = {}   # name -> (staged file, sha256)
        self.backups: list[Path] = []
        self.removed: list[str] = []
        self._lock_fd: int | None = None

    # ------------------------------------------------------------------------------------ lock
    def __enter__(self) -> OutputFolder:
        self.out.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            for old in self.out.glob(STAGING_PREFIX + "*"):  # left by a batch that was killed (we hold the lock)
                if old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old, ignore_errors=True)
            self.staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.out))
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
                self.staging = None
        finally:
            self._unlock()

    def _lock(self) -> None:
        path = self.out / LOCK
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock; batches into one folder are the user's business
            return
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            from qmskit.io.limits import write_error_message
            raise QmskitError(write_error_message(exc), path=self.out) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _holder(fd)
            os.close(fd)
            raise BatchBusy(msg("batch.busy", holder=holder), path=self.out) from None
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the flock; the file stays (removing it would race)
            self._lock_fd = None

    # ------------------------------------------------------------------------------------ writing
    def write_text(self, name: str, text: str) -> Path:
        """Stage ``name`` (moved into place by commit); returns the path it will have."""
        return self.write_bytes(name, text.encode("utf-8"))

    def write_bytes(self, name: str, data: bytes) -> Path:
        assert self.staging is not None, "OutputFolder used outside its with-block"
        if not _plain_name(name):
            raise QmskitError(msg("batch.not_plain_name", name=name), path=self.out)
        staged = self.staging / name
        staged.write_bytes(data)
        self.staged[name] = (staged, hashlib.sha256(data).hexdigest())
        return self.out / name

    def commit(self) -> None:
        """Move every staged file into place, back up what was not ours, remove our stale files, record
        the manifest. Call it inside ``SignalGuard.deferred()``: it is short and must not stop halfway."""
        previous = read_manifest(self.out)
        for name, (staged, digest) in self.staged.items():
            target = self.out / name
            if os.path.lexists(target):
                if os.path.isdir(target) and not os.path.islink(target):
                    raise QmskitError(msg("batch.folder_in_the_way", name=name), path=self.out)
                current = sha256_file(target)
                if current is not None and current != previous.get(name) and current != digest:
                    self.backups.append(iorw.backup_file(target))  # the user's own file (or edited): kept
            os.chmod(staged, 0o666 & ~iorw.current_umask())
            os.replace(staged, target)
        for name, digest in previous.items():
            if name in self.staged:
                continue
            target = self.out / name
            if sha256_file(target) == digest:  # still exactly what a batch wrote there
                target.unlink(missing_ok=True)
                self.removed.append(name)
        manifest = {"qmskit_batch": 2, "files": {name: digest for name, (_, digest) in sorted(self.staged.items())}}
        iorw.write_text(self.out / MANIFEST, json.dumps(manifest, indent=1))
        self.staged.clear()


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return msg("batch.holder", pid=int(info["pid"]), host=str(info["host"])[:64], started=str(info["started"])[:40])
    except (OSError, ValueError, KeyError, TypeError):
        return msg("batch.holder_unknown")



def write_text(out: OutputFolder | Path, name: str, text: str) -> Path:
    """Into the batch's staged output folder (an OutputFolder), or straight into a folder (a Path)."""
    if isinstance(out, OutputFolder):
        return out.write_text(name, text)
    return iorw.write_text(Path(out) / name, text)


def write_bytes(out: OutputFolder | Path, name: str, data: bytes) -> Path:
    if isinstance(out, OutputFolder):
        return out.write_bytes(name, data)
    return iorw.write_bytes(Path(out) / name, data)
