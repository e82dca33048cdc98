"""One office assessed more than once is one office: :func:`latest_of_each` says which of its assessments a
portfolio counts (its latest by date; names compared as everywhere, case and runs of spaces aside)."""
from __future__ import annotations

import pandas as pd

from qmskit.core.assessment import latest_of_each
from qmskit.core.scoring import score

CL = "iso9001-2015"


def assessed(office: str, date: str | None, source: str):
    meta = {"office": office, **({"date": date} if date else {})}
    return score(CL, pd.DataFrame({"id": ["4.1-a"], "answer": ["yes"], "evidence": ["seen"]}), meta, source=source)


def test_each_office_counts_by_its_latest_assessment_whatever_the_order_given():
    given = [assessed("Lakeside District Office", "2026-11-12", "lakeside-2026.xlsx"),
             assessed("Hill Office", "2025-01-01", "hill.xlsx"),
             assessed("lakeside  district office ", "2025-11-10", "lakeside.xlsx"),   # the same office
             assessed("Lakeside District Office", "2024-10-01", "lakeside-2024.xlsx")]
    assert latest_of_each(given) == [True, True, False, False]
    assert latest_of_each(given[::-1]) == [False, False, True, True]


def test_an_undated_assessment_is_never_taken_for_the_newest():
    undated, dated = assessed("Lakeside", None, "a.xlsx"), assessed("Lakeside", "2025-01-01", "b.xlsx")
    assert latest_of_each([dated, undated]) == [True, False]
    assert latest_of_each([undated, dated]) == [False, True]
    # of assessments that no date orders, the last given (the order `qmskit history` puts them in)
    assert latest_of_each([undated, assessed("Lakeside", None, "c.xlsx")]) == [False, True]


def test_offices_assessed_once_are_all_counted():
    assert latest_of_each([assessed("A", "2025-01-01", "a.xlsx"), assessed("B", None, "b.xlsx")]) == [True, True]
    assert latest_of_each([]) == []
