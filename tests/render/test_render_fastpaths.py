"""The renderers' cheaper paths give what the plain ones gave (the report's bytes must not change).

``scripts/check_render_identical.py`` compares whole reports against main; these pin the pieces it
relies on, including the cases the example offices do not have (a dict key named like a dict method,
blank and missing action columns, numpy and NA values).
"""
from __future__ import annotations

import math

import jinja2
import numpy as np
import pandas as pd
import pytest

from qmskit.core.gaps import recommended_action
from qmskit.render import report, templating


@pytest.mark.parametrize("source", [
    "{{ row.owner }}", "{{ row.missing is defined }}", "{{ row['owner'] }}",
    # a key named like one of dict's own attributes: the attribute, as Jinja2 gives it
    "{{ row.items is callable }}", "{{ row.get('owner') }}",
    "{% for k, v in row.items() %}{{ k }}={{ v }};{% endfor %}",
    "{{ obj.key }}", "{{ obj.width }}",
])
def test_dict_lookup_matches_jinja(source: str) -> None:
    context = {"row": {"owner": "Li <Wei>", "items": "a key", "keys": 3},
               "obj": templating.Column("owner", "Owner", "10%")}
    plain = jinja2.Environment(autoescape=True).from_string(source).render(**context)
    ours = templating.environment().from_string(source).render(**context)
    assert ours == plain


def test_dict_lookup_of_a_missing_key_is_strictly_undefined() -> None:
    with pytest.raises(jinja2.UndefinedError, match="missing"):
        templating.environment().from_string("{{ row.missing }}").render(row={"owner": "x"})


def test_records_match_to_dict() -> None:
    frame = pd.DataFrame({
        "id": pd.array(["q1", "q2", None], dtype="string"), "answer": ["yes", 2, None],
        "points": [1.0, math.nan, 0.5], "n": np.array([1, 2, 3]), "ok": [True, False, True],
        "due": pd.to_datetime(["2026-01-02", None, "2026-03-04"]),
        "mixed": pd.Series([np.int64(3), np.float64(0.5), np.bool_(True)], dtype=object),
        "masked": pd.array([1, None, 3], dtype="Int64"), "na_text": pd.array(["a", None, "c"], dtype="string[python]"),
    })
    expected = frame.to_dict("records")
    got = report._records(frame)
    assert [list(r) for r in got] == [list(r) for r in expected]
    for row, want in zip(got, expected, strict=True):
        for key, value in want.items():
            assert type(row[key]) is type(value), key
            assert row[key] == value or (pd.isna(value) and pd.isna(row[key])), key
    assert report._records(frame, ["answer", "id", "absent", "answer"]) == [
        {"answer": r["answer"], "id": r["id"]} for r in got]


def _where_chain(frame: pd.DataFrame, lang: str) -> pd.Series:
    """recommended_action as it was written first (where over whole columns)."""
    def col(name: str) -> pd.Series:
        values = frame.get(name, pd.Series("", index=frame.index))
        return values.astype(object).where(values.notna(), "")
    out = col(f"action_{lang}")
    for fallback in ("action_en", f"evidence_{lang}", "evidence_en"):
        out = out.where(out != "", col(fallback))
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_recommended_action_matches_the_where_chain(lang: str) -> None:
    frame = pd.DataFrame({
        "action_zh": ["做", None, "", math.nan, None],
        "action_en": ["do", "act", None, "", None],
        "evidence_zh": [None, "证据", "看", None, None],
        "evidence_en": ["ev", None, "see", "look", None],
    }, index=[5, 3, 9, 1, 0])
    assert recommended_action(frame, lang).tolist() == _where_chain(frame, lang).tolist()
    assert recommended_action(frame, lang).index.tolist() == [5, 3, 9, 1, 0]
    lean = frame[["evidence_en"]]
    assert recommended_action(lean, lang).tolist() == _where_chain(lean, lang).tolist()
    assert recommended_action(frame.iloc[:0], lang).tolist() == []
    assert recommended_action(pd.DataFrame(index=[1, 2]), lang).tolist() == ["", ""]


@pytest.mark.parametrize("value", ["", " ", "\t\n", " x ", "text", "\u3000", None, math.nan, pd.NA, 0, 1.5,
                                   np.str_("y"), pd.Timestamp("2026-01-02")])
def test_cell_text_fast_path_matches_is_blank(value) -> None:
    from qmskit.core.values import is_blank
    assert report._text(value) == ("" if is_blank(value) else str(value))


def test_each_template_is_compiled_once_a_process(monkeypatch):
    # a lost cache on environment() made every section recompile its templates on every render (~15 ms
    # each: the report's renderers 4x slower, a 20-office batch 2x slower), with every output unchanged
    from pathlib import Path

    from qmskit import api

    assert templating.environment() is templating.environment()
    office = api.load_assessment(Path(__file__).resolve().parents[2] / "examples/offices/riverside-general-office.xlsx")
    first = report.verdict_html(office, "en")  # compiled here, unless an earlier test did
    compiled: list[str | None] = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    for _ in range(3):
        assert report.verdict_html(office, "en") == first
    assert compiled == []
