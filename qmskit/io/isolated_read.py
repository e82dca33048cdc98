"""Reading a workbook the pre-scan could not vouch for in a child process with a memory limit.

The pre-scan (:mod:`qmskit.io.xlsx_read`) vouches for a sheet written the way spreadsheet programs write
it with a fast check whose rules are narrow and simple. Any other sheet, and every .ods, it walks tag by
tag, emulating how calamine reads it, to find how far the cells reach before calamine builds them as one
rectangle. Each hostile-file review found a new way in which such an emulation and calamine disagreed,
and each time a file of a few KB made calamine ask for hundreds of GB and abort the process. So what the
walk passed is read here, by calamine in a process of its own (:mod:`qmskit.io.calamine_child`) limited
to :data:`~qmskit.io.limits.MAX_READER_MEMORY` of memory and :data:`~qmskit.io.limits.MAX_READER_SECONDS`,
answering with every sheet at once (one child a workbook, ~40 ms) within the sheet and answer limits: the
bound holds by construction, for this process too, and a disagreement left costs one line, not the process.

Where no child can be started (no ``resource`` module, as on Windows; a frozen application; a hard
address-space limit below the child's), :func:`read_isolated` returns None and the caller reads in its own
process, bounded by the walk alone, as before the child existed.
"""
from __future__ import annotations

import datetime as dt
import json
import signal
import struct
import subprocess
import sys
from pathlib import Path

from qmskit.errors import ResponsesError
from qmskit.i18n.catalog import msg
from qmskit.i18n.numbers import fmt_size
from qmskit.io.calamine_child import CANNOT_START
from qmskit.io.limits import (
    MAX_COLUMNS,
    MAX_READER_ANSWER,
    MAX_READER_MEMORY,
    MAX_READER_SECONDS,
    MAX_ROWS,
    MAX_WORKBOOK_CELLS,
    reach_problem,
)

_CHILD = Path(__file__).with_name("calamine_child.py")
# how a child ends when it ran out of memory: Rust's abort on a failed allocation, the kernel's OOM killer
_OUT_OF_MEMORY = frozenset((-signal.SIGABRT, -signal.SIGKILL))
_cannot_start: list[str] = []   # why no child can start in this process, once found (not tried again)


class ReaderFailed(Exception):
    """The child's own words (the end of its stderr), the cause of the one line: shown by ``--debug``."""


def _date(entry: list):
    kind, fields = entry[2], entry[3:]
    if kind == "datetime":
        return dt.datetime.fromisoformat(fields[0])
    if kind == "date":
        return dt.date.fromisoformat(fields[0])
    if kind == "time":
        return dt.time.fromisoformat(fields[0])
    return dt.timedelta(days=fields[0], seconds=fields[1], microseconds=fields[2])


class IsolatedSheet:
    """One sheet of the child's answer, given as python-calamine's CalamineSheet gives it."""

    def __init__(self, answer: dict | None, name: str, path: Path):
        self._answer, self._name, self._path = answer, name, path

    def to_python(self, skip_empty_area: bool = False) -> list[list]:
        from python_calamine import CalamineError

        answer = self._answer
        if answer is None or "refused" in answer:
            raise CalamineError(answer["refused"] if answer else f"no sheet {self._name!r}")
        if "reach" in answer:
            problem = reach_problem(*answer["reach"])
            assert problem is not None   # (the child answers with a reach only past a limit)
            raise ResponsesError(problem, path=self._path, where=self._name)
        rows = answer["rows"]
        for entry in answer["dates"]:
            rows[entry[0]][entry[1]] = _date(entry)
        return rows


class IsolatedBook:
    """What :class:`qmskit.io.xlsx_read.Workbook` uses of python-calamine's CalamineWorkbook (sheet names,
    a sheet's cells), from one child's answer."""

    def __init__(self, answer: dict, path: Path):
        self.sheet_names: list[str] = answer["names"]
        self.peak_kb: int = answer["peak"]    # the most address space the child held (tests hold it to the limit)
        self._sheets: dict[str, dict] = answer["sheets"]
        self._path = path

    def get_sheet_by_name(self, name: str) -> IsolatedSheet:
        return IsolatedSheet(self._sheets.get(name), name, self._path)

    def close(self) -> None:
        """Nothing is held open: the child ended with its answer."""


def read_isolated(data: bytes, path: Path) -> IsolatedBook | None:
    """A workbook's bytes read by calamine in a child under the limits; None when no child can start here
    (the caller reads in-process). calamine's refusal is raised as its CalamineError, as the library would;
    a child that ran out of memory or time, or answered more than the limits, raises ResponsesError naming
    ``path``, and one that failed otherwise another line, its stderr the cause."""
    from python_calamine import CalamineError

    if _cannot_start or getattr(sys, "frozen", False) or not sys.executable:
        return None
    import python_calamine

    request = json.dumps({"memory": MAX_READER_MEMORY, "rows": MAX_ROWS, "columns": MAX_COLUMNS,
                          "cells": MAX_WORKBOOK_CELLS, "output": MAX_READER_ANSWER,
                          "calamine": str(Path(python_calamine.__file__).parent.parent)}).encode()
    over_limits = ResponsesError(msg("isolated_read.over_limits", memory=fmt_size(MAX_READER_MEMORY),
                                     seconds=MAX_READER_SECONDS), path=path)
    try:
        # (its answer is bounded by the child itself: MAX_READER_ANSWER, under its own memory limit)
        done = subprocess.run([sys.executable, "-I", str(_CHILD)], input=struct.pack(">I", len(request))
                              + request + data, capture_output=True, timeout=MAX_READER_SECONDS, check=False)
    except subprocess.TimeoutExpired:   # (subprocess.run killed the child and waited for it)
        raise over_limits from None
    except OSError as exc:   # (no interpreter to start)
        _cannot_start.append(str(exc))
        return None
    said = done.stderr[-2000:].decode("utf-8", "replace")
    if done.returncode == CANNOT_START:
        _cannot_start.append(said)
        return None
    if done.returncode in _OUT_OF_MEMORY or done.returncode == 1 and "MemoryError" in said:
        raise over_limits from ReaderFailed(said)
    try:
        answer = json.loads(done.stdout) if done.returncode == 0 else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise ResponsesError(msg("isolated_read.failed", code=done.returncode), path=path) from ReaderFailed(said)
    if "too_long" in answer:
        raise over_limits
    if "refused" in answer:
        raise CalamineError(answer["refused"])
    return IsolatedBook(answer, path)
