"""Text in cells: what enters qmskit is normalised, what leaves it for people is neutralised.

Two pure helpers, used by every reader and writer (responses, the form, batch tables):

- :func:`normalize_text` — control characters from Word, PDFs and web pages (vertical tab from
  Shift+Enter, form feed, NUL, NEL, U+2028/U+2029, a lone CR) break openpyxl (IllegalCharacterError),
  CSV and YAML. Line separators become ``"\\n"``, every other C0/C1 control is removed, tabs stay,
  surrounding whitespace is stripped (what reading a cell back gives anyway).
- :func:`neutralize_csv` / :func:`unneutralize_csv` — a CSV cell that starts with ``= + - @``, tab or CR
  is run as a formula by Excel, LibreOffice and WPS (OWASP "CSV injection"). We prefix it with a single
  quote. So that our reader can strip exactly what we added — and a user's own leading apostrophe is
  never lost — a cell that starts with an apostrophe followed by a trigger or another apostrophe is
  prefixed too: the mapping is a bijection (``unneutralize_csv(neutralize_csv(s)) == s`` for every s,
  and ``'tis`` is left alone both ways).
In workbooks the same text is stored as a string cell (never a formula), marked ``quotePrefix`` so
that editing it in Excel keeps it text; its value is the user's text unchanged (see qmskit.io.xlsx).

- :func:`ooxml_escaped` / :func:`ooxml_unescaped_literals` — an .xlsx stores "_x0041_" as the character
  it names (OOXML's escape of characters XML cannot hold), so a literal ``_xHHHH_`` in a cell's text is
  written ``_x005F_xHHHH_`` (an escaped "_"), as Excel writes it: calamine then reads it back exactly
  (evidence "file_x0041_.pdf" read back as "fileA.pdf", "ref _x000D_ 12" gained a line break).
"""
from __future__ import annotations

import re

import pandas as pd

# Characters spreadsheet programs treat as the start of a formula (OWASP CSV injection guidance).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"

# \r\n first so it becomes one newline; then every other line separator.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Other C0 controls except tab and newline, DEL, C1 controls, lone surrogates and the XML
# non-characters U+FFFE/U+FFFF (openpyxl and YAML readers reject them).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def normalize_text(value) -> str:
    """The canonical form of user text: "" for None/NaN, line separators as "\\n", no controls, stripped."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():  # the common case: nothing to do but strip
        return text.strip()
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text)).strip()


def normalize_value(value):
    """:func:`normalize_text` for strings; anything else (numbers, dates, None) unchanged."""
    return normalize_text(value) if isinstance(value, str) else value


def starts_like_formula(text: str) -> bool:
    return isinstance(text, str) and text.startswith(FORMULA_TRIGGERS)


def _needs_quote(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS) or (
        text.startswith(_QUOTE) and len(text) > 1 and (text[1] in FORMULA_TRIGGERS or text[1] == _QUOTE))


def neutralize_csv(value):
    """A CSV cell a spreadsheet will not run: ``'`` before a formula trigger (strings only)."""
    if isinstance(value, str) and value and _needs_quote(value):
        return _QUOTE + value
    return value


def unneutralize_csv(value):
    """Undo exactly what :func:`neutralize_csv` added (strings only)."""
    if isinstance(value, str) and value.startswith(_QUOTE) and _needs_quote(value[1:]):
        return value[1:]
    return value


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` safe to write as CSV for people: every string cell (and header) neutralised."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralize_csv)
    out.columns = [neutralize_csv(str(c)) for c in out.columns]
    return out


def csv_for_people(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text that a spreadsheet opens without running anything (see :func:`neutralize_frame`)."""
    return neutralize_frame(frame).to_csv(index=False)


# a literal "_x" + 4 hex digits + "_" (calamine, like Excel, takes it for the character it names; "_X" is not)
_OOXML_LITERAL = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
# ... and the escape ooxml_escaped put before one
_OOXML_ESCAPED_LITERAL = re.compile("_x005F_(?=x[0-9A-Fa-f]{4}_)")


def ooxml_escaped(text: str) -> str:
    """``text`` as an .xlsx cell stores it: each literal ``_xHHHH_`` as ``_x005F_xHHHH_`` (OOXML's rule)."""
    return _OOXML_LITERAL.sub("_x005F_", text) if "_x" in text else text


def ooxml_unescaped_literals(text: str) -> str:
    """The inverse of :func:`ooxml_escaped`, for a cell's text as openpyxl gives it from an inline string
    (raw; it strips the escape only from shared strings and rich text)."""
    return _OOXML_ESCAPED_LITERAL.sub("_", text) if "_x005F_" in text else text


def holds_ooxml_escape(text: str) -> bool:
    """Whether ``text`` holds a ``_xHHHH_`` (a literal, or an escaped character: once openpyxl has loaded a
    cell, the two look alike)."""
    return "_x" in text and _OOXML_LITERAL.search(text) is not None
