"""python-calamine in a process of its own, under a memory limit: the script :mod:`qmskit.io.isolated_read`
runs (``python -I`` this file). Standard library and python_calamine only, so it imports nothing from the
folder it is run in nor from qmskit, and starts in ~30 ms.

stdin: a 4-byte big-endian length, a JSON request ``{"memory": bytes, "sheet": name or null}``, then the
workbook's bytes. stdout: one JSON object, ``{"names": [...]}`` (no sheet asked), ``{"rows": [[...], ...]}``
(the sheet's cells as ``to_python(skip_empty_area=False)`` gives them) or ``{"refused": text}`` (calamine
refused the file). A value JSON has no form for (a date or time) is written as a list ``[kind, ...]``:
calamine gives no list as a value, so a list is always one of these.

The memory limit is set before anything else is read or built: a file calamine misjudges (one cell far
from the others makes it allocate the whole rectangle) ends this process, by MemoryError or by Rust's
abort on a failed allocation, and never the one that asked.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import resource
import struct
import sys


def _tagged(value: object) -> list:
    """A value json cannot write, as ``[kind, fields...]`` (read back by isolated_read._untagged)."""
    if isinstance(value, dt.datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, dt.date):
        return ["date", value.isoformat()]
    if isinstance(value, dt.time):
        return ["time", value.isoformat()]
    if isinstance(value, dt.timedelta):
        return ["timedelta", value.days, value.seconds, value.microseconds]
    raise TypeError(type(value).__name__)


def main() -> None:
    stdin = sys.stdin.buffer
    (size,) = struct.unpack(">I", stdin.read(4))
    request = json.loads(stdin.read(size))
    limit = int(request["memory"])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    data = stdin.read()
    from python_calamine import CalamineError, CalamineWorkbook

    answer: dict
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if request["sheet"] is None:
            answer = {"names": list(book.sheet_names)}
        else:
            answer = {"rows": book.get_sheet_by_name(request["sheet"]).to_python(skip_empty_area=False)}
    except CalamineError as exc:
        answer = {"refused": str(exc)}
    sys.stdout.buffer.write(json.dumps(answer, default=_tagged).encode())


if __name__ == "__main__":
    main()
