"""Ctrl-C and SIGTERM during long work (a batch): one clean stop, whoever swallows the first signal.

Python turns SIGINT into KeyboardInterrupt wherever the main thread happens to be. When that is inside
a finaliser or a callback, the interpreter only prints "Exception ignored in …" and goes on, so a batch
could finish and exit 0 after Ctrl-C. SIGTERM, by default, kills the process at once and orphans its
worker processes and kernels. :class:`SignalGuard` handles both the same way: the first signal raises
:class:`Interrupted` (a KeyboardInterrupt carrying the exit status, 130 or 143) and is remembered, so
:meth:`SignalGuard.check` raises again at the next checkpoint if the first was swallowed; later signals
are only recorded (cleanup is not interrupted halfway); :meth:`SignalGuard.deferred` holds a signal back
until a short critical step (moving finished results into place) is complete.

A signal can also come when no guard raises any more: after the batch, while the summary is printed or
while the interpreter shuts down (it then runs no Python handler at all, and the process exited 0 after
Ctrl-C). The ``qmskit batch`` console script therefore runs the whole command under a *holding* guard
(``SignalGuard(hold=True)``: signals are only recorded) and leaves through ``os._exit`` with 130/143 when
one came (:func:`run_and_exit`); a guard entered while an outer holding guard has already recorded a
signal raises it at once, so a Ctrl-C during start-up still stops the batch before any work.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """Raised for SIGINT (exit status 130) or SIGTERM (143)."""

    def __init__(self, signum: int):
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(signal.Signals(signum).name)


class SignalGuard:
    """Install with ``with SignalGuard() as guard:`` (main thread only; elsewhere it does nothing).
    ``hold=True``: signals are only recorded (``signum``), never raised."""

    def __init__(self, hold: bool = False) -> None:
        self.signum: int | None = None
        self._raised = False
        self._defer = 1 if hold else 0
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
    def deferred(self) -> Iterator[None]:
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
            outer = [getattr(h, "__self__", None) for h in self._previous.values()]
            held = next((g.signum for g in outer if isinstance(g, SignalGuard) and g.signum is not None), None)
            if held is not None:  # came before this guard was installed: stop now, not after the work
                self.__exit__(None, None, None)
                raise Interrupted(held)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous if previous is not None else signal.SIG_DFL)
        self._previous.clear()


def exit_line(code: int) -> str:
    """The one line a stopped command prints (the CLI prints the same in qmskit.cli.QmskitGroup)."""
    return "interrupted" if code == 130 else "terminated (SIGTERM)"


def run_and_exit(main: Callable[[], object]) -> None:
    """Run a console-script ``main`` (which ends by raising SystemExit) under a holding guard, then leave
    through ``os._exit`` once the atexit handlers have run: a signal that came after the command's own guards (printing the
    summary, unwinding) gives 130/143 and its line instead of being lost in the interpreter's shutdown.
    Only for a process that ends here (never inside tests' CliRunner)."""
    guard = SignalGuard(hold=True).__enter__()
    code: int = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            sys.stderr.write(f"{exc.code}\n")
    except KeyboardInterrupt as exc:  # outside the command (e.g. while the command line is parsed)
        code = getattr(exc, "exit_code", 130)
        sys.stderr.write(exit_line(code) + "\n")
    # what the interpreter's shutdown would do (multiprocessing unlinks its semaphores, so its resource
    # tracker does not warn about leaks), run here while signals are still held
    import atexit
    atexit._run_exitfuncs()
    if guard.signum is not None and code not in (130, 143):
        code = 128 + guard.signum
        sys.stderr.write(exit_line(code) + "\n")
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
