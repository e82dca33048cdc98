"""Issue 4: the scoring contract of design.md, checked on hand-computed cases."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from forkcli import run_qmskit

import qmskit
from qmskit.checklist.loader import build_checklist
from qmskit.core.readiness import ReadinessFacts, readiness_verdict
from qmskit.core.scales import normalize_answers
from qmskit.io.responses import validate_responses

DATA = Path(__file__).parents[1] / "data"
MINI = qmskit.load_checklist(DATA / "mini.yaml")
# mini: 4.1-a (w1, critical, maintain), 4.1-b (w3), 4.2-a (w2, n/a allowed), 5-a (w2, critical), 5-b (w1)


def frame(answers: dict, **extra) -> pd.DataFrame:
    rows = [{"id": k, "answer": v, **{c: extra.get(c, {}).get(k, "") for c in ("evidence", "notes", "owner", "due")}}
            for k, v in answers.items()]
    return validate_responses(pd.DataFrame(rows), MINI)


def run(answers: dict, **extra) -> qmskit.Assessment:
    return qmskit.score(MINI, frame(answers, **extra), {"office": "T"})


def clause(a: qmskit.Assessment, number: str) -> pd.Series:
    return a.clauses.set_index("clause").loc[number]


def make_checklist(questions: list[tuple], scale: str = "compliance", **extra) -> qmskit.Checklist:
    """questions: (id, clause, weight, critical); clauses 1 and 2 each with two leaves .1 .2."""
    nodes = []
    for top in ("1", "2"):
        leaves = []
        for leaf in (f"{top}.1", f"{top}.2"):
            qs = [{"id": qid, "text": {"en": qid, "zh": qid}, "weight": w, "critical": c, **extra}
                  for qid, cl, w, c in questions if cl == leaf]
            if qs:
                leaves.append({"clause": leaf, "title": {"en": leaf, "zh": leaf}, "questions": qs})
        nodes.append({"clause": top, "title": {"en": top, "zh": top}, "clauses": leaves})
    return build_checklist({"id": "t", "version": "1", "title": {"en": "t", "zh": "t"}, "scale": scale,
                            "clauses": nodes})


# --------------------------------------------------------------------------- scales

@pytest.mark.parametrize("raw, canon", [
    ("yes", "yes"), ("YES", "yes"), (" Yes ", "yes"), ("y", "yes"), ("是", "yes"),
    ("partial", "partial"), ("P", "partial"), ("部分", "partial"),
    ("no", "no"), ("N", "no"), ("否", "no"),
    ("n/a", "n/a"), ("NA", "n/a"), ("N/A", "n/a"), ("不适用", "n/a"),
    ("", None), ("  ", None), (None, None),
])
def test_compliance_tokens(raw, canon):
    got, invalid = normalize_answers(pd.Series([raw], dtype="object"), "compliance")
    assert got.iloc[0] == canon and not invalid.iloc[0]


@pytest.mark.parametrize("raw, level", [("3", 3), (3, 3), (3.0, 3), (" 3 ", 3), ("3.0", 3), ("1", 1), (5, 5),
                                        ("n/a", "n/a"), ("不适用", "n/a"), ("", None)])
def test_maturity_tokens_are_lenient_where_unambiguous(raw, level):
    got, invalid = normalize_answers(pd.Series([raw], dtype="object"), "maturity")
    assert got.iloc[0] == level and not invalid.iloc[0]


@pytest.mark.parametrize("raw", ["3.5", 0, 6, "three", "yes", "inf", "-inf", "1e400", "nan", float("inf"), -math.inf])
def test_maturity_rejects_the_ambiguous(raw):
    _, invalid = normalize_answers(pd.Series([raw], dtype="object"), "maturity")
    assert invalid.iloc[0]


@pytest.mark.parametrize("values, levels", [
    ([1, True, 1.0, False, 0], [1, None, 1, None, None]),
    ([True, 1, False, 0.0, 1.0], [None, 1, None, None, 1]),
    ([np.True_, 1, np.False_, "1"], [None, 1, None, 1]),
])
def test_a_boolean_is_never_parsed_as_the_number_it_equals(values, levels):
    """True == 1 with the same hash: each distinct value is parsed once, but a boolean apart from a level."""
    got, invalid = normalize_answers(pd.Series(values, dtype="object"), "maturity")
    assert got.tolist() == levels
    assert invalid.tolist() == [level is None for level in levels]
    _, invalid = normalize_answers(pd.Series(values, dtype="object"), "compliance")
    assert invalid.all()


def test_maturity_points_are_level_minus_one_over_four():
    cl = make_checklist([("a", "1.1", 1, False), ("b", "1.1", 1, False), ("c", "2.1", 2, False)], "maturity")
    resp = validate_responses(pd.DataFrame({"id": ["a", "b", "c"], "answer": ["1", 5, "3"]}), cl)
    a = qmskit.score(cl, resp)
    assert a.questions.set_index("id")["points"].to_dict() == {"a": 0.0, "b": 1.0, "c": 0.5}
    assert a.overall == pytest.approx(100 * (0 + 1 + 2 * 0.5) / 4)


# --------------------------------------------------------------------------- scores

def test_weighted_score_and_completeness_by_hand():
    a = run({"4.1-a": "yes", "4.1-b": "partial", "4.2-a": "n/a", "5-a": "no"}, notes={"4.2-a": "no parties"})
    # answered applicable: 4.1-a (1·1), 4.1-b (3·0.5), 5-a (2·0) → 2.5 / 6
    assert a.overall == pytest.approx(100 * 2.5 / 6, abs=1e-12)
    assert a.completeness == pytest.approx(75.0)  # 3 answered of 4 applicable (4.2-a is n/a)
    assert clause(a, "4.1")["score"] == pytest.approx(100 * 2.5 / 4)
    assert math.isnan(clause(a, "4.2")["score"])  # n/a only → null
    assert clause(a, "4.2")["applicable"] == 0 and clause(a, "4.2")["questions"] == 1
    assert a.unanswered == ["5-b"]


def test_parent_rolls_up_over_descendant_questions_not_child_means():
    a = run({"4.1-a": "yes", "4.1-b": "no", "4.2-a": "yes"})
    assert clause(a, "4.1")["score"] == pytest.approx(25.0)  # (1·1 + 3·0) / 4
    assert clause(a, "4.2")["score"] == pytest.approx(100.0)
    assert clause(a, "4")["score"] == pytest.approx(100 * 3 / 6)  # 50, not the mean of means 62.5
    assert clause(a, "4")["answered"] == 3 and clause(a, "4")["applicable"] == 3


def test_nothing_answered_gives_null_scores_and_early_stage():
    a = run({})
    assert a.overall is None and a.completeness == 0.0
    assert a.clauses["score"].isna().all()
    assert a.readiness == "early_stage" and not a.started and a.display_band == "not_started"
    assert "no answered questions (developing needs an overall score ≥ 40)" in a.readiness_reasons
    doc = a.to_dict()
    assert doc["overall"] is None and all(c["score"] is None for c in doc["clauses"])


def test_all_not_applicable_gives_null_completeness():
    cl = make_checklist([("a", "1.1", 1, False)], na_allowed=True)
    a = qmskit.score(cl, validate_responses(pd.DataFrame({"id": ["a"], "answer": ["n/a"], "notes": ["x"]}), cl))
    assert a.completeness is None and a.overall is None and a.readiness == "early_stage"


# --------------------------------------------------------------------------- gaps

@pytest.mark.parametrize("qid, answer, severity, reason", [
    ("5-a", "no", "major", "critical"), ("5-a", "partial", "minor", "partial"), ("4.1-b", "no", "minor", "not_met"),
    # partly meeting a "shall" is a nonconformity, not an improvement idea (design.md, "Gaps")
    ("4.1-b", "partial", "minor", "partial"), ("4.1-b", "yes", None, None),
])
def test_severity_rules(qid, answer, severity, reason):
    a = run({qid: answer})
    got = a.gaps.set_index("id")[["severity", "reason", "basis"]].to_dict("index").get(qid)
    assert (got or {}).get("severity") == severity and (got or {}).get("reason") == reason
    assert got is None or got["basis"] == "requirement"


def test_impact_is_points_gained_when_the_gap_closes():
    answers = {"4.1-a": "yes", "4.1-b": "partial", "4.2-a": "no", "5-a": "no", "5-b": "yes"}
    a = run(answers)
    for gap in a.gaps.itertuples():
        closed = run({**answers, gap.id: "yes"})
        assert closed.overall - a.overall == pytest.approx(gap.impact, abs=1e-9)
    assert a.gaps["impact"].sum() == pytest.approx(100 - a.overall)


def test_rank_order_severity_then_impact_then_clause_then_question_order():
    cl = make_checklist([
        ("p", "1.1", 1, False), ("q", "1.2", 2, False), ("r", "2.1", 1, False),
        ("s", "2.1", 1, False), ("t", "2.2", 1, True), ("u", "1.1", 2, True),
    ])
    resp = validate_responses(pd.DataFrame({
        "id": ["s", "r", "q", "p", "t", "u"],  # file order must not matter
        "answer": ["no", "no", "partial", "no", "no", "partial"]}), cl)
    a = qmskit.score(cl, resp)
    # t: major (critical, no). 2.1 holds r and s, both answered no: an absent leaf clause → both major.
    # majors: r, s (w1, impact 1/Σ each) then t (w1) → impact ties broken by clause order (2.1 < 2.2), then
    # question order (r before s). minors: q (partial w2 → impact 1), p (w1 → 1), u (critical partial w2 → 1)
    # → all equal: clause order (1.1 < 1.2), question order in 1.1 (p before u)
    assert a.gaps["id"].tolist() == ["r", "s", "t", "p", "u", "q"]
    assert a.gaps["severity"].tolist() == ["major", "major", "major", "minor", "minor", "minor"]
    assert a.gaps["reason"].tolist() == ["absent", "absent", "critical", "not_met", "partial", "partial"]
    assert a.gaps["rank"].tolist() == [1, 2, 3, 4, 5, 6]


def test_clause_document_order_is_numeric_not_lexical():
    cl = build_checklist({"id": "o", "version": "1", "title": {"en": "o", "zh": "o"}, "clauses": [
        {"clause": "9", "title": {"en": "9", "zh": "9"}, "questions": [{"id": "x9", "text": {"en": "x", "zh": "x"}}]},
        {"clause": "10", "title": {"en": "10", "zh": "10"}, "questions": [{"id": "x10", "text": {"en": "x", "zh": "x"}}]},
    ]})
    a = qmskit.score(cl, validate_responses(pd.DataFrame({"id": ["x10", "x9"], "answer": ["no", "no"]}), cl))
    assert a.gaps["id"].tolist() == ["x9", "x10"]


def test_unsupported_yes_is_flagged_not_a_gap_and_na_without_notes_warns():
    a = run({"4.1-a": "yes", "4.1-b": "yes", "4.2-a": "n/a"}, evidence={"4.1-a": "Context analysis v2"})
    assert a.unsupported == ["4.1-b"]
    assert "4.1-b" not in set(a.gaps["id"])
    assert a.warnings == ["question '4.2-a' is n/a without a justification in the notes"]


def test_na_where_the_checklist_does_not_allow_it_is_an_error():
    # na_allowed defaults to false: 5-b is neither critical nor marked, so n/a is refused too
    for qid in ("5-a", "5-b"):
        with pytest.raises(qmskit.ResponsesError, match=rf"row 2: question '{qid}' cannot be n/a"):
            frame({qid: "n/a"})
    assert MINI.questions.set_index("id")["na_allowed"].to_dict() == {
        "4.1-a": False, "4.1-b": False, "4.2-a": True, "5-a": False, "5-b": False}


def test_action_plan_falls_back_to_the_hint_without_an_action_and_carries_owner_and_due():
    a = run({"5-a": "no", "4.1-b": "partial"}, owner={"5-a": "Ms. Li"}, due={"5-a": "2026-12-31"})
    plan = a.action_plan("zh")
    first = plan.iloc[0]
    # mini gives no `action`: the evidence hint stands in
    assert (first["id"], first["action"], first["owner"], first["due"]) == ("5-a", "签署的方针", "Ms. Li", "2026-12-31")
    assert a.action_plan("en").iloc[0]["action"] == "Signed policy"
    assert first["reason"] == "critical"


def test_documented_information_register():
    a = run({"4.1-a": "partial"})
    reg = a.documented_information()
    assert reg[["id", "status", "documented_information"]].values.tolist() == [["4.1-a", "partial", "maintain"]]


# --------------------------------------------------------------------------- readiness

TH = dict(qmskit.checklist.loader.DEFAULT_THRESHOLDS)


def verdict(overall, completeness, majors=(), minors=(), prereq=(), key_unsupported=(), th=TH):
    return readiness_verdict(ReadinessFacts(overall, completeness, majors, minors, prereq, key_unsupported), th)


@pytest.mark.parametrize("overall, completeness, majors, band", [
    (85.0, 100.0, [], "ready"),
    (85 - 1e-12, 100.0, [], "ready"),              # tolerance 1e-9 on unrounded values
    (85 - 1e-6, 100.0, [], "nearly_ready"),
    (99.0, 100 - 1e-6, [], "nearly_ready"),
    (99.0, 100.0, ["7.5.3"], "nearly_ready"),
    (70.0, 90.0, ["7.5.3", "9.2", "9.3"], "nearly_ready"),
    (70.0, 90.0, ["7.5.3", "9.2", "9.3", "10.2"], "developing"),
    (95.0, 89.9, [], "developing"),
    (40.0, 50.0, [], "developing"),
    (40 - 1e-6, 100.0, [], "early_stage"),
    (None, 0.0, [], "early_stage"),
])
def test_readiness_bands(overall, completeness, majors, band):
    assert verdict(overall, completeness, majors)[0] == band


def test_readiness_reasons_are_data_rendered_from_one_catalog():
    from qmskit.i18n.catalog import reason_text
    band, reasons = verdict(90.0, 100.0, ["7.5.3", "7.5.3", "9.2"])
    assert band == "nearly_ready"
    assert [r.to_dict() for r in reasons] == [
        {"code": "major_gaps", "count": 3, "clauses": ["7.5.3", "9.2"], "band": "ready", "allowed": 0}]
    assert reason_text(reasons[0]) == "3 major gaps in 2 clauses: 7.5.3, 9.2 (ready needs none)"
    assert reason_text(reasons[0], "zh") == "严重差距 3 项，涉及 2 个条款：7.5.3、9.2（“具备”要求无严重差距）"
    band, reasons = verdict(90.0, 100.0, ["9.2"])
    assert reason_text(reasons[0]) == "1 major gap in 1 clause: 9.2 (ready needs none)"
    band, reasons = verdict(72.0, 84.0)
    assert band == "developing" and [reason_text(r) for r in reasons] == ["completeness 84% (nearly ready needs ≥ 90%)"]
    band, reasons = verdict(92.0, 100.0)
    assert band == "ready" and [reason_text(r) for r in reasons] == ["completeness 100%", "no major gaps", "overall 92 ≥ 85"]
    band, reasons = verdict(92.0, 100.0, minors=["4.1", "8.5.1"])
    assert band == "ready" and [reason_text(r) for r in reasons] == [
        "completeness 100%", "no major gaps",
        "2 minor gaps in 2 clauses: 4.1, 8.5.1: each needs a corrective-action plan before the audit",
        "overall 92 ≥ 85"]


def test_checklist_may_override_thresholds():
    cl = build_checklist({"id": "t", "version": "1", "title": {"en": "t", "zh": "t"}, "thresholds": {"ready_min": 95},
                          "clauses": [{"clause": "1", "title": {"en": "1", "zh": "1"},
                                       "questions": [{"id": "a", "text": {"en": "a", "zh": "a"}, "weight": 9},
                                                     {"id": "b", "text": {"en": "b", "zh": "b"}}]}]})
    a = qmskit.score(cl, validate_responses(pd.DataFrame({"id": ["a", "b"], "answer": ["yes", "no"]}), cl))
    assert a.overall == pytest.approx(90.0) and a.readiness == "nearly_ready"
    assert "overall 90 (ready needs ≥ 95)" in a.readiness_reasons
    assert {"code": "overall_below", "value": 90.0, "required": 95.0, "band": "ready"} in a.to_dict()["readiness_reason_codes"]


# --------------------------------------------------------------------------- many offices, JSON

def test_score_many_agrees_with_score():
    offices = {
        "A": {"4.1-a": "yes", "4.1-b": "partial", "4.2-a": "n/a", "5-a": "no"},
        "B": {"4.1-a": "y", "4.1-b": "yes", "4.2-a": "yes", "5-a": "yes", "5-b": "是"},
        "C": {},
        "D": {"4.1-a": "no", "4.1-b": "no", "4.2-a": "partial", "5-a": "yes", "5-b": "no"},  # 4.1 absent
    }
    evidence = {"B": {"4.1-a": "policy v3"}, "D": {"5-a": "signed policy"}}  # B: 5-a yes without evidence
    tidy = pd.DataFrame([{"office": o, "id": q, "answer": v, "evidence": evidence.get(o, {}).get(q, "")}
                         for o, ans in offices.items() for q, v in ans.items()]
                        + [{"office": "C", "id": "5-b", "answer": "", "evidence": ""}])
    many = qmskit.score_many(MINI, tidy)
    summary = many.offices.set_index("office")
    matrix = many.matrix()
    for office, answers in offices.items():
        single = qmskit.score(MINI, frame(answers, evidence=evidence.get(office, {}), notes={"4.2-a": "none"}))
        row = summary.loc[office]
        assert (row["overall"] == pytest.approx(single.overall)) if single.overall is not None \
            else math.isnan(row["overall"])
        assert row["readiness"] == single.readiness
        counts = single.finding_counts()
        assert {k: int(row[k]) for k in ("major", "minor", "observation", "unsupported")} == \
            {k: counts[k] for k in ("major", "minor", "observation", "unsupported")}
        pd.testing.assert_series_equal(matrix.loc[office].reset_index(drop=True),
                                       single.clauses["score"].reset_index(drop=True), check_names=False)
    assert summary.loc["D", "major"] == 2 and summary.loc["B", "readiness"] == "nearly_ready"


def test_score_many_agrees_with_score_on_the_example_offices():
    """The many-office path (portfolio) and the one-office path (reports, CLI) give the same findings."""
    from qmskit.core.scoring import tidy_answers as tidy_of
    files = sorted((Path(__file__).parents[2] / "examples").glob("*/*.xlsx"))
    assessments = [qmskit.score(qmskit.read_responses(path)[0]["checklist"], path) for path in files]
    by_checklist: dict = {}
    for a in assessments:
        by_checklist.setdefault(a.checklist.id, []).append(a)
    assert sum(len(v) for v in by_checklist.values()) >= 6
    for group in by_checklist.values():
        cl = group[0].checklist
        tidy = pd.concat([tidy_of(a, a.source) for a in group], ignore_index=True)  # two years of one office
        kpis = pd.DataFrame([{"office": a.source, "id": k["id"], "value": k["value"]}
                             for a in group for k in (a.meta.get("kpis") or [])], columns=["office", "id", "value"])
        many = qmskit.score_many(cl, tidy, kpis).offices.set_index("office")
        for a in group:
            row = many.loc[a.source]
            counts = a.finding_counts()
            assert row["readiness"] == a.readiness, a.office
            assert {k: int(row[k]) for k in counts} == counts, a.office
            assert math.isclose(row["overall"], a.overall, abs_tol=1e-9)


def test_score_json_contract_via_cli(tmp_path):
    path = tmp_path / "office.csv"
    path.write_text("# office: Contract Office\n# checklist: mini\nid,answer,evidence,notes,owner,due\n"
                    "4.1-a,yes,doc,,,\n4.1-b,partial,,,,\n5-a,no,,,,\n", encoding="utf-8")
    out = run_qmskit("score", "--json", "--checklist", str(DATA / "mini.yaml"),
                     str(path))
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert list(doc) == ["office", "source", "checklist", "overall", "completeness", "readiness",
                         "readiness_reasons", "clauses", "questions", "gaps", "unanswered", "unsupported",
                         "kpi_findings", "readiness_reason_codes"]
    assert doc["office"] == "Contract Office" and doc["source"] == str(path)
    assert doc["checklist"] == {"id": "mini", "version": "1.0"}
    assert doc["overall"] == pytest.approx(100 * 2.5 / 6)
    assert doc["completeness"] == pytest.approx(60.0)  # 3 of 5 applicable answered
    assert doc["readiness"] == "developing"
    assert [c["clause"] for c in doc["clauses"]] == ["4", "4.1", "4.2", "5"]
    assert doc["clauses"][2] == {"clause": "4.2", "title": "Parties", "score": None, "answered": 0,
                                 "applicable": 1, "questions": 1}
    assert doc["questions"][0] == {"id": "4.1-a", "clause": "4.1", "weight": 1.0, "critical": True,
                                   "answer": "yes", "points": 1.0}
    assert doc["questions"][3] == {"id": "5-a", "clause": "5", "weight": 2.0, "critical": True,
                                   "answer": "no", "points": 0.0}
    assert doc["gaps"] == [
        {"id": "5-a", "clause": "5", "severity": "major", "basis": "requirement", "reason": "critical",
         "answer": "no", "impact": pytest.approx(100 * 2 / 6)},
        {"id": "4.1-b", "clause": "4.1", "severity": "minor", "basis": "requirement", "reason": "partial",
         "answer": "partial", "impact": pytest.approx(100 * 1.5 / 6)}]
    assert doc["unanswered"] == ["4.2-a", "5-b"] and doc["unsupported"] == []
    assert doc["kpi_findings"] == []
    assert doc["readiness_reason_codes"] == [
        {"code": "completeness_below", "value": 60.0, "required": 90.0, "band": "nearly_ready"},
        {"code": "overall_below", "value": pytest.approx(100 * 2.5 / 6), "required": 70.0, "band": "nearly_ready"}]
    assert doc["readiness_reasons"] == ["completeness 60% (nearly ready needs ≥ 90%)",
                                        "overall 41.7 (nearly ready needs ≥ 70)"]


def test_score_json_several_files_keeps_order_and_reports_failures(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("id,answer\n4.1-a,yes\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,answer\n4.1-a,maybe\n", encoding="utf-8")
    out = run_qmskit("score", "--json", "--checklist", str(DATA / "mini.yaml"),
                     str(good), str(bad), str(good))
    assert out.returncode == 1
    docs = json.loads(out.stdout)
    assert [d["office"] for d in docs] == ["good", "good"]  # file stem when metadata has no office
    assert out.stderr.strip() == (f"error: {bad}:line 2: question '4.1-a': answer 'maybe' is not allowed; allowed: "
                                  "yes, partial, no (also y/p/n, 是/部分/否; blank = unanswered)")
