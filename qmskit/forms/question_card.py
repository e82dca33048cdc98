"""One question of the assessment form: its widgets (answer toggle, evidence, notes, owner, due) and texts.

The form (qmskit.forms.widgets) creates a card the first time its sub-clause opens and tells it the state to
show; a card reports user edits through ``on_change(question id, field, value)``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from qmskit.forms.session import ResponsesSession
from qmskit.i18n.catalog import t
from qmskit.render import palette
from qmskit.render.templating import render

ANSWER_VALUES: dict[str, list[Any]] = {"compliance": ["yes", "partial", "no", "n/a"], "maturity": [1, 2, 3, 4, 5, "n/a"]}
BLANK = ""  # the toggle's "unanswered" option (ToggleButtons cannot select None)


def answer_label(value: Any, lang: str) -> str:
    """How the answer toggle shows a value: a word for yes/partial/no/n/a, the level itself for maturity."""
    if isinstance(value, int):
        return str(value)
    return t(f"form.ans_{'na' if value == 'n/a' else value}", lang)


def answer_colour(points: float | None, answer: Any) -> str:
    """Left border of a question card: green met, amber partly, red not met, grey n/a, none unanswered.

    An answer without points (not scored: nothing the form lets a user enter gives that today, but a score
    that lags behind the answer could) has no colour rather than a wrong one: ``None >= 1`` would raise."""
    if answer is None or (points is None and answer != "n/a"):
        return "4px solid transparent"
    if answer == "n/a" or points is None:
        swatch = palette.ANSWER["na"]
    elif points >= 1:
        swatch = palette.ANSWER["met"]
    else:
        swatch = palette.ANSWER["partial"] if points > 0 else palette.ANSWER["not_met"]
    return f"4px solid {swatch.ink}"


class QuestionCard:
    """The widgets of one question; ``on_change(qid, field, value)`` is called for user edits."""

    def __init__(self, q: Any, scale: str, lang: str, on_change: Callable[[str, str, Any], None]):
        self.q = q
        self.qid = q.id
        self.scale = scale
        self._on_change = on_change
        self.muted = False
        self.title = W.HTML(layout=W.Layout(width="100%"))
        self.hint = W.HTML(layout=W.Layout(width="100%"))
        self.answer = W.ToggleButtons(options=self._options(lang), value=BLANK,
                                      style={"button_width": "auto"}, layout=W.Layout(width="auto"))
        self.owner = W.Text(layout=W.Layout(width="220px"))
        self.due = W.DatePicker(layout=W.Layout(width="auto"), style={"description_width": "auto"})
        self.evidence = W.Textarea(rows=2, layout=W.Layout(width="50%"))
        self.notes = W.Textarea(rows=2, layout=W.Layout(width="50%"))
        self.warning = W.HTML()
        self.box = W.VBox([self.title, self.hint, W.HBox([self.answer, self.owner, self.due],
                                                           layout=W.Layout(flex_flow="row wrap")),
                           W.HBox([self.evidence, self.notes], layout=W.Layout(width="100%")), self.warning],
                          layout=W.Layout(border_left="4px solid transparent", padding="4px 0 8px 10px",
                                          margin="0 0 10px 0"))
        self.box.add_class("qr-form-question")
        self.set_lang(lang)
        for field in ("answer", "evidence", "notes", "owner", "due"):
            getattr(self, field).observe(self._handler(field), names="value")

    def _options(self, lang: str) -> list[tuple[str, object]]:
        opts: list[tuple[str, object]] = [(answer_label(val, lang), val) for val in ANSWER_VALUES[self.scale]
                                          if val != "n/a" or self.q.na_allowed]
        return opts + [("—", BLANK)]

    def _handler(self, field: str) -> Callable[[dict], None]:
        def handle(change: dict) -> None:
            if not self.muted:
                value = change["new"]
                self._on_change(self.qid, field, None if value == BLANK and field == "answer" else value)
        return handle

    def set_lang(self, lang: str) -> None:
        q = self.q
        badges = (["critical"] if q.critical else []) + (
            [q.documented_information] if q.documented_information in ("maintain", "retain") else [])
        self.title.value = render("form/question_title.html.j2", lang=lang, id=q.id, clause=q.clause, badges=badges,
                                  text=getattr(q, f"text_{lang}") or q.text_en)
        self.hint.value = render("form/question_hint.html.j2", lang=lang,
                                 hint=getattr(q, f"evidence_{lang}") or q.evidence_en or "")
        value = self.answer.value
        self.muted = True
        try:
            self.answer.options = self._options(lang)
            self.answer.value = value
        finally:
            self.muted = False
        self.answer.tooltips = [""] * (len(self.answer.options) - 1) + [t("form.unanswered_tip", lang)]
        self.evidence.placeholder = t("form.evidence", lang)
        self.notes.placeholder = t("form.notes", lang)
        self.owner.placeholder = t("form.owner", lang)
        self.owner.description = ""
        self.due.description = t("form.due", lang)
        self._lang = lang

    def load(self, session: ResponsesSession) -> None:
        """Show the session's values (without reporting them back as edits)."""
        self.muted = True
        try:
            answer = session.get(self.qid, "answer")
            self.answer.value = BLANK if answer is None else answer
            for field in ("evidence", "notes", "owner"):
                getattr(self, field).value = session.get(self.qid, field)
            due = session.get(self.qid, "due")
            self.due.value = dt.date.fromisoformat(due) if due else None
        finally:
            self.muted = False

    def show_state(self, answer: Any, points: float | None, notes: str, lang: str) -> None:
        self.box.layout.border_left = answer_colour(points, answer)
        warn = answer == "n/a" and not notes
        self.warning.value = render("form/na_warning.html.j2", lang=lang) if warn else ""
