"""What the office report shows of the action tracking and of several assessors (hooks for qmskit.render.report).

``attach`` puts an action plan's status (``meta["_actions"]``) and who answered what
(``meta["_answered_by"]``) on an Assessment; the report's action plan, verdict and appendix call the
functions below, which return nothing (or the table unchanged) when neither is attached.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qmskit.core.actions import CLOSED_STATUSES, STATUS_ORDER, ActionStatus, Progress
from qmskit.core.assessment import Assessment, office_key  # (plans are matched by it)
from qmskit.core.values import is_blank, text_or_empty
from qmskit.i18n.catalog import t, tn
from qmskit.i18n.numbers import fmt_date


@dataclass
class AttachedActions:
    path: str
    plan: pd.DataFrame
    progress: Progress


def attached(a: Assessment) -> AttachedActions | None:
    att = a.meta.get("_actions")
    return att if isinstance(att, AttachedActions) else None


def plan_owners_and_dues(a: Assessment) -> dict[str, tuple[str, str]]:
    """Per action id, the owner and due date the attached action plan gives (either may be ""); empty
    without a plan. The office works in the plan: what it typed there is what the report shows, over the
    responses file's (found by a new user's session: an owner and date typed in the plan showed as
    "unassigned · no date")."""
    att = attached(a)
    if att is None:
        return {}
    return {str(qid): (text_or_empty(owner).strip(), text_or_empty(due).strip())
            for qid, owner, due in zip(att.plan["id"], att.plan["owner"], att.plan["due"], strict=True)}


def owner_and_due(in_plan: dict[str, tuple[str, str]], qid: str, owner: str, due: str) -> tuple[str, str]:
    """An action's owner and due date as the report, its findings table and gaps.csv show them: the action
    plan's for an action in it (``in_plan``: :func:`plan_owners_and_dues`), blank too (the plan is written
    with the responses file's owner and date: a blank there is one the office cleared), else the responses
    file's."""
    return in_plan.get(str(qid), (owner, due))


def progress_line(a: Assessment, lang: str = "en") -> str:
    """One sentence for the verdict: where the action plan stands ('' without an action plan)."""
    att = attached(a)
    if att is None:
        return ""
    p = att.progress
    line = t("actions.progress", lang, as_of=fmt_date(p.as_of, lang), total=p.total, open=p.open, overdue=p.overdue,
             done=p.done + p.verified, no_evidence=p.done_without_evidence, verified=p.verified)
    # done or verified, yet this assessment still finds the gap: not among the done ones, said apart
    if p.ineffective:
        line += tn("actions.progress_ineffective", p.ineffective, lang)
    # the rest of the total: actions not done whose finding this assessment no longer has
    if p.resolved_by_reassessment:
        line += tn("actions.progress_resolved", p.resolved_by_reassessment, lang)
    return line


def status_cells(a: Assessment, ids: Iterable[str], lang: str = "en") -> list[str] | None:
    """Per action id: its status label (with 'overdue' / 'no closure evidence'), or None without a plan."""
    att = attached(a)
    if att is None:
        return None
    # per id its status and closure evidence, in a dict: looked up per finding (.at on the frame cost
    # ~0.1 ms a finding); an action plan has one row per id (its reader refuses a duplicate)
    plan = {qid: (status, evidence) for qid, status, evidence
            in zip(att.plan["id"], att.plan["status"], att.plan["closure_evidence"], strict=True)}
    overdue = set(att.progress.overdue_items["id"])
    ineffective = set(att.progress.ineffective_ids)
    out = []
    for qid in ids:
        if qid not in plan:
            out.append(t("actions.not_in_plan", lang))
            continue
        status = str(plan[qid][0] or ActionStatus.OPEN.value)
        text = t(f"action.status.{status}", lang) if status in STATUS_ORDER else status
        if qid in ineffective:  # marked done, and this assessment still finds it
            text = t("actions.ineffective", lang, status=text)
        if qid in overdue:
            text += f" · {t('actions.overdue', lang)}"
        elif status in CLOSED_STATUSES and is_blank(plan[qid][1]):
            text += f" · {t('actions.no_evidence', lang)}"
        out.append(text)
    return out


def answered_by_cells(a: Assessment, ids: Iterable[str]) -> list[str] | None:
    who = a.meta.get("_answered_by")
    if not who:
        return None
    return [who.get(qid, "") for qid in ids]


def plan_name(a: Assessment) -> str | None:
    att = attached(a)
    return Path(att.path).name if att else None


# ----------------------------------------------------------------------------- batch and portfolio

def plan_for(a: Assessment, plans: dict[str, Path]) -> Path | None:
    return plans.get(office_key(a.office))


def portfolio_fields(a: Assessment) -> dict:
    """The portfolio's "actions" figures for one office ({} without an attached plan)."""
    att = attached(a)
    if att is None:
        return {}
    p = att.progress
    return {"actions": {"total": p.total, "open": p.open, "overdue": p.overdue, "verified": p.verified,
                        "done_without_evidence": p.done_without_evidence, "as_of": p.as_of.isoformat()}}


def oldest_overdue_rows(assessments: list[Assessment], limit: int = 10) -> list[dict]:
    from qmskit.core.actions import oldest_overdue
    progresses = [att.progress for att in map(attached, assessments) if att is not None]
    frame = oldest_overdue(progresses, limit)
    return [{"office": r["office"], "id": r["id"], "clause": r["clause"], "severity": r["severity"], "owner": r["owner"],
             "due": r["due"], "days_overdue": int(r["days_overdue"])} for r in frame.to_dict("records")]


def actions_cell(actions: dict | None) -> str:
    if not actions:
        return "—"
    return f"{actions['open']} / {actions['overdue']} / {actions['verified']}"
