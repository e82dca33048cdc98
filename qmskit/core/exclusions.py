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

import numpy as np
import pandas as pd

from qmskit.core.arrays import checklist_arrays
from qmskit.core.scales import NA
from qmskit.errors import msg

# a clause number inside free text ("8.3 Design … not applicable"), not part of a longer number or a date
# a clause number in free text has a dot (8.3, 7.1.5.2): a whole top-level clause (4 to 10) is never excluded,
# and a bare number in "2 sites, 40 staff since 2004" is a count or a year, not a clause
_CLAUSE_IN_TEXT = re.compile(r"(?<![\d.])\d+(?:\.\d+)+(?![\d])")
_CLAUSE = re.compile(r"^\s*(\d+(?:\.\d+)*)\s*[:：\-—–]?\s*(.*)$", re.S)


@dataclass(frozen=True)
class Exclusion:
    clause: str
    justification: str  # the office's words; a report shows them with the clause (qmskit.render.report)


def parse_excluded_clauses(value, default_justification: str = "") -> list[Exclusion]:
    """The metadata value as Exclusions; raises ValueError (with the offending item) when unreadable: its
    argument is a catalog Message (``exc.args[0]``), which the reader puts into its error line."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    items: list[tuple[str, str]] = []
    if isinstance(value, dict):
        items = [(str(k), "" if v is None else str(v)) for k, v in value.items()]
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, dict):
                if "clause" not in item:
                    raise ValueError(msg("exclusions.no_clause", item=item))
                items.append((str(item["clause"]), str(item.get("justification") or "")))
            else:
                items.extend(_split_text(str(item)))
    else:
        items = _split_text(str(value))
    out, seen = [], set()
    for number, why in items:
        match = _CLAUSE.match(number)
        if not match:
            raise ValueError(msg("exclusions.not_a_number", text=number.strip()))
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
    """Problems that make an exclusion invalid (unknown clause; a question there may not be n/a), each a
    catalog Message."""
    problems: list[str] = []
    known = set(cl.clauses["clause"])
    arrays = checklist_arrays(cl)
    for ex in exclusions:
        if ex.clause not in known:
            problems.append(msg("exclusions.unknown_clause", clause=ex.clause, checklist=cl.id))
            continue
        refused = arrays.id_values[arrays.beneath(ex.clause) & ~arrays.na_allowed].tolist()
        if refused:
            problems.append(msg("exclusions.not_excludable", clause=ex.clause,
                                ids=", ".join(refused[:5]) + (" …" if len(refused) > 5 else "")))
    return problems


def canonical_excluded_clauses(cl, value) -> str:
    """Check an ``excluded_clauses`` value against the checklist and return it as one canonical line
    ("8.3: why; 7.1.5.2"); raises ValueError whose arguments are the problems as catalog Messages, the
    first in ``args[0]`` (an unreadable item, alone; else every unknown clause and every clause holding a
    question that may not be n/a, so validate-responses lists them all). One rule for every way in: a
    responses file's metadata, the interactive form."""
    exclusions = parse_excluded_clauses(value)
    problems = check_exclusions(cl, exclusions)
    if problems:
        raise ValueError(*problems)
    return "; ".join(f"{e.clause}: {e.justification}" if e.justification else e.clause for e in exclusions)


def exclude_answers(cl, answer: np.ndarray, notes: np.ndarray, exclusions: list[Exclusion],
                    excluded_by: np.ndarray | None = None) -> list[str]:
    """Apply ``exclusions`` in place to one office's answers and notes in checklist order (object arrays,
    one entry per question; None = blank answer). Returns the warnings.

    Exclusions apply in turn, as listed: a blank answer inside one becomes n/a, and an n/a without a note
    gets the exclusion's justification as its note and, in ``excluded_by`` (when given), the excluded
    clause (so with nested exclusions the first listed gives both); a given answer is kept and warned
    about, once per exclusion that covers it. Data only: the report words the note."""
    if not exclusions:
        return []
    arrays = checklist_arrays(cl)
    warnings: list[str] = []
    for ex in exclusions:
        inside = arrays.beneath(ex.clause)
        blank = inside & pd.isna(answer)
        is_na = inside & ~blank & (answer == NA)
        given = inside & ~blank & ~is_na
        warnings += [msg("exclusions.answered_inside", id=qid, clause=ex.clause, answer=_answer_word(a))
                     for qid, a in zip(arrays.id_values[given], answer[given])]
        answer[blank] = NA
        unnoted = (blank | is_na) & ~_has_text(notes)
        if excluded_by is not None:
            unnoted &= pd.isna(excluded_by)  # an earlier (outer) exclusion already gave the note
            excluded_by[unnoted] = ex.clause
        notes[unnoted] = ex.justification
    return warnings


def _answer_word(answer: object) -> object:
    """A canonical answer as the catalog's word for it (yes/partial/no, 是/部分/否); a maturity level as it is."""
    return msg(f"exclusions.answer_{answer}") if answer in ("yes", "partial", "no") else str(answer)


def _has_text(values: np.ndarray) -> np.ndarray:
    """Per value: holds something other than blanks (None, NaN and "" are blank)."""
    text = pd.Series(values, dtype=object)
    return (text.notna() & (text.astype(str).str.strip() != "")).to_numpy(dtype=bool)


def apply_exclusions(frame: pd.DataFrame, cl, exclusions: list[Exclusion]) -> tuple[pd.DataFrame, list[str]]:
    """Answer n/a (with the exclusion as note) for unanswered questions of excluded clauses.

    ``frame``: canonical responses (id, answer, evidence, notes, ...). Returns (new frame, warnings): the
    frame's rows changed where an exclusion applies, plus one row per excluded question it did not hold.
    """
    if not exclusions:
        return frame, []
    arrays = checklist_arrays(cl)
    n = arrays.n_questions
    pos = arrays.ids.get_indexer(pd.Index(frame["id"], dtype=object)) if len(frame) else np.zeros(0, dtype=np.int64)
    known = pos >= 0
    first = known & ~pd.Series(pos).duplicated().to_numpy()  # the row that stands for its question
    answer, notes = np.full(n, None, dtype=object), np.full(n, None, dtype=object)
    answer[pos[first]] = frame["answer"].to_numpy(dtype=object)[first]
    notes[pos[first]] = frame["notes"].to_numpy(dtype=object)[first] if "notes" in frame else None
    held = np.zeros(n, dtype=bool)
    held[pos[first]] = True
    before_answer, before_notes = answer.copy(), notes.copy()
    warnings = exclude_answers(cl, answer, notes, exclusions)
    changed = (answer != before_answer) | (notes != before_notes)
    frame = frame.copy()
    rows = np.flatnonzero(first)
    rows = rows[changed[pos[rows]]]
    frame.loc[frame.index[rows], "answer"] = answer[pos[rows]]
    if "notes" in frame:
        frame.loc[frame.index[rows], "notes"] = notes[pos[rows]]
    added = np.flatnonzero(~held & changed)
    if len(added):
        extra = pd.DataFrame({"id": arrays.id_values[added], "answer": answer[added], "evidence": "",
                              "notes": notes[added], "owner": "", "due": ""})
        if "row" in frame:
            extra["row"] = 0
        frame = pd.concat([frame, extra[[c for c in frame.columns if c in extra]]], ignore_index=True)
    return frame, warnings


def named_but_not_excluded(cl, text: str, exclusions: list[Exclusion], answer: np.ndarray) -> list[str]:
    """Warnings for the clauses the office's free-text ``exclusions`` names but ``excluded_clauses`` does not
    list: that text excludes nothing (only ``excluded_clauses`` makes answers n/a), so an office that wrote
    "8.3 … not applicable" there and left 8.3 blank has 8.3 counted unanswered. ``answer``: the answers in
    checklist order after :func:`exclude_answers`. A named clause whose questions are all answered other
    than n/a is a citation (e.g. "as 4.3 allows"), not an intended exclusion, and is not warned about."""
    if not text or not str(text).strip():
        return []
    arrays = checklist_arrays(cl)
    known = set(map(str, cl.clauses["clause"]))
    excluded = [e.clause for e in exclusions]
    warnings: list[str] = []
    for clause in dict.fromkeys(_CLAUSE_IN_TEXT.findall(str(text))):
        if clause not in known or any(clause == e or clause.startswith(e + ".") for e in excluded):
            continue
        inside = arrays.beneath(clause)
        if (inside & (pd.isna(answer) | (answer == NA))).any():
            warnings.append(msg("exclusions.named_not_excluded", clause=clause))
    return warnings
