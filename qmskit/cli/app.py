"""The `qmskit` command's root group: a thin layer over the Python API.

User errors (QmskitError) print one line on stderr and exit 1; `--debug` shows the traceback.
Each command group lives in its own module and is imported only when one of its commands runs (or its
own ``--help`` is asked for): ``qmskit --help`` lists every command from :data:`COMMANDS` and imports
none of them, so it costs Python, click and this module. tests/test_import_hygiene.py checks that
:data:`COMMANDS` names every command with the summary its module gives it.
"""
from __future__ import annotations

import importlib
import sys
import warnings
from typing import NamedTuple

import click

from qmskit import __version__
from qmskit.errors import QmskitError


class LazyCommand(NamedTuple):
    module: str   # its ``register(group)`` adds the command (and the others it defines) to the group
    summary: str  # the first paragraph of the command's help: what ``qmskit --help`` shortens


COMMANDS = {
    "actions": LazyCommand("qmskit.cli.lifecycle", "Action plans: write one from an assessment's findings, then "
                                                   "track its progress."),
    "batch": LazyCommand("qmskit.cli.batch", "Score and report many offices: INPUTS are responses files, folders "
                                             "or glob patterns."),
    "checklists": LazyCommand("qmskit.cli.core", "List the bundled checklists."),
    "compare": LazyCommand("qmskit.cli.followup", "Compare two assessments of one office (BEFORE and AFTER "
                                                  "responses files)."),
    "history": LazyCommand("qmskit.cli.lifecycle", "One office over time: scores, readiness, findings "
                                                   "opened/closed/recurring, KPI trends (2+ files)."),
    "merge": LazyCommand("qmskit.cli.lifecycle", "Merge several assessors' parts of one assessment by question id."),
    "migrate": LazyCommand("qmskit.cli.followup", "Carry answers from an ISO 9001:2000/2008-structure assessment "
                                                  "into the 2015 checklist."),
    "report": LazyCommand("qmskit.cli.report", "Write the readiness report of one office (notebook run by "
                                               "papermill, exported to HTML)."),
    "score": LazyCommand("qmskit.cli.core", "Score responses files; a summary table, or JSON with --json."),
    "template": LazyCommand("qmskit.cli.template", "Write an empty responses file for an office (an existing "
                                                   "file is kept as .bak)."),
    "validate": LazyCommand("qmskit.cli.core", "Validate checklist YAML files (or bundled ids); exit 1 on any "
                                               "error."),
    "validate-responses": LazyCommand("qmskit.cli.core", "List every problem in responses files at once (up to 50 "
                                                         "per file), one line each; exit 1 if any."),
}


class QmskitGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lazy = COMMANDS.get(cmd_name)
        if cmd_name not in self.commands and lazy is not None:
            importlib.import_module(lazy.module).register(self)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing (same rows, same shortening), each summary from :data:`COMMANDS` unless the
        command's module is already loaded: listing the commands loads none of them."""
        names = [n for n in self.list_commands(ctx) if not (n in self.commands and self.commands[n].hidden)]
        if not names:
            return
        limit = formatter.width - 6 - max(map(len, names))
        rows = [(n, (self.commands[n] if n in self.commands else click.Command(n, help=COMMANDS[n].summary))
                 .get_short_help_str(limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        from qmskit.cli._term import error_text, message_lang, plain

        debug = ctx.params.get("debug") or "--debug" in sys.argv
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.showwarning = _show_warning
            try:
                return super().invoke(ctx)
            except QmskitError as exc:
                if debug:
                    raise
                click.echo(error_text(exc, message_lang(ctx)), err=True)
                ctx.exit(1)
            except click.UsageError as exc:  # its frame in the command's language (English: click's own)
                from qmskit.cli._term import SaidUsageError
                lang = message_lang(ctx)
                if lang == "en" or isinstance(exc, SaidUsageError):
                    raise
                raise SaidUsageError(exc, lang) from None
            except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
                raise
            except OSError as exc:  # disk full, read-only folder, permission denied: plain words, the file named
                if debug:
                    raise
                from qmskit.i18n.catalog import say, t
                from qmskit.io.limits import os_error_line
                lang = message_lang(ctx)
                click.echo(plain(t("cli.error", lang, line=say(os_error_line(exc), lang))), err=True)
                _quiet_exit()  # e.g. a half-written workbook's ZipFile fails again when collected
                ctx.exit(1)
            except Exception as exc:  # a bug, not bad input: still one line unless --debug
                if debug:
                    raise
                from qmskit.i18n.catalog import t
                lang = message_lang(ctx)
                click.echo(plain(t("cli.error", lang, line=t("cli.internal_error", lang, kind=type(exc).__name__,
                                                              text=exc))), err=True)
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
    from qmskit.cli._term import warning_text
    click.echo(warning_text(message), err=True)


@click.group(cls=QmskitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="qmskit")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
def main(debug: bool) -> None:
    """Assess ISO 9001 certification readiness: checklists, scoring, gap reports."""


