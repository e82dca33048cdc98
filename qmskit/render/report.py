"""The office report: the sections the report notebook displays (:func:`qmskit.api.build_report` runs it).

Every ``*_html`` function returns one part of the report (a ``<section>``) rendered from a Jinja2
template under ``templates/report/`` (:mod:`qmskit.render.templating`: autoescaped, words from the
message catalog); the functions here only prepare the data a template shows (``*_frame`` functions
return the display-ready frames behind the tables). Every value from a user (office name, metadata,
evidence, notes, owner, file names) reaches HTML through the templates' autoescaping, never through
string concatenation.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from qmskit import __version__
from qmskit.core.assessment import Assessment
from qmskit.core.model import (  # SEVERITIES: register groups
    DOC_STATUSES,
    NA_UNJUSTIFIED,  # the code of the warnings the n/a table shows
    SEVERITIES,
    TOL,
    Band,
    Reason,
    ReasonCode,
)
from qmskit.core.values import is_blank as _blank
from qmskit.core.values import text_or_empty as _text
from qmskit.i18n.catalog import check_lang, reason_texts, say, t, tn
from qmskit.i18n.numbers import fmt_impact, fmt_number
from qmskit.io.iorw import slugify  # one definition each, with the other file helpers
from qmskit.render import charts, palette
from qmskit.render.brand import NEUTRAL, Brand, load_brand
from qmskit.render.templating import Column, checklist_named, pct, render

MAJOR = True  # sections that start on a new printed page
# meta key: the responses file's SHA-256, put there by qmskit.api.load_assessment (render reads no file)
SOURCE_SHA256 = "_source_sha256"


@dataclass(frozen=True)
class Figure:
    """One headline figure under the verdict: a label, the value, a note under it."""
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class MetaRow:
    """One line of the header's metadata list; ``muted`` for a placeholder such as "not stated"."""
    label: str
    value: str
    muted: bool = False


def _records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """The rows of ``frame`` (only ``columns`` of it, when given: a row of the questions frame has ~40
    cells and a section shows a handful) as dicts with Python values (``to_dict("records")``)."""
    names = list(frame.columns) if columns is None else [c for c in dict.fromkeys(columns) if c in frame]
    # column by column, ~5x cheaper than to_dict: Series.tolist gives Python scalars, as to_dict does, but
    # leaves an object column's numpy scalars and an extension column's NA as they are (_box: to_dict's)
    values = [_python_values(frame[name]) for name in names]
    keys = [str(name) for name in names]
    return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]


def _box(value: Any) -> Any:
    """A cell as ``to_dict`` gives it: a numpy number or bool as Python's, pandas' NA as None."""
    if value is pd.NA:
        return None
    if isinstance(value, (np.number, np.bool_)):
        return value.item()
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return pd.Timestamp(value) if isinstance(value, np.datetime64) else pd.Timedelta(value)
    return value


def _python_values(column: pd.Series) -> list[Any]:
    values = column.tolist()
    if column.dtype == object or not isinstance(column.dtype, np.dtype):  # object or extension: box the odd ones
        return [v if type(v) is str else _box(v) for v in values]
    return values


def _text_columns(lang: str) -> list[str]:
    """The columns :func:`question_text` reads (with ``_records``' columns)."""
    return [f"text_{lang}", "text_en"]


# ----------------------------------------------------------------------------- value formatting

def answer_label(answer: Any, lang: str = "en") -> str:
    if _blank(answer):
        return t("ans_blank", lang)
    if isinstance(answer, str):
        return t(f"ans_{answer}", lang)
    return t("ans_level", lang, level=int(answer))


def question_text(row: Any, lang: str) -> str:
    """A question's text in ``lang``, English when it has none (``row``: a dict or a frame row)."""
    text = row.get(f"text_{lang}") if isinstance(row, dict) else getattr(row, f"text_{lang}", None)
    if _blank(text):
        text = row.get("text_en") if isinstance(row, dict) else getattr(row, "text_en", "")
    return "" if _blank(text) else str(text)


def _meta(a: Assessment, key: str) -> str:
    value = a.meta.get(key)
    return "" if _blank(value) else str(value)


def _exclusions_text(a: Assessment, lang: str) -> str:
    """The header's exclusions: every clause the office excluded (what the scores apply), each with its
    justification, then the office's free-text ``exclusions`` unless it is already there (a clause listed
    without a reason of its own takes that text as its reason). The free text alone used to win: a header
    naming only 8.3 while 7.1.5.2 was excluded too (found by a new user's session)."""
    from qmskit.core.scoring import excluded_clauses_of
    listed = excluded_clauses_of(a.meta)
    free = _meta(a, "exclusions")
    sep = t("reasons.sep", lang)
    structured = sep.join(t("labelled", lang, label=ex.clause, value=ex.justification) if ex.justification
                          else ex.clause for ex in listed)
    if not free or free == structured or any(ex.justification == free for ex in listed):
        return structured or free
    return sep.join(x for x in (structured, free) if x)


# what the office (or its consultant) typed, question by question, that the report writes out once each
_TYPED_COLUMNS = ("evidence", "notes", "owner")


def office_text_size(a: Assessment, lang: str = "en") -> int:
    """Bytes (UTF-8, as the templates escape it) of the text the office typed that the report writes out:
    each answer's evidence, notes and owner, and the consultant's summary. design.md lets a cell hold
    10,000 characters and the report shows every one, so no fixed size holds every report; the size
    budget (issue 15) is for the page qmskit writes around this text."""
    q = a.questions
    typed = [_text(v) for column in _TYPED_COLUMNS if column in q for v in q[column]]
    typed.append(_words(a, "summary", lang))
    return sum(len(str(Markup.escape(text)).encode("utf-8")) for text in typed if text)


def status_key(a: Assessment) -> str:
    return "final" if _meta(a, "status").lower() in ("final", "定稿") else "draft"


# ----------------------------------------------------------------------------- sections

TOC = [("summary", "sec_summary"), ("clauses", "sec_clauses"), ("gaps", "sec_gaps"),
       ("actions", "sec_actions"), ("docinfo", "sec_docinfo"), ("attention", "sec_attention"),
       ("appendix", "sec_appendix"), ("method", "sec_method"), ("parameters", "sec_parameters")]


def page_title(office: str, lang: str = "en", title: str | None = None) -> str:
    """The browser tab / ``<title>`` of an office's report (pass it to ``notebook.export_html``)."""
    return title if title is not None and not _blank(title) else f"{office} — {t('report_title', lang)}"


class Audience(str, Enum):
    """Who a copy is for: the client's copy leaves out the technical appendix and internal notes."""
    CLIENT = "client"
    INTERNAL = "internal"


def check_audience(value: Any) -> Audience:
    from qmskit.errors import QmskitError
    from qmskit.i18n.catalog import msg
    try:
        return Audience(str(getattr(value, "value", value) or "internal").lower())
    except ValueError:
        raise QmskitError(msg("report.unknown_audience", value=value)) from None


def _brand(brand: Brand | str | Path | None) -> Brand:
    return brand if isinstance(brand, Brand) else load_brand(brand)


def report_number(a: Assessment, brand: Brand = NEUTRAL, seq: int | None = None) -> str:
    """The report's number: the file's own ``report_number``, else the brand's pattern (``report_seq`` from
    the file, else ``seq`` — a batch's position — else 1); none for an unbranded report without one."""
    own = _meta(a, "report_number")
    if own:
        return own
    if brand.neutral:
        return ""
    try:
        number = int(float(_meta(a, "report_seq") or seq or 1))
    except ValueError:
        number = int(seq or 1)
    return brand.number(office=a.office, date=_meta(a, "date"), seq=number, slug=slugify(a.office))


def brand_bar(brand: Brand, lang: str) -> dict[str, Any]:
    """What the header's brand bar and accent need (the office report and the comparison share them)."""
    return {"neutral": brand.neutral, "accent": brand.accent or "", "firm": brand.text("firm", lang),
            "logo_uri": brand.logo_uri or "", "contact": brand.text("contact", lang)}


def header_html(a: Assessment, lang: str = "en", title: str | None = None, *, brand: Brand | None = None,
                audience: Audience | str = Audience.INTERNAL, seq: int | None = None) -> Markup:
    """Brand bar, title, office, status, the assessment's metadata, the confidentiality notice and contents.

    The header also carries the running texts a printed page repeats (office and report number, firm;
    the confidentiality line and the brand's footer), hidden, for the PDF printer (:mod:`qmskit.render.pdf`).
    """
    lang = check_lang(lang)
    brand = _brand(brand)
    audience = check_audience(audience)
    cl = a.checklist
    status = status_key(a)
    number = report_number(a, brand, seq)
    not_stated = t("not_stated", lang)

    def row(key: str, value: str, placeholder: str = not_stated) -> MetaRow:
        label = t(key, lang)
        return MetaRow(label, value or placeholder, muted=not value and placeholder == not_stated)

    meta = [row("brand.report_no", number)] if number else []
    meta += [row("scope", _meta(a, "scope")), row("sites", _meta(a, "sites")),
             row("exclusions", _exclusions_text(a, lang), t("none", lang)),
             row("assessor", _meta(a, "assessor")), row("date", _meta(a, "date")),
             row("checklist", checklist_named(cl, lang)),
             row("language", t("lang_name", lang)), row("status", t(status, lang)),
             row("brand.audience", t(f"brand.audience_{audience.value}", lang))]
    notice = _meta(a, "confidentiality") or brand.text("confidentiality", lang) or t("confidential_default", lang)
    toc = [{"key": key, "label": t(label, lang)} for key, label in TOC
           if audience is Audience.INTERNAL or key != "parameters"]
    if _words(a, "summary", lang):
        toc.insert(0, {"key": "exec-summary", "label": t("brand.exec_summary", lang)})
    bar = brand_bar(brand, lang)
    running = {"left": a.office + (f" · {t('brand.report_no', lang)} {number}" if number else ""),
               "right": bar["firm"] or t("report_title", lang), "confidential": notice,
               "footer": brand.text("footer", lang)}
    custom_title = title is not None and not _blank(title)
    return render("report/header.html.j2", lang=lang, audience=audience.value, running=running, **bar,
                  kicker=custom_title, heading=title if custom_title else t("report_title", lang),
                  status=status, office=a.office, meta=meta, notice=notice, toc=toc)


def markdown_html(text: str) -> Markup:
    """The consultant's Markdown as HTML, safely: raw HTML is shown as text (markdown-it escapes it),
    images are off (nothing is fetched), and links are kept only for http(s) and mailto (others stay
    plain text)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).disable("image")
    md.validateLink = lambda url: bool(re.match(r"(?i)^(https?:|mailto:)", url.strip()))  # type: ignore[method-assign]
    rendered = md.render(str(text or "").replace("\r\n", "\n"))
    # links open apart from the report and tell the target nothing about it
    rendered = rendered.replace("<a href=", '<a rel="noopener noreferrer nofollow" href=')
    return Markup(rendered)  # noqa: S704 - markdown-it's output with raw HTML disabled (escaped as text)


def _words(a: Assessment, key: str, lang: str) -> str:
    """The consultant's text for this language: ``summary_zh`` for a Chinese report, else ``summary``."""
    return _meta(a, f"{key}_{lang}") or _meta(a, key)


def _prose(key: str, heading: str, text: str, *, level: int = 2, internal: bool = False) -> Markup:
    return render("report/prose.html.j2", key=key, heading=heading, html=markdown_html(text), level=level,
                  internal=internal)


def summary_html(a: Assessment, lang: str = "en") -> Markup:
    """The consultant's executive summary (``summary`` in the Office sheet / metadata), before the verdict."""
    lang = check_lang(lang)
    text = _words(a, "summary", lang)
    return _prose("exec-summary", t("brand.exec_summary", lang), text) if text else Markup("")


def closing_html(a: Assessment, lang: str = "en", *, brand: Brand | None = None,
                 audience: Audience | str = Audience.INTERNAL) -> Markup:
    """Closing remarks (``closing``), internal notes (``internal_notes``, internal copy only) and the
    sign-off block (the brand's signatory, else the assessor)."""
    lang = check_lang(lang)
    brand = _brand(brand)
    audience = check_audience(audience)
    parts = []
    closing = _words(a, "closing", lang)
    if closing:
        parts.append(_prose("closing", t("brand.closing", lang), closing))
    notes = _words(a, "internal_notes", lang)
    if notes and audience is Audience.INTERNAL:
        parts.append(_prose("internal-notes", t("brand.internal_notes", lang), notes, level=3, internal=True))
    name = brand.text("signatory_name", lang) or _meta(a, "assessor")
    role = brand.text("signatory_title", lang) or (t("assessor", lang) if name else "")
    firm = brand.text("firm", lang)
    if name or firm:
        parts.append(render("report/signoff.html.j2", heading=t("brand.signoff", lang),
                            who=[("qr-sign-name", name), ("qr-sign-role", role), ("qr-sign-firm", firm)],
                            signature=t("brand.signature", lang), sign_date=_meta(a, "sign_date"),
                            sign_date_label=t("brand.sign_date", lang)))
    return Markup("").join(parts)


def gap_counts(a: Assessment) -> dict[str, int]:
    """Findings as the CLI counts them (:meth:`Assessment.finding_counts`): question gaps by severity,
    KPI observations and unsupported "yes" answers apart."""
    return a.finding_counts()


def hint_steps(a: Assessment, reasons: Sequence[Reason] | None = None) -> list[tuple[str, int, dict[str, Any]]]:
    """What the office must still do to reach the next band: one (catalog key, count, fields) per unmet gate
    among ``reasons`` (default: the verdict's; each names the band whose gate it is, qmskit.core.readiness), in
    their order, each counted by its reason's own values -- so a step names findings only when the register
    holds them, and the evidence of the key "yes" answers when that is what blocks.

    Gates of "ready" (a nearly-ready verdict): close every major, the minors down to the cap, answer every
    question, reach the score. Gates of "nearly ready" (a developing or early-stage verdict) and of
    "developing": how many majors to close to get within the cap, how many open questions to answer to reach
    the completeness (with the share still open), the score to raise from where it is."""
    steps: list[tuple[str, int, dict[str, Any]]] = []
    applicable = int(a.questions["applicable"].sum())
    open_questions = applicable - int(a.questions["answered"].sum())
    for reason in a.reasons if reasons is None else reasons:
        v = reason.values
        to_ready = v.get("band") == Band.READY.value
        if reason.code is ReasonCode.MAJOR_GAPS:
            steps.append(("hint.step.close_majors", int(v["count"]), {}) if to_ready else
                         ("hint.step.close_majors_to", int(v["count"]),
                          {"need": int(v["count"]) - int(v["allowed"]), "allowed": int(v["allowed"])}))
        elif reason.code is ReasonCode.MINOR_GAPS:
            steps.append(("hint.step.close_minors", int(v["count"]), {"allowed": int(v["allowed"])}))
        elif reason.code is ReasonCode.UNSUPPORTED_KEY:
            steps.append(("hint.step.evidence_key", int(v["count"]), {}))
        elif reason.code is ReasonCode.UNSUPPORTED_KEY_CARRIED:
            steps.append(("hint.step.reverify_key", int(v["count"]), {}))
        elif reason.code is ReasonCode.COMPLETENESS_BELOW and to_ready:
            steps.append(("hint.step.answer", len(a.unanswered), {}))
        elif reason.code is ReasonCode.COMPLETENESS_BELOW:
            # the fewest answers that reach the required share of the applicable questions
            need = max(1, math.ceil(float(v["required"]) / 100 * applicable - TOL) - (applicable - open_questions))
            steps.append(("hint.step.answer_share", open_questions,
                          {"need": min(need, open_questions), "required": v["required"],
                           "share": 100.0 * open_questions / applicable if applicable else 100.0}))
        elif reason.code is ReasonCode.PREREQUISITES_MISSING:
            steps.append(("hint.step.prerequisites", int(v["count"]), {}))
        elif reason.code is ReasonCode.OVERALL_BELOW:
            steps.append(("hint.step.raise_score", len(a.gaps), {"required": v["required"]}) if to_ready else
                         ("hint.step.raise_score_from", len(a.gaps), {"value": v["value"], "required": v["required"]}))
        elif reason.code is ReasonCode.NO_ANSWERS:
            steps.append(("hint.step.answer", len(a.unanswered), {}))
    return steps


def said_steps(steps: list[tuple[str, int, dict[str, Any]]], lang: str) -> str:
    """The steps of :func:`hint_steps` as one clause in ``lang`` ("close …; answer …"); the reasons' own
    words when no step applies."""
    said = [tn(key, n, lang, **{k: fmt_number(x, lang) if isinstance(x, float) else x for k, x in fields.items()})
            for key, n, fields in steps]
    return t("hint.step_sep", lang).join(said) if said else t("hint.step.reasons", lang)


def band_hint(a: Assessment, lang: str = "en", counts: dict[str, int] | None = None) -> str:
    """The banner's line under the band, from what actually holds the verdict back: "book the audit"
    only when ready with no open minor, and then still asking for the evidence of every "yes" that has
    none; otherwise what moves the office to the next band up, from its reasons (:func:`hint_steps`):
    for nearly ready the gates of ready ("close the 2 major nonconformities …", "record the evidence seen
    for the 36 … “yes” answers …", never "close the gaps below" when the register holds none); for
    developing those of nearly ready (the majors to close to get within its cap, the prerequisites, the
    open questions and their share, the score to raise); for early stage the score that reaches
    developing, then the other gates of nearly ready. ``counts``: :func:`gap_counts` when the caller has them."""
    counts = counts or a.finding_counts()
    shown = a.display_band
    if shown == Band.READY:
        text = t("band_hint_ready_minors" if counts["minor"] else "band_hint_ready", lang)
        if counts["unsupported"]:  # not a gate of "ready", but the auditor will ask to see each
            text = tn("hint.ready_unsupported", counts["unsupported"], lang, hint=text)
        return text
    if shown in (Band.NEARLY_READY, Band.DEVELOPING):
        return t(f"band_hint_{shown}", lang, steps=said_steps(hint_steps(a), lang))
    if shown == Band.EARLY_STAGE and a.reasons:
        # the verdict's first reason is the gate of developing (qmskit.core.readiness); the rest those of nearly ready
        first, rest = hint_steps(a, a.reasons[:1]), hint_steps(a, a.reasons[1:])
        if rest:
            return t("band_hint_early_stage", lang, first=said_steps(first, lang), steps=said_steps(rest, lang))
        return t("band_hint_early_stage_first", lang, first=said_steps(first, lang))
    return t(f"band_hint_{shown}", lang)


def verdict_html(a: Assessment, lang: str = "en") -> Markup:
    """The verdict banner (coloured by readiness band) with its reasons, then the headline figures:
    overall, completeness, findings (KPI observations said apart) and "yes" answers without evidence."""
    from qmskit.render.actions_report import progress_line  # '' unless an action plan is attached

    lang = check_lang(lang)
    answered = int(a.questions["answered"].sum())
    applicable = int(a.questions["applicable"].sum())
    counts = gap_counts(a)
    questions_total = counts["major"] + counts["minor"] + counts["observation"]
    findings_note = t("gaps_summary", lang, **counts)
    if counts["kpi_observation"]:
        findings_note += t("gaps_summary_kpi", lang, n=counts["kpi_observation"])
    figures = [Figure(t("overall", lang), fmt_number(a.overall, lang), "/ 100"),
               Figure(t("completeness", lang), pct(a.completeness),
                      t("answered_of", lang, answered=answered, applicable=applicable)),
               Figure(t("gap_counts", lang), str(questions_total), findings_note),
               Figure(t("unsupported_count", lang), str(counts["unsupported"]), t("unsupported_note", lang))]
    return render("report/verdict.html.j2", lang=lang, band=a.readiness, shown=a.display_band,
                  hint=band_hint(a, lang, counts), reasons=reason_texts(a.reasons, lang),
                  actions_progress=progress_line(a, lang), figures=figures)


def chart_clauses(a: Assessment) -> pd.DataFrame:
    """The clauses the chart shows: second-level clauses (4.1 … 10.3), or top-level when there are none."""
    level = 2 if (a.clauses["level"] == 2).any() else 1
    return a.clauses[a.clauses["level"] == level]


def chart_geometry(a: Assessment, *, title: str = "") -> dict[str, Any]:
    """What the bar chart draws (:func:`qmskit.render.charts.bar_chart`): a bar per clause coloured by its
    top-level clause, its score above it ("—" for no score), the clause number under it, dashed and dotted
    lines at the ready and nearly-ready thresholds."""
    th = a.checklist.thresholds
    rows = chart_clauses(a)
    tops = list(dict.fromkeys(rows["top"]))
    colours = [palette.SERIES[tops.index(top) % len(palette.SERIES)] for top in rows["top"]]
    scores = [None if pd.isna(v) else float(v) for v in rows["score"]]
    return charts.bar_chart([str(c) for c in rows["clause"]], [charts.Bars(scores, colours)], title=title,
                            thresholds=[charts.Threshold(th["ready_min"], "6 4"),
                                        charts.Threshold(th["nearly_ready_min"], "2 3")])


def chart_svg(a: Assessment, *, title: str = "") -> Markup:
    """A bar chart of clause scores as inline SVG, labelled by clause numbers only (no matplotlib)."""
    return charts.chart_svg(chart_geometry(a, title=title))


def chart_html(a: Assessment, lang: str = "en") -> Markup:
    lang = check_lang(lang)
    th = a.checklist.thresholds
    caption = t("chart_caption", lang, ready=fmt_number(th["ready_min"], lang), nearly=fmt_number(th["nearly_ready_min"], lang))
    return render("report/chart.html.j2", lang=lang, c=chart_geometry(a, title=t("chart_alt", lang)),
                  caption=caption)


def clause_frame(a: Assessment, lang: str = "en") -> pd.DataFrame:
    c = a.clauses
    return pd.DataFrame({
        "clause": c["clause"], "level": c["level"],
        "title": c[f"title_{lang}"].where(c[f"title_{lang}"].notna() & (c[f"title_{lang}"] != ""), c["title_en"]),
        "score": c["score"], "answered": c["answered"], "applicable": c["applicable"],
        "completeness": c["completeness"],
        # the standard names no title here (e.g. 6.1.1): ours is descriptive and is never shown as ISO's/GB/T's
        "descriptive": c["title_source"].eq("descriptive") if "title_source" in c else False,
    }).reset_index(drop=True)


def _fraction(value: float) -> str:
    """0–1 in the fewest characters CSS reads: ``.682``, ``0``, ``1``."""
    text = f"{round(value, 3):g}"
    return text[1:] if text.startswith("0.") else text


def clause_table_html(a: Assessment, lang: str = "en") -> Markup:
    lang = check_lang(lang)
    f = clause_frame(a, lang)
    rows = []
    for r in _records(f):
        score = r["score"]
        missing = score is None or math.isnan(score)
        rows.append({
            "clause": r["clause"], "title": f"{r['title']} †" if r["descriptive"] else r["title"],
            # "—" when nothing is answered yet, "n/a" only when nothing applies
            "score": None if missing else fmt_number(score, lang),
            "no_score": t("ans_blank") if r["applicable"] else "n/a",
            # the bar's length as a fraction of the cell (report.css draws it behind the score: no element)
            "bar": "" if missing else _fraction(max(0.0, min(100.0, float(score))) / 100),
            "answered": f"{r['answered']} / {r['applicable']}",
            "completeness": pct(r["completeness"]) if r["applicable"] else "n/a"})
    # "Completeness" needs 15% of an A4 page's 186 mm at the printed size
    columns = [Column("clause", t("col_clause", lang), "9%"), Column("title", t("col_title", lang), "50%"),
               Column("score", t("col_score", lang), "14%", bar="bar"),
               Column("answered", t("col_answered", lang), "12%", numeric=True),
               Column("completeness", t("col_completeness", lang), "15%", numeric=True)]
    return render("report/clauses.html.j2", lang=lang, columns=columns, rows=rows,
                  # level 2 is the table's plain row (report.css styles levels 1, 3 and 4)
                  row_classes=["" if lvl == 2 else f"qr-level-{lvl}" for lvl in f["level"]],
                  descriptive_note=bool(f["descriptive"].any()))


def kpi_findings_frame(a: Assessment, lang: str = "en") -> pd.DataFrame:
    """KPI findings as gap-register rows (id, clause, severity, text); empty when there are none."""
    if not a.kpi_findings:
        return pd.DataFrame(columns=["id", "clause", "severity", "text"])
    from qmskit.render.kpi_tables import kpi_findings_frame as frame
    return frame(a, lang)


def gap_register_frame(a: Assessment, lang: str = "en") -> pd.DataFrame:
    """The findings in rank order, KPI observations after the question gaps of the same severity
    (design.md): severity and its reason, requirement and clause, the answer, the evidence seen and the
    notes (apart), the recommended action."""
    from qmskit.core.gaps import recommended_action
    g = a.gaps
    rows = pd.DataFrame({
        "rank": g["rank"].astype(object), "severity": g["severity"], "reason": g["reason"], "clause": g["clause"],
        "id": g["id"], "requirement": [question_text(r, lang) for r in _records(g, _text_columns(lang))],
        "answer": g["answer"], "impact": g["impact"], "evidence": g["evidence"], "notes": g["notes"],
        "action": recommended_action(g, lang), "kind": "question",
    })
    kpi = kpi_findings_frame(a, lang)
    if len(kpi):
        kpi_rows = pd.DataFrame({"rank": "", "severity": kpi["severity"], "reason": "kpi", "clause": kpi["clause"],
                                 "id": kpi["id"], "requirement": kpi["text"], "answer": None, "impact": float("nan"),
                                 "evidence": "", "notes": "", "action": t("kpi_action", lang), "kind": "kpi"})
        order = {"major": 0, "minor": 1, "observation": 2}
        rows = pd.concat([rows, kpi_rows], ignore_index=True)
        rows["_sev"] = rows["severity"].map(order)
        rows["_kpi"] = rows["kind"] == "kpi"
        rows = rows.sort_values(["_sev", "_kpi"], kind="mergesort").drop(columns=["_sev", "_kpi"])
    return rows.reset_index(drop=True)


def _answered_by(a: Assessment) -> dict[str, str]:
    """Who answered each question, by id, for a merged file (qmskit merge; empty otherwise): shown beside
    the answer wherever it is written out."""
    who = a.meta.get("_answered_by")
    return {str(k): str(v) for k, v in who.items() if v} if isinstance(who, dict) else {}


def _finding_ranks(a: Assessment) -> dict[str, int]:
    """The rank of each question's finding, by question id (a question without a finding is not in it)."""
    return {str(k): int(v) for k, v in zip(a.gaps["id"], a.gaps["rank"])}


def finding_anchor(qid: str, rank: Any = None) -> str:
    """The HTML id of a finding's row in the gap register, which the action plan and the documented-
    information register link to instead of repeating the finding: ``f<rank>`` (``f12``: the number the
    reader sees, and short, for a link per finding), ``f-<question id>`` for a KPI finding, which has no
    rank (question ids are letters, digits, dots and dashes)."""
    return f"f{rank}" if not _blank(rank) and str(rank) else f"f-{qid}"


def clause_shown(clause: str, qid: str) -> str:
    """The clause to print beside a question id: none when the id already names it (``5.1.2-a``,
    ``gov-5.1.2-a``), so a table does not print the same clause number twice per row."""
    return "" if re.search(rf"(^|-){re.escape(str(clause))}-", str(qid)) else str(clause)


def question_ref(clause: str, qid: str) -> str:
    """A question's "Clause / ID" cell as text: its id, which names its clause (``5.1.2-a``), or else
    "clause · id"."""
    shown = clause_shown(clause, qid)
    return f"{shown} · {qid}" if shown else str(qid)


def _ref_column(lang: str, width: str) -> Column:
    return Column("ref", f'{t("col_clause", lang)} / {t("col_id", lang)}', width)


def _impact(value: Any) -> str:
    return fmt_impact(value)


# reasons whose answer the reason itself states (compliance scale): "not met" is a "no", "partly met" a "partial"
_ANSWER_IN_REASON = {"critical": "no", "absent": "no", "not_met": "no", "partial": "partial"}


def _answer_implied(reason: str, answer: Any) -> bool:
    return _ANSWER_IN_REASON.get(reason) == answer


def gap_register_html(a: Assessment, lang: str = "en") -> Markup:
    """The findings in rank order, grouped by severity (a heading per severity with its count: the
    severity is said once per group, not on every row; ranks run on across the groups), each finding in
    full once: its reason, requirement, the answer (where the reason does not already say it: a "not met"
    is a "no"), evidence seen and notes, the recommended action with its owner, due date and (with an
    action plan attached) status. Each row is anchored (:func:`finding_anchor`): the action plan, the
    documented-information register and the appendix link to it instead of copying it."""
    from qmskit.render import actions_report

    lang = check_lang(lang)
    f = gap_register_frame(a, lang)
    # each question gap's owner and due date (its action's, as action_plan_frame has them; a KPI finding's
    # action has none), looked up per row in a dict: .at on a frame per row cost ~0.2 ms a finding
    g = a.gaps
    owner_due: dict[Any, tuple[str, str]] = {}
    in_plan = actions_report.plan_owners_and_dues(a)
    for qid, owner, due in zip(g["id"], g["owner"], g["due"], strict=True):
        owner_due.setdefault(qid, actions_report.owner_and_due(in_plan, qid, _text(owner), _text(due)))
    points_above_zero = _points_above_zero(a)
    assessed = _meta(a, "date")
    status = actions_report.status_cells(a, f["id"], lang) if len(f) else None
    who = _answered_by(a)
    groups: dict[str, list[dict[str, Any]]] = {}
    for i, r in enumerate(_records(f)):
        owner, due = owner_due.get(r["id"], ("", ""))
        groups.setdefault(r["severity"], []).append({
            "kind": r["kind"], "rank": _text(r["rank"]), "impact": _impact(r["impact"]), "reason": r["reason"],
            "clause": clause_shown(r["clause"], r["id"]), "id": r["id"], "anchor": finding_anchor(r["id"], r["rank"]),
            "requirement": r["requirement"],
            "answer": "" if r["kind"] != "question" or _answer_implied(r["reason"], r["answer"])
            else answer_label(r["answer"], lang),
            # "none recorded" only where some evidence was due: a "no" has none to show
            "evidence": _text(r["evidence"]), "no_evidence": points_above_zero.get(r["id"], False),
            "notes": _text(r["notes"]), "action": r["action"], "owner": owner, "due": due,
            "overdue": bool(assessed) and bool(due) and due < assessed,
            "status": status[i] if status is not None else "", "answered_by": who.get(r["id"], "")})
    # the widths are report.css's (table.qr-gaps), written once for the groups' tables
    columns = [Column("rank", t("col_rank", lang), "", numeric=True),
               Column("reason", t("col_reason", lang), ""),
               Column("clause", f'{t("col_clause", lang)} / {t("col_id", lang)}', ""),
               Column("requirement", t("col_finding", lang), ""),
               Column("evidence", f'{t("col_seen", lang)} / {t("col_notes", lang)}', ""),
               Column("action", t("col_recommended", lang), ""),
               Column("owner", t("col_owner_due", lang), "")]
    implied = any(r["kind"] == "question" and not r["answer"] for rows in groups.values() for r in rows)
    overdue = any(r.get("overdue") for rows in groups.values() for r in rows)
    # an empty register says "fully met" only when every "yes" names its evidence: otherwise what is met is
    # partly the office's word, and the page says how much of it
    empty = (tn("empty_gaps_unsupported", len(a.unsupported), lang) if a.unsupported else t("empty_gaps", lang))
    return render("report/gaps.html.j2", lang=lang, columns=columns, kpis=_kpi_table(a, lang), answers_implied=implied,
                  any_overdue=overdue, empty=empty,
                  groups=[{"severity": sev, "n": len(rows), "runs": _impact_runs(rows, lang)}
                          for sev in SEVERITIES if (rows := groups.get(sev))])


def _impact_runs(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """A severity's findings in runs of equal impact, each under a row that gives the impact once: the
    rank order is severity, then impact, then clause, so the runs keep it; KPI findings (no impact) last."""
    runs: list[dict[str, Any]] = []
    for row in rows:
        key = row["impact"] if row["kind"] == "question" else "kpi"
        if not runs or runs[-1]["key"] != key:
            runs.append({"key": key, "rows": []})
        runs[-1]["rows"].append(row)
    for run in runs:
        run["label"] = t("reason_kpi", lang) if run["key"] == "kpi" else t("gaps_impact", lang, impact=run["key"])
    return runs


def _points_above_zero(a: Assessment) -> dict[Any, bool]:
    """Per question id (its first row): whether it scored above zero (some evidence was due)."""
    out: dict[Any, bool] = {}
    for qid, points in zip(a.questions["id"], a.questions["points"], strict=True):
        out.setdefault(qid, not _blank(points) and float(points) > 0)
    return out


def _kpi_table(a: Assessment, lang: str) -> dict[str, Any] | None:
    """KPIs against their targets (only when the checklist declares indicators)."""
    if a.kpis is None or not len(a.kpis):
        return None
    from qmskit.render.kpi_tables import kpi_table
    frame = kpi_table(a, lang)
    cols = [c for c in frame.columns if c != "_status"]
    status_key = cols[5] if len(cols) > 5 else None  # localised "status" header (kpi_tables.kpi_table's order)
    look = {"met": "present", "not_met": "missing", "no_value": "unanswered"}
    rows = [{**r, "_look": look.get(r["_status"], "unanswered")} for r in _records(frame)]
    spec = [Column(c, c if c != "id" else t("col_id", lang), "14%" if c == "id" else f"{86 / (len(cols) - 1):.0f}%")
            for c in cols]
    return {"heading": t("report.kpis", lang), "columns": spec, "rows": rows, "status_key": status_key}



def action_plan_frame(a: Assessment, lang: str = "en") -> pd.DataFrame:
    """One action per gap in rank order (owner, due), then one per KPI finding."""
    plan = a.action_plan(lang)
    rows = pd.DataFrame({"rank": plan["rank"].astype(object), "severity": plan["severity"], "reason": plan["reason"],
                         "clause": plan["clause"], "id": plan["id"], "action": plan["action"], "owner": plan["owner"],
                         "due": plan["due"]})
    kpi = kpi_findings_frame(a, lang)
    if len(kpi):
        rows = pd.concat([rows, pd.DataFrame({
            "rank": "", "severity": kpi["severity"], "reason": "kpi", "clause": kpi["clause"], "id": kpi["id"],
            "action": [f"{text}. {t('kpi_action', lang)}" for text in kpi["text"]], "owner": "", "due": ""})],
            ignore_index=True)
    return rows.reset_index(drop=True)


def _rank_runs(links: list[dict[str, str]]) -> list[dict[str, str]]:
    """An owner's findings as links, a run of consecutive ranks as one ("6–9", to finding 6): the list
    reads the same and is half as long where one owner holds neighbouring findings."""
    runs: list[dict[str, Any]] = []
    for link in links:
        rank = int(link["label"]) if link["label"].isdigit() else None
        last = runs[-1] if runs else None
        if rank is not None and last is not None and last["to"] is not None and rank == last["to"] + 1:
            last["to"] = rank
        else:
            runs.append({"anchor": link["anchor"], "from": rank, "to": rank, "label": link["label"]})
    return [{"anchor": r["anchor"], "label": r["label"] if r["from"] == r["to"] else f"{r['from']}–{r['to']}"}
            for r in runs]


def action_plan_html(a: Assessment, lang: str = "en") -> Markup:
    """The action plan by owner: per owner (the unassigned last, flagged) how many actions, the due dates
    (missing ones and ones before the assessment date flagged), with an action plan attached their status,
    and the findings, linked by rank. Each action is written out once, with its owner, due date and
    status, in its finding's row of the gap register."""
    from qmskit.render import actions_report

    lang = check_lang(lang)
    f = action_plan_frame(a, lang)
    assessed = _meta(a, "date")
    status = actions_report.status_cells(a, f["id"], lang) if len(f) else None
    groups: dict[str, dict[str, Any]] = {}
    in_plan = actions_report.plan_owners_and_dues(a)
    for i, r in enumerate(_records(f)):
        owner, due = actions_report.owner_and_due(in_plan, r["id"], _text(r["owner"]), _text(r["due"]))
        g = groups.setdefault(owner, {"owner": owner, "links": [], "dues": [], "no_due": 0, "overdue": 0,
                                      "status": {}})
        g["links"].append({"anchor": finding_anchor(r["id"], r["rank"]), "label": _text(r["rank"]) or r["id"]})
        if due:
            g["dues"].append(due)
            g["overdue"] += bool(assessed) and due < assessed
        else:
            g["no_due"] += 1
        if status is not None:
            label = status[i].split(" · ")[0]
            g["status"][label] = g["status"].get(label, 0) + 1
    rows = [{**g, "count": len(g["links"]), "links": _rank_runs(g["links"]), "first": min(g["dues"], default=""),
             "last": max(g["dues"], default=""),
             "status": " · ".join(t("labelled", lang, label=k, value=n) for k, n in g["status"].items())}
            for owner, g in sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0].casefold()))]
    columns = [Column("owner", t("col_owner", lang), "22%"), Column("count", t("col_actions", lang), "9%", numeric=True),
               Column("due", t("col_due", lang), "19%"), Column("links", t("col_findings", lang), "50%")]
    if status is not None:  # an action plan is attached: its status
        columns[3] = Column("links", t("col_findings", lang), "32%")
        columns.append(Column("status", t("col_status", lang), "18%"))
    return render("report/actions.html.j2", lang=lang, columns=columns, rows=rows)


def _register(di: pd.DataFrame, lang: str, ranks: dict[str, int], who: dict[str, str]) -> dict[str, Any]:
    """A register's rows; a document with a finding links to it (``ranks``: the findings' ranks by
    question id) instead of repeating the requirement and evidence its gap-register row shows."""
    counts = di["status"].value_counts()
    summary = " · ".join(t("labelled", lang, label=t("di_" + s, lang), value=int(counts.get(s, 0)))
                         for s in DOC_STATUSES if counts.get(s, 0))
    rows = []
    for r in _records(di):
        row = {"ref": question_ref(r["clause"], r["id"]), "type": t(f"di_{r['documented_information']}", lang),
               "status": r["status"], "link": "", "requirement": "", "evidence": "", "answered_by": ""}
        rank = ranks.get(r["id"])
        if rank is not None:
            row.update(link=f"#{finding_anchor(r['id'], rank)}", link_text=t("see_finding", lang, rank=rank))
        else:
            row.update(requirement=question_text(r, lang), evidence=_text(r["evidence"]),
                       answered_by=who.get(r["id"], ""))
        rows.append(row)
    return {"summary": summary, "rows": rows}


def docinfo_html(a: Assessment, lang: str = "en") -> Markup:
    """The mandatory documented-information register (what ISO 9001 itself requires): present / partial /
    missing per requirement; then, apart, the office's own documents (a profile's ``office_document``),
    which ISO 9001 does not require. A document with a finding links to its row in the gap register."""
    lang = check_lang(lang)
    di, own = a.documented_information(), a.office_documents()
    ranks, who = _finding_ranks(a), _answered_by(a)
    columns = [_ref_column(lang, "12%"), Column("type", t("col_type", lang), "13%"),
               Column("status", t("col_status", lang), "11%"), Column("requirement", t("col_question", lang), "40%"),
               Column("evidence", t("col_seen", lang), "24%")]
    return render("report/docinfo.html.j2", lang=lang, columns=columns,
                  mandatory=_register(di, lang, ranks, who) if len(di) else None,
                  own=_register(own, lang, ranks, who) if len(own) else None)


def _question_rows(by_id: dict[Any, dict[str, Any]], ids: list[str], lang: str,
                   who: dict[str, str] | None = None, *, carried_note: bool = False) -> list[dict[str, Any]]:
    """The rows of the questions ``ids`` (``by_id``: the questions' records by id; ids are unique, the
    checklist loader refuses a duplicate); ``who``: who answered each (a merged file); ``carried_note``:
    flag the rows whose evidence is only carried over from the previous assessment (not re-verified)."""
    rows = []
    for qid in ids:
        r = by_id[qid]
        rows.append({"ref": question_ref(r["clause"], r["id"]), "requirement": question_text(r, lang),
                     "answer": answer_label(r["answer"], lang), "evidence": _text(r["evidence"]),
                     "notes": _text(r["notes"]), "answered_by": (who or {}).get(str(qid), ""),
                     # a "yes" listed as without evidence though its evidence cell has text: why
                     "carried": carried_note and bool(r.get("evidence_carried", False))})
    return rows


def _na_groups(by_id: dict[Any, dict[str, Any]], ids: list[str], lang: str,
               who: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The n/a questions in checklist order, in runs: the questions made n/a by one of the office's
    excluded_clauses run together under one heading that names the clause and its reason once (a clause
    excluded by the office answers all of its questions n/a, each with the same justification), the
    others (each with its own justification) under none."""
    groups: list[dict[str, Any]] = []
    for qid, row in zip(ids, _question_rows(by_id, ids, lang, who), strict=True):
        clause = by_id[qid].get("excluded_by")
        clause = clause if isinstance(clause, str) and clause else ""
        if not groups or groups[-1]["clause"] != clause:
            reason = row["notes"]
            label = "" if not clause else (t("na_excluded", lang, clause=clause, reason=reason) if reason
                                           else t("na_excluded_bare", lang, clause=clause))
            groups.append({"clause": clause, "label": label, "rows": []})
        if clause:
            row["notes"] = ""  # the group's heading says it
        groups[-1]["rows"].append(row)
    return groups


def attention_html(a: Assessment, lang: str = "en") -> Markup:
    """Unanswered questions, "yes" without evidence, n/a answers (with or without justification), warnings."""
    lang = check_lang(lang)
    columns = [_ref_column(lang, "13%"), Column("requirement", t("col_question", lang), "87%")]
    na_columns = [_ref_column(lang, "13%"), Column("requirement", t("col_question", lang), "55%"),
                  Column("notes", t("col_notes", lang), "32%")]
    # the questions read once (only the columns shown), then looked up by id for each of the three lists
    records = _records(a.questions, ["id", "clause", "answer", "evidence", "notes", "excluded_by",
                                     "evidence_carried", *_text_columns(lang)])
    by_id = {r["id"]: r for r in records}
    na_ids = [r["id"] for r in records if r["answer"] == "n/a"]
    who = _answered_by(a)
    return render("report/attention.html.j2", lang=lang, columns=columns, na_columns=na_columns,
                  unanswered=_question_rows(by_id, a.unanswered, lang, who),
                  unsupported=_question_rows(by_id, a.unsupported, lang, who, carried_note=True),
                  na=_na_groups(by_id, na_ids, lang, who),
                  n_na=len(na_ids),
                  warnings=_warning_lines(a.warnings, lang), n_warnings=len(a.warnings))


def _warning_lines(warnings: Sequence[object], lang: str) -> list[str]:
    """The report's warnings, one line per warning that ``score`` and ``validate-responses`` give (so the
    counts agree): the n/a answers without a justification, already flagged each in the n/a table, are said
    in one line that points there. Picked by code (the Message's catalog key), never by their words."""
    n_unjustified = sum(1 for w in warnings if getattr(w, "key", None) == NA_UNJUSTIFIED)
    lines = [say(w, lang) for w in warnings if getattr(w, "key", None) != NA_UNJUSTIFIED]
    if n_unjustified:
        lines.append(tn("warnings_na_in_table", n_unjustified, lang))
    return lines


def _register_ids(questions: pd.DataFrame) -> set[Any]:
    """The ids of the questions in the documented-information registers (the docinfo section's rows:
    :func:`qmskit.core.gaps.documented_information_register` and ``office_documents_register`` take the
    questions whose column is set), without building the registers' frames."""
    return {qid for column in ("documented_information", "office_document") if column in questions
            for qid in questions.loc[questions[column].notna(), "id"]}


# where an answer the appendix does not write out is (the id of its list or register) and the link's words
_WRITTEN_OUT_IN = dict([("unanswered", "appendix_at_unanswered"), ("unsupported", "appendix_at_unsupported"),
                        ("na", "appendix_at_na"), ("docinfo", "appendix_at_docinfo"),
                        ("office-documents", "appendix_at_office-documents")])


def appendix_html(a: Assessment, lang: str = "en") -> Markup:
    """Every answer, in checklist order (design.md: "an appendix of all answers"): a reader looks any
    question up here. An answer that another section writes out in full (a finding in the gap register,
    a question needing attention, a required document in its register) is a short row here: its id, its
    answer and a link to where it is written out (a finding by its rank), so no text is written twice;
    every other answer is written out here, with its question, evidence, notes, owner and due date."""
    from qmskit.render import actions_report  # a merged file (qmskit merge): who answered each question

    lang = check_lang(lang)
    q = a.questions
    ranks = _finding_ranks(a)
    unanswered, unsupported = set(a.unanswered), set(a.unsupported)
    own_docs = set(q.loc[q["office_document"].notna(), "id"]) if "office_document" in q else set()
    docs = _register_ids(q)
    rows, full_ids = [], []
    rows_by_id: dict[Any, dict[str, Any]] = {}
    for r in _records(q, ["id", "clause", "answer", "evidence", "notes", "owner", "due", *_text_columns(lang)]):
        qid, owner, due = r["id"], _text(r["owner"]), _text(r["due"])
        row: dict[str, Any] = {"ref": question_ref(r["clause"], qid), "answer": answer_label(r["answer"], lang)}
        # what the section shows does not include notes, owner or due: such a row stays written out here
        shown_there = not (owner or due) and (r["answer"] == "n/a" or not _text(r["notes"]))
        if qid in ranks:
            row.update(link=finding_anchor(qid, ranks[qid]), link_text=t("appendix_finding", lang, rank=ranks[qid]))
        elif shown_there and (qid in unanswered or qid in unsupported or r["answer"] == "n/a"):
            key = "unanswered" if qid in unanswered else "unsupported" if qid in unsupported else "na"
            row.update(link=key, link_text=t(_WRITTEN_OUT_IN[key], lang))
        elif shown_there and qid in docs:
            key = "office-documents" if qid in own_docs else "docinfo"
            row.update(link=key, link_text=t(_WRITTEN_OUT_IN[key], lang))
        else:
            full_ids.append(qid)
            rows_by_id[qid] = row
            row.update(link="", requirement=question_text(r, lang), evidence=_text(r["evidence"]),
                       notes=_text(r["notes"]), owner=f"{owner} ({due})" if owner and due else owner or due)
        rows.append(row)
    full = [rows_by_id[qid] for qid in full_ids]
    # a short row's link stands in the question's column, its other cells empty (no cell spans columns)
    columns = [_ref_column(lang, "12%"), Column("answer", t("col_answer", lang), "9%"),
               Column("requirement", t("col_question", lang), "42%"),
               Column("evidence", f"{t('col_evidence', lang)} / {t('col_notes', lang)}", "24%"),
               Column("owner", f"{t('col_owner', lang)} ({t('col_due', lang)})", "13%")]
    if not any(row["owner"] for row in full):  # owners and dates are the findings' (in the gap register)
        columns = columns[:-1]
        columns[2] = Column("requirement", t("col_question", lang), "50%")
        columns[3] = Column("evidence", columns[3].header, "29%")
    who = actions_report.answered_by_cells(a, full_ids)
    if who is not None:
        for row, name in zip(full, who, strict=True):
            row["answered_by"] = name
        columns[2] = Column("requirement", t("col_question", lang), columns[2].width.replace("50%", "40%")
                            .replace("42%", "32%"))
        columns.append(Column("answered_by", t("actions.col_answered_by", lang), "10%"))
    return render("report/appendix.html.j2", lang=lang, columns=columns, rows=rows, n_full=len(full_ids),
                  total=len(q))


def method_html(a: Assessment, lang: str = "en") -> Markup:
    lang = check_lang(lang)
    th = a.checklist.thresholds
    fields = {"ready": fmt_number(th["ready_min"], lang), "nearly": fmt_number(th["nearly_ready_min"], lang),
              "max_major": int(th["nearly_ready_max_major"]), "developing": fmt_number(th["developing_min"], lang),
              "max_minor": int(th["ready_max_minor"]),
              "maturity": t("method_maturity", lang) if a.checklist.scale == "maturity" else ""}
    return render("report/method.html.j2", lang=lang, fields=fields)


def rerun_command(parameters: dict) -> str:
    """The shell command that re-creates this report, run from the responses file's folder: the file by
    name, the output folder that was used, the brand file and action plan relative to that folder (given
    as absolute paths, as build_report and the batch pass them; a relative one is taken as it is), and
    every option that was set (``--pdf`` too)."""
    import os
    import shlex
    folder = Path(str(parameters.get("responses", ""))).parent

    def from_folder(value: Any) -> str:
        path = Path(str(value))
        if not path.is_absolute():
            return str(path)
        try:
            return os.path.relpath(path, folder)
        except ValueError:  # another drive (Windows): only the absolute path reaches it
            return str(path)

    out_dir = parameters.get("out_dir")
    cmd = ["qmskit", "report", Path(str(parameters.get("responses", ""))).name, "-o",
           from_folder(out_dir) if not _blank(out_dir) else "reports"]
    if not _blank(parameters.get("brand")):
        cmd += ["--brand", from_folder(parameters["brand"])]
    if not _blank(parameters.get("audience")) and parameters["audience"] != "internal":
        cmd += ["--audience", str(parameters["audience"])]
    if parameters.get("lang"):
        cmd += ["--lang", str(parameters["lang"])]
    if not _blank(parameters.get("checklist")):
        cmd += ["--checklist", str(parameters["checklist"])]
    if not _blank(parameters.get("title")):
        cmd += ["--title", str(parameters["title"])]
    if not _blank(parameters.get("actions")):
        cmd += ["--actions", from_folder(parameters["actions"])]
    if parameters.get("pdf") is True:
        cmd.append("--pdf")
    return shlex.join(cmd)


def parameters_html(a: Assessment, parameters: dict, lang: str = "en",
                    generated: dt.datetime | None = None, *, audience: Audience | str = Audience.INTERNAL,
                    brand: Brand | None = None) -> Markup:
    """The parameters this report was made with (so it can be re-run), and a footer.

    The client's copy has no technical appendix (file hash, version, re-run command): only the footer.
    """
    lang = check_lang(lang)
    audience = check_audience(audience)
    brand = _brand(brand)
    if audience is Audience.CLIENT:
        stamp = (generated or dt.datetime.now().astimezone()).strftime("%Y-%m-%d").strip()
        text = " · ".join(x for x in (brand.text("footer", lang) or brand.text("firm", lang), stamp) if x)
        return render("report/parameters.html.j2", lang=lang, client=True, footer=text)
    responses = parameters.get("responses")
    sha = _meta(a, SOURCE_SHA256)
    when = (generated or dt.datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M %Z").strip()
    checklist = f"{a.checklist.id} {a.checklist.version}" + (
        f" ({parameters['checklist']})" if not _blank(parameters.get("checklist")) else "")
    values = [("param_responses", Path(str(responses)).name if responses else "", ""),
              ("param_sha256", sha, "sha"), ("param_checklist", checklist, ""),
              ("param_lang", parameters.get("lang") or lang, ""), ("param_title", parameters.get("title") or "—", ""),
              ("param_version", __version__, ""), ("param_generated", when, ""),
              ("param_rerun", rerun_command(parameters), "command")]
    rows = [{"parameter": t(key, lang), "value": value, "kind": kind} for key, value, kind in values]
    footer = t("footer", lang, version=__version__, generated=when)
    if brand.text("footer", lang):
        footer = f'{brand.text("footer", lang)} · {footer}'
    columns = [Column("parameter", t("col_parameter", lang), "28%"), Column("value", t("col_value", lang), "72%")]
    return render("report/parameters.html.j2", lang=lang, client=False, columns=columns, rows=rows, footer=footer)


def sections(a: Assessment, parameters: dict, lang: str = "en", title: str | None = None, *,
             brand: Brand | None = None, audience: Audience | str = Audience.INTERNAL) -> list[Markup]:
    """The whole report, in order (for callers that want it without the notebook)."""
    brand = _brand(brand)
    return [header_html(a, lang, title, brand=brand, audience=audience), summary_html(a, lang),
            verdict_html(a, lang), chart_html(a, lang), clause_table_html(a, lang),
            gap_register_html(a, lang), action_plan_html(a, lang), docinfo_html(a, lang), attention_html(a, lang),
            appendix_html(a, lang), method_html(a, lang), closing_html(a, lang, brand=brand, audience=audience),
            parameters_html(a, parameters, lang, audience=audience, brand=brand)]


# ----------------------------------------------------------------------------- building the report file

def report_filename(slug: str, lang: str, audience: Audience | str = Audience.INTERNAL, ext: str = "html") -> str:
    """``<slug>.<lang>.html`` (``<slug>.<lang>.client.html`` for the client's copy): the language and the
    copy are in the name, so an English, a Chinese, a client and an internal copy never overwrite each other."""
    client = ".client" if check_audience(audience) is Audience.CLIENT else ""
    return f"{slug}.{check_lang(lang)}{client}.{ext}"
