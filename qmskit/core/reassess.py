"""Re-assessment: start a new assessment of an office from its previous one.

The evidence seen last time is carried over and marked "to re-verify" (the assessor checks it again
and removes the mark); answers start blank, or are kept with ``keep_answers``; owners, due dates and
notes are kept; KPI values become the new file's "previous" values. The new file's metadata records the
previous assessment's date, file name and SHA-256 so the history can be traced.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from qmskit.checklist.loader import Checklist

CARRIED_META = ["office", "scope", "sites", "exclusions", "excluded_clauses", "language", "confidentiality", "assessor"]


def is_marked(evidence: str, marks: Iterable[str]) -> bool:
    """Whether ``evidence`` starts with one of ``marks`` (the re-verify mark in each language)."""
    return any(str(evidence).startswith(mark) for mark in marks)


def mark_for_reverification(evidence: str, mark: str, known_marks: Iterable[str] = ()) -> str:
    """``evidence`` prefixed with ``mark``; blank evidence, or evidence already carrying ``mark`` or one
    of ``known_marks`` (the mark in the other languages), is left as it is."""
    text = "" if evidence is None else str(evidence)
    if not text.strip() or is_marked(text, (mark, *known_marks)):
        return text
    return mark + text


@dataclass
class Prefill:
    meta: dict
    responses: pd.DataFrame
    checklist: Checklist
    carried_evidence: int = 0
    kept_answers: int = 0
    dropped: list[str] = field(default_factory=list)   # previous ids the new checklist no longer has


def prefill_frame(previous: pd.DataFrame, cl: Checklist, *, mark: str, known_marks: Iterable[str] = (),
                  keep_answers: bool = False) -> tuple[pd.DataFrame, list[str]]:
    """Every question of ``cl``, with what the previous responses frame said about it (pure). Carried
    evidence is prefixed with ``mark`` (the words are the caller's: :func:`qmskit.i18n.catalog.reverify_mark`)."""
    prev = previous.set_index("id") if len(previous) else pd.DataFrame(columns=["answer"]).rename_axis("id")
    rows = []
    for qid in cl.questions["id"]:
        if qid in prev.index:
            r = prev.loc[qid]
            rows.append({"id": qid, "answer": r.get("answer") if keep_answers else "",
                         "evidence": mark_for_reverification(r.get("evidence", ""), mark, known_marks),
                         "notes": r.get("notes", ""), "owner": r.get("owner", ""), "due": r.get("due", "")})
        else:
            rows.append({"id": qid})
    frame = pd.DataFrame(rows, columns=["id", "answer", "evidence", "notes", "owner", "due"]).astype(object)
    frame = frame.where(frame.notna(), "")
    dropped = [qid for qid in prev.index if qid not in set(cl.questions["id"])]
    return frame, dropped


