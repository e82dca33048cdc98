"""Reading a workbook the pre-scan could not vouch for in a child process with a memory limit.

The pre-scan (:mod:`qmskit.io.xlsx_read`) vouches for a sheet written the way spreadsheet programs write
it with a fast check whose rules are narrow and simple. Any other sheet, and every .ods, it walks tag by
tag, emulating how calamine reads it, to find how far the cells reach before calamine builds them as one
rectangle. Each hostile-file review found a new way in which such an emulation and calamine disagreed,
and each time a file of a few KB made calamine ask for hundreds of GB and abort the process. So what the
walk passed is read here, by calamine in a process of its own (:mod:`qmskit.io.calamine_child`) limited
to :data:`~qmskit.io.limits.MAX_READER_MEMORY` of memory and :data:`~qmskit.io.limits.MAX_READER_SECONDS`:
the bound holds by construction, and a disagreement left costs one line, not the process. Such files are
rare (no spreadsheet program's), so the ~50 ms a child costs is spent only on them.
"""
from __future__ import annotations

import datetime as dt
import json
import struct
import subprocess
import sys
from pathlib import Path

from qmskit.errors import ResponsesError
from qmskit.i18n.catalog import msg
from qmskit.i18n.numbers import fmt_size
from qmskit.io.limits import MAX_READER_MEMORY, MAX_READER_SECONDS, cannot_read

_CHILD = Path(__file__).with_name("calamine_child.py")


def _untagged(value):
    """A value as calamine_child wrote it: a list is a date or time (see calamine_child._tagged)."""
    if type(value) is not list:
        return value
    kind, *fields = value
    if kind == "datetime":
        return dt.datetime.fromisoformat(fields[0])
    if kind == "date":
        return dt.date.fromisoformat(fields[0])
    if kind == "time":
        return dt.time.fromisoformat(fields[0])
    return dt.timedelta(days=fields[0], seconds=fields[1], microseconds=fields[2])


class IsolatedSheet:
    def __init__(self, book: IsolatedBook, name: str):
        self._book, self._name = book, name

    def to_python(self, skip_empty_area: bool = False) -> list[list]:
        rows = self._book.ask(self._name)["rows"]
        for values in rows:
            if list in set(map(type, values)):   # (a date or time: rare, so one C-level test per row first)
                values[:] = map(_untagged, values)
        return rows


class IsolatedBook:
    """What :class:`qmskit.io.xlsx_read.Workbook` uses of python-calamine's CalamineWorkbook (sheet names,
    a sheet's cells), each asked of a child process that reads ``data`` (a workbook's bytes) under the
    limits. calamine's refusal is raised as its CalamineError, as the library would; a child that ran out of
    memory or time raises ResponsesError naming ``path``."""

    def __init__(self, data: bytes, path: Path):
        self._data, self._path = data, path
        self.sheet_names: list[str] = self.ask(None)["names"]

    def get_sheet_by_name(self, name: str) -> IsolatedSheet:
        return IsolatedSheet(self, name)

    def close(self) -> None:
        """Nothing is held open: each child ended with its answer."""

    def ask(self, sheet: str | None) -> dict:
        from python_calamine import CalamineError

        request = json.dumps({"memory": MAX_READER_MEMORY, "sheet": sheet}).encode()
        try:
            # (no output bound is needed beyond the child's own: it builds its answer in memory, under the limit)
            done = subprocess.run([sys.executable, "-I", str(_CHILD)], input=struct.pack(">I", len(request))
                                  + request + self._data, capture_output=True, timeout=MAX_READER_SECONDS,
                                  check=False)
            answer = json.loads(done.stdout) if done.returncode == 0 else None
        except subprocess.TimeoutExpired:   # (subprocess.run killed the child)
            answer = None
        except ValueError:   # (no JSON: a child that stopped half way)
            answer = None
        except OSError as exc:   # (no interpreter to start: sys.executable gone)
            raise ResponsesError(cannot_read(exc), path=self._path) from None
        if answer is None:
            raise ResponsesError(msg("isolated_read.over_limits", memory=fmt_size(MAX_READER_MEMORY),
                                     seconds=MAX_READER_SECONDS), path=self._path)
        if "refused" in answer:
            raise CalamineError(answer["refused"])
        return answer
