"""Input limits (design.md "Input limits"): what a file qmskit reads may be, checked before parsing.

Every check raises the caller's QmskitError subclass with one line naming the file and the limit, so a
hostile or broken input costs bounded time and memory (≤ 500 MB) instead of a hang or a traceback. The
words are the catalog's ``limits.*`` messages (:func:`qmskit.i18n.catalog.msg`): English in ``str(error)``,
the user's language where the CLI prints the line.
"""
from __future__ import annotations

import io
import lzma
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from qmskit.errors import Message, QmskitError
from qmskit.i18n.catalog import msg
from qmskit.i18n.numbers import fmt_size

MAX_RESPONSES_BYTES = 20 * 1024 * 1024      # a responses file (.xlsx/.csv/.yaml) on disk
MAX_YAML_BYTES = 20 * 1024 * 1024           # any YAML qmskit reads (checklists, profiles, responses)
MAX_ROWS = 5_000                            # rows per sheet (or CSV/YAML responses)
MAX_COLUMNS = 200                           # columns per sheet
MAX_CELL_CHARS = 10_000                     # characters in one cell / field
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024      # all members of an .xlsx, expanded
# The text all cells of a workbook hold once read, UTF-8, every copy counted (a shared string once per cell
# naming it, a repeated .ods cell once per repeat). Each byte costs up to ~9 bytes once read (calamine's copy,
# then a Python str of up to 4 bytes a character: one emoji among ASCII makes the whole string so), and the
# batch renders what the report shows at ~40 bytes a byte, two offices at once. Measured with the worst text:
# 16 MB took the batch process to 510 MB; 4 MB keeps it at ~340 MB (tests/hostile/test_inputs.py,
# test_cell_text_within_the_limit_stays_within_the_memory_bound). The full checklist answered with 2,000
# characters of evidence and notes for every question is ~1.2 MB.
MAX_CELL_TEXT_BYTES = 4 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000                    # entries in an .xlsx central directory
# strings in an .xlsx's shared-strings table: no more than one sheet's cells could use. Counted as the
# pre-scan reads them: 39 million empty <si/> (a 331 KB file) took the scan 40 s and 2.5 GB before.
MAX_SHARED_STRINGS = MAX_ROWS * MAX_COLUMNS
# sheets a workbook lists: calamine and the reader hold each one's name and part; 4.9 million <sheet/> in
# xl/workbook.xml (a 632 KB file) took 1.8 GB before. A responses workbook has four.
MAX_SHEETS = 1_000
# names an .xlsx defines (Formulas > Name Manager): calamine reads each one's text; 2 million of them (a 635 KB
# file) took 330 MB. Old workbooks gather thousands of stale ones; a responses workbook has a few.
MAX_DEFINED_NAMES = 100_000
# A workbook sheet the pre-scan's fast check cannot vouch for, and every .ods, is read by calamine in a child
# process limited to this much address space and time (qmskit.io.isolated_read). Reading the largest sheet the
# other limits let through (5,000 rows x 200 columns of text) takes the child ~150 MB (tests/io/test_isolated_read.py).
MAX_READER_MEMORY = 400 * 1024 * 1024
MAX_READER_SECONDS = 60
# ... answering with at most this much JSON and MAX_WORKBOOK_CELLS cells, all sheets together (several
# <sheet> entries naming one part of a million numbers took this process to 725 MB, found by a hostile-file
# session): the largest sheet the other limits let through is ~20 MB of it
MAX_READER_ANSWER = 32 * 1024 * 1024
# cells of all sheets of a workbook together, each sheet its rectangle: two sheets at the row and column limits
MAX_WORKBOOK_CELLS = 2 * MAX_ROWS * MAX_COLUMNS
# XML tags qmskit's own readers follow in Python, element by element, counted first at C speed (each costs
# ~1-3 µs): a workbook's sheets the pre-scan walks (qmskit.io.xlsx_read), a sheet's formula cells
# (qmskit.io.formulas). A sheet at the row and column limits written as inline text needs 6 a cell (the cell,
# its <is> and <t>, opened and closed); 200 MB of "<a/>" (a 200 KB file) took minutes.
MAX_PARSED_TAGS = 6 * MAX_ROWS * MAX_COLUMNS
# an .xlsx's styles or workbook part, expanded: calamine holds each one's number formats or defined names (a
# real one is a few KB; a workbook with thousands of stale names, a few MB)
MAX_PART_BYTES = 16 * 1024 * 1024
MAX_YAML_DEPTH = 50                         # nesting of mappings/sequences
MAX_YAML_ALIAS_NODES = 10_000               # nodes reached through aliases (billion laughs)
MAX_YAML_NODES = 200_000                    # parse events (scalars, collections) in one YAML document

_KINDS = ((stat.S_ISDIR, "limits.kind.folder"), (stat.S_ISFIFO, "limits.kind.fifo"),
          (stat.S_ISCHR, "limits.kind.device"), (stat.S_ISBLK, "limits.kind.device"),
          (stat.S_ISSOCK, "limits.kind.socket"))


def file_kind(path: Path) -> str | None:
    """None for a regular file, "missing", else what it is (a Message: "a folder", "a device", …); follows
    symlinks."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing"
    for test, kind in _KINDS:
        if test(mode):
            return msg(kind)
    return None if stat.S_ISREG(mode) else msg("limits.kind.other")


def cannot_read(exc: OSError) -> Message:
    """"cannot read (<why>)" for an OSError while opening or reading a file the user gave."""
    return msg("limits.cannot_read", reason=read_reason(exc))


def check_regular_file(path: Path, error: type[QmskitError], max_bytes: int, what: str = "limits.what.file") -> int:
    """Refuse what is not a regular file of at most ``max_bytes``; return its size. ``what``: the catalog
    key of the file as the messages name it (``limits.what.responses_file`` …; looked up only on failure).

    Checked with stat() before any open(): opening a FIFO blocks, a device never ends."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error(msg("limits.not_found"), path=path) from None
    except OSError as exc:
        raise error(cannot_read(exc), path=path) from None
    kind = file_kind(path)
    if kind is not None:
        raise error(msg("limits.not_regular", kind=kind, what=msg(what)), path=path)
    if st.st_size > max_bytes:
        raise error(msg("limits.too_large", what=msg(what), size=fmt_size(st.st_size), limit=fmt_size(max_bytes)), path=path)
    return st.st_size


def reach_problem(rows: int, columns: int) -> Message | None:
    """The line for a sheet reaching ``rows`` x ``columns`` (1-based) past MAX_ROWS / MAX_COLUMNS, else None."""
    if rows > MAX_ROWS:
        return msg("xlsx_read.too_many_rows", row=rows, limit=MAX_ROWS)
    if columns > MAX_COLUMNS:
        return msg("xlsx_read.too_many_columns", col=columns, limit=MAX_COLUMNS)
    return None


def tags_in(zf: zipfile.ZipFile, member: zipfile.ZipInfo | str, data: bytes | None = None) -> int:
    """How many "<" a zip member holds (at least its tags), counted stretch by stretch at C speed: what
    bounds qmskit's element-by-element readers (MAX_PARSED_TAGS) before they start. ``data``: its bytes,
    when read already."""
    if data is not None:
        return data.count(b"<")
    tags = 0
    with zf.open(member) as fh:
        while chunk := fh.read(1 << 20):
            tags += chunk.count(b"<")
    return tags


def read_bytes_bounded(path: Path, error: type[QmskitError], max_bytes: int, what: str = "limits.what.file") -> bytes:
    """A regular file's bytes, never more than ``max_bytes`` (it may grow between stat and read)."""
    check_regular_file(path, error, max_bytes, what)
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise error(cannot_read(exc), path=path) from None
    if len(data) > max_bytes:
        raise error(msg("limits.grew_too_large", what=msg(what), limit=fmt_size(max_bytes)), path=path)
    return data


def open_bounded_zip(path: Path, error: type[QmskitError], not_this_kind: str, what: str,
                     data: bytes | None = None) -> zipfile.ZipFile:
    """Open a zip container (.xlsx, .ods) whose central directory stays within the limits: at most
    MAX_ZIP_MEMBERS members expanding to at most MAX_UNZIPPED_BYTES (what the directory declares; the
    readers still stream each member within its own bounds). ``not_this_kind``: the catalog key of the one
    line for a file that is not a zip at all; ``what``: the key of the container as the messages name it
    (``limits.what.workbook``); both looked up only on failure. ``data``: the file's bytes, already read."""
    try:
        zf = zipfile.ZipFile(path if data is None else io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise error(msg(not_this_kind), path=path) from None
    except OSError as exc:
        raise error(cannot_read(exc), path=path) from None
    infos = zf.infolist()
    try:
        problem = _layout_problem(zf, path, data)
    except OSError as exc:
        zf.close()
        raise error(cannot_read(exc), path=path) from None
    if problem is not None:
        zf.close()
        raise error(msg("limits.zip_layout", what=msg(what), problem=msg(problem)), path=path)
    if len(infos) > MAX_ZIP_MEMBERS:
        zf.close()
        raise error(msg("limits.zip_members", what=msg(what), n=len(infos), limit=MAX_ZIP_MEMBERS), path=path)
    expanded = sum(i.file_size for i in infos)
    if expanded > MAX_UNZIPPED_BYTES:
        zf.close()
        raise error(msg("limits.zip_bomb", what=msg(what), size=fmt_size(expanded), limit=fmt_size(MAX_UNZIPPED_BYTES)),
                    path=path)
    return zf


# What reading a member may raise besides BadZipFile: a damaged deflate, bzip2 or lzma stream, a method
# zipfile lacks (deflate64, zstd), encryption (RuntimeError), a CRC mismatch, a truncated file
ZIP_READ_ERRORS = (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, ValueError, OSError,
                   zlib.error, lzma.LZMAError)

_END, _END64, _LOCATOR64 = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"
_END_SIZE, _END64_SIZE, _LOCATOR64_SIZE = 22, 56, 20
_SCAN_CHUNK = 1 << 20


_MAX_SIGNATURES = 1000  # end-record signatures checked before the file counts as built to hold zips


def _a_directory_behind(fh: BinaryIO, at: int) -> bool:
    """Whether the end record (or ZIP64 end record) signature at ``at`` leads to a central directory, where
    its offset says or just before it (where a reader looks when data was put in front): then some reader
    could read a second zip here."""
    fh.seek(at)
    record = fh.read(_END64_SIZE)
    if record.startswith(_END) and len(record) >= _END_SIZE:
        cd_size, cd_offset = struct.unpack("<II", record[12:20])
    elif record.startswith(_END64) and len(record) >= _END64_SIZE:
        cd_size, cd_offset = struct.unpack("<QQ", record[40:56])
    else:
        return False
    for start in {cd_offset, at - cd_size}:
        if 0 <= start < at:
            fh.seek(start)
            if fh.read(4) == b"PK\x01\x02":
                return True
    return False


def _layout_problem(zf: zipfile.ZipFile, path: Path, data: bytes | None) -> str | None:
    """None for a zip laid out as spreadsheet programs write it, else the catalog key of what is not.

    The pre-scan reads the file with Python's zipfile, calamine with the Rust zip crate, and the two choose
    their end-of-central-directory record differently: zipfile takes the last signature in the final 64 KB
    and believes its fields; the Rust crate walks back from the end and skips a record it finds wrong (a
    comment running past the end, a second disk, a directory it cannot parse) for the one before it. A file
    holding a second zip (before, inside or after the first) could thus show calamine a sheet the pre-scan
    never saw (a hidden 10 GB sheet aborted the process). So exactly one end record, ending the file,
    single-disk, its counts those zipfile read, its directory right before it and nothing prepended
    (zipfile shifts every offset by what comes before): then both readers read the same directory."""
    fh = io.BytesIO(data) if data is not None else open(path, "rb")
    try:
        size = fh.seek(0, io.SEEK_END)
        tail_at = max(size - (1 << 16) - _END_SIZE, 0)
        fh.seek(tail_at)
        tail = fh.read()
        # the record zipfile takes: the file's last 22 bytes when they are one without a comment, else the
        # last signature in the final 64 KB (zipfile._EndRecData)
        last = tail[-_END_SIZE:]
        if len(last) == _END_SIZE and last.startswith(_END) and last.endswith(b"\0\0"):
            at = size - _END_SIZE
        else:
            found = tail.rfind(_END)
            if found < 0 or found + _END_SIZE > len(tail):
                return "limits.zip_layout.no_end"
            at = tail_at + found
        fields = tail[at - tail_at + 4:at - tail_at + _END_SIZE]
        disk, cd_disk, here, total, cd_size, cd_offset, comment = struct.unpack("<HHHHIIH", fields)
        if at + _END_SIZE + comment != size:
            return "limits.zip_layout.after_end"
        if disk or cd_disk or here != total:
            return "limits.zip_layout.disks"
        cd_end = at
        locator = b""
        if at >= _LOCATOR64_SIZE:
            fh.seek(at - _LOCATOR64_SIZE)
            locator = fh.read(_LOCATOR64_SIZE)
        if locator.startswith(_LOCATOR64):
            # ZIP64: zipfile reads the record just before the locator, whatever offset the locator gives;
            # the Rust crate goes by the offset, and uses the record only when the 32-bit fields are full
            at64 = at - _LOCATOR64_SIZE - _END64_SIZE
            loc_disk, loc_offset, disks = struct.unpack("<IQI", locator[4:])
            fh.seek(at64)
            record = fh.read(_END64_SIZE)
            if loc_disk or disks != 1 or loc_offset != at64 or not record.startswith(_END64):
                return "limits.zip_layout.disks"
            rec_size, _, _, disk64, cd_disk64, here64, total64, cd_size64, cd_offset64 = struct.unpack(
                "<QHHIIQQQQ", record[4:])
            if rec_size != _END64_SIZE - 12 or disk64 or cd_disk64 or here64 != total64:
                return "limits.zip_layout.disks"
            for short, full, saturated in ((total, total64, 0xFFFF), (cd_size, cd_size64, 0xFFFFFFFF),
                                           (cd_offset, cd_offset64, 0xFFFFFFFF)):
                if short != saturated and short != full:
                    return "limits.zip_layout.disks"
            total, cd_size, cd_offset, cd_end = total64, cd_size64, cd_offset64, at64
        if total != len(zf.infolist()):
            return "limits.zip_layout.disks"
        if cd_offset + cd_size != cd_end or getattr(zf, "start_dir", cd_offset) != cd_offset:
            return "limits.zip_layout.before_start"
        # no second end record anywhere before this one (a zip inside a member, between members, before)
        # that a reader could take: a signature whose directory is there. Compressed data holds the 4-byte
        # signature by chance about once in 4 GB (1 in 200 files of 20 MB), never with a directory behind it
        fh.seek(0)
        carry, pos, hits = b"", 0, []
        while pos < at:
            chunk = fh.read(min(_SCAN_CHUNK, at - pos))
            if not chunk:
                break
            buf, base = carry + chunk, pos - len(carry)
            for signature in (_END, _END64):
                hit = buf.find(signature)
                while hit >= 0:
                    if base + hit not in hits and base + hit != cd_end:
                        hits.append(base + hit)
                    hit = buf.find(signature, hit + 1)
            if len(hits) > _MAX_SIGNATURES:
                return "limits.zip_layout.second_end"
            pos += len(chunk)
            carry = buf[-3:]
        if any(_a_directory_behind(fh, hit) for hit in hits):
            return "limits.zip_layout.second_end"
        return _names_problem(zf, fh)
    finally:
        if data is None:
            fh.close()


_UNICODE_PATH = 0x7075  # the Info-ZIP Unicode Path extra field: a member's second name


def _names_problem(zf: zipfile.ZipFile, fh: BinaryIO) -> str | None:
    """The catalog key of a member name readers would take differently, else None. calamine's zip crate
    takes a member's name from its Info-ZIP Unicode Path field, which Python's zipfile ignores (a sheet the
    pre-scan never saw aborted the process), and looks parts up with "\\" as "/" in any case, keeping the
    last of two that match (a second xl\\sharedStrings.xml or xl\\workbook.xml was read unchecked)."""
    seen: set[str] = set()
    for info in zf.infolist():
        name = info.filename.replace("\\", "/").lower()
        if name in seen:
            return "limits.zip_layout.same_name"
        seen.add(name)
        fh.seek(info.header_offset)
        local = fh.read(30)
        name_size, extra_size = struct.unpack("<HH", local[26:30]) if len(local) == 30 else (0, 0)
        fh.seek(info.header_offset + 30 + name_size)
        if _UNICODE_PATH in _extra_ids(info.extra) or _UNICODE_PATH in _extra_ids(fh.read(extra_size)):
            return "limits.zip_layout.second_name"
    return None


def _extra_ids(extra: bytes) -> set[int]:
    """The ids of the fields in a zip extra block."""
    ids, at = set(), 0
    while at + 4 <= len(extra):
        field, size = struct.unpack("<HH", extra[at:at + 4])
        ids.add(field)
        at += 4 + size
    return ids


def cell_too_long(n: int) -> Message:
    """"a cell holds N characters; the limit is …" (the text itself is never echoed)."""
    return msg("limits.cell_too_long", n=n, limit=MAX_CELL_CHARS)


def check_cell(value, error: type[QmskitError], path, where: str) -> None:
    """A text longer than MAX_CELL_CHARS is refused (one line, never echoed)."""
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise error(cell_too_long(len(value)), path=path, where=where)


def write_error_message(exc: OSError) -> str:
    """Plain words for a failed write (disk full, read-only folder, permission)."""
    return msg("limits.cannot_write", reason=os_reason(exc))


# errno -> the catalog's words for it: why a write failed (advice included), and why a read failed (the
# operating system's words, said in the user's language); any other errno keeps the system's own text
_WRITE_REASONS = (("ENOSPC", "limits.write.enospc"), ("EROFS", "limits.write.erofs"),
                  ("EACCES", "limits.write.eacces"), ("EPERM", "limits.write.eperm"),
                  ("EDQUOT", "limits.write.edquot"), ("EFBIG", "limits.write.efbig"),
                  ("ENAMETOOLONG", "limits.write.enametoolong"))
_READ_REASONS = (("EACCES", "limits.read.eacces"), ("EPERM", "limits.read.eperm"), ("EISDIR", "limits.read.eisdir"),
                 ("ENOENT", "limits.read.enoent"), ("ENOTDIR", "limits.read.enotdir"), ("ELOOP", "limits.read.eloop"),
                 ("ENAMETOOLONG", "limits.read.enametoolong"), ("EIO", "limits.read.eio"))


def _reason(exc: OSError, table: tuple[tuple[str, str], ...]) -> str:
    import errno
    for name, key in table:
        if exc.errno is not None and exc.errno == getattr(errno, name, None):
            return msg(key)
    return exc.strerror or str(exc)


def os_reason(exc: OSError) -> str:
    """Why a write failed, in plain words (a Message for the usual causes)."""
    return _reason(exc, _WRITE_REASONS)


def read_reason(exc: OSError) -> str:
    """Why a read failed: the system's words (a Message for the usual causes, said in the user's language)."""
    return _reason(exc, _READ_REASONS)


def os_error_line(exc: OSError) -> str:
    """'<file>: <reason>' for an OSError, naming the file the user gave rather than our temporary file
    (atomic writes go through ``.<name>.<random>.tmp`` beside it)."""
    import re
    name = exc.filename if exc.filename is not None else exc.filename2
    if name is None:
        return os_reason(exc)
    name = os.fsdecode(name) if isinstance(name, bytes) else str(name)
    folder, base = os.path.split(name)
    temp = re.fullmatch(r"\.(.+)\.(?:[^.]+\.tmp|lock)", base)  # our temporary and lock files
    if temp:
        name = os.path.join(folder, temp.group(1))
    return msg("errors.file", path=name, detail=os_reason(exc))
