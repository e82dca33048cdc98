"""A save of one changed cell through the API, with the warnings it gave (the in-place workbook tests)."""
from __future__ import annotations

import warnings
from pathlib import Path

from qmskit.errors import ResponsesWarning
from qmskit.io.responses import read_responses, write_responses


def save_one_cell(path: Path, checklist: Path, column: str, text: str,
                  question: str = "4.1-a") -> tuple[Path, list[ResponsesWarning]]:
    """Reads ``path``, sets ``column`` of ``question`` to ``text`` and writes it back: (written path, warnings)."""
    meta, frame = read_responses(path, checklist)
    frame.loc[frame["id"] == question, column] = text
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = write_responses(path, meta, frame.drop(columns="row"), checklist)
    return written, [w.message for w in caught if isinstance(w.message, ResponsesWarning)]
