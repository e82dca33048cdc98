"""The portfolio overview of a batch: ranking, heatmap, score distribution, shared gaps, failures.

Input is the plain-JSON batch summary that :func:`qmskit.batch.summary.portfolio_data` writes (one entry per
scored office with its answers, by its latest assessment; the headline figures of its earlier ones, which the
page lists after the ranking but counts nowhere; the failed inputs); ``notebooks/portfolio.ipynb`` loads it with
:func:`load` and displays the HTML fragments below. Scores are recomputed for all offices at once with
:func:`qmskit.score_many` (the vectorized path), so the heatmap and the ranking come from one matrix.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qmskit.checklist.loader import Checklist, load_checklist
from qmskit.config import DEFAULT_CHECKLIST
from qmskit.core.model import BANDS, SEVERITIES
from qmskit.core.scoring import ManyScores
from qmskit.i18n.catalog import join_reasons, t, tn
from qmskit.i18n.numbers import fmt_target
from qmskit.render import palette
from qmskit.render.actions_report import actions_cell
from qmskit.render.templating import checklist_named, render

SHARED_GAPS_TOP = 15
HEATMAP_MAX_ROWS = 80

def _load(ref: dict) -> Checklist:
    """A checklist by id (bundled, wherever this runs), else from the file the batch read it from."""
    from qmskit.errors import QmskitError
    try:
        return load_checklist(ref["id"])
    except QmskitError:
        if ref.get("path"):
            return load_checklist(ref["path"])
        raise


@dataclass
class Portfolio:
    data: dict
    lang: str = "en"

    def __post_init__(self) -> None:
        refs = self.data.get("checklists") or [{"id": DEFAULT_CHECKLIST, "path": ""}]
        self.checklist: Checklist = _load(refs[0])  # titles, thresholds and clause order for the page
        self.single_checklist = len(refs) == 1
        self._refs = refs
        self._many: ManyScores | None = None

    # ------------------------------------------------------------------ frames
    @property
    def offices(self) -> pd.DataFrame:
        cols = ["office", "name", "date", "href", "source", "overall", "completeness", "readiness",
                "readiness_reasons", "major", "minor", "observation", "kpi_observation", "unsupported",
                "display_band", "actions"]
        frame = pd.DataFrame([{c: o.get(c) for c in cols} for o in self.data["offices"]], columns=cols)
        for c in ("kpi_observation", "unsupported"):
            frame[c] = frame[c].fillna(0).astype(int)
        frame["display_band"] = frame["display_band"].fillna(frame["readiness"])
        frame["name"] = frame["name"].fillna(frame["office"])
        return frame

    def tidy_answers(self) -> pd.DataFrame:
        rows = [(o["office"], qid, answer) for o in self.data["offices"] for qid, answer in o["answers"].items()]
        return pd.DataFrame(rows, columns=["office", "id", "answer"])

    def many(self) -> ManyScores:
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

    def offices_asked(self) -> Counter:
        """Question id -> how many offices' checklists ask it: a share of offices counts only those (a
        profile's own question is not a gap of the offices assessed on the base checklist). A KPI finding's
        id (``kpi:<indicator>``) -> how many offices report that KPI (gave it a value): an office that does
        not measure it has not missed its target."""
        reported = Counter(f"kpi:{k}" for o in self.data["offices"] for k in o.get("kpis_reported") or ())
        if self.single_checklist:
            return Counter({qid: len(self.data["offices"]) for qid in self.checklist.questions["id"]}) + reported
        ids = {ref["id"]: set(_load(ref).questions["id"]) for ref in self._refs}
        return Counter(qid for o in self.data["offices"] for qid in ids.get(str(o.get("checklist")), ())) + reported

    def shared_gaps(self, top: int = SHARED_GAPS_TOP) -> pd.DataFrame:
        """Questions that are a gap (answered, p < 1) in at least two offices, and KPI targets missed by at
        least two, most offices first (then the larger share); ``asked``: the offices whose checklist has the
        question (that report the KPI), what ``share`` is of."""
        cols = ["id", "clause", "question", "offices", "asked", "share", "major", "minor", "observation"]
        rows = [(g["id"], g["severity"]) for o in self.data["offices"]
                for g in [*o["gaps"], *(o.get("kpi_findings") or ())]]
        if not rows:
            return pd.DataFrame(columns=cols)
        tidy = pd.DataFrame(rows, columns=["id", "severity"])
        counts = pd.crosstab(tidy["id"], tidy["severity"]).reindex(columns=SEVERITIES, fill_value=0)
        counts["offices"] = counts.sum(axis=1)
        counts = counts[counts["offices"] >= 2].reset_index()
        texts = self.data.get("questions", {})
        counts["clause"] = [texts.get(i, {}).get("clause", "") for i in counts["id"]]
        counts["question"] = [self._requirement(texts.get(i, {})) for i in counts["id"]]
        asked = self.offices_asked()
        # at least the offices where it is a gap (an office's own checklist file the page cannot load again)
        counts["asked"] = [max(asked.get(i, 0), n) for i, n in zip(counts["id"], counts["offices"])]
        counts["share"] = counts["offices"] / counts["asked"]
        order = self.checklist.clauses.set_index("clause")["order"]
        q_order = self.checklist.questions.set_index("id")["order"]
        counts["_clause"] = counts["clause"].map(order).fillna(float("inf"))
        counts["_q"] = counts["id"].map(q_order).fillna(float("inf"))
        # most offices first; of as many, the one shared by more of the offices asked (2 of 2 before 2 of 3)
        counts = counts.sort_values(["offices", "share", "major", "_clause", "_q", "id"],
                                    ascending=[False, False, False, True, True, True])
        return counts[cols].head(top).reset_index(drop=True)

    def _requirement(self, text: dict) -> str:
        """A shared finding's requirement in the page's language: the question's text, or for a KPI its name
        and target ("User satisfaction: target ≥ 90% not met")."""
        words = text.get(self.lang) or text.get("en", "")
        kpi = text.get("kpi")
        if not kpi:
            return words
        return t("portfolio.kpi_missed", self.lang, name=words,
                 target=fmt_target(kpi["target"], kpi["direction"], kpi["unit"], self.lang))

    def failed(self) -> pd.DataFrame:
        return pd.DataFrame(self.data.get("failed", []), columns=["source", "office", "stage", "reason"])

    def earlier(self) -> pd.DataFrame:
        """The assessments not counted (an office assessed more than once counts by its latest one), by office
        in ranking order, latest first; ``latest``: the date of the office's assessment that is counted."""
        from qmskit.core.assessment import office_key
        cols = ["office", "name", "date", "source", "href", "overall", "completeness", "readiness", "display_band"]
        ranking = self.ranking()
        counted = {office_key(name): (rank, date) for rank, name, date in
                   zip(ranking["rank"], ranking["name"], ranking["date"])}
        rows = sorted(({**{c: o.get(c) for c in cols}, "name": o.get("name") or o["office"]}
                       for o in self.data.get("earlier", [])),
                      key=lambda r: r["date"] or "", reverse=True)
        rows.sort(key=lambda r: counted.get(office_key(r["name"]), (len(counted) + 1, None))[0])
        for r in rows:
            r["latest"] = counted.get(office_key(r["name"]), (None, None))[1]
        return pd.DataFrame(rows, columns=[*cols, "latest"])

    # ------------------------------------------------------------------ HTML fragments (templates/portfolio/)
    def _render(self, name: str, **context: Any) -> str:
        return render(f"portfolio/{name}.html.j2", lang=self.lang, **context)

    def checklists_text(self) -> str:
        """The checklist(s) the offices were assessed against: one by title, id and version; several each
        with how many offices it scored ("A (gov-office 2.0, 2 offices) and B (iso9001-2015 2015, 1 office)")."""
        if self.single_checklist:
            cl = self.checklist
            return checklist_named(cl, self.lang)
        per_checklist = Counter(str(o.get("checklist") or "") for o in self.data["offices"])
        items = []
        for ref in self._refs:
            cl = _load(ref)
            items.append(t("portfolio.intro_checklist", self.lang, title=cl.title_text(self.lang), id=cl.id,
                           version=cl.version, n=per_checklist.get(cl.id, 0)))
        if len(items) == 1:
            return items[0]
        return t("portfolio.intro_checklists_join", self.lang,
                 first=t("portfolio.intro_checklist_sep", self.lang).join(items[:-1]), last=items[-1])

    def header_html(self) -> str:
        from qmskit.core.assessment import office_key
        earlier = self.data.get("earlier", [])
        of_offices = len({office_key(o.get("name") or o["office"]) for o in earlier})
        return self._render("header", n_offices=len(self.data["offices"]), n_failed=len(self.data.get("failed", [])),
                            checklist=self.checklists_text(),
                            with_links=any(o.get("href") for o in self.data["offices"]),
                            n_earlier=len(earlier), earlier_of=tn("batch.n_offices", of_offices, self.lang))

    def bands_html(self) -> str:
        # counted as the ranking shows them: an office with nothing answered is "not started" (design.md), a
        # card of its own after the four bands (only when there is one), never one more "early stage"
        counts = self.offices["display_band"].value_counts()
        shown = [*BANDS, "not_started"] if counts.get("not_started", 0) else list(BANDS)
        return self._render("bands", bands=[{"band": b, "count": int(counts.get(b, 0))} for b in shown])

    def ranking_html(self) -> str:
        lang = self.lang
        # with action plans (batch --actions): an "actions" column, open / overdue / verified
        with_actions = any(o.get("actions") for o in self.data["offices"])
        rows = [{**r, "href": r["href"] if isinstance(r["href"], str) else "", "actions": actions_cell(r["actions"]),
                 "reasons": join_reasons(r["readiness_reasons"] or [], lang)}
                for r in _records(self.ranking())]
        earlier = [{**r, "href": r["href"] if isinstance(r["href"], str) else "", "file": Path(str(r["source"])).name}
                   for r in _records(self.earlier())]
        return self._render("ranking", rows=rows, with_actions=with_actions, earlier=earlier,
                            office_reports=self.data.get("office_reports", True))

    def heatmap_html(self) -> str:
        matrix = self.top_level_matrix()
        shown = matrix.head(HEATMAP_MAX_ROWS)
        rows = heatmap_rows(shown)
        if not self.single_checklist:  # each row is scored on its own checklist: say which, in the row and caption
            on = {o["office"]: str(o.get("checklist") or "") for o in self.data["offices"]}
            for row in rows:
                row["label"] = f"{row['label']} ({on.get(row['office'], '')})"
            return self._render("heatmap", clauses=list(shown.columns), rows=rows, n_offices=len(matrix),
                                caption=t("portfolio.heatmap_caption_mixed", self.lang,
                                          checklist=", ".join(ref["id"] for ref in self._refs)))
        return self._render("heatmap", clauses=list(shown.columns), rows=rows,
                            n_offices=len(matrix), caption=t("portfolio.heatmap_caption", self.lang,
                                                             checklist=self.checklist.id))

    def distribution_html(self) -> str:
        scored = self.offices.dropna(subset=["overall"])
        thresholds = self.checklist.thresholds
        if not self.single_checklist and any(_load(ref).thresholds != thresholds for ref in self._refs[1:]):
            thresholds = {}  # one office's 80 is another's 85: no line would be true for every bar
        h = None if scored.empty else histogram(scored["overall"].astype(float).to_numpy(),
                                                 scored["readiness"].astype(str).to_numpy(), thresholds)
        caption = "portfolio.dist_caption" if thresholds else "portfolio.dist_caption_no_thresholds"
        return self._render("distribution", h=h, caption=t(caption, self.lang))

    def shared_gaps_html(self) -> str:
        rows = [{**r, "share_pct": round(100 * r["share"])} for r in _records(self.shared_gaps())]
        return self._render("shared_gaps", rows=rows)

    def overdue_actions_html(self) -> str:
        """The oldest overdue actions across offices ('' when the batch had no action plans)."""
        if not any(o.get("actions") for o in self.data.get("offices", [])):
            return ""
        return self._render("overdue", rows=self.data.get("oldest_overdue", []))

    def failed_html(self) -> str:
        rows = [{"file": Path(r["source"]).name, "office": r["office"] or "",
                 "reason": _without_folder(r["reason"], r["source"])} for r in _records(self.failed())]
        return self._render("failed", rows=rows)

    def footer_html(self, generated: str | None = None) -> str:
        import datetime as dt

        from qmskit import __version__
        generated = generated or dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()
        return self._render("footer", version=__version__, generated=generated)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as plain dicts (what the templates read)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _without_folder(reason: str, source: str) -> str:
    """A shared page need not show the consultant's folders: the reason names the file only."""
    reason = str(reason or "")
    if source and reason.startswith(source):
        return Path(source).name + reason[len(source):]
    return reason


# ---------------------------------------------------------------------------------------------- figures
# Figures are an HTML table and inline SVG: a few KB instead of 200+ KB of PNG, sharp in print, and office
# names in any script are drawn by the reader's own fonts (no CJK font needed at render time). Python only
# computes values and coordinates; the markup is in templates/portfolio/.
# ColorBrewer RdYlGn (11 classes), red (0) to green (100), interpolated between stops: a continuous score
# scale, apart from the palette's band colours (a cell's colour says its score, not a verdict).
_RDYLGN = ["#a50026", "#d73027", "#f46d43", "#fdae61", "#fee08b", "#ffffbf", "#d9ef8b", "#a6d96a", "#66bd63",
           "#1a9850", "#006837"]
NO_SCORE_COLOUR = "#d0d7de"


_TAG = re.compile(r" \([^()]*\)$")  # what tells same-named offices apart: "Name (2024-10-22)"


def _short(label: str, limit: int = 42) -> str:
    """A heatmap row's label: the name shortened in its middle part, never its closing "(…)", which is what
    tells apart the rows of one office assessed several times (shortened at the end, they all read alike)."""
    if len(label) <= limit:
        return label
    tag = _TAG.search(label)
    keep = tag.group() if tag and len(tag.group()) <= limit // 2 else ""
    return label[: limit - 1 - len(keep)].rstrip() + "…" + keep


def score_colour(value: float | None) -> str:
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


def heatmap_rows(matrix: pd.DataFrame) -> list[dict]:
    """One row per office: its full name, a shortened label and, per clause, the score's text and colours."""
    rows = []
    for office, values in zip(matrix.index, matrix.to_numpy(dtype=float)):
        cells = []
        for v in values:
            background = score_colour(v)
            cells.append({"text": "\u2014" if np.isnan(v) else f"{v:.0f}", "background": background,
                          "ink": _ink(background)})
        rows.append({"office": str(office), "label": _short(str(office)), "cells": cells})
    return rows


def histogram(scores: np.ndarray, verdicts: np.ndarray, thresholds: dict) -> dict:
    """Coordinates of the histogram of overall scores (5-point bins), each bin's bar stacked by the offices'
    actual verdicts (a score alone does not make a verdict: prerequisites and findings cap it), worst band at
    the bottom, with the verdict thresholds."""
    clipped = np.clip(scores, 0, 100)
    counts, edges = np.histogram(clipped, bins=np.arange(0, 105, 5))
    bins = np.clip(np.searchsorted(edges, clipped, side="right") - 1, 0, len(counts) - 1)  # np.histogram's bins
    width, height, left, right, top, bottom = 760, 240, 44, 10, 10, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(int(counts.max()), 1)
    step = max(1, int(np.ceil(peak / 5)))
    ymax = step * int(np.ceil(peak / step))

    def x(v: float) -> str:
        return f"{left + plot_w * v / 100:.1f}"

    def y(c: float) -> float:
        return top + plot_h * (1 - c / ymax)

    bars = []
    for i, lo in enumerate(edges[:-1]):
        below = 0
        order = [*sorted(set(verdicts) - set(BANDS)), *reversed(BANDS)]  # BANDS runs best first: worst at the bottom
        for band in order:
            n = int(np.sum((bins == i) & (verdicts == band)))
            if n:
                bars.append({"x": f"{float(x(lo)) + 0.2 * plot_w / 100:.1f}", "y": f"{y(below + n):.1f}",
                             "width": f"{4.6 * plot_w / 100:.1f}", "height": f"{y(below) - y(below + n):.1f}",
                             "band": band, "count": n, "lo": int(lo), "hi": int(lo) + 5})
                below += n
    return {
        "width": width, "height": height, "left": left, "right": right, "top": top, "base": f"{y(0):.1f}",
        "ink": palette.INK, "muted": palette.MUTED,
        "y_ticks": [{"y": f"{y(c) + 4:.1f}", "label": c} for c in range(0, ymax + 1, step)],
        "x_ticks": [{"x": x(v), "label": v} for v in range(0, 101, 20)],
        "x_label_y": f"{y(0) + 15:.1f}",
        "bars": bars,
        "thresholds": [x(thresholds[key]) for key in ("developing_min", "nearly_ready_min", "ready_min")
                       if key in thresholds],
        "x_title": f"{left + plot_w / 2:.1f}", "y_title": f"{top + plot_h / 2:.1f}",
    }
