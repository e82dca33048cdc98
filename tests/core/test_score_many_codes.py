"""score_many works on integer codes: categorical and plain (object) columns give identical results,
in any row order, and score_many agrees with scoring each office alone."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import qmskit
from qmskit.io.responses import validate_responses


@pytest.fixture(scope="module")
def tidy(full_checklist) -> pd.DataFrame:
    cl = full_checklist
    rng = np.random.default_rng(11)
    ids = cl.questions["id"].to_numpy()
    answers = rng.choice(np.array(["yes", "Partial", " no ", "", None, "y"], dtype=object), size=(12, len(ids)))
    frame = pd.DataFrame({"office": np.repeat([f"office {i}" for i in range(12)], len(ids)),
                          "id": np.tile(ids, 12), "answer": answers.ravel()})
    return frame.sample(frac=0.9, random_state=2)  # shuffled, some questions left out


def test_categorical_and_object_columns_score_identically(full_checklist, tidy):
    plain = qmskit.score_many(full_checklist, tidy)
    coded = qmskit.score_many(full_checklist, tidy.astype({c: "category" for c in ("office", "id", "answer")}))
    pd.testing.assert_frame_equal(plain.offices, coded.offices)
    pd.testing.assert_frame_equal(plain.clauses, coded.clauses)
    assert plain.offices["office"].tolist() == list(dict.fromkeys(tidy["office"]))  # order of first appearance


def test_score_many_agrees_with_score_per_office(full_checklist, tidy):
    many = qmskit.score_many(full_checklist, tidy)
    for office, rows in list(tidy.groupby("office", sort=False))[:3]:
        frame = validate_responses(rows.drop(columns="office"), full_checklist)  # what a reader gives score
        one = qmskit.score(full_checklist, frame, {"office": office})
        row = many.offices.set_index("office").loc[office]
        assert row["overall"] == pytest.approx(one.overall, abs=1e-9)
        mine = many.clauses[many.clauses["office"] == office].set_index("clause")["score"]
        theirs = one.clauses.set_index("clause")["score"]
        pd.testing.assert_series_equal(mine, theirs.reindex(mine.index), check_names=False, atol=1e-9)


def test_duplicate_answers_are_an_error_naming_office_and_question(full_checklist, tidy):
    doubled = pd.concat([tidy, tidy.iloc[[3]]], ignore_index=True)
    with pytest.raises(qmskit.ResponsesError, match="appears twice"):
        qmskit.score_many(full_checklist, doubled.astype({"office": "category"}))
