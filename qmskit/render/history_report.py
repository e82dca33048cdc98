"""The history report: one self-contained HTML page (Jinja2, autoescaped, inline SVG chart, no scripts).

The page shares the office report's stylesheet and palette. Display text comes from the message catalog
(``history.*`` keys, through the template's ``t``); every value from a file reaches the page through
Jinja2's autoescaping (templates/history.html.j2), never by string concatenation.
"""
from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

from markupsafe import Markup

from qmskit.core.history import MOVES, History
from qmskit.i18n.catalog import check_lang, say, t
from qmskit.i18n.numbers import fmt_change, fmt_number, fmt_target, fmt_value
from qmskit.render.palette import SERIES, band_colour  # one colour per top-level clause, as in the report's chart
from qmskit.render.templating import checklist_named, render

MOVE_DETAIL_FULL = {"opened", "recurring"}  # these get a table; the others a compact list of ids


def history_filename(slug: str, lang: str) -> str:
    """``<slug>-history.<lang>.html``: the language in the name, as the report's and the comparison's, so an
    English and a Chinese history never overwrite each other."""
    return f"{slug}-history.{check_lang(lang)}.html"


def _css() -> Markup:
    """The office report's stylesheet, inlined as is (CSS is not HTML: escaping would break ``a > b``)."""
    css = (resources.files("qmskit.render.templates") / "qmskit_report" / "static" / "report.css").read_text(encoding="utf-8")
    return Markup(css)


def _fmt(v) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt_number(v)


def _signed(v) -> tuple[str, str]:
    """A change with an arrow and the class that colours it: "▲ +12.5" (green), "▼ −3" (red), "0", "—"."""
    text = fmt_change(v)
    if text in ("—", "0"):
        return text, ""
    return ("▲ " if v > 0 else "▼ ") + text, "qr-di-present" if v > 0 else "qr-sev-major"


LABEL_FONT_PX = 11    # svg.qr-trend text in report.css
LABEL_GAP_PX = 13     # the least distance between two threshold labels' baselines (one line of 11 px text)


def _text_width(text: str) -> float:
    """About how wide ``text`` is drawn at LABEL_FONT_PX: a CJK character is square, a Latin one ~0.58 of it."""
    return sum(LABEL_FONT_PX if ord(c) >= 0x2E80 else 0.58 * LABEL_FONT_PX for c in text)


def threshold_labels(ys: list[float], top: float, bottom: float) -> list[float]:
    """Baselines for the threshold labels (the lines at ``ys``, top to bottom): each beside its line, moved
    apart where two thresholds lie closer than a line of text (checklists may set 80/75), kept in the plot."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = [0.0] * len(ys)
    last = -math.inf
    for i in order:
        placed[i] = max(ys[i] + LABEL_FONT_PX / 2 - 1, last + LABEL_GAP_PX, top + LABEL_FONT_PX)
        last = placed[i]
    overflow = last - (bottom + LABEL_FONT_PX / 2)
    if overflow > 0:  # pushed below the plot: move the stack up instead
        placed = [v - overflow for v in placed]
    return placed


def trend_chart(h: History, lang: str) -> dict:
    """Coordinates for the inline SVG: overall (thick) and each top-level clause (thin) over the assessments.

    The thresholds' names stand in a margin right of the plot, beside their dashed lines: inside the plot
    they lay over the latest scores (which are drawn at its right edge) and over each other."""
    th = h.latest.checklist.thresholds
    bands = ("ready", "nearly_ready", "developing")
    names = [t(f"band_{band}", lang) for band in bands]  # the bands' own names
    width, height, left, top, bottom = 760, 300, 40, 14, 262
    right = round(width - 8 - max(min(max(map(_text_width, names)), 200), 60))  # the labels' margin: at most 200 px
    n = len(h.labels)
    xs = [left + (right - left) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    y = lambda v: bottom - (bottom - top) * float(v) / 100.0  # noqa: E731

    def line(values) -> str:
        return " ".join(f"{x:.1f},{y(v):.1f}" for x, v in zip(xs, values)
                        if v is not None and not (isinstance(v, float) and math.isnan(v)))

    overall = list(h.points["overall"])
    tops = h.clauses[h.clauses["level"] == 1]
    lines = [y(th[f"{band}_min"]) for band in bands]
    return {
        "width": width, "height": height, "left": left, "right": right, "top": top, "bottom": bottom,
        "grid": [{"y": y(v), "label": str(v)} for v in (0, 25, 50, 75, 100)],
        "thresholds": [{"y": line_y, "label_y": f"{label_y:.1f}", "color": band_colour(band), "label": name}
                       for band, name, line_y, label_y in zip(bands, names, lines, threshold_labels(lines, top, bottom))],
        "xs": [{"x": x, "label": label} for x, label in zip(xs, h.labels)],
        "clauses": [{"label": r["clause"], "color": SERIES[i % len(SERIES)], "points": line([r[lab] for lab in h.labels])}
                    for i, r in enumerate(tops.to_dict("records"))],
        "overall": {"points": line(overall),
                    "dots": [{"x": x, "y": y(v), "label": f"{label}: {_fmt(v)}"} for x, v, label in
                             zip(xs, overall, h.labels) if v is not None and not math.isnan(float(v))]},
    }


def sparkline(values: list, target: float, width: int = 120, height: int = 28) -> dict | None:
    """A small trend line of one KPI with its target as a dashed line (None with fewer than two values)."""
    pts = [(i, float(v)) for i, v in enumerate(values) if v is not None and not math.isnan(float(v))]
    if len(pts) < 2:
        return None
    lo, hi = min([v for _, v in pts] + [target]), max([v for _, v in pts] + [target])
    span = (hi - lo) or 1.0
    x = lambda i: 4 + (width - 8) * i / max(len(values) - 1, 1)  # noqa: E731
    y = lambda v: height - 4 - (height - 8) * (v - lo) / span  # noqa: E731
    return {"width": width, "height": height, "target_y": f"{y(target):.1f}",
            "points": " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in pts),
            "last": {"x": f"{x(pts[-1][0]):.1f}", "y": f"{y(pts[-1][1]):.1f}"}}


def context(h: History, lang: str = "en", parameters: dict | None = None) -> dict:
    lang = check_lang(lang)
    latest = h.latest
    points = [{"label": r["label"], "file": " · ".join(([r["office"]] if h.offices_differ else [])
                                                       + [Path(r["source"] or "").name]), "overall": _fmt(r["overall"]),
               "completeness": _fmt(r["completeness"]) + ("%" if _fmt(r["completeness"]) != "—" else ""),
               "readiness": r["readiness"], "band": t(f"band_{r['readiness']}", lang), "major": r["major"],
               "minor": r["minor"], "observation": r["observation"], "kpi_findings": r["kpi_findings"]}
              for r in h.points.to_dict("records")]
    clauses = []
    for r in h.clauses[h.clauses["level"] <= 2].to_dict("records"):
        change, cls = _signed(r[h.labels[-1]] - r[h.labels[0]])
        clauses.append({"clause": r["clause"], "level": int(r["level"]),
                        "title": r[f"title_{lang}"] or r["title_en"], "scores": [_fmt(r[lab]) for lab in h.labels],
                        "change": change, "change_class": cls})
    qinfo = {}
    for a in h.assessments:  # the latest wording wins; questions only in older checklists keep theirs
        for q in a.questions.to_dict("records"):
            qinfo[q["id"]] = q
    severity = {}
    for a in h.assessments:
        severity.update(dict(zip(a.gaps["id"], a.gaps["severity"])))
    transitions = []
    for tr in h.transitions:
        details = []
        for m in MOVES:
            rows = [{"id": i, "clause": qinfo.get(i, {}).get("clause", ""), "severity": severity.get(i),
                     "severity_label": t(f"sev_{severity[i]}", lang) if severity.get(i) else "",
                     "text": qinfo.get(i, {}).get(f"text_{lang}") or qinfo.get(i, {}).get("text_en", "")}
                    for i in tr.ids.get(m, [])]
            details.append({"label": t(f"history.mv_{m}", lang), "rows": rows, "full": m in MOVE_DETAIL_FULL})
        transitions.append({"before": tr.before, "after": tr.after, "counts": [tr.counts()[m] for m in MOVES],
                            "details": details})
    kpis = []
    for r in h.kpis.to_dict("records"):
        kpis.append({"name": r[f"name_{lang}"] or r["name_en"], "target": fmt_target(r["target"], r["direction"], r["unit"]),
                     "spark": sparkline([r[f"value:{lab}"] for lab in h.labels], float(r["target"])),
                     "cells": [{"status": r[f"status:{lab}"],
                                 "text": fmt_value(r[f"value:{lab}"], r["unit"], r["target"])} for lab in h.labels]})
    params = parameters or {}
    rerun = " ".join(["qmskit", "history", *[Path(a.source or "").name for a in h.assessments], "-o", "DIR",
                      "--lang", lang] + (["--force"] if params.get("force") else []))
    return {"lang": lang, "title": f"{h.offices_heading} — {t('history.kicker', lang)}", "office": h.offices_heading,
            "checklist": checklist_named(latest.checklist, lang),
            "points": points, "chart": trend_chart(h, lang), "clauses": clauses,
            "title_width": max(20, 60 - 9 * len(h.labels)),
            "moves": [{"label": t(f"history.mv_{m}", lang)} for m in MOVES], "transitions": transitions, "kpis": kpis,
            "notes": [say(n, lang) for n in h.notes], "rerun": rerun, "css": _css(),
            "confidential": str(latest.meta.get("confidentiality") or "")}


def render_history(h: History, lang: str = "en", parameters: dict | None = None) -> str:
    return render("history.html.j2", **context(h, lang, parameters))
