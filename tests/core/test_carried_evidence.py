"""A "yes" whose evidence is still only the text carried over from the previous assessment (``qmskit
template --from``, marked "[to re-verify] " / "[待复核] ") was not seen in this assessment: it counts as
*unsupported* (design.md, "Gaps"), in the verdict, the lists and every count, until the assessor re-checks
it and removes the mark. The core gets the marks from the caller (no display text in the core)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

import qmskit
from qmskit.core.model import Band, DocStatus, ReasonCode
from qmskit.core.scoring import score_many, tidy_answers
from qmskit.i18n.catalog import reason_text, reverify_mark, reverify_marks
from qmskit.io.responses import validate_responses

DATA = Path(__file__).parents[1] / "data"
FIX = qmskit.load_checklist(DATA / "verdict.yaml")  # every weight 1; p1 prerequisite, c1 critical
MINI = qmskit.load_checklist(DATA / "mini.yaml")    # 4.1-a critical, with documented information


MARKS = reverify_marks()


def scored(cl, evidence: dict[str, str], *, marks=MARKS) -> qmskit.Assessment:
    rows = [{"id": q, "answer": "yes", "evidence": evidence.get(q, f"{q} register, entries checked")}
            for q in cl.questions["id"]]
    return qmskit.score(cl, validate_responses(pd.DataFrame(rows), cl), {"office": "T"}, reverify_marks=marks)


def codes(a: qmskit.Assessment) -> list[str]:
    return [r.code for r in a.reasons]


def test_every_yes_on_carried_evidence_is_unsupported_and_not_ready():
    fresh = scored(FIX, {})
    assert fresh.readiness is Band.READY and fresh.unsupported == []
    carried = {q: reverify_mark("en") + f"{q} register, entries checked" for q in FIX.questions["id"]}
    a = scored(FIX, carried)
    assert a.readiness is Band.NEARLY_READY  # the critical and prerequisite "yes" have no evidence seen
    assert a.unsupported == list(FIX.questions["id"])
    assert a.finding_counts()["unsupported"] == len(FIX.questions)
    assert a.to_dict()["unsupported"] == list(FIX.questions["id"])
    # the critical and prerequisite ones are named as resting on carried-over evidence, never as having "no
    # evidence recorded" (their text is there; found by a new user's session), the others counted once
    key = FIX.questions.loc[FIX.questions["critical"] | FIX.questions["prerequisite"], "id"].tolist()
    assert key and ReasonCode.UNSUPPORTED_KEY not in codes(a)
    [named] = [r for r in a.reasons if r.code is ReasonCode.UNSUPPORTED_KEY_CARRIED]
    assert named.values["ids"] == key
    for lang, untrue in (("en", "no evidence recorded"), ("zh", "“是”未记录证据")):
        assert untrue not in " ".join(a.reason_texts(lang))
    assert "carried over from the previous assessment" in reason_text(named, "en")
    [why] = [r for r in a.reasons if r.code is ReasonCode.EVIDENCE_CARRIED]
    assert why.values == {"count": len(FIX.questions) - len(key)}
    from qmskit.render.report import hint_steps
    assert ("hint.step.reverify_key", len(key), {}) in hint_steps(a)
    assert "carried over from the previous assessment" in reason_text(why, "en")
    assert "沿用自上次评估" in reason_text(why, "zh")
    assert a.questions["evidence_carried"].all()


def test_the_mark_in_either_language_and_trimmed_counts():
    a = scored(FIX, {"r1": reverify_mark("zh") + "记录", "r2": "[to re-verify]minutes", "r3": "minutes [to re-verify] "})
    assert a.unsupported == ["r1", "r2"]  # a mark inside the text is not the carried-over prefix


def test_removing_the_mark_makes_it_evidence_again():
    carried = {"c1": reverify_mark("en") + "c1 register"}
    before = scored(FIX, carried)
    assert before.readiness is Band.NEARLY_READY and before.unsupported == ["c1"]
    after = scored(FIX, {"c1": "c1 register (re-checked 2027-03-02)"})
    assert after.readiness is Band.READY and after.unsupported == []
    assert ReasonCode.EVIDENCE_CARRIED not in codes(after)


def test_a_plain_yes_on_carried_evidence_is_counted_when_ready():
    a = scored(FIX, {"r4": reverify_mark("en") + "r4 register"})
    assert a.readiness is Band.READY  # design.md: only a critical or prerequisite "yes" gates ready
    assert a.unsupported == ["r4"]
    assert codes(a)[-2:] == [ReasonCode.UNSUPPORTED_YES, ReasonCode.EVIDENCE_CARRIED]


def test_without_marks_the_core_sees_only_text():
    a = scored(FIX, {"c1": reverify_mark("en") + "c1 register"}, marks=())
    assert a.unsupported == [] and a.readiness is Band.READY


def test_score_many_agrees_with_score():
    a = scored(FIX, {"c1": reverify_mark("en") + "c1 register", "r4": reverify_mark("zh") + "r4"})
    many = score_many(FIX, tidy_answers(a), reverify_marks=MARKS).offices.iloc[0]
    assert many["unsupported"] == len(a.unsupported) == 2
    assert many["readiness"] == a.readiness.value


def test_documented_information_register_does_not_call_carried_evidence_present():
    a = scored(MINI, {"4.1-a": reverify_mark("en") + "Context analysis 2025"})
    register = a.documented_information().set_index("id")
    assert register.at["4.1-a", "status"] == DocStatus.UNSUPPORTED
