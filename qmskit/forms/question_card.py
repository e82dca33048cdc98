"""One question of the assessment form: its widgets (answer toggle, evidence, notes, owner, due) and texts.

The form (qmskit.forms.widgets) creates a card the first time its sub-clause opens and tells it the state to
show; a card reports user edits through ``on_change(question id, field, value)``.
"""
from __future__ import annotations

import datetime as dt
import html

import ipywidgets as W

from qmskit.forms.session import ResponsesSession
from qmskit.i18n.catalog import t

STRINGS = {
    "en": {
        "checklist": "Checklist", "responses": "Responses file", "office": "Office", "open": "Open / create",
        "show": "Show", "all": "all", "unanswered": "unanswered", "gaps": "gaps",
        "build": "Build report", "building": "Building the report…", "report": "Report",
        "evidence_hint": "Evidence an auditor looks for", "evidence": "Evidence seen (documents, records, where)",
        "notes": "Notes (n/a needs a justification here)", "owner": "Owner", "due": "Due",
        "critical": "critical", "maintain": "documented information: maintain",
        "retain": "documented information: retain",
        "na_warning": "n/a needs a justification in the notes.", "unanswered_tip": "unanswered (clear)",
        "saved": "saved", "pending": "unsaved changes…", "saving": "saving…", "error": "NOT SAVED",
        "conflict": "changed on disk by someone else: nothing of yours was written over it",
        "reload": "Reload from disk (discard mine)", "keep": "Keep mine (overwrite; theirs kept as .bak)",
        "details": "Office details", "score": "score",
        "retrying": "your changes are kept here and the save is retried", "copy_kept": "a copy of your changes is in",
    },
    "zh": {
        "checklist": "检查表", "responses": "回答文件", "office": "单位", "open": "打开 / 新建",
        "show": "显示", "all": "全部", "unanswered": "未回答", "gaps": "差距",
        "build": "生成报告", "building": "正在生成报告…", "report": "报告",
        "evidence_hint": "审核员会查看的证据", "evidence": "已查看的证据（文件、记录、位置）",
        "notes": "备注（“不适用”须在此说明理由）", "owner": "负责人", "due": "完成期限",
        "critical": "关键", "maintain": "成文信息：保持", "retain": "成文信息：保留",
        "na_warning": "“不适用”须在备注中说明理由。", "unanswered_tip": "未回答（清除）",
        "saved": "已保存", "pending": "有未保存的更改…", "saving": "正在保存…", "error": "未保存",
        "conflict": "文件已被他人在外部修改：您的更改未覆盖该文件",
        "reload": "从磁盘重新加载（放弃我的更改）", "keep": "保留我的（覆盖；对方版本存为 .bak）",
        "details": "单位信息", "score": "得分",
        "retrying": "您的更改保留在此，正在重试保存", "copy_kept": "您的更改副本已保存在",
    },
}
ANSWER_LABELS = {
    "compliance": {"en": ["yes", "partial", "no", "n/a"], "zh": ["是", "部分", "否", "不适用"]},
    "maturity": {"en": ["1", "2", "3", "4", "5", "n/a"], "zh": ["1", "2", "3", "4", "5", "不适用"]},
}
ANSWER_VALUES = {"compliance": ["yes", "partial", "no", "n/a"], "maturity": [1, 2, 3, 4, 5, "n/a"]}
BLANK = ""  # the toggle's "unanswered" option (ToggleButtons cannot select None)


def form_text(lang: str, key: str) -> str:
    """The form's own strings; shared ones (bands, completeness, overall) come from qmskit.i18n.catalog."""
    return STRINGS.get(lang, STRINGS["en"]).get(key) or t(key, lang)


def answer_colour(points: float | None, answer) -> str:
    """Left border of a question card: green met, amber partly, red not met, grey n/a, none unanswered."""
    if answer is None:
        return "4px solid transparent"
    if answer == "n/a":
        return "4px solid #9e9e9e"
    if points >= 1:
        return "4px solid #1b7f3b"
    return "4px solid #d08700" if points > 0 else "4px solid #b3261e"


class QuestionCard:
    """The widgets of one question; ``on_change(qid, field, value)`` is called for user edits."""

    def __init__(self, q, scale: str, lang: str, on_change):
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
        self.box.add_class("qmskit-question")
        self.set_lang(lang)
        for field in ("answer", "evidence", "notes", "owner", "due"):
            getattr(self, field).observe(self._handler(field), names="value")

    def _options(self, lang: str) -> list[tuple[str, object]]:
        labels = ANSWER_LABELS[self.scale][lang]
        values = ANSWER_VALUES[self.scale]
        opts = [(lbl, val) for lbl, val in zip(labels, values) if val != "n/a" or self.q.na_allowed]
        return opts + [("—", BLANK)]

    def _handler(self, field: str):
        def handle(change):
            if not self.muted:
                value = change["new"]
                self._on_change(self.qid, field, None if value == BLANK and field == "answer" else value)
        return handle

    def set_lang(self, lang: str) -> None:
        q = self.q
        badges = []
        if q.critical:
            badges.append(f"<span class='qmskit-badge'>{form_text(lang, 'critical')}</span>")
        if q.documented_information in ("maintain", "retain"):
            badges.append(f"<span class='qmskit-badge'>{form_text(lang, q.documented_information)}</span>")
        text = html.escape(getattr(q, f"text_{lang}") or q.text_en)
        self.title.value = (f"<div style='line-height:1.4;white-space:normal'><b>{html.escape(q.id)}</b> "
                            f"<span style='color:#666'>§{html.escape(q.clause)}</span> {' '.join(badges)}"
                            f"<br>{text}</div>")
        hint = html.escape(getattr(q, f"evidence_{lang}") or q.evidence_en or "")
        self.hint.value = (f"<div style='color:#555;font-size:90%;white-space:normal'>"
                           f"{form_text(lang, 'evidence_hint')}: <i>{hint}</i></div>") if hint else ""
        value = self.answer.value
        self.muted = True
        try:
            self.answer.options = self._options(lang)
            self.answer.value = value
        finally:
            self.muted = False
        self.answer.tooltips = [""] * (len(self.answer.options) - 1) + [form_text(lang, "unanswered_tip")]
        self.evidence.placeholder = form_text(lang, "evidence")
        self.notes.placeholder = form_text(lang, "notes")
        self.owner.placeholder = form_text(lang, "owner")
        self.owner.description = ""
        self.due.description = form_text(lang, "due")
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

    def show_state(self, answer, points, notes: str, lang: str) -> None:
        self.box.layout.border_left = answer_colour(points, answer)
        warn = answer == "n/a" and not notes
        self.warning.value = (f"<span style='color:#b26a00'>⚠ {form_text(lang, 'na_warning')}</span>" if warn else "")
