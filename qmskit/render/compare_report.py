"""The follow-up comparison report: the sections ``notebooks/compare.ipynb`` displays
(:func:`qmskit.api.build_comparison` executes it with papermill and exports it with nbconvert, like the
office report).

Every piece takes a :class:`~qmskit.core.compare.Comparison` and a language, prepares the values to
show and renders a template under ``templates/compare/`` (autoescaped; the office report's building
blocks and CSS classes, so both reports look alike).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from qmskit.core.compare import Comparison
from qmskit.i18n.catalog import check_lang, readiness_reason, say, t
from qmskit.i18n.numbers import fmt_change, fmt_date, fmt_number, fmt_target, fmt_value
from qmskit.render import charts, palette
from qmskit.render.report import Figure, answer_label, brand_bar
from qmskit.render.templating import Column, checklist_named, render


def _direction(value: Any) -> str:
    """"up" / "down" for a change worth a badge; "" for none or less than 0.05 points."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or abs(value) < 0.05:
        return ""
    return "up" if value > 0 else "down"


def _date(a: Any) -> str:
    return fmt_date(a.meta.get("date"))


def comparison_filename(slug: str, lang: str, audience: Any = "internal") -> str:
    """``<slug>-compare.<lang>.html`` (``….client.html`` for the client's copy), like the office report's."""
    from qmskit.render.report import Audience, check_audience
    client = ".client" if check_audience(audience) is Audience.CLIENT else ""
    return f"{slug}-compare.{check_lang(lang)}{client}.html"


def offices_heading(cmp: Comparison) -> str:
    """The office compared; "before → after" when two offices were compared (``--force``), so no page
    puts one office's name over the other's figures."""
    return f"{cmp.before.office} → {cmp.after.office}" if cmp.offices_differ else cmp.office


def report_title(cmp: Comparison, lang: str = "en", title: str | None = None) -> str:
    return title or f"{offices_heading(cmp)} — {t('compare.kicker', lang)}"


def header_html(cmp: Comparison, lang: str = "en", title: str | None = None, *, brand: Any = None) -> Markup:
    """Kicker, office, the two files compared; the brand bar when a brand is given; the running texts
    every printed page repeats (office, firm, confidentiality line)."""
    from qmskit.render.brand import NEUTRAL, Brand, load_brand

    lang = check_lang(lang)
    brand = brand if isinstance(brand, Brand) else (load_brand(brand) if brand else NEUTRAL)
    bar = brand_bar(brand, lang)
    notice = (str(cmp.after.meta.get("confidentiality") or "") or brand.text("confidentiality", lang)
              or t("confidential_default", lang))
    running = {"left": f"{offices_heading(cmp)} · {t('compare.kicker', lang)}", "right": bar["firm"] or t("compare.kicker", lang),
               "confidential": notice, "footer": brand.text("footer", lang)}
    checklist = cmp.after.checklist

    def side(a: Any) -> str:
        return " · ".join(([a.office] if cmp.offices_differ else []) + [_date(a) or "—", Path(a.source or "").name])

    meta = [(t("checklist", lang), checklist_named(checklist, lang)),
            (t("compare.before", lang), side(cmp.before)), (t("compare.after", lang), side(cmp.after))]
    return render("compare/header.html.j2", lang=lang, **bar, running=running, heading=title or offices_heading(cmp),
                  meta=meta, notice=notice)


def summary_html(cmp: Comparison, lang: str = "en") -> Markup:
    lang = check_lang(lang)
    b, a = cmp.before, cmp.after
    counts = cmp.gap_counts()

    def kpi_met(x: Any) -> int:
        return int((x.kpis["status"] == "met").sum()) if len(x.kpis) else 0

    figures = [
        Figure(t("overall", lang), f"{fmt_number(b.overall, lang)} → {fmt_number(a.overall, lang)}",
               fmt_change(cmp.overall_change, lang)),
        Figure(t("completeness", lang), f"{fmt_number(b.completeness, lang)}% → {fmt_number(a.completeness, lang)}%",
               fmt_change(cmp.completeness_change, lang)),
        Figure(t("compare.fig_closed", lang), str(counts["closed"])),
        Figure(t("compare.fig_opened", lang), str(counts["opened"])),
    ]
    if len(a.kpis):
        figures.append(Figure(t("compare.fig_kpis", lang), f"{kpi_met(b)} → {kpi_met(a)}", f"/ {len(a.kpis)}"))
    return render("compare/summary.html.j2", lang=lang, band=a.readiness, shown_before=b.display_band,
                  shown_after=a.display_band, change=cmp.readiness_change,
                  reasons=[readiness_reason(r, lang) for r in a.reasons], figures=figures)


def chart_geometry(cmp: Comparison, lang: str = "en") -> dict[str, Any]:
    """Grouped bars per top-level clause, before (light) and after (the accent blue), labelled by clause
    number; the legend names each side by its assessment date ("before"/"after" when a file has none;
    numbered when both have the same date); "—" marks a side nobody answered. The office report's chart
    code draws it (:mod:`qmskit.render.charts`); every label is text, never interpreted."""
    top = cmp.clauses[cmp.clauses["level"] == 1]
    lb = _date(cmp.before) or t("compare.before", lang)
    la = _date(cmp.after) or t("compare.after", lang)
    if lb == la:
        lb, la = f"{lb} (1)", f"{la} (2)"
    values = {side: [None if pd.isna(v) else float(v) for v in top[side]] for side in ("before", "after")}
    n = len(top)
    return charts.bar_chart([str(c) for c in top["clause"]],
                            [charts.Bars(values["before"], [palette.BEFORE] * n, lb),
                             charts.Bars(values["after"], [palette.AFTER] * n, la)],
                            title=t("compare.sec_chart", lang), y_title=t("col_score", lang), value_labels=False)


def chart_svg(cmp: Comparison, lang: str = "en") -> Markup:
    return charts.chart_svg(chart_geometry(cmp, lang))


def chart_html(cmp: Comparison, lang: str = "en") -> Markup:
    lang = check_lang(lang)
    return render("compare/chart.html.j2", lang=lang, c=chart_geometry(cmp, lang))


def clause_table_html(cmp: Comparison, lang: str = "en", max_level: int = 2) -> Markup:
    lang = check_lang(lang)
    c = cmp.clauses[cmp.clauses["level"] <= max_level]
    titles = c[f"title_{lang}"].where(c[f"title_{lang}"] != "", c["title_en"])
    rows = [{"clause": clause, "title": title, "before": fmt_number(before, lang) if not pd.isna(before) else "—",
             "after": fmt_number(after, lang) if not pd.isna(after) else "—", "change": fmt_change(change, lang),
             "direction": _direction(change)}
            for clause, title, before, after, change in zip(c["clause"], titles, c["before"], c["after"], c["change"])]
    columns = [Column("clause", t("col_clause", lang), "9%"), Column("title", t("col_title", lang), "49%"),
               Column("before", t("compare.before", lang), "12%", numeric=True),
               Column("after", t("compare.after", lang), "12%", numeric=True),
               Column("change", t("compare.change", lang), "18%", numeric=True)]
    return render("compare/clauses.html.j2", lang=lang, columns=columns, rows=rows,
                  row_classes=[f"qr-level-{lvl}" for lvl in c["level"]])


GAP_GROUPS = (("closed", ["closed"], False), ("opened", ["opened"], False),
              ("persisting", ["improved", "worsened", "unchanged"], True), ("unassessed", ["unassessed"], False))


def _gap_rows(cmp: Comparison, statuses: list[str], lang: str, fate: bool = False) -> list[dict[str, Any]]:
    g = cmp.gaps[cmp.gaps["status"].isin(statuses)]
    texts = g[f"text_{lang}"].where(g[f"text_{lang}"].fillna("") != "", g["text_en"])
    rows = []
    for r, text in zip(g.to_dict("records"), texts):
        row = {"severity": r["severity_after"] or r["severity_before"], "clause": r["clause"], "id": r["id"],
               "requirement": text, "before": answer_label(r["answer_before"], lang),
               "after": answer_label(r["answer_after"], lang)}
        if fate:
            row["fate"] = t(f"compare.st_{r['status']}", lang)
        rows.append(row)
    return rows


def _gap_columns(lang: str, fate: bool) -> list[Column]:
    cols = [Column("severity", t("col_severity", lang), "11%"), Column("clause", t("col_clause", lang), "8%"),
            Column("id", t("col_id", lang), "11%"),
            Column("requirement", t("col_question", lang), "46%" if not fate else "36%"),
            Column("before", t("compare.col_before_answer", lang), "12%"),
            Column("after", t("compare.col_after_answer", lang), "12%")]
    if fate:
        cols.append(Column("fate", t("compare.col_fate", lang), "10%"))
    return cols


def gaps_html(cmp: Comparison, lang: str = "en") -> Markup:
    """Closed, opened, still open (improved / worsened / unchanged) and not re-assessed gaps."""
    lang = check_lang(lang)
    groups = []
    for key, statuses, fate in GAP_GROUPS:
        rows = _gap_rows(cmp, statuses, lang, fate)
        if key == "unassessed" and not rows:
            continue
        groups.append({"key": key, "rows": rows, "columns": _gap_columns(lang, fate)})
    return render("compare/gaps.html.j2", lang=lang, groups=groups)


KPI_RESULT_CLASS = {"now_met": "qr-di-present", "still_met": "qr-di-present", "now_missed": "qr-sev-major",
                    "still_missed": "qr-sev-minor", "newly_measured": "qr-di-unanswered",
                    "not_measured": "qr-di-unanswered"}


def kpis_html(cmp: Comparison, lang: str = "en") -> Markup:
    lang = check_lang(lang)
    k = cmp.kpis
    rows = [{"id": r["id"], "indicator": r[f"name_{lang}"], "target": fmt_target(r["target"], r["direction"], r["unit"]),
             "before": fmt_value(r["before"], r["unit"], r["target"]),
             "after": fmt_value(r["after"], r["unit"], r["target"]), "change": fmt_change(r["change"], lang),
             "result": r["change_kind"], "result_class": KPI_RESULT_CLASS[r["change_kind"]]}
            for r in k.to_dict("records")] if len(k) else []
    columns = [Column("id", t("col_id", lang), "15%"), Column("indicator", t("compare.col_indicator", lang), "31%"),
               Column("target", t("compare.col_target", lang), "9%"),
               Column("before", t("compare.before", lang), "10%", numeric=True),
               Column("after", t("compare.after", lang), "10%", numeric=True),
               Column("change", t("compare.change", lang), "10%", numeric=True),
               Column("result", t("compare.col_result", lang), "15%")]
    return render("compare/kpis.html.j2", lang=lang, columns=columns, rows=rows)


def rerun_command(parameters: dict, lang: str) -> str:
    cmd = ["qmskit", "compare", str(parameters.get("before")), str(parameters.get("after")), "-o", "DIR",
           "--lang", lang] + (["--force"] if parameters.get("force") else []) + \
          (["--checklist", str(parameters["checklist"])] if parameters.get("checklist") else [])
    return " ".join(cmd)


def notes_html(cmp: Comparison, lang: str = "en", parameters: dict | None = None) -> Markup:
    """Reader warnings kept as notes, how to read the comparison and (internal copy) the re-run command."""
    lang = check_lang(lang)
    return render("compare/notes.html.j2", lang=lang, notes=[say(n, lang) for n in cmp.notes],
                  rerun=rerun_command(parameters, lang) if parameters else "")


def sections(cmp: Comparison, lang: str = "en", parameters: dict | None = None, title: str | None = None) -> list[str]:
    return [header_html(cmp, lang, title), summary_html(cmp, lang), chart_html(cmp, lang),
            clause_table_html(cmp, lang), gaps_html(cmp, lang), kpis_html(cmp, lang),
            notes_html(cmp, lang, parameters)]


__all__ = ["chart_html", "sections"]
