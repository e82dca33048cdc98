"""The commands' help in the language of the command line, from the message catalog.

Every help text of the CLI is a catalog key (``help="cli.help.report.out_dir"``, a command's
``help="cli.help.report"``), said at format time in the language the command line asks for
(:func:`qmskit.cli._term.lang_in_args`, read before click parses, since ``--help`` is shown before
``--lang``'s callback runs). click's own words of the help page ("Usage:", "Options:", "Commands:",
"Show this message and exit.", "[default: …]") come from the catalog too, through the hooks click gives:
the commands' classes (:class:`HelpCommand`, :class:`HelpGroup`: the help text, the option rows, the
command listing) and the context's formatter (:class:`HelpContext`: the usage prefix and the headings).
English reads exactly as click writes it; Chinese is wrapped by display width (a Chinese character takes
two columns, and a line of them has no spaces to break at).
"""
from __future__ import annotations

import inspect
import unicodedata
from typing import Any

import click

from qmskit.cli._term import message_lang
from qmskit.i18n.catalog import t

HELP_PREFIX = "cli.help."


def said(text: str | None, lang: str) -> str:
    """A help text in ``lang``: a catalog key said from the catalog; any other text (an option whose help is
    not in the catalog yet) as it is."""
    if not text:
        return ""
    return t(text, lang) if text.startswith(HELP_PREFIX) else text


def cells(text: str) -> int:
    """The columns ``text`` takes on a terminal: two for a wide (Chinese) character, one for the others."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# no line starts with these (a comma, a closing bracket or quote), none ends with the opening ones: they stay
# with the character they belong to
_NO_LINE_START = set("，。；：、！？）》」』”’,.;:!?)]")
_NO_LINE_END = set("（《「『“‘([")


def wrap_cells(text: str, width: int, indent: str = "", first_indent: str | None = None) -> list[str]:
    """``text`` in lines of at most ``width`` columns (by :func:`cells`): a break at a space, or between two
    Chinese characters (never before closing punctuation); a word longer than the line stays whole."""
    tokens: list[str] = []  # words, single wide characters and the spaces between
    in_note = False  # inside click's "[default: …]" note, which stays whole
    for ch in text:
        if in_note or (ch == "[" and tokens and tokens[-1] == " "):
            if not in_note:
                tokens.append("")
            tokens[-1] += ch
            in_note = ch != "]"
        elif ch.isspace():
            if tokens and tokens[-1] != " ":
                tokens.append(" ")
        elif tokens and tokens[-1] != " " and (ch in _NO_LINE_START or tokens[-1][-1] in _NO_LINE_END):
            tokens[-1] += ch  # stays on the line of what it closes, or of what opens it
        elif cells(ch) == 2 or not tokens or tokens[-1] == " " or cells(tokens[-1][-1]) == 2:
            tokens.append(ch)
        else:
            tokens[-1] += ch  # a latin word (an option's name, a file suffix) never breaks
    lines: list[str] = []
    line = first_indent if first_indent is not None else indent
    start = len(line)
    for token in tokens:
        if token == " ":
            if len(line) > start:
                line += " "
            continue
        if len(line) > start and cells(line) + cells(token) > width:
            lines.append(line.rstrip())
            line = start_line = indent
            start = len(start_line)
        line += token
    if len(line.rstrip()) > start or not lines:
        lines.append(line.rstrip())
    return lines


class CatalogHelpFormatter(click.HelpFormatter):
    """click's formatter with the help page's own words in ``lang``; Chinese wrapped by display width."""

    def __init__(self, lang: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lang = lang

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, t("cli.usage.usage", self.lang, usage="") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{t('cli.help.heading', self.lang, name=heading)}\n")

    def write_text(self, text: str) -> None:
        if self.lang == "en":
            return super().write_text(text)
        indent = " " * self.current_indent
        for i, paragraph in enumerate(p for p in text.split("\n\n") if p.strip()):
            if i:
                self.write("\n")
            self.write("\n".join(wrap_cells(paragraph, self.width, indent)) + "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        if self.lang == "en":
            return super().write_dl(rows, col_max, col_spacing)
        rows = list(rows)
        first_col = min(max((cells(first) for first, _ in rows), default=0), col_max) + col_spacing
        text_width = max(self.width - first_col - 2, 10)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if cells(first) <= first_col - col_spacing:
                self.write(" " * (first_col - cells(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = [line for paragraph in second.split("\n\n") for line in wrap_cells(paragraph, text_width)]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


class HelpContext(click.Context):
    """A context whose help pages and usage lines are written in the command line's language."""

    def make_formatter(self) -> click.HelpFormatter:
        return CatalogHelpFormatter(message_lang(self), width=self.terminal_width, max_width=self.max_content_width)


def short_help(text: str, lang: str, limit: int) -> str:
    """The listing's line of a command: what click makes of its help in English (the first sentence,
    shortened to ``limit`` at a word); in Chinese its first sentence, cut to ``limit`` columns with "…"."""
    if lang == "en":
        return click.Command(None, help=text).get_short_help_str(limit)
    first = text.split("\n\n")[0].replace("\n", "")
    for stop in "。；":
        if stop in first:
            first = first.split(stop)[0]
            break
    if cells(first) <= limit:
        return first
    # the longest part that ends before a clause's punctuation ("为多个单位评分并生成报告…"), else a cut
    ends = [i for i, ch in enumerate(first) if ch in _CLAUSE_END and cells(first[:i]) <= limit - 1
            and first[:i].count("（") == first[:i].count("）")]  # never inside a bracket
    if ends and cells(first[:ends[-1]]) * 3 >= limit:
        return first[:ends[-1]] + "…"
    cut = ""
    for ch in first:
        if cells(cut + ch) > limit - 1:
            break
        cut += ch
    return cut + "…"


_CLAUSE_END = set("（：，；、")


def option_row(param: click.Parameter, ctx: click.Context, lang: str) -> tuple[str, str] | None:
    """An option's row in the help page: click's left column (its spellings and metavar), its help from the
    catalog and click's notes (env var, default, range, required) in the catalog's words."""
    record = param.get_help_record(ctx)
    if record is None:
        return None
    is_help = param is ctx.command.get_help_option(ctx)
    text = t("cli.help.opt.help", lang) if is_help else said(param.help, lang)
    extra: dict[str, Any] = dict(param.get_help_extra(ctx)) if isinstance(param, click.Option) else {}
    notes = []
    if "envvars" in extra:
        notes.append(t("cli.help.note.envvar", lang, var=", ".join(extra["envvars"])))
    if "default" in extra:
        notes.append(t("cli.help.note.default", lang, default=extra["default"]))
    if "range" in extra:
        notes.append(str(extra["range"]))
    if "required" in extra:
        notes.append(t("cli.help.note.required", lang))
    if notes:
        joined = t("cli.help.note.sep", lang).join(notes)
        text = f"{text}  [{joined}]" if text else f"[{joined}]"
    return record[0], text


class CatalogHelp:
    """What a command's help page says, from the catalog in the command line's language (a mixin for a
    click.Command or click.Group subclass)."""

    context_class: type[click.Context] = HelpContext
    help: str | None

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = inspect.cleandoc(said(self.help, message_lang(ctx))).partition("\f")[0]
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def get_short_help_str(self, limit: int = 45) -> str:
        return short_help(said(self.help, message_lang()), message_lang(), limit)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = message_lang(ctx)
        command: Any = self
        rows = [row for param in command.get_params(ctx) if not isinstance(param, click.Argument)
                and (row := option_row(param, ctx, lang)) is not None]
        if rows:
            with formatter.section(t("cli.help.options", lang)):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class HelpCommand(CatalogHelp, click.Command):
    """A command whose help is said from the catalog (``help=`` is a ``cli.help.*`` key)."""


class HelpGroup(CatalogHelp, click.Group):
    """A group of commands whose help, and the listing of its commands, is said from the catalog."""

    command_class = HelpCommand

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.write_command_rows(ctx, formatter, [(name, cmd.help) for name in self.list_commands(ctx)
                                                 if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden])

    @staticmethod
    def write_command_rows(ctx: click.Context, formatter: click.HelpFormatter,
                           commands: list[tuple[str, str | None]]) -> None:
        """The "Commands:" section: each command's name and the first sentence of its help."""
        if not commands:
            return
        lang = message_lang(ctx)
        limit = formatter.width - 6 - max(len(name) for name, _ in commands)
        rows = [(name, short_help(said(text, lang), lang, limit)) for name, text in commands]
        with formatter.section(t("cli.help.commands", lang)):
            formatter.write_dl(rows)
