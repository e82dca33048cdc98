"""Issue 13: the ISO 9001:2015 base checklist as a lead auditor would accept it.

Coverage is data-driven: tests/data/iso9001-2015-coverage.csv lists the requirements of every leaf
clause (in our own words, with the standard's list item where it has one) and the question(s) that ask
about each. Adding a question means adding its row; removing one fails here until its requirement is
asked elsewhere.
"""
from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from forkcli import run_qmskit

from qmskit.checklist.loader import bundled_dir, load_checklist
from qmskit.errors import ChecklistError
from qmskit.io.yamlio import load_yaml

sys.path.insert(0, str(Path(__file__).parents[1]))
from textcheck import BASE_LIMITS, shared_runs  # noqa: E402

DATA = Path(__file__).parents[1] / "data"
COVERAGE = list(csv.DictReader(open(DATA / "iso9001-2015-coverage.csv", encoding="utf-8")))
CLAUSES_2015 = list(csv.DictReader(open(DATA / "iso9001-2015-clauses.csv", encoding="utf-8")))

# The consecutive-word budgets (and why) live in tests/textcheck.py, shared with the profile tests.

# n/a is allowed only where ISO 9001 4.3 can make a requirement not applicable: design and development
# (8.3), monitoring and measuring resources (7.1.5) and requirements that apply only when something
# exists (customer property 8.5.3 and telling users how it is handled 8.2.1-e, contingency actions
# 8.2.1-d, traceability 8.5.2-c, release before all checks 8.6-c, new requirements from a review 8.2.3.2-b).
NA_CLAUSE_PREFIXES = ("8.3.", "7.1.5.")
NA_CONDITIONAL = {"8.5.3-a", "8.5.3-b", "8.2.1-d", "8.2.1-e", "8.5.2-c", "8.6-c", "8.2.3.2-b"}

# GB/T 19001-2016 wording (issue 13): terms that must not appear in the Chinese text.
BANNED_ZH = {
    "删减": "不适用 (删减 is the 2008 term)",
    "审查结论": "评审",
    "拍板": "决定处置",
    "扣下": "隔离、暂停发出",
    "管用": "有效",
    "一眼可知": "可识别",
    "始终好用": "持续适用",
}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m qmskit ARGS`` in a process of its own, forked from a pre-imported interpreter (forkcli)."""
    return run_qmskit(*args)


@pytest.fixture(scope="module")
def iso():
    return load_checklist("iso9001-2015")


@pytest.fixture(scope="module")
def raw_questions():
    """The base checklist's questions as written in the YAML (to see which keys are given at all)."""
    data, _ = load_yaml(bundled_dir() / "iso9001-2015.yaml", ChecklistError)
    out = []

    def walk(nodes):
        for node in nodes:
            for q in node.get("questions") or []:
                out.append((node["clause"], q))
            walk(node.get("clauses") or [])
    walk(data["clauses"])
    return out


# ----------------------------------------------------------------------------- coverage

def test_every_coverage_row_is_asked_by_a_question_of_its_clause(iso):
    clause_of = dict(zip(iso.questions["id"], iso.questions["clause"]))
    for row in COVERAGE:
        ids = [i for i in row["question_ids"].split(";") if i]
        assert ids, f"{row['clause']} {row['item']} {row['requirement']}: no question"
        for qid in ids:
            assert qid in clause_of, f"{row['clause']} {row['item']} {row['requirement']}: no question '{qid}'"
            assert clause_of[qid] == row["clause"], f"{qid} is in {clause_of[qid]}, the row is {row['clause']}"


def test_every_leaf_clause_and_every_question_is_in_the_coverage_table(iso):
    leaves = {r["clause"] for r in CLAUSES_2015} - {r["parent"] for r in CLAUSES_2015}
    assert leaves == {row["clause"] for row in COVERAGE}
    mapped = [i for row in COVERAGE for i in row["question_ids"].split(";") if i]
    assert set(iso.questions["id"]) == set(mapped)  # a new question needs the requirement it asks
    assert len(mapped) == len(set(mapped)), "a question maps to one requirement (no bundles)"


@pytest.mark.parametrize("clause, item", [
    ("8.2.1", "d"), ("8.3.2", "a"), ("8.3.2", "h"), ("8.3.2", "i"), ("8.3.3", "e"), ("8.3.4", "a"),
    ("8.4.2", "c2"), ("8.4.3", "f"), ("8.5.5", "c"), ("5.1.1", "g"), ("8.1", "d"), ("8.4.2", "b"),
    ("8.4.3", "b2"), ("8.4.3", "b3"), ("8.5.1", "b"), ("8.5.1", "h"), ("8.5.5", "d"), ("9.1.3", "c"),
    ("9.3.2", "c1"), ("8.4.1", "a-c"), ("7.2", "a-b"),
])
def test_requirements_the_auditor_found_missing_have_rows(clause, item):
    assert any(r["clause"] == clause and r["item"] == item for r in COVERAGE), (clause, item)


# ----------------------------------------------------------------------------- duplicates

def _shared_runs(questions, base_ids: set) -> list:
    return shared_runs(questions, base_ids, BASE_LIMITS)


def test_no_two_base_questions_share_a_long_run_of_words(iso):
    assert _shared_runs(iso.questions, set(iso.questions["id"])) == []


def test_no_profile_question_repeats_a_base_question(iso):
    gov = load_checklist("gov-office")
    assert _shared_runs(gov.questions, set(iso.questions["id"])) == []


def test_duplicate_check_catches_a_copied_question(iso):
    q = iso.questions.iloc[:2].copy()
    q.loc[q.index[1], "text_en"] = "Indeed, " + q.iloc[0]["text_en"]
    assert _shared_runs(q, set(q["id"]))


# ----------------------------------------------------------------------------- bundled checklists

def _bundled_checklists() -> list[Path]:
    out = []
    for path in sorted(bundled_dir().glob("*.yaml")):
        data, _ = load_yaml(path, ChecklistError)
        if isinstance(data, dict) and ("clauses" in data or "extends" in data):
            out.append(path)  # the cross-walk is data, not a checklist
    return out


def test_every_bundled_checklist_validates():
    paths = _bundled_checklists()
    assert {p.stem for p in paths} >= {"iso9001-2015", "gov-office", "iso9001-2008-legacy"}
    out = run_cli("validate", *map(str, paths))
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("OK ") == len(paths)


# ----------------------------------------------------------------------------- fields

def test_every_question_has_an_imperative_action_in_both_languages(iso):
    q = iso.questions
    for row in q.itertuples():
        assert row.action_en and row.action_zh, row.id
        assert row.action_en != row.evidence_en and row.action_zh != row.evidence_zh, row.id
        assert not row.action_en.endswith("?") and not row.action_zh.endswith("？"), row.id
        word = row.action_en.split()[0].rstrip(",")
        # an instruction starts with a verb ("Keep ...") or a condition ("When ..., assess ..."); a noun
        # phrase ("A controlled scope statement", "Records of ...") repeats the evidence instead
        assert word not in {"A", "An", "The", "Evidence", "Documented"}, f"{row.id}: '{row.action_en}'"
        assert not re.fullmatch(r"\w{3,}(ing|ed)", word) and (not word.endswith("s") or word.endswith("ss")), \
            f"{row.id}: '{row.action_en}' does not start with a verb in the imperative"


def test_na_allowed_only_where_iso_4_3_can_apply(raw_questions):
    for clause, q in raw_questions:
        allowed = clause.startswith(NA_CLAUSE_PREFIXES) or q["id"] in NA_CONDITIONAL
        assert q.get("na_allowed") is (True if allowed else None), q["id"]  # default false is omitted
    assert {q["id"] for _c, q in raw_questions} >= NA_CONDITIONAL


def test_untitled_sub_clauses_are_marked_descriptive(iso):
    expected = {r["clause"] for r in CLAUSES_2015 if not r["title_en"]}
    assert len(expected) == 16
    nodes = iso.clauses.set_index("clause")
    assert set(nodes.index[nodes["title_source"] == "descriptive"]) == expected
    assert set(nodes["title_source"]) == {"standard", "descriptive"}


def test_prerequisites_are_the_stage_2_handful(iso):
    q = iso.questions
    pre = set(q.loc[q["prerequisite"], "id"])
    assert {"9.2.1-a", "9.3.1-a"} <= pre  # a full internal audit cycle; a management review held
    assert 3 <= len(pre) <= 6
    assert (q.loc[q["prerequisite"], "basis"] == "requirement").all()


def test_practice_questions_are_never_critical_nor_mandatory_records(iso):
    q = iso.questions
    practice = q[q["basis"] == "practice"]
    assert len(practice) >= 1
    assert not practice["critical"].any() and practice["documented_information"].isna().all()
    assert set(q["basis"]) == {"requirement", "practice"}


def test_critical_flags_follow_the_auditor(iso):
    critical = dict(zip(iso.questions["id"], iso.questions["critical"]))
    for qid in ("6.1.1-b", "9.1.2-a", "8.7.1-a", "10.2.1-a", "5.2.2-a", "6.2.1-c", "9.2.1-a", "9.3.1-a"):
        assert critical[qid], qid
    # over-flagged, and one fact (a policy, a set of objectives) makes one major, not two
    for qid in ("7.5.3.2-f", "8.2.3.2-b", "7.1.5.2-b", "5.2.1-a", "6.2.1-a"):
        assert not critical[qid], qid
    assert pd.isna(iso.questions.set_index("id").loc["7.5.3.2-f", "documented_information"])


def test_chinese_uses_gb_t_19001_2016_terms(iso):
    for row in iso.questions.itertuples():
        for field in ("text_zh", "evidence_zh", "action_zh"):
            text = getattr(row, field)
            for banned, instead in BANNED_ZH.items():
                assert banned not in text, f"{row.id} {field}: '{banned}' -> {instead}"
            assert not re.search(r"(?<!外部)供方", text), f"{row.id} {field}: 供方 -> 外部供方"
    q = iso.questions.set_index("id")
    assert q.loc["5.1.1-a", "text_zh"] == "最高管理者是否对质量管理体系的有效性亲自负责？"
    assert "无法通过事后检查发现问题的服务过程" in q.loc["8.5.1-d", "text_zh"]
    assert "不影响确保服务合格和增强服务对象满意的能力或责任" in q.loc["4.3-c", "text_zh"]


def test_misstatements_are_gone(iso):
    q = iso.questions.set_index("id")
    assert "significant" not in q.loc["10.2.1-b", "text_en"].lower()
    assert "every nonconformity" in q.loc["10.2.1-b", "text_en"]
    assert "year on year" not in q.loc["10.3-a", "text_en"]
    assert "written down" not in q.loc["4.1-b", "text_en"] and "written down" not in q.loc["9.1.2-b", "text_en"]
    assert "plan" not in q.loc["7.4-a", "text_en"]
    assert "named person" not in " ".join(q.loc[["5.3-b", "5.3-c", "5.3-d"], "text_en"])
    assert "GB/T 9704" not in q.loc["7.5.2-b", "evidence_en"]
    assert q.loc["9.1.2-c", "clause"] == "9.1.3"  # satisfaction analysis is 9.1.3 b); the id is kept
