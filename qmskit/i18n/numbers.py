"""Numbers and dates as a page or a terminal shows them, per language.

Display rounding happens here and nowhere else: the core computes in full precision and compares
thresholds on unrounded values (design.md, "Scoring"). English and Chinese reports write numbers the same
way today (``87.5``, ``100``, ISO dates ``2026-03-31``); the language is a parameter so a language that
writes them otherwise needs a change here only.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from qmskit.core.model import PERCENT_UNITS, TOL
from qmskit.core.values import is_blank

NO_NUMBER = "n/a"  # what fmt_number prints for a number that is not there (None or NaN)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def rounded(value: float, digits: int) -> str:
    """``value`` with ``digits`` decimals, a half rounded up as a reader does it by hand (0.625 → "0.63",
    87.25 → "87.3"): on the number as it is written (its shortest repr), not on its binary value, which
    Python's own formatting rounds half to even (0.625 → "0.62"). Display only; the core compares the
    unrounded values."""
    try:
        text = format(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP), "f")
    except InvalidOperation:  # an infinity, or more digits than a decimal context holds (never a score)
        return f"{float(value):.{digits}f}"
    return "0" + text[2:] if text.startswith("-0") and not text.strip("-0.") else text  # no "-0.0"


def fmt_number(value: float | None, lang: str = "en") -> str:
    """Display rounding only: one decimal, half up, a trailing ``.0`` dropped (``87.5``, ``100``); ``n/a``
    for none."""
    if value is None or _missing(value):
        return NO_NUMBER
    text = rounded(value, 1)
    return text[:-2] if text.endswith(".0") else text


def fmt_impact(value: float | None) -> str:
    """A gap's impact (points of the overall score) with two decimals, half up; "" for none."""
    return "" if value is None or _missing(value) else rounded(value, 2)


def fmt_percent(value: float | None, lang: str = "en") -> str:
    """A percentage: ``87.5%``; ``n/a`` when there is none."""
    text = fmt_number(value, lang)
    return text if text == NO_NUMBER else f"{text}%"


def fmt_change(value: float | None, lang: str = "en") -> str:
    """A change with its sign, rounded for display: ``+12.5``, ``−3`` (a minus sign, not a hyphen), ``0``;
    ``—`` for none."""
    if value is None or _missing(value):
        return "—"
    text = fmt_number(abs(value), lang)
    return "0" if text == "0" else ("+" if value > 0 else "−") + text


def fmt_value(value: Any, unit: str, target: float | None = None, lang: str = "en") -> str:
    """A KPI's measured value with its unit (``92.5%``, ``3 days``): two decimals at most, but never so few
    that a missed target reads like the target itself; ``—`` for none."""
    if is_blank(value):
        return "—"
    digits = 2
    while (target is not None and digits < 12 and abs(float(value) - float(target)) > TOL
           and round(float(value), digits) == round(float(target), digits)):
        digits += 1
    text = rounded(float(value), digits).rstrip("0").rstrip(".")
    return f"{text}%" if unit in PERCENT_UNITS else (f"{text} {unit}" if unit else text)


def fmt_target(target: float, direction: str, unit: str, lang: str = "en") -> str:
    """A KPI's target with its direction: ``≥ 95%`` (higher is better), ``≤ 3 days``."""
    return ("≥ " if direction == "higher" else "≤ ") + fmt_value(target, unit, lang=lang)


def fmt_date(value: Any, lang: str = "en") -> str:
    """A date as ``YYYY-MM-DD`` (a date, a datetime's day, or text as the file had it); ``""`` for none."""
    if is_blank(value):
        return ""
    if hasattr(value, "date") and callable(value.date) and hasattr(value, "hour"):  # a datetime: its day
        value = value.date()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


_KIB, _MIB = 1024, 1024 * 1024


def fmt_size(n: int):
    """A size in bytes as a line shows it, a :class:`qmskit.errors.Message` (said in the line's language):
    ``900 bytes``, ``64 KB``, ``16.1 MB`` (1 KB = 1,024 bytes, as the limits are set). One decimal, a
    trailing ``.0`` dropped, rounded up: a file over a limit never shows as the limit itself ("20.1 MB;
    the limit is 20 MB", not "20 MB; the limit is 20 MB")."""
    from qmskit.i18n.catalog import msg
    if n < _KIB:
        return msg("numbers.size_bytes", n=n, count=f"{n:,}")
    unit, key = (_KIB, "numbers.size_kb") if n < _MIB else (_MIB, "numbers.size_mb")
    tenths = -(-n * 10 // unit)  # ceiling, in integers: no float rounding down
    text = f"{tenths // 10:,}" + (f".{tenths % 10}" if tenths % 10 else "")
    return msg(key, size=text)
