"""Synthetic answers for example offices and benchmarks (never for real assessments).

:func:`draw_office` answers a checklist the way a real office's assessment reads: by *process*. A clause
listed as absent answers "no" throughout (no office holds management-review minutes for reviews it never
held); a clause in a partial state answers "partial" on its key questions and a yes/partial mix
elsewhere; everywhere else the process is in place, so critical and prerequisite questions are "yes" and
only ordinary questions are sometimes partly met, not met or unanswered. Evidence reads like a note of
what the assessor saw (a reference, a revision, a date, a sample), not the checklist's hint.
:func:`draw_answer` is the older independent draw (kept for the benchmarks).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd


def draw_answer(critical: bool, u: float, p_yes: float, p_partial: float, p_blank: float,
                p_crit_yes: float) -> str:
    """Map one uniform draw ``u`` in [0, 1) to a compliance answer.

    Critical questions are always answered (yes with ``p_crit_yes``, the rest split partial/no);
    others are blank with ``p_blank`` and otherwise yes/partial/no by ``p_yes``/``p_partial``.
    Taking the draw as an argument keeps the caller's random stream (and so its files) unchanged.
    """
    if critical:
        return "yes" if u < p_crit_yes else ("partial" if u < p_crit_yes + (1 - p_crit_yes) / 2 else "no")
    if u < p_blank:
        return ""
    if u < p_blank + p_yes * (1 - p_blank):
        return "yes"
    if u < p_blank + (p_yes + p_partial) * (1 - p_blank):
        return "partial"
    return "no"


@dataclass(frozen=True)
class OfficeProfile:
    """How far an example office has got, process by process (clause numbers at any level)."""
    seed: int
    absent: tuple[str, ...] = ()     # processes not in place: every question "no"
    partial: tuple[str, ...] = ()    # processes started but not yet run consistently
    partial_rate: float = 0.03       # elsewhere: share of ordinary questions partly met
    no_rate: float = 0.0             # elsewhere: share of ordinary questions not met
    blank_rate: float = 0.0          # elsewhere: share of ordinary questions not yet answered
    unsupported: int = 0             # ordinary "yes" answers whose evidence was not written down
    unsupported_key: int = 0         # critical / prerequisite "yes" answers without evidence
    excluded: tuple[str, ...] = ()   # clauses excluded by the office (left blank; excluded_clauses)


def _under(clause: str, prefixes: tuple[str, ...]) -> bool:
    return any(clause == p or clause.startswith(p + ".") for p in prefixes)


PLACES = {"en": ["OA system", "QMS folder", "director's office", "archive room", "division files"],
          "zh": ["OA 系统", "质量管理文件夹", "主任办公室", "档案室", "科室台账"]}
SEEN_YES = {
    "en": ["{Hint}: {ref} rev {rev} ({date}), sighted in the {place}",
           "Sampled {n} entries ({ref}, {date}): {hint}, all complete",
           "{Hint} seen in the {place}, {ref}, last updated {date}"],
    "zh": ["{hint}：{ref} 第 {rev} 版（{date}），在{place}查阅",
           "抽查 {n} 条记录（{ref}，{date}）：{hint}，均完整",
           "{hint}已在{place}查阅，编号 {ref}，最近更新 {date}"],
}
SEEN_PARTIAL = {
    "en": ["{Hint}: {ref} ({date}) exists, but {k} of {n} sampled cases did not follow it",
           "{Hint} drafted ({ref} rev {rev}), not yet approved",
           "{Hint} in use in {k} of {n} divisions only ({ref})"],
    "zh": ["{hint}：{ref}（{date}）已建立，但抽查 {n} 例中有 {k} 例未执行",
           "{hint}已起草（{ref} 第 {rev} 版），尚未批准",
           "{hint}仅在 {n} 个科室中的 {k} 个使用（{ref}）"],
}
NOTES_PARTIAL = {"en": ["Corrective action agreed with the QMS lead.", "To be closed before the next management review.",
                        "Applied at the head office only so far."],
                 "zh": ["已与质量负责人商定纠正措施。", "计划在下次管理评审前关闭。", "目前仅在机关本部执行。"]}
NOTES_NO = {"en": ["Not in place yet; owner named.", "No records could be produced."],
            "zh": ["尚未建立，已指定负责人。", "未能提供相关记录。"]}


def seen_evidence(hint: str, clause: str, answer: str, lang: str, date: dt.date, rng: np.random.Generator) -> str:
    """A line an assessor would write about the evidence seen for a yes / partial answer."""
    hint = (hint or "").strip().rstrip(".")
    lowered = hint[:1].lower() + hint[1:] if hint[1:2].islower() else hint
    templates = SEEN_YES[lang] if answer == "yes" else SEEN_PARTIAL[lang]
    n = int(rng.integers(5, 13))
    fields = {"Hint": hint, "hint": lowered if lang == "en" else hint,
              "ref": f"QMS-{clause}-{int(rng.integers(1, 20)):02d}", "rev": int(rng.integers(1, 5)),
              "date": (date - dt.timedelta(days=int(rng.integers(20, 300)))).isoformat(),
              "place": PLACES[lang][int(rng.integers(len(PLACES[lang])))], "n": n, "k": int(rng.integers(1, 4))}
    return templates[int(rng.integers(len(templates)))].format(**fields)


def draw_office(cl, profile: OfficeProfile, *, lang: str = "en", date: dt.date, owners: list[str],
                keep: pd.DataFrame | None = None) -> pd.DataFrame:
    """One office's answers (id, answer, evidence, notes, owner, due) for every question of ``cl``.

    ``keep``: an earlier assessment of the same office; its "yes" answers stay "yes" (with fresh
    evidence) unless the process is listed as absent or partial now, so a follow-up reads as progress.
    """
    rng = np.random.default_rng(profile.seed)
    previous = {} if keep is None else dict(zip(keep["id"], keep["answer"]))
    rows = []
    for q in cl.questions.itertuples(index=False):
        key = bool(q.critical) or bool(q.prerequisite)
        u = rng.random()
        if _under(q.clause, profile.excluded):
            answer = ""
        elif _under(q.clause, profile.absent):
            answer = "no"
        elif _under(q.clause, profile.partial):
            answer = "partial" if key or u < 0.5 else "yes"
        elif previous.get(q.id) == "yes" or key:
            answer = "yes"
        elif u < profile.blank_rate:
            answer = ""
        elif u < profile.blank_rate + profile.partial_rate:
            answer = "partial"
        elif u < profile.blank_rate + profile.partial_rate + profile.no_rate:
            answer = "no"
        else:
            answer = "yes"
        hint = getattr(q, f"evidence_{lang}", "") or q.evidence_en
        evidence = seen_evidence(hint, q.clause, answer, lang, date, rng) if answer in ("yes", "partial") else ""
        notes = ""
        if answer == "partial":
            notes = NOTES_PARTIAL[lang][int(rng.integers(len(NOTES_PARTIAL[lang])))]
        elif answer == "no":
            notes = NOTES_NO[lang][int(rng.integers(len(NOTES_NO[lang])))]
        gap = answer in ("partial", "no")
        rows.append({"id": q.id, "answer": answer, "evidence": evidence, "notes": notes,
                     "owner": owners[int(rng.integers(len(owners)))] if gap else "",
                     "due": (date + dt.timedelta(days=int(rng.integers(30, 180)))).isoformat() if gap else "",
                     "_key": key})
    frame = pd.DataFrame(rows)
    # a few "yes" answers whose evidence was not written down (ordinary first, then key ones)
    for wanted, is_key in ((profile.unsupported, False), (profile.unsupported_key, True)):
        pool = frame.index[(frame["answer"] == "yes") & (frame["_key"] == is_key)]
        if wanted and len(pool):
            frame.loc[rng.choice(pool, size=min(wanted, len(pool)), replace=False), "evidence"] = ""
    return frame.drop(columns="_key")
