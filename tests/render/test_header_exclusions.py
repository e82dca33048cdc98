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


def test_every_excluded_clause_is_named_beside_the_offices_own_text():
    """The free text alone used to win: the header named only 8.3 while 7.1.5.2 was excluded too and its
    questions answered n/a (found by a new user's session). Every clause the scores exclude is named, with
    its reason, then the office's own text."""
    meta, frame = qmskit.read_responses(MOONBAY)
    meta = {**meta, "exclusions": "Design (8.3), see scope statement QM-1",
            "excluded_clauses": "8.3: no design; 7.1.5.2: no measuring equipment"}
    a = qmskit.score(meta["checklist"], frame, meta)
    assert _exclusions_row(str(report.header_html(a, "en")), "Exclusions and justification") == \
        "8.3: no design; 7.1.5.2: no measuring equipment; Design (8.3), see scope statement QM-1"


def test_the_offices_text_is_given_once_when_it_is_the_reason_of_a_clause():
    meta, frame = qmskit.read_responses(MOONBAY)
    meta = {**meta, "exclusions": "we design nothing", "excluded_clauses": "8.3"}
    a = qmskit.score(meta["checklist"], frame, meta)
    assert _exclusions_row(str(report.header_html(a, "en")), "Exclusions and justification") == \
        "8.3: we design nothing"


def test_no_exclusion_is_none():
    meta, frame = qmskit.read_responses(MOONBAY)
    meta = {k: v for k, v in meta.items() if k not in ("exclusions", "excluded_clauses")}
    a = qmskit.score(meta["checklist"], frame, meta)
    assert _exclusions_row(str(report.header_html(a, "en")), "Exclusions and justification") == "none"
