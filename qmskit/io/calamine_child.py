"""python-calamine in a process of its own, under a memory limit: the script :mod:`qmskit.io.isolated_read`
runs (``python -I`` this file). Standard library and python_calamine only: it imports nothing from qmskit
nor from the folder it runs in (``-I``), only python_calamine from the folder the parent found it in.

stdin: a 4-byte big-endian length, a JSON request, then the workbook's bytes. The request: ``memory``
(bytes of address space), ``calamine`` (the folder holding the parent's python_calamine), ``rows`` and
``columns`` (the largest sheet to answer with), ``cells`` (the most cells of all sheets together) and
``output`` (the longest answer, bytes). stdout: one JSON
object, ``{"names": [...], "sheets": {name: SHEET}, "peak": KB}`` where SHEET is ``{"rows": [[...]],
"dates": [[row, col, kind, fields...], ...]}`` (the cells as ``to_python(skip_empty_area=False)`` gives
them, each date or time a null in ``rows`` and an entry in ``dates``: json has no form for them),
``{"refused": text}`` (calamine refused the sheet) or ``{"reach": [rows, columns]}`` (larger than asked);
or ``{"refused": text}`` alone (calamine refused the file), or ``{"too_long": bytes}``.

Exit status 3: the child could not start (no ``resource`` module, as on Windows; a hard limit below the
one asked; python_calamine not found): the parent then reads in its own process. The memory limit is set
before the workbook is read: a file calamine misjudges (one cell far from the others makes it allocate
the whole rectangle) ends this process, by MemoryError or by Rust's abort on a failed allocation.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import struct
import sys

try:
    import resource
except ImportError:   # (Windows: main() then says it cannot start)
    resource = None  # type: ignore[assignment]

CANNOT_START = 3


def _dates(rows: list[list]) -> list[list]:
    """Take every date and time out of ``rows`` (a null left in its place), as [row, col, kind, fields...]."""
    found = []
    plain = {str, float, int, bool, type(None)}
    for r, values in enumerate(rows):
        if set(map(type, values)) <= plain:   # (one C-level pass a row: dates are rare)
            continue
        for c, value in enumerate(values):
            if isinstance(value, dt.datetime):
                found.append([r, c, "datetime", value.isoformat()])
            elif isinstance(value, dt.date):
                found.append([r, c, "date", value.isoformat()])
            elif isinstance(value, dt.time):
                found.append([r, c, "time", value.isoformat()])
            elif isinstance(value, dt.timedelta):
                found.append([r, c, "timedelta", value.days, value.seconds, value.microseconds])
            else:
                continue
            values[c] = None
    return found


def is_refusal(exc: BaseException) -> bool:
    """calamine refusing what it reads: its CalamineError, a Rust panic in it (pyo3's PanicException, a
    BaseException, created at the first panic: a duration cell of -1e12 seconds), or a value Python cannot
    hold (OverflowError, ValueError: a duration of 1e12 days, a date past year 9999). Not MemoryError."""
    from python_calamine import CalamineError
    return (isinstance(exc, (CalamineError, OverflowError, ValueError))
            or type(exc).__name__ == "PanicException")


def _sheet(book, name: str, request: dict) -> dict:
    try:
        sheet = book.get_sheet_by_name(name)
        end = sheet.end or (-1, -1)   # (the last cell, 0-based: to_python(skip_empty_area=False) starts at A1)
        if end[0] + 1 > request["rows"] or end[1] + 1 > request["columns"]:
            return {"reach": [end[0] + 1, end[1] + 1]}
        rows = sheet.to_python(skip_empty_area=False)
    except BaseException as exc:
        if not is_refusal(exc):
            raise
        return {"refused": str(exc)}
    return {"rows": rows, "dates": _dates(rows)}


def _cannot_start(why: str) -> int:
    print("cannot start:", why, file=sys.stderr)
    return CANNOT_START


def main() -> int:
    stdin = sys.stdin.buffer
    if resource is None:
        return _cannot_start("no resource module on this system")
    try:
        (size,) = struct.unpack(">I", stdin.read(4))
        request = json.loads(stdin.read(size))
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = int(request["memory"])
        if hard != resource.RLIM_INFINITY and hard < limit:
            return _cannot_start(f"a hard address-space limit of {hard} bytes, below {limit}")
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        sys.path.insert(0, request["calamine"])
        from python_calamine import CalamineWorkbook
    except Exception as exc:   # (anything: the parent reads in its own process instead)
        return _cannot_start(f"{type(exc).__name__}: {exc}")
    data = stdin.read()
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
    except BaseException as exc:
        if not is_refusal(exc):
            raise
        return _write(json.dumps({"refused": str(exc)}).encode())
    # each sheet written out as JSON before the next is read: one sheet's cells held at a time
    pieces = [b'{"names": ', json.dumps(names).encode(), b', "sheets": {']
    size = cells = 0
    for n, name in enumerate(names):
        sheet = _sheet(book, name, request)
        # (every sheet's cells count: several <sheet> entries may name one part, each read again)
        cells += sum(map(len, sheet.get("rows", ())))
        piece = b"%s%s: %s" % (b", " if n else b"", json.dumps(name).encode(), json.dumps(sheet).encode())
        size += len(piece)
        if size > request["output"] or cells > request["cells"]:
            return _write(json.dumps({"too_long": size}).encode())
        pieces.append(piece)
    pieces.append(b'}, "peak": %d}' % _peak_kb())
    return _write(b"".join(pieces))


def _peak_kb() -> int:
    """The most address space this process held (VmPeak: what the limit bounds), else its peak RSS."""
    try:
        with open("/proc/self/status", "rb") as status:
            return int(next(line for line in status if line.startswith(b"VmPeak:")).split()[1])
    except (OSError, StopIteration, ValueError):
        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _write(answer: bytes) -> int:
    sys.stdout.buffer.write(answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
