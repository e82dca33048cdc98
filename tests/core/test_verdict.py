"""Issue 12: the verdict in a certification body's terms, one hand-computed case per rule of design.md
("Gaps", "Readiness", "Scales": n/a and exclusions), and the five scenarios of the issue on the bundled
ISO 9001 checklist."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from forkcli import run_qmskit

import qmskit
from qmskit.i18n.catalog import reason_text
from qmskit.io.responses import validate_responses

DATA = Path(__file__).parents[1] / "data"
FIX = qmskit.load_checklist(DATA / "verdict.yaml")
# verdict.yaml, every weight 1 (13 questions; ready_max_minor 2):
#   1.1  p1 (prerequisite), c1 (critical)     1.2  r1, r2, g1 (practice)     1.3  r3, x1 (n/a allowed)
#   2.1  r4, r5                               2.2  g2, g3 (practice)          2.3  x2, x3 (n/a allowed)
ALL_YES = {qid: "yes" for qid in FIX.questions["id"]}


def run(changes: dict | None = None, *, no_evidence=(), notes: dict | None = None, meta: dict | None = None,
        cl=FIX) -> qmskit.Assessment:
    answers = {**{qid: "yes" for qid in cl.questions["id"]}, **(changes or {})}
    rows = [{"id": q, "answer": a, "notes": (notes or {}).get(q, ""),
             "evidence": "" if q in no_evidence or a in ("", None, "no", "n/a") else f"{q} register, entries checked"}
            for q, a in answers.items()]
    return qmskit.score(cl, validate_responses(pd.DataFrame(rows), cl), {"office": "T", **(meta or {})})


def gaps(a: qmskit.Assessment) -> dict:
    return {r.id: (r.severity, r.reason) for r in a.gaps.itertuples()}


def codes(a: qmskit.Assessment) -> list[str]:
    return [r["code"] for r in a.to_dict()["readiness_reason_codes"]]


# --------------------------------------------------------------------------- severities

def test_everything_yes_with_evidence_is_ready_and_book_the_audit():
    a = run()
    assert a.readiness == "ready" and a.overall == 100.0 and a.gaps.empty
    assert codes(a) == ["completeness_met", "no_major_gaps", "overall_met"]


def test_practice_gaps_are_observations_whatever_the_answer():
    a = run({"g1": "no", "g2": "partial", "g3": "no"})  # 2.2 is all-practice and all zero: never "absent"
    assert gaps(a) == {"g1": ("observation", "practice"), "g3": ("observation", "practice"),
                       "g2": ("observation", "practice")}
    # observations are neither majors nor minors: only the score (100 × 10.5 / 13 = 80.8) holds it back
    assert a.readiness == "nearly_ready" and codes(a) == ["overall_below"]
    assert set(a.gaps["basis"]) == {"practice"}
    assert run({"g1": "no"}).readiness == "ready"


def test_partial_on_a_requirement_is_a_minor_nonconformity():
    assert gaps(run({"r1": "partial"})) == {"r1": ("minor", "partial")}
    assert gaps(run({"r1": "no"})) == {"r1": ("minor", "not_met")}


def test_critical_not_met_is_major_and_partly_met_is_minor():
    assert gaps(run({"c1": "no"})) == {"c1": ("major", "critical")}
    assert gaps(run({"c1": "partial"})) == {"c1": ("minor", "partial")}


def test_absent_leaf_clause_escalates_every_requirement_in_it_to_major():
    # 1.2 has r1, r2 (requirements) and g1 (practice): both requirements answered, both 0 → absent
    a = run({"r1": "no", "r2": "no"})
    assert gaps(a) == {"r1": ("major", "absent"), "r2": ("major", "absent")}
    assert a.readiness == "nearly_ready" and codes(a) == ["major_gaps", "overall_below"]
    assert a.readiness_reasons == ["2 major gaps in 1 clause: 1.2 (ready needs none)",
                                   "overall 84.6 (ready needs ≥ 85)"]
    # the practice question of that clause stays an observation and does not count
    assert gaps(run({"r1": "no", "r2": "no", "g1": "no"}))["g1"] == ("observation", "practice")


@pytest.mark.parametrize("changes", [
    {"r1": "no", "r2": "partial"},   # one is partly met: the process exists
    {"r1": "no", "r2": ""},          # only one answered: not enough to call it absent
    {"r3": "no", "x1": "n/a"},       # 1.3: one applicable requirement answered
    {"r1": "no", "r4": "no"},        # zeros in two different leaf clauses
])
def test_no_absent_clause_without_two_answered_zero_requirements(changes):
    a = run(changes, notes={"x1": "no design"})
    assert {sev for sev, _ in gaps(a).values()} == {"minor"}


def test_rank_is_severity_then_impact_then_clause_order():
    a = run({"r4": "no", "r5": "no", "c1": "no", "r3": "partial", "g2": "no", "r1": "no"})
    assert a.gaps["id"].tolist() == ["c1", "r4", "r5", "r1", "r3", "g2"]
    assert a.gaps["severity"].tolist() == ["major", "major", "major", "minor", "minor", "observation"]


# --------------------------------------------------------------------------- readiness gates, one at a time

def test_ready_needs_completeness_100():
    a = run({"r4": ""})  # 12 of 13 answered = 92.3 %
    assert a.readiness == "nearly_ready" and codes(a) == ["completeness_below"]
    assert a.readiness_reasons == ["completeness 92.3% (ready needs 100%)"]


@pytest.mark.parametrize("answer", ["partial", "no", ""])
def test_a_prerequisite_not_answered_yes_blocks_ready_and_nearly_ready(answer):
    a = run({"p1": answer})
    assert a.readiness == "developing"
    assert "prerequisites_missing" in codes(a)
    assert a.to_dict()["readiness_reason_codes"][0] == {"code": "prerequisites_missing", "count": 1, "ids": ["p1"],
                                                        "band": "nearly_ready"}
    assert reason_text(a.reasons[0]) == ("1 prerequisite not answered “yes”: p1 (nearly ready needs every "
                                         "prerequisite done before the audit)")


def test_ready_needs_no_major():
    a = run({"c1": "no"})
    assert a.readiness == "nearly_ready" and codes(a) == ["major_gaps"]


def test_minors_cap_for_ready():
    at_cap = run({"r1": "partial", "r4": "partial"})
    assert at_cap.readiness == "ready"
    assert codes(at_cap) == ["completeness_met", "no_major_gaps", "minor_gaps_open", "overall_met"]
    assert at_cap.readiness_reasons[2] == ("2 minor gaps in 2 clauses: 1.2, 2.1: each needs a corrective-action "
                                           "plan before the audit")
    over = run({"r1": "partial", "r4": "partial", "r5": "partial"})
    assert over.readiness == "nearly_ready" and codes(over) == ["minor_gaps"]
    assert over.readiness_reasons == ["3 minor gaps in 2 clauses: 1.2, 2.1 (ready allows at most 2)"]


def test_default_minors_cap_is_ten():
    assert qmskit.checklist.loader.DEFAULT_THRESHOLDS["ready_max_minor"] == 10


@pytest.mark.parametrize("qid", ["c1", "p1"])
def test_a_critical_or_prerequisite_yes_without_evidence_blocks_ready(qid):
    a = run(no_evidence=[qid])
    assert a.unsupported == [qid] and a.finding_counts()["unsupported"] == 1
    assert a.readiness == "nearly_ready" and codes(a) == ["unsupported_key"]
    assert a.readiness_reasons == [f"1 critical or prerequisite “yes” answer has no evidence recorded: {qid} "
                                   "(ready needs the evidence named)"]


def test_other_unsupported_yes_is_counted_but_does_not_block_ready():
    a = run(no_evidence=["r1", "r2"])
    assert a.readiness == "ready" and a.unsupported == ["r1", "r2"]
    assert a.to_dict()["unsupported"] == ["r1", "r2"]
    assert codes(a)[-1] == "unsupported_yes" and a.readiness_reasons[-1] == "2 “yes” answers have no evidence recorded"


def test_ready_needs_overall_85():
    cl = qmskit.checklist.loader.build_checklist({**_fixture_data(), "thresholds": {"ready_max_minor": 3}})
    a = run({"r1": "no", "r4": "no", "r3": "partial"}, cl=cl)  # 100 × 10.5 / 13 = 80.8
    assert a.overall == pytest.approx(100 * 10.5 / 13)
    assert a.readiness == "nearly_ready" and codes(a) == ["overall_below"]


def test_nearly_ready_gates_and_developing_and_early_stage():
    # completeness 11/13 = 84.6 % < 90 → developing
    a = run({"r4": "", "r5": ""})
    assert a.readiness == "developing" and codes(a) == ["completeness_below"]
    assert a.readiness_reasons == ["completeness 84.6% (nearly ready needs ≥ 90%)"]
    # four majors (> 3): c1 critical + 1.2 absent (r1, r2) + 2.1 absent (r4, r5) = 5 majors
    b = run({"c1": "no", "r1": "no", "r2": "no", "r4": "no", "r5": "no"})
    assert b.finding_counts()["major"] == 5 and b.readiness == "developing"
    assert b.readiness_reasons == ["5 major gaps in 3 clauses: 1.1, 1.2, 2.1 (nearly ready allows at most 3)",
                                   "overall 61.5 (nearly ready needs ≥ 70)"]
    # overall below 40 → early stage
    c = run({q: "no" for q in FIX.questions["id"] if q != "p1"})
    assert c.overall == pytest.approx(100 / 13) and c.readiness == "early_stage"
    assert codes(c)[0] == "overall_below" and c.reasons[0]["band"] == "developing"


def test_nothing_answered_is_not_started_on_screen_and_early_stage_in_json():
    a = run({q: "" for q in FIX.questions["id"]})
    assert a.readiness == "early_stage" and a.to_dict()["readiness"] == "early_stage"
    assert not a.started and a.display_band == "not_started"
    assert qmskit.i18n.catalog.band_label(a.display_band) == "Not started"
    assert qmskit.i18n.catalog.band_label(a.display_band, "zh") == "尚未开始"


def test_kpi_miss_is_an_observation_of_9_1_that_changes_nothing_else():
    plain = run()
    missed = run(meta={"kpis": [{"id": "satisfaction", "value": 89.5, "previous": 88.0}]})
    assert missed.kpi_findings[0] | {} == {**missed.kpi_findings[0], "id": "kpi:satisfaction",
                                           "severity": "observation", "clause": "9.1"}
    assert (missed.overall, missed.readiness) == (plain.overall, plain.readiness) == (100.0, "ready")
    assert missed.gaps.empty
    counts = missed.finding_counts()
    assert counts["observation"] == 0 and counts["kpi_observation"] == 1  # counted apart, said so
    doc = missed.to_dict()
    assert doc["kpi_findings"][0]["severity"] == "observation" and doc["gaps"] == []


# --------------------------------------------------------------------------- n/a and exclusions

def test_na_is_refused_where_not_allowed_naming_the_question():
    with pytest.raises(qmskit.ResponsesError, match=r"row 2: question 'r1' cannot be n/a"):
        validate_responses(pd.DataFrame({"id": ["r1"], "answer": ["n/a"]}), FIX)
    assert FIX.questions.set_index("id")["na_allowed"].sum() == 3  # x1, x2, x3 only: the default is false


def test_na_without_justification_is_a_warning():
    a = run({"x1": "n/a"})
    assert a.warnings == ["question 'x1' is n/a without a justification in the notes"]


def test_excluded_clause_answers_na_justified_by_the_exclusion():
    a = run({"x2": "", "x3": ""}, meta={"excluded_clauses": "2.3: we do not design services"})
    q = a.questions.set_index("id")
    assert q.loc[["x2", "x3"], "answer"].tolist() == ["n/a", "n/a"]
    # data, not display text: the office's reason as the note, the excluded clause beside it
    assert q.loc["x2", "notes"] == "we do not design services" and q.loc["x2", "excluded_by"] == "2.3"
    assert a.warnings == [] and a.completeness == 100.0 and a.readiness == "ready"
    clause = a.clauses.set_index("clause").loc["2.3"]
    assert clause["applicable"] == 0


def test_an_answer_inside_an_excluded_clause_is_kept_and_warned_about():
    a = run({"x2": "yes", "x3": ""}, meta={"excluded_clauses": ["2.3"]})
    assert a.questions.set_index("id").loc["x2", "answer"] == "yes"
    assert a.warnings == ["question 'x2' is answered 'yes' although clause 2.3 is excluded (excluded_clauses); "
                          "the answer is kept and scored"]


def test_exclusions_are_read_from_csv_yaml_and_the_workbook(tmp_path):
    csv = tmp_path / "o.csv"
    csv.write_text("# office: O\n# excluded_clauses: 2.3: no design\nid,answer\nr1,yes\n", encoding="utf-8")
    yml = tmp_path / "o.yaml"
    yml.write_text("office: O\nexcluded_clauses:\n  - {clause: '2.3', justification: no design}\n"
                   "responses:\n  - {id: r1, answer: 'yes'}\n", encoding="utf-8")
    xlsx = tmp_path / "o.xlsx"
    qmskit.write_responses(xlsx, {"office": "O", "excluded_clauses": "2.3: no design"},
                           pd.DataFrame({"id": ["r1"], "answer": ["yes"]}), FIX, backup=False)
    for path in (csv, yml, xlsx):
        meta, frame = qmskit.read_responses(path, FIX)
        assert meta["excluded_clauses"] == "2.3: no design", path
        a = qmskit.score(FIX, frame, meta)
        assert a.questions.set_index("id").loc[["x2", "x3"], "answer"].tolist() == ["n/a", "n/a"], path


@pytest.mark.parametrize("value, message, zh", [
    ("1.2", "clause 1.2 cannot be excluded: question(s) r1, r2, g1 may not be n/a",
     "条款 1.2 不能删减：问题 r1, r2, g1 不允许答“不适用”"),
    ("7.7", "excluded clause '7.7' is not a clause of checklist verdict-fixture",
     "删减的条款“7.7”不是检查表 verdict-fixture 中的条款"),
    ("design", "'design' is not a clause number", "“design”不是条款编号"),
])
def test_an_exclusion_that_iso_9001_does_not_allow_is_an_error(tmp_path, value, message, zh):
    """One line naming the file, in English (``str``) and, said by the catalog, in Chinese."""
    from qmskit.i18n.catalog import error_line
    path = tmp_path / "o.csv"
    path.write_text(f"# excluded_clauses: {value}\nid,answer\nr1,yes\n", encoding="utf-8")
    pattern = "excluded_clauses: " + message.replace("(", r"\(").replace(")", r"\)")
    with pytest.raises(qmskit.ResponsesError, match=pattern) as caught:
        qmskit.read_responses(path, FIX)
    assert error_line(caught.value, "zh").startswith(f"{path}（Office 工作表 / 元数据）：删减条款（excluded_clauses）有误：{zh}")


def test_every_exclusion_iso_9001_does_not_allow_is_listed_at_once(tmp_path):
    """`excluded_clauses: 1.2: …; 7.7: …` names two clauses that cannot be excluded: validate-responses
    lists both (it listed the first; the office fixed it, ran again and met the second)."""
    from click.testing import CliRunner

    from qmskit.cli import main
    path = tmp_path / "o.csv"
    path.write_text("# excluded_clauses: 1.2: no audit; 7.7: none; 2.3: no design\nid,answer\nr1,yes\n",
                    encoding="utf-8")
    with pytest.raises(qmskit.errors.ResponsesProblems) as caught:
        qmskit.read_responses(path, FIX)
    details = [str(p.detail) for p in caught.value.problems]
    assert len(details) == 2
    assert details[0].startswith("excluded_clauses: clause 1.2 cannot be excluded: question(s) r1, r2, g1 may not")
    assert details[1].startswith("excluded_clauses: excluded clause '7.7' is not a clause of checklist verdict-fix")
    out = CliRunner().invoke(main, ["validate-responses", "--checklist", str(DATA / "verdict.yaml"), str(path)])
    assert out.exit_code == 1
    assert out.output.splitlines()[-1] == f"{path}: 2 problems"


# --------------------------------------------------------------------------- every problem at once

def test_validate_responses_lists_every_problem_at_once(tmp_path):
    path = tmp_path / "sloppy.csv"
    path.write_text("id,answer,evidence,notes,owner,due\nr1,maybe,,,,\nr2,n/a,,,,\nzz,yes,,,,\n"
                    "r3,yes,,,,31/02/2026\nr1,no,,,,\n", encoding="utf-8")
    out = run_qmskit("validate-responses", "--checklist", str(DATA / "verdict.yaml"), str(path))
    assert out.returncode == 1
    lines = out.stdout.strip().splitlines()
    assert lines[:-1] == [
        f"{path}:line 2: question 'r1': answer 'maybe' is not allowed; allowed: yes, partial, no "
        "(also y/p/n, 是/部分/否; blank = unanswered)",
        f"{path}:line 3: question 'r2' cannot be n/a (ISO 9001 4.3 allows exclusions only where a requirement "
        "cannot be applied; this checklist does not allow n/a here); allowed: yes, partial, no",
        f"{path}:line 4: question id 'zz' is not in checklist verdict-fixture 1",
        f"{path}:line 5: question 'r3' due date: '31/02/2026' is not a date (use YYYY-MM-DD)",
        f"{path}:line 6: question id 'r1' appears twice (first at line 2)",
    ]
    assert lines[-1] == f"{path}: 5 problems"
    # score stops at the first, and says how many more there are
    scored = run_qmskit("score", "--checklist", str(DATA / "verdict.yaml"),
                        str(path))
    assert scored.returncode == 1 and "(and 4 more problems: `qmskit validate-responses FILE`" in scored.stderr
    good = tmp_path / "good.csv"
    good.write_text("id,answer\nr1,yes\n", encoding="utf-8")
    ok = run_qmskit("validate-responses", "--checklist", str(DATA / "verdict.yaml"), str(good))
    assert ok.returncode == 0 and ok.stdout.strip() == f"{good}: no problems"


def _fixture_data() -> dict:
    from qmskit.checklist.loader import read_checklist_data
    return read_checklist_data(DATA / "verdict.yaml")


# --------------------------------------------------------------------------- the five scenarios of issue 12

ISO = qmskit.load_checklist("iso9001-2015")
Q = ISO.questions


def under(*clauses: str) -> list[str]:
    return [i for i, c in zip(Q["id"], Q["clause"]) if any(c == p or c.startswith(p + ".") for p in clauses)]


def office(changes: dict, *, evidence: bool = True, notes: dict | None = None) -> pd.DataFrame:
    """Every question "yes" with evidence an auditor saw, except ``changes``."""
    rows = []
    for q in Q.itertuples():
        answer = changes.get(q.id, "yes")
        rows.append({"id": q.id, "answer": answer, "notes": (notes or {}).get(q.id, ""),
                     "evidence": f"{q.id}: register sampled, entries complete" if evidence and answer in ("yes", "partial")
                     else ""})
    return pd.DataFrame(rows)


def verdict_of(frame: pd.DataFrame) -> qmskit.Assessment:
    return qmskit.score(ISO, validate_responses(frame, ISO), {"office": "scenario"})


def test_scenario_1_no_internal_audit_and_no_management_review():
    # before (main at 08:50): nearly_ready, 97.9 ("2 major gaps ... (ready needs none)")
    a = verdict_of(office({"9.2.1-a": "no", "9.3.1-a": "no"}))
    assert a.finding_counts()["major"] == 2
    assert a.readiness != "ready"  # holds on any data: two critical "no" are majors
    # depends on the prerequisite flags of checklists/iso9001-2015.yaml (9.2.1-a, 9.3.1-a; content's data):
    assert a.readiness == "developing"
    assert a.reasons[0].code == "prerequisites_missing" and a.reasons[0]["ids"] == ["9.2.1-a", "9.3.1-a"]
    # the whole of 9.2 and 9.3 answered "no": every clause of them is absent → 17 majors
    b = verdict_of(office({q: "no" for q in under("9.2", "9.3")}))
    requirements = Q[Q["id"].isin(under("9.2", "9.3")) & (Q["basis"] == "requirement")]
    per_leaf = requirements.groupby("clause")["id"].transform("size")
    expected = int(((per_leaf >= 2) | requirements["critical"]).sum())  # absent leaves, plus critical ones
    assert b.readiness == "developing" and b.finding_counts()["major"] == expected >= 17
    assert (f"{expected} major gaps in 5 clauses: 9.2.1, 9.2.2, 9.3.1, 9.3.2, 9.3.3 (nearly ready allows at most 3)"
            in b.readiness_reasons)


def test_scenario_2_internal_audit_and_management_review_only_partly_done():
    # before: ready, 95.3 (4 minors, 13 observations)
    a = verdict_of(office({q: "partial" for q in under("9.2", "9.3")}))
    counts = a.finding_counts()
    partial = Q[Q["id"].isin(under("9.2", "9.3"))]
    # partly meeting a "shall" is a nonconformity: every requirement answered partial is a minor
    assert counts["minor"] == int((partial["basis"] == "requirement").sum()) > 10
    assert counts["observation"] == int((partial["basis"] == "practice").sum())
    assert a.readiness != "ready"  # 17 minors > 10, on any data
    # depends on the prerequisite flags (9.2.1-a, 9.3.1-a answered "partial" are not done):
    assert a.readiness == "developing" and a.reasons[0].code == "prerequisites_missing"


def test_scenario_3_no_risk_planning_satisfaction_nonconforming_outputs_or_root_causes():
    # before: nearly_ready, 93.1 (1 major, 13 minors); the issue's version without 8.7.2: ready, 93.4
    missing = under("6.1", "9.1.2", "8.7") + ["10.2.1-b"]
    a = verdict_of(office({q: "no" for q in missing}))
    assert a.readiness == "developing"  # holds on today's data: absent clauses 6.1.1, 6.1.2, 8.7.1, 9.1.2
    assert {g.clause for g in a.gaps.itertuples() if g.reason == "absent"} == {"6.1.1", "6.1.2", "8.7.1", "9.1.2"}
    assert a.reasons[0].code == "major_gaps" and a.reasons[0]["clauses"] == ["6.1.1", "6.1.2", "8.7.1", "8.7.2",
                                                                              "9.1.2"]


def test_scenario_4_every_non_critical_question_na_with_a_one_line_note():
    # before: ready, 100. n/a is allowed only where ISO 9001 4.3 can apply: the file is refused, all at once
    non_critical = Q.loc[~Q["critical"], "id"].tolist()
    frame = office({q: "n/a" for q in non_critical}, notes={q: "Not relevant to us." for q in non_critical})
    with pytest.raises(qmskit.errors.ResponsesProblems) as info:
        validate_responses(frame, ISO)
    refused = Q.loc[~Q["critical"] & ~Q["na_allowed"], "id"]
    assert len(info.value.problems) == min(50, len(refused)) and len(refused) > 100
    assert "cannot be n/a" in str(info.value)
    # what remains legitimate (n/a where allowed, with a note) scores as usual
    allowed = Q.loc[Q["na_allowed"], "id"].tolist()
    ok = verdict_of(office({q: "n/a" for q in allowed}, notes={q: "Not relevant to us." for q in allowed}))
    assert ok.completeness == 100.0 and ok.warnings == []


def test_scenario_5_every_answer_yes_without_any_evidence():
    # before: ready, 100, ranked first in the portfolio
    a = verdict_of(office({}, evidence=False))
    assert len(a.unsupported) == len(Q) and a.finding_counts()["unsupported"] == len(Q)
    assert a.readiness == "nearly_ready"  # holds on any data with a critical question
    assert a.reasons[0].code == "unsupported_key"
    key = Q.loc[Q["critical"] | Q["prerequisite"], "id"].tolist()
    assert a.reasons[0]["ids"] == key and a.readiness_reasons[0].startswith(
        f"{len(key)} critical or prerequisite “yes” answers have no evidence recorded: ")


def test_json_of_a_scenario_carries_codes_and_english_reasons(tmp_path):
    path = tmp_path / "s1.csv"
    frame = office({"9.2.1-a": "no", "9.3.1-a": "no"})
    path.write_text("# office: Scenario one\n" + frame.to_csv(index=False), encoding="utf-8")
    out = run_qmskit("score", "--json", str(path))
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["readiness"] == "developing"
    assert doc["readiness_reason_codes"][0] == {"code": "prerequisites_missing", "count": 2,
                                                "ids": ["9.2.1-a", "9.3.1-a"], "band": "nearly_ready"}
    assert doc["readiness_reasons"][0].startswith("2 prerequisites not answered “yes”: 9.2.1-a, 9.3.1-a")
    assert [(g["id"], g["severity"], g["reason"], g["basis"]) for g in doc["gaps"]] == [
        ("9.2.1-a", "major", "critical", "requirement"), ("9.3.1-a", "major", "critical", "requirement")]


# --------------------------------------------------------------------------- findings in the report

def test_report_findings_read_like_an_auditors(tmp_path):
    from qmskit.render import report
    a = run({"r1": "partial", "c1": "no", "g1": "no", "r4": ""}, no_evidence=["r2"],
            notes={"r1": "Needs top-management sign-off"}, meta={"office": "Findings office"})
    frame = report.gap_register_frame(a, "en")
    r1 = frame.set_index("id").loc["r1"]
    assert (r1["severity"], r1["reason"], r1["evidence"], r1["notes"]) == (
        "minor", "partial", "r1 register, entries checked", "Needs top-management sign-off")
    # the fixture gives c1 no action: the evidence hint stands in; p1 has one
    assert frame.set_index("id").loc["c1", "action"] == "Audit reports"
    page = report.gap_register_html(a, "en")
    assert "critical, not met" in page and "partly met" in page and "good practice" in page
    ranks = frame.set_index("id")["rank"]
    r1_row = page.split(f'<tr id={report.finding_anchor("r1", ranks["r1"])}>')[1].split("<tr")[0]
    # the row sits under its severity's heading (no badge of its own)
    assert page.index('id="gaps-minor"') < page.index(r1_row) and "qr-badge qr-sev" not in page
    # the evidence under its column's header, the notes apart from it; "partly met" says the answer
    assert "<td>r1 register, entries checked<p>Needs top-management sign-off<td>" in r1_row
    assert "Answer:" not in r1_row and "partly met" in r1_row and "Recommended action" in page
    g1_row = page.split(f'<tr id={report.finding_anchor("g1", ranks["g1"])}>')[1].split("<tr")[0]
    assert "good practice" in g1_row and "Answer: No" in g1_row  # an observation's reason does not say it
    zh = report.gap_register_html(a, "zh")
    assert "关键要求未满足" in zh and "部分满足" in zh and "所见证据" in zh and "建议措施" in zh
    banner = report.verdict_html(a, "en")
    assert "“Yes” without evidence" in banner and '<div class="qr-figure-value">1</div>' in banner
    assert "Nearly ready" not in banner or a.readiness == "nearly_ready"
    # the audit is booked only when ready with no open minor
    minors = run({"r1": "partial"})
    assert minors.readiness == "ready"
    assert "book the audit after that" in report.verdict_html(minors, "en")
    assert "so the audit can be booked" in report.verdict_html(run(), "en")
    assert "可以申请认证审核" not in report.verdict_html(minors, "zh")
    assert "申请" not in report.verdict_html(run({"c1": "no"}), "zh").split("暂不宜")[0]


def test_an_unanswered_clause_shows_a_dash_and_an_excluded_one_na():
    from qmskit.render import report
    a = run({"r4": "", "r5": "", "x2": "", "x3": ""}, meta={"excluded_clauses": "2.3"})
    html = report.clause_table_html(a, "en")
    row_21 = html.split("<td>2.1<")[1].split("<tr")[0]
    row_23 = html.split("<td>2.3<")[1].split("<tr")[0]
    assert "—" in row_21 and "n/a" not in row_21
    assert "n/a" in row_23


def test_office_documents_have_their_own_register():
    from qmskit.render import report
    a = run({"g3": "no"})
    assert a.documented_information().empty and a.office_documents()["id"].tolist() == ["g3"]
    page = report.docinfo_html(a, "en")
    assert "own documents (1)" in page and "never a nonconformity" in page
    assert a.gaps.set_index("id").loc["g3", "severity"] == "observation"


def test_language_names_in_a_file_are_accepted_or_named(tmp_path):
    for written, code in (("中文", "zh"), ("English", "en"), ("zh-CN", "zh")):
        path = tmp_path / f"{code}.csv"
        path.write_text(f"# language: {written}\nid,answer\nr1,yes\n", encoding="utf-8")
        assert qmskit.read_responses(path, FIX)[0]["language"] == code
    bad = tmp_path / "fr.csv"
    bad.write_text("# language: français\nid,answer\nr1,yes\n", encoding="utf-8")
    with pytest.raises(qmskit.ResponsesError, match=r"fr.csv:Office sheet / metadata, key 'language': language "
                                                    r"'français' is not a report language"):
        qmskit.read_responses(bad, FIX)


def test_rerun_line_quotes_the_output_folder_used():
    from qmskit.render.report import rerun_command
    assert rerun_command({"responses": "/x/office.xlsx", "out_dir": "client reports/2026", "lang": "zh"}) == \
        "qmskit report office.xlsx -o 'client reports/2026' --lang zh"


# --------------------------------------------------------------------------- an unevidenced "yes" is a claim

def test_every_answer_yes_without_evidence_is_held_back_by_its_evidence_alone():
    # design.md: a "yes" with empty evidence is unsupported -- not a gap, counted, and it holds back the
    # verdict: "ready" needs evidence on every critical or prerequisite "yes"; nearly_ready's gates
    # (completeness, prerequisites answered yes, majors, overall) are all met, so nearly_ready it is, with
    # the evidence as the one reason, and nothing else in the reasons
    a = verdict_of(office({}, evidence=False))
    key = Q.loc[Q["critical"] | Q["prerequisite"], "id"].tolist()
    assert a.gaps.empty and a.finding_counts() == {"major": 0, "minor": 0, "observation": 0, "kpi_observation": 0,
                                                   "unsupported": len(Q)}
    assert a.readiness == "nearly_ready" and codes(a) == ["unsupported_key"]
    assert a.reasons[0].values == {"count": len(key), "ids": key, "band": "ready"}


def test_the_document_register_says_claimed_not_present_for_a_yes_without_evidence():
    # the 30 documented-information questions of ISO 9001, all answered "yes" with no evidence: nothing
    # was seen, so none is "present" (what an auditor would write: claimed, no evidence seen)
    bare = verdict_of(office({}, evidence=False)).documented_information()
    assert len(bare) >= 29 and set(bare["status"]) == {"unsupported"}
    seen = verdict_of(office({})).documented_information()
    assert set(seen["status"]) == {"present"}
    # one of them without evidence: only that one; partial and no keep their status whatever the evidence
    first, second, third = seen["id"].tolist()[:3]
    frame = office({second: "partial", third: "no"})
    frame.loc[frame["id"].isin([first, second]), "evidence"] = ""
    reg = verdict_of(frame).documented_information().set_index("id")["status"]
    assert (reg[first], reg[second], reg[third]) == ("unsupported", "partial", "missing")
    assert (reg.drop([first, second, third]) == "present").all()


def test_register_and_unsupported_list_agree():
    # the office's own documents too (g3 is the fixture's office_document): one test of "no evidence" for both
    a = run(no_evidence=["g3", "r1"])
    assert a.office_documents().set_index("id").at["g3", "status"] == "unsupported"
    assert a.unsupported == ["r1", "g3"]
    assert run().office_documents().set_index("id").at["g3", "status"] == "present"
    di = verdict_of(office({}, evidence=False))
    register = di.documented_information()
    assert set(register.loc[register["status"] == "unsupported", "id"]) <= set(di.unsupported)


@pytest.mark.parametrize("qid, allowed", [
    ("r1", "yes, partial, no (also y/p/n, 是/部分/否; blank = unanswered)"),
    ("x1", "yes, partial, no, n/a (also y/p/n/na, 是/部分/否/不适用; blank = unanswered)")])
def test_a_refused_answer_lists_n_a_only_where_the_question_allows_it(qid, allowed):
    """Following the list of a question that may not be n/a led to a second refusal (found by a new user's
    session): n/a is offered only where the checklist allows it, reading one office or scoring many."""
    from qmskit.errors import ResponsesError
    cl = qmskit.load_checklist(str(DATA / "verdict.yaml"))
    frame = pd.DataFrame([{"id": qid, "answer": "mostly"}])
    with pytest.raises(ResponsesError) as one:
        validate_responses(frame, cl)
    assert str(one.value).endswith(f"answer 'mostly' is not allowed; allowed: {allowed}")
    with pytest.raises(ResponsesError) as many:
        qmskit.score_many(cl, frame.assign(office="O"))
    assert str(many.value).endswith(allowed), str(many.value)
