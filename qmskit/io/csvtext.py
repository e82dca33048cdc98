"""Decoding a CSV file's bytes: UTF-8 (with or without BOM), else what Chinese Excel and WPS save as "CSV".

Excel on a Chinese Windows saves "CSV (逗号分隔)" in the ANSI code page, GBK (CP936); GB18030 is its
superset, so a file that is not UTF-8 but decodes as GB18030 is read that way, with a warning that says
so. Anything else is refused with the hint to save as "CSV UTF-8".
"""
from __future__ import annotations

import warnings
from pathlib import Path

from qmskit.errors import ResponsesError

SAVE_AS_UTF8 = ("save it as \"CSV UTF-8 (Comma delimited)\" / \"CSV UTF-8（逗号分隔）\" in Excel or WPS, "
                "or as UTF-8 in LibreOffice")


def decode_csv(data: bytes, path: str | Path, *, warn: bool = True) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise ResponsesError(f"not a UTF-8 CSV file, nor one saved by Chinese Excel (GBK/GB18030); {SAVE_AS_UTF8}",
                             path=path) from None
    if warn:
        from qmskit.io.responses import ResponsesWarning
        warnings.warn(f"{path}: not UTF-8; read as GBK/GB18030 (a CSV saved by Chinese Excel or WPS) — check the "
                      f"Chinese text in the report, and next time {SAVE_AS_UTF8}", ResponsesWarning, stacklevel=3)
    return text
