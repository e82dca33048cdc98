"""The `qmskit` command: a thin layer over the Python API.

User errors (QmskitError) print one line on stderr and exit 1; `--debug` shows the traceback.
Each command group lives in its own module and is registered below.
"""
from __future__ import annotations

import sys
import warnings

import click

from qmskit import __version__
from qmskit.cli._term import plain
from qmskit.errors import QmskitError


class QmskitGroup(click.Group):
    def invoke(self, ctx: click.Context):
        debug = ctx.params.get("debug") or "--debug" in sys.argv
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.showwarning = _show_warning
            try:
                return super().invoke(ctx)
            except QmskitError as exc:
                if debug:
                    raise
                click.echo(f"error: {plain(exc)}", err=True)
                ctx.exit(1)
            except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
                raise
            except OSError as exc:  # disk full, read-only folder, permission denied: plain words, the file named
                if debug:
                    raise
                from qmskit.io.limits import os_error_line
                click.echo(f"error: {plain(os_error_line(exc))}", err=True)
                _quiet_exit()  # e.g. a half-written workbook's ZipFile fails again when collected
                ctx.exit(1)
            except Exception as exc:  # a bug, not bad input: still one line unless --debug
                if debug:
                    raise
                click.echo(f"error: internal error ({type(exc).__name__}: {plain(exc)}); "
                           "run with --debug for the traceback", err=True)
                ctx.exit(1)
            except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM during a batch (qmskit.batch.interrupts)
                import signal
                for sig in (signal.SIGINT, signal.SIGTERM):  # a second signal must not traceback the exit
                    signal.signal(sig, signal.SIG_IGN)
                _quiet_exit()
                from qmskit.batch.interrupts import exit_line
                code = getattr(exc, "exit_code", 130)
                click.echo(exit_line(code), err=True)
                ctx.exit(code)


def _quiet_exit() -> None:
    """After the one line has been printed and the process is about to exit: objects the failed operation
    left behind (an open ZipFile on a full disk, a thread's pipe after Ctrl-C) may fail again in their
    finalisers; Python would print "Exception ignored in …" with a traceback. Nothing is left to report."""
    sys.unraisablehook = lambda unraisable: None


def _show_warning(message, category, filename, lineno, file=None, line=None):
    click.echo(f"warning: {plain(message)}", err=True)


@click.group(cls=QmskitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="qmskit")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
def main(debug: bool) -> None:
    """Assess ISO 9001 certification readiness: checklists, scoring, gap reports."""


from qmskit.cli import core  # noqa: E402  (registers its commands on `main`)

core.register(main)

from qmskit.cli import template  # noqa: E402  (template)

template.register(main)

from qmskit.cli import batch  # noqa: E402

batch.register(main)

from qmskit.cli import followup  # noqa: E402  (compare, migrate)

followup.register(main)

from qmskit.cli import report  # noqa: E402  (report)

report.register(main)

from qmskit.cli import lifecycle  # noqa: E402  (actions, merge, history)

lifecycle.register(main)
