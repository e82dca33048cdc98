"""The `qmskit` command's root group: a thin layer over the Python API.

User errors (QmskitError) print one line on stderr and exit 1; `--debug` shows the traceback.
Each command group lives in its own module and is imported only when one of its commands runs (or its
own ``--help`` is asked for): ``qmskit --help`` lists every command from :data:`COMMANDS` and imports
none of them, so it costs Python, click and this module (each command's line is the first sentence of
its help, the catalog's ``cli.help.<name>``: qmskit.cli._help). tests/test_import_hygiene.py checks that
:data:`COMMANDS` names every command's module.
"""
from __future__ import annotations

import importlib
import sys
import warnings
from typing import NamedTuple

import click

from qmskit import __version__
from qmskit.cli._help import HelpGroup
from qmskit.cli._term import keep_lang
from qmskit.config import LANGUAGES
from qmskit.errors import QmskitError


class LazyCommand(NamedTuple):
    module: str   # its ``register(group)`` adds the command (and the others it defines) to the group


# each command's help is the catalog's ``cli.help.<name>`` (qmskit.cli._help): the listing says its first
# sentence without importing the command's module
COMMANDS = {
    "actions": LazyCommand("qmskit.cli.lifecycle"),
    "batch": LazyCommand("qmskit.cli.batch"),
    "checklists": LazyCommand("qmskit.cli.core"),
    "compare": LazyCommand("qmskit.cli.followup"),
    "history": LazyCommand("qmskit.cli.lifecycle"),
    "merge": LazyCommand("qmskit.cli.lifecycle"),
    "migrate": LazyCommand("qmskit.cli.followup"),
    "report": LazyCommand("qmskit.cli.report"),
    "score": LazyCommand("qmskit.cli.core"),
    "template": LazyCommand("qmskit.cli.template"),
    "validate": LazyCommand("qmskit.cli.core"),
    "validate-responses": LazyCommand("qmskit.cli.core"),
}


class QmskitGroup(HelpGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lazy = COMMANDS.get(cmd_name)
        if cmd_name not in self.commands and lazy is not None:
            importlib.import_module(lazy.module).register(self)
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """click suggests a close name only among the commands already loaded; every command is a candidate."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            if exc.possibilities:
                raise
            raise click.exceptions.NoSuchCommand(exc.command_name, possibilities=self.list_commands(ctx),
                                                 ctx=ctx) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The listing (click's rows and shortening), each line from the command's help key; a command whose
        module is not loaded yet by its name (``cli.help.<name>``): listing the commands loads none of them."""
        self.write_command_rows(ctx, formatter, [
            (n, self.commands[n].help if n in self.commands else f"cli.help.{n}") for n in self.list_commands(ctx)
            if not (n in self.commands and self.commands[n].hidden)])

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The command line's language is known before click parses it (:func:`lang_in_args`): ``--help``
        and a usage error found while parsing (an unknown option, a missing value) are said in it."""
        from qmskit.cli._term import LANG_KEY, SaidUsageError, lang_in_args
        if ctx.parent is None and (lang := lang_in_args(args)):
            ctx.meta[LANG_KEY] = lang
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            lang = ctx.meta.get(LANG_KEY) or "en"
            if lang == "en" or isinstance(exc, SaidUsageError):
                raise
            raise SaidUsageError(exc, lang) from None

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


@click.group(cls=QmskitGroup, context_settings={"help_option_names": ["-h", "--help"]}, help="cli.help.main")
@click.version_option(__version__, "--version", prog_name="qmskit", help="cli.help.main.version")
@click.option("--debug", is_flag=True, help="cli.help.main.debug")
@click.option("--lang", type=click.Choice(LANGUAGES), callback=keep_lang, default=None, help="cli.help.main.lang")
def main(debug: bool, lang: str | None) -> None:
    """The root group: its help is the catalog's ``cli.help.main``."""


