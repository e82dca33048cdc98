"""Keeping a Rust panic's own words off the terminal while python-calamine reads a file in this process.

A panic inside calamine (a duration cell of -1e12 seconds made chrono panic, found by a hostile-file
session) reaches Python as pyo3's PanicException, which the reader turns into its one line; but Rust's
panic hook has already written the panic's message and a backtrace hint to file descriptor 2 itself,
out of Python's reach. So while calamine runs, descriptor 2 points at a scratch file: after a panic what
it holds is dropped, otherwise it is written out as it came (a warning another thread printed meanwhile).
Nested and concurrent uses share one redirection (counted under a lock).
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator


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
        if said and not self._panicked:
            os.write(2, said)
        self._panicked = False


_REDIRECTION = _Redirection()


def quiet_rust_panics() -> contextlib.AbstractContextManager[None]:
    """A context in which a Rust panic's own output to descriptor 2 is dropped (see the module)."""
    return _REDIRECTION.quiet()
