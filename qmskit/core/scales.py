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


_BOOLS = (bool, np.bool_)
# what infer_dtype says of values equal to 0 or 1 that cannot mix a boolean with a number
_ONE_KIND = {"integer", "floating", "mixed-integer-float", "boolean", "decimal", "complex"}


def factorize_answers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of a column of answers as ``pd.factorize`` gives them (-1 for a missing
    value), except that a boolean is never merged with a number. True == 1 and False == 0 with equal
    hashes, so factorize alone gives an Excel TRUE or a YAML ``true`` the parse of level 1 when a 1 came
    first (and a 1 the parse of TRUE when TRUE did); a boolean is no answer on either scale.

    Only the (at most two) distinct values equal to 0 or 1 can hide the other kind; their cells are
    looked at one by one only when pandas' C-level type inference finds booleans mixed with numbers."""
    array = values.to_numpy(dtype=object)
    codes, uniques = pd.factorize(array, use_na_sentinel=True)
    twins: list = []
    for code, unique in enumerate(uniques.tolist()):
        if unique.__class__ is str or not _is_zero_or_one(unique):
            continue
        members = np.flatnonzero(codes == code)
        if pd.api.types.infer_dtype(array[members], skipna=False) in _ONE_KIND:
            continue
        is_bool = np.fromiter((v.__class__ in _BOOLS for v in array[members]), dtype=bool, count=len(members))
        moved = members[is_bool != isinstance(unique, _BOOLS)]  # the cells of the kind the group's value is not
        if len(moved):
            codes[moved] = len(uniques) + len(twins)
            twins.append(array[moved[0]])
    if twins:
        extra = np.empty(len(twins), dtype=object)
        extra[:] = twins
        uniques = np.concatenate([uniques, extra])
    return codes, uniques


def _is_zero_or_one(value) -> bool:
    try:
        return bool(value == 0 or value == 1)
    except (TypeError, ValueError):  # a value whose == gives no truth value (an array)
        return False


def normalize_answers(values: pd.Series, scale: str) -> tuple[pd.Series, pd.Series]:
    """Return (canonical answers, invalid mask). Canonical: 'yes'/'partial'/'no'/'n/a', int level, None.

    Answers repeat a handful of tokens, so each distinct value is parsed once (factorize) and the
    result is spread back with a take: 200,000 answers cost about as much as a dozen.
    """
    codes, uniques = factorize_answers(values)
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
