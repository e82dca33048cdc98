"""Every exception and warning qmskit raises, in one tree: user-facing errors are one line each, naming the
file, the place in it and what is allowed.

The CLI prints ``str(error)`` and exits 1 (``exit_code`` where a class sets another); ``--debug`` shows
the traceback instead. The modules that raise them import them from here (and re-export them, so
``from qmskit.core.compare import ComparisonError`` keeps working).
"""
from __future__ import annotations


class QmskitError(Exception):
    """An error caused by user input (a file, an option), not by a bug."""

    def __init__(self, message: str, *, path: object = None, where: str | None = None):
        self.path = None if path is None else str(path)
        self.where = where
        self.detail = message
        prefix = ""
        if self.path:
            prefix = self.path + (f":{where}" if where else "") + ": "
        elif where:
            prefix = where + ": "
        super().__init__(prefix + message)


class ChecklistError(QmskitError):
    """A checklist file is malformed or inconsistent."""


class ResponsesError(QmskitError):
    """A responses file is malformed or does not fit its checklist."""


class ResponsesProblems(ResponsesError):
    """Several problems in one responses file: the message is the first (and how many more there are);
    ``problems`` holds every one (up to a limit) for ``qmskit validate-responses``."""

    def __init__(self, problems: list[ResponsesError], *, more: int = 0):
        self.problems = list(problems)
        self.more = more
        first = problems[0]
        extra = len(problems) - 1 + more
        suffix = (f" (and {extra} more problem{'s' if extra != 1 else ''}: "
                  "`qmskit validate-responses FILE` lists them all)") if extra else ""
        super().__init__(first.detail + suffix, path=first.path, where=first.where)


class NotebookError(QmskitError):
    """A report notebook failed while executing."""


class BrandError(QmskitError):
    """A consultancy brand file (brand.yaml) is malformed or has a value out of bounds."""


class PdfError(QmskitError):
    """A PDF could not be printed (no Chromium, no Playwright, or the browser failed)."""


class ResponsesWarning(UserWarning):
    """Something worth telling the consultant that does not stop scoring (e.g. version mismatch)."""


class FileBusyError(QmskitError):
    """Another process holds the file's lock for longer than :data:`LOCK_TIMEOUT`."""


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
