"""The gap register as a table for people to open (a batch's ``gaps.csv``): the findings the report's gap
register shows, in its order, with the same fields -- severity and its reason (as codes to filter on and
in words), basis, requirement, answer, evidence seen, notes, recommended action, owner, due -- and the
KPI findings (observations of 9.1, after the question gaps of their severity, without a rank: design.md).

Headers come from the message catalog (``findings_table.col.<field>``) in the table's language; codes
(``severity``, ``reason``, ``basis``, ``answer``, ``kind``) stay the stable values of the JSON contract,
so a spreadsheet filter or a script reads them in either language.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from qmskit.core.assessment import Assessment
from qmskit.core.model import FindingKind
from qmskit.core.values import text_or_empty as _text
from qmskit.i18n.catalog import check_lang, t

# the columns, in order: the field names are the catalog keys' last part (and the English headers)
FIELDS = ["office", "date", "rank", "kind", "id", "clause", "severity", "severity_text", "reason", "reason_text",
          "basis", "answer", "impact", "critical", "weight", "question", "evidence", "notes", "action", "owner", "due", "file"]


def headers(lang: str = "en") -> dict[str, str]:
    """Each field's column header in ``lang``."""
    lang = check_lang(lang)
    return {field: t(f"findings_table.col.{field}", lang) for field in FIELDS}


def _answer(value: Any) -> Any:
    """The canonical answer (a token, or a maturity level as an integer); empty for a KPI finding."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return value if isinstance(value, str) else int(value)


def findings_frame(a: Assessment, lang: str = "en", *, file: str | None = None) -> pd.DataFrame:
    """One row per finding of ``a`` in the gap register's order (question gaps in rank order, each KPI
    finding after the question gaps of its severity), columns :data:`FIELDS` (not yet localised)."""
    from qmskit.render.actions_report import owner_and_due, plan_owners_and_dues
    from qmskit.render.report import gap_register_frame  # the report's own findings, so both always agree

    lang = check_lang(lang)
    f = gap_register_frame(a, lang)
    by_id = a.gaps.set_index("id")[["basis", "critical", "weight", "owner", "due"]] if len(a.gaps) else None
    in_plan = plan_owners_and_dues(a)   # (an action plan attached: its owners and dates, as the report)
    rows = []
    for r in f.to_dict("records"):
        question = r["kind"] == FindingKind.QUESTION
        extra = by_id.loc[r["id"]] if question and by_id is not None else None
        owner, due = (owner_and_due(in_plan, r["id"], _text(extra["owner"]), _text(extra["due"]))
                      if extra is not None else ("", ""))
        rows.append({
            "office": a.office, "date": a.date or "", "rank": r["rank"] if question else "",
            "kind": r["kind"], "id": r["id"], "clause": r["clause"], "severity": r["severity"],
            "severity_text": t(f"sev_{r['severity']}", lang), "reason": r["reason"],
            "reason_text": t(f"reason_{r['reason']}", lang),
            "basis": extra["basis"] if extra is not None else "",
            "answer": _answer(r["answer"]), "impact": r["impact"] if question else float("nan"),
            "critical": bool(extra["critical"]) if extra is not None else False,
            "weight": float(extra["weight"]) if extra is not None else float("nan"),
            "question": r["requirement"], "evidence": r["evidence"] or "", "notes": r["notes"] or "",
            "action": r["action"], "owner": owner, "due": due,
            "file": file if file is not None else (a.source or ""),
        })
    return pd.DataFrame(rows, columns=FIELDS)


def findings_table(frames: list[pd.DataFrame], lang: str = "en") -> pd.DataFrame:
    """:func:`findings_frame` of many offices, one after the other, with the headers in ``lang``."""
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FIELDS)
    return table[FIELDS].rename(columns=headers(lang))
