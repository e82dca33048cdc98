"""The `qmskit` command: a thin layer over the Python API.

User errors (QmskitError) print one line on stderr and exit 1; `--debug` shows the traceback.
Each command group lives in its own module and is registered below.
"""
from __future__ import annotations

import sys
import warnings

import click

from .. import __version__
from ..errors import QmskitError
from ._term import plain


class QmskitGroup(click.Group):
    def invoke(self, ctx: click.Context):
        debug = ctx.params.get("debug") or "--debug" in sys.argv
        interrupted = _StickyInterrupt()
        with warnings.catch_warnings(), interrupted:
            warnings.simplefilter("ignore", FutureWarning)
            warnings.showwarning = _show_warning
            try:
                result = super().invoke(ctx)
            except QmskitError as exc:
                if debug:
                    raise
                click.echo(f"error: {plain(exc)}", err=True)
                ctx.exit(1)
            except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit) as exc:
                if interrupted.seen and _exit_code(exc) == 0:  # Ctrl-C was swallowed on its way up
                    click.echo("interrupted", err=True)
                    ctx.exit(130)
                raise
            except Exception as exc:  # a bug, not bad input: still one line unless --debug
                if debug:
                    raise
                click.echo(f"error: internal error ({type(exc).__name__}: {plain(exc)}); "
                           "run with --debug for the traceback", err=True)
                ctx.exit(1)
            except KeyboardInterrupt:
                click.echo("interrupted", err=True)
                ctx.exit(130)
            if interrupted.seen:
                click.echo("interrupted", err=True)
                ctx.exit(130)
            return result


class _StickyInterrupt:
    """Ctrl-C raises KeyboardInterrupt as usual, and is also remembered: an interrupt that some library
    swallows (one that lands in a finalizer or a callback is only printed as "Exception ignored") still
    ends the command with 130, never with success."""

    def __init__(self) -> None:
        self.seen = False
        self._previous = None

    def _handler(self, signum, frame):
        self.seen = True
        raise KeyboardInterrupt

    def __enter__(self):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            import signal
            signal.signal(signal.SIGINT, self._previous)


def _exit_code(exc: BaseException) -> int:
    code = getattr(exc, "exit_code", getattr(exc, "code", 1))
    return 0 if code is None else code if isinstance(code, int) else 1


def _show_warning(message, category, filename, lineno, file=None, line=None):
    click.echo(f"warning: {plain(message)}", err=True)


@click.group(cls=QmskitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="qmskit")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
def main(debug: bool) -> None:
    """Assess ISO 9001 certification readiness: checklists, scoring, gap reports."""


from . import core  # noqa: E402  (registers its commands on `main`)

core.register(main)

from . import batch  # noqa: E402

batch.register(main)

from . import followup  # noqa: E402  (compare, migrate)

followup.register(main)

from . import report  # noqa: E402  (report)

report.register(main)

from . import lifecycle  # noqa: E402  (actions, merge, history)

lifecycle.register(main)
