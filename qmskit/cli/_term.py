"""The terminal console, made on first use: importing rich costs more than a command's start-up budget,
so commands that print plain lines (and ``--help``/``--version``) never load it."""
from __future__ import annotations

import re
from functools import lru_cache

import click

from qmskit.config import DEFAULT_LANGUAGE, LANGUAGES
from qmskit.errors import QmskitError


@lru_cache(maxsize=1)
def console():
    from rich.console import Console

    return Console()


# C0 controls (but tab), DEL, C1 controls (0x9b is CSI on some terminals), line/paragraph separators and the
# bidirectional overrides that can make a line read differently from what it holds
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEP_NEWLINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return {10: "\\n", 13: "\\r"}.get(code) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def plain(text: object, *, keep_newlines: bool = False) -> str:
    """User text as it may reach a terminal: every control character (ESC, CSI, CR, NUL, …) shown as a
    visible escape such as ``\\x1b`` instead of acting on the terminal; one line unless ``keep_newlines``.
    Rich markup is a separate matter: print user text with ``rich.text.Text``, never as a markup string."""
    return (_UNSAFE_KEEP_NEWLINES if keep_newlines else _UNSAFE).sub(_visible, str(text))


def json_text(text: str) -> str:
    """JSON that ``json.dumps(ensure_ascii=False)`` made, with C1 controls and separators written as
    ``\\u`` escapes: the same JSON value, but nothing a terminal acts on."""
    return _UNSAFE_KEEP_NEWLINES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# The language of error and warning lines: the command's --lang (each --lang option records it with
# keep_lang; click shares ``ctx.meta`` between a command's context and its group's, so the root group's
# error handler sees it), English when the command has none or it was not given.
LANG_KEY = "qmskit.lang"


def keep_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A --lang option's callback: its value also decides the language of the command's error lines. A
    command's --lang that was not given takes the root's (``qmskit --lang zh score …``) when that was."""
    if ctx.parent is not None and param.name and ctx.get_parameter_source(param.name) in (
            click.core.ParameterSource.DEFAULT, click.core.ParameterSource.DEFAULT_MAP, None):
        value = ctx.find_root().params.get("lang") or value
    if value:
        ctx.meta[LANG_KEY] = value
    return value


def lang_in_args(args: list[str]) -> str | None:
    """The language a command line asks for (its last ``--lang X`` / ``--lang=X`` before ``--``), read before
    click parses it: help (an eager option, shown before --lang's callback runs) and a usage error found
    while parsing are then said in that language too. None when it names no supported language."""
    found = None
    words = iter(args)
    for word in words:
        if word == "--":
            break
        if word == "--lang":
            value = next(words, None)
        elif word.startswith("--lang="):
            value = word.partition("=")[2]
        else:
            continue
        if value in LANGUAGES:
            found = value
    return found


def lang_option(help: str = "cli.help.opt.lang"):
    """``--lang`` for a command whose output is only what it prints (``score``, ``validate``, ``merge`` …): it
    decides the language of every line, the error and warning lines too (:func:`keep_lang`)."""
    return click.option("--lang", type=click.Choice(LANGUAGES), callback=keep_lang, default=DEFAULT_LANGUAGE,
                        show_default=True, help=help)


def message_lang(ctx: click.Context | None = None) -> str:
    """The language of the running command's error and warning lines (see :func:`keep_lang`)."""
    ctx = ctx or click.get_current_context(silent=True)
    return (ctx.meta.get(LANG_KEY) if ctx is not None else None) or "en"


def backup_kept(output, existed: bool, lang: str) -> str:
    """What a "wrote FILE" line adds when the write replaced a file: "; previous file kept as FILE.bak"."""
    from qmskit.i18n.catalog import t
    from qmskit.io.iorw import backup_names
    return t("cli.backup_kept", lang, backup=backup_names(output)[0].name) if existed else ""


def error_text(exc: BaseException, lang: str | None = None) -> str:
    """``error: <the error's one line>`` in the command's language, safe for a terminal."""
    from qmskit.i18n.catalog import error_line, t
    lang = lang or message_lang()
    return plain(t("cli.error", lang, line=error_line(exc, lang)))


def warning_text(message: object, lang: str | None = None) -> str:
    """``warning: <the warning's line>`` in the command's language (a ResponsesWarning's file, place and
    words), safe for a terminal."""
    from qmskit.i18n.catalog import say, t
    lang = lang or message_lang()
    return plain(t("cli.warning", lang, line=say(message, lang)))


def report_error(exc: QmskitError) -> None:
    """For commands that go on after one input fails: one line, or the traceback under --debug."""
    if click.get_current_context().find_root().params.get("debug"):
        raise exc
    click.echo(error_text(exc), err=True)


# click's words for arguments left over after parsing (a plain UsageError, no fields of its own)
_EXTRA_ARGUMENTS = re.compile(r"Got unexpected extra arguments? \((.*)\)", re.DOTALL)


# click's words for a value its parameter type refuses (click.types: Choice, IntRange/FloatRange, INT/FLOAT),
# each with the catalog's message that says it, from the same fields
_VALUE_PROBLEMS = (
    ("cli.usage.value_not_a_choice", re.compile(r"(?P<value>.*) is not (?:one of )?(?P<choices>'.*')\.", re.DOTALL)),
    ("cli.usage.value_out_of_range", re.compile(r"(?P<value>.*) is not in the range (?P<range>.*)\.", re.DOTALL)),
    ("cli.usage.value_not_a_number", re.compile(r"(?P<value>.*) is not a valid (?:integer|float)(?: range)?\.", re.DOTALL)),
)


def _value_problem(message: str, lang: str) -> str:
    """A value's problem as a parameter type words it, in ``lang`` when it is one of click's known sentences."""
    from qmskit.i18n.catalog import t
    for key, pattern in _VALUE_PROBLEMS:
        match = pattern.fullmatch(message)
        if match:
            fields = match.groupdict()
            if "choices" in fields:
                fields["choices"] = t("list.sep", lang).join(c.strip() for c in fields["choices"].split(","))
            return t(key, lang, **fields)
    return message


class SaidUsageError(click.UsageError):
    """A usage error (a missing -o, one file where two are needed) in the command's language: click frames
    every usage error with its own English ("Usage:", "Try '… --help' for help.", "Error:"); this one says
    the frame with the catalog's words (the usage line itself, options and arguments, stays as click writes it)."""

    def __init__(self, error: click.UsageError, lang: str):
        super().__init__(self._said(error, lang), error.ctx)
        self.lang = lang

    @staticmethod
    def _said(error: click.UsageError, lang: str) -> str:
        """The error's own line: a missing argument or option in the catalog's words; click's other parsing
        errors (an unknown option, a value not among the choices) as click words them."""
        from qmskit.i18n.catalog import t
        if isinstance(error, click.MissingParameter) and error.param is not None and error.ctx is not None \
                and not error.message:
            key = "cli.usage.missing_argument" if isinstance(error.param, click.Argument) else "cli.usage.missing_option"
            return t(key, lang, name=error.param.get_error_hint(error.ctx))
        if isinstance(error, click.NoSuchOption):
            line = t("cli.usage.no_such_option", lang, name=error.option_name)
            if error.possibilities:
                line += t("cli.usage.did_you_mean", lang, names=t("list.sep", lang).join(sorted(error.possibilities)))
            return line
        if isinstance(error, click.exceptions.NoSuchCommand):
            line = t("cli.usage.no_such_command", lang, name=error.command_name)
            if error.possibilities:
                line += t("cli.usage.did_you_mean", lang, names=t("list.sep", lang).join(sorted(error.possibilities)))
            return line
        if isinstance(error, click.BadOptionUsage) and error.message.endswith(" requires an argument."):
            return t("cli.usage.needs_value", lang, name=error.option_name)
        if isinstance(error, click.BadParameter) and not isinstance(error, click.MissingParameter):
            # the value's own problem stays as the parameter's type words it ("'fr' is not one of 'en', 'zh'.")
            hint = error.param_hint or (error.param.get_error_hint(error.ctx) if error.param is not None else None)
            if hint:
                hint = " / ".join(f"'{h}'" for h in hint) if isinstance(hint, (list, tuple)) else hint
                return t("cli.usage.bad_value", lang, name=hint, message=_value_problem(error.message, lang))
        extra = _EXTRA_ARGUMENTS.fullmatch(error.message)
        if extra:
            return t("cli.usage.extra_arguments", lang, args=extra.group(1))
        if error.message == "Missing command.":
            return t("cli.usage.missing_command", lang)
        return error.format_message()

    def show(self, file=None) -> None:
        from qmskit.i18n.catalog import t

        def say(line: str = "") -> None:
            click.echo(line, file=file, err=file is None)
        ctx = self.ctx
        if ctx is not None:
            usage = ctx.get_usage()  # after its "Usage: " (click's, or the catalog's in the help's language)
            for prefix in dict.fromkeys(t("cli.usage.usage", lang, usage="") for lang in ("en", self.lang)):
                if usage.startswith(prefix):
                    usage = usage[len(prefix):]
                    break
            say(t("cli.usage.usage", self.lang, usage=usage))
            names = ctx.command.get_help_option_names(ctx) if ctx.command.get_help_option(ctx) is not None else []
            if names:
                say(t("cli.usage.try_help", self.lang, command=ctx.command_path, option=max(names, key=len)))
            say()
        say(plain(t("cli.usage.error", self.lang, message=self.format_message())))
