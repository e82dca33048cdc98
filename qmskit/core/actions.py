"""Action tracking: from an assessment's findings to closed, verified corrective actions.

Pure core (no files, no display text: a status is an :class:`ActionStatus` code; the words a person types
for it are parsed in :mod:`qmskit.io.actions_xlsx`): the
action plan is a frame with one row per finding — what qmskit writes (id, clause, severity, reason,
requirement, recommended action) and what the office fills in (owner, due, status, root cause,
correction, corrective action, closure evidence, closed date, verified by, verified date). ``plan_rows``
builds it from an Assessment, ``update_plan`` folds a new assessment into an existing plan without
losing what the office typed, ``progress`` counts where each office stands on a given day. Reading and
writing the workbook lives in :mod:`qmskit.io.actions_xlsx`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, cast

import pandas as pd

from qmskit.core.assessment import Assessment, latest_in_groups
from qmskit.core.values import is_blank


class ActionStatus(str, Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"


STATUS_ORDER = [s.value for s in ActionStatus]
# statuses that close an action: each needs closure evidence (without it the action is "done without evidence")
CLOSED_STATUSES = (ActionStatus.DONE.value, ActionStatus.VERIFIED.value)
# (key, written by): "qmskit" columns are refreshed from the assessment, "office" columns are the office's
COLUMNS = [
    ("id", "qmskit"), ("clause", "qmskit"), ("severity", "qmskit"), ("reason", "qmskit"),
    ("requirement", "qmskit"), ("action", "qmskit"), ("owner", "office"), ("due", "office"),
    ("status", "office"), ("root_cause", "office"), ("correction", "office"), ("corrective_action", "office"),
    ("closure_evidence", "office"), ("closed_date", "office"), ("verified_by", "office"),
    ("verified_date", "office"), ("in_assessment", "qmskit"),
]
KEYS = [k for k, _ in COLUMNS]
QMSKIT_KEYS = [k for k, who in COLUMNS if who == "qmskit"]
OFFICE_KEYS = [k for k, who in COLUMNS if who == "office"]
DATE_KEYS = ["due", "closed_date", "verified_date"]
SEVERITY_RANK = {"major": 0, "minor": 1, "observation": 2}


def _text(value) -> str:
    return "" if is_blank(value) else str(value)


def _reason(row) -> str:
    """The finding's reason from the gap model; derived from critical/points while the model lacks it."""
    reason = row.get("reason")
    if not is_blank(reason):
        return str(reason)
    if row.get("basis") == "practice":
        return "practice"
    points = row.get("points")
    if row.get("critical") and points == 0:
        return "critical"
    return "not_met" if points == 0 else "partial"


def _action_text(row, lang: str) -> str:
    """The recommended action (checklist ``action``), else the evidence hint an auditor looks for."""
    for key in (f"action_{lang}", "action_en", f"evidence_{lang}", "evidence_en"):
        if not is_blank(row.get(key)):
            return str(row[key])
    return ""


def plan_rows(a: Assessment, lang: str = "en", kpi_texts: Mapping[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """One action row per finding of ``a`` (question gaps in rank order, then KPI findings), all open.
    ``kpi_texts``: each KPI finding's (requirement, action) in ``lang``, as the report words them (the
    caller's: the core holds no sentences)."""
    kpi_texts = kpi_texts or {}
    rows = []
    for g in a.gaps.to_dict("records"):
        rows.append({"id": g["id"], "clause": g["clause"], "severity": g["severity"], "reason": _reason(g),
                     "requirement": _text(g.get(f"text_{lang}")) or _text(g.get("text_en")),
                     "action": _action_text(g, lang), "owner": _text(g.get("owner")), "due": _text(g.get("due"))})
    for k in a.kpi_findings:
        rows.append({"id": k["id"], "clause": k.get("clause", "9.1"), "severity": k.get("severity", "observation"),
                     "reason": "kpi", "requirement": kpi_texts.get(k["id"], ("", ""))[0],
                     "action": kpi_texts.get(k["id"], ("", ""))[1], "owner": "", "due": ""})
    frame = pd.DataFrame(rows, columns=KEYS[:8]) if rows else pd.DataFrame(columns=KEYS[:8])
    for key in KEYS[8:]:
        frame[key] = ""
    frame["status"] = ActionStatus.OPEN.value
    frame["in_assessment"] = "yes"
    return frame[KEYS].astype(object).reset_index(drop=True)


@dataclass
class PlanUpdate:
    plan: pd.DataFrame
    added: list[str] = field(default_factory=list)       # new findings
    kept: list[str] = field(default_factory=list)        # findings already in the plan
    resolved: list[str] = field(default_factory=list)    # in the plan, no longer a finding
    # marked done or verified before the new assessment was folded in, and still a finding of it
    still_found: list[str] = field(default_factory=list)


def update_plan(existing: pd.DataFrame, fresh: pd.DataFrame) -> PlanUpdate:
    """Fold ``fresh`` (from a new assessment) into ``existing`` (what the office has worked on).

    Rows keep the office's columns as typed; owner and due are taken from the assessment only where the
    office left them blank. Findings no longer in the assessment keep their row, marked
    ``in_assessment = no``; new findings are appended in rank order.
    """
    old = existing.set_index("id", drop=False)
    new = fresh.set_index("id", drop=False)
    out: list[dict] = []
    kept: list[str] = []
    resolved: list[str] = []
    for qid, row in old.iterrows():  # question ids are strings (the model's id column)
        merged = {k: row.get(k, "") for k in KEYS}
        if qid in new.index:
            for key in QMSKIT_KEYS:
                merged[key] = new.at[qid, key]
            for key in ("owner", "due"):
                if is_blank(merged[key]):
                    merged[key] = new.at[qid, key]
            kept.append(str(qid))
        else:
            merged["in_assessment"] = "no"
            resolved.append(str(qid))
        out.append(merged)
    added = [str(qid) for qid in new.index if qid not in old.index]
    out += [new.loc[qid, KEYS].to_dict() for qid in added]
    still_found = [qid for qid in kept if _text(old.at[qid, "status"]) in CLOSED_STATUSES]
    return PlanUpdate(pd.DataFrame(out, columns=KEYS).astype(object), added, kept, resolved, still_found)


def closed_before(plan: pd.DataFrame, recorded: str | None) -> list[str]:
    """The actions known to have been marked done or verified before the assessment the plan was last
    updated from: ``recorded`` (the plan's Office sheet, written by ``actions plan`` when it folds a new
    assessment in: ids separated by commas). A plan written before qmskit recorded it (None) that shows a
    re-assessment (a row it no longer finds) counts each of its closed actions so: an undated closure cannot
    be shown to come after it. A plan no re-assessment has touched yet has none: its closures are new."""
    if recorded is not None:
        return [i.strip() for i in recorded.split(",") if i.strip()]
    if plan["in_assessment"].map(_text).eq("no").any():
        return [str(i) for i in plan["id"]]
    return []


# ----------------------------------------------------------------------------- which assessment a plan is of

class PlanFit(str, Enum):
    """How an action plan stands to an assessment, from what the plan records (its responses file's SHA-256
    and assessment date) and what the assessment is."""
    SAME = "same"        # made or last updated from this assessment (same file, or same date)
    OLDER = "older"      # from an earlier assessment: the follow-up, counted against this one's findings
    NEWER = "newer"      # from a later assessment: never applied to this one
    UNKNOWN = "unknown"  # a date missing on either side: applied, as nothing says otherwise


def plan_fit(plan_sha256: str | None, plan_date: str | None, sha256: str | None, date: str | None) -> PlanFit:
    if plan_sha256 and sha256 and plan_sha256 == sha256:
        return PlanFit.SAME
    plan_day, day = _text(plan_date)[:10], _text(date)[:10]
    if not plan_day or not day:
        return PlanFit.UNKNOWN
    if plan_day == day:
        return PlanFit.SAME
    return PlanFit.OLDER if plan_day < day else PlanFit.NEWER


def latest_per_plan(plans: list[str | None], dates: list[str | None]) -> list[int | None]:
    """Several assessments given one plan (one office assessed more than once, e.g. in a batch): each one's
    index of the assessment the plan goes to instead — the latest (:func:`qmskit.core.assessment.latest_in_groups`:
    undated ones before dated ones; on a tie, the last given) — or None for that latest one and for those
    without a plan."""
    return [None if j == i else j for i, j in enumerate(latest_in_groups(plans, dates))]


# ----------------------------------------------------------------------------- progress

@dataclass
class Progress:
    """Where an office's action plan stands. Every action is in exactly one of ``open``, ``ineffective``,
    ``done_not_verified``, ``verified`` and ``resolved_by_reassessment`` (they add up to ``total``);
    ``overdue``, ``no_due`` (among the open ones) and ``done_without_evidence`` (among the closed ones) are
    counts within them."""
    office: str
    as_of: dt.date
    total: int               # every action in the plan
    open: int                # open or in progress, and still a finding in the latest assessment
    in_progress: int
    done: int                # done, not yet verified effective (not ineffective)
    verified: int            # verified effective (not ineffective)
    overdue: int             # open / in progress with a due date before as_of
    no_due: int              # open / in progress without a due date
    done_without_evidence: int   # done or verified with no closure evidence
    done_not_verified: int       # done, effectiveness not yet verified (not ineffective)
    resolved_by_reassessment: int   # not done by the office, but no longer a finding (in_assessment = no)
    overdue_items: pd.DataFrame     # id, clause, severity, owner, due, days_overdue (oldest first)
    # done or verified, but the assessment still finds the gap, and the closure is not dated after that
    # assessment (undated, or closed before it): an ineffective corrective action, to be reopened
    ineffective: int = 0
    ineffective_ids: list[str] = field(default_factory=list)

    def columns(self) -> dict[str, int]:
        """The partition of ``total``: each action counted in exactly one of these."""
        return {"open": self.open, "ineffective": self.ineffective, "done_not_verified": self.done_not_verified,
                "verified": self.verified, "resolved_by_reassessment": self.resolved_by_reassessment}

    def to_dict(self) -> dict:
        return {"office": self.office, "as_of": self.as_of.isoformat(), "total": self.total, "open": self.open,
                "in_progress": self.in_progress, "done": self.done, "verified": self.verified,
                "overdue": self.overdue, "no_due": self.no_due, "done_without_evidence": self.done_without_evidence,
                "done_not_verified": self.done_not_verified,
                "resolved_by_reassessment": self.resolved_by_reassessment,
                "ineffective": self.ineffective, "ineffective_ids": list(self.ineffective_ids),
                "overdue_items": [{"id": r.id, "clause": r.clause, "severity": r.severity, "owner": r.owner,
                                   "due": r.due, "days_overdue": int(r.days_overdue)}
                                  for r in cast("Iterable[Any]", self.overdue_items.itertuples(index=False))]}


def finding_ids(a: Assessment) -> list[str]:
    """The ids an action plan made from ``a`` has a row for: its question gaps, then its KPI findings."""
    return [str(i) for i in a.gaps["id"]] + [str(k["id"]) for k in a.kpi_findings]


def _dates(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column.map(_text).replace("", None), errors="coerce")


def progress(plan: pd.DataFrame, office: str, as_of: dt.date, findings: Collection[str] | None = None,
             assessed: str | dt.date | None = None, before: Collection[str] = ()) -> Progress:
    """Where the office stands on ``as_of``. Every row counts; a row the latest assessment no longer finds
    is not open or overdue any more, whatever its status says. The latest assessment is the plan's own
    ``in_assessment`` column, or, given ``findings`` (the ids of the assessment a report shows), that one:
    a plan not yet updated from it (``actions plan`` not run again) must not call its closed findings open.
    ``assessed`` is that assessment's date: an action done or verified whose finding it still has is
    *ineffective* when its closure (closed date, else verified date) is dated on or before it, or is undated
    and among ``before`` (known closed before it: :func:`closed_before`); closed later, it waits for the
    next assessment."""
    status = plan["status"].map(lambda v: _text(v) or ActionStatus.OPEN.value)
    if findings is None:
        current = plan["in_assessment"].map(lambda v: _text(v) != "no")
    else:
        current = plan["id"].map(str).isin(set(findings))
    not_done = status.isin([ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value])
    is_open = not_done & current
    due = _dates(plan["due"])
    overdue = is_open & due.notna() & (due < pd.Timestamp(as_of))
    closed = status.isin(CLOSED_STATUSES)
    no_evidence = closed & plan["closure_evidence"].map(is_blank)
    closed_on = _dates(plan["closed_date"]).fillna(_dates(plan["verified_date"]))
    day = _dates(pd.Series([assessed], dtype=object)).iloc[0]
    dated_before = (closed_on <= day) if not pd.isna(day) else pd.Series(False, index=plan.index)
    ineffective = closed & current & (dated_before | (closed_on.isna() & plan["id"].map(str).isin(set(before))))
    items = plan[overdue].assign(days_overdue=(pd.Timestamp(as_of) - due[overdue]).dt.days)
    items = items.assign(_sev=items["severity"].map(SEVERITY_RANK)).sort_values(
        ["days_overdue", "_sev"], ascending=[False, True], kind="mergesort")
    done = int((status.eq(ActionStatus.DONE.value) & ~ineffective).sum())
    return Progress(
        office=office, as_of=as_of, total=len(plan), open=int(is_open.sum()),
        in_progress=int((is_open & (status == ActionStatus.IN_PROGRESS.value)).sum()),
        done=done, verified=int((status.eq(ActionStatus.VERIFIED.value) & ~ineffective).sum()),
        overdue=int(overdue.sum()), no_due=int((is_open & due.isna()).sum()),
        done_without_evidence=int(no_evidence.sum()), done_not_verified=done,
        resolved_by_reassessment=int((not_done & ~current).sum()),
        overdue_items=items[["id", "clause", "severity", "owner", "due", "days_overdue"]].reset_index(drop=True),
        ineffective=int(ineffective.sum()), ineffective_ids=[str(i) for i in plan["id"][ineffective]])


def oldest_overdue(progresses: list[Progress], limit: int = 10) -> pd.DataFrame:
    """The oldest overdue actions across offices (office, id, clause, severity, owner, due, days_overdue)."""
    frames = [p.overdue_items.assign(office=p.office) for p in progresses if len(p.overdue_items)]
    cols = ["office", "id", "clause", "severity", "owner", "due", "days_overdue"]
    if not frames:
        return pd.DataFrame(columns=cols)
    both = pd.concat(frames, ignore_index=True)
    return both.sort_values("days_overdue", ascending=False, kind="mergesort")[cols].head(limit).reset_index(drop=True)
