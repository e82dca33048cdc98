"""The portfolio overview of a batch: ranking, heatmap, score distribution, shared gaps, failures.

Input is the plain-JSON batch summary that :func:`qmskit.batch.runner.portfolio_data` writes (one entry per
scored office with its answers, plus the failed inputs); ``notebooks/portfolio.ipynb`` loads it with
:func:`load` and displays the HTML fragments below. Scores are recomputed for all offices at once with
:func:`qmskit.score_many` (the vectorized path), so the heatmap and the ranking come from one matrix.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from qmskit.checklist.loader import load_checklist
from qmskit.core.model import TOL
from qmskit.core.readiness import BANDS, fmt_number

BAND_COLOURS = {"ready": "#1a7f37", "nearly_ready": "#9a6700", "developing": "#bc4c00", "early_stage": "#cf222e",
                "not_started": "#6e7781"}
SHARED_GAPS_TOP = 15
HEATMAP_MAX_ROWS = 80

# Portfolio-only strings; shared ones (bands, columns, severities) come from qmskit.i18n.catalog.
STRINGS = {
    "en": {
        "title": "Certification readiness: portfolio overview",
        "intro": "{n} offices assessed against {checklist}. Each office's name links to its full report.",
        "intro_failed": "{n} input(s) could not be assessed; they are listed at the end.",
        "sec_bands": "Readiness at a glance",
        "sec_ranking": "Ranking",
        "sec_heatmap": "Scores by top-level clause",
        "sec_distribution": "Distribution of overall scores",
        "sec_shared": "Gaps shared by most offices",
        "sec_failed": "Offices that could not be assessed",
        "col_office": "Office",
        "col_verdict": "Verdict",
        "col_reasons": "Why",
        "col_gaps": "Gaps (major / minor / obs.)",
        "plus_kpi": "+{n} KPI",
        "no_evidence": "{n} “yes” without evidence",
        "col_offices": "Offices with this gap",
        "col_share": "Share",
        "col_file": "File",
        "col_reason": "Reason",
        "no_report": "no report",
        "heatmap_caption": ("Score (0\u2013100) of each office in each top-level clause of {checklist}; rows "
                            "in ranking order, grey cells have no answered question."),
        "heatmap_alt": "Heatmap of the score of each office in each top-level clause",
        "heatmap_truncated": "Only the first {shown} of {n} offices are drawn; the table above lists all.",
        "dist_caption": "Number of offices per band of overall score; dashed lines are the verdict thresholds.",
        "dist_alt": "Histogram of the offices' overall scores",
        "dist_xlabel": "Overall score",
        "dist_ylabel": "Offices",
        "heat_xlabel": "Clause",
        "shared_intro": ("Requirements answered \u201cpartial\u201d or \u201cno\u201d by the most offices (at least "
                         "two): candidates for a joint fix, e.g. one template or one training for all."),
        "shared_none": "No gap is shared by two or more offices.",
        "failed_none": "Every input was assessed.",
        "report_failed": "report failed: {reason}",
        "of_n": "{k} of {n}",
    },
    "zh": {
        "title": "认证准备情况：组合概览",
        "intro": "共评估 {n} 个单位（检查表：{checklist}）。点击单位名称查看其完整报告。",
        "intro_failed": "{n} 个输入无法评估，列于文末。",
        "sec_bands": "准备情况一览",
        "sec_ranking": "排名",
        "sec_heatmap": "各一级条款得分",
        "sec_distribution": "总分分布",
        "sec_shared": "多数单位共有的差距",
        "sec_failed": "无法评估的单位",
        "col_office": "单位",
        "col_verdict": "结论",
        "col_reasons": "理由",
        "col_gaps": "差距（严重 / 一般 / 观察）",
        "plus_kpi": "另有 {n} 项指标",
        "no_evidence": "{n} 项“是”无证据",
        "col_offices": "存在该差距的单位",
        "col_share": "比例",
        "col_file": "文件",
        "col_reason": "原因",
        "no_report": "无报告",
        "heatmap_caption": "各单位在 {checklist} 各一级条款上的得分（0–100）；按排名排序，灰色表示没有已回答的问题。",
        "heatmap_alt": "各单位各一级条款得分热力图",
        "heatmap_truncated": "仅绘制 {n} 个单位中的前 {shown} 个；上表列出全部单位。",
        "dist_caption": "各总分区间的单位数量；虚线为结论阈值。",
        "dist_alt": "各单位总分直方图",
        "dist_xlabel": "总分",
        "dist_ylabel": "单位数",
        "heat_xlabel": "条款",
        "shared_intro": "被最多单位回答为“部分”或“否”的要求（至少两个单位）：适合统一整改，例如共用一个模板或一次培训。",
        "shared_none": "没有两个及以上单位共有的差距。",
        "failed_none": "所有输入均已评估。",
        "report_failed": "报告生成失败：{reason}",
        "of_n": "{k} / {n}",
    },
}


def s(key: str, lang: str, **fields) -> str:
    """A portfolio string, or a shared qmskit.i18n.catalog string (``band_ready``, ``col_score``, ...)."""
    text = STRINGS.get(lang, STRINGS["en"]).get(key)
    if text is None:
        try:
            from qmskit.i18n.catalog import t
            text = t(key, lang)
        except ImportError:  # pragma: no cover - i18n ships with the report
            text = key
    return text.format(**fields) if fields else text


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _load(ref: dict):
    """A checklist by id (bundled, wherever this runs), else from the file the batch read it from."""
    from qmskit.errors import QmskitError
    try:
        return load_checklist(ref["id"])
    except QmskitError:
        if ref.get("path"):
            return load_checklist(ref["path"])
        raise


def load(path: str | Path, lang: str | None = None) -> Portfolio:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Portfolio(data, lang or data.get("lang", "en"))


@dataclass
class Portfolio:
    data: dict
    lang: str = "en"

    def __post_init__(self) -> None:
        refs = self.data.get("checklists") or [{"id": "iso9001-2015", "path": ""}]
        self.checklist = _load(refs[0])      # titles, thresholds and clause order for the page
        self.single_checklist = len(refs) == 1
        self._many = None

    # ------------------------------------------------------------------ frames
    @property
    def offices(self) -> pd.DataFrame:
        cols = ["office", "href", "source", "overall", "completeness", "readiness", "readiness_reasons",
                "major", "minor", "observation", "kpi_observation", "unsupported", "display_band",
                "actions"]
        frame = pd.DataFrame([{c: o.get(c) for c in cols} for o in self.data["offices"]], columns=cols)
        for c in ("kpi_observation", "unsupported"):
            frame[c] = frame[c].fillna(0).astype(int)
        frame["display_band"] = frame["display_band"].fillna(frame["readiness"])
        return frame

    def tidy_answers(self) -> pd.DataFrame:
        rows = [(o["office"], qid, answer) for o in self.data["offices"] for qid, answer in o["answers"].items()]
        return pd.DataFrame(rows, columns=["office", "id", "answer"])

    def many(self):
        """ManyScores of all offices (the vectorized scorer) on the portfolio's checklist."""
        if self._many is None:
            from qmskit.core.scoring import score_many
            self._many = score_many(self.checklist, self.tidy_answers())
        return self._many

    def ranking(self) -> pd.DataFrame:
        """Offices best first: readiness band (the verdict, so a high score without evidence or with a
        missing prerequisite never ranks above a ready office), then overall score (unscored last), then
        completeness, then name."""
        frame = self.offices
        if frame.empty:
            return frame.assign(rank=pd.Series(dtype=int))
        frame["_b"] = frame["readiness"].map({b: i for i, b in enumerate(BANDS)}).fillna(len(BANDS))
        frame["_o"] = frame["overall"].astype(float).fillna(-1.0)
        frame["_c"] = frame["completeness"].astype(float).fillna(-1.0)
        frame = frame.sort_values(["_b", "_o", "_c", "office"], ascending=[True, False, False, True],
                                  kind="mergesort")
        frame = frame.drop(columns=["_b", "_o", "_c"]).reset_index(drop=True)
        frame.insert(0, "rank", range(1, len(frame) + 1))
        return frame

    def top_level_matrix(self) -> pd.DataFrame:
        """Office × top-level clause scores, rows in ranking order: all offices re-scored at once with
        score_many when they share one checklist, else each office's own top-level scores."""
        if not self.data["offices"]:
            return pd.DataFrame()
        if self.single_checklist:
            matrix = self.many().matrix(level=1)
        else:
            matrix = pd.DataFrame({o["office"]: o["top_scores"] for o in self.data["offices"]}).T
            order = self.checklist.clauses.set_index("clause")["order"]
            matrix = matrix[sorted(matrix.columns, key=lambda c: (order.get(c, float("inf")), c))]
        return matrix.reindex(self.ranking()["office"]).astype(float)

    def shared_gaps(self, top: int = SHARED_GAPS_TOP) -> pd.DataFrame:
        """Questions that are a gap (answered, p < 1) in at least two offices, most offices first."""
        cols = ["id", "clause", "question", "offices", "share", "major", "minor", "observation"]
        rows = [(g["id"], g["severity"]) for o in self.data["offices"] for g in o["gaps"]]
        if not rows:
            return pd.DataFrame(columns=cols)
        tidy = pd.DataFrame(rows, columns=["id", "severity"])
        counts = pd.crosstab(tidy["id"], tidy["severity"]).reindex(columns=["major", "minor", "observation"],
                                                                  fill_value=0)
        counts["offices"] = counts.sum(axis=1)
        counts = counts[counts["offices"] >= 2].reset_index()
        texts = self.data.get("questions", {})
        counts["clause"] = [texts.get(i, {}).get("clause", "") for i in counts["id"]]
        counts["question"] = [texts.get(i, {}).get(self.lang) or texts.get(i, {}).get("en", "") for i in counts["id"]]
        counts["share"] = counts["offices"] / len(self.data["offices"])
        order = self.checklist.clauses.set_index("clause")["order"]
        q_order = self.checklist.questions.set_index("id")["order"]
        counts["_clause"] = counts["clause"].map(order).fillna(float("inf"))
        counts["_q"] = counts["id"].map(q_order).fillna(float("inf"))
        counts = counts.sort_values(["offices", "major", "_clause", "_q", "id"],
                                    ascending=[False, False, True, True, True])
        return counts[cols].head(top).reset_index(drop=True)

    def failed(self) -> pd.DataFrame:
        return pd.DataFrame(self.data.get("failed", []), columns=["source", "office", "stage", "reason"])

    # ------------------------------------------------------------------ HTML fragments
    def header_html(self) -> str:
        lang, n = self.lang, len(self.data["offices"])
        cl = self.checklist
        parts = [f'<h1 class="qk-title">{esc(s("title", lang))}</h1>',
                 f'<p>{esc(s("intro", lang, n=n, checklist=f"{cl.title_text(lang)} ({cl.id} {cl.version})"))}']
        if self.data.get("failed"):
            parts.append(" " + esc(s("intro_failed", lang, n=len(self.data["failed"]))))
        parts.append("</p>")
        return PORTFOLIO_CSS + "\n".join(parts)

    def bands_html(self) -> str:
        lang = self.lang
        counts = self.offices["readiness"].value_counts()
        cells = "".join(
            f'<div class="qk-band-card" style="border-color:{BAND_COLOURS[b]}">'
            f'<div class="qk-band-count" style="color:{BAND_COLOURS[b]}">{int(counts.get(b, 0))}</div>'
            f'<div>{esc(s("band_" + b, lang))}</div></div>' for b in BANDS)
        return f'<h2>{esc(s("sec_bands", lang))}</h2><div class="qk-bands">{cells}</div>'

    def ranking_html(self) -> str:
        from qmskit.i18n.catalog import readiness_reason
        lang = self.lang
        rows = []
        # with action plans (batch --actions): an "actions" column, open / overdue / verified
        with_actions = any(o.get("actions") for o in self.data["offices"])
        for r in self.ranking().itertuples(index=False):
            name = esc(r.office)
            link = name
            if isinstance(r.href, str) and r.href:
                link = f'<a href="{esc(r.href)}">{name}</a>'
            elif self.data.get("office_reports", True):
                link += f' <span class="qk-muted">({esc(s("no_report", lang))})</span>'
            reasons = "; ".join(readiness_reason(x, lang) for x in (r.readiness_reasons or []))
            actions = f"<td class='qk-num'>{esc(actions_cell(r.actions))}</td>" if with_actions else ""
            rows.append(
                f"<tr><td class='qk-num'>{r.rank}</td><td>{link}</td>"
                f"<td class='qk-num'>{esc(fmt_number(r.overall))}</td>"
                f"<td class='qk-num'>{esc(fmt_number(r.completeness))}%</td>"
                f"<td><span class='qk-verdict' style='background:{BAND_COLOURS.get(r.display_band, '#666')}'>"
                f"{esc(s('band_' + r.display_band, lang))}</span></td>"
                f"<td class='qk-num'>{r.major} / {r.minor} / {r.observation}"
                + (f" {esc(s('plus_kpi', lang, n=r.kpi_observation))}" if r.kpi_observation else "")
                + (f"<br><span class='qk-muted'>{esc(s('no_evidence', lang, n=r.unsupported))}</span>"
                   if r.unsupported else "") + f"</td>{actions}"
                f"<td class='qk-small'>{esc(reasons)}</td></tr>")
        head = "".join(f"<th>{esc(h)}</th>" for h in [
            "#", s("col_office", lang), s("overall", lang), s("completeness", lang), s("col_verdict", lang),
            s("col_gaps", lang)] + ([portfolio_strings(lang)["col_actions"]] if with_actions else [])
            + [s("col_reasons", lang)])
        return (f'<h2>{esc(s("sec_ranking", lang))}</h2><table class="qk-table qk-ranking">'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")

    def heatmap_html(self) -> str:
        lang = self.lang
        matrix = self.top_level_matrix()
        out = [f'<h2>{esc(s("sec_heatmap", lang))}</h2>']
        if matrix.empty:
            return "".join(out)
        n = len(matrix)
        shown = matrix.head(HEATMAP_MAX_ROWS)
        out.append(heatmap_table(shown, s("heatmap_alt", lang), lang))
        caption = s("heatmap_caption", lang, checklist=self.checklist.id)
        if n > len(shown):
            caption += " " + s("heatmap_truncated", lang, shown=len(shown), n=n)
        out.append(f'<p class="qk-caption">{esc(caption)}</p>')
        return "".join(out)

    def distribution_html(self) -> str:
        lang = self.lang
        out = [f'<h2>{esc(s("sec_distribution", lang))}</h2>']
        scores = self.offices["overall"].dropna().astype(float)
        if scores.empty:
            return "".join(out)
        out.append(distribution_svg(scores.to_numpy(), self.checklist.thresholds, s("dist_alt", lang), lang))
        out.append(f'<p class="qk-caption">{esc(s("dist_caption", lang))}</p>')
        return "".join(out)

    def shared_gaps_html(self) -> str:
        lang = self.lang
        gaps = self.shared_gaps()
        out = [f'<h2>{esc(s("sec_shared", lang))}</h2>']
        if gaps.empty:
            return "".join(out) + f'<p>{esc(s("shared_none", lang))}</p>'
        n = len(self.data["offices"])
        out.append(f'<p>{esc(s("shared_intro", lang))}</p>')
        head = "".join(f"<th>{esc(h)}</th>" for h in [s("col_clause", lang), s("col_id", lang),
                                                          s("col_question", lang), s("col_offices", lang)])
        head += "".join(f"<th class='qk-num'>{esc(h)}</th>" for h in [
            s("col_share", lang), s("sev_major", lang), s("sev_minor", lang), s("sev_observation", lang)])
        rows = "".join(
            f"<tr><td>{esc(r.clause)}</td><td><code>{esc(r.id)}</code></td><td>{esc(r.question)}</td>"
            f"<td class='qk-num'>{esc(s('of_n', lang, k=r.offices, n=n))}</td>"
            f"<td class='qk-num'>{round(100 * r.share)}%</td><td class='qk-num'>{r.major}</td>"
            f"<td class='qk-num'>{r.minor}</td><td class='qk-num'>{r.observation}</td></tr>"
            for r in gaps.itertuples(index=False))
        out.append(f'<table class="qk-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
        return "".join(out)

    def overdue_actions_html(self) -> str:
        """The oldest overdue actions across offices ('' when the batch had no action plans)."""
        return overdue_html(self.data, self.lang)

    def failed_html(self) -> str:
        lang = self.lang
        failed = self.failed()
        out = [f'<h2>{esc(s("sec_failed", lang))}</h2>']
        if failed.empty:
            return "".join(out) + f'<p>{esc(s("failed_none", lang))}</p>'
        head = "".join(f"<th>{esc(h)}</th>" for h in [s("col_file", lang), s("col_office", lang),
                                                          s("col_reason", lang)])
        rows = "".join(
            f"<tr class='qk-failed'><td><code>{esc(Path(r.source).name)}</code></td><td>{esc(r.office or '')}</td>"
            f"<td>{esc(_without_folder(r.reason, r.source))}</td></tr>" for r in failed.itertuples(index=False))
        out.append(f'<table class="qk-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
        return "".join(out)

    def footer_html(self, generated: str | None = None) -> str:
        import datetime as dt

        from qmskit import __version__
        generated = generated or dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()
        return f'<div class="qk-footer">{esc(s("footer", self.lang, version=__version__, generated=generated))}</div>'


from qmskit.render.actions_report import actions_cell, overdue_html, portfolio_strings  # noqa: E402  (action tracking)


def _without_folder(reason: str, source: str) -> str:
    """A shared page need not show the consultant's folders: the reason names the file only."""
    reason = str(reason or "")
    if source and reason.startswith(source):
        return Path(source).name + reason[len(source):]
    return reason


# ---------------------------------------------------------------------------------------------- figures
# Figures are HTML and inline SVG built directly: a few KB instead of 200+ KB of PNG, sharp in print, and
# office names in any script are drawn by the reader's own fonts (no CJK font needed at render time).
# ColorBrewer RdYlGn (11 classes), red (0) to green (100), interpolated between stops.
_RDYLGN = ["#a50026", "#d73027", "#f46d43", "#fdae61", "#fee08b", "#ffffbf", "#d9ef8b", "#a6d96a", "#66bd63",
           "#1a9850", "#006837"]
NO_SCORE_COLOUR = "#d0d7de"


def _short(label: str, limit: int = 42) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def score_colour(value: float) -> str:
    """Background colour of a 0–100 score on the red-yellow-green scale (grey for no score)."""
    if value is None or np.isnan(value):
        return NO_SCORE_COLOUR
    x = min(max(float(value), 0.0), 100.0) / 100 * (len(_RDYLGN) - 1)
    i = min(int(x), len(_RDYLGN) - 2)
    lo, hi = _RDYLGN[i], _RDYLGN[i + 1]
    mix = [round(int(lo[k:k + 2], 16) + (int(hi[k:k + 2], 16) - int(lo[k:k + 2], 16)) * (x - i))
           for k in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def _ink(background: str) -> str:
    """Black or white text, whichever reads on the cell's colour (by its luminance, not by score bands)."""
    r, g, b = (int(background[k:k + 2], 16) for k in (1, 3, 5))
    return "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#fff"


def heatmap_table(matrix: pd.DataFrame, caption: str, lang: str = "en") -> str:
    """Offices (rows) × clauses (columns, by number) as an HTML table whose cells carry the score and its
    colour: readable by screen readers, selectable, and it prints with the page."""
    head = "".join(f'<th class="qk-num" scope="col">{esc(c)}</th>' for c in matrix.columns)
    rows = []
    for office, values in zip(matrix.index, matrix.to_numpy(dtype=float)):
        cells = []
        for v in values:
            text = "\u2014" if np.isnan(v) else f"{v:.0f}"
            background = score_colour(v)
            cells.append(f'<td class="qk-num" style="background:{background};color:{_ink(background)}">{text}</td>')
        rows.append(f'<tr><th scope="row" title="{esc(office)}">{esc(_short(str(office)))}</th>{"".join(cells)}</tr>')
    return (f'<table class="qk-table qk-heatmap" aria-label="{esc(caption)}"><thead><tr>'
            f'<th scope="col">{esc(s("heat_xlabel", lang))}</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def distribution_svg(scores: np.ndarray, thresholds: dict, title: str, lang: str = "en") -> str:
    """Histogram of overall scores (5-point bins, coloured by band) as inline SVG, thresholds dashed."""
    counts, edges = np.histogram(np.clip(scores, 0, 100), bins=np.arange(0, 105, 5))
    width, height, left, right, top, bottom = 760, 240, 44, 10, 10, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(int(counts.max()), 1)
    step = max(1, int(np.ceil(peak / 5)))
    ymax = step * int(np.ceil(peak / step))

    def x(v: float) -> float:
        return left + plot_w * v / 100

    def y(c: float) -> float:
        return top + plot_h * (1 - c / ymax)

    out = [f'<svg class="qk-figure" viewBox="0 0 {width} {height}" role="img" '
           f'style="width:100%;max-width:{width}px;height:auto;display:block" font-family="sans-serif">'
           f"<title>{esc(title)}</title>"]
    for c in range(0, ymax + 1, step):
        out.append(f'<text x="{left - 6}" y="{y(c) + 4:.1f}" font-size="11" text-anchor="end" fill="#333">{c}</text>')
    for v in range(0, 101, 20):
        out.append(f'<text x="{x(v):.1f}" y="{y(0) + 15:.1f}" font-size="11" text-anchor="middle" fill="#333">{v}</text>')
    for lo, hi, c in zip(edges[:-1], edges[1:], counts):
        if c:
            colour = BAND_COLOURS[_band_of((lo + hi) / 2, thresholds)]
            out.append(f'<rect x="{x(lo) + 0.2 * plot_w / 100:.1f}" y="{y(c):.1f}" width="{4.6 * plot_w / 100:.1f}" '
                       f'height="{y(0) - y(c):.1f}" fill="{colour}"/>')
    for key in ("developing_min", "nearly_ready_min", "ready_min"):
        if key in thresholds:
            out.append(f'<line x1="{x(thresholds[key]):.1f}" x2="{x(thresholds[key]):.1f}" y1="{top}" y2="{y(0):.1f}" '
                       f'stroke="#57606a" stroke-width="1" stroke-dasharray="5 4"/>')
    out.append(f'<path d="M{left} {top}V{y(0):.1f}H{width - right}" stroke="#333" fill="none"/>'
               f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" font-size="12" text-anchor="middle" '
               f'fill="#333">{esc(s("dist_xlabel", lang))}</text>'
               f'<text transform="translate(12 {top + plot_h / 2:.1f}) rotate(-90)" font-size="12" '
               f'text-anchor="middle" fill="#333">{esc(s("dist_ylabel", lang))}</text></svg>')
    return "".join(out)


def _band_of(score: float, th: dict) -> str:
    """The band a score alone would allow under the checklist's thresholds (colours the histogram's bins;
    the verdict itself also needs completeness, prerequisites, majors, minors and evidence)."""
    for band, key in (("ready", "ready_min"), ("nearly_ready", "nearly_ready_min"), ("developing", "developing_min")):
        if score >= th[key] - TOL:
            return band
    return "early_stage"


PORTFOLIO_CSS = """<style>
.qk-bands{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0 16px}
.qk-band-card{border:2px solid;border-radius:8px;padding:8px 16px;min-width:120px;text-align:center}
.qk-band-count{font-size:28px;font-weight:700}
.qk-table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}
.qk-table th,.qk-table td{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
.qk-table th{background:#f6f8fa}
.qk-num{text-align:right!important;white-space:nowrap}
.qk-table th.qk-num{word-break:keep-all}
.qk-footer{margin-top:24px;font-size:12px;color:#57606a}
.qk-small{font-size:12px;color:#444}
.qk-muted{color:#6e7781;font-size:12px}
.qk-verdict{color:#fff;border-radius:4px;padding:1px 8px;white-space:nowrap;font-size:13px}
.qk-figure{max-width:100%;height:auto}
.qk-heatmap td{min-width:2.6em;border:1px solid #fff}
.qk-heatmap tbody th{font-weight:normal;white-space:nowrap}
.qk-table code{white-space:nowrap}
.qk-caption{font-size:12px;color:#57606a}
@media print{.qk-table{font-size:11px}.qk-figure{page-break-inside:avoid}}
</style>
"""
