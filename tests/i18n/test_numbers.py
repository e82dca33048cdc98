"""Display rounding and dates (qmskit.i18n.numbers): the one place numbers become text, the same in
English and Chinese; the core keeps full precision and formats nothing."""
from __future__ import annotations

import ast
import datetime as dt
import math
from pathlib import Path

import pytest

from qmskit.i18n.numbers import fmt_change, fmt_date, fmt_number, fmt_percent, fmt_target, fmt_value

CORE = Path(__file__).resolve().parents[2] / "qmskit" / "core"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_numbers_round_to_one_decimal_without_a_trailing_zero(lang):
    assert fmt_number(87.54, lang) == "87.5"
    assert fmt_number(100.0, lang) == "100"
    assert fmt_number(99.96, lang) == "100"
    assert fmt_number(0, lang) == "0"
    assert fmt_number(None, lang) == fmt_number(math.nan, lang) == "n/a"
    assert fmt_percent(87.5, lang) == "87.5%" and fmt_percent(None, lang) == "n/a"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_changes_carry_their_sign(lang):
    assert fmt_change(12.54, lang) == "+12.5"
    assert fmt_change(-3.0, lang) == "\u22123"  # a minus sign, not a hyphen
    assert fmt_change(0.01, lang) == fmt_change(-0.04, lang) == "0"
    assert fmt_change(None, lang) == fmt_change(math.nan, lang) == "\u2014"


def test_kpi_values_never_round_onto_their_target():
    assert fmt_value(94.999, "%", 95.0) == "94.999%"  # two decimals would read "95%", the target
    assert fmt_value(92.5, "percent") == "92.5%"
    assert fmt_value(3, "days") == "3 days" and fmt_value(2.5, "") == "2.5"
    assert fmt_value(None, "%") == "\u2014"
    assert fmt_target(95, "higher", "%") == "\u2265 95%" and fmt_target(3, "lower", "days", "zh") == "\u2264 3 days"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dates_are_iso_days(lang):
    assert fmt_date(dt.date(2026, 3, 31), lang) == "2026-03-31"
    assert fmt_date(dt.datetime(2026, 3, 31, 14, 5), lang) == "2026-03-31"
    assert fmt_date("31/03/2026", lang) == "31/03/2026"  # text as the file had it
    assert fmt_date(None, lang) == fmt_date("", lang) == ""


def test_the_core_formats_no_numbers_for_display():
    """Display formatting lives in qmskit.i18n.numbers: no module of the core defines a fmt_* function."""
    defined = [f"{path.name}: {node.name}" for path in sorted(CORE.glob("*.py"))
               for node in ast.walk(ast.parse(path.read_text("utf-8")))
               if isinstance(node, ast.FunctionDef) and node.name.startswith("fmt_")]
    assert not defined


def test_display_rounds_a_half_up_as_written_not_half_to_even():
    """Lead auditor's finding: an impact of 0.625 showed as "0.62" (Python rounds the binary value half
    to even); a reader rounds the written number half up. Display only: the core compares unrounded."""
    from qmskit.i18n.numbers import fmt_impact
    from qmskit.render.report import _impact
    assert fmt_impact(0.625) == _impact(0.625) == "0.63" and fmt_impact(2.675) == "2.68"
    assert fmt_impact(0.125) == "0.13" and fmt_impact(1.0) == "1.00" and fmt_impact(None) == ""
    assert fmt_number(87.25) == "87.3" and fmt_number(0.05) == "0.1" and fmt_number(99.95) == "100"
    assert fmt_number(-0.04) == "0" and fmt_change(-0.25) == "−0.3" and fmt_percent(12.25) == "12.3%"
    assert fmt_value(92.125, "%") == "92.13%"
    assert fmt_number(float("inf")) == "inf"  # beyond a decimal context: Python's own formatting
