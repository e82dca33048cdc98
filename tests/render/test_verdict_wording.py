"""The verdict banner's wording follows what actually holds the verdict back (design.md, "Readiness";
"Gaps": an unsupported "yes" is not a gap but holds back the verdict), in English and Chinese, and the
documented-information register never calls a document "present" that nobody saw.

The office that answers everything "yes" with no evidence at all was told "close the gaps below" over an
empty gap register; its register said "Present" 30 times.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import qmskit
from qmskit import api
from qmskit.cli import main
from qmskit.io.responses import validate_responses, write_responses
from qmskit.render import report

DATA = Path(__file__).parents[1] / "data"
FIX = qmskit.load_checklist(DATA / "verdict.yaml")  # 13 questions, ready_max_minor 2 (tests/core/test_verdict.py)
ISO = qmskit.load_checklist("iso9001-2015")
KEY = int((ISO.questions["critical"] | ISO.questions["prerequisite"]).sum())


def run(changes: dict | None = None, *, no_evidence=()) -> qmskit.Assessment:
    rows = [{"id": q, "answer": (changes or {}).get(q, "yes"),
             "evidence": "" if q in no_evidence else f"{q} register, entries checked"}
            for q in FIX.questions["id"]]
    return qmskit.score(FIX, validate_responses(pd.DataFrame(rows), FIX), {"office": "T"})


def hint(a: qmskit.Assessment, lang: str) -> str:
    """The banner's hint as the page shows it (one div, under the band)."""
    html = str(report.verdict_html(a, lang))
    return re.search(r'<div class="qr-verdict-hint">(.*?)</div>', html).group(1)


def test_nearly_ready_on_evidence_alone_asks_for_the_evidence_not_for_closing_gaps():
    a = run(no_evidence=["c1"])
    assert a.readiness == "nearly_ready" and a.gaps.empty
    en, zh = hint(a, "en"), hint(a, "zh")
    assert en == ("Not ready yet: record the evidence seen for the 1 critical or prerequisite “yes” answer that "
                  "has none (listed under “‘Yes’ answers without evidence”; a certification body does not accept it "
                  "on the office’s word); then confirm the result before booking the certification audit.")
    assert zh == ("尚不具备认证条件：请先为 1 项未记录证据的关键或前提要求“是”补记所见证据（列于“无证据的‘是’”一节；"
                  "认证机构不会仅凭单位自述认可），并确认结果；在此之前暂不宜申请认证审核。")
    for text in (en, zh):
        assert "gap" not in text and "差距" not in text


@pytest.mark.parametrize("changes, no_evidence, en, zh", [
    ({"c1": "no"}, (), "close the 1 major nonconformity in the gap register below;",
     "关闭下文差距清单中的 1 项严重不符合，"),
    ({"r1": "partial", "r2": "partial", "r4": "partial"}, (),
     "close minor nonconformities in the gap register below until at most 2 of the 3 remain;",
     "关闭下文差距清单中的一般不符合，使 3 项中至多剩余 2 项，"),
    ({"r4": ""}, (), "answer the 1 unanswered question;", "回答其余 1 个未回答的问题，"),
    ({"g1": "no", "g2": "partial", "g3": "no"}, (),
     "close findings in the gap register below (3 listed) until the overall score reaches 85;",
     "关闭下文差距清单中的发现（共 3 项），使总分达到 85，"),
    ({"c1": "no", "r4": ""}, ("p1",),
     # in the order of the reasons they come from
     "answer the 1 unanswered question; close the 1 major nonconformity in the gap register below; record the "
     "evidence seen for the 1 critical or prerequisite “yes” answer",
     "回答其余 1 个未回答的问题；关闭下文差距清单中的 1 项严重不符合；为 1 项未记录证据的关键或前提要求“是”"),
])
def test_each_step_of_a_nearly_ready_hint_is_a_gate_that_failed(changes, no_evidence, en, zh):
    a = run(changes, no_evidence=no_evidence)
    assert a.readiness == "nearly_ready"
    assert en in hint(a, "en") and zh in hint(a, "zh")
    # the counts in the hint are the reasons' counts
    for reason in a.reasons:
        if "count" in reason.values:
            assert f" {reason['count']} " in hint(a, "en")


def test_ready_books_the_audit_and_still_asks_for_the_missing_evidence():
    clean = run()
    assert clean.readiness == "ready"
    assert hint(clean, "en").endswith("so the audit can be booked.") and "evidence" not in hint(clean, "en")
    a = run(no_evidence=["r1", "r2"])
    assert a.readiness == "ready"
    assert hint(a, "en").endswith("so the audit can be booked. Before the audit, record the evidence seen for the 2 "
                                  "“yes” answers that have none (listed below): the auditor will ask to see each.")
    assert hint(a, "zh").endswith("可以申请认证审核。审核前，请为下文所列 2 项未记录证据的“是”补记所见证据：审核员会要求查看。")
    minors = run({"r1": "partial"}, no_evidence=["r2"])
    assert "book the audit after that. Before the audit, record the evidence seen for the 1 “yes” answer" in hint(
        minors, "en")


def test_the_register_says_claimed_no_evidence_seen_in_both_languages():
    a = run(no_evidence=["g3"])  # g3: the fixture's office document
    en, zh = str(report.docinfo_html(a, "en")), str(report.docinfo_html(a, "zh"))
    assert "qr-di-unsupported" in en and "Claimed, no evidence seen" in en and ">Present<" not in en
    assert "称已具备，未见证据" in zh and ">具备<" not in zh
    assert "Present" in str(report.docinfo_html(run(), "en"))


def test_an_empty_gap_register_says_fully_met_only_when_every_yes_is_evidenced():
    assert "No gaps: every answered question is fully met." in str(report.gap_register_html(run(), "en"))
    a = run(no_evidence=["r1"])
    en, zh = str(report.gap_register_html(a, "en")), str(report.gap_register_html(a, "zh"))
    assert "fully met" not in en and "but 1 “yes” answer has no evidence recorded" in en
    assert "但其中 1 项“是”未记录证据" in zh and "完全满足" not in zh


# ----------------------------------------------------------------------------- a real file, a real report

@pytest.fixture(scope="module")
def all_yes_no_evidence(tmp_path_factory) -> Path:
    """A workbook for the bundled ISO 9001 checklist: every question "yes", no evidence anywhere."""
    path = tmp_path_factory.mktemp("allyes") / "claims-only.xlsx"
    answers = pd.DataFrame({"id": ISO.questions["id"], "answer": "yes", "evidence": "", "notes": "", "owner": "",
                            "due": ""})
    write_responses(path, {"office": "Claims Only Office"}, answers, ISO, backup=False)
    return path


def test_the_cli_counts_no_finding_and_every_claim(all_yes_no_evidence):
    out = CliRunner().invoke(main, ["score", str(all_yes_no_evidence)])
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())  # the table wraps at the terminal's width
    assert f"100 100% 0 0 0 {len(ISO.questions)} Nearly ready" in said
    assert f"{KEY} critical or prerequisite “yes” answers have no evidence recorded" in said
    doc = json.loads(CliRunner().invoke(main, ["score", "--json", str(all_yes_no_evidence)]).output)
    assert (doc["readiness"], doc["gaps"], len(doc["unsupported"])) == ("nearly_ready", [], len(ISO.questions))
    assert [r["code"] for r in doc["readiness_reason_codes"]] == ["unsupported_key"]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_of_an_office_that_only_claims(all_yes_no_evidence, tmp_path, report_kernel, lang):
    page = api.build_report(all_yes_no_evidence, tmp_path, lang=lang, kernel=report_kernel).read_text(encoding="utf-8")
    banner = page.split('class="qr-verdict ')[1].split('class="qr-figures"')[0]
    docinfo = page.split('id="docinfo"')[1].split("</section>")[0]
    if lang == "en":
        assert ">Nearly ready<" in banner and "close the gaps" not in page and "gap register below" not in banner
        assert f"record the evidence seen for the {KEY} critical or prerequisite “yes” answers" in banner
        assert "Claimed, no evidence seen" in docinfo and ">Present<" not in docinfo
        assert (f"No gaps in the answers: every answered question is answered as met, but {len(ISO.questions)} “yes” "
                "answers have no evidence recorded") in page and "No gaps: every answered question is fully met" not in page
    else:
        assert ">基本具备<" in banner and "关闭" not in banner
        assert f"为 {KEY} 项未记录证据的关键或前提要求“是”补记所见证据" in banner
        assert "称已具备，未见证据" in docinfo and ">具备<" not in docinfo
        assert f"回答中没有差距：所有已回答的问题均答为满足，但其中 {len(ISO.questions)} 项“是”未记录证据" in page
    # the figures under the banner: no finding, every answer a claim
    figures = page.split('class="qr-figures"')[1].split("</section>")[0]
    values = re.findall(r'<div class="qr-figure-value">([^<]*)</div>', figures)
    assert values[2:] == ["0", str(len(ISO.questions))]


def test_developing_hint_names_what_reaches_nearly_ready():
    """A developing office is told the gates of nearly ready that failed, each counted from its reason: the
    open questions to answer (and the share still open), the prerequisites, the score to raise."""
    a = run({"p1": "no", "r1": "", "r2": "", "r3": ""})
    assert a.readiness == "developing"
    assert [r.code.value for r in a.reasons] == ["completeness_below", "prerequisites_missing"]
    # 13 applicable, 10 answered: 12 answers reach 90 %, so 2 of the 3 open ones
    assert hint(a, "en") == ("Important elements are in place; to reach nearly ready: answer at least 2 of the 3 open "
                             "questions (23.1% of the applicable questions are unanswered; nearly ready needs 90% "
                             "answered); complete the 1 prerequisite not yet answered “yes”.")
    assert hint(a, "zh") == ("主要要素已建立；要达到“基本具备”，请在 3 个未回答的问题中至少再回答 2 个（适用问题中有 23.1% "
                             "尚未回答；“基本具备”要求完成度达到 90%）；完成尚未回答“是”的 1 项前提要求。")
    score_only = run({"c1": "no", "r1": "no", "r2": "no", "r3": "no", "r4": "no"})
    assert score_only.readiness == "developing"
    assert hint(score_only, "en").endswith("to reach nearly ready: raise the overall score from 61.5 to 70 by closing "
                                           "findings in the gap register below (5 listed, each with the points "
                                           "closing it adds).")
    assert "使总分从 61.5 提高到 70" in hint(score_only, "zh")


def test_developing_hint_counts_the_majors_to_close_to_get_within_the_cap():
    a = run({q: "no" for q in ("r1", "r2", "r3", "x1")})  # 4 majors; nearly ready allows 3
    assert a.readiness == "developing" and [r.code.value for r in a.reasons] == ["major_gaps", "overall_below"]
    assert hint(a, "en") == ("Important elements are in place; to reach nearly ready: close at least 1 of the 4 major "
                             "nonconformities in the gap register below (nearly ready allows at most 3); raise the "
                             "overall score from 69.2 to 70 by closing findings in the gap register below (4 listed, "
                             "each with the points closing it adds).")
    assert hint(a, "zh") == ("主要要素已建立；要达到“基本具备”，请在下文差距清单的 4 项严重不符合中至少关闭 1 项"
                             "（“基本具备”最多允许 3 项）；关闭下文差距清单中的发现（共 4 项，各项列有关闭后可增加的分数），"
                             "使总分从 69.2 提高到 70。")


def test_early_stage_hint_reaches_developing_first_then_nearly_ready():
    a = run({q: "no" for q in FIX.questions["id"] if q != "r1"})
    assert a.readiness == "early_stage"
    en, zh = hint(a, "en"), hint(a, "zh")
    first, then = en.split("; then, for nearly ready: ")
    assert first.startswith("The management system is at an early stage; to reach developing: raise the overall score "
                            f"from 7.7 to 40 by closing findings in the gap register below ({len(a.gaps)} listed")
    assert "complete the 1 prerequisite not yet answered “yes”" in then
    major = next(r for r in a.reasons if r.code.value == "major_gaps")
    assert f"close at least {major['count'] - 3} of the {major['count']} major nonconformities" in then
    assert then.endswith("(nearly ready allows at most 3). Plan a structured implementation.")
    assert zh.startswith("质量管理体系尚处起步阶段；要达到“建设中”，请关闭下文差距清单中的发现")
    assert "；此后要达到“基本具备”，还须" in zh
    # the score is the only gate that fails (3 majors are within nearly ready's cap): no "then" part
    only = run({**{q: "partial" for q in FIX.questions["id"] if q != "p1"},
                **{q: "no" for q in ("c1", "r1", "r2", "g1", "g2", "g3")}})
    assert only.readiness == "early_stage" and [r.code.value for r in only.reasons] == ["overall_below"]
    assert hint(only, "en") == ("The management system is at an early stage; to reach developing: raise the overall "
                                f"score from 30.8 to 40 by closing findings in the gap register below ({len(only.gaps)} "
                                "listed, each with the points closing it adds). Plan a structured implementation.")
    assert "此后" not in hint(only, "zh") and hint(only, "zh").endswith("使总分从 30.8 提高到 40。请制定系统的实施计划。")


def test_ready_with_minors_is_hedged_in_chinese_as_in_english():
    """English says the system "appears ready … once each open minor nonconformity has a corrective-action
    plan"; the Chinese said flatly that it "can then undergo the audit" (即可接受认证审核), with no hedge and
    no 为 before 每项 (a sentence without its verb's object marker)."""
    minors = run({"r1": "partial"})
    assert minors.readiness == "ready"
    assert hint(minors, "en").startswith("The management system appears ready")
    zh = hint(minors, "zh")
    assert zh.startswith("为每项未关闭的一般不符合项制定纠正措施计划后，质量管理体系看来已可接受认证审核")
    assert "即可" not in zh and "申请认证审核" in zh
