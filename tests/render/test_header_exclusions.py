"""The report header's "Exclusions and justification" row names the excluded clauses when the office
gave them only as ``excluded_clauses`` (the template's own row for them): it said "none" beside the
n/a list "Excluded (8.3): …" of the same report."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import qmskit
from qmskit.render import report

MOONBAY = Path(__file__).resolve().parents[2] / "examples" / "gov" / "moonbay-district-office-2026.xlsx"


def _exclusions_row(html: str, label: str) -> str:
    text = re.sub(r"<[^>]+>", "|", html)
    return re.sub(r"\|+", "|", text.split(label, 1)[1]).split("|")[1].strip()


@pytest.mark.parametrize(("lang", "label", "colon"), [("en", "Exclusions and justification", ": "),
                                                      ("zh", "不适用的要求及理由", "：")])
def test_header_names_excluded_clauses_when_exclusions_text_is_blank(lang, label, colon):
    meta, frame = qmskit.read_responses(MOONBAY)
    meta = {**meta, "exclusions": "", "excluded_clauses": "8.3: we do not design services"}
    a = qmskit.score(meta["checklist"], frame, meta)
    assert _exclusions_row(str(report.header_html(a, lang)), label) == f"8.3{colon}we do not design services"


def test_the_offices_own_exclusions_text_wins():
    meta, frame = qmskit.read_responses(MOONBAY)
    meta = {**meta, "exclusions": "Design (8.3), see scope statement QM-1", "excluded_clauses": "8.3: x"}
    a = qmskit.score(meta["checklist"], frame, meta)
    assert _exclusions_row(str(report.header_html(a, "en")), "Exclusions and justification") == \
        "Design (8.3), see scope statement QM-1"


def test_no_exclusion_is_none():
    meta, frame = qmskit.read_responses(MOONBAY)
    meta = {k: v for k, v in meta.items() if k not in ("exclusions", "excluded_clauses")}
    a = qmskit.score(meta["checklist"], frame, meta)
    assert _exclusions_row(str(report.header_html(a, "en")), "Exclusions and justification") == "none"
