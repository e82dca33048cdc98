"""Every exception and warning qmskit raises, in one tree: user-facing errors are one line each, naming the
file, the place in it and what is allowed.

The CLI prints the error's line in the command's language and exits 1 (``exit_code`` where a class sets
another); ``--debug`` shows the traceback instead. The modules that raise them import them from here (and
re-export them, so ``from qmskit.core.compare import ComparisonError`` keeps working).

Translatable lines (the pattern of pandera's ``SchemaError.reason_code``): an error's ``detail`` and
``where`` may be a :class:`Message` -- English text that also carries its message-catalog key and fields --
so ``str(error)`` is the English line everywhere, and an edge that knows the user's language says it in that
language with :func:`qmskit.i18n.catalog.error_line`. :func:`qmskit.i18n.catalog.msg` makes the Messages
(qmskit.io uses it); the core and the checklist loader, which may not import qmskit.i18n, name their
problems with :func:`msg` here: a catalog key and fields (data, like a readiness ReasonCode), whose English
text the catalog gives when the error is made (tests/test_layering.py allows this module that one lazy
look-up and nothing else of i18n).
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import Enum


class Message(str):
    """A sentence for the user as data: its English text (what ``str()`` gives, so it reads, compares and
    joins as the text it always was) plus the catalog ``key`` and the ``fields`` it was made from; a field
    may itself be a Message (a kind of file, a place in a file), said in the same language."""

    key: str
    fields: dict[str, object]

    def __new__(cls, english: str, key: str, fields: Mapping[str, object] | None = None) -> Message:
        self = super().__new__(cls, english)
        self.key = key
        self.fields = dict(fields or {})
        return self

    def __reduce__(self):  # pickled (batch workers, Dask) with its key and fields, not as the plain str
        return (Message, (str(self), self.key, self.fields))


def msg(key: str, /, **fields: object) -> Message:
    """The catalog message ``key`` with ``fields`` as a :class:`Message`, for the layers below qmskit.i18n
    (the core, the checklist loader): they name what is wrong by key and fields, words stay in the catalog.
    The English text (``str()``) is looked up in the catalog here, when the error is made."""
    from qmskit.i18n.catalog import msg as catalog_msg
    return catalog_msg(key, **fields)


ECHO_LIMIT = 80  # characters of a user's value an error or warning line repeats; the rest is "…"


# the catalog fields that repeat what the user typed (an answer, a value, an id, a key, a name): an error or
# warning line holds each one clipped; every other field (lists, limits, allowed values, nested lines) whole
ECHOED_FIELDS = frozenset({"answer", "value", "text", "id", "key", "kpi", "name", "office", "given", "label"})


def clipped(value: object, limit: int = ECHO_LIMIT) -> str:
    """A value the user typed, as a line repeats it: its first ``limit`` characters, then "…" (an invalid
    answer of a megabyte must not become a megabyte-long error line)."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _echoes_clipped(text: str | None) -> str | None:
    """``text`` (a :class:`Message`, its nested Messages too) with each of its ECHOED_FIELDS clipped: the
    one place every error and warning line passes through (QmskitError, ResponsesWarning)."""
    if not isinstance(text, Message):
        return text
    fields = {k: _echoes_clipped(v) if isinstance(v, Message)
              else clipped(v) if k in ECHOED_FIELDS and isinstance(v, str) and len(v) > ECHO_LIMIT else v
              for k, v in text.fields.items()}
    if all(fields[k] is v for k, v in text.fields.items()):
        return text
    return msg(text.key, **fields)


class RowPlace(Enum):
    """What a row number of a responses file counts, and so the one wording of a problem's place: a row of a
    workbook's sheet (what a spreadsheet shows), a row of its KPIs sheet, or a line of a text file (CSV,
    YAML: what an editor shows). The answers and the KPIs of one file are placed with the same kind."""
    ROW = ("place.row", "row")
    KPIS_ROW = ("place.kpis_row", "row")
    LINE = ("place.line", "line")

    def at(self, number: object) -> Message:
        key, field = self.value
        return msg(key, **{field: number})


def joined(parts: list[str]) -> str:
    """Several problems as one line, each said in the line's language ("a; b", "a；b"): a Message when any
    part is one, so the edge can still translate every part."""
    if not any(isinstance(p, Message) for p in parts):
        return "; ".join(parts)
    line = parts[0]
    for part in parts[1:]:
        line = msg("errors.and", first=line, second=part)
    return line


def _place(error: QmskitError | ResponsesWarning, message: str, path: object, where: str | None) -> str:
    """Sets ``error``'s ``path``, ``where`` and ``detail`` (echoes of user text clipped) and returns its line:
    an error and a warning name the file and the place the same way."""
    message, where = _echoes_clipped(message) or message, _echoes_clipped(where)
    error.path = None if path is None else str(path)
    error.where = where
    error.detail = message
    return _located(message, error.path, where)


def _located(detail: str, path: str | None, where: str | None) -> str:
    """``path:where: detail`` (the English line; qmskit.i18n.catalog.error_line says it in a language)."""
    if path:
        return path + (f":{where}" if where else "") + ": " + detail
    return (where + ": " + detail) if where else detail


class QmskitError(Exception):
    """An error caused by user input (a file, an option), not by a bug.

    ``detail`` (what is wrong) and ``where`` (a row, a line, a sheet) may be :class:`Message` objects."""

    path: str | None
    where: str | None
    detail: str

    def __init__(self, message: str, *, path: object = None, where: str | None = None):
        super().__init__(_place(self, message, path, where))

    @property
    def code(self) -> str | None:
        """The catalog key of what is wrong (``io.not_responses`` …), None for an untranslated message."""
        return self.detail.key if isinstance(self.detail, Message) else None


class ChecklistError(QmskitError):
    """A checklist file is malformed or inconsistent."""


class ResponsesError(QmskitError):
    """A responses file is malformed or does not fit its checklist."""


class AmbiguousWorkbook(ResponsesError):
    """A workbook readers would take differently (two sheets of one name, a header qmskit reads given
    twice): refused alike for reading and for saving into, never replaced by a fresh workbook (only the
    office knows which of the two it meant)."""


class ResponsesProblems(ResponsesError):
    """Several problems in one responses file: the message is the first (and how many more there are);
    ``problems`` holds every one (up to a limit) for ``qmskit validate-responses``."""

    def __init__(self, problems: list[ResponsesError], *, more: int = 0):
        self.problems = list(problems)
        self.more = more
        first = problems[0]
        extra = self.extra = len(problems) - 1 + more  # the catalog's errors.more_problems says it in zh
        suffix = (f" (and {extra} more problem{'s' if extra != 1 else ''}: "
                  "`qmskit validate-responses FILE` lists them all)") if extra else ""
        super().__init__(first.detail + suffix, path=first.path, where=first.where)

    @property
    def code(self) -> str | None:
        """The first problem's catalog key (the line says it, then counts the rest)."""
        return self.problems[0].code


class NotebookError(QmskitError):
    """A report notebook failed while executing."""


class BrandError(QmskitError):
    """A consultancy brand file (brand.yaml) is malformed or has a value out of bounds."""


class PdfError(QmskitError):
    """A PDF could not be printed (no Chromium, no Playwright, or the browser failed)."""


class ResponsesWarning(UserWarning):
    """Something worth telling the consultant that does not stop scoring (e.g. version mismatch).

    Like a QmskitError it names the file (``path``) and the place (``where``); ``detail`` may be a
    :class:`Message`. ``warnings.warn(ResponsesWarning(msg(...), path=path))`` keeps them together."""

    path: str | None
    where: str | None
    detail: str

    def __init__(self, message: str, *, path: object = None, where: str | None = None):
        super().__init__(_place(self, message, path, where))


class KeptAsCopyWarning(ResponsesWarning):
    """The file was left as it was and what qmskit would have saved into it went to ``copy`` (a workbook
    holding parts openpyxl cannot keep: qmskit.io.xlsx_parts)."""

    def __init__(self, message: str, *, path: object, copy: object):
        super().__init__(message, path=path)
        self.copy = copy


class FileBusyError(QmskitError):
    """Another process holds the file's lock for longer than :data:`LOCK_TIMEOUT`."""


class WriteTargetError(QmskitError):
    """The file to write exists and is not a regular file (a folder, a named pipe, a device)."""


class OpenElsewhereError(FileBusyError):
    """The file is open in Excel, WPS or LibreOffice (their lock file ``lock`` is beside it): not replaced,
    or that program's next save would overwrite what qmskit wrote (qmskit.io.office_locks)."""

    def __init__(self, message: str, *, path: object = None, lock: object = None):
        super().__init__(message, path=path)
        self.lock = lock


class MergeError(QmskitError):
    """Parts that cannot be merged (conflicts, different offices or checklists), or a bad assignment."""


class ActionsError(QmskitError):
    """An action-plan workbook is malformed."""


class KernelTimeout(Exception):
    """The office ran longer than its time limit; its kernel was killed."""


class UsageError(QmskitError):
    """A name or option the caller gave that does not exist (e.g. an unknown batch executor); the message
    lists the known ones."""


class BatchBusy(QmskitError):
    """Another batch is writing into the same output folder."""

    exit_code = 2


class ComparisonError(QmskitError):
    """Two assessments that should not be compared (different offices or checklists)."""


class MigrationError(QmskitError):
    """A migration that cannot be done as asked (wrong checklists, unmapped clauses)."""
