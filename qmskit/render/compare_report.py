"""The follow-up comparison report: HTML pieces for ``notebooks/compare.ipynb`` and the function that
executes it (papermill) and exports it (nbconvert) like the office report.

Every piece takes a :class:`~qmskit.core.compare.Comparison` and a language and returns escaped HTML,
built with the office report's helpers and CSS classes so both reports look alike.
"""
from __future__ import annotations

import base64
import io
import math
import warnings
from pathlib import Path

import pandas as pd

from qmskit.api import compare_files
from qmskit.core.compare import Comparison
from qmskit.core.kpis import fmt_target, fmt_value
from qmskit.core.readiness import fmt_number
from qmskit.i18n.catalog import check_lang, readiness_reason, t
from qmskit.io.iorw import slugify
from qmskit.render.report import (
    Safe,
    answer_label,
    badge,
    brand_style,
    empty,
    esc,
    html_table,
    running_html,
    section,
)

STRINGS = {
    "en": {
        "kicker": "Follow-up comparison", "title": "Follow-up: what changed between two assessments",
        "before": "Before", "after": "After", "change": "Change", "file": "File", "sec_summary": "Summary",
        "verdict_change": "Readiness verdict", "ch_improved": "improved", "ch_worsened": "worsened",
        "ch_unchanged": "unchanged", "sec_chart": "Scores by clause, before and after",
        "chart_caption": "Score per top-level clause (0–100): light bars before, dark bars after.",
        "sec_clauses": "Score change by clause", "sec_closed": "Gaps closed", "sec_opened": "Gaps opened",
        "sec_persisting": "Gaps still open", "sec_unassessed": "Gaps not re-assessed", "sec_kpis": "KPI changes",
        "sec_notes": "Notes", "sec_method": "How to read this comparison",
        "fig_closed": "Gaps closed", "fig_opened": "Gaps opened", "fig_kpis": "KPIs meeting target",
        "st_improved": "improved", "st_worsened": "worsened", "st_unchanged": "unchanged",
        "empty_closed": "No gap was closed.", "empty_opened": "No new gap.", "empty_persisting": "No gap is still open.",
        "empty_kpis": "This checklist declares no KPIs.",
        "kk_now_met": "now met", "kk_now_missed": "now missed", "kk_still_met": "still met",
        "kk_still_missed": "still missed", "kk_newly_measured": "newly measured", "kk_not_measured": "not measured",
        "col_before_answer": "Before", "col_after_answer": "After", "col_indicator": "Indicator",
        "col_target": "Target", "col_result": "Result", "col_fate": "Now",
        "method": ("<p>Both files are scored with the same rules as the office report. <b>Change</b> is the "
                   "after score minus the before score, in points out of 100.</p><p>A gap is <b>closed</b> when "
                   "the requirement is fully met (or not applicable) in the later assessment, <b>opened</b> when "
                   "it was met, not applicable or unanswered before and is a gap now. A gap that persists is "
                   "<b>improved</b> or <b>worsened</b> when its answer moved (e.g. no → partial); a gap left "
                   "unanswered in the later assessment is listed as <b>not re-assessed</b>, not as closed.</p>"
                   "<p>KPIs compare the measured values of both files against the checklist's targets.</p>"),
        "rerun": "Re-run with",
    },
    "zh": {
        "kicker": "跟踪对比报告", "title": "跟踪评估：两次评估之间的变化",
        "before": "前次", "after": "本次", "change": "变化", "file": "文件", "sec_summary": "概要",
        "verdict_change": "准备程度结论", "ch_improved": "提升", "ch_worsened": "下降", "ch_unchanged": "不变",
        "sec_chart": "各条款得分对比", "chart_caption": "各一级条款得分（0–100）：浅色为前次，深色为本次。",
        "sec_clauses": "各条款得分变化", "sec_closed": "已关闭的差距", "sec_opened": "新出现的差距",
        "sec_persisting": "仍未关闭的差距", "sec_unassessed": "未重新评估的差距", "sec_kpis": "绩效指标变化",
        "sec_notes": "说明", "sec_method": "如何阅读本对比",
        "fig_closed": "已关闭的差距", "fig_opened": "新出现的差距", "fig_kpis": "达标的绩效指标",
        "st_improved": "有改善", "st_worsened": "变差", "st_unchanged": "无变化",
        "empty_closed": "没有关闭的差距。", "empty_opened": "没有新出现的差距。", "empty_persisting": "没有仍未关闭的差距。",
        "empty_kpis": "本检查表未设定绩效指标。",
        "kk_now_met": "转为达标", "kk_now_missed": "转为未达标", "kk_still_met": "保持达标",
        "kk_still_missed": "仍未达标", "kk_newly_measured": "首次填报", "kk_not_measured": "未填报",
        "col_before_answer": "前次", "col_after_answer": "本次", "col_indicator": "指标",
        "col_target": "目标", "col_result": "结果", "col_fate": "现状",
        "method": ("<p>两个文件按与单位评估报告相同的规则评分。<b>变化</b>为本次得分减前次得分（百分制）。</p>"
                   "<p>本次评估中要求已完全满足（或不适用）的差距记为<b>已关闭</b>；前次已满足、不适用或未回答而本次"
                   "成为差距的记为<b>新出现</b>。持续存在的差距，如回答有变化（如 否 → 部分），记为<b>有改善</b>或"
                   "<b>变差</b>；本次未回答的差距列为<b>未重新评估</b>，不计为已关闭。</p>"
                   "<p>绩效指标按检查表设定的目标比较两个文件中的实测值。</p>"),
        "rerun": "重新生成命令",
    },
}


def s(key: str, lang: str) -> str:
    return STRINGS.get(lang, STRINGS["en"]).get(key) or STRINGS["en"][key]


def signed(value) -> str:
    """A change with its sign, rounded for display: +12.5, −3, 0."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = fmt_number(abs(value))
    return "0" if text == "0" else ("+" if value > 0 else "−") + text


def _change_cell(value) -> Safe:
    if value is None or (isinstance(value, float) and math.isnan(value)) or abs(value) < 0.05:
        return Safe(esc(signed(value)))
    cls = "qr-di-present" if value > 0 else "qr-sev-major"
    arrow = "▲" if value > 0 else "▼"
    return Safe(f'<span class="qr-badge {cls}">{arrow} {esc(signed(value))}</span>')


def _date(a) -> str:
    d = a.meta.get("date")
    return "" if d in (None, "") else (d.isoformat() if hasattr(d, "isoformat") else str(d))


def load_comparison(before, after, checklist=None, force: bool = False) -> Comparison:
    """Read, score and compare two files; reader warnings are kept as notes, not printed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cmp = compare_files(before, after, checklist=checklist, force=force)
    cmp.notes.extend(str(w.message) for w in caught if not issubclass(w.category, (DeprecationWarning, FutureWarning)))
    return cmp


def report_title(cmp: Comparison, lang: str = "en", title: str | None = None) -> str:
    return title or f"{cmp.office} — {s('kicker', lang)}"


def header_html(cmp: Comparison, lang: str = "en", title: str | None = None, *, brand=None) -> str:
    """Kicker, office, the two files compared; the brand bar when a brand is given; the running texts
    every printed page repeats (office, firm, confidentiality line)."""
    from qmskit.render.brand import NEUTRAL, Brand, load_brand

    lang = check_lang(lang)
    brand = brand if isinstance(brand, Brand) else (load_brand(brand) if brand else NEUTRAL)
    firm = brand.text("firm", lang)
    notice = (str(cmp.after.meta.get("confidentiality") or "") or brand.text("confidentiality", lang)
              or t("confidential_default", lang))
    bar = ""
    if not brand.neutral:
        logo = f'<img class="qr-logo" src="{esc(brand.logo_uri)}" alt="{esc(firm)}">' if brand.logo_uri else ""
        contact = brand.text("contact", lang)
        bar = (f'<div class="qr-brand">{logo}<div class="qr-brand-text"><div class="qr-firm">{esc(firm)}</div>'
               + (f'<div class="qr-contact">{esc(contact)}</div>' if contact else "") + "</div></div>")
    running = running_html(left=f"{cmp.office} · {s('kicker', lang)}", right=firm or s("kicker", lang),
                           confidential=notice, footer=brand.text("footer", lang))
    rows = [
        (t("checklist", lang), f"{cmp.after.checklist.title_text(lang)} ({cmp.after.checklist.id} "
                               f"{cmp.after.checklist.version})"),
        (s("before", lang), f"{_date(cmp.before) or '—'} · {Path(cmp.before.source or '').name}"),
        (s("after", lang), f"{_date(cmp.after) or '—'} · {Path(cmp.after.source or '').name}"),
    ]
    meta = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    return (brand_style(brand) + f'<header class="qr-header">{running}{bar}'
            f'<div class="qr-kicker">{esc(s("kicker", lang))}</div>'
            f'<h1 class="qr-office">{esc(title or cmp.office)}</h1>'
            f'<p class="qr-muted">{esc(s("title", lang))}</p><dl class="qr-meta">{meta}</dl>'
            f'<div class="qr-confidential">{esc(notice)}</div></header>')


def summary_html(cmp: Comparison, lang: str = "en") -> str:
    lang = check_lang(lang)
    b, a = cmp.before, cmp.after
    change = cmp.readiness_change
    verdict = (f'<div class="qr-verdict qr-band-{esc(a.readiness)}"><div class="qr-verdict-label">'
               f'{esc(s("verdict_change", lang))}</div><div class="qr-verdict-band">'
               f'{esc(t("band_" + b.display_band, lang))} → {esc(t("band_" + a.display_band, lang))}'
               f' ({esc(s("ch_" + change, lang))})</div>'
               f'<ul>{"".join(f"<li>{esc(readiness_reason(r, lang))}</li>" for r in a.reasons)}</ul></div>')
    counts = cmp.gap_counts()
    kpi_met = lambda x: int((x.kpis["status"] == "met").sum()) if len(x.kpis) else 0  # noqa: E731
    figures = [
        (t("overall", lang), f"{fmt_number(b.overall)} → {fmt_number(a.overall)}", signed(cmp.overall_change)),
        (t("completeness", lang), f"{fmt_number(b.completeness)}% → {fmt_number(a.completeness)}%",
         signed(cmp.completeness_change)),
        (s("fig_closed", lang), str(counts["closed"]), ""),
        (s("fig_opened", lang), str(counts["opened"]), ""),
    ]
    if len(a.kpis):
        figures.append((s("fig_kpis", lang), f"{kpi_met(b)} → {kpi_met(a)}", f"/ {len(a.kpis)}"))
    figs = "".join(f'<div class="qr-figure"><div class="qr-figure-label">{esc(label)}</div>'
                   f'<div class="qr-figure-value">{esc(value)}</div><div class="qr-figure-note">{esc(note)}</div></div>'
                   for label, value, note in figures)
    return section("summary", s("sec_summary", lang), verdict + f'<div class="qr-figures">{figs}</div>')


def chart_figure(cmp: Comparison, *, dpi: int = 110):
    """Grouped bars per top-level clause; labelled by clause number and dates only (no CJK needed).

    matplotlib's object API (no pyplot): nothing is displayed and no global state changes."""
    import numpy as np
    from matplotlib.figure import Figure

    top = cmp.clauses[cmp.clauses["level"] == 1]
    x = np.arange(len(top))
    fig = Figure(figsize=(7.5, 3.0), dpi=dpi)
    ax = fig.add_subplot()
    lb = _date(cmp.before) or "before"
    la = _date(cmp.after) or "after"
    if lb == la:
        lb, la = f"{lb} (1)", f"{la} (2)"
    ax.bar(x - 0.2, top["before"].fillna(0), 0.4, color="#9DC3E6", label=lb)
    ax.bar(x + 0.2, top["after"].fillna(0), 0.4, color="#1F4E79", label=la)
    for offset, column in ((-0.2, "before"), (0.2, "after")):  # a clause nobody answered shows "—", not 0
        for xi, value in zip(x, top[column]):
            if pd.isna(value):
                ax.text(xi + offset, 1.5, "—", ha="center", va="bottom", fontsize=8, color="#555")
    # labels are data (a custom checklist's clause ids, dates typed by an office): never mathtext, so a
    # "$" or "\\frac" in them prints as typed instead of failing the whole report
    ax.set_xticks(x, [str(c) for c in top["clause"]], parse_math=False)
    ax.set_ylim(0, 100)
    ax.set_ylabel("score")
    ax.spines[["top", "right"]].set_visible(False)
    # above the plot area, never over the bars (lower right used to hide clause 10)
    legend = ax.legend(frameon=False, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    for text in legend.get_texts():
        text.set_parse_math(False)
    fig.tight_layout()
    return fig


def chart_png(cmp: Comparison, *, dpi: int = 110) -> bytes:
    buf = io.BytesIO()
    chart_figure(cmp, dpi=dpi).savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def chart_html(cmp: Comparison, lang: str = "en") -> str:
    data = base64.b64encode(chart_png(cmp)).decode("ascii")
    body = (f'<figure class="qr-chart"><img src="data:image/png;base64,{data}" alt="{esc(s("sec_chart", lang))}">'
            f'<figcaption>{esc(s("chart_caption", lang))}</figcaption></figure>')
    return section("chart", s("sec_chart", lang), body)


def clause_table_html(cmp: Comparison, lang: str = "en", max_level: int = 2) -> str:
    lang = check_lang(lang)
    c = cmp.clauses[cmp.clauses["level"] <= max_level]
    show = pd.DataFrame({
        "clause": c["clause"], "title": c[f"title_{lang}"].where(c[f"title_{lang}"] != "", c["title_en"]),
        "before": [fmt_number(v) if not pd.isna(v) else "—" for v in c["before"]],
        "after": [fmt_number(v) if not pd.isna(v) else "—" for v in c["after"]],
        "change": [_change_cell(v) for v in c["change"]],
    })
    table = html_table(show, [("clause", t("col_clause", lang), "9%"), ("title", t("col_title", lang), "49%"),
                              ("before", s("before", lang), "12%"), ("after", s("after", lang), "12%"),
                              ("change", s("change", lang), "18%")],
                       row_classes=[f"qr-level-{lvl}" for lvl in c["level"]], numeric=("before", "after", "change"))
    return section("clauses", s("sec_clauses", lang), table, major=True)


def _gap_rows(cmp: Comparison, statuses: list[str], lang: str, fate: bool = False) -> pd.DataFrame:
    g = cmp.gaps[cmp.gaps["status"].isin(statuses)]
    sev = [sa or sb for sa, sb in zip(g["severity_after"], g["severity_before"])]
    rows = {
        "severity": [badge("sev", x, t(f"sev_{x}", lang)) for x in sev],
        "clause": g["clause"], "id": g["id"],
        "requirement": g[f"text_{lang}"].where(g[f"text_{lang}"].fillna("") != "", g["text_en"]),
        "before": [answer_label(v, lang) for v in g["answer_before"]],
        "after": [answer_label(v, lang) for v in g["answer_after"]],
    }
    if fate:
        rows["fate"] = [s(f"st_{x}", lang) for x in g["status"]]
    return pd.DataFrame(rows)


def _gap_table(frame: pd.DataFrame, lang: str, fate: bool = False) -> str:
    cols = [("severity", t("col_severity", lang), "11%"), ("clause", t("col_clause", lang), "8%"),
            ("id", t("col_id", lang), "11%"), ("requirement", t("col_question", lang), "46%" if not fate else "36%"),
            ("before", s("col_before_answer", lang), "12%"), ("after", s("col_after_answer", lang), "12%")]
    if fate:
        cols.append(("fate", s("col_fate", lang), "10%"))
    return html_table(frame, cols)


def gaps_html(cmp: Comparison, lang: str = "en") -> str:
    """Closed, opened, still open (improved / worsened / unchanged) and not re-assessed gaps."""
    lang = check_lang(lang)
    parts = []
    for key, statuses, fate in (("closed", ["closed"], False), ("opened", ["opened"], False),
                                ("persisting", ["improved", "worsened", "unchanged"], True),
                                ("unassessed", ["unassessed"], False)):
        rows = _gap_rows(cmp, statuses, lang, fate)
        if key == "unassessed" and not len(rows):
            continue
        body = _gap_table(rows, lang, fate) if len(rows) else empty(s(f"empty_{key}", lang))
        parts.append(section(f"gaps-{key}", f"{s('sec_' + key, lang)} ({len(rows)})", body,
                             major=key == "closed"))
    return "".join(parts)


def kpis_html(cmp: Comparison, lang: str = "en") -> str:
    lang = check_lang(lang)
    k = cmp.kpis
    if not len(k):
        return section("kpis", s("sec_kpis", lang), empty(s("empty_kpis", lang)))
    kind_cls = {"now_met": "qr-di-present", "still_met": "qr-di-present", "now_missed": "qr-sev-major",
                "still_missed": "qr-sev-minor", "newly_measured": "qr-di-unanswered", "not_measured": "qr-di-unanswered"}
    show = pd.DataFrame({
        "id": k["id"], "indicator": k[f"name_{lang}"],
        "target": [fmt_target(tg, d, u) for tg, d, u in zip(k["target"], k["direction"], k["unit"])],
        "before": [fmt_value(v, u, tg) for v, u, tg in zip(k["before"], k["unit"], k["target"])],
        "after": [fmt_value(v, u, tg) for v, u, tg in zip(k["after"], k["unit"], k["target"])],
        "change": [signed(v) for v in k["change"]],
        "result": [Safe(f'<span class="qr-badge {kind_cls[x]}">{esc(s("kk_" + x, lang))}</span>')
                   for x in k["change_kind"]],
    })
    table = html_table(show, [("id", t("col_id", lang), "15%"), ("indicator", s("col_indicator", lang), "31%"),
                              ("target", s("col_target", lang), "9%"), ("before", s("before", lang), "10%"),
                              ("after", s("after", lang), "10%"), ("change", s("change", lang), "10%"),
                              ("result", s("col_result", lang), "15%")],
                       numeric=("before", "after", "change"))
    return section("kpis", s("sec_kpis", lang), table)


def notes_html(cmp: Comparison, lang: str = "en", parameters: dict | None = None) -> str:
    lang = check_lang(lang)
    out = ""
    if cmp.notes:
        out += section("notes", s("sec_notes", lang), "<ul>" + "".join(f"<li>{esc(n)}</li>" for n in cmp.notes)
                       + "</ul>")
    body = f'<div class="qr-method">{s("method", lang)}</div>'
    if parameters:
        cmd = ["qmskit", "compare", str(parameters.get("before")), str(parameters.get("after")), "-o", "DIR",
               "--lang", lang] + (["--force"] if parameters.get("force") else []) + \
              (["--checklist", str(parameters["checklist"])] if parameters.get("checklist") else [])
        body += f'<p class="qr-small">{esc(s("rerun", lang))}: <code>{esc(" ".join(cmd))}</code></p>'
    return out + section("method", s("sec_method", lang), body)


def sections(cmp: Comparison, lang: str = "en", parameters: dict | None = None, title: str | None = None) -> list[str]:
    return [header_html(cmp, lang, title), summary_html(cmp, lang), chart_html(cmp, lang),
            clause_table_html(cmp, lang), gaps_html(cmp, lang), kpis_html(cmp, lang),
            notes_html(cmp, lang, parameters)]


def build_comparison(before: str | Path, after: str | Path, out_dir: str | Path, *, lang: str = "en",
                     checklist=None, force: bool = False, title: str | None = None,
                     keep_notebook: bool = False, brand=None, audience: str = "internal",
                     pdf: bool = False) -> tuple[Path, Comparison]:
    """Execute ``notebooks/compare.ipynb`` and write ``out_dir/<office>-compare.<lang>.html`` atomically
    (and a PDF beside it with ``pdf``; ``brand``/``audience`` as for the office report).

    Both files are read and compared here first, so a bad file or a refused comparison fails fast with
    its one-line error and no kernel is started.
    """
    from qmskit.io import iorw
    from qmskit.jupyter import notebook
    from qmskit.render.brand import load_brand, resolve_path
    from qmskit.render.report import Audience, check_audience

    lang = check_lang(lang)
    audience = check_audience(audience)
    brand_path = resolve_path(brand)
    load_brand(brand_path)  # a bad brand file fails here, before any kernel starts
    if pdf:
        from qmskit.render.pdf import check_available
        check_available()
    before, after = Path(before).resolve(), Path(after).resolve()
    if checklist is not None and Path(str(checklist)).suffix in (".yaml", ".yml") and Path(str(checklist)).exists():
        checklist = str(Path(checklist).resolve())
    cmp = load_comparison(before, after, checklist, force)
    params = {"before": str(before), "after": str(after), "checklist": checklist, "lang": lang, "force": force,
              "title": title, "brand": str(brand_path.resolve()) if brand_path else None, "audience": audience.value}
    nb = notebook.execute_notebook(notebook.bundled_notebook("compare"), params, office=cmp.office)
    html_text = notebook.export_html(nb, title=report_title(cmp, lang, title), lang=lang)
    client = ".client" if audience is Audience.CLIENT else ""
    out = Path(out_dir) / f"{slugify(cmp.office)}-compare.{lang}{client}.html"
    if keep_notebook:
        notebook.write_notebook(nb, out.with_suffix(".ipynb"))
    iorw.write_text(out, html_text)
    if pdf:
        from qmskit.render.pdf import print_pdf
        print_pdf(out, out.with_suffix(".pdf"))
    return out, cmp


__all__ = ["build_comparison", "load_comparison", "sections"]
