"""The office report: pure pieces the report notebook displays, and :func:`build_report` that runs it.

Every ``*_html`` function returns an HTML fragment (a ``<section>``) for one part of the report; the
``*_frame`` functions return the display-ready frames behind the tables. Safety rule: every value that
comes from a user (office name, metadata, evidence, notes, owner, file names) passes through
:func:`esc` (``html.escape``) before it reaches HTML; only fragments built here from constants and
numbers are marked :class:`Safe`. Nothing user-supplied is ever rendered by Jinja.
"""
from __future__ import annotations

import datetime as dt
import html
import math
import re
import warnings
from enum import Enum
from pathlib import Path

import pandas as pd

from qmskit import __version__
from qmskit.config import DEFAULT_CHECKLIST
from qmskit.core.assessment import Assessment
from qmskit.core.readiness import fmt_number
from qmskit.i18n.catalog import check_lang, t
from qmskit.io.iorw import file_sha256, slugify  # one definition each, with the other file helpers
from qmskit.render.brand import NEUTRAL, Brand, load_brand
from qmskit.render.brand import s as brand_s

MAJOR = True  # sections that start on a new printed page


# ----------------------------------------------------------------------------- escaping helpers

class Safe(str):
    """HTML built here from constants, numbers and escaped values: inserted as is."""


def esc(value) -> str:
    """Escape a value for HTML text or attribute context; None/NaN become the empty string."""
    if isinstance(value, Safe):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def badge(kind: str, key: str, label: str) -> Safe:
    cls = re.sub(r"[^a-z_/-]", "", f"qr-{kind}-{key}")
    return Safe(f'<span class="qr-badge {esc(cls)}">{esc(label)}</span>')


def section(key: str, heading: str, body: str, *, major: bool = False) -> str:
    cls = "qr-section qr-major" if major else "qr-section"
    return f'<section id="{key}" class="{cls}"><h2>{esc(heading)}</h2>{body}</section>'


def html_table(frame: pd.DataFrame, columns: list[tuple[str, str, str]], *, row_classes=None,
               numeric: tuple[str, ...] = ()) -> str:
    """A table with fixed column widths (so print never cuts it off). ``columns``: (key, header, width).

    Cells are escaped unless they are :class:`Safe`.
    """
    cols = "".join(f'<col style="width:{esc(w)}">' for _, _, w in columns)
    head = "".join(f'<th class="qr-num">{esc(h)}</th>' if k in numeric else f"<th>{esc(h)}</th>"
                   for k, h, _ in columns)
    rows = []
    for i, rec in enumerate(frame.to_dict("records")):
        cls = f' class="{esc(row_classes[i])}"' if row_classes is not None and row_classes[i] else ""
        cells = "".join(
            f'<td class="qr-num">{esc(rec.get(k))}</td>' if k in numeric
            else f'<td class="qr-indent">{esc(rec.get(k))}</td>' if k == "title"
            else f"<td>{esc(rec.get(k))}</td>"
            for k, _, _ in columns)
        rows.append(f"<tr{cls}>{cells}</tr>")
    return (f'<table class="qr-table"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def empty(text: str) -> str:
    return f'<p class="qr-empty">{esc(text)}</p>'


# ----------------------------------------------------------------------------- loading

# (responses, checklist, actions) -> Assessment: in a batch's or a report's kernel, the office that the
# process driving it has just read and scored with this same function (qmskit.jupyter.kernelstate.preload), so it
# is read and scored once; emptied at every kernel reset
PRESCORED: dict = {}


def load_assessment(responses_path: str | Path, checklist=None, actions=None, *, strict: bool = False,
                    reader_warnings: list | None = None) -> Assessment:
    """Read and score one responses file; reader warnings (e.g. a checklist version mismatch) are kept
    in ``assessment.warnings`` so the report shows them instead of printing them. ``actions``: an
    action-plan workbook whose status the report shows (qmskit.render.actions_report). ``strict``: reader
    warnings are errors; ``reader_warnings`` receives the reader's warnings (build_report shows them)."""
    prescored = PRESCORED.pop((str(responses_path), checklist, actions), None)
    if prescored is not None:
        return prescored
    from qmskit.core.scoring import score
    from qmskit.io.responses import read_responses

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        meta, frame = read_responses(responses_path, checklist, strict=strict)
        read = len(caught)
        assessment = score(checklist or meta.get("checklist") or DEFAULT_CHECKLIST, frame, meta,
                           source=responses_path)
    if reader_warnings is not None:
        reader_warnings.extend(caught[:read])
    assessment.warnings = [str(w.message) for w in caught] + list(assessment.warnings)
    from qmskit.render.actions_report import attach  # action status, and who answered what in a merged file
    return attach(assessment, responses_path, actions)


# ----------------------------------------------------------------------------- value formatting

def answer_label(answer, lang: str = "en") -> str:
    if _blank(answer):
        return t("ans_blank", lang)
    if isinstance(answer, str):
        return t(f"ans_{answer}", lang)
    return t("ans_level", lang, level=int(answer))


def question_text(row, lang: str) -> str:
    text = row.get(f"text_{lang}") if isinstance(row, dict) else getattr(row, f"text_{lang}", None)
    if _blank(text):
        text = row.get("text_en") if isinstance(row, dict) else getattr(row, "text_en", "")
    return text


def pct(value) -> str:
    text = fmt_number(value)
    return text if text == "n/a" else f"{text}%"


def _meta(a: Assessment, key: str) -> str:
    value = a.meta.get(key)
    return "" if _blank(value) else str(value)


def status_key(a: Assessment) -> str:
    return "final" if _meta(a, "status").lower() in ("final", "定稿") else "draft"


# ----------------------------------------------------------------------------- sections

TOC = [("summary", "sec_summary"), ("clauses", "sec_clauses"), ("gaps", "sec_gaps"),
       ("actions", "sec_actions"), ("docinfo", "sec_docinfo"), ("attention", "sec_attention"),
       ("appendix", "sec_appendix"), ("method", "sec_method"), ("parameters", "sec_parameters")]


def page_title(office: str, lang: str = "en", title: str | None = None) -> str:
    """The browser tab / ``<title>`` of an office's report (pass it to ``notebook.export_html``)."""
    return title if not _blank(title) else f"{office} — {t('report_title', lang)}"


class Audience(str, Enum):
    """Who a copy is for: the client's copy leaves out the technical appendix and internal notes."""
    CLIENT = "client"
    INTERNAL = "internal"


def check_audience(value) -> Audience:
    from qmskit.errors import QmskitError
    try:
        return Audience(str(getattr(value, "value", value) or "internal").lower())
    except ValueError:
        raise QmskitError(f"unknown audience '{value}' (allowed: client, internal)") from None


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


def brand_style(brand: Brand) -> str:
    """The brand's accent colour for headings, table heads and bars (validated for contrast)."""
    if not brand.accent:
        return ""
    return f"<style>:root {{ --qr-accent: {esc(brand.accent)}; }}</style>"


def header_html(a: Assessment, lang: str = "en", title: str | None = None, *, brand: Brand | None = None,
                audience: Audience | str = Audience.INTERNAL, seq: int | None = None) -> str:
    """Brand bar, title, office, status, the assessment's metadata, the confidentiality notice and contents.

    The header also carries the running texts a printed page repeats (:func:`running_html`).
    """
    lang = check_lang(lang)
    brand = load_brand(brand) if not isinstance(brand, Brand) else brand
    audience = check_audience(audience)
    cl = a.checklist
    status = status_key(a)
    number = report_number(a, brand, seq)
    not_stated = Safe(f'<span class="qr-muted">{esc(t("not_stated", lang))}</span>')
    rows = [("report_no", number)] if number else []
    rows += [
        ("scope", _meta(a, "scope") or not_stated),
        ("sites", _meta(a, "sites") or not_stated),
        ("exclusions", _meta(a, "exclusions") or t("none", lang)),
        ("assessor", _meta(a, "assessor") or not_stated),
        ("date", _meta(a, "date") or not_stated),
        ("checklist", f"{cl.title.get(lang) or cl.title.get('en', cl.id)} ({cl.id} {cl.version})"),
        ("language", t("lang_name", lang)),
        ("status", t(status, lang)),
        ("audience", brand_s(f"audience_{audience.value}", lang)),
    ]
    label = lambda k: brand_s(k, lang) if k in ("report_no", "audience") else t(k, lang)  # noqa: E731
    meta = "".join(f"<dt>{esc(label(k))}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    notice = _meta(a, "confidentiality") or brand.text("confidentiality", lang) or t("confidential_default", lang)
    toc = "".join(f'<li><a href="#{key}">{esc(t(label, lang))}</a></li>' for key, label in TOC
                  if audience is Audience.INTERNAL or key != "parameters")
    if _words(a, "summary", lang):
        toc = f'<li><a href="#exec-summary">{esc(brand_s("exec_summary", lang))}</a></li>' + toc
    heading = title if not _blank(title) else t("report_title", lang)
    firm = brand.text("firm", lang)
    bar = ""
    if not brand.neutral:
        logo = (f'<img class="qr-logo" src="{esc(brand.logo_uri)}" alt="{esc(firm)}">' if brand.logo_uri else "")
        contact = brand.text("contact", lang)
        bar = (f'<div class="qr-brand">{logo}<div class="qr-brand-text"><div class="qr-firm">{esc(firm)}</div>'
               + (f'<div class="qr-contact">{esc(contact)}</div>' if contact else "") + "</div></div>")
    running_left = a.office + (f" · {brand_s('report_no', lang)} {number}" if number else "")
    running_right = firm or t("report_title", lang)
    return (
        brand_style(brand) +
        f'<header class="qr-header" data-audience="{audience.value}">' + running_html(
            left=running_left, right=running_right, confidential=notice, footer=brand.text("footer", lang)) + bar
        + (f'<div class="qr-kicker">{esc(t("report_title", lang))}</div>' if not _blank(title) else "") +
        f'<h1>{esc(heading)}<span class="qr-status qr-status-{status}">{esc(t(status, lang))}</span></h1>'
        f'<div class="qr-office">{esc(a.office)}</div>'
        f'<dl class="qr-meta">{meta}</dl>'
        f'<div class="qr-confidential">{esc(notice)}</div>'
        f'<nav class="qr-toc"><b>{esc(t("contents", lang))}</b><ol>{toc}</ol></nav>'
        '</header>')


def running_html(**texts: str) -> str:
    """What every printed page repeats (header: office and report number, firm; footer: confidentiality
    line, the brand's footer), as hidden text the PDF printer (:mod:`qmskit.render.pdf`) reads."""
    spans = "".join(f'<span data-qr-running="{esc(k)}">{esc(v)}</span>' for k, v in texts.items() if v)
    return f'<div class="qr-running" hidden>{spans}</div>'


def markdown_html(text: str) -> Safe:
    """The consultant's Markdown as HTML, safely: raw HTML is shown as text, images are off (nothing is
    fetched), and links are kept only for http(s) and mailto (others stay plain text)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).disable("image")
    md.validateLink = lambda url: bool(re.match(r"(?i)^(https?:|mailto:)", url.strip()))
    rendered = md.render(str(text or "").replace("\r\n", "\n"))
    # links open apart from the report and tell the target nothing about it
    rendered = rendered.replace("<a href=", '<a rel="noopener noreferrer nofollow" href=')
    return Safe(rendered)


def _words(a: Assessment, key: str, lang: str) -> str:
    """The consultant's text for this language: ``summary_zh`` for a Chinese report, else ``summary``."""
    return _meta(a, f"{key}_{lang}") or _meta(a, key)


def summary_html(a: Assessment, lang: str = "en") -> str:
    """The consultant's executive summary (``summary`` in the Office sheet / metadata), before the verdict."""
    lang = check_lang(lang)
    text = _words(a, "summary", lang)
    if not text:
        return ""
    return (f'<section id="exec-summary" class="qr-section qr-prose"><h2>{esc(brand_s("exec_summary", lang))}</h2>'
            f"{markdown_html(text)}</section>")


def closing_html(a: Assessment, lang: str = "en", *, brand: Brand | None = None,
                 audience: Audience | str = Audience.INTERNAL) -> str:
    """Closing remarks (``closing``), internal notes (``internal_notes``, internal copy only) and the
    sign-off block (the brand's signatory, else the assessor)."""
    lang = check_lang(lang)
    brand = load_brand(brand) if not isinstance(brand, Brand) else brand
    audience = check_audience(audience)
    parts = []
    closing = _words(a, "closing", lang)
    if closing:
        parts.append(f'<section id="closing" class="qr-section qr-prose"><h2>{esc(brand_s("closing", lang))}</h2>'
                     f"{markdown_html(closing)}</section>")
    notes = _words(a, "internal_notes", lang)
    if notes and audience is Audience.INTERNAL:
        parts.append(f'<section id="internal-notes" class="qr-section qr-prose qr-internal">'
                     f'<h3>{esc(brand_s("internal_notes", lang))}</h3>{markdown_html(notes)}</section>')
    name = brand.text("signatory_name", lang) or _meta(a, "assessor")
    role = brand.text("signatory_title", lang) or (t("assessor", lang) if name else "")
    firm = brand.text("firm", lang)
    if name or firm:
        who = "".join(f'<div class="{cls}">{esc(v)}</div>' for cls, v in
                      (("qr-sign-name", name), ("qr-sign-role", role), ("qr-sign-firm", firm)) if v)
        parts.append(
            f'<section id="signoff" class="qr-section qr-signoff"><h3>{esc(brand_s("signoff", lang))}</h3>'
            f'<div class="qr-sign-grid"><div>{who}</div>'
            f'<div><div class="qr-sign-line"></div><div class="qr-muted qr-small">{esc(brand_s("signature", lang))}'
            f'</div></div><div><div class="qr-sign-line">{esc(_meta(a, "sign_date"))}</div>'
            f'<div class="qr-muted qr-small">{esc(brand_s("sign_date", lang))}</div></div></div></section>')
    return "".join(parts)


def gap_counts(a: Assessment) -> dict[str, int]:
    """Findings as the CLI counts them (:meth:`Assessment.finding_counts`): question gaps by severity,
    KPI observations and unsupported "yes" answers apart."""
    return a.finding_counts()


def band_hint_key(a: Assessment) -> str:
    """The banner's one-line hint: "book the audit" only when ready with no open minor."""
    if a.display_band == "ready" and a.finding_counts()["minor"]:
        return "band_hint_ready_minors"
    return f"band_hint_{a.display_band}"


def verdict_html(a: Assessment, lang: str = "en") -> str:
    """The verdict banner (coloured by readiness band) with its reasons, then the headline figures:
    overall, completeness, findings (KPI observations said apart) and "yes" answers without evidence."""
    lang = check_lang(lang)
    band, shown = a.readiness, a.display_band
    reasons = "".join(f"<li>{esc(text)}</li>" for text in a.reason_texts(lang))
    answered = int(a.questions["answered"].sum())
    applicable = int(a.questions["applicable"].sum())
    counts = gap_counts(a)
    questions_total = counts["major"] + counts["minor"] + counts["observation"]
    findings_note = t("gaps_summary", lang, **counts)
    if counts["kpi_observation"]:
        findings_note += t("gaps_summary_kpi", lang, n=counts["kpi_observation"])

    def figure(label, value, note=""):
        return (f'<div class="qr-figure"><div class="qr-figure-label">{esc(label)}</div>'
                f'<div class="qr-figure-value">{esc(value)}</div><div class="qr-figure-note">{esc(note)}</div></div>')

    figures = (figure(t("overall", lang), fmt_number(a.overall), "/ 100")
               + figure(t("completeness", lang), pct(a.completeness),
                        t("answered_of", lang, answered=answered, applicable=applicable))
               + figure(t("gap_counts", lang), str(questions_total), findings_note)
               + figure(t("unsupported_count", lang), str(counts["unsupported"]), t("unsupported_note", lang)))
    body = (f'<div class="qr-verdict qr-band-{esc(shown)}" data-band="{esc(band)}" data-shown="{esc(shown)}">'
            f'<div class="qr-verdict-label">{esc(t("verdict", lang))}</div>'
            f'<div class="qr-verdict-band">{esc(t("band_" + shown, lang))}</div>'
            f'<div>{esc(t(band_hint_key(a), lang))}</div>'
            f'<ul>{reasons}</ul>{_actions_progress(a, lang)}</div><div class="qr-figures">{figures}</div>')
    return section("summary", t("sec_summary", lang), body)


def _actions_progress(a: Assessment, lang: str) -> str:
    from qmskit.render.actions_report import progress_line  # '' unless an action plan is attached
    line = progress_line(a, lang)
    return f'<p class="qr-actions-progress">{esc(line)}</p>' if line else ""


def chart_clauses(a: Assessment) -> pd.DataFrame:
    """The clauses the chart shows: second-level clauses (4.1 … 10.3), or top-level when there are none."""
    level = 2 if (a.clauses["level"] == 2).any() else 1
    return a.clauses[a.clauses["level"] == level]


CHART_PALETTE = ["#1f4e79", "#3b7dbf", "#5a9bd4", "#2e8b8b", "#4f9d69", "#8c6bb1", "#b0615e", "#7f7f7f"]


def chart_svg(a: Assessment, *, title: str = "") -> str:
    """A bar chart of clause scores as inline SVG (HTML5: no xmlns, no URL), labelled by clause numbers only.

    Built directly (about a millisecond, a few KB): crisp at any zoom and in print, no font files (the
    labels are digits, drawn by the reader's own fonts) and no matplotlib. Bars are coloured by top-level
    clause; dashed and dotted lines mark the ready and nearly-ready thresholds; "—" marks no score.
    """
    th = a.checklist.thresholds
    rows = chart_clauses(a)
    clauses = [str(c) for c in rows["clause"]]
    scores = [float(v) if v is not None and not pd.isna(v) else math.nan for v in rows["score"]]
    tops = list(dict.fromkeys(rows["top"]))
    colours = [CHART_PALETTE[tops.index(top) % len(CHART_PALETTE)] for top in rows["top"]]
    n = max(len(clauses), 1)
    rotate = n > 40
    width, height, left, right, top = 1000, 340, 34, 8, 12
    bottom = 52 if rotate else 26
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / n

    def y(value: float) -> float:
        return top + plot_h * (1 - value / 108)

    out = [f'<svg viewBox="0 0 {width} {height}" role="img" '
           f'style="width:100%;height:auto;display:block" font-family="sans-serif">']
    if title:
        out.append(f"<title>{html.escape(title)}</title>")
    out.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>')
    for tick in (0, 20, 40, 60, 80, 100):
        out.append(f'<text x="{left - 5}" y="{y(tick) + 3.5:.1f}" font-size="10" text-anchor="end" '
                   f'fill="#333">{tick}</text>')
    out.append(f'<path d="M{left} {top}V{y(0):.1f}H{width - right}" stroke="#333" stroke-width="1" fill="none"/>')
    for i, (clause, value, colour) in enumerate(zip(clauses, scores, colours)):
        x = left + step * i + step * 0.14
        bar_w = step * 0.72
        centre = x + bar_w / 2
        if not math.isnan(value):
            out.append(f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar_w:.1f}" height="{y(0) - y(value):.1f}" '
                       f'fill="{colour}"/>')
        label = "—" if math.isnan(value) else f"{value:.0f}"
        out.append(f'<text x="{centre:.1f}" y="{y(0 if math.isnan(value) else value) - 3:.1f}" font-size="9" '
                   f'text-anchor="middle" fill="#333">{label}</text>')
        if rotate:
            out.append(f'<text transform="translate({centre + 3:.1f} {y(0) + 5:.1f}) rotate(-90)" font-size="9" '
                       f'text-anchor="end" fill="#333">{html.escape(clause)}</text>')
        else:
            out.append(f'<text x="{centre:.1f}" y="{y(0) + 14:.1f}" font-size="10" text-anchor="middle" '
                       f'fill="#333">{html.escape(clause)}</text>')
    for value, dash in ((th["ready_min"], "6 4"), (th["nearly_ready_min"], "2 3")):
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                   f'stroke="#555" stroke-width="1" stroke-dasharray="{dash}"/>')
    out.append("</svg>")
    return "".join(out)


def chart_html(a: Assessment, lang: str = "en") -> str:
    lang = check_lang(lang)
    th = a.checklist.thresholds
    caption = t("chart_caption", lang, ready=fmt_number(th["ready_min"]), nearly=fmt_number(th["nearly_ready_min"]))
    body = (f'<figure class="qr-chart">{chart_svg(a, title=t("chart_alt", lang))}'
            f"<figcaption>{esc(caption)}</figcaption></figure>")
    return f'<section id="chart" class="qr-section"><h3>{esc(t("sec_chart", lang))}</h3>{body}</section>'


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


def _score_cell(score, applicable: int = 1) -> Safe:
    """A clause's score with a bar; "—" when nothing is answered yet, "n/a" only when nothing applies."""
    if score is None or math.isnan(score):
        return Safe(esc(t("ans_blank")) if applicable else "n/a")
    width = max(0.0, min(100.0, float(score)))
    return Safe(f'<div class="qr-score"><b>{esc(fmt_number(score))}</b>'
                f'<div class="qr-bar"><span style="width:{width:.1f}%"></span></div></div>')


def clause_table_html(a: Assessment, lang: str = "en") -> str:
    lang = check_lang(lang)
    f = clause_frame(a, lang)
    titles = [f"{title} †" if descriptive else title for title, descriptive in zip(f["title"], f["descriptive"])]
    show = pd.DataFrame({
        "clause": f["clause"], "title": titles,
        "score": [_score_cell(s, n) for s, n in zip(f["score"], f["applicable"])],
        "answered": [f"{n} / {m}" for n, m in zip(f["answered"], f["applicable"])],
        "completeness": [pct(v) if m else "n/a" for v, m in zip(f["completeness"], f["applicable"])],
    })
    # "Completeness" needs 15% of an A4 page's 186 mm at the printed size
    table = html_table(show, [("clause", t("col_clause", lang), "9%"), ("title", t("col_title", lang), "50%"),
                              ("score", t("col_score", lang), "14%"), ("answered", t("col_answered", lang), "12%"),
                              ("completeness", t("col_completeness", lang), "15%")],
                       row_classes=[f"qr-level-{lvl}" for lvl in f["level"]],
                       numeric=("answered", "completeness"))
    if any(f["descriptive"]):
        table += f'<p class="qr-note">{esc(t("descriptive_title_note", lang))}</p>'
    return section("clauses", t("sec_clauses", lang), table, major=MAJOR)


def kpi_findings_frame(a: Assessment, lang: str = "en") -> pd.DataFrame:
    """KPI findings as gap-register rows (id, clause, severity, text); empty when there are none."""
    if not a.kpi_findings:
        return pd.DataFrame(columns=["id", "clause", "severity", "text"])
    from qmskit.core.kpis import kpi_findings_frame as frame
    return frame(a, lang)


def gap_register_frame(a: Assessment, lang: str = "en") -> pd.DataFrame:
    """The findings in rank order, KPI observations after the question gaps of the same severity
    (design.md): severity and its reason, requirement and clause, the answer, the evidence seen and the
    notes (apart), the recommended action."""
    from qmskit.core.gaps import recommended_action
    g = a.gaps
    rows = pd.DataFrame({
        "rank": g["rank"].astype(object), "severity": g["severity"], "reason": g["reason"], "clause": g["clause"],
        "id": g["id"], "requirement": [question_text(r, lang) for r in g.to_dict("records")],
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


def clause_id(clause, qid) -> Safe:
    """Clause number with the question id under it (one narrow column instead of two)."""
    return Safe(f'{esc(clause)}<br><span class="qr-muted qr-small">{esc(qid)}</span>')


def _impact(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.2f}"


def _evidence_notes(evidence, notes) -> Safe:
    parts = [esc(v) for v in (evidence, notes) if not _blank(v)]
    return Safe("<br>".join(parts))


def _severity_cell(severity: str, reason: str, lang: str) -> Safe:
    """The severity badge with its reason under it (critical / process absent / partly met / ...)."""
    return Safe(f'{badge("sev", severity, t(f"sev_{severity}", lang))}'
                f'<br><span class="qr-muted qr-small">{esc(t(f"reason_{reason}", lang))}</span>')


def _finding_cell(requirement: str, answer, kind: str, lang: str) -> Safe:
    """The requirement, then the answer given (labelled)."""
    if kind != "question":
        return Safe(esc(requirement))
    return Safe(f'{esc(requirement)}<br><span class="qr-small"><b>{esc(t("label_answer", lang))}</b> '
                f'{esc(answer_label(answer, lang))}</span>')


def _seen_cell(evidence, notes, kind: str, lang: str) -> Safe:
    """The evidence seen, labelled, and apart from it the office's notes (never merged)."""
    if kind != "question":
        return Safe("")
    seen = (esc(evidence) if not _blank(evidence)
            else f'<span class="qr-flag">{esc(t("evidence_none", lang))}</span>')
    out = f'<b>{esc(t("label_evidence", lang))}</b> {seen}'
    if not _blank(notes):
        out += f'<br><span class="qr-muted qr-small"><b>{esc(t("label_notes", lang))}</b> {esc(notes)}</span>'
    return Safe(out)


def gap_register_html(a: Assessment, lang: str = "en") -> str:
    lang = check_lang(lang)
    f = gap_register_frame(a, lang)
    if not len(f):
        return section("gaps", t("sec_gaps", lang), empty(t("empty_gaps", lang)), major=MAJOR)
    show = pd.DataFrame({
        "rank": [Safe(f'{esc(r)}<br><span class="qr-muted qr-small">{esc(_impact(i))}</span>') if k == "question"
                 else "" for r, i, k in zip(f["rank"], f["impact"], f["kind"])],
        "severity": [_severity_cell(s, r, lang) for s, r in zip(f["severity"], f["reason"])],
        "clause": [clause_id(c, i) for c, i in zip(f["clause"], f["id"])],
        "requirement": [_finding_cell(q, v, k, lang) for q, v, k in zip(f["requirement"], f["answer"], f["kind"])],
        "evidence": [_seen_cell(e, n, k, lang) for e, n, k in zip(f["evidence"], f["notes"], f["kind"])],
        "action": f["action"],
    })
    intro = f'<p class="qr-muted qr-small">{esc(t("gaps_intro", lang))}</p>'
    table = html_table(show, [("rank", f'{t("col_rank", lang)} / {t("col_impact", lang)}', "7%"),
                              ("severity", t("col_severity", lang), "12%"),
                              ("clause", f'{t("col_clause", lang)} / {t("col_id", lang)}', "10%"),
                              ("requirement", t("col_finding", lang), "29%"),
                              ("evidence", t("col_seen", lang), "20%"),
                              ("action", t("col_recommended", lang), "22%")],
                       row_classes=["qr-kpi-row" if k == "kpi" else "" for k in f["kind"]],
                       numeric=("rank",))
    return section("gaps", t("sec_gaps", lang), intro + table + kpi_table_html(a, lang), major=MAJOR)


def kpi_table_html(a: Assessment, lang: str = "en") -> str:
    """KPIs against their targets (only when the checklist declares indicators)."""
    if a.kpis is None or not len(a.kpis):
        return ""
    from qmskit.core.kpis import kpi_table
    frame = kpi_table(a, lang)
    cols = [c for c in frame.columns if c != "_status"]
    status_col = cols[5] if len(cols) > 5 else None  # localised "status" header (kpis.kpi_table's order)
    if status_col:
        look = {"met": "present", "not_met": "missing", "no_value": "unanswered"}
        frame[status_col] = [badge("di", look.get(k, "unanswered"), v) for k, v in zip(frame["_status"],
                                                                                        frame[status_col])]
    widths = {"id": "14%"}
    spec = [(c, c if c != "id" else t("col_id", lang), widths.get(c, f"{86 / (len(cols) - 1):.0f}%")) for c in cols]
    heading = "KPIs" if lang == "en" else "绩效指标"
    return f"<h3>{esc(heading)}</h3>" + html_table(frame, spec)


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


def _owner_cell(owner, lang) -> Safe | str:
    return Safe(f'<span class="qr-flag">{esc(t("no_owner", lang))}</span>') if _blank(owner) else owner


def _due_cell(due, assessed: str, lang) -> Safe | str:
    if _blank(due):
        return Safe(f'<span class="qr-flag">{esc(t("no_due", lang))}</span>')
    if assessed and str(due) < assessed:
        return Safe(f'{esc(due)}<br><span class="qr-flag">{esc(t("overdue", lang))}</span>')
    return due


def action_plan_html(a: Assessment, lang: str = "en") -> str:
    lang = check_lang(lang)
    f = action_plan_frame(a, lang)
    if not len(f):
        return section("actions", t("sec_actions", lang), empty(t("empty_actions", lang)), major=MAJOR)
    assessed = _meta(a, "date")
    show = f.assign(
        clause=[clause_id(c, i) for c, i in zip(f["clause"], f["id"])],
        severity=[_severity_cell(s, r, lang) for s, r in zip(f["severity"], f["reason"])],
        owner=[_owner_cell(o, lang) for o in f["owner"]],
        due=[_due_cell(d, assessed, lang) for d in f["due"]])
    cols = [("rank", t("col_rank", lang), "5%"), ("severity", t("col_severity", lang), "12%"),
            ("clause", f'{t("col_clause", lang)} / {t("col_id", lang)}', "11%"),
            ("action", t("col_recommended", lang), "46%"), ("owner", t("col_owner", lang), "14%"),
            ("due", t("col_due", lang), "12%")]
    from qmskit.render import actions_report  # with an action plan attached: a status column
    status = actions_report.status_cells(a, f["id"], lang)
    if status is not None:
        show["status"] = status
        cols[3] = ("action", t("col_recommended", lang), "32%")
        cols.append(("status", actions_report.s("col_status", lang), "14%"))
    table = html_table(show, cols, numeric=("rank",))
    return section("actions", t("sec_actions", lang), table, major=MAJOR)


def _register_table(di: pd.DataFrame, lang: str) -> str:
    counts = di["status"].value_counts()
    summary = " · ".join(f"{t('di_' + s, lang)}: {int(counts.get(s, 0))}"
                         for s in ("present", "partial", "missing", "unanswered", "n/a") if counts.get(s, 0))
    show = pd.DataFrame({
        "clause": di["clause"], "id": di["id"],
        "type": [t(f"di_{v}", lang) for v in di["documented_information"]],
        "status": [badge("di", s, t(f"di_{s}", lang)) for s in di["status"]],
        "requirement": [question_text(r, lang) for r in di.to_dict("records")],
        "evidence": di["evidence"],
    })
    table = html_table(show, [("clause", t("col_clause", lang), "8%"), ("id", t("col_id", lang), "10%"),
                              ("type", t("col_type", lang), "13%"), ("status", t("col_status", lang), "11%"),
                              ("requirement", t("col_question", lang), "36%"),
                              ("evidence", t("col_seen", lang), "22%")])
    return f'<p class="qr-muted">{esc(summary)}</p>' + table


def docinfo_html(a: Assessment, lang: str = "en") -> str:
    """The mandatory documented-information register (what ISO 9001 itself requires): present / partial /
    missing per requirement; then, apart, the office's own documents (a profile's ``office_document``),
    which ISO 9001 does not require."""
    lang = check_lang(lang)
    di = a.documented_information()
    body = _register_table(di, lang) if len(di) else empty(t("empty_docinfo", lang))
    own = a.office_documents()
    if len(own):
        body += (f'<h3 id="office-documents">{esc(t("sec_office_documents", lang))} ({len(own)})</h3>'
                 f'<p class="qr-muted qr-small">{esc(t("office_documents_intro", lang))}</p>'
                 + _register_table(own, lang))
    return section("docinfo", t("sec_docinfo", lang), body, major=MAJOR)


def _question_rows(a: Assessment, ids: list[str], lang: str) -> pd.DataFrame:
    q = a.questions.set_index("id").loc[ids].reset_index()
    return pd.DataFrame({"clause": q["clause"], "id": q["id"],
                         "requirement": [question_text(r, lang) for r in q.to_dict("records")],
                         "answer": [answer_label(v, lang) for v in q["answer"]],
                         "evidence": q["evidence"], "notes": q["notes"]})


def attention_html(a: Assessment, lang: str = "en") -> str:
    """Unanswered questions, "yes" without evidence, n/a answers (with or without justification), warnings."""
    lang = check_lang(lang)
    parts = []
    cols = [("clause", t("col_clause", lang), "9%"), ("id", t("col_id", lang), "11%"),
            ("requirement", t("col_question", lang), "80%")]
    parts.append(f"<h3>{esc(t('sec_unanswered', lang))} ({len(a.unanswered)})</h3>")
    parts.append(html_table(_question_rows(a, a.unanswered, lang), cols) if a.unanswered
                 else empty(t("empty_unanswered", lang)))
    parts.append(f"<h3>{esc(t('sec_unsupported', lang))} ({len(a.unsupported)})</h3>")
    if a.unsupported:
        parts.append(f'<p class="qr-muted qr-small">{esc(t("unsupported_intro", lang))}</p>')
        parts.append(html_table(_question_rows(a, a.unsupported, lang), cols))
    else:
        parts.append(empty(t("empty_unsupported", lang)))
    na_ids = a.questions.loc[a.questions["answer"] == "n/a", "id"].tolist()
    parts.append(f"<h3>{esc(t('sec_na', lang))} ({len(na_ids)})</h3>")
    if na_ids:
        rows = _question_rows(a, na_ids, lang)
        rows["notes"] = [n if not _blank(n) else Safe(f'<span class="qr-flag">{esc(t("na_missing", lang))}</span>')
                         for n in rows["notes"]]
        parts.append(html_table(rows, [("clause", t("col_clause", lang), "9%"), ("id", t("col_id", lang), "11%"),
                                       ("requirement", t("col_question", lang), "50%"),
                                       ("notes", t("col_notes", lang), "30%")]))
    else:
        parts.append(empty(t("empty_na", lang)))
    other = [w for w in a.warnings if "is n/a without a justification" not in w]
    if other:
        items = "".join(f"<li>{esc(w)}</li>" for w in other)
        parts.append(f"<h3>{esc(t('sec_warnings', lang))} ({len(other)})</h3><ul>{items}</ul>")
    return section("attention", t("sec_attention", lang), "".join(parts), major=MAJOR)


def appendix_html(a: Assessment, lang: str = "en") -> str:
    """Every question with its answer, evidence, notes, owner and due date, in checklist order."""
    lang = check_lang(lang)
    q = a.questions
    show = pd.DataFrame({
        "clause": q["clause"], "id": q["id"],
        "requirement": [question_text(r, lang) for r in q.to_dict("records")],
        "answer": [answer_label(v, lang) for v in q["answer"]],
        "evidence": [_evidence_notes(e, n) for e, n in zip(q["evidence"], q["notes"])],
        "owner": [(o + (f" ({d})" if not _blank(d) else "")) if not _blank(o) else (d or "")
                  for o, d in zip(q["owner"], q["due"])],
    })
    cols = [("clause", t("col_clause", lang), "8%"), ("id", t("col_id", lang), "9%"),
            ("requirement", t("col_question", lang), "38%"), ("answer", t("col_answer", lang), "8%"),
            ("evidence", f"{t('col_evidence', lang)} / {t('col_notes', lang)}", "24%"),
            ("owner", f"{t('col_owner', lang)} ({t('col_due', lang)})", "13%")]
    from qmskit.render import actions_report  # a merged file (qmskit merge): who answered each question
    who = actions_report.answered_by_cells(a, q["id"])
    if who is not None:
        show["answered_by"] = who
        cols[2] = ("requirement", t("col_question", lang), "28%")
        cols.append(("answered_by", actions_report.s("col_answered_by", lang), "10%"))
    table = html_table(show, cols)
    return section("appendix", t("sec_appendix", lang), table, major=MAJOR)


def method_html(a: Assessment, lang: str = "en") -> str:
    lang = check_lang(lang)
    th = a.checklist.thresholds
    text = t("method", lang, ready=fmt_number(th["ready_min"]), nearly=fmt_number(th["nearly_ready_min"]),
             max_major=int(th["nearly_ready_max_major"]), developing=fmt_number(th["developing_min"]),
             max_minor=int(th["ready_max_minor"]),
             maturity=t("method_maturity", lang) if a.checklist.scale == "maturity" else "")
    return section("method", t("sec_method", lang), f'<div class="qr-method">{text}</div>', major=MAJOR)


def rerun_command(parameters: dict) -> str:
    """The shell command that re-creates this report: the responses file by name, the output folder that
    was actually used (as the user gave it; "reports" when unknown) and every option that was set."""
    import shlex
    out_dir = parameters.get("out_dir")
    cmd = ["qmskit", "report", Path(str(parameters.get("responses", ""))).name, "-o",
           str(out_dir) if not _blank(out_dir) else "reports"]
    if not _blank(parameters.get("brand")):
        cmd += ["--brand", Path(str(parameters["brand"])).name]
    if not _blank(parameters.get("audience")) and parameters["audience"] != "internal":
        cmd += ["--audience", str(parameters["audience"])]
    if parameters.get("lang"):
        cmd += ["--lang", str(parameters["lang"])]
    if not _blank(parameters.get("checklist")):
        cmd += ["--checklist", str(parameters["checklist"])]
    if not _blank(parameters.get("title")):
        cmd += ["--title", str(parameters["title"])]
    if not _blank(parameters.get("actions")):
        cmd += ["--actions", Path(str(parameters["actions"])).name]
    return shlex.join(cmd)


def parameters_html(a: Assessment, parameters: dict, lang: str = "en",
                    generated: dt.datetime | None = None, *, audience: Audience | str = Audience.INTERNAL,
                    brand: Brand | None = None) -> str:
    """The parameters this report was made with (so it can be re-run), and a footer.

    The client's copy has no technical appendix (file hash, version, re-run command): only the footer.
    """
    lang = check_lang(lang)
    audience = check_audience(audience)
    brand = load_brand(brand) if not isinstance(brand, Brand) else brand
    if audience is Audience.CLIENT:
        stamp = (generated or dt.datetime.now().astimezone()).strftime("%Y-%m-%d").strip()
        text = " · ".join(x for x in (brand.text("footer", lang) or brand.text("firm", lang), stamp) if x)
        return f'<div class="qr-footer">{esc(text)}</div>'
    responses = parameters.get("responses")
    sha = ""
    if responses and Path(responses).is_file():
        sha = file_sha256(responses)
    generated = (generated or dt.datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M %Z").strip()
    rows = [
        ("param_responses", Path(str(responses)).name if responses else ""),
        ("param_sha256", Safe(f'<span class="qr-code">{esc(sha)}</span>')),
        ("param_checklist", f"{a.checklist.id} {a.checklist.version}"
         + (f" ({parameters['checklist']})" if not _blank(parameters.get("checklist")) else "")),
        ("param_lang", parameters.get("lang") or lang),
        ("param_title", parameters.get("title") or "—"),
        ("param_version", __version__),
        ("param_generated", generated),
        ("param_rerun", Safe(f'<code>{esc(rerun_command(parameters))}</code>')),
    ]
    frame = pd.DataFrame([{"parameter": t(k, lang), "value": v} for k, v in rows])
    table = html_table(frame, [("parameter", t("col_parameter", lang), "28%"), ("value", t("col_value", lang), "72%")])
    footer_text = t("footer", lang, version=__version__, generated=generated)
    if brand.text("footer", lang):
        footer_text = f'{brand.text("footer", lang)} · {footer_text}'
    footer = f'<div class="qr-footer">{esc(footer_text)}</div>'
    return section("parameters", t("sec_parameters", lang), table + footer)


def sections(a: Assessment, parameters: dict, lang: str = "en", title: str | None = None, *,
             brand: Brand | None = None, audience: Audience | str = Audience.INTERNAL) -> list[str]:
    """The whole report, in order (for callers that want it without the notebook)."""
    brand = load_brand(brand) if not isinstance(brand, Brand) else brand
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


def build_report(responses_path: str | Path, out_dir: str | Path, *, lang: str | None = "en", checklist=None,
                 keep_notebook: bool = False, title: str | None = None, timeout: float | None = None,
                 brand: str | Path | None = None, audience: Audience | str = Audience.INTERNAL,
                 pdf: bool = False, seq: int | None = None, actions: str | Path | None = None,
                 strict: bool = False) -> Path:
    """Execute the report notebook for one office and write ``out_dir/<office-slug>.<lang>.html`` atomically.

    The brand file (``brand`` or ``$QMSKIT_BRAND``) is read first, so a bad one fails in one line before
    any kernel starts. Then the kernel is launched and, while it boots, the responses are read and scored
    here (a bad file fails fast with its one-line error; the kernel is stopped at once) and the kernel is
    handed the result instead of reading the file again. ``lang=None`` takes the language from the
    file's metadata (default English). With ``keep_notebook`` the executed notebook is written beside it
    as ``.ipynb``; with ``pdf`` a PDF is printed beside it by headless Chromium (:mod:`qmskit.render.pdf`;
    checked before the notebook runs). Nothing is written on failure. Reader warnings (another
    checklist, an ignored sheet or row) are also issued here, so the command line shows them; with
    ``strict`` they are errors.
    """
    from qmskit.jupyter import notebook
    from qmskit.render.brand import resolve_path

    audience = check_audience(audience)
    brand_path = resolve_path(brand)
    load_brand(brand_path)  # a bad brand file fails here, in one line, before any kernel starts
    if pdf:
        from qmskit.render.pdf import check_available
        check_available()
    kernel = notebook.launch_kernel()  # boots in its own process while the file is read and scored here
    try:
        nb, office, lang = _execute_report(kernel, responses_path, lang, checklist, title, timeout, actions,
                                           strict, {"brand": str(brand_path.resolve()) if brand_path else None,
                                                    "audience": audience.value, "report_seq": seq,
                                                    "out_dir": str(out_dir)})
    finally:
        kernel.shutdown()  # at once, whatever happened (a no-op once the notebook's run stopped it)
    html_text = notebook.export_html(nb, title=page_title(office, lang, title), lang=lang)
    from qmskit.io import iorw
    out = Path(out_dir) / report_filename(slugify(office), lang, audience)
    if keep_notebook:
        notebook.write_notebook(nb, out.with_suffix(".ipynb"))
    iorw.write_text(out, html_text)
    if pdf:
        from qmskit.render.pdf import print_pdf
        print_pdf(out, out.with_suffix(".pdf"))
    return out


def _execute_report(kernel, responses_path, lang, checklist, title, timeout, actions, strict, extra):
    """build_report's reading, scoring and notebook run, on the kernel launched for it."""
    from qmskit.io.responses import ResponsesWarning
    from qmskit.jupyter import notebook

    caught: list = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the report lists them; the terminal gets them just below
        a = load_assessment(responses_path, checklist, actions, strict=strict, reader_warnings=caught)
    for w in caught:  # errors (a bad file, a bad action plan) name the path as given
        if issubclass(w.category, ResponsesWarning):  # e.g. re-scored with another checklist: never silent
            warnings.warn(str(w.message), ResponsesWarning, stacklevel=3)
    meta = a.meta
    responses_path = Path(responses_path).resolve()  # absolute: the kernel's working directory may differ
    lang = check_lang(lang or meta.get("language") or "en")
    if checklist is not None and Path(str(checklist)).suffix in (".yaml", ".yml") and Path(str(checklist)).exists():
        checklist = str(Path(checklist).resolve())  # absolute: the kernel's working directory may differ
    office = str(meta.get("office") or responses_path.stem)
    params = {"responses": str(responses_path), "checklist": checklist, "lang": lang, "title": title, **extra}
    if actions is not None:
        params["actions"] = str(Path(actions).resolve())
    # read and scored once: the kernel takes this Assessment, as its notebook would have computed it
    # (same function, same file; the source as the kernel names it); with an action plan the notebook
    # reads again (the plan's file name is part of what it computes)
    a.source = str(responses_path) if a.source is not None else None
    nb = notebook.execute_on(kernel, notebook.bundled_notebook("report"), params,
                             checklists=[str(a.checklist.source or a.checklist.id)],
                             preload=None if actions is not None else a, office=office,
                             before_run=lambda: notebook.prepare_export(lang),
                             **({"timeout": timeout} if timeout else {}))
    return nb, office, lang
