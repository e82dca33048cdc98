"""Keeping a Rust panic's own words off the terminal while python-calamine reads a file in this process.

A panic inside calamine (a duration cell of -1e12 seconds made chrono panic, found by a hostile-file
session) reaches Python as pyo3's PanicException, which the reader turns into its one line; but Rust's
panic hook has already written the panic's message and a backtrace hint to file descriptor 2 itself,
out of Python's reach. So while calamine runs, descriptor 2 points at a scratch file, then what it holds
is written out as it came (a warning another thread printed meanwhile) but, after a panic, only what came
before the panic's own report ("thread '…' panicked at", its message and any backtrace).
Nested and concurrent uses share one redirection (counted under a lock).
"""
from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator

# the first panic's report opens the drop (Rust 1.8x: "\nthread '<unnamed>' (25100) panicked at …", the thread's
# id after its name); its end has no mark (a "note:" line only on the first panic of a process, none with
# RUST_BACKTRACE=0), so all from there on is dropped
_PANIC_REPORT = re.compile(rb"\n?thread '[^'\n]*'[^\n]*? panicked at ")


class _Redirection:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved = -1
        self._scratch = -1   # a descriptor of an unlinked temporary file, kept for the process (a raw one:
                             # a file object left open for the process is a ResourceWarning at exit)
        self._panicked = False

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                sys.stderr.flush()
                if self._scratch < 0:
                    self._scratch, name = tempfile.mkstemp(prefix="qmskit-stderr-")
                    os.unlink(name)
                self._saved = os.dup(2)
                os.dup2(self._scratch, 2)
            self._depth += 1
        try:
            yield
        except BaseException as exc:
            if type(exc).__name__ == "PanicException":
                self._panicked = True
            raise
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0:
                    self._restore()

    def _restore(self) -> None:
        os.dup2(self._saved, 2)
        os.close(self._saved)
        size = os.lseek(self._scratch, 0, os.SEEK_END)
        said = os.pread(self._scratch, size, 0) if size else b""
        os.ftruncate(self._scratch, 0)
        os.lseek(self._scratch, 0, os.SEEK_SET)
        if said and self._panicked:
            report = _PANIC_REPORT.search(said)
            said = said[:report.start()] if report else b""
        if said:
            os.write(2, said)
        self._panicked = False


_REDIRECTION = _Redirection()


def quiet_rust_panics() -> contextlib.AbstractContextManager[None]:
    """A context in which a Rust panic's own output to descriptor 2 is dropped (see the module)."""
    return _REDIRECTION.quiet()
