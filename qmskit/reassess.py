"""Re-assessment: start a new assessment of an office from its previous one.

The evidence seen last time is carried over and marked "to re-verify" (the assessor checks it again
and removes the mark); answers start blank, or are kept with ``keep_answers``; owners, due dates and
notes are kept; KPI values become the new file's "previous" values. The new file's metadata records the
previous assessment's date, file name and SHA-256 so the history can be traced.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .checklist import Checklist, load_checklist
from .iorw import file_sha256  # one definition, with the other file helpers

REVERIFY_MARK = {"en": "[to re-verify] ", "zh": "[待复核] "}
CARRIED_META = ["office", "scope", "sites", "exclusions", "language", "confidentiality", "assessor"]


def is_marked(evidence: str) -> bool:
    return any(str(evidence).startswith(mark) for mark in REVERIFY_MARK.values())


def mark_for_reverification(evidence: str, lang: str = "en") -> str:
    text = "" if evidence is None else str(evidence)
    if not text.strip() or is_marked(text):
        return text
    return REVERIFY_MARK.get(lang, REVERIFY_MARK["en"]) + text


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


def prefill_from(previous_path: str | Path, checklist=None, *, keep_answers: bool = False,
                 assessor: str | None = None, lang: str | None = None) -> Prefill:
    """Read the previous assessment and build the new one's metadata and responses."""
    from .responses import read_responses

    previous_path = Path(previous_path)
    pmeta, pframe = read_responses(previous_path, checklist)
    cl = load_checklist(checklist or pmeta.get("checklist") or "iso9001-2015")
    lang = lang or (str(pmeta["language"]) if pmeta.get("language") in ("en", "zh") else "en")
    frame, dropped = prefill_frame(pframe, cl, keep_answers=keep_answers, lang=lang)
    meta = {k: pmeta[k] for k in CARRIED_META if pmeta.get(k) not in (None, "")}
    meta.update({"language": lang, "status": "draft"})
    if assessor:
        meta["assessor"] = assessor
    date: Any = pmeta.get("date")  # a date, a datetime or text, as the file had it
    meta["previous_date"] = date.isoformat() if hasattr(date, "isoformat") else str(date or "")
    meta["previous_file"] = previous_path.name
    meta["previous_sha256"] = file_sha256(previous_path)
    if pmeta.get("kpis"):  # last time's measurements are this time's "previous" values
        meta["kpis"] = [{"id": k["id"], "value": None, "previous": k.get("value")} for k in pmeta["kpis"]]
    carried = int((frame["evidence"].map(lambda v: str(v).strip() != "")).sum())
    kept = int((frame["answer"].map(lambda v: str(v).strip() != "")).sum())
    return Prefill(meta=meta, responses=frame, checklist=cl, carried_evidence=carried, kept_answers=kept,
                   dropped=dropped)
