"""The array form of scoring (qmskit.core.arrays): the reduceat roll-up equals the incidence product, a
checklist whose questions are out of document order falls back to it with the same scores, and
exclusions behave on arrays as the rules say (nested exclusions included)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import qmskit
from qmskit.core.arrays import checklist_arrays
from qmskit.core.exclusions import Exclusion, apply_exclusions
from qmskit.io.responses import validate_responses

BUNDLED = ["iso9001-2015", "gov-office", "iso9001-2008-legacy"]


@pytest.mark.parametrize("cid", BUNDLED)
def test_tree_roll_up_equals_the_incidence_product(cid):
    cl = qmskit.load_checklist(cid)
    arrays = checklist_arrays(cl)
    assert arrays.node_runs is not None  # bundled checklists list questions in document order
    for units in (1, 40):  # a few units: the incidence product; many: a reduce per run and per node
        x = np.random.default_rng(1).random((arrays.n_questions, units)) * 3
        np.testing.assert_allclose(arrays.subtree_sums(x), cl.incidence.to_numpy().T @ x, rtol=1e-12, atol=1e-12)
    assert checklist_arrays(cl) is arrays  # worked out once per checklist


def _answers(cl, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = cl.questions["id"].to_numpy()
    answers = rng.choice(np.array(["yes", "partial", "no", ""], dtype=object), size=len(ids), p=[.4, .2, .3, .1])
    evidence = np.where(rng.random(len(ids)) < .5, "seen", "")
    return validate_responses(pd.DataFrame({"id": ids, "answer": answers, "evidence": evidence}), cl)


def test_questions_out_of_document_order_score_the_same(full_checklist):
    cl = full_checklist
    shuffled = dataclasses.replace(cl, questions=cl.questions.sample(frac=1, random_state=3).reset_index(drop=True))
    assert checklist_arrays(shuffled).node_runs is None  # not contiguous: the incidence product is used
    frame = _answers(cl, 4)
    a, b = qmskit.score(cl, frame, {"office": "x"}), qmskit.score(shuffled, frame, {"office": "x"})
    assert b.overall == pytest.approx(a.overall, abs=1e-9)
    pd.testing.assert_series_equal(a.clauses.set_index("clause")["score"], b.clauses.set_index("clause")["score"],
                                   atol=1e-9)
    assert a.clauses["answered"].tolist() == b.clauses["answered"].tolist()
    assert sorted(zip(a.gaps["id"], a.gaps["severity"], a.gaps["reason"])) == \
        sorted(zip(b.gaps["id"], b.gaps["severity"], b.gaps["reason"]))
    assert a.readiness == b.readiness


def test_nested_exclusions_with_questions_missing_from_the_file(full_checklist):
    """A CSV or YAML file lists only some questions; two exclusions, one inside the other (8.3 and a
    sub-clause): every excluded question becomes n/a once, with the first exclusion's note (scoring used
    to fail with a pandas MergeError on the duplicated rows)."""
    cl = full_checklist
    inside = cl.questions[cl.questions["clause"].str.startswith("8.3")]
    sub = inside["clause"].iloc[-1]
    assert sub != "8.3"
    given = _answers(cl, 5)
    given = given[~given["id"].isin(inside["id"])].reset_index(drop=True)
    meta = {"office": "x", "excluded_clauses": f"8.3: no design; {sub}: also none"}
    a = qmskit.score(cl, given, meta)
    q = a.questions.set_index("id").loc[inside["id"]]
    assert (q["answer"] == "n/a").all()
    assert q["notes"].eq("no design").all() and q["excluded_by"].eq("8.3").all()
    assert not [w for w in a.warnings if "without a justification" in w]

    frame, warnings = apply_exclusions(given, cl, [Exclusion("8.3", "no design"), Exclusion(sub, "also none")])
    assert frame["id"].is_unique and set(inside["id"]) <= set(frame["id"])
    assert warnings == []


def test_an_answer_inside_an_exclusion_is_kept_and_warned_about(full_checklist):
    cl = full_checklist
    frame = _answers(cl, 6)
    qid = cl.questions.loc[cl.questions["clause"].str.startswith("8.3"), "id"].iloc[0]
    frame.loc[frame["id"] == qid, "answer"] = "partial"
    a = qmskit.score(cl, frame, {"office": "x", "excluded_clauses": "8.3"})
    assert a.questions.set_index("id").loc[qid, "answer"] == "partial"
    assert any(f"question '{qid}' is answered 'partial' although clause 8.3 is excluded" in w for w in a.warnings)


def test_a_question_given_twice_is_an_error_naming_it(full_checklist):
    cl = full_checklist
    frame = _answers(cl, 7)
    doubled = pd.concat([frame, frame.iloc[[2]]], ignore_index=True)
    with pytest.raises(qmskit.ResponsesError, match=f"'{frame['id'].iloc[2]}' appears twice"):
        qmskit.score(cl, doubled, {"office": "x"})
