"""Checklist profiles: composition onto a base, id uniqueness, overrides, the bundled gov-office profile."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from qmskit import ChecklistError, list_checklists, load_checklist
from qmskit.checklist.loader import validate_checklist_file

BASE = Path(__file__).parents[1] / "data" / "mini.yaml"


def write_profile(tmp_path: Path, body: str, name: str = "profile.yaml") -> Path:
    path = tmp_path / name
    head = f'id: my-profile\nversion: "0.1"\nextends: {BASE}\ntitle: {{en: "My profile", zh: "我的配置"}}\n'
    path.write_text(head + textwrap.dedent(body), encoding="utf-8")
    return path


def test_profile_adds_questions_to_deep_leaf_and_new_clause(tmp_path):
    path = write_profile(tmp_path, """
        clauses:
          - clause: "4.2"
            questions:
              - {id: p-4.2-a, text: {en: "Extra?", zh: "额外？"}}
          - clause: "4.3"
            title: {en: "New node", zh: "新节点"}
            questions:
              - {id: p-4.3-a, text: {en: "New?", zh: "新的？"}, also_serves: ["5"]}
    """)
    cl = load_checklist(path)
    base = load_checklist(BASE)
    assert cl.id == "my-profile" and cl.extends == str(BASE)
    assert len(cl.questions) == len(base.questions) + 2
    assert cl.questions.set_index("id").loc["p-4.2-a", "clause"] == "4.2"
    # the new clause sits after 4.2 in number order, under 4; questions follow document order
    assert cl.clauses["clause"].tolist() == ["4", "4.1", "4.2", "4.3", "5"]
    ids = cl.questions["id"].tolist()
    assert ids.index("4.2-a") < ids.index("p-4.2-a") < ids.index("p-4.3-a") < ids.index("5-a")
    assert cl.questions.set_index("id").loc["p-4.3-a", "also_serves"] == ("5",)


def test_profile_nested_like_the_base_tree_also_works(tmp_path):
    path = write_profile(tmp_path, """
        clauses:
          - clause: "4"
            clauses:
              - clause: "4.1"
                questions:
                  - {id: p-4.1-a, text: {en: "Nested?", zh: "嵌套？"}}
    """)
    assert "p-4.1-a" in load_checklist(path).questions["id"].tolist()


def test_question_id_clash_with_base_names_profile_file_and_line(tmp_path):
    path = write_profile(tmp_path, """
        clauses:
          - clause: "4.2"
            questions:
              - id: "4.1-b"
                text: {en: "Clash", zh: "冲突"}
    """)
    with pytest.raises(ChecklistError) as exc:
        load_checklist(path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}:line 9: "), msg
    assert "'4.1-b' already exists in base checklist mini (clause 4.1)" in msg


def test_duplicate_id_within_profile_names_both_lines(tmp_path):
    path = write_profile(tmp_path, """
        clauses:
          - clause: "4.2"
            questions:
              - {id: p-a, text: {en: "A", zh: "甲"}}
          - clause: "5"
            questions:
              - {id: p-a, text: {en: "B", zh: "乙"}}
    """)
    with pytest.raises(ChecklistError, match=r"profile\.yaml:line 12: .*duplicate question id 'p-a' \(first at line 9\)"):
        load_checklist(path)


def test_kpi_id_clash_with_base_profile(tmp_path):
    first = write_profile(tmp_path, """
        kpis:
          - {id: k1, name: {en: K, zh: 指标}, unit: "%", target: 90, direction: higher}
    """, "first.yaml")
    second = tmp_path / "second.yaml"
    second.write_text(f'id: second\nversion: "1"\nextends: {first}\ntitle: {{en: S, zh: 二}}\n'
                      "kpis:\n  - {id: k1, name: {en: K, zh: 指标}, target: 1, direction: lower}\n", encoding="utf-8")
    assert load_checklist(first).kpis["id"].tolist() == ["k1"]
    with pytest.raises(ChecklistError, match=r"second\.yaml:line 6: kpis\[0\]\.id: KPI id 'k1' already exists"):
        load_checklist(second)


@pytest.mark.parametrize("body, message", [
    ('clauses:\n  - clause: "4"\n    questions:\n      - {id: x, text: {en: a, zh: b}}\n',
     "clause '4' has sub-clauses in mini (4.1, 4.2); add questions to a leaf clause"),
    ('clauses:\n  - clause: "7.1"\n    title: {en: a, zh: b}\n    questions:\n      - {id: x, text: {en: a, zh: b}}\n',
     "clause '7.1' is not in mini and neither is its parent '7'"),
    ('clauses:\n  - clause: "4.1.1"\n    title: {en: a, zh: b}\n    questions:\n      - {id: x, text: {en: a, zh: b}}\n',
     "new clause '4.1.1' would sit under '4.1', which holds questions"),
    ('clauses:\n  - clause: "4.9"\n    questions:\n      - {id: x, text: {en: a, zh: b}}\n',
     "new clause '4.9' needs a title"),
    ('clauses:\n  - clause: "4.2"\n    questions:\n      - {id: x, text: {en: a, zh: b}, also_serves: ["9.9"]}\n',
     "also_serves names clause '9.9', which is not in the checklist"),
])
def test_bad_profiles_give_one_line_errors_with_line(tmp_path, body, message):
    path = write_profile(tmp_path, body)
    with pytest.raises(ChecklistError) as exc:
        load_checklist(path)
    assert message in str(exc.value)
    assert str(exc.value).startswith(f"{path}:line ")
    assert "\n" not in str(exc.value)


def test_title_and_thresholds_overrides(tmp_path):
    path = write_profile(tmp_path, """
        thresholds: {ready_min: 90}
        clauses:
          - clause: "4.1"
            title: {en: "Issues of the office", zh: "本单位的因素"}
    """)
    cl = load_checklist(path)
    base = load_checklist(BASE)
    assert cl.title == {"en": "My profile", "zh": "我的配置"}
    titles = cl.clauses.set_index("clause")
    assert titles.loc["4.1", "title_en"] == "Issues of the office" and titles.loc["4.1", "title_zh"] == "本单位的因素"
    assert titles.loc["4.2", "title_en"] == base.clauses.set_index("clause").loc["4.2", "title_en"]
    assert cl.thresholds["ready_min"] == 90 and cl.thresholds["nearly_ready_min"] == base.thresholds["nearly_ready_min"]
    assert len(cl.questions) == len(base.questions)  # retitling adds nothing


def test_threshold_override_out_of_order_is_an_error_at_profile_line(tmp_path):
    path = write_profile(tmp_path, "thresholds: {developing_min: 80}\n")
    with pytest.raises(ChecklistError, match=r"profile\.yaml:line 5: thresholds: thresholds must be in order"):
        load_checklist(path)


def test_extends_cycle_is_refused(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(f'id: a\nversion: "1"\nextends: {b}\ntitle: {{en: A, zh: 甲}}\n', encoding="utf-8")
    b.write_text(f'id: b\nversion: "1"\nextends: {a}\ntitle: {{en: B, zh: 乙}}\n', encoding="utf-8")
    with pytest.raises(ChecklistError, match="makes a cycle"):
        load_checklist(a)


# ----------------------------------------------------------------------------- the bundled gov-office profile

PROCEDURES = {  # the seed's 13 documented procedures -> the question that asks for each
    "quality policy and objectives": "gov-5.2.1-a", "document and data control": "gov-7.5.3.1-a",
    "quality records": "gov-7.5.3.2-a", "internal communication": "gov-7.4-a", "management review": "gov-9.3.1-a",
    "personnel": "gov-7.2-a", "computer equipment and network": "gov-7.1.3-a", "purchasing": "gov-8.4.1-a",
    "satisfaction survey": "gov-9.1.2-a", "internal audit": "gov-9.2.2-a", "nonconforming service": "gov-8.7.1-a",
    "corrective action": "gov-10.2.1-a", "preventive action": "gov-6.1.2-a",
}


def test_gov_office_composes_on_iso_and_keeps_every_base_question():
    gov, iso = load_checklist("gov-office"), load_checklist("iso9001-2015")
    assert gov.extends == "iso9001-2015"
    assert set(iso.questions["id"]) < set(gov.questions["id"])
    assert gov.questions["id"].is_unique
    assert gov.clauses["clause"].tolist() == iso.clauses["clause"].tolist()  # same 2015 tree
    extra = gov.questions[~gov.questions["id"].isin(iso.questions["id"])]
    assert len(extra) >= 30 and extra["id"].str.startswith("gov-").all()
    leaves = set(gov.clauses.loc[gov.clauses["is_leaf"], "clause"])
    assert set(extra["clause"]) <= leaves
    for col in ("text_en", "text_zh", "evidence_en", "evidence_zh"):
        assert (extra[col].str.len() > 10).all(), col
    assert extra["id"].map(lambda i: i.split("-")[1]).eq(extra["clause"]).all()  # id names its clause
    all_clauses = set(gov.clauses["clause"])
    assert all(set(s) <= all_clauses for s in extra["also_serves"])


def test_gov_office_covers_the_seed_practice():
    q = load_checklist("gov-office").questions.set_index("id")
    for name, qid in PROCEDURES.items():
        assert qid in q.index, name
        assert "procedure" in q.loc[qid, "text_en"] and "程序" in q.loc[qid, "text_zh"], name
        # the office's own document, not documented information ISO 9001 requires (design.md)
        assert q.loc[qid, "office_document"] == "maintain", name
        assert pd.isna(q.loc[qid, "documented_information"]), name
        assert q.loc[qid, "basis"] == "practice", name
    text = " ".join(q["text_zh"])
    for term in ("办文", "办会", "办事", "质量手册", "考核标准", "管理软件"):
        assert term in text, term
    assert q.loc["gov-8.5.1-a", "clause"] == "8.5.1"


def test_gov_office_kpis_and_retitled_clause():
    gov = load_checklist("gov-office")
    k = gov.kpis.set_index("id")
    assert k.loc["sat-satisfied", "target"] == 90 and k.loc["sat-satisfied-basic", "target"] == 100
    assert k.loc["doc-completion", "target"] == 98
    dims = {"sat-attitude", "sat-order", "sat-environment", "sat-efficiency", "sat-integrity"}
    assert dims <= set(k.index)
    assert (k["unit"] == "%").all() and (k["direction"] == "higher").all() and (k["clause"] == "9.1").all()
    # the seed gives 90 / 100 / 98; the per-dimension targets are starting values each office sets
    assert k.loc[sorted(dims), "default_target"].all()
    assert not k.loc[["sat-satisfied", "sat-satisfied-basic", "doc-completion"], "default_target"].any()
    assert gov.clauses.set_index("clause").loc["8.5.1", "title_zh"] == "服务提供的控制：办文、办会、办事"


def test_bundled_listing_and_validate():
    listed = list_checklists()
    assert {"iso9001-2015", "gov-office"} <= set(listed["id"])
    assert not listed["path"].str.contains("crosswalk").any()
    cl = validate_checklist_file(Path(listed.set_index("id").loc["gov-office", "path"]))
    assert cl.id == "gov-office"


def test_profile_may_set_its_own_target_for_a_default_target_kpi_only(tmp_path):
    """An office extends gov-office with its own per-dimension target; the seed's targets stay fixed."""
    own = tmp_path / "my-office.yaml"
    own.write_text('id: my-office\nversion: "1"\nextends: gov-office\ntitle: {en: Mine, zh: 本单位}\n'
                   "kpis:\n  - {id: sat-efficiency, name: {en: Efficiency, zh: 办事效率}, unit: '%', target: 85,"
                   " direction: higher}\n", encoding="utf-8")
    gov, mine = load_checklist("gov-office"), load_checklist(own)
    assert mine.kpis["id"].tolist() == gov.kpis["id"].tolist()  # replaced in place, nothing appended
    k = mine.kpis.set_index("id")
    assert k.loc["sat-efficiency", "target"] == 85 and not k.loc["sat-efficiency", "default_target"]
    assert k.loc["sat-attitude", "target"] == 90
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text('id: fixed\nversion: "1"\nextends: gov-office\ntitle: {en: F, zh: 定}\n'
                     "kpis:\n  - {id: doc-completion, name: {en: D, zh: 办结}, target: 90, direction: higher}\n",
                     encoding="utf-8")
    with pytest.raises(ChecklistError, match=r"fixed\.yaml:line 6: kpis\[0\]\.id: KPI id 'doc-completion' "
                                             r"already exists in base checklist gov-office \(only a KPI marked"):
        load_checklist(fixed)
