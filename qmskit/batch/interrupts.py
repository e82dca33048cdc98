"""Ctrl-C and SIGTERM during long work (a batch): one clean stop, whoever swallows the first signal.

Python turns SIGINT into KeyboardInterrupt wherever the main thread happens to be. When that is inside
a finaliser or a callback, the interpreter only prints "Exception ignored in …" and goes on, so a batch
could finish and exit 0 after Ctrl-C. SIGTERM, by default, kills the process at once and orphans its
worker processes and kernels. :class:`SignalGuard` handles both the same way: the first signal raises
:class:`Interrupted` (a KeyboardInterrupt carrying the exit status, 130 or 143) and is remembered, so
:meth:`SignalGuard.check` raises again at the next checkpoint if the first was swallowed; later signals
are only recorded (cleanup is not interrupted halfway); :meth:`SignalGuard.deferred` holds a signal back
until a short critical step (moving finished results into place) is complete.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """Raised for SIGINT (exit status 130) or SIGTERM (143)."""

    def __init__(self, signum: int):
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(signal.Signals(signum).name)


class SignalGuard:
    """Install with ``with SignalGuard() as guard:`` (main thread only; elsewhere it does nothing)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._raised = False
        self._defer = 0
        self._previous: dict = {}

    def _handler(self, signum, frame) -> None:
        if self.signum is None:
            self.signum = signum
        if self._defer or self._raised:
            return  # remembered; raised (once) at the next check
        self._raised = True
        raise Interrupted(self.signum)

    def check(self) -> None:
        """Raise Interrupted if a signal came and its first raise was swallowed or deferred."""
        if self.signum is not None and not self._defer:
            self._raised = True
            raise Interrupted(self.signum)

    @contextmanager
    def deferred(self):
        """No Interrupted inside this block; a signal that came meanwhile is raised at its end."""
        self._defer += 1
        try:
            yield
        finally:
            self._defer -= 1
        self.check()

    def __enter__(self) -> SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                try:
                    self._previous[sig] = signal.signal(sig, self._handler)
                except (ValueError, OSError):  # not the main interpreter, or not allowed here
                    pass
        return self

    def __exit__(self, *exc) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous if previous is not None else signal.SIG_DFL)
        self._previous.clear()
