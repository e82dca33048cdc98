"""Cell values as readers and pandas hand them over: ``None``, NaN, ``pd.NA`` and NaT all mean "not given".

One definition of "missing", "blank" and "a number or nothing", so every module agrees on them.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd


def is_missing(value: Any) -> bool:
    """``None`` or a missing scalar (NaN, ``pd.NA``, NaT); text, even empty text, is not missing."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def is_blank(value: Any) -> bool:
    """Missing, or text that is empty or only white space."""
    return is_missing(value) or str(value).strip() == ""


def text_or_empty(value: Any) -> str:
    """A cell's text as shown: blank (None, NaN, empty or white-space text) is the empty string."""
    if type(value) is str:  # most cells (is_blank's answer for text, without its missing-value checks)
        return value if value.strip() else ""
    return "" if is_blank(value) else str(value)


def as_number(value: Any) -> float | None:
    """A float, or ``None`` for a missing value (the JSON contract's form of a number)."""
    return None if is_missing(value) else float(value)


def carried_over(evidence, marks: Iterable[str]) -> np.ndarray:
    """Which of the ``evidence`` texts (an array or sequence; None/NaN = blank) are still only the text
    carried over from the previous assessment: they start with one of ``marks`` (the re-verify mark in each
    language, :func:`qmskit.i18n.catalog.reverify_marks`, given by the caller). Such evidence was not seen
    in this assessment, so a "yes" resting on it is *unsupported* until the assessor re-checks it and
    removes the mark."""
    marks = tuple(m.rstrip() for m in marks if m.strip())  # a cell editor may have trimmed the mark's space
    values = np.asarray(evidence, dtype=object)
    if not marks or not values.size:
        return np.zeros(values.shape, dtype=bool)
    return np.fromiter((isinstance(v, str) and v.startswith(marks) for v in values.ravel()),
                       dtype=bool, count=values.size).reshape(values.shape)
