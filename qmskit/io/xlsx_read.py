"""Reading an .xlsx safely and fast: a bounded pre-scan of the zip, then python-calamine.

Why both: calamine (Rust) reads a responses workbook ~10× faster than openpyxl, but it builds each sheet
as one dense rectangle from the first to the last cell it finds, so two cells far apart (A1 and
XFD1048576) make it allocate hundreds of GB and abort the whole process; openpyxl in read-only mode
pads every row to the ``<dimension>`` the file claims. So before either looks at a file, :func:`prescan`
checks what the zip central directory declares (total expanded size, member count), refuses XML
entity declarations (XXE, "billion laughs"), and streams each worksheet's XML to find how far its rows
and cells really reach — without building anything: one compiled pattern (a short part) or a few numpy
passes over the bytes (a longer one) vouch for a sheet written the usual way (every tag opening with one
plain ``r="A1"``), anything else is walked tag by tag with every reference as readers accept it (either
quotes, spaces, zero padding, namespace prefixes, a second ``r``). Only a workbook within the limits
of :mod:`qmskit.io.limits` reaches calamine, and one with a sheet the fast check did not vouch for reaches
it only in a child process under a memory limit (:mod:`qmskit.io.isolated_read`): the walk emulates how
calamine reads a sheet, and an emulation is only as good as the last file that tried it.

:func:`open_workbook` returns sheets whose ``iter_rows(min_row=, values_only=True)`` yields tuples the
way openpyxl's read-only mode did (``None`` for a blank cell, ``int`` for a whole number, dates as
``datetime``), so the sheet readers in :mod:`qmskit.io.xlsx` work unchanged; ``column`` gives one column
the same way (the Assessment sheet is read by column).
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import operator
import posixpath
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from qmskit.errors import AmbiguousWorkbook, ResponsesError
from qmskit.i18n.catalog import msg
from qmskit.i18n.numbers import fmt_size
from qmskit.io.calamine_child import is_refusal
from qmskit.io.formulas import (
    CALAMINE_ERRORS,
    ERROR_TAG_REACH,
    ERROR_TYPE_HINTS,
    FORMULA_TAG_HINTS,
    FormulaCell,
    FormulaIndex,
    column_number,
    may_hold_error_value,
)
from qmskit.io.isolated_read import IsolatedBook, read_isolated
from qmskit.io.limits import (
    MAX_CELL_CHARS,
    MAX_CELL_TEXT_BYTES,
    MAX_COLUMNS,
    MAX_DEFINED_NAMES,
    MAX_PARSED_TAGS,
    MAX_PART_BYTES,
    MAX_RESPONSES_BYTES,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHEETS,
    ZIP_READ_ERRORS,
    cannot_read,
    cell_too_long,
    open_bounded_zip,
    reach_problem,
    read_bytes_bounded,
    tags_in,
)
from qmskit.io.quiet_panics import quiet_rust_panics

NOT_A_WORKBOOK = "xlsx_read.not_a_workbook"  # the catalog key of the one line for a file that is no .xlsx
_CHUNK = 1 << 20
_MAX_CARRY = 16 << 20          # longest stretch of sheet XML without a "<" we hold while scanning
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")

# The fast check (numpy over the bytes of each chunk, no Python per cell), for sheets written the way Excel,
# LibreOffice, WPS and openpyxl write them: every row and cell tag (no namespace prefix) opens with a plain
# r="A1" reference (double quotes, no leading zero), carries no second r attribute (calamine would take it)
# and no reference reaches past MAX_ROWS / MAX_COLUMNS. Anything else (or a reference too far) goes to the
# exact walk below, which follows every tag as readers place it and names the row or column in its message.
_LEAD, _TAIL = 8, 16           # zero bytes around a chunk, so every look-behind and look-ahead stays inside
_FAST_MAX = 4 << 20            # a longer stretch (a text run of megabytes: refused later anyway) is walked
_ONE_PATTERN_MAX = 32 << 10    # a stretch at most this long is checked with one compiled pattern (_SMALL_CHECK):
                               # the numpy passes' fixed cost (a few dozen calls) is more than its whole scan
                               # there, while on a sheet of hundreds of KB they cost a third of the pattern's


def _numbers_up_to(n: int) -> bytes:
    """A pattern of the decimal numbers 1..n as the fast check accepts them (digits only, no leading zero)."""
    s = str(n)
    alternatives = [b"[1-9]" + b"[0-9]" * (digits - 1) for digits in range(1, len(s))]
    for i, ch in enumerate(s):
        low, top = (1 if i == 0 else 0), int(ch) - 1
        if top >= low:
            alternatives.append(s[:i].encode() + b"[%d-%d]" % (low, top) + b"[0-9]" * (len(s) - i - 1))
    alternatives.append(s.encode())
    return b"(?:" + b"|".join(alternatives) + b")"


def _columns_up_to(n: int) -> bytes:
    """A pattern of the column letters of columns 1..n (capitals: A..Z, AA..); n from 26 to 702 (ZZ)."""
    if not 26 <= n <= 702:
        raise ValueError(n)
    alternatives = [b"[A-Z]"]
    full = (n - 26) // 26            # first letters whose 26 columns all fit
    if full:
        alternatives.append(b"[A-%c][A-Z]" % (64 + full))
    rest = n - 26 - full * 26        # the columns of the next first letter that fit
    if rest:
        alternatives.append(b"%c[A-%c]" % (65 + full, 64 + rest))
    return b"(?:" + b"|".join(alternatives) + b")"


# The fast check of a short stretch in one compiled pattern, the same rules as the numpy passes: it finds
# every tag that decides something — "<!" (a comment, CDATA or DTD: the exact scan looks at those), a row or
# cell tag that does not open with a plain reference within the limits (' r="A1"', ' r="1"') or carries
# another r attribute (an "r" that does not continue a longer name), a row or cell tag with a namespace
# prefix, every <v> and <f> (plain or prefixed) — and nothing else, so a plain cell costs one match attempt.
_NAME_END = rb"[\x00-\x20/>]"
_TAG_REST = rb"""[^<>"'r]*(?:(?:"[^"<]*"|'[^'<]*'|(?<=[\w.-])r)[^<>"'r]*)*>"""
_SMALL_CHECK = re.compile(
    rb"<([fv](?=" + _NAME_END + rb")"
    rb"|c(?=" + _NAME_END + rb")(?! r=\"" + _columns_up_to(MAX_COLUMNS) + _numbers_up_to(MAX_ROWS) + rb'"' + _TAG_REST + rb")"
    rb"|row(?=" + _NAME_END + rb")(?! r=\"" + _numbers_up_to(MAX_ROWS) + rb'"' + _TAG_REST + rb")"
    rb"|!|[^\x00-\x20/<>!?]*:(?:c|row|v|f)(?=" + _NAME_END + rb"))")
_PLAIN_FOUND = frozenset((b"f", b"v"))


# A namespace prefix as an XML reader takes it: any name (XML names may be non-ASCII: calamine reads
# <é:row>/<é:c> as a row and a cell, so an ASCII-only pattern let a cell at XFD1048576 past the walk and
# calamine aborted asking for 512 GB), or none.
XML_PREFIX = rb"""(?:[^\x00-\x20/<>!?:="']*:)?"""


# The exact walk's extra care: every r attribute of a row or cell tag, in any spelling (any prefix, spaces
# around "="), must be a plain reference within the limits, whichever one calamine takes.
_R_ATTR = re.compile(rb"""(?:^|\s)""" + XML_PREFIX + rb"""r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF_VALUE = re.compile(rb"\s*([A-Za-z]*)([0-9]*)\s*")
_XML_SPACE = b" \t\n\x0c\r"   # (Rust's is_ascii_whitespace)


def calamine_attributes(raw: bytes) -> list[tuple[bytes, bytes]] | None:
    """A tag's attributes as calamine reads them (its own parser, calamine src/attrs.rs): a key is whatever
    runs from the end of the last value (no space needed) to the next "=", trimmed; a value is quoted. None
    when calamine would find them malformed (it then fails to read the part: no cells are built)."""
    found: list[tuple[bytes, bytes]] = []
    pos, n = 0, len(raw)
    while True:
        while pos < n and raw[pos] in _XML_SPACE:
            pos += 1
        if pos >= n:
            return found
        eq = raw.find(b"=", pos)
        if eq < 0:
            return None
        key = raw[pos:eq].rstrip(_XML_SPACE)
        pos = eq + 1
        while pos < n and raw[pos] in _XML_SPACE:
            pos += 1
        if pos >= n or raw[pos] not in b"\"'":
            return None
        close = raw.find(raw[pos:pos + 1], pos + 1)
        found.append((key, raw[pos + 1:close if close >= 0 else n]))
        pos = close + 1 if close >= 0 else n


def calamine_picks(attributes: list[tuple[bytes, bytes]], *keys: bytes) -> dict[bytes, bytes]:
    """The values calamine's get_attrs! takes for ``keys`` (exact names): each match overwrites, and it stops
    once it has counted as many matches as keys (a key given twice counts twice: later ones go unread)."""
    picked: dict[bytes, bytes] = {}
    count = 0
    for key, value in attributes:
        if key in keys:
            picked[key] = value
            count += 1
            if count == len(keys):
                break
    return picked


def _tag_attributes(attrs: bytes) -> bytes:
    """A start tag's attribute text as the tokenizer hands it on (without the "/" of an empty element)."""
    attrs = attrs.rstrip(_XML_SPACE)
    return attrs[:-1] if attrs.endswith(b"/") else attrs

# Shared strings: calamine copies a shared string into every cell that refers to it (once in Rust, once more
# as a Python str), so 5,000 x 200 cells naming one 10,000-character string (a 2 MB file) ask for ~20 GB.
# What bounds it: in a plain shared-strings part (each <si> closed before the next opens, any prefix; no
# comment, CDATA or processing instruction that could hide or fake one) the k-th <si> is calamine's k-th
# string and spans at least its text's UTF-8 bytes; otherwise any string may be as long as the whole part.
# Each cell's string comes from a <v> element's text (the last one; text that is not a number reads as 0).
_SI_TAG = re.compile(rb"<(/?)" + XML_PREFIX + rb"si(?=[\s/>])((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
_SI_START = re.compile(rb"</?" + XML_PREFIX + rb"si(?=[\s/>])")
_V_TAG = re.compile(rb"<" + XML_PREFIX + rb"v(?=[\s/>])")
# an error value's cell and its <v> text, for readable_errors
_CELL_TAG = re.compile(rb"<" + XML_PREFIX + rb"c(?=[\s/>])((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
_ERROR_VALUE = re.compile(rb"<" + XML_PREFIX + rb"v\s*>\s*(#[A-Za-z0-9_/!?]+)")


def readable_errors(sheet: bytes) -> bytes:
    """Sheet XML with each error value calamine cannot read (Excel 365's #SPILL!, #CALC! …) given as #N/A, for
    calamine only: it reads every error cell blank anyway, and the reader takes such a cell's text from
    qmskit.io.formulas.xlsx_formula_cells, which reads the file's own. Unchanged (the same object) when there
    is none. One pass over the cell tags (a regex with backtracking took minutes on a tag of 40,000
    attributes); a cell is an error cell when calamine reads its t attribute as "e"."""
    if b"#" not in sheet:
        return sheet
    cells = list(_CELL_TAG.finditer(sheet))
    pieces, done = [], 0
    for here, after in zip(cells, cells[1:] + [None]):
        raw = here.group(1)
        if not any(hint in raw for hint in ERROR_TYPE_HINTS):
            continue
        attributes = calamine_attributes(_tag_attributes(raw))
        if attributes is None or calamine_picks(attributes, b"r", b"s", b"t").get(b"t") != b"e":
            continue
        value = _ERROR_VALUE.search(sheet, here.end(), after.start() if after is not None else len(sheet))
        if value is None or value.group(1).decode("ascii", "replace").upper() in CALAMINE_ERRORS:
            continue
        pieces += [sheet[done:value.start(1)], b"#N/A"]
        done = value.end(1)
    return sheet if not pieces else b"".join(pieces) + sheet[done:]


# A sheet the workbook part lists (calamine reads xl/workbook.xml by that name; counted within MAX_SHEETS)
_SHEET_TAG = re.compile(rb"<" + XML_PREFIX + rb"sheet(?=[\s/>])")
# ... and the whole tag, for its name (two sheets of one name are refused: _check_sheet_names)
_SHEET_ELEMENT = re.compile(rb"<" + XML_PREFIX + rb"sheet(?=[\s/>])((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
_XML_ENTITY = re.compile(rb"&(?:#[0-9]+|#x[0-9A-Fa-f]+|amp|lt|gt|quot|apos);")
# A name it defines (calamine reads each one's text; counted within MAX_DEFINED_NAMES)
_NAME_TAG = re.compile(rb"<" + XML_PREFIX + rb"definedName(?=[\s/>])")
_MARKUP = re.compile(rb"<[^!<>][^<>]*>")   # a tag (not "<!": CDATA and comments count as text)
_V_TEXT = re.compile(rb"<" + XML_PREFIX + rb"v(?:\s[^<>]*)?>([^<]*)")


def _unescaped(value: bytes) -> str:
    """An attribute's value as an XML reader gives it: its entity and character references replaced."""
    def one(m: re.Match) -> bytes:
        ref = m.group()[1:-1]
        if ref.startswith(b"#"):
            code = int(ref[2:], 16) if ref[1:2] == b"x" else int(ref[1:])
            return chr(code).encode("utf-8", "surrogatepass") if code < 0x110000 else m.group()
        return {b"amp": b"&", b"lt": b"<", b"gt": b">", b"quot": b'"', b"apos": b"'"}[ref]
    return (_XML_ENTITY.sub(one, value) if b"&" in value else value).decode("utf-8", "replace")


def check_sheet_names(names: dict[str, str], given: Iterable[str], path: Path) -> None:
    """Record the names one sheet element ``given`` (every name attribute it has, any prefix: readers differ on
    which they take; one element naming itself twice is no second sheet) in ``names`` (case-folded name → as
    written), refusing one a sheet already has. Excel tells no two sheets' names apart by case and opens no
    workbook holding both; a reader looking a sheet up by name takes one of the two: a second, hidden
    "Assessment" listed first in xl/workbook.xml was read instead of the visible one (all "no" where the
    office saw all "yes"; found by a hostile-input review)."""
    own: dict[str, str] = {}
    for name in given:
        own.setdefault(name.casefold(), name)
    for key, name in own.items():
        if key in names:
            first = names[key]
            raise AmbiguousWorkbook(msg("xlsx_read.duplicate_sheet" if first == name else "xlsx_read.duplicate_sheets",
                                        name=first, other=name), path=path)
        names[key] = name


def _check_sheet_names(part: bytes, names: dict[str, str], path: Path) -> None:
    """Each <sheet> of a stretch of xl/workbook.xml, its names recorded by :func:`check_sheet_names`."""
    for m in _SHEET_ELEMENT.finditer(part):
        check_sheet_names(names, [_unescaped(value) for key, value in calamine_attributes(_tag_attributes(m.group(1)))
                                  or [] if key.rpartition(b":")[2].lower() == b"name"], path)


def _too_far(row: int, col: int, path: Path, member: str) -> None:
    problem = reach_problem(row, col)
    if problem is not None:
        raise ResponsesError(problem, path=path, where=member)


class _Scratch(threading.local):
    """The fast check's buffers, kept per thread: fresh arrays of a chunk's size on every call cost more
    (page faults) than the check itself."""
    size = 0
    data: np.ndarray
    masks: list[np.ndarray]

    def get(self, n: int) -> tuple[np.ndarray, list[np.ndarray]]:
        if n > self.size:
            self.size = max(n, 1 << 18)
            self.data = np.zeros(_LEAD + self.size + _TAIL, dtype=np.uint8)
            self.masks = [np.empty(_LEAD + self.size + _TAIL, dtype=bool) for _ in range(3)]
        return self.data, self.masks


_SCRATCH = _Scratch()


def _plain_and_near(part: bytes) -> bool:
    """True when the fast check vouches for this stretch of sheet XML (see above); False: walk it."""
    return _fast_check(part) is not None


def _fast_check(part: bytes, formula: list[bool] | None = None) -> int | None:
    """How many <v> tags this stretch of sheet XML may hold (at least as many as _V_TAG finds: the shared
    text bound) when the fast check vouches for it (see above); None: walk it. A stretch of at most
    _ONE_PATTERN_MAX goes to :func:`_small_check` (the same rules in one compiled pattern); the rest of this
    docstring is the numpy form. ``formula[0]`` is set when
    the stretch may hold an <f> tag (a tag named "f" after a "<" or a ":"; qmskit.io.formulas reads those).

    Two whole-chunk passes find every "<" and ":" (a namespace prefix) at once, and count every "r" after a
    space; the bytes just after those heads are then gathered and compared as arrays, first one byte for
    all of them, then the rest only for the few that may open a row, a cell or a <v> (never a Python step
    per tag). Every row and cell tag must open with ' r="', none may carry a prefix, no other r attribute
    may exist (an "r" after a space followed by "=" or a space), nothing may start with "<!" (a comment,
    CDATA or DTD: the exact scan looks at those); then each reference is read from the bytes after it and
    checked against the limits."""
    n = len(part)
    if n > _FAST_MAX:
        return None
    if n <= _ONE_PATTERN_MAX:
        return _small_check(part, formula)
    data, masks = _SCRATCH.get(n)
    size = _LEAD + n + _TAIL
    a = data[:size]
    a[_LEAD:_LEAD + n] = np.frombuffer(part, dtype=np.uint8)
    a[_LEAD + n:] = 0  # (the leading bytes are never written: always zero)
    found, other, third = masks[0][:size], masks[1][:size], masks[2][:size]
    np.equal(a, 60, out=found)                               # every "<" ...
    found |= np.equal(a, 58, out=other)                      # ... and every ":"
    heads = np.flatnonzero(found)                            # as indexes into a
    is_lt = a.take(heads) == 60
    first = a.take(heads + 1)
    if (first[is_lt] == 33).any():
        return None
    if formula is not None and not formula[0]:
        # an "f" that is a whole tag name: the data validations' <formula1> (in every sheet qmskit writes)
        # is no formula cell, and parsing the sheet for formulas costs ten times the whole read
        f_at = heads[first == 102] + 2
        if len(f_at):
            name_end = a.take(f_at)
            formula[0] = bool(((name_end <= 32) | (name_end == 47) | (name_end == 62)).any())
    # only a head followed by "c", "r" or "v" may open a row, a cell or a <v>; the others are done with
    maybe = (first == 99) | (first == 114) | (first == 118)
    heads, is_lt, first = heads[maybe], is_lt[maybe], first[maybe]
    after = [first] + [a.take(heads + k) for k in range(2, 5)]
    ends = (after[1] <= 32) | (after[1] == 47) | (after[1] == 62)          # "c" then the end of the name
    is_c = (after[0] == 99) & ends
    v_tags = int(np.count_nonzero((after[0] == 118) & ends))               # "v" then the end of the name
    ends = (after[3] <= 32) | (after[3] == 47) | (after[3] == 62)          # "row" then the end of the name
    is_row = (after[0] == 114) & (after[1] == 111) & (after[2] == 119) & ends
    if (is_c & ~is_lt).any() or (is_row & ~is_lt).any():
        return None                                         # a row or cell tag with a namespace prefix
    cells, rows = heads[is_c], heads[is_row]
    for tags, name in ((cells, 1), (rows, 3)):               # each opens with ' r="'
        q = tags + 1 + name
        if not ((a.take(q) == 32) & (a.take(q + 1) == 114) & (a.take(q + 2) == 61) & (a.take(q + 3) == 34)).all():
            return None
    # every "r" after a space (a byte <= 32) or a quote and before "=" or a space, in whole-chunk passes (a
    # quote too: calamine's attribute reader needs no space between a value and the next key, so
    # <c r="A1" s="1"r="XFD1048576"> is a cell at XFD1048576 to it, which aborted the process)
    body, before, follows = a[1:-1], a[:-2], a[2:]
    # (into the scratch masks: a fresh array of the chunk's size costs its page faults)
    r_after_space = np.equal(body, 114, out=found[1:-1])
    lead = np.less_equal(before, 32, out=other[1:-1])
    lead |= np.equal(before, 34, out=third[1:-1])
    lead |= np.equal(before, 39, out=third[1:-1])
    r_after_space &= lead
    closes = np.less_equal(follows, 32, out=third[2:])
    closes |= np.equal(follows, 61, out=other[2:])
    r_after_space &= closes
    if int(np.count_nonzero(r_after_space)) != len(cells) + len(rows):
        return None                                         # an r attribute besides the tags' own references
    starts = np.concatenate((cells, rows))
    if not _references_near(a, starts, np.arange(len(starts)) < len(cells)):
        return None
    return v_tags


def _small_check(part: bytes, formula: list[bool] | None) -> int | None:
    """:func:`_fast_check` of a short stretch, with _SMALL_CHECK."""
    found = _SMALL_CHECK.findall(part)
    kinds = set(found)
    v_tags = found.count(b"v")
    for kind in kinds - _PLAIN_FOUND:   # (none in a usual sheet)
        local = kind.rpartition(b":")[2]
        if kind in (b"!", b"c", b"row") or local in (b"c", b"row"):
            return None
        if local == b"v":
            v_tags += found.count(kind)
        else:
            kinds.add(b"f")
    if formula is not None and b"f" in kinds:
        formula[0] = True
    return v_tags


def _references_near(a: np.ndarray, starts: np.ndarray, is_cell: np.ndarray) -> bool:
    """Each reference (a cell's "A1", a row's "1") plain and within the limits: 1–2 capital letters for a
    cell (none for a row), 1–4 digits without a leading zero, the closing quote; column ≤ MAX_COLUMNS,
    row ≤ MAX_ROWS. ``starts``: where each tag's "<" is in ``a``. Column by column over the references
    (small arrays: no per-reference Python)."""
    if not len(starts):
        return True
    first = starts + np.where(is_cell, 6, 8)            # just after '<c r="' or '<row r="'
    b = [a.take(first + j) for j in range(3)]
    letter = [(x >= 65) & (x <= 90) for x in b]
    if (letter[0] != is_cell).any() or (letter[2] & is_cell).any():
        return False                                      # a cell's reference has 1 or 2 letters, a row's none
    two = letter[1] & is_cell
    one = b[0][is_cell].astype(np.int16) - 64
    if (np.where(two[is_cell], one * 26 + b[1][is_cell] - 64, one) > MAX_COLUMNS).any():
        return False
    digits_at = first + np.where(is_cell, np.where(two, 2, 1), 0)
    d = [a.take(digits_at + j) for j in range(5)]       # from the first digit on
    leading = [(d[0] - 48) <= 9]                         # (uint8: a byte below "0" wraps to above 9)
    for x in d[1:]:
        leading.append(leading[-1] & ((x - 48) <= 9))
    if not leading[0].all() or leading[4].any() or (d[0] == 48).any():
        return False                                      # no digit, five or more, or a leading zero
    count = np.sum(leading[:4], axis=0, dtype=np.intp)     # 1–4 digits
    if (a.take(digits_at + count) != 34).any():
        return False                                      # not closed right after the digits
    four = leading[3]
    if not four.any():
        return True
    row = sum((x[four].astype(np.int32) - 48) * 10 ** (3 - j) for j, x in enumerate(d[:4]))
    return int(np.max(row)) <= MAX_ROWS


# Every tag of a stretch, as quick-xml (calamine's XML reader) splits them: "<", an optional "/", all up to
# the ">" outside quotes (an attribute value may hold "<" or ">"; so may an end tag, read the same way)
_ANY_TAG = re.compile(rb"""<(/?)((?:[^<>"']|"[^"]*"|'[^']*')*)>""")
_DECLARATION = re.compile(rb"""(?:\xef\xbb\xbf)?\s*<\?xml(?:[^<>"']|"[^"]*"|'[^']*')*\?>""")
_QUICK_XML_SPACE = b" \t\r\n"   # (quick-xml's whitespace: a name ends at one; an end tag's name is trimmed of it)
_QUICK_XML_NAME_END = re.compile(rb"[ \t\r\n]")


def _local_name(name: bytes) -> bytes:
    """An element name's local part as quick-xml takes it: after the first ":" ("a:b:row" is "b:row")."""
    return name.partition(b":")[2] if b":" in name else name


@dataclass
class _Walk:
    """Where calamine's cell reader is, carried from one stretch of a sheet to the next (0-based)."""
    row: int = 0
    col: int = 0
    in_cell: bool = False          # between a <c>'s start and its end
    child: bytes | None = None     # the <v>, <f> or <is> of the cell being read (its full name), if open
    text: bytes | None = None      # a <t> open inside that <is> (calamine reads it to its first </t>)


_CELL_PARTS = frozenset((b"v", b"f", b"is"))
_STRUCTURE = frozenset((b"row", b"c", b"v", b"f", b"is", b"sheetData"))


def _walk(part: bytes, walk: _Walk, path: Path, member: str) -> None:
    """Follow a stretch of sheet XML (whole tags only) as calamine's cell reader does (calamine
    src/xlsx/cells_reader.rs), checking where each cell lands: a row's r attribute sets the row, a row's end
    moves one row on and back to the first column (every </row> outside a cell: calamine matches none); a
    cell's r attribute, as calamine's attribute reader takes it, places the cell (and sets the column), a
    cell without one lands at the row and column reached. Inside a cell calamine reads only <v>, <f> and
    <is>, each to its end, and ignores other end tags; a tag it would read otherwise (a row inside a <v>, a
    cell inside a cell) is refused, as are comments, CDATA and processing instructions (spreadsheet
    programs write none in a sheet): a row tag only this walk saw sent it back while calamine went on, and
    a 55 KB file aborted the process (found by hostile-file sessions). Every r attribute of any spelling must
    also be a plain reference within the limits (the farthest decides)."""
    malformed = ResponsesError(_damaged(member, msg("xlsx_read.malformed_tag")), path=path)
    declared = _DECLARATION.match(part)
    body = part[declared.end():] if declared else part
    if b"<!" in body or b"<?" in body:
        raise ResponsesError(_damaged(member, msg("xlsx_read.markup_in_sheet")), path=path)
    done = 0
    for m in _ANY_TAG.finditer(body):
        if body.find(b"<", done, m.start()) >= 0:  # a "<" that opens no tag quick-xml would read as this one
            raise malformed
        done = m.end()
        closing, content = m.groups()
        empty = not closing and content.endswith(b"/")
        if empty:
            content = content[:-1]
        end = _QUICK_XML_NAME_END.search(content)
        name = content.rstrip(_QUICK_XML_SPACE) if closing else content[:end.start()] if end else content
        raw = b"" if closing or end is None else content[end.start():]
        local = _local_name(name)
        if walk.text is not None:   # inside a <t> of an <is>: nothing but its text and its end
            if not (closing and name == walk.text):
                raise malformed
            walk.text = None
            continue
        if walk.child is not None:  # inside the cell's <v>, <f> or <is>, which calamine reads to its end
            if not closing and not empty and local == b"t" and _local_name(walk.child) == b"is":
                walk.text = name
            elif closing and name == walk.child:
                walk.child = None
            elif local in _STRUCTURE or _local_name(walk.child) != b"is":   # (rich text in an <is>: fine)
                raise malformed
            continue
        if walk.in_cell:
            if closing:
                walk.in_cell = local != b"c"   # (other end tags: calamine reads past them)
            elif local not in _CELL_PARTS:     # (calamine refuses the sheet: "expected v, f, or is")
                raise malformed
            elif not empty:
                walk.child = name
            continue
        if closing:
            if local == b"row":
                walk.row, walk.col = walk.row + 1, 0
            continue
        if local not in (b"row", b"c"):
            continue
        # a row's reference names no column: checked at the first one (the column a cell before it reached is
        # no place of the row's: a cell at the last column allowed, then a row, was refused as "column 201")
        at = 1 if local == b"row" else walk.col + 1
        for ref in (a or b for a, b in _R_ATTR.findall(raw)):  # (any spelling: none may reach far)
            _reference(ref, walk.row + 1, at, path, member)
        attributes = calamine_attributes(raw)
        if attributes is None:
            raise malformed
        if local == b"row":
            given = next((v for k, v in attributes if k == b"r"), None)     # (calamine: raw_attr, the first)
            if given is not None:
                walk.row = _reference(given, walk.row + 1, at, path, member)[0] - 1
            if empty:     # <row/>: a start and an end
                walk.row, walk.col = walk.row + 1, 0
            continue
        given = calamine_picks(attributes, b"r", b"s", b"t").get(b"r")
        if given is not None:
            walk.col = _reference(given, walk.row + 1, walk.col + 1, path, member)[1] - 1
        else:
            _too_far(walk.row + 1, walk.col + 1, path, member)
        walk.col += 1
        walk.in_cell = not empty
    if body.find(b"<", done) >= 0:
        raise malformed


def _reference(ref: bytes, row: int, col: int, path: Path, member: str) -> tuple[int, int]:
    """A cell or row reference (1-based; a part left out keeps ``row``/``col``), within the limits."""
    parsed = _REF_VALUE.fullmatch(ref)
    if parsed is None:
        raise ResponsesError(_damaged(member, msg("xlsx_read.malformed_ref")), path=path)
    letters, digits = parsed.group(1), parsed.group(2)
    here = (int(digits) if digits else row, column_number(letters) if letters else col)
    _too_far(*here, path, member)
    return here


class _SharedText:
    """What the scan gathers to bound the shared text calamine will copy into cells (see _SI_TAG)."""

    def __init__(self) -> None:
        self.v_tags = 0                  # <v> elements in all worksheets (at least the cells given a string)
        self.sheet_bytes = 0             # bytes of all worksheets (at least their inline text)
        self.si_starts: list[int] = []   # offsets of the <si> tags in the shared-strings part
        self.si_end = 0
        self.plain = True
        self._open = False

    def add_strings(self, part: bytes, offset: int, path: Path, member: str) -> None:
        body = part[part.find(b"?>") + 2:] if offset == 0 and part.startswith(b"<?xml") else part
        tags = list(_SI_TAG.finditer(part))  # (one stretch: at most _CHUNK + _MAX_CARRY bytes)
        if len(self.si_starts) + len(tags) > MAX_SHARED_STRINGS:
            raise ResponsesError(msg("xlsx_read.too_many_strings", member=member, limit=MAX_SHARED_STRINGS), path=path)
        if b"<!" in body or b"<?" in body or len(tags) != len(_SI_START.findall(part)):
            self.plain = False
        for m in tags:
            closing, self_closing = bool(m.group(1)), m.group(2).endswith(b"/")
            if closing != self._open:
                self.plain = False
            if not closing:
                self.si_starts.append(offset + m.start())
            self._open = not closing and not self_closing
        self.si_end = offset + len(part)

    def longest(self) -> np.ndarray:
        """An upper bound of the UTF-8 length of each shared string calamine reads, by index."""
        if not self.plain or self._open:
            return np.full(len(self.si_starts), self.si_end, dtype=np.int64)
        return np.diff(np.array(self.si_starts + [self.si_end], dtype=np.int64))


# parts calamine reads whole into its own structures, besides the sheets and shared strings (bounded above):
# every <numFmt> of the styles (~150 bytes each: 180 MB of them took 836 MB, found by a hostile-file session),
# every defined name's text in the workbook part
_PARTS_HELD_WHOLE = frozenset(("xl/styles.xml", "xl/workbook.xml"))


def _scan_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, is_sheet: bool, exact: bool = False,
                 shared: _SharedText | None = None, strings: _SharedText | None = None,
                 formulas: set[str] | None = None, keep: list[bytes] | None = None,
                 data: bytes | None = None) -> bool:
    """Stream one XML member: no DTD/entities; for a worksheet, rows ≤ MAX_ROWS and columns ≤ MAX_COLUMNS.

    Returns False when the fast check could not vouch for a stretch of a worksheet (the caller then scans
    the member again with ``exact``, which walks every row and cell tag and raises what it finds).
    ``shared`` counts a worksheet's <v> tags, ``strings`` records where a shared-strings part's <si> start,
    ``formulas`` gets the name of a worksheet that holds an <f> tag or an error type (qmskit.io.formulas
    reads those);
    ``keep`` receives the member's bytes, stretch by stretch (joined: the whole member as it expands);
    ``data``: the member's bytes when they were read already."""
    sheets = names = 0
    sheet_names: dict[str, str] = {}
    walk = _Walk()
    carry = before = b""
    offset = 0
    with zf.open(info) if data is None else io.BytesIO(data) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            last = len(chunk) < _CHUNK  # (a zip member's read gives less only at its end)
            buf = carry + chunk if carry else chunk
            if last:
                end = len(buf)
            else:
                end = buf.rfind(b"<")
                if end <= 0:
                    end = 0 if len(buf) < _MAX_CARRY else -1
                if end < 0:
                    raise ResponsesError(msg("xlsx_read.text_run", member=info.filename, size=fmt_size(_MAX_CARRY),
                                             limit=MAX_CELL_CHARS), path=path)
            part = buf if end == len(buf) else buf[:end]
            if keep is not None:
                keep.append(part)
            if is_sheet and shared is not None:
                shared.sheet_bytes += len(part)
            if zip_name(info.filename) in _PARTS_HELD_WHOLE and offset + len(part) > MAX_PART_BYTES:
                raise ResponsesError(msg("xlsx_read.part_too_large", member=info.filename,
                                         limit=fmt_size(MAX_PART_BYTES)), path=path)
            if zip_name(info.filename) == "xl/workbook.xml":  # (whether or not a relationship names it a sheet too)
                sheets += len(_SHEET_TAG.findall(part))  # (one stretch: a bounded list)
                if sheets > MAX_SHEETS:
                    raise ResponsesError(msg("limits.too_many_sheets", limit=MAX_SHEETS), path=path)
                _check_sheet_names(part, sheet_names, path)
                names += len(_NAME_TAG.findall(part))
                if names > MAX_DEFINED_NAMES:
                    raise ResponsesError(msg("xlsx_read.too_many_names", limit=MAX_DEFINED_NAMES), path=path)
            if is_sheet and not exact:
                if strings is not None:
                    strings.add_strings(part, offset, path, info.filename)
                seen = [False]
                v_tags = _fast_check(part, seen)  # (it never vouches for a "<!": a DTD is looked for exactly)
                if v_tags is None:
                    return False
                if formulas is not None and (seen[0] or may_hold_error_value(part, before)):
                    formulas.add(info.filename)
                if shared is not None:
                    shared.v_tags += v_tags
            else:
                # a DTD is only allowed before the root element, but look everywhere: cheap and certain
                if _DTD.search(part):
                    raise ResponsesError(msg("xlsx_read.dtd", member=info.filename), path=path)
                if shared is not None and is_sheet:
                    shared.v_tags += len(_V_TAG.findall(part))
                if strings is not None:
                    strings.add_strings(part, offset, path, info.filename)
                if is_sheet:
                    _walk(part, walk, path, info.filename)
                    if formulas is not None and (any(hint in part for hint in FORMULA_TAG_HINTS)
                                                 or may_hold_error_value(part, before)):
                        formulas.add(info.filename)  # (a part ends before a "<": a tag is never split in two)
            offset += len(part)
            carry = buf[end:]
            if is_sheet:
                before = part[-ERROR_TAG_REACH:]
            if last:
                return True


# A workbook's members are held for calamine (open_workbook) up to this size, expanded as the zip declares them
_HOLD_BYTES = 16 << 20
Held = list[tuple[str, bytes, int]]   # members as (name, expanded bytes, CRC-32), in the zip's order


class Prescan(NamedTuple):
    """What :func:`prescan_held` found: the formula cells, the members held (or None), the file's bytes read
    (or None), and whether the fast check vouched for every sheet (else calamine reads the file in a child
    process under a memory limit: qmskit.io.isolated_read)."""
    formulas: FormulaIndex
    held: Held | None
    data: bytes | None
    vouched: bool


def prescan(path: Path) -> FormulaIndex:
    """Check an .xlsx within the limits before any reader opens it (see the module docstring); returns where
    its formula cells are, for the reader (qmskit.io.formulas)."""
    return prescan_held(path, hold=False).formulas


def prescan_held(path: Path, *, hold: bool = True) -> Prescan:
    """:func:`prescan`, also returning (with ``hold``) every member a reader may look at (each XML part and
    each sheet) as it read and checked them, so calamine reads those very bytes (:func:`stored_copy`);
    None when they expand to more than _HOLD_BYTES or two members share a name. Third (with ``hold``): the
    file's bytes the scan read, for calamine when the members were not held. calamine never opens the path
    itself: a file replaced between the check and the read (a sync client, a shared folder) had a sheet
    reaching XFD1048576 read unchecked, and calamine aborted the process asking for 512 GB."""
    data = read_bytes_bounded(path, ResponsesError, MAX_RESPONSES_BYTES, "limits.what.workbook") if hold else None
    with open_bounded_zip(path, ResponsesError, NOT_A_WORKBOOK, "limits.what.workbook", data=data) as zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in {zip_name(n) for n in names}:
            raise ResponsesError(msg(NOT_A_WORKBOOK), path=path)
        try:
            rels: dict[zipfile.ZipInfo, bytes] = {}
            sheets = set(_sheet_parts(zf, infos, path, rels))
            _check_fixed_parts(rels, path)
            counts, strings = _SharedText(), []
            formulas: set[str] = set()
            scanned = [info for info in infos if info in sheets or not info.is_dir()
                       and info.filename.lower().endswith((".xml", ".rels", ".vml"))]
            held: Held | None = None
            vouched, walked_tags = True, 0
            if hold and len(names) == len(infos) and sum(i.file_size for i in scanned) <= _HOLD_BYTES:
                held = []
            for info in scanned:
                is_sheet = info in sheets
                # calamine finds the shared strings by this name in any case (a duplicate: each counts)
                shared_strings = zip_name(info.filename) == "xl/sharedstrings.xml"
                table = _SharedText() if shared_strings else None
                counted = counts.v_tags, counts.sheet_bytes
                keep: list[bytes] | None = [] if held is not None else None
                if not _scan_member(zf, info, path, is_sheet, shared=counts, strings=table,
                                    formulas=formulas, keep=keep, data=rels.get(info)):
                    counts.v_tags, counts.sheet_bytes = counted
                    vouched = False
                    # the exact scan records the strings afresh: the fast one stopped where it gave up,
                    # and a string after that point must still be bounded
                    table = _SharedText() if shared_strings else None
                    keep = [] if held is not None else None
                    # (the exact walk's Python per tag, bounded before it starts: all the sheets it walks)
                    walked_tags += tags_in(zf, info, rels.get(info))
                    if walked_tags > MAX_PARSED_TAGS:
                        raise ResponsesError(msg("xlsx_read.too_many_tags", member=info.filename,
                                                 limit=MAX_PARSED_TAGS), path=path)
                    _scan_member(zf, info, path, is_sheet, exact=True, shared=counts, strings=table,
                                 formulas=formulas, keep=keep, data=rels.get(info))
                if table is not None:
                    strings.append(table)
                if held is not None and keep is not None:
                    # (zipfile checked the CRC as the last stretch was read: it is these bytes')
                    member, crc = b"".join(keep), info.CRC
                    if info.filename in formulas:  # (a sheet with a formula or an error value: see formulas.py)
                        readable = readable_errors(member)
                        if readable is not member:
                            member, crc = readable, zlib.crc32(readable)
                    held.append((info.filename, member, crc))
            _check_cell_text(zf, [i for i in infos if i in sheets], counts, [s.longest() for s in strings], path)
            recalculated = bool(formulas) and _asks_recalculation(zf, infos)
            return Prescan(FormulaIndex(path, frozenset(formulas), recalculated_on_load=recalculated, data=data),
                           held, data, vouched)
        except ZIP_READ_ERRORS:
            # a damaged or encrypted member, an unsupported compression method, a CRC mismatch
            raise ResponsesError(msg(NOT_A_WORKBOOK), path=path) from None


_FULL_CALC = re.compile(rb"""fullCalcOnLoad\s*=\s*(?:"\s*(?:1|true)\s*"|'\s*(?:1|true)\s*')""")


def _asks_recalculation(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> bool:
    """Whether the workbook part (any copy of it) asks for every formula to be recomputed on opening. Read
    only for a workbook with formula cells; the part was bounded by the scan."""
    for info in infos:
        if zip_name(info.filename) != "xl/workbook.xml":
            continue
        with zf.open(info) as fh:
            carry = b""
            while chunk := fh.read(_CHUNK):
                if _FULL_CALC.search(carry + chunk):
                    return True
                carry = chunk[-64:]  # (an attribute split between two stretches)
    return False


_TARGET = re.compile(rb"""Target\s*=\s*(?:"([^"]*)"|'([^']*)')""")  # (any Target: the fallback)
_MAX_RELS = 1 << 20


_RELATIONSHIP = re.compile(rb"<" + XML_PREFIX + rb"Relationship(?=[\s/>])((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
# The parts calamine reads by their usual names, whatever the relationships say: (the relationships part,
# the relationship type's last word, the part Excel then reads, resolved from this folder, as calamine reads it)
_FIXED_PARTS = (("_rels/.rels", b"officedocument", "", "xl/workbook.xml"),
                ("xl/_rels/workbook.xml.rels", b"sharedstrings", "xl/", "xl/sharedStrings.xml"))


def zip_name(name: str) -> str:
    """A member's name as calamine looks parts up: "\\" as "/", any case (limits refuses two that match)."""
    return name.replace("\\", "/").lower()


@functools.lru_cache(maxsize=8)  # (the pre-scan asks twice for each part; a part is at most _MAX_RELS)
def _relationships(data: bytes) -> tuple[tuple[list[bytes], list[bytes]] | None, ...]:
    """Each Relationship element of a relationships part as (its Type values, its Target values), every
    copy of either, its attributes read as calamine reads them; None for one calamine cannot read."""
    found: list[tuple[list[bytes], list[bytes]] | None] = []
    for m in _RELATIONSHIP.finditer(data):
        attributes = calamine_attributes(_tag_attributes(m.group(1)))
        if attributes is None:
            found.append(None)
            continue
        named = [(k.rpartition(b":")[2].lower(), v) for k, v in attributes]
        found.append(([v for k, v in named if k == b"type"], [v for k, v in named if k == b"target"]))
    return tuple(found)


def _check_fixed_parts(rels: dict[zipfile.ZipInfo, bytes], path: Path) -> None:
    """Refuse a workbook whose relationships send Excel to another workbook or shared-strings part than the
    one calamine reads by name: a decoy xl/sharedStrings.xml beside the real table had qmskit score "yes"
    where Excel shows "no" (found by a hostile-file session). Names compare as OPC compares them: any case,
    "\\" as "/", "." and ".." resolved. And calamine finds every part of the workbook in the folder of the
    root relationships' officeDocument target, taken as written: anything but xl/ ("xl\\workbook.xml" is
    the top folder to it) would have it read parts the pre-scan did not check as what they are."""
    # (every copy of every relationship's type and target: readers differ on which they take)
    for rels_name, kind, folder, expected in _FIXED_PARTS:
        data = b"".join(part for info, part in rels.items() if zip_name(info.filename) == rels_name)
        for relationship in _relationships(data):
            if relationship is None:
                continue  # (calamine cannot read it: it reads nothing of the workbook)
            types, targets = relationship
            if not any(t.strip().lower().endswith(b"/" + kind) for t in types):
                continue
            for raw in targets:
                target = raw.decode("utf-8", "replace")
                resolved = posixpath.normpath(target.replace("\\", "/").lstrip("/") if target.startswith(("/", "\\"))
                                              else folder + target.replace("\\", "/"))
                calamine_folder = target[:target.rfind("/") + 1].removeprefix("/")
                if resolved.lower() != expected.lower() or (not folder and calamine_folder.lower() != "xl/"):
                    raise ResponsesError(msg("xlsx_read.part_elsewhere", target=target, expected=expected),
                                         path=path)


# what makes a part a sheet to calamine: the type of the relationship the workbook's <sheet> names (from
# calamine 0.36 on, any folder; its last "/" word), or (before 0.36) the folder its target is in; any case
_SHEET_TYPES = frozenset((b"worksheet", b"chartsheet", b"dialogsheet"))
_SHEET_FOLDERS = (b"worksheets/", b"chartsheets/", b"dialogsheets/")


def _sheet_parts(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], path: Path,
                 read: dict[zipfile.ZipInfo, bytes] | None = None) -> list[zipfile.ZipInfo]:
    """The members calamine may read as a sheet: those in a sheet folder (xl/worksheets/ …), and whatever a
    relationship of a sheet's type, or with a target in a sheet folder, names (by file name, any case and
    folder, any extension: calamine follows the workbook's relationships, so a sheet at xl/elsewhere/s.bin
    is read as one). Not the workbook, shared strings, styles or theme, which calamine reads as what they
    are: counted as sheets, their text counted twice (a LibreOffice-saved workbook of 2.2 MB of answers was
    refused as holding over 4 MB). Relationships are read as calamine reads them ("worksheet" without a
    "/", no space between attributes: each read a sheet the pre-scan skipped); a relationships part with a
    Target this reading does not account for counts every Target in it. ``read`` receives each
    relationships part's bytes."""
    targets: set[bytes] = set()
    for info in infos:
        if info.filename.lower().endswith(".rels") and not info.is_dir():
            with zf.open(info) as fh:
                data = fh.read(_MAX_RELS + 1)
            if len(data) > _MAX_RELS:
                raise ResponsesError(msg(NOT_A_WORKBOOK), path=path)  # a relationships part is a few KB
            if read is not None:
                read[info] = data  # (read to its end: zipfile checked its CRC)
            relationships = _relationships(data)
            counted = 0
            for relationship in relationships:
                if relationship is None:
                    continue
                types, found = relationship
                counted += len(found)
                if (any(t.strip().lower().rsplit(b"/", 1)[-1] in _SHEET_TYPES for t in types)
                        or any(folder in t.replace(b"\\", b"/").lower() for t in found for folder in _SHEET_FOLDERS)):
                    targets.update(_file_name(t) for t in found)
            if None in relationships or counted != data.count(b"Target"):
                targets.update(_file_name(a or b) for a, b in _TARGET.findall(data))
    return [i for i in infos if not i.is_dir() and (_in_sheet_folder(i.filename) or
                                                    _file_name(i.filename.encode()) in targets)]


def _file_name(target: bytes) -> bytes:
    return target.replace(b"\\", b"/").rsplit(b"/", 1)[-1].lower()


def _in_sheet_folder(name: str) -> bool:
    return name.replace("\\", "/").lower().startswith(("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/"))


def _check_cell_text(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], counts: _SharedText, longest: list[np.ndarray],
                     path: Path) -> None:
    """The text the cells would hold, within MAX_CELL_TEXT_BYTES: the shared text they copy plus their own
    (inline) text. At once when every <v> naming the longest string plus every byte of the sheets stays
    within it (any usual workbook), else by reading each <v>'s index and the sheets' text outside tags."""
    width = max(map(len, longest), default=0)
    bound = np.zeros(width, dtype=np.int64)
    for x in longest:
        bound[:len(x)] = np.maximum(bound[:len(x)], x)
    most = int(bound.max()) if width else 0
    if counts.v_tags * most + counts.sheet_bytes <= MAX_CELL_TEXT_BYTES:
        return
    total = 0
    for info in infos:
        with zf.open(info) as fh:
            carry = b""
            while True:
                chunk = fh.read(_CHUNK)
                buf = carry + chunk
                end = buf.rfind(b"<") if chunk else len(buf)
                end = max(end, 0)
                # the sheet's own text: every byte outside a tag (CDATA and comments counted as text)
                total += end - _tag_bytes(buf[:end])
                for m in _V_TEXT.finditer(buf, 0, end):
                    text = m.group(1)
                    # an index calamine reads; anything else (signs, spaces, entities) counts as the longest
                    index = int(text) if text.isdigit() and len(text) < 16 else -1
                    total += most if index < 0 else int(bound[index]) if index < width else 0
                if total > MAX_CELL_TEXT_BYTES:
                    raise ResponsesError(msg("xlsx_read.cell_text", limit=fmt_size(MAX_CELL_TEXT_BYTES)), path=path)
                carry = buf[end:]
                if not chunk:
                    break


def _tag_bytes(part: bytes) -> int:
    """How many bytes of ``part`` _MARKUP's matches cover (``len(part) - len(_MARKUP.sub(b"", part))``), in
    numpy passes: a match opens at a "<" not followed by "!", "<" or ">" and ends at the next ">", unless
    a "<" comes first. (The pattern itself took 15 s over 190 MB of empty tags.)"""
    if not part:
        return 0
    a = np.frombuffer(part, dtype=np.uint8)
    marks = np.flatnonzero((a == 60) | (a == 62))              # every "<" and ">", in order
    opens = a[marks] == 60
    starts = np.flatnonzero(opens[:-1] & ~opens[1:])          # a "<" whose next mark is a ">"
    first, last = marks[starts], marks[starts + 1]
    after = a[first + 1]                                      # (first + 1 <= last: never past the end)
    tag = (after != 33) & (last > first + 1)                  # not "<!", not "<>"
    return int((last[tag] - first[tag] + 1).sum())


def _damaged(member: str, problem: str) -> str:
    """The not-a-workbook line with the part of the zip that is broken and how."""
    return msg("xlsx_read.damaged_part", base=msg(NOT_A_WORKBOOK), member=member, problem=problem)


class Sheet:
    """One sheet's cells as calamine read them (every text cell already checked against MAX_CELL_CHARS),
    given the way openpyxl's read-only mode gave them (``None`` for a blank cell, ``int`` for a whole
    number, dates as ``datetime``), converted only where asked: by row (``iter_rows``, as openpyxl offers
    it) or by column (``column``: the Assessment sheet is read column by column, a few C-level passes
    instead of a Python call per cell)."""

    def __init__(self, name: str, rows: list[list]):
        self.title = name
        self._rows = rows
        self._width = min(map(len, rows), default=0)  # calamine gives a rectangle: every row this long

    def iter_rows(self, min_row: int = 1, values_only: bool = True):
        return map(_row, self._rows[min_row - 1:])

    def value(self, row: int, col: int):
        """The value of one cell (1-based), as the readers get it (None when blank or beyond the sheet)."""
        values = self._rows[row - 1] if 0 < row <= len(self._rows) else []
        return _value(values[col - 1]) if 0 < col <= len(values) else None

    def column(self, index: int, min_row: int = 1) -> list:
        """The values of column ``index`` (0-based) from row ``min_row`` on (None past a short row)."""
        rows = self._rows[min_row - 1:]
        if index < self._width:
            return _values(list(map(operator.itemgetter(index), rows)))
        return _values([r[index] if len(r) > index else None for r in rows])


class Workbook:
    """What :func:`qmskit.io.xlsx.read_xlsx` needs of a workbook: sheet names and sheets by name.

    A formula cell that holds no usable computed value reads as its formula text, as typed (calamine gives
    it blank; see qmskit.io.formulas); ``formulas_as_text`` lists those of the sheets read so far, for the
    reader's warning, and ``stored_results`` the formulas read as a result the workbook asks to recompute."""

    def __init__(self, path: Path, book, formulas: FormulaIndex | None = None):  # (a CalamineWorkbook or an IsolatedBook)
        self.path = path
        self._book = book
        self._formulas = formulas or FormulaIndex()
        self.sheetnames = list(book.sheet_names)
        self._cache: dict[str, Sheet] = {}
        self.formulas_as_text: list[FormulaCell] = []
        self.stored_results: list[FormulaCell] = []   # formulas read as a result the file asks to recompute

    def __getitem__(self, name: str) -> Sheet:
        if name not in self._cache:
            try:
                with quiet_rust_panics():
                    data = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except BaseException as exc:   # (a Rust panic in calamine is a BaseException)
                if not is_refusal(exc):
                    raise
                unread = [c for c in self._formulas.cells(name) if c.kind == "e" and c.stored is not None
                          and c.stored.strip().upper() not in CALAMINE_ERRORS]
                if unread:  # (a workbook too big to hold, whose error values could not be given as #N/A)
                    raise ResponsesError(msg("xlsx_read.error_unread", cell=unread[0].coordinate,
                                             error=(unread[0].stored or "").strip()), path=self.path) from None
                raise ResponsesError(msg("xlsx_read.sheet_unreadable", base=msg(NOT_A_WORKBOOK), sheet=name),
                                     path=self.path) from None
            self.formulas_as_text += _formula_texts(data, self._formulas.uncomputed(name))
            self.stored_results += self._formulas.stored_results(name)
            _check_cell_lengths(data, name, self.path)
            self._cache[name] = Sheet(name, data)
        return self._cache[name]

    def close(self) -> None:
        self._book.close()


def _formula_texts(rows: list[list], cells: list[FormulaCell]) -> list[FormulaCell]:
    """Put each formula's text into the cells calamine read blank (the rows grown to reach them: calamine's
    rectangle ends at its last value); returns the cells changed."""
    changed = []
    for cell in cells:
        if cell.row > MAX_ROWS or cell.col > MAX_COLUMNS:
            continue  # (the pre-scan refused a sheet that reaches this far)
        while len(rows) < cell.row:
            rows.append([])
        values = rows[cell.row - 1]
        if len(values) < cell.col:
            values.extend([""] * (cell.col - len(values)))
        if values[cell.col - 1] in ("", None):
            values[cell.col - 1] = cell.text
            changed.append(cell)
    width = max(map(len, rows), default=0)
    if changed:  # a rectangle again, as calamine gives it (Sheet.column relies on it)
        for values in rows:
            values.extend([""] * (width - len(values)))
    return changed


def _check_cell_lengths(rows: list[list], sheet: str, path: Path) -> None:
    """No text cell over MAX_CELL_CHARS (the first one in row order is named, never echoed). C-level passes
    over every cell: the kinds of value present, then the longest text."""
    cells = list(itertools.chain.from_iterable(rows))
    kinds = set(map(type, cells))
    if str not in kinds:
        return
    texts = cells if len(kinds) == 1 else list(itertools.compress(cells, map(isinstance, cells,
                                                                                itertools.repeat(str))))
    if max(map(len, texts), default=0) <= MAX_CELL_CHARS:
        return
    for n, values in enumerate(rows, start=1):
        for value in values:
            if type(value) is str and len(value) > MAX_CELL_CHARS:
                raise ResponsesError(cell_too_long(len(value)), path=path,
                                     where=msg("place.sheet_row", sheet=sheet, row=n))


def _value(value):
    """One calamine value as openpyxl gave it: blank text → None, 5.0 → 5, a date → datetime."""
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if kind is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


def _values(values: list) -> list:
    """:func:`_value` of each, with one C-level pass when they are all text (most columns)."""
    if set(map(type, values)) <= {str}:
        return [v or None for v in values]
    return list(map(_value, values))


def _row(values: list) -> tuple:
    return tuple(_values(values))


def open_workbook(path: Path, *, scan=None, not_this_kind: str = NOT_A_WORKBOOK) -> Workbook:
    """Pre-scan ``path`` (``scan``: this module's .xlsx pre-scan unless another format passes its own; it
    returns the file's formula cells, a :class:`FormulaIndex`, and the bytes it checked) and
    open it with calamine; raises ResponsesError with one line (the catalog's ``not_this_kind`` message
    when calamine refuses it). calamine reads the very bytes the .xlsx pre-scan checked (:func:`stored_copy`)
    when it held them, else the file's bytes the pre-scan read."""
    from python_calamine import CalamineWorkbook

    if scan is not None:   # (another format's pre-scan walks the file: it never vouches for it)
        (formulas, data), held, vouched = scan(path), None, False
    else:
        formulas, held, data, vouched = prescan_held(path)
    copy = stored_copy(held) if held is not None else data
    assert copy is not None   # (every pre-scan returns the bytes it read: calamine never opens the path itself)
    book: CalamineWorkbook | IsolatedBook | None = None
    try:
        if not vouched:
            book = read_isolated(copy, path)
        if book is None:
            with quiet_rust_panics():
                book = CalamineWorkbook.from_filelike(io.BytesIO(copy))
    except OSError as exc:
        raise ResponsesError(cannot_read(exc), path=path) from None
    except BaseException as exc:   # (a Rust panic in calamine is a BaseException)
        if not is_refusal(exc):
            raise
        raise ResponsesError(msg(not_this_kind), path=path) from None
    return Workbook(path, book, formulas)


# python-calamine's get_sheet_by_name reads each sheet twice: its cells, then the whole sheet once more for
# its merged ranges (which qmskit never asks for), stopping at the first <mergeCells> element. The copy it
# is handed carries an empty one just after the root tag, so the second read ends there: the cells read are
# the same (calamine's cell reader skips whatever precedes <sheetData>), the time spent on a sheet halves.
_WORKSHEET_TAG = re.compile(rb"""(?:\xef\xbb\xbf)?\s*(?:<\?xml(?:[^<>"']|"[^"]*"|'[^']*')*\?>\s*)?"""
                            rb"""<""" + XML_PREFIX + rb"""worksheet(?=[\s>])(?:[^<>"'/]|"[^"]*"|'[^']*')*>""")
_NO_MERGED_CELLS = b"<mergeCells></mergeCells>"


def _merged_cells_at(data: bytes) -> int | None:
    """Where in a worksheet's XML the empty <mergeCells> goes (just after its root tag); None when it opens
    otherwise."""
    m = _WORKSHEET_TAG.match(data)
    return None if m is None else m.end()


def _merged_cells_skipped(data: bytes) -> bytes | None:
    """A worksheet's XML with the empty <mergeCells> after its root tag; None when it opens otherwise."""
    at = _merged_cells_at(data)
    return None if at is None else data[:at] + _NO_MERGED_CELLS + data[at:]


def stored_copy(members: Held) -> bytes:
    """A zip of ``members`` (name, bytes, CRC-32) stored as they are, uncompressed: what calamine then reads
    costs no second inflate, and nothing the pre-scan did not see is in it. Each worksheet under
    xl/worksheets/ gets the empty <mergeCells> (see above)."""
    out: list[bytes | memoryview] = []
    offset = 0
    central = []
    for name, data, crc in members:
        pieces: tuple[bytes | memoryview, ...] = (data,)
        at = _merged_cells_at(data) if name.startswith("xl/worksheets/") else None
        if at is not None:  # (the sheet is not copied to put it in: the pieces are joined once, below)
            view = memoryview(data)
            pieces = (view[:at], _NO_MERGED_CELLS, view[at:])
            crc = zlib.crc32(pieces[2], zlib.crc32(_NO_MERGED_CELLS, zlib.crc32(pieces[0])))
        size = len(data) + (len(_NO_MERGED_CELLS) if at is not None else 0)
        raw = name.encode("utf-8")
        # version 2.0, flag bit 11: the name is UTF-8; method 0 (stored); no time, no extra field
        fixed = struct.pack("<HHHHHIIIHH", 20, 0x800, 0, 0, 0x21, crc, size, size, len(raw), 0)
        central.append(struct.pack("<IH", 0x02014B50, 20) + fixed + struct.pack("<HHHII", 0, 0, 0, 0, offset) + raw)
        local = struct.pack("<I", 0x04034B50) + fixed + raw
        out += (local, *pieces)
        offset += len(local) + size
    size = sum(map(len, central))
    out += central
    out.append(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, offset, 0))
    return b"".join(out)
