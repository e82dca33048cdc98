"""What the office report shows of the action tracking and of several assessors (hooks for qmskit.report).

``attach`` puts an action plan's status (``meta["_actions"]``) and who answered what
(``meta["_answered_by"]``) on an Assessment; the report's action plan, verdict and appendix call the
functions below, which return nothing (or the table unchanged) when neither is attached.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .actions import STATUS_LABELS, Progress, blank
from .assessment import Assessment

STRINGS = {
    "en": {"col_status": "Status", "overdue": "overdue", "progress": "Action plan ({as_of}): {total} actions — "
           "{open} open ({overdue} overdue), {done} done ({no_evidence} without closure evidence), {verified} verified "
           "effective.", "col_answered_by": "Answered by", "not_in_plan": "not in the action plan",
           "no_evidence": "no closure evidence"},
    "zh": {"col_status": "状态", "overdue": "已逾期", "progress": "整改计划（截至 {as_of}）：共 {total} 项 —— 未完成 {open} 项"
           "（逾期 {overdue} 项），已完成 {done} 项（{no_evidence} 项无关闭证据），已验证有效 {verified} 项。",
           "col_answered_by": "回答人", "not_in_plan": "未列入整改计划", "no_evidence": "无关闭证据"},
}


def s(key: str, lang: str) -> str:
    return STRINGS.get(lang, STRINGS["en"]).get(key) or STRINGS["en"][key]


@dataclass
class AttachedActions:
    path: str
    plan: pd.DataFrame
    progress: Progress


def attach(a: Assessment, responses_path, actions_path=None, as_of: dt.date | None = None) -> Assessment:
    """Attach an action plan (when given) and the merged file's "Answered by" column (when present)."""
    from .merge import read_answered_by
    answered_by = read_answered_by(responses_path) if responses_path else {}
    if answered_by:
        a.meta["_answered_by"] = answered_by
    if actions_path not in (None, ""):
        from .actions import progress
        from .actions_xlsx import read_actions
        f = read_actions(actions_path)
        day = as_of or dt.date.today()
        a.meta["_actions"] = AttachedActions(str(actions_path), f.plan, progress(f.plan, a.office, day))
    return a


def attached(a: Assessment) -> AttachedActions | None:
    return a.meta.get("_actions")


def progress_line(a: Assessment, lang: str = "en") -> str:
    """One sentence for the verdict: where the action plan stands ('' without an action plan)."""
    att = attached(a)
    if att is None:
        return ""
    p = att.progress
    return s("progress", lang).format(as_of=p.as_of.isoformat(), total=p.total, open=p.open, overdue=p.overdue,
                                      done=p.done + p.verified, no_evidence=p.done_without_evidence,
                                      verified=p.verified)


def status_cells(a: Assessment, ids, lang: str = "en") -> list[str] | None:
    """Per action id: its status label (with 'overdue' / 'no closure evidence'), or None without a plan."""
    att = attached(a)
    if att is None:
        return None
    plan = att.plan.set_index("id")
    overdue = set(att.progress.overdue_items["id"])
    out = []
    for qid in ids:
        if qid not in plan.index:
            out.append(s("not_in_plan", lang))
            continue
        status = plan.at[qid, "status"] or "open"
        text = STATUS_LABELS.get(lang, STATUS_LABELS["en"]).get(status, status)
        if qid in overdue:
            text += f" · {s('overdue', lang)}"
        elif status in ("done", "verified") and blank(plan.at[qid, "closure_evidence"]):
            text += f" · {s('no_evidence', lang)}"
        out.append(text)
    return out


def answered_by_cells(a: Assessment, ids) -> list[str] | None:
    who = a.meta.get("_answered_by")
    if not who:
        return None
    return [who.get(qid, "") for qid in ids]


def plan_name(a: Assessment) -> str | None:
    att = attached(a)
    return Path(att.path).name if att else None
