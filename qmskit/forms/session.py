"""One office's responses file held open for editing: every change saved at once, nothing lost.

The interactive form (qmskit.forms.widgets) is a thin view over a :class:`ResponsesSession`; everything here
is plain Python so it can be tested without widgets or a kernel.

- Changes are saved after a short quiet period (``debounce`` s), never later than ``max_delay`` s after
  the first unsaved change, on a background timer, atomically through ``write_responses`` (which keeps
  ``<name>.bak`` of the previous version and, in a workbook, changes only the cells qmskit owns).
- Before each save the file on disk is compared with what we last read or wrote (mtime and size, then a
  SHA-256 of the content to ignore a mere touch). If someone else changed it, nothing is written: the
  session goes to the ``conflict`` state until the user reloads (theirs wins) or overwrites (ours wins;
  theirs is still kept as ``.bak``). The check and the replace happen under the file's lock
  (:func:`qmskit.io.iorw.locked`), so a second kernel or ``qmskit migrate`` saving at the same moment
  either waits and then sees our version (and reports a conflict), or is seen by us — never both "saved".
- A failed save (disk full, file locked, anything) never stops the saver thread: the error is in
  :attr:`error` (shown in the form's header) and the save is retried with a growing delay.
- A file open in Excel, WPS or LibreOffice (their lock file beside it: qmskit.io.office_locks) is never
  replaced: their next save would put their copy back over ours. The edits go to one
  ``<stem>.unsaved-<time><suffix>`` copy beside it at once, the header names the lock file, and the save is
  retried: once the program has closed the file, it is saved in place.
- Pending changes are flushed when the interpreter exits (kernel shutdown) via ``atexit``; when the
  file cannot take them they go to ``<stem>.unsaved-<time><suffix>`` beside it (or, if that folder
  cannot be written either, in the user's temp folder). Closing never raises.
- Text is normalised as it is typed (:func:`qmskit.io.cells.normalize_text`): a vertical tab from Word or a
  U+2028 from a web page can never make a save fail.
"""
from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qmskit.checklist.loader import Checklist, load_checklist
from qmskit.config import DEFAULT_CHECKLIST
from qmskit.core.scales import CANONICAL, NA
from qmskit.errors import OpenElsewhereError, QmskitError
from qmskit.i18n.catalog import msg, t
from qmskit.io import iorw
from qmskit.io.cells import normalize_text
from qmskit.io.responses import COLUMNS, format_for, read_responses, write_responses

FIELDS = ["answer", "evidence", "notes", "owner", "due"]
TEXT_FIELDS = ("evidence", "notes", "owner")

RETRY_FIRST, RETRY_MAX = 1.0, 30.0  # seconds between attempts after a failed save

# Save states shown in the form's header.
SAVED, PENDING, SAVING, ERROR, CONFLICT = "saved", "pending", "saving", "error", "conflict"


@dataclass(frozen=True)
class FileSignature:
    """What the file looked like when we last read or wrote it."""
    mtime_ns: int
    size: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> FileSignature | None:
        try:
            st = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except FileNotFoundError:
            return None
        return cls(st.st_mtime_ns, st.st_size, digest)


class ResponsesSession:
    """Edit one responses file (.xlsx/.yaml/.yml/.csv) question by question with autosave.

    Open an existing file, or create it (``office`` names the office) when it does not exist yet.
    ``on_status(session)`` is called (from any thread) whenever :attr:`status` changes.
    """

    def __init__(self, path: str | Path, checklist: Checklist | str | None = None, *, office: str | None = None,
                 lang: str = "en", debounce: float = 0.3, max_delay: float = 1.0,
                 on_status: Callable[[ResponsesSession], None] | None = None):
        self.path = Path(path).expanduser().absolute()
        format_for(self.path)  # an unsupported suffix is refused before anything is typed into the form
        self.lang = lang
        self.debounce = debounce
        self.max_delay = max_delay
        self.on_status = on_status
        self._lock = threading.RLock()        # guards the values and the save schedule (held briefly)
        self._wake = threading.Condition(self._lock)
        self._write_lock = threading.Lock()    # one write (check + replace) at a time
        self._due: float | None = None        # when the saver thread should write next
        self._first_pending: float | None = None
        self._generation = 0                  # bumped by every change; a write saves one generation
        self._saved_generation = 0
        self._closed = False
        self._copied_generation = -1          # the generation last kept as an .unsaved copy
        self._saver: threading.Thread | None = None
        self.status = SAVED
        self.error: str | None = None
        self.retry_delay = RETRY_FIRST       # seconds until a failed save is tried again (doubles)
        self.copy_path: Path | None = None    # where the last .unsaved copy went
        self.kept_from: Path | None = None    # the office's file, left as it was, when we save to a copy
        self._aside: tuple[Path | None, FileSignature | None] = (None, None)  # the copy kept while open elsewhere
        self.saved_at: dt.datetime | None = None
        self.saves = 0
        if self.path.exists():
            meta, frame = read_responses(self.path, checklist)
            self.checklist = load_checklist(checklist or meta.get("checklist") or DEFAULT_CHECKLIST)
            self._load(meta, frame)
        else:
            self.checklist = load_checklist(checklist or DEFAULT_CHECKLIST)
            meta = {"office": office or self.path.stem, "date": dt.date.today().isoformat(),
                    "language": lang, "status": "draft"}
            self._load(meta, pd.DataFrame(columns=COLUMNS))
            self._write()  # the file exists from the first moment: a crash never loses the office
        _register_exit_flush(self)

    # ------------------------------------------------------------------ state
    def _load(self, meta: dict, frame: pd.DataFrame) -> None:
        # Plain dicts, not a frame: a click reads and writes single cells, which pandas makes slow.
        self.values: dict[str, dict] = {qid: {"answer": None, "evidence": "", "notes": "", "owner": "", "due": ""}
                                        for qid in self.checklist.questions["id"]}
        for row in frame[COLUMNS].to_dict("records") if len(frame) else []:
            entry = self.values[row["id"]]
            for col in FIELDS:
                value = row[col]
                if value is None or (not isinstance(value, str) and pd.isna(value)):
                    value = None if col == "answer" else ""
                entry[col] = value
        self.meta = dict(meta)
        self.meta.pop("row", None)
        self.signature = FileSignature.of(self.path)

    def get(self, qid: str, field: str):
        return self.values[qid][field]

    def set(self, qid: str, field: str, value) -> bool:
        """Change one field of one question; returns True when something changed (and a save is due)."""
        value = self._clean(qid, field, value)
        with self._lock:
            if self.values[qid][field] == value:
                return False
            self.values[qid][field] = value
            self._changed()
        return True

    def set_meta(self, key: str, value) -> bool:
        value = "" if value is None else (value.isoformat() if isinstance(value, dt.date) else normalize_text(value))
        with self._lock:
            if str(self.meta.get(key) or "") == value:
                return False
            if value:
                self.meta[key] = value
            else:
                self.meta.pop(key, None)
            self._changed()
        return True

    def _clean(self, qid: str, field: str, value):
        if field == "answer":
            if value in (None, ""):
                return None
            if value not in CANONICAL[self.checklist.scale]:
                raise QmskitError(msg("form.bad_answer", id=qid, answer=value,
                                      allowed=", ".join(str(v) for v in CANONICAL[self.checklist.scale]
                                                        if v != NA or self.na_allowed(qid))))
            if value == NA and not self.na_allowed(qid):
                raise QmskitError(msg("form.critical_na", id=qid))
            return value
        if field == "due":
            if value in (None, ""):
                return ""
            return value.isoformat() if isinstance(value, dt.date) else str(value).strip()
        if field in TEXT_FIELDS:
            return normalize_text(value)  # what reading the file back gives
        raise KeyError(field)

    def na_allowed(self, qid: str) -> bool:
        return bool(self._na_allowed.get(qid, False))

    @property
    def _na_allowed(self) -> dict:
        cache = getattr(self, "_na_cache", None)
        if cache is None:
            cache = self._na_cache = dict(zip(self.checklist.questions["id"], self.checklist.questions["na_allowed"]))
        return cache

    def frame(self) -> pd.DataFrame:
        """The responses frame: rows with anything filled in, checklist order (what gets written/scored)."""
        with self._lock:
            rows = [{"id": qid, **entry} for qid, entry in self.values.items()
                    if entry["answer"] is not None or any(entry[c] for c in ("evidence", "notes", "owner", "due"))]
        return pd.DataFrame(rows, columns=COLUMNS)

    # ------------------------------------------------------------------ saving
    # One long-lived saver thread per session sleeps until the save is due: a click only bumps a
    # counter and a deadline (starting a thread per keystroke costs GIL hand-offs on the click path).
    def _changed(self) -> None:
        self._generation += 1
        now = time.monotonic()
        if self._first_pending is None:
            self._first_pending = now
        if self.status not in (CONFLICT, ERROR):
            self._set_status(PENDING)
        if self.status == CONFLICT:
            return  # nothing is written until the user reloads or overwrites
        due = min(now + self.debounce, self._first_pending + self.max_delay)
        if self.status == ERROR and self._due is not None:
            due = max(due, self._due)  # a failing disk is retried on its own schedule, not per keystroke
        self._schedule(due)

    def _schedule(self, due: float) -> None:
        """Have the saver thread write at ``due`` (monotonic time); call with ``self._lock`` held."""
        self._due = due
        if self._closed:
            return
        if self._saver is None or not self._saver.is_alive():
            self._saver = threading.Thread(target=self._save_loop, name=f"qmskit-save-{self.path.name}",
                                           daemon=True)  # atexit flushes instead of waiting on it
            self._saver.start()
        else:
            self._wake.notify()

    def _save_loop(self) -> None:
        while True:
            with self._lock:
                while not self._closed and (self._due is None or self._due > time.monotonic()):
                    self._wake.wait(None if self._due is None else self._due - time.monotonic())
                if self._closed:
                    return
                self._due = None
            try:
                self.flush()
            except BaseException as exc:  # never let the saver die: the next edit must still be saved
                self._failed(exc)

    @property
    def unsaved(self) -> bool:
        return self._generation != self._saved_generation

    def flush(self) -> bool:
        """Write pending changes now (unless the file changed on disk). Returns True when all is saved.

        Check and replace are one step across processes: both run under the file's lock."""
        with self._write_lock:
            with self._lock:
                self._due = None
                if not self.unsaved:
                    return self.status == SAVED
                if self.status == CONFLICT:
                    return False
            try:
                with iorw.locked(self.path):
                    with self._lock:
                        if self.external_change():
                            self._set_status(CONFLICT)
                            return False
                    return self._write()
            except QmskitError as exc:  # e.g. the lock is held by a stuck process: shown and retried
                self._failed(exc)
                return False

    def _write(self) -> bool:
        """Write a snapshot; edits made while the file is being written stay pending for the next save."""
        with self._lock:
            generation, meta, frame = self._generation, dict(self.meta), self.frame()
            self._set_status(SAVING)
        try:
            written = write_responses(self.path, meta, frame, self.checklist, lang=self.lang)
            if written != self.path:
                # the office's workbook holds parts an in-place save would drop (qmskit.io.xlsx_parts): it
                # stays as it is, and this save and every later one go to the copy (one copy, not one a save)
                with self._lock:
                    self.kept_from, self.path = self.path, written
            signature = FileSignature.of(self.path)
        except OpenElsewhereError as exc:  # Excel or LibreOffice has it open: untouched, our edits beside it
            self._keep_aside()
            self._failed(exc)  # shown (with the copy) and retried: once the program closes it, saved in place
            return False
        except Exception as exc:  # OSError, an openpyxl error, a bug: the edits stay pending, shown, retried
            self._failed(exc)
            return False
        with self._lock:
            self.signature = signature
            self._saved_generation = generation
            self.error = None
            self.retry_delay = RETRY_FIRST
            self.saved_at = dt.datetime.now()
            self.saves += 1
            if self.unsaved:  # typed while we were writing: schedule the next save
                self._first_pending = time.monotonic()
                self._set_status(PENDING)
                self._due = time.monotonic() + self.debounce
                self._wake.notify()
            else:
                self._first_pending = None
                self._set_status(SAVED)
        return not self.unsaved

    def _failed(self, exc: BaseException) -> None:
        """A save failed: show why and try again later (1 s, 2 s, 4 s … at most every 30 s)."""
        with self._lock:
            if isinstance(exc, QmskitError):  # e.g. the file is busy: words the form says in its language
                from qmskit.i18n.catalog import line_message
                self.error = line_message(exc)
            else:
                self.error = str(exc) or type(exc).__name__
            self._set_status(ERROR)
            delay, self.retry_delay = self.retry_delay, min(self.retry_delay * 2, RETRY_MAX)
            if self.unsaved and not self._closed:
                self._schedule(time.monotonic() + delay)

    def external_change(self) -> bool:
        """True when the file on disk is not what we last read or wrote (content, not just its mtime)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return self.signature is not None
        sig = self.signature
        if sig is not None and (st.st_mtime_ns, st.st_size) == (sig.mtime_ns, sig.size):
            return False
        now = FileSignature.of(self.path)
        if sig is not None and now is not None and now.sha256 == sig.sha256:
            self.signature = now  # touched, not changed
            return False
        return True

    def check_external(self) -> bool:
        """Poll for an outside edit (e.g. from a timer); flags the conflict in :attr:`status`."""
        with self._write_lock, self._lock:  # never mistake our own write in progress for theirs
            if self.status != CONFLICT and self.external_change():
                self._set_status(CONFLICT)
            return self.status == CONFLICT

    def reload(self) -> None:
        """Discard unsaved changes and read the file again (theirs wins)."""
        with self._write_lock, self._lock:
            meta, frame = read_responses(self.path, self.checklist)
            self._load(meta, frame)
            self._due = self._first_pending = None
            self._saved_generation = self._generation
            self.error = None
            self._set_status(SAVED)

    def overwrite(self) -> bool:
        """Resolve a conflict by writing ours (theirs is kept as ``<name>.bak``)."""
        with self._write_lock:
            with self._lock:
                self._generation += 1  # write even when nothing changed since the conflict
            return self._write()

    def _keep_aside(self) -> None:
        """The file is open in another program (qmskit.io.office_locks) and cannot take our edits now: they go
        to one ``.unsaved`` copy beside it, on disk even if the kernel dies before the program closes the file.
        Each refused save rewrites that copy while it is as we wrote it (one copy, not one a retry); a copy
        someone changed or opened meanwhile is left alone and a new one made. Never raises: the edits are
        still pending in memory, and the next save (or the exit) tries again."""
        with self._lock:
            generation, meta, frame = self._generation, dict(self.meta), self.frame()
        if generation == self._copied_generation:
            return
        copy, signature = self._aside
        if copy is not None and FileSignature.of(copy) == signature:
            try:  # still ours, as we left it: rewritten whole (a fresh file, not an update of it)
                write_responses(copy, meta, frame, self.checklist, lang=self.lang, backup=False, into_existing=False)
            except Exception:  # e.g. the copy is open in Excel now: a new one
                copy = None
        else:
            copy = None
        if copy is None:
            try:
                copy = self.save_copy()
            except Exception:
                return
        self._aside = (copy, FileSignature.of(copy))
        with self._lock:
            self.copy_path = copy
            self._copied_generation = max(self._copied_generation, generation)

    def save_copy(self) -> Path:
        """Write our unsaved version beside the file as ``<stem>.unsaved-<time><suffix>``.

        When that folder cannot be written, the copy goes to the temp folder (``qmskit-unsaved``)."""
        with self._lock:
            meta, frame = dict(self.meta), self.frame()
        fallback = Path(tempfile.gettempdir()) / "qmskit-unsaved"
        last: Exception | None = None
        for folder, suffix in ((self.path.parent, self.path.suffix), (fallback, self.path.suffix), (fallback, ".yaml")):
            copy = None
            try:
                copy = iorw.claim_unsaved_copy(self.path, folder, suffix)
                # a fresh file, never an update of another copy (into_existing would merge into it)
                write_responses(copy, meta, frame, self.checklist, lang=self.lang, backup=False, into_existing=False)
            except Exception as exc:  # try the next place: these edits exist nowhere else
                last = exc
                if copy is not None:
                    iorw.drop_placeholder(copy)
                continue
            self.copy_path = copy
            return copy
        raise last  # type: ignore[misc]

    def preserve(self) -> Path | None:
        """Save what is pending; if the file cannot take it (conflict, error), keep it beside as a copy.

        Never raises: it runs at kernel shutdown. Returns the copy's path when one was written."""
        try:
            if self.flush() or not self.unsaved or self._copied_generation == self._generation:
                return None
        except BaseException as exc:
            self._failed(exc)
        try:
            copy = self.save_copy()
        except BaseException as exc:
            print(t("form.not_saved_nor_copy", self.lang, path=self.path, error=exc), file=sys.stderr)
            return None
        self._copied_generation = self._generation
        from qmskit.i18n.catalog import say
        why = say(self.error, self.lang) if self.status == ERROR else t("form.changed_on_disk", self.lang)
        print(t("form.not_saved_copy", self.lang, path=self.path, why=why, copy=copy), file=sys.stderr)
        return copy

    def close(self) -> None:
        """Save what is pending (never over someone else's edit) and stop the saver thread. Never raises."""
        try:
            self.preserve()
        finally:
            with self._lock:
                self._closed = True
                self._wake.notify()
            _EXIT_FLUSH.discard(self)

    def _set_status(self, status: str) -> None:
        changed = status != self.status
        self.status = status
        if changed and self.on_status is not None:
            try:
                self.on_status(self)
            except Exception:  # a view failing must never stop a save
                pass


# Sessions still open when the kernel shuts down get their pending changes written.
_EXIT_FLUSH: weakref.WeakSet[ResponsesSession] = weakref.WeakSet()


def _register_exit_flush(session: ResponsesSession) -> None:
    if not _EXIT_FLUSH_HOOKED:  # hooked with the first session, not at import (importing changes nothing)
        _EXIT_FLUSH_HOOKED.append(atexit.register(flush_open_sessions))
    _EXIT_FLUSH.add(session)


_EXIT_FLUSH_HOOKED: list = []


def flush_open_sessions() -> None:
    """Runs at interpreter exit (kernel shutdown): write what every open session still holds."""
    for session in list(_EXIT_FLUSH):
        try:
            session.preserve()
        except Exception:
            pass
