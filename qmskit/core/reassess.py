"""Re-assessment: start a new assessment of an office from its previous one.

The evidence seen last time is carried over and marked "to re-verify" (the assessor checks it again
and removes the mark); answers start blank, or are kept with ``keep_answers``; owners, due dates and
notes are kept; KPI values become the new file's "previous" values. The new file's metadata records the
previous assessment's date, file name and SHA-256 so the history can be traced.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from qmskit.checklist.loader import Checklist
from qmskit.i18n.catalog import LANGS, t

CARRIED_META = ["office", "scope", "sites", "exclusions", "excluded_clauses", "language", "confidentiality", "assessor"]


def reverify_mark(lang: str = "en") -> str:
    """The prefix that marks carried-over evidence as still to be re-verified (the catalog's, in ``lang``)."""
    return t("reassess.reverify_mark", lang)


def is_marked(evidence: str) -> bool:
    """Whether ``evidence`` carries the re-verify mark, in either language."""
    return any(str(evidence).startswith(reverify_mark(lang)) for lang in LANGS)


def mark_for_reverification(evidence: str, lang: str = "en") -> str:
    text = "" if evidence is None else str(evidence)
    if not text.strip() or is_marked(text):
        return text
    return reverify_mark(lang) + text


@dataclass
class Prefill:
    meta: dict
    responses: pd.DataFrame
    checklist: Checklist
    carried_evidence: int = 0
    kept_answers: int = 0
    dropped: list[str] = field(default_factory=list)   # previous ids the new checklist no longer has


def prefill_frame(previous: pd.DataFrame, cl: Checklist, *, keep_answers: bool = False,
                  lang: str = "en") -> tuple[pd.DataFrame, list[str]]:
    """Every question of ``cl``, with what the previous responses frame said about it (pure)."""
    prev = previous.set_index("id") if len(previous) else pd.DataFrame(columns=["answer"]).rename_axis("id")
    rows = []
    for qid in cl.questions["id"]:
        if qid in prev.index:
            r = prev.loc[qid]
            rows.append({"id": qid, "answer": r.get("answer") if keep_answers else "",
                         "evidence": mark_for_reverification(r.get("evidence", ""), lang),
                         "notes": r.get("notes", ""), "owner": r.get("owner", ""), "due": r.get("due", "")})
        else:
            rows.append({"id": qid})
    frame = pd.DataFrame(rows, columns=["id", "answer", "evidence", "notes", "owner", "due"]).astype(object)
    frame = frame.where(frame.notna(), "")
    dropped = [qid for qid in prev.index if qid not in set(cl.questions["id"])]
    return frame, dropped


