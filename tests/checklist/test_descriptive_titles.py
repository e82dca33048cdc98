"""Sub-clauses the standard leaves untitled (4.4.1, 6.1.1, 9.2.1 …) carry our descriptive title, and the report
marks it as ours so no reader takes it for an ISO 9001 / GB/T 19001 title."""
from __future__ import annotations

import pandas as pd
import pytest

from qmskit import load_checklist, score
from qmskit.render.report import clause_table_html


@pytest.mark.parametrize("lang, note", [("en", "not an ISO 9001 or GB/T 19001 title"), ("zh", "描述性标题")])
def test_descriptive_titles_are_marked_in_the_clause_table(lang, note):
    cl = load_checklist("iso9001-2015")
    a = score(cl, pd.DataFrame({"id": cl.questions["id"], "answer": "yes", "evidence": "seen",
                                "notes": "", "owner": "", "due": ""}))
    html = clause_table_html(a, lang)
    descriptive = cl.clauses[cl.clauses["title_source"] == "descriptive"]
    assert len(descriptive) == 16
    title = descriptive.iloc[0][f"title_{lang}"]
    assert f"{title} †" in html
    assert html.count("†") == len(descriptive) + 1  # each marked title, and the note that explains the mark
    assert note in html
    standard = cl.clauses[cl.clauses["title_source"] == "standard"].iloc[1][f"title_{lang}"]
    assert f"{standard} †" not in html
