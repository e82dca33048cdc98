"""Lead auditor's finding: the Office sheet's free-text "Exclusions and justification" (``exclusions``)
excludes nothing; only ``excluded_clauses`` does. An office wrote "8.3 … not applicable" there and left
8.3 blank: its questions counted unanswered, with no word why. A clause the text names that
``excluded_clauses`` does not list, and that the office left blank or n/a, is now warned about (en, zh),
pointing at the "Excluded clauses, scored n/a" row."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from forkcli import run_qmskit

import qmskit
from qmskit.i18n.catalog import say
from qmskit.io.responses import validate_responses, write_responses

DATA = Path(__file__).parents[1] / "data"
CL = qmskit.load_checklist(DATA / "verdict.yaml")  # clause 2.3 holds x2, x3 (n/a allowed); 1.1 holds p1, c1


def scored(meta: dict, blank=("x2", "x3")) -> qmskit.Assessment:
    rows = [{"id": q, "answer": "yes", "evidence": f"{q} register"} for q in CL.questions["id"] if q not in blank]
    return qmskit.score(CL, validate_responses(pd.DataFrame(rows), CL), {"office": "T", **meta})


def named(a: qmskit.Assessment) -> list:
    return [w for w in a.warnings if getattr(w, "key", None) == "exclusions.named_not_excluded"]


def test_a_clause_named_only_in_the_free_text_is_warned_about():
    a = scored({"exclusions": "2.3 Design and development: not applicable, we do not design (ISO 9001:2015 4.3)"})
    assert a.unanswered == ["x2", "x3"]
    [w] = named(a)
    assert w.fields == {"clause": "2.3"}
    assert "Excluded clauses, scored n/a" in str(w) and "2.3" in str(w)
    assert "不适用的条款，按不适用计分" in say(w, "zh") and "2.3" in say(w, "zh")


def test_no_warning_when_excluded_clauses_lists_it_or_the_text_only_cites_an_answered_clause():
    listed = scored({"exclusions": "2.3 not applicable: we do not design", "excluded_clauses": "2.3"})
    assert named(listed) == [] and listed.unanswered == []
    sub = scored({"exclusions": "2.3 not applicable", "excluded_clauses": "2"}, blank=())
    assert named(sub) == []
    cited = scored({"exclusions": "none; scope set as clause 1.1 requires"}, blank=())
    assert named(cited) == []  # 1.1 is answered: a citation, not an intended exclusion
    assert named(scored({})) == []


def test_validate_responses_says_it(tmp_path):
    rows = [{"id": q, "answer": "yes", "evidence": f"{q} register"} for q in CL.questions["id"] if q not in ("x2", "x3")]
    path = tmp_path / "office.xlsx"
    write_responses(path, {"office": "Ferry Office", "exclusions": "2.3 … not applicable"}, pd.DataFrame(rows), CL)
    out = run_qmskit("validate-responses", "--checklist", DATA / "verdict.yaml", path)
    assert "names clause 2.3" in out.stdout and "“Excluded clauses, scored n/a” row" in out.stdout, out.stdout
    zh = run_qmskit("validate-responses", "--lang", "zh", "--checklist", DATA / "verdict.yaml", path)
    assert "提到了条款 2.3" in zh.stdout, zh.stdout


def test_a_count_or_a_year_in_the_free_text_is_not_taken_for_a_top_level_clause():
    # "2 sites": clause 2 of the test checklist holds the blank x2, x3; a whole top-level clause is never
    # excluded, so a bare number there is a count, and only 2.3 (dotted) is a clause the text names
    a = scored({"exclusions": "2 sites, 1 of them rented since 2004; nothing excluded"})
    assert a.unanswered == ["x2", "x3"] and named(a) == []
    [w] = named(scored({"exclusions": "2 sites; 2.3 not applicable."}))
    assert w.fields == {"clause": "2.3"}
