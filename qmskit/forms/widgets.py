"""The interactive assessment form for JupyterLab (ipywidgets): answer, see the score move, build the report.

``AssessmentForm(checklist, responses, lang=...).display()`` in a notebook. The form is a view over a
:class:`qmskit.forms.session.ResponsesSession` (autosave, .bak, external-edit detection); scoring is
``qmskit.score`` on the whole office after each answer (≈10 ms for ISO 9001's 198 questions, so no
incremental bookkeeping is needed). Widgets are built lazily: one tab per top-level clause, one
accordion item per sub-clause, and a sub-clause's question cards are created the first time it opens.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import ipywidgets as W
import pandas as pd

from qmskit.checklist.loader import Checklist, list_checklists
from qmskit.config import DEFAULT_CHECKLIST
from qmskit.core.assessment import Assessment
from qmskit.core.scoring import score
from qmskit.errors import QmskitError
from qmskit.forms.question_card import QuestionCard
from qmskit.forms.session import CONFLICT, SAVED, ResponsesSession
from qmskit.i18n.catalog import check_lang, msg, reason_text, reverify_marks, say, t
from qmskit.i18n.numbers import fmt_number
from qmskit.io.xlsx import META_LABELS
from qmskit.render.templating import render

# "excluded_clauses" is what scoring reads (clauses answered n/a, ISO 9001 4.3); "exclusions" only the
# header's text
META_FIELDS = ["office", "assessor", "date", "scope", "sites", "exclusions", "excluded_clauses", "status",
               "confidentiality"]


class AssessmentForm:
    """The whole form. Give ``checklist`` (bundled id or .yaml path) and ``responses`` (.xlsx/.yaml path;
    created when missing, named ``office``) to open at once; otherwise pick them in the form."""

    def __init__(self, checklist: str | Path | Checklist | None = DEFAULT_CHECKLIST, responses: str | Path | None = None,
                 *, lang: str = "en", office: str | None = None, report_dir: str | Path = "reports",
                 poll: float | None = 2.0, debounce: float = 0.3):
        self.lang = check_lang(lang)
        self.report_dir = Path(report_dir)
        self.poll = poll
        self.debounce = debounce
        self.session: ResponsesSession | None = None
        self.assessment: Assessment | None = None
        self.report_path: Path | None = None
        self.cards: dict[str, QuestionCard] = {}
        self._points: dict[str, float] = {}
        self._poller: threading.Thread | None = None
        self._stop = threading.Event()
        self.timings: dict[str, float] = {}
        self.exclusions_error = W.HTML()  # why an excluded_clauses value was refused (under its box)

        bundled = list(list_checklists()["id"])
        self.checklist_box = W.Combobox(options=bundled, value=str(getattr(checklist, "source", None) or checklist or ""),
                                        ensure_option=False, layout=W.Layout(width="260px"))
        self.responses_box = W.Text(value=str(responses or ""), layout=W.Layout(width="340px"))
        self.office_box = W.Text(value=office or "", layout=W.Layout(width="200px"))
        self.open_button = W.Button(icon="folder-open", button_style="primary")
        self.open_button.on_click(lambda _: self._open_clicked())
        self.open_error = W.HTML()
        self.lang_toggle = W.ToggleButtons(options=[("EN", "en"), ("中文", "zh")], value=lang,
                                           style={"button_width": "56px"})
        self.lang_toggle.observe(lambda c: self.set_lang(c["new"]), names="value")
        self.launcher = W.VBox([W.HBox([self.checklist_box, self.responses_box, self.office_box, self.open_button],
                                       layout=W.Layout(flex_flow="row wrap")), self.open_error])
        self.score_html = W.HTML()
        self.status_html = W.HTML()
        self.reload_button = W.Button(button_style="warning", icon="refresh", layout=W.Layout(width="auto"))
        self.keep_button = W.Button(button_style="danger", icon="save", layout=W.Layout(width="auto"))
        self.reload_button.on_click(lambda _: self.reload())
        self.keep_button.on_click(lambda _: self.keep_mine())
        self.conflict_box = W.HBox([self.reload_button, self.keep_button], layout=W.Layout(display="none"))
        self.filter = W.ToggleButtons(options=self._filter_options(), value="all", style={"button_width": "auto"})
        self.filter.observe(lambda _: self.apply_filter(), names="value")
        self.filter_label = W.HTML()
        self.build_button = W.Button(button_style="success", icon="file-text", layout=W.Layout(width="auto"))
        self.build_button.on_click(lambda _: self.build_report())
        self.report_out = W.Output()
        self.report_html = W.HTML()
        self.lang_toggle.layout.margin = "0 0 0 auto"  # language switch at the right end
        self.header = W.VBox([self.score_html, self.status_html, self.conflict_box,
                              W.HBox([self.filter_label, self.filter, self.build_button, self.report_html, self.lang_toggle],
                                     layout=W.Layout(flex_flow="row wrap", align_items="center")),
                              self.report_out], layout=W.Layout(display="none"))
        self.header.add_class("qr-form-header")
        self.tabs = W.Tab()
        self.body = W.VBox([])
        self.widget = W.VBox([W.HTML(render("form/style.html.j2", lang=lang)), self.launcher, self.header, self.body])
        self.widget.add_class("qr-form")
        self._label_controls()
        if checklist is not None and responses:
            self.open(checklist, responses, office=office)

    # ------------------------------------------------------------------ opening
    def _filter_options(self):
        return [(t(f"form.{k}", self.lang), k) for k in ("all", "unanswered", "gaps")]

    def _open_clicked(self) -> None:
        try:
            self.open(self.checklist_box.value.strip() or None, self.responses_box.value.strip(),
                      office=self.office_box.value.strip() or None)
        except (QmskitError, OSError) as exc:
            self.open_error.value = self._error_html(say(exc, self.lang), warn=False)

    def open(self, checklist, responses, *, office: str | None = None) -> None:
        """Open (or create) a responses file and build the form for it."""
        t0 = time.perf_counter()
        if not responses:
            raise QmskitError(msg("form.no_file_given"))
        self.close()
        self.open_error.value = ""
        self.session = ResponsesSession(responses, checklist or None, office=office, lang=self.lang,
                                        debounce=self.debounce, on_status=lambda _s: self._show_status())
        self.checklist = self.session.checklist
        self.responses_box.value = str(self.session.path)
        self.checklist_box.value = checklist_ref(self.checklist)
        self.office_box.value = str(self.session.meta.get("office", ""))
        self._index_questions()
        self._score()  # before building: the first cards are painted with their scores
        self._build_sections()
        self.header.layout.display = ""
        self._refresh()
        self._show_status()
        self._start_polling()
        self.timings["build"] = time.perf_counter() - t0

    def _index_questions(self) -> None:
        cl = self.checklist
        clauses = cl.clauses.set_index("clause")
        parents = clauses["parent"].to_dict()
        levels = clauses["level"].to_dict()

        def group_of(clause: str) -> str:  # the level-2 ancestor, or the top clause itself
            while levels.get(clause, 1) > 2:
                clause = parents[clause]
            return clause

        qs = cl.questions
        self.question_rows = {r.id: r for r in qs.itertuples(index=False)}
        self.groups: dict[str, list[str]] = {}   # group clause -> question ids (checklist order)
        self.tops: dict[str, list[str]] = {}     # top clause -> group clauses
        for qid, clause, top in zip(qs["id"].astype(str), qs["clause"].astype(str), qs["top"].astype(str)):
            g = group_of(clause)
            self.groups.setdefault(g, []).append(qid)
            groups = self.tops.setdefault(top, [])
            if g not in groups:
                groups.append(g)
        self.titles = {c: (row.title_en, row.title_zh) for c, row in clauses.iterrows()}

    def _build_sections(self) -> None:
        self.cards = {}
        self.group_boxes: dict[str, W.VBox] = {}
        self.accordions: dict[str, W.Accordion] = {}
        self.top_headings: dict[str, W.HTML] = {}
        tab_children = []
        for top, groups in self.tops.items():
            boxes = [W.VBox([]) for _ in groups]
            self.group_boxes.update(zip(groups, boxes))
            acc = W.Accordion(children=boxes, selected_index=None)
            acc.observe(self._accordion_opened(top), names="selected_index")
            self.accordions[top] = acc
            self.top_headings[top] = W.HTML()
            tab_children.append(W.VBox([self.top_headings[top], acc]))
        self.details = self._details_panel()
        self.tabs = W.Tab(children=tab_children + [self.details], selected_index=0)
        self.body.children = [self.tabs]
        self.tabs.observe(self._tab_opened, names="selected_index")
        self._tab_opened({"new": 0})

    def _tab_opened(self, change) -> None:
        """A tab shows its first sub-clause open (built on demand) unless one is open already."""
        tops = list(self.tops)
        if change["new"] is not None and change["new"] < len(tops):
            acc = self.accordions[tops[change["new"]]]
            if acc.selected_index is None:
                acc.selected_index = 0

    def _accordion_opened(self, top: str):
        def handle(change):
            if change["new"] is not None:
                self.build_group(self.tops[top][change["new"]])
        return handle

    def build_group(self, group: str) -> None:
        """Create the question cards of one sub-clause (once)."""
        box = self.group_boxes[group]
        if box.children:
            return
        cards = []
        for qid in self.groups[group]:
            card = QuestionCard(self.question_rows[qid], self.checklist.scale, self.lang, self._on_edit)
            card.load(self._session())
            self.cards[qid] = card
            cards.append(card)
        self._paint(cards)
        self._filter_cards(cards)
        box.children = [c.box for c in cards]

    def card(self, qid: str) -> QuestionCard:
        """The card of a question, building its sub-clause if needed (used by tests and scripts)."""
        if qid not in self.cards:
            group = next(g for g, ids in self.groups.items() if qid in ids)
            self.build_group(group)
        return self.cards[qid]

    def build_all(self) -> None:
        for group in self.groups:
            self.build_group(group)

    def _details_panel(self) -> W.VBox:
        self.meta_widgets = {}
        rows = []
        for key in META_FIELDS:
            value = str(self._session().meta.get(key) or "")
            if key == "status":
                w = W.Dropdown(options=["draft", "final"], value=value if value in ("draft", "final") else "draft")
            elif key in ("scope", "exclusions", "confidentiality"):
                w = W.Textarea(value=value, rows=2, layout=W.Layout(width="600px"))
            elif key == "excluded_clauses":  # checked when the office leaves the box, not at each key
                w = W.Textarea(value=value, rows=2, continuous_update=False, layout=W.Layout(width="600px"))
            else:
                w = W.Text(value=value, layout=W.Layout(width="600px"))
            w.observe(self._meta_handler(key), names="value")
            self.meta_widgets[key] = w
            rows.append(w)
            if key == "excluded_clauses":
                rows.append(self.exclusions_error)
        self._label_details()
        return W.VBox(rows)

    def _meta_handler(self, key: str):
        def handle(change):
            if key == "excluded_clauses":
                self.set_excluded_clauses(change["new"])
                return
            self._session().set_meta(key, change["new"])
            if key == "office":
                self._show_score()
        return handle

    def set_excluded_clauses(self, value: str) -> bool:
        """Exclude clauses (ISO 9001 4.3): their blank answers score n/a, justified by the exclusion. A value
        the checklist refuses (unknown clause, a clause holding a question that may not be n/a) is shown
        under the box and not saved, so the file always reads back; the box keeps what was typed."""
        from qmskit.core.exclusions import canonical_excluded_clauses
        try:
            canonical_excluded_clauses(self.checklist, value)
        except ValueError as exc:
            self.exclusions_error.value = self._error_html(
                say(msg("responses.excluded_clauses", problem=exc.args[0]), self.lang))
            return False
        self.exclusions_error.value = ""
        if self._session().set_meta("excluded_clauses", value):
            self.rescore()
        return True

    # ------------------------------------------------------------------ live updates
    def _on_edit(self, qid: str, field: str, value) -> None:
        try:
            changed = self._session().set(qid, field, value)
        except QmskitError as exc:
            self.status_html.value = self._error_html(say(exc, self.lang))
            return
        if changed and field == "answer":
            self.rescore(only=qid)
        elif changed and field == "notes":
            self._paint([self.cards[qid]])

    def rescore(self, only: str | None = None) -> None:
        """Score the office and refresh the header, section titles and card colours (one click's work).

        ``only``: the question that changed; an answer moves only its own card's colour, so only that
        card is repainted (the header and titles always are)."""
        t0 = time.perf_counter()
        self._score()
        self._refresh(None if only is None else [self.cards[only]])
        self.timings["rescore"] = time.perf_counter() - t0

    def _score(self) -> None:
        self.assessment = score(self.checklist, self._session().frame(), self._session().meta,
                                reverify_marks=reverify_marks())
        q = self.assessment.questions
        self._points = dict(zip(q["id"], q["points"]))

    def _refresh(self, cards=None) -> None:
        self._show_score()
        self._titles()
        self._paint(self.cards.values() if cards is None else cards)

    def _paint(self, cards) -> None:
        points = self._points
        for card in cards:
            qid = card.qid
            p = points.get(qid)
            card.show_state(self._session().get(qid, "answer"), None if p is None or pd.isna(p) else p,
                            self._session().get(qid, "notes"), self.lang)

    def _show_score(self) -> None:
        a, lang = self.assessment, self.lang
        if a is None:
            return
        session = self._session()
        self.score_html.value = render(
            "form/score.html.j2", lang=lang, office=str(session.meta.get("office") or session.path.stem),
            completeness=a.completeness, overall=a.overall,
            band=a.display_band,  # "not started" when nothing is answered yet, never a red "early stage"
            reasons=[reason_text(r, lang) for r in a.reasons])

    def _session(self) -> ResponsesSession:
        """The open responses session (every control that edits or saves exists only once a file is open)."""
        if self.session is None:
            raise QmskitError(msg("form.no_file_open"))
        return self.session

    def _error_html(self, message: str, warn: bool = True) -> str:
        return render("form/error.html.j2", lang=self.lang, message=message, warn=warn)

    def _titles(self) -> None:
        if self.assessment is None:
            return
        c = self.assessment.clauses
        stats = dict(zip(c["clause"], zip(c["completeness"], c["answered"], c["applicable"], c["score"])))
        pct = {k: "—" if pd.isna(v[0]) else f"{fmt_number(v[0])}%" for k, v in stats.items()}
        i = 0 if self.lang == "en" else 1
        tab_titles = []
        for top, groups in self.tops.items():
            tab_titles.append(f"{top} · {pct[top]}")  # tabs are narrow: the title is inside
            _, answered, applicable, score_ = stats[top]
            self.top_headings[top].value = render(
                "form/top_heading.html.j2", lang=self.lang, clause=top, title=self.titles[top][i],
                completeness=pct[top], answered=int(answered), applicable=int(applicable),
                score=None if pd.isna(score_) else float(score_))
            titles = tuple(f"{g} {self.titles[g][i]} — {pct[g]}" for g in groups)
            if self.accordions[top].titles != titles:
                self.accordions[top].titles = titles
        tab_titles.append(t("form.details", self.lang))
        if tuple(self.tabs.titles) != tuple(tab_titles):
            self.tabs.titles = tuple(tab_titles)

    def apply_filter(self) -> None:
        self._filter_cards(self.cards.values())

    def _filter_cards(self, cards) -> None:
        mode = self.filter.value
        for card in cards:
            answer = self._session().get(card.qid, "answer")
            p = self._points.get(card.qid)
            if mode == "unanswered":
                show = answer is None
            elif mode == "gaps":
                show = p is not None and not pd.isna(p) and p < 1
            else:
                show = True
            card.box.layout.display = "" if show else "none"

    def _show_status(self) -> None:
        s, lang = self.session, self.lang
        if s is None:
            return
        status = s.status
        self.status_html.value = render(
            "form/status.html.j2", lang=lang, status=status, error=say(s.error, lang) if s.error else "", path=str(s.path),
            when=s.saved_at.strftime("%H:%M:%S") if status == SAVED and s.saved_at else "",
            copy_path=str(s.copy_path) if s.copy_path is not None else "",
            kept_from=str(s.kept_from) if s.kept_from is not None else "")
        self.conflict_box.layout.display = "" if status == CONFLICT else "none"

    # ------------------------------------------------------------------ conflicts, language, report
    def reload(self) -> None:
        """Take the file as it is on disk now (after an outside edit) and show it."""
        self._session().reload()
        for card in self.cards.values():
            card.load(self._session())
        for key, w in self.meta_widgets.items():
            self._set_quiet(w, key)
        self.rescore()
        self._show_status()

    def _set_quiet(self, w, key: str) -> None:
        value = str(self._session().meta.get(key) or "")
        if isinstance(w, W.Dropdown):
            value = value if value in w.options else w.options[0]
        w.unobserve_all("value")
        w.value = value
        w.observe(self._meta_handler(key), names="value")

    def keep_mine(self) -> None:
        self._session().overwrite()
        self._show_status()

    def set_lang(self, lang: str) -> None:
        if lang == self.lang:
            return
        self.lang = lang
        if self.lang_toggle.value != lang:
            self.lang_toggle.value = lang
        self._label_controls()
        if self.session is None:
            return
        self.session.lang = lang
        for card in self.cards.values():
            card.set_lang(lang)
        self._label_details()
        self.rescore()
        self._show_status()

    def _label_controls(self) -> None:
        lang = self.lang
        self.checklist_box.placeholder = t("checklist", lang)
        self.checklist_box.description = ""
        self.responses_box.placeholder = t("form.responses", lang) + " (.xlsx / .yaml)"
        self.office_box.placeholder = t("office", lang)
        self.open_button.description = t("form.open", lang)
        self.reload_button.description = t("form.reload", lang)
        self.keep_button.description = t("form.keep", lang)
        self.build_button.description = t("form.build", lang)
        value = self.filter.value
        self.filter.unobserve_all("value")
        self.filter.options = self._filter_options()
        self.filter.value = value
        self.filter.observe(lambda _: self.apply_filter(), names="value")
        self.filter_label.value = render("form/show_label.html.j2", lang=lang)

    def _label_details(self) -> None:
        i = 0 if self.lang == "en" else 1
        for key, w in self.meta_widgets.items():
            w.description = META_LABELS[key][i]
            w.style.description_width = "200px"

    def build_report(self) -> Path | None:
        """Save, then write the HTML report with ``qmskit.api.build_report`` and show a link to it."""
        from qmskit import api  # the report stack, imported late: the form works without it
        self._session().flush()
        self.build_button.disabled = True
        self.report_html.value = t("form.building", self.lang)
        try:
            out = api.build_report(self._session().path, self.report_dir, lang=self.lang,
                                      checklist=checklist_ref(self.checklist))
        except Exception as exc:  # a failed build must not break the form; show the one-line reason
            self.report_html.value = self._error_html(say(exc, self.lang))
            return None
        finally:
            self.build_button.disabled = False
        self.report_path = Path(out)
        self.report_html.value = ""
        self.report_out.clear_output()
        with self.report_out:
            from IPython.display import HTML, display
            rel = os.path.relpath(self.report_path.absolute(), Path.cwd())
            href = rel if not rel.startswith("..") else self.report_path.absolute().as_uri()
            display(HTML(render("form/report_link.html.j2", lang=self.lang, href=href, name=self.report_path.name,
                                path=str(self.report_path))))
        return self.report_path

    # ------------------------------------------------------------------ lifecycle
    def _start_polling(self) -> None:
        if not self.poll:
            return
        self._stop = threading.Event()
        session, stop, interval = self.session, self._stop, self.poll

        def loop():  # shows an outside edit in the header even before the next click
            while not stop.wait(interval):
                try:
                    session.check_external()
                except Exception:
                    pass
        self._poller = threading.Thread(target=loop, name="qmskit-form-poll", daemon=True)
        self._poller.start()

    def close(self) -> None:
        """Save pending changes and stop watching the file."""
        self._stop.set()
        if self.session is not None:
            self.session.close()

    def display(self):
        from IPython.display import display
        display(self.widget)
        return self

    def _ipython_display_(self):
        self.display()


def checklist_ref(cl: Checklist) -> str:
    """How to name a checklist again: its id when bundled, else its file."""
    from qmskit.checklist.loader import bundled_dir
    if cl.source is None or cl.source.resolve().parent == bundled_dir().resolve():
        return cl.id
    return str(cl.source)
