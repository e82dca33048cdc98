"""Migration from the ISO 9001:2000/2008 structure: cross-walk coverage, the answer rule, files, CLI."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from qmskit import ChecklistError, list_checklists, load_checklist, read_responses, score, write_responses
from qmskit.api import migrate_file
from qmskit.checklist.crosswalk import load_crosswalk
from qmskit.cli import main
from qmskit.core.migrate import MigrationError, migrate_responses, new_requirements, old_to_new

# ../shared sits beside the checkout (CI clones with it next to the repo)
SHARED_CSV = Path(__file__).resolve().parents[3] / "shared/context/iso9001/crosswalk-2000-to-2015.csv"
NEW_IN_2015 = {"4.1", "4.2", "6.1.1", "6.1.2", "7.1.6", "8.5.6"}


@pytest.fixture(scope="module")
def old():
    return load_checklist("iso9001-2008-legacy")


@pytest.fixture(scope="module")
def new():
    return load_checklist("iso9001-2015")


@pytest.fixture(scope="module")
def cw():
    return load_crosswalk()


def responses(answers: dict, **extra) -> pd.DataFrame:
    rows = [{"id": i, "answer": a or None, "evidence": extra.get("evidence", {}).get(i, ""),
             "notes": extra.get("notes", {}).get(i, ""), "owner": extra.get("owner", {}).get(i, ""),
             "due": extra.get("due", {}).get(i, "")} for i, a in answers.items()]
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- the cross-walk

def test_legacy_checklist_has_the_2000_2008_structure(old):
    assert old.clauses.loc[old.clauses["level"] == 1, "clause"].tolist() == ["4", "5", "6", "7", "8"]
    leaves = old.clauses[old.clauses["is_leaf"]]
    assert len(leaves) == 51 and set(old.questions["clause"]) == set(leaves["clause"])
    assert (old.clauses["title_zh"].str.len() > 0).all() and (old.questions["text_zh"].str.len() > 10).all()
    assert old.clauses.set_index("clause").loc["8.5.3", "title_en"] == "Preventive action"


def test_every_old_clause_maps_somewhere_in_2015(cw, old, new):
    known = set(new.clauses["clause"])
    for clause in old.clauses["clause"]:
        if clause in {"4", "5", "6", "7", "8"}:
            continue  # top-level headings have no row of their own; their sub-clauses do
        targets = cw.row_for(clause)
        assert targets, clause
        assert set(targets) <= known, (clause, targets)
    # every leaf has its own row (no fallback to a parent's broader mapping)
    own = set(cw.mappings["old"])
    assert set(old.clauses.loc[old.clauses["is_leaf"], "clause"]) <= own


def test_every_2015_leaf_is_reached_or_listed_as_new(cw, old, new):
    links = old_to_new(cw, old, new)
    listed = set(new_requirements(cw, new, links)["clause"])
    reached = set(links["new_clause"])
    leaves = set(new.clauses.loc[new.clauses["is_leaf"], "clause"])
    assert leaves <= reached | listed
    assert listed == NEW_IN_2015
    assert set(old.questions["id"]) == set(links["old_id"])  # every old question goes somewhere


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="shared context CSV not available")
def test_yaml_matches_the_shared_csv(cw):
    rows = list(csv.DictReader(SHARED_CSV.open(encoding="utf-8")))
    assert [(r["clause_2000"], tuple(r["clause_2015"].split(";"))) for r in rows] == \
        list(zip(cw.mappings["old"], cw.mappings["new"]))


def test_crosswalk_is_not_a_checklist():
    assert "crosswalk-2000-2015" not in set(list_checklists()["id"])
    with pytest.raises(ChecklistError):
        load_checklist("crosswalk-2000-2015")


def test_bad_crosswalks(tmp_path, old, new):
    bad = tmp_path / "cw.yaml"
    bad.write_text("crosswalk: {from: a, to: iso9001-2015}\nmappings:\n  - {old: '4.1', new: ['4.4']}\n"
                   "  - {old: '4.1', new: ['4.4']}\n", encoding="utf-8")
    with pytest.raises(ChecklistError, match=r"cw\.yaml:line 4: mappings\[1\]: old clause '4.1' appears twice"):
        load_crosswalk(bad)
    partial = tmp_path / "partial.yaml"
    partial.write_text("crosswalk: {from: a, to: iso9001-2015}\nmappings:\n  - {old: '4', new: ['4.4']}\n",
                       encoding="utf-8")
    with pytest.raises(MigrationError, match=r"question '2008-5.1-a' \(clause 5.1 of iso9001-2008-legacy\) has no row"):
        old_to_new(load_crosswalk(partial), old, new)


# ----------------------------------------------------------------------------- the answer rule

def test_worst_answer_evidence_owner_due(old, new):
    res = migrate_responses(
        {"office": "P", "checklist": old.id}, responses(
            {"2008-4.2.3-a": "yes", "2008-4.2.4-a": "partial"},
            evidence={"2008-4.2.3-a": "Master list", "2008-4.2.4-a": "Records list"},
            owner={"2008-4.2.3-a": "Ms Chen", "2008-4.2.4-a": "Mr Liu"},
            due={"2008-4.2.3-a": "2013-03-01", "2008-4.2.4-a": "2013-01-15"},
            notes={"2008-4.2.4-a": "Retention not defined"}),
        old, new)
    r = res.responses.set_index("id")
    for qid in ("7.5.3.1-a", "7.5.2-a"):  # 4.2.3 and 4.2.4 both map to 7.5.2 and 7.5.3
        assert r.loc[qid, "answer"] == "partial", qid
    row = r.loc["7.5.3.1-a"]
    assert row["evidence"] == "[2008 4.2.3] Master list; [2008 4.2.4] Records list"
    assert row["owner"] == "Mr Liu" and row["due"] == "2013-01-15"
    assert row["notes"] == ("Migrated from ISO 9001:2008 4.2.3 (yes), 4.2.4 (partial): worst answer. "
                            "[2008 4.2.4] Retention not defined")
    assert res.meta["migrated_from"] == "iso9001-2008-legacy 2008" and "checklist" not in res.meta


def test_new_requirements_stay_unanswered_and_cite_related_answers(old, new):
    res = migrate_responses({"office": "P"}, responses({q: "yes" for q in old.questions["id"]}), old, new)
    r = res.responses.set_index("id")
    new_ids = set(new.questions.loc[new.questions["clause"].isin(NEW_IN_2015), "id"])
    assert set(res.new_ids) == new_ids
    assert r.loc[list(new_ids), "answer"].isna().all()
    # 6.1 is reached by 5.4.2 and 8.5.3 in the correlation matrix, but is a new requirement: cited only
    assert "Related 2008 answers, not carried: 5.4.2 (yes), 8.5.3 (yes)" in r.loc["6.1.2-a", "notes"]
    assert r.loc["4.1-b", "notes"] == "New in ISO 9001:2015: assess afresh."
    others = r.drop(index=list(new_ids))
    assert others["answer"].eq("yes").all()
    assert res.carried == len(new.questions) - len(new_ids) and res.total == len(new.questions)


def test_not_applicable_and_unanswered_sources(old, new):
    design = [q for q in old.questions["id"] if q.startswith("2008-7.3.")]
    res = migrate_responses({"office": "P"}, responses({**{q: "n/a" for q in design}},
                                                       notes={q: "No design: defined services only." for q in design}),
                            old, new)
    r = res.responses.set_index("id")
    design_2015 = new.questions[new.questions["clause"].str.startswith("8.3.")]
    na_ok = design_2015[design_2015["na_allowed"]]
    assert (r.loc[na_ok["id"], "answer"] == "n/a").all()
    assert r.loc[na_ok["id"].iloc[0], "notes"].endswith("No design: defined services only.")
    no_na = design_2015[~design_2015["na_allowed"]]
    assert r.loc[no_na["id"], "answer"].isna().all()  # cannot be excluded: left for the assessor
    assert res.trace.set_index("id").loc["5.3-a", "rule"] == "old questions unanswered"
    assert r.loc["5.3-a", "answer"] is None


def test_profile_questions_are_not_guessed(old):
    gov = load_checklist("gov-office")
    res = migrate_responses({"office": "P"}, responses({q: "yes" for q in old.questions["id"]}), old, gov)
    r = res.responses.set_index("id")
    gov_ids = [q for q in gov.questions["id"] if q.startswith("gov-")]
    assert r.loc[gov_ids, "answer"].isna().all()
    assert set(res.profile_ids) | set(res.new_ids) >= set(gov_ids) and not set(res.profile_ids) & set(res.new_ids)
    assert r.loc["8.5.1-a", "answer"] == "yes"


def test_refuses_a_2015_file(new):
    with pytest.raises(MigrationError, match="already use checklist iso9001-2015"):
        migrate_responses({}, responses({"4.1-a": "yes"}), new, new)


# ----------------------------------------------------------------------------- files and CLI

@pytest.fixture
def old_file(tmp_path, old):
    answers = {q: ["yes", "partial", "no"][i % 3] for i, q in enumerate(old.questions["id"])}
    return write_responses(tmp_path / "old.xlsx", {"office": "Pinecrest", "date": "2012-06-05"},
                           responses(answers, evidence={q: "seen" for q in answers}), old)


def test_migrate_file_writes_a_scorable_2015_file_and_keeps_bak(tmp_path, old_file):
    out = tmp_path / "new.xlsx"
    out.write_bytes(b"previous")
    res = migrate_file(old_file, out)
    assert (tmp_path / "new.xlsx.bak").read_bytes() == b"previous"
    meta, frame = read_responses(out)
    assert meta["checklist"] == "iso9001-2015" and meta["office"] == "Pinecrest" and meta["status"] == "draft"
    a = score("iso9001-2015", frame, meta)
    assert sorted(a.unanswered) == sorted(res.new_ids)
    with pytest.raises(MigrationError, match="would replace the old file"):
        migrate_file(old_file, old_file)


def test_cli_migrate(tmp_path, old_file):
    out = tmp_path / "new.csv"
    result = CliRunner().invoke(main, ["migrate", str(old_file), "--from", "iso9001-2008-legacy", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"wrote {out}: ") and "questions carried over from iso9001-2008-legacy" in lines[0]
    assert lines[1].startswith("new in 2015 (assess afresh): 4.1 Understanding the organization")
    assert "7.1.6 Organizational knowledge" in lines[1]
    bad = CliRunner().invoke(main, ["migrate", str(out), "-o", str(tmp_path / "x.xlsx")])
    assert bad.exit_code == 1 and bad.output.startswith("error: ") and "nothing to migrate" in bad.output


def test_a_new_clause_without_a_declared_reason_has_no_words_in_the_core(cw, new):
    # no mapping and no declared reason: every leaf is new, with reason None (the core writes no words);
    # the edge (api.migrate_file) fills in the catalog's migrate.no_old_clause
    from dataclasses import replace

    from qmskit.i18n.catalog import t
    bare = replace(cw, new_in_2015=cw.new_in_2015.iloc[0:0])
    listed = new_requirements(bare, new, pd.DataFrame(columns=["old_id", "old_clause", "new_clause"]))
    assert len(listed) and listed["reason_en"].isna().all() and listed["reason_zh"].isna().all()
    assert t("migrate.no_old_clause", "zh") != t("migrate.no_old_clause", "en")


def test_an_old_exclusion_is_carried_in_2015_numbers(tmp_path):
    """The README's own example: Pinecrest (2008) excludes 7.3 design and development. Carried verbatim,
    it excluded 2015's 7.3 (awareness, not excludable) and `qmskit score` refused the migrated file."""
    old_file = Path(__file__).resolve().parents[2] / "examples" / "gov" / "pinecrest-2012-iso9001-2008.xlsx"
    out = tmp_path / "pinecrest-2015.xlsx"
    result = CliRunner().invoke(main, ["migrate", str(old_file), "--from", "iso9001-2008-legacy", "-o", str(out)])
    assert result.exit_code == 0, result.output
    meta, frame = read_responses(out)
    assert meta["excluded_clauses"] == "8.3: the office delivers services defined by regulation and designs none"
    scored = CliRunner().invoke(main, ["score", str(out), "--json"])
    assert scored.exit_code == 0, scored.output
    import json
    design = [q for q in json.loads(scored.stdout)["questions"] if q["clause"].startswith("8.3")]
    assert design and all(q["answer"] == "n/a" for q in design)


def test_exclusions_map_through_the_crosswalk(cw, old):
    from qmskit.core.migrate import migrate_exclusions
    assert migrate_exclusions({"7.3": "no design", "7.5.4": "no customer property"}, cw, old) == \
        "8.3: no design; 8.5.3: no customer property"
    with pytest.raises(MigrationError, match="excluded_clauses"):
        migrate_exclusions("design", cw, old)
