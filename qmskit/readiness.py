"""The readiness verdict: checked from the top band down, first match wins, with its reasons."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

BANDS = ["ready", "nearly_ready", "developing", "early_stage"]
TOL = 1e-9  # thresholds compare unrounded values with this tolerance


def fmt_number(value: float | None) -> str:
    """Display rounding only: one decimal, trailing .0 dropped."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _null(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def readiness_verdict(overall: float | None, completeness: float | None, major_clauses: list[str],
                      thresholds: dict) -> tuple[str, list[str]]:
    """Return (band, reasons). ``major_clauses`` has one clause number per major gap (document order)."""
    th = thresholds
    n_major = len(major_clauses)
    clauses_txt = ", ".join(dict.fromkeys(major_clauses))
    majors = (f"{n_major} major gap{'s' if n_major != 1 else ''}: {clauses_txt}" if n_major else "no major gaps")
    comp = f"completeness {fmt_number(completeness)}%"
    over = "no answered questions" if _null(overall) else f"overall {fmt_number(overall)}"

    def below(value, minimum) -> bool:
        return _null(value) or value < minimum - TOL

    ready_fail = []
    if below(completeness, 100):
        ready_fail.append(f"{comp} (ready needs 100%)")
    if n_major:
        ready_fail.append(f"{majors} (ready needs none)")
    if below(overall, th["ready_min"]):
        ready_fail.append(f"{over} (ready needs ≥ {fmt_number(th['ready_min'])})")
    if not ready_fail:
        return "ready", [comp, majors, f"{over} ≥ {fmt_number(th['ready_min'])}"]

    near_fail = []
    if below(completeness, 90):
        near_fail.append(f"{comp} (nearly ready needs ≥ 90%)")
    if below(overall, th["nearly_ready_min"]):
        near_fail.append(f"{over} (nearly ready needs ≥ {fmt_number(th['nearly_ready_min'])})")
    if n_major > th["nearly_ready_max_major"]:
        near_fail.append(f"{majors} (nearly ready allows at most {th['nearly_ready_max_major']})")
    if not near_fail:
        return "nearly_ready", ready_fail
    if not below(overall, th["developing_min"]):
        return "developing", near_fail
    dev = f"{over} (developing needs ≥ {fmt_number(th['developing_min'])})"
    return "early_stage", [dev] + [r for r in near_fail if not r.startswith(over)]


def readiness_bands(overall: pd.Series, completeness: pd.Series, n_major: pd.Series,
                    thresholds: dict) -> pd.Series:
    """The same verdict for many offices at once (no reasons)."""
    th = thresholds
    o = overall.to_numpy(dtype=float)
    c = completeness.to_numpy(dtype=float)
    m = n_major.to_numpy()
    with np.errstate(invalid="ignore"):
        ready = (c >= 100 - TOL) & (m == 0) & (o >= th["ready_min"] - TOL)
        near = (c >= 90 - TOL) & (o >= th["nearly_ready_min"] - TOL) & (m <= th["nearly_ready_max_major"])
        dev = o >= th["developing_min"] - TOL
    return pd.Series(np.select([ready, near, dev], BANDS[:3], BANDS[3]), index=overall.index, name="readiness")
