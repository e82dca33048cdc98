"""Cell values as readers and pandas hand them over: ``None``, NaN, ``pd.NA`` and NaT all mean "not given".

One definition of "missing", "blank" and "a number or nothing", so every module agrees on them.
"""
from __future__ import annotations

from typing import Any

import pandas as pd


def is_missing(value: Any) -> bool:
    """``None`` or a missing scalar (NaN, ``pd.NA``, NaT); text, even empty text, is not missing."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def is_blank(value: Any) -> bool:
    """Missing, or text that is empty or only white space."""
    return is_missing(value) or str(value).strip() == ""


def as_number(value: Any) -> float | None:
    """A float, or ``None`` for a missing value (the JSON contract's form of a number)."""
    return None if is_missing(value) else float(value)
