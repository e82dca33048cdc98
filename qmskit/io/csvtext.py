"""Decoding a CSV file's bytes: UTF-8 (with or without BOM), else what Chinese Excel and WPS save as "CSV".

Excel on a Chinese Windows saves "CSV (逗号分隔)" in the ANSI code page, GBK (CP936); GB18030 is its
superset, so a file that is not UTF-8 but decodes as GB18030 is read that way, with a warning that says
so. Anything else is refused with the hint to save as "CSV UTF-8" (the catalog's ``csvtext.*`` words).
"""
from __future__ import annotations

import warnings
from pathlib import Path

from qmskit.errors import ResponsesError, ResponsesWarning
from qmskit.i18n.catalog import msg


def decode_csv(data: bytes, path: str | Path, *, warn: bool = True) -> str:
    """The file's text; lines that end in CR alone (Excel for Mac's "CSV (Macintosh)", classic Mac OS) end in
    a newline like every other file's (a file with a newline anywhere keeps its CRs: they are inside cells)."""
    return _cr_lines(_decoded(data, path, warn=warn))


def _cr_lines(text: str) -> str:
    return text.replace("\r", "\n") if "\r" in text and "\n" not in text else text


def _decoded(data: bytes, path: str | Path, *, warn: bool) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise ResponsesError(msg("csvtext.not_csv", hint=msg("csvtext.save_as_utf8")), path=path) from None
    if warn:
        warnings.warn(ResponsesWarning(msg("csvtext.read_as_gbk", hint=msg("csvtext.save_as_utf8")), path=path),
                      stacklevel=4)
    return text
