"""Answer scales: turn what people type into canonical answers and points p in 0..1 (vectorized).

compliance: yes = 1, partial = 0.5, no = 0, n/a = not applicable (tokens case-insensitive; also
y/p/n/na and 是/部分/否/不适用). maturity: level 1..5 -> (level - 1) / 4, n/a allowed.
Blank means unanswered.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from qmskit.errors import msg

NA = "n/a"
COMPLIANCE_TOKENS = {
    "yes": "yes", "y": "yes", "是": "yes",
    "partial": "partial", "p": "partial", "部分": "partial", "partly": "partial",
    "no": "no", "n": "no", "否": "no",
    "n/a": NA, "na": NA, "不适用": NA,
}
COMPLIANCE_POINTS = {"yes": 1.0, "partial": 0.5, "no": 0.0}
NA_TOKENS = {"n/a": NA, "na": NA, "不适用": NA}
CANONICAL: dict[str, list[str | int]] = {"compliance": ["yes", "partial", "no", NA], "maturity": [1, 2, 3, 4, 5, NA]}
# What the spreadsheet dropdown offers, per language.
DROPDOWN = {
    ("compliance", "en"): ["yes", "partial", "no", "n/a"],
    ("compliance", "zh"): ["是", "部分", "否", "不适用"],
    ("maturity", "en"): ["1", "2", "3", "4", "5", "n/a"],
    ("maturity", "zh"): ["1", "2", "3", "4", "5", "不适用"],
}


def allowed_answers(scale: str, na_allowed: bool = True) -> str:
    """The answers a question accepts, for a message about one that is not (n/a only where it may be)."""
    if scale == "maturity":
        return msg("responses.allowed_maturity" if na_allowed else "responses.allowed_maturity_no_na")
    return msg("responses.allowed_compliance" if na_allowed else "responses.allowed_compliance_no_na")


def _as_text(values: pd.Series) -> pd.Series:
    """Strip strings; numbers become their text ('3.0' stays for the maturity parser); blanks -> NA."""
    text = values.astype("object").where(values.notna(), None)
    text = text.map(lambda v: v if v is None else str(v).strip())
    return text.where(text.map(lambda v: bool(v)), None)


def normalize_answers(values: pd.Series, scale: str) -> tuple[pd.Series, pd.Series]:
    """Return (canonical answers, invalid mask). Canonical: 'yes'/'partial'/'no'/'n/a', int level, None.

    Answers repeat a handful of tokens, so each distinct value is parsed once (factorize) and the
    result is spread back with a take: 200,000 answers cost about as much as a dozen.
    """
    codes, uniques = pd.factorize(values.astype("object"), use_na_sentinel=True)
    canon_u, invalid_u = _normalize_distinct(pd.Series(uniques, dtype="object"), scale)
    canon_arr = np.append(canon_u.to_numpy(dtype=object), [None])  # code -1 (missing) -> None
    invalid_arr = np.append(invalid_u.to_numpy(dtype=bool), False)
    return (pd.Series(canon_arr[codes], index=values.index, dtype="object"),
            pd.Series(invalid_arr[codes], index=values.index, dtype=bool))


def _normalize_distinct(values: pd.Series, scale: str) -> tuple[pd.Series, pd.Series]:
    text = _as_text(values)
    if scale == "compliance":
        canon = text.str.lower().map(COMPLIANCE_TOKENS)
    elif scale == "maturity":
        lowered = text.str.lower()
        na = lowered.map(NA_TOKENS)
        num = pd.to_numeric(text, errors="coerce")
        is_level = num.notna() & (num == np.floor(num)) & num.between(1, 5)
        # only the levels are cast: inf, -inf, 1e400 (inf) and "nan" are numbers no int can hold
        levels = np.where(is_level, num.where(is_level, 0).astype(int), np.array(None, dtype=object))
        canon = pd.Series(levels, index=text.index, dtype="object")
        canon = canon.where(is_level, na)
    else:
        raise ValueError(msg("scales.unknown", scale=scale))
    canon = canon.astype("object").where(canon.notna(), None)
    invalid = text.notna() & canon.isna()
    return canon, invalid


def answer_points(canonical: pd.Series, scale: str) -> pd.Series:
    """p in 0..1 per canonical answer; NaN for n/a and blank."""
    if scale == "compliance":
        return canonical.map(COMPLIANCE_POINTS).astype(float)
    levels = pd.to_numeric(canonical.where(canonical != NA), errors="coerce")
    return (levels - 1.0) / 4.0
