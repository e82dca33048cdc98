"""The history report: one self-contained HTML page (Jinja2, autoescaped, inline SVG chart, no scripts).

The page shares the office report's stylesheet. Display text lives in ``STRINGS`` (en, zh); every value
from a file reaches the page through Jinja2's autoescaping, never by string concatenation.
"""
from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import jinja2

from qmskit.api import history_files
from qmskit.core.history import MOVES, History
from qmskit.core.kpis import fmt_target, fmt_value
from qmskit.core.readiness import fmt_number
from qmskit.i18n.catalog import check_lang, t

STRINGS = {
    "en": {
        "kicker": "Assessment history", "subtitle": "One office's assessments over time",
        "checklist": "Checklist", "sec_summary": "Readiness over time", "col_date": "Assessment",
        "col_overall": "Overall", "col_completeness": "Completeness", "col_band": "Readiness",
        "col_kpi_findings": "KPI findings", "sev_major": "Major", "sev_minor": "Minor",
        "sev_observation": "Observations",
        "findings_note": "Findings are counted per severity; KPI findings (indicators missing their target) are "
                         "counted apart and never change the score.",
        "sec_trend": "Score trend", "chart_caption": "Overall score (thick line) and the score of each top-level "
                     "clause (thin lines), 0–100, per assessment; dashed lines are the readiness thresholds.",
        "sec_clauses": "Scores by clause", "col_clause": "Clause", "col_title": "Title", "col_change": "Change",
        "sec_findings": "Findings between assessments", "col_period": "Between",
        "mv_opened": "Opened", "mv_recurring": "Recurring", "mv_closed": "Closed", "mv_still_open": "Still open",
        "mv_unassessed": "Not re-assessed",
        "moves_note": "Opened: a finding for the first time. Recurring: a finding again after it had been closed. "
                      "Closed: fully met or not applicable now. Still open: a finding both times. Not re-assessed: "
                      "a finding before, unanswered now (not counted as closed).",
        "col_id": "ID", "col_severity": "Severity", "col_requirement": "Requirement",
        "sec_kpis": "KPIs against targets", "col_indicator": "Indicator", "col_target": "Target",
        "kpi_note": "Green: target met; red: target missed; —: not measured. Trend: the values over the "
                    "assessments, the dashed line is the target.", "col_trend": "Trend",
        "empty_kpis": "This checklist declares no KPIs.", "sec_notes": "Notes", "sec_method": "How to read this history",
        "method": ["Every file is scored with the same rules as the office report: score = 100 × Σ w·p / Σ w over the "
                   "answered, applicable questions; the readiness band is decided per assessment.",
                   "Assessments are put in date order. Finding movement compares each assessment with the one "
                   "before it, by question id."],
        "rerun": "Re-run with", "threshold_ready": "ready", "threshold_nearly": "nearly", "threshold_dev": "developing",
    },
    "zh": {
        "kicker": "评估历史", "subtitle": "同一单位历次评估的变化", "checklist": "检查表",
        "sec_summary": "历次评估的准备程度", "col_date": "评估", "col_overall": "总分", "col_completeness": "完成度",
        "col_band": "准备程度", "col_kpi_findings": "指标发现项", "sev_major": "严重", "sev_minor": "一般",
        "sev_observation": "观察项",
        "findings_note": "发现项按严重程度计数；绩效指标发现项（指标未达目标）单独计数，不影响得分。",
        "sec_trend": "得分趋势", "chart_caption": "粗线为总分，细线为各一级条款得分（0–100）；虚线为准备程度的判定阈值。",
        "sec_clauses": "各条款得分", "col_clause": "条款", "col_title": "标题", "col_change": "变化",
        "sec_findings": "历次评估之间的发现项变化", "col_period": "期间",
        "mv_opened": "新出现", "mv_recurring": "重复出现", "mv_closed": "已关闭", "mv_still_open": "仍未关闭",
        "mv_unassessed": "未重新评估",
        "moves_note": "新出现：首次成为发现项。重复出现：曾经关闭后再次成为发现项。已关闭：本次已完全满足或不适用。"
                      "仍未关闭：两次均为发现项。未重新评估：上次为发现项、本次未回答（不计为已关闭）。",
        "col_id": "编号", "col_severity": "严重程度", "col_requirement": "要求",
        "sec_kpis": "绩效指标与目标", "col_indicator": "指标", "col_target": "目标",
        "kpi_note": "绿色：达到目标；红色：未达目标；—：未填报。趋势：历次评估的实测值，虚线为目标值。", "col_trend": "趋势",
        "empty_kpis": "本检查表未设定绩效指标。", "sec_notes": "说明", "sec_method": "如何阅读本历史报告",
        "method": ["每个文件均按与单位评估报告相同的规则评分：得分 = 100 × Σ w·p / Σ w（已回答且适用的问题）；"
                   "准备程度按每次评估分别判定。",
                   "评估按日期排序。发现项的变化按问题编号逐次与上一次评估比较。"],
        "rerun": "重新生成命令", "threshold_ready": "具备", "threshold_nearly": "基本具备", "threshold_dev": "建设中",
    },
}
PALETTE = ["#9c6ade", "#2a9d8f", "#e76f51", "#f4a261", "#457b9d", "#8ab17d", "#d62828", "#6d597a", "#e9c46a",
           "#264653", "#b5838d"]
MOVE_DETAIL_FULL = {"opened", "recurring"}  # these get a table; the others a compact list of ids


def strings(lang: str) -> dict:
    return {**STRINGS["en"], **STRINGS.get(lang, {})}


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("qmskit.render", "templates"),
                              autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
                              undefined=jinja2.StrictUndefined)


def _css() -> str:
    return (resources.files("qmskit.render.templates") / "qmskit_report" / "static" / "report.css").read_text(encoding="utf-8")


def _fmt(v) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt_number(v)


def _signed(v) -> tuple[str, str]:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—", ""
    text = fmt_number(abs(v))
    if text == "0":
        return "0", ""
    return ("▲ +" if v > 0 else "▼ −") + text, "qr-di-present" if v > 0 else "qr-sev-major"


def trend_chart(h: History, lang: str) -> dict:
    """Coordinates for the inline SVG: overall (thick) and each top-level clause (thin) over the assessments."""
    s = strings(lang)
    width, height, left, right, top, bottom = 760, 300, 40, 680, 14, 262
    n = len(h.labels)
    xs = [left + (right - left) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    y = lambda v: bottom - (bottom - top) * float(v) / 100.0  # noqa: E731

    def line(values) -> str:
        return " ".join(f"{x:.1f},{y(v):.1f}" for x, v in zip(xs, values)
                        if v is not None and not (isinstance(v, float) and math.isnan(v)))

    overall = list(h.points["overall"])
    tops = h.clauses[h.clauses["level"] == 1]
    th = h.latest.checklist.thresholds
    return {
        "width": width, "height": height, "left": left, "right": right,
        "grid": [{"y": y(v), "label": str(v)} for v in (0, 25, 50, 75, 100)],
        "thresholds": [{"y": y(th["ready_min"]), "color": "#1e7b34", "label": s["threshold_ready"]},
                       {"y": y(th["nearly_ready_min"]), "color": "#b07d00", "label": s["threshold_nearly"]},
                       {"y": y(th["developing_min"]), "color": "#c75a00", "label": s["threshold_dev"]}],
        "xs": [{"x": x, "label": label} for x, label in zip(xs, h.labels)],
        "clauses": [{"label": r["clause"], "color": PALETTE[i % len(PALETTE)], "points": line([r[lab] for lab in h.labels])}
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
    s = strings(lang)
    latest = h.latest
    points = [{"label": r.label, "file": Path(r.source or "").name, "overall": _fmt(r.overall),
               "completeness": _fmt(r.completeness) + ("%" if _fmt(r.completeness) != "—" else ""),
               "readiness": r.readiness, "band": t("band_" + r.readiness, lang), "major": r.major, "minor": r.minor,
               "observation": r.observation, "kpi_findings": r.kpi_findings}
              for r in h.points.itertuples(index=False)]
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
            details.append({"label": s[f"mv_{m}"], "rows": rows, "full": m in MOVE_DETAIL_FULL})
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
    return {"lang": lang, "s": s, "title": f"{h.office} — {s['kicker']}", "office": h.office,
            "checklist": f"{latest.checklist.title_text(lang)} ({latest.checklist.id} {latest.checklist.version})",
            "points": points, "chart": trend_chart(h, lang), "clauses": clauses,
            "title_width": max(20, 60 - 9 * len(h.labels)),
            "moves": [{"label": s[f"mv_{m}"]} for m in MOVES], "transitions": transitions, "kpis": kpis,
            "notes": h.notes, "rerun": rerun, "css": _css(),
            "confidential": str(latest.meta.get("confidentiality") or "")}


def render_history(h: History, lang: str = "en", parameters: dict | None = None) -> str:
    return _environment().get_template("history.html.j2").render(**context(h, lang, parameters))


def build_history_report(paths: list[str | Path], out_dir: str | Path, *, lang: str = "en", checklist=None,
                         force: bool = False) -> tuple[Path, History]:
    """Read and score the files, write ``out_dir/<office>-history.html`` atomically."""
    import warnings

    from qmskit.io import iorw
    from qmskit.io.iorw import slugify

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = history_files(paths, checklist=checklist, force=force)
    h.notes.extend(str(w.message) for w in caught if not issubclass(w.category, (DeprecationWarning, FutureWarning)))
    out = Path(out_dir) / f"{slugify(h.office)}-history.html"
    iorw.write_text(out, render_history(h, lang, {"force": force}))
    return out, h
