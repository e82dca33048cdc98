"""What the office report shows of the action tracking and of several assessors (hooks for qmskit.render.report).

``attach`` puts an action plan's status (``meta["_actions"]``) and who answered what
(``meta["_answered_by"]``) on an Assessment; the report's action plan, verdict and appendix call the
functions below, which return nothing (or the table unchanged) when neither is attached.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qmskit.core.actions import STATUS_LABELS, Progress, blank
from qmskit.core.assessment import Assessment

STRINGS = {
    "en": {"col_status": "Status", "overdue": "overdue", "progress": "Action plan ({as_of}): {total} actions — "
           "{open} open ({overdue} overdue); {done} done, {verified} of them verified effective; {no_evidence} done "
           "without closure evidence.", "col_answered_by": "Answered by", "not_in_plan": "not in the action plan",
           "no_evidence": "no closure evidence"},
    "zh": {"col_status": "状态", "overdue": "已逾期", "progress": "整改计划（截至 {as_of}）：共 {total} 项 —— 未完成 {open} 项"
           "（逾期 {overdue} 项）；已完成 {done} 项，其中已验证有效 {verified} 项；{no_evidence} 项已完成但无关闭证据。",
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
    from qmskit.io.merge import read_answered_by
    answered_by = read_answered_by(responses_path) if responses_path else {}
    if answered_by:
        a.meta["_answered_by"] = answered_by
    if actions_path not in (None, ""):
        from qmskit.core.actions import progress
        from qmskit.io.actions_xlsx import read_actions
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


# ----------------------------------------------------------------------------- batch and portfolio

def find_plans(actions_dir) -> dict[str, Path]:
    """Action plans in a folder, by office name (normalised); unreadable files are warned about, skipped."""
    import warnings

    from qmskit.errors import QmskitError
    from qmskit.io.actions_xlsx import read_actions
    folder = Path(actions_dir)
    if not folder.is_dir():
        raise QmskitError("not a folder of action plans (--actions DIR)", path=folder)
    plans: dict[str, Path] = {}
    for path in sorted(folder.glob("*.xlsx")):
        if path.name.startswith((".", "~$")):
            continue
        try:
            office = read_actions(path).office
        except QmskitError as exc:
            warnings.warn(f"action plan skipped: {exc}", UserWarning, stacklevel=2)
            continue
        if office:
            plans.setdefault(_norm(office), path)
    return plans


def _norm(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def plan_for(a: Assessment, plans: dict[str, Path]) -> Path | None:
    return plans.get(_norm(a.office))


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
    progresses = [attached(a).progress for a in assessments if attached(a) is not None]
    frame = oldest_overdue(progresses, limit)
    return [{"office": r.office, "id": r.id, "clause": r.clause, "severity": r.severity, "owner": r.owner,
             "due": r.due, "days_overdue": int(r.days_overdue)} for r in frame.itertuples(index=False)]


PORTFOLIO_STRINGS = {
    "en": {"col_actions": "Actions (open / overdue / verified)", "sec_overdue": "Oldest overdue actions",
           "none": "No action is overdue.", "office": "Office", "finding": "Finding", "severity": "Severity",
           "owner": "Owner", "due": "Due", "late": "Days overdue", "no_plans": "No action plans were given."},
    "zh": {"col_actions": "整改（未完成 / 逾期 / 已验证）", "sec_overdue": "逾期最久的整改项",
           "none": "没有逾期的整改项。", "office": "单位", "finding": "发现项", "severity": "严重程度",
           "owner": "负责人", "due": "期限", "late": "逾期天数", "no_plans": "未提供整改计划。"},
}

_OVERDUE_TEMPLATE = """\
<h2>{{ s.sec_overdue }}</h2>
{% if rows %}<table class="qk-table"><thead><tr><th>{{ s.office }}</th><th>{{ s.finding }}</th><th>{{ s.severity }}</th>
<th>{{ s.owner }}</th><th>{{ s.due }}</th><th>{{ s.late }}</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r.office }}</td><td>{{ r.clause }} · {{ r.id }}</td><td>{{ r.severity_label }}</td>
<td>{{ r.owner or '—' }}</td><td>{{ r.due }}</td><td class="qk-num">{{ r.days_overdue }}</td></tr>{% endfor %}
</tbody></table>{% else %}<p>{{ s.none }}</p>{% endif %}"""


def portfolio_strings(lang: str) -> dict:
    return {**PORTFOLIO_STRINGS["en"], **PORTFOLIO_STRINGS.get(lang, {})}


def actions_cell(actions: dict | None) -> str:
    if not actions:
        return "—"
    return f"{actions['open']} / {actions['overdue']} / {actions['verified']}"


def overdue_html(data: dict, lang: str = "en") -> str:
    """The portfolio's list of the oldest overdue actions across offices ('' when no plan was given)."""
    import jinja2

    from qmskit.i18n.catalog import t
    if not any(o.get("actions") for o in data.get("offices", [])):
        return ""
    rows = [{**r, "severity_label": t(f"sev_{r['severity']}", lang)} for r in data.get("oldest_overdue", [])]
    env = jinja2.Environment(autoescape=True)
    return env.from_string(_OVERDUE_TEMPLATE).render(s=portfolio_strings(lang), rows=rows)
