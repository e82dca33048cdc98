"""Issue 4: properties of the scoring that must hold for any answers (hypothesis; examples per property and
no deadline from the profile in tests/conftest.py)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import qmskit
from qmskit.io.responses import validate_responses

ISO = qmskit.load_checklist("iso9001-2015")
N = len(ISO.questions)
NA_OK = ISO.questions["na_allowed"].to_numpy()
ORDER = {"no": 0, "partial": 1, "yes": 2}

answers_st = st.lists(st.sampled_from(["yes", "partial", "no", "n/a", ""]), min_size=N, max_size=N)


def frame_of(answers: list[str]) -> pd.DataFrame:
    fixed = [("no" if a == "n/a" and not ok else a) for a, ok in zip(answers, NA_OK)]
    return pd.DataFrame({"id": ISO.questions["id"], "answer": fixed, "notes": "why",
                         "evidence": ["register seen" if a in ("yes", "partial") else "" for a in fixed]})


def scored(answers: list[str]) -> qmskit.Assessment:
    return qmskit.score(ISO, validate_responses(frame_of(answers), ISO))


@given(answers_st)
def test_scores_stay_within_0_and_100(answers):
    a = scored(answers)
    s = a.clauses["score"].dropna()
    assert ((s >= 0) & (s <= 100)).all()
    for value in (a.overall, a.completeness):
        assert value is None or 0 <= value <= 100
    assert a.gaps["impact"].sum() == (0 if a.overall is None else __import__("pytest").approx(100 - a.overall))


@given(answers_st, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(answers, rnd):
    frame = frame_of(answers)
    shuffled = frame.sample(frac=1, random_state=rnd.randint(0, 2**31 - 1)).reset_index(drop=True)
    a = qmskit.score(ISO, validate_responses(frame, ISO)).to_dict()
    b = qmskit.score(ISO, validate_responses(shuffled, ISO)).to_dict()
    a.pop("source"), b.pop("source")
    assert a == b


@given(answers_st, st.data())
def test_raising_an_answer_never_lowers_any_score(answers, data):
    graded = [i for i, a in enumerate(answers) if a in ("no", "partial")]
    if not graded:
        return
    i = data.draw(st.sampled_from(graded))
    better = list(answers)
    better[i] = data.draw(st.sampled_from([k for k, v in ORDER.items() if v > ORDER[answers[i]]]))
    before, after = scored(answers), scored(better)
    b, a = before.clauses["score"].to_numpy(), after.clauses["score"].to_numpy()
    both = ~np.isnan(b)
    assert (a[both] >= b[both] - 1e-9).all()
    assert after.overall >= before.overall - 1e-9
    rank = qmskit.core.readiness.BANDS
    assert rank.index(after.readiness) <= rank.index(before.readiness)


def test_all_yes_is_100_and_ready():
    a = scored(["yes"] * N)
    assert a.overall == 100.0 and a.completeness == 100.0
    assert (a.clauses["score"] == 100.0).all()
    assert a.readiness == "ready" and a.gaps.empty


@given(st.lists(answers_st, min_size=1, max_size=4), st.lists(st.integers(0, N - 1), max_size=6))
def test_score_many_matches_score_for_every_office(offices, no_evidence):
    frames = [frame_of(ans).assign(office=f"o{i}") for i, ans in enumerate(offices)]
    for f in frames:  # a few "yes" without evidence: unsupported, and on critical questions they block ready
        f.loc[f.index.isin(no_evidence), "evidence"] = ""
    tidy = pd.concat(frames)
    many = qmskit.score_many(ISO, tidy[["office", "id", "answer", "evidence"]]).offices.set_index("office")
    for i, f in enumerate(frames):
        single = qmskit.score(ISO, validate_responses(f.drop(columns="office"), ISO))
        got = many.loc[f"o{i}", "overall"]
        assert (single.overall is None and math.isnan(got)) or math.isclose(got, single.overall, abs_tol=1e-9)
        assert many.loc[f"o{i}", "readiness"] == single.readiness
        counts = single.finding_counts()
        assert {k: int(many.loc[f"o{i}", k]) for k in counts} == counts


@given(answers_st)
def test_severity_follows_basis_and_answer(answers):
    """Practice gaps are observations; a partly met requirement is always minor (never an observation,
    never major); a critical requirement not met is always major; a major is critical or absent."""
    g = scored(answers).gaps
    assert (g.loc[g["basis"] == "practice", "severity"] == "observation").all()
    req = g[g["basis"] == "requirement"]
    assert (req.loc[req["points"] > 0, "severity"] == "minor").all()
    assert (req.loc[(req["points"] == 0) & req["critical"], "severity"] == "major").all()
    assert set(req.loc[req["severity"] == "major", "reason"]) <= {"critical", "absent"}
