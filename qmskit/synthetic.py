"""Synthetic answers for example offices and benchmarks (never for real assessments)."""
from __future__ import annotations


def draw_answer(critical: bool, u: float, p_yes: float, p_partial: float, p_blank: float,
                p_crit_yes: float) -> str:
    """Map one uniform draw ``u`` in [0, 1) to a compliance answer.

    Critical questions are always answered (yes with ``p_crit_yes``, the rest split partial/no);
    others are blank with ``p_blank`` and otherwise yes/partial/no by ``p_yes``/``p_partial``.
    Taking the draw as an argument keeps the caller's random stream (and so its files) unchanged.
    """
    if critical:
        return "yes" if u < p_crit_yes else ("partial" if u < p_crit_yes + (1 - p_crit_yes) / 2 else "no")
    if u < p_blank:
        return ""
    if u < p_blank + p_yes * (1 - p_blank):
        return "yes"
    if u < p_blank + (p_yes + p_partial) * (1 - p_blank):
        return "partial"
    return "no"
