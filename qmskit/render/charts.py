"""The bar charts of the office report and the comparison: inline SVG, drawn from computed coordinates.

:func:`bar_chart` computes everything ``templates/chart.svg.j2`` draws: groups of bars along the x axis
(one bar per group for the office report's clause scores, a before and an after bar for the comparison),
each group labelled under the axis, a score over each bar (or only "—" where there is none), dashed
threshold lines, a legend above the plot. The SVG is a few KB (a PNG of the same chart was ~15 KB of
base64), crisp at any zoom and in print, needs no font files and no matplotlib: labels, dates and words
in any script (Chinese included) are text, drawn by the reader's own fonts, and never interpreted
(no mathtext; autoescaped like every template).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from qmskit.render import palette
from qmskit.render.templating import render

WIDTH, HEIGHT = 1000, 340
Y_TOP = 108  # the y axis runs to 108 so a score label fits above a bar of 100
ROTATE_OVER = 40  # more groups than this: their labels are turned upright
LEGEND_ITEM = 220  # room for a swatch and a label such as "2026-03-31 (2)"


@dataclass(frozen=True)
class Bars:
    """One series: a value per group (None or NaN: no bar, a "—"), a colour per group, a legend label."""
    values: Sequence[float | None]
    colours: Sequence[str]
    label: str = ""


@dataclass(frozen=True)
class Threshold:
    value: float
    dash: str  # SVG stroke-dasharray: "6 4" dashed, "2 3" dotted


def _f(value: float) -> str:
    """A coordinate to a tenth, without a trailing ".0" (``314``, ``62.3``)."""
    return f"{value:.1f}".removesuffix(".0")


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def bar_chart(groups: Sequence[str], series: Sequence[Bars], *, title: str = "", y_title: str = "",
              thresholds: Sequence[Threshold] = (), value_labels: bool = True) -> dict[str, Any]:
    """The coordinates of a (grouped) bar chart on a 0–100 scale. ``value_labels``: each bar's rounded
    score above it; without, only a missing value is marked ("—" on the axis)."""
    n = max(len(groups), 1)
    rotate = n > ROTATE_OVER
    legend = [s for s in series if s.label]
    left = 48 if y_title else 34
    right, top = 8, 12 + (22 if legend else 0)
    bottom = 52 if rotate else 26
    plot_w, plot_h = WIDTH - left - right, HEIGHT - top - bottom
    step = plot_w / n
    group_w = step * 0.72
    bar_w = group_w / max(len(series), 1)

    legend_x = left + plot_w / 2 - LEGEND_ITEM * len(legend) / 2  # centred above the plot, never over a bar

    def y(value: float) -> float:
        return top + plot_h * (1 - value / Y_TOP)

    # the bars as strokes of the bar's width, one path per colour (a rect per bar was ~70 bytes, a
    # segment of a path is ~15): "M<centre> <base>V<top>"
    paths: dict[str, list[str]] = {}
    out_groups = []
    for i, label in enumerate(groups):
        x0 = left + step * i + step * 0.14
        bars = []
        for k, s in enumerate(series):
            value = _number(s.values[i])
            missing = math.isnan(value)
            x = x0 + bar_w * k
            text = "—" if missing else (f"{value:.0f}" if value_labels else "")
            bars.append({"x": _f(x), "y": _f(y(0 if missing else value)), "colour": s.colours[i],
                         "height": "" if missing else _f(y(0) - y(value)), "centre": _f(x + bar_w / 2),
                         "label": text, "label_y": _f(y(0 if missing else value) - 3)})
            if not missing:
                paths.setdefault(s.colours[i], []).append(f"M{_f(x + bar_w / 2)} {_f(y(0))}V{_f(y(value))}")
        centre = x0 + group_w / 2
        out_groups.append({"label": label, "bars": bars, "centre": _f(centre), "label_x": _f(centre + 3)})
    return {"width": WIDTH, "height": HEIGHT, "left": left, "right": WIDTH - right, "title": title,
            "bar_paths": [{"colour": colour, "d": "".join(d)} for colour, d in paths.items()],
            "ink": palette.CHART_INK, "tick_x": left - 5, "bar_width": _f(bar_w), "rotate": rotate,
            "ticks": [{"y": _f(y(tick) + 3.5), "label": tick} for tick in (0, 20, 40, 60, 80, 100)],
            "axis": f"M{left} {top}V{_f(y(0))}H{WIDTH - right}", "groups": out_groups,
            "group_label_y": _f(y(0) + 5) if rotate else _f(y(0) + 14),
            "y_title": y_title, "y_title_at": f"translate(12 {_f(top + plot_h / 2)}) rotate(-90)",
            "legend": [{"x": _f(legend_x + LEGEND_ITEM * k), "text_x": _f(legend_x + LEGEND_ITEM * k + 17),
                        "colour": s.colours[0], "label": s.label} for k, s in enumerate(legend)],
            "thresholds": [{"y": _f(y(th.value)), "dash": th.dash} for th in thresholds]}


def chart_svg(chart: dict[str, Any]) -> Markup:
    """The chart as inline SVG (HTML5: no xmlns, no URL)."""
    return render("chart.svg.j2", c=chart)
