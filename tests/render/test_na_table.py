"""The n/a table of a report: the questions made n/a by the office's excluded_clauses run under one
heading row that shows the clause and the office's reason once, in the report's language
("Excluded (8.3): …" / "不适用（8.3）：…"), never the metadata key ``excluded_clauses``."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import qmskit
from qmskit.i18n.catalog import t
from qmskit.render import report

ROOT = Path(__file__).resolve().parents[2]
MOONBAY = ROOT / "examples" / "gov" / "moonbay-district-office-2026.xlsx"


def _scored(meta_changes: dict):
    meta, frame = qmskit.read_responses(MOONBAY)
    meta = {**meta, **meta_changes}
    inside = frame["id"].isin(qmskit.load_checklist(meta["checklist"]).questions.query(
        "clause == '8.3' or clause.str.startswith('8.3.')", engine="python")["id"])
    frame.loc[inside, ["answer", "notes"]] = [None, ""]  # blank: the exclusion answers them
    return qmskit.score(meta["checklist"], frame, meta), int(inside.sum())


@pytest.mark.parametrize(("lang", "shown"), [("en", "Excluded (8.3): we do not design services"),
                                             ("zh", "不适用（8.3）：we do not design services")])
def test_na_table_words_the_exclusion_in_the_report_language(lang, shown):
    a, excluded = _scored({"excluded_clauses": "8.3: we do not design services"})
    assert excluded > 0
    q = a.questions[a.questions["excluded_by"] == "8.3"]
    assert len(q) >= excluded and q["notes"].eq("we do not design services").all()  # data in the core
    html = str(report.attention_html(a, lang))
    # said once, on the heading row of the run of the clause's questions (each question's row under it)
    heading = t("counted", lang, label=shown, n=len(q))  # "… (4)" / "…（4）"
    assert html.count(shown) == 1 and f"{heading}</th>" in html
    run = html.split(f"{heading}</th>", 1)[1].split("</tbody>", 1)[0]
    assert re.findall(r"<tr><td>([^<]+)<td colspan=2>", run) == list(q["id"])
    assert "excluded_clauses" not in html


@pytest.mark.parametrize(("lang", "shown"), [("en", "Excluded (8.3)"), ("zh", "不适用（8.3）")])
def test_an_exclusion_without_a_reason_names_its_clause(lang, shown):
    a, _ = _scored({"excluded_clauses": "8.3", "exclusions": ""})
    html = str(report.attention_html(a, lang))
    assert re.search(re.escape(shown) + (r" \(\d+\)</th>" if lang == "en" else r"（\d+）</th>"), html)
    assert "excluded_clauses" not in html
    assert not [w for w in a.warnings if "without a justification" in w]


def test_the_offices_own_na_note_is_kept_as_written():
    a, _ = _scored({})
    meta, frame = qmskit.read_responses(MOONBAY)
    qid = a.questions.loc[a.questions["na_allowed"] & (a.questions["clause"] != "8.3"), "id"].iloc[0]
    frame.loc[frame["id"] == qid, ["answer", "notes"]] = ["n/a", "not our service"]
    html = str(report.attention_html(qmskit.score(meta["checklist"], frame, meta), "en"))
    assert "not our service" in html and "Excluded (" not in html.split("not our service")[0][-200:]
