"""Exclusions by clause (ISO 9001 4.3): an office's ``excluded_clauses`` metadata answers n/a for every
question in those clauses (and their sub-clauses), justified by the exclusion.

Where it comes from: the workbook's Office sheet (key ``excluded_clauses``), a CSV header line
``# excluded_clauses: 8.3: no design of services; 7.1.5.2``, or YAML (a list of clause numbers, a list of
``{clause, justification}`` or a mapping ``{clause: justification}``). Each item is a clause number,
optionally followed by ``:`` (or a space) and the justification; the office's free-text ``exclusions``
is the justification when an item gives none.

Rules (design.md, "Scales"): a blank answer inside an excluded clause becomes n/a with the exclusion as
its note; an answer the office did give is kept (nothing typed is lost) and warned about, naming the
question and the exclusion; a clause that holds a question which may not be n/a cannot be excluded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from qmskit.core.scales import NA

_CLAUSE = re.compile(r"^\s*(\d+(?:\.\d+)*)\s*[:：\-—–]?\s*(.*)$", re.S)


@dataclass(frozen=True)
class Exclusion:
    clause: str
    justification: str

    @property
    def note(self) -> str:
        """The note an excluded question carries (a justification, so no "n/a without notes" warning)."""
        return f"excluded_clauses {self.clause}: {self.justification}" if self.justification \
            else f"excluded_clauses {self.clause}"


def parse_excluded_clauses(value, default_justification: str = "") -> list[Exclusion]:
    """The metadata value as Exclusions; raises ValueError (with the offending item) when unreadable."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    items: list[tuple[str, str]] = []
    if isinstance(value, dict):
        items = [(str(k), "" if v is None else str(v)) for k, v in value.items()]
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, dict):
                if "clause" not in item:
                    raise ValueError(f"{item!r} has no 'clause'")
                items.append((str(item["clause"]), str(item.get("justification") or "")))
            else:
                items.extend(_split_text(str(item)))
    else:
        items = _split_text(str(value))
    out, seen = [], set()
    for number, why in items:
        match = _CLAUSE.match(number)
        if not match:
            raise ValueError(f"'{number.strip()}' is not a clause number (e.g. 8.3)")
        clause = match.group(1)
        why = (why or match.group(2)).strip() or default_justification.strip()
        if clause not in seen:
            seen.add(clause)
            out.append(Exclusion(clause, why))
    return out


def _split_text(text: str) -> list[tuple[str, str]]:
    # items are separated by ";", "；", "," or a new line before the next clause number, so a
    # justification may itself hold commas and semicolons
    parts = [p for p in re.split(r"(?:[;\n；,，])(?=\s*\d+(?:\.\d+)*(?:\s|:|：|,|;|；|$))", text) if p.strip()]
    return [(p, "") for p in parts]


def excluded_mask(questions: pd.DataFrame, clause: str) -> pd.Series:
    """Questions in ``clause`` or beneath it."""
    return (questions["clause"] == clause) | questions["clause"].str.startswith(clause + ".")


def check_exclusions(cl, exclusions: list[Exclusion]) -> list[str]:
    """Problems that make an exclusion invalid (unknown clause; a question there may not be n/a)."""
    problems = []
    known = set(cl.clauses["clause"])
    for ex in exclusions:
        if ex.clause not in known:
            problems.append(f"excluded clause '{ex.clause}' is not a clause of checklist {cl.id}")
            continue
        inside = cl.questions[excluded_mask(cl.questions, ex.clause)]
        refused = inside.loc[~inside["na_allowed"].astype(bool), "id"].tolist()
        if refused:
            problems.append(f"clause {ex.clause} cannot be excluded: question(s) {', '.join(refused[:5])}"
                            f"{' …' if len(refused) > 5 else ''} may not be n/a (ISO 9001 4.3 allows exclusions "
                            "only where a requirement cannot be applied)")
    return problems


def apply_exclusions(frame: pd.DataFrame, cl, exclusions: list[Exclusion]) -> tuple[pd.DataFrame, list[str]]:
    """Answer n/a (with the exclusion as note) for unanswered questions of excluded clauses.

    ``frame``: canonical responses (id, answer, evidence, notes, ...). Returns (new frame, warnings).
    """
    if not exclusions:
        return frame, []
    frame = frame.copy()
    warnings: list[str] = []
    by_id = frame.set_index("id") if len(frame) else None
    new_rows = []
    for ex in exclusions:
        ids = cl.questions.loc[excluded_mask(cl.questions, ex.clause), "id"]
        for qid in ids:
            if by_id is not None and qid in by_id.index:
                answer = by_id.at[qid, "answer"]
                i = frame.index[frame["id"] == qid][0]
                if answer is None or (isinstance(answer, float) and pd.isna(answer)):
                    frame.at[i, "answer"] = NA
                    if not str(frame.at[i, "notes"] or "").strip():
                        frame.at[i, "notes"] = ex.note
                elif answer != NA:
                    warnings.append(f"question '{qid}' is answered '{str(answer)}' although clause {ex.clause} is "
                                    "excluded (excluded_clauses); the answer is kept and scored")
                elif not str(frame.at[i, "notes"] or "").strip():
                    frame.at[i, "notes"] = ex.note
            else:
                new_rows.append({"id": qid, "answer": NA, "evidence": "", "notes": ex.note, "owner": "", "due": ""})
    if new_rows:
        extra = pd.DataFrame(new_rows)
        if "row" in frame:
            extra["row"] = 0
        frame = pd.concat([frame, extra[[c for c in frame.columns if c in extra]]], ignore_index=True)
    return frame, warnings
