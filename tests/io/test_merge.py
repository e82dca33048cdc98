"""Re-assessment (template --from) and several assessors (template --split-by, merge)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import qmskit
from qmskit.checklist.loader import load_checklist
from qmskit.cli import main
from qmskit.i18n.catalog import reverify_mark
from qmskit.io.iorw import file_sha256
from qmskit.io.merge import MergeError, Part, Prefer, SplitBy, merge_frames, read_answered_by, split_ids
from qmskit.io.responses import read_responses, write_responses


def _shared_helpers():
    """tests/conftest.py's helpers by path: a plain `from conftest import` can get tests/hostile/conftest.py
    when the whole suite runs (both are top-level modules named conftest)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("qmskit_tests_conftest", Path(__file__).parents[1] / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.OFFICE_META, module.mixed_answers


OFFICE_META, mixed_answers = _shared_helpers()

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS = ROOT / "examples" / "gov" / "moonbay-district-office-2026.xlsx"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def canon(frame: pd.DataFrame) -> pd.DataFrame:
    """Responses as comparable rows: only questions with something in them, strings, sorted by id."""
    f = frame[["id", "answer", "evidence", "notes", "owner", "due"]].astype(object).fillna("").astype(str)
    f = f[(f.drop(columns="id") != "").any(axis=1)]
    return f.sort_values("id").reset_index(drop=True)


@pytest.fixture(scope="module")
def office_file(tmp_path_factory):
    """A filled-in full-checklist workbook, written once for the module: every test only reads it."""
    cl = load_checklist("iso9001-2015")
    path = tmp_path_factory.mktemp("office") / "lakeside-2026.xlsx"
    write_responses(path, OFFICE_META, mixed_answers(cl), cl)
    return path


def test_template_from_previous_marks_evidence_and_records_the_previous_file(tmp_path):
    out = tmp_path / "next.xlsx"
    res = run("template", "gov-office", "--from", PREVIOUS, "-o", out)
    assert res.exit_code == 0, res.output
    meta, new = read_responses(out)
    pmeta, old = read_responses(PREVIOUS)
    assert meta["office"] == pmeta["office"] and meta["status"] == "draft" and "date" not in meta
    assert meta["previous_date"] == "2026-10-19" and meta["previous_file"] == PREVIOUS.name
    assert meta["previous_sha256"] == file_sha256(PREVIOUS)
    assert new["answer"].isna().all() or (new["answer"].fillna("") == "").all()
    old_ev = old.set_index("id")["evidence"]
    new_ev = new.set_index("id")["evidence"]
    with_ev = old_ev[old_ev != ""]
    assert len(with_ev) and all(new_ev[i] == reverify_mark("zh") + e for i, e in with_ev.items())
    assert (new.set_index("id")["owner"] == old.set_index("id")["owner"]).all()
    # the KPI values measured last time are this time's "previous"
    prev = {k["id"]: k["value"] for k in pmeta["kpis"]}
    assert {k["id"]: k["previous"] for k in meta["kpis"]} == prev
    assert all(k["value"] is None for k in meta["kpis"])


def test_template_from_keep_answers_and_no_double_mark(tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert run("template", "gov-office", "--from", PREVIOUS, "--keep-answers", "-o", first).exit_code == 0
    assert run("template", "gov-office", "--from", first, "--keep-answers", "--lang", "en", "-o", second).exit_code == 0
    _, old = read_responses(PREVIOUS)
    _, a = read_responses(first)
    meta, b = read_responses(second)
    assert list(a["answer"]) == list(old["answer"]) == list(b["answer"])
    assert list(a["evidence"]) == list(b["evidence"])  # already marked: not marked twice
    assert meta["language"] == "en" and meta["previous_file"] == "a.xlsx"


def test_split_then_merge_gives_back_the_answers(tmp_path, office_file):
    assign = tmp_path / "assign.yaml"
    assign.write_text('Li Wei: ["4", "5", "6"]\nZhang Min: ["7", "8", "8.5"]\n"王芳": [9, 10]\n', encoding="utf-8")
    out = tmp_path / "parts" / "lakeside.xlsx"
    res = run("template", "iso9001-2015", "--from", office_file, "--keep-answers", "--split-by", "clause",
              "--assign", assign, "-o", out)
    assert res.exit_code == 0, res.output
    parts = sorted(out.parent.glob("lakeside-*.xlsx"))
    assert [p.name for p in parts] == ["lakeside-li-wei.xlsx", "lakeside-zhang-min.xlsx", "lakeside-王芳.xlsx"]
    cl = load_checklist("iso9001-2015")
    seen = []
    for p in parts:
        meta, frame = read_responses(p)
        tops = set(cl.questions.set_index("id").loc[frame["id"], "top"])
        assert tops == {"Li Wei": {"4", "5", "6"}, "Zhang Min": {"7", "8"}, "王芳": {"9", "10"}}[meta["assessor"]]
        seen += list(frame["id"])
    assert sorted(seen) == sorted(cl.questions["id"])  # every question in exactly one part
    merged = tmp_path / "merged.xlsx"
    res = run("merge", *parts, "-o", merged)
    assert res.exit_code == 0, res.output
    _, original = read_responses(office_file)
    meta, back = read_responses(merged)
    # the re-assessment marks carried evidence; apart from that mark every entry comes back
    back["evidence"] = back["evidence"].str.removeprefix(reverify_mark("en"))
    pd.testing.assert_frame_equal(canon(back), canon(original))
    who = read_answered_by(merged)
    q = cl.questions.set_index("id")
    assert all(who[i] == {"4": "Li Wei", "5": "Li Wei", "6": "Li Wei", "9": "王芳", "10": "王芳"}.get(q.at[i, "top"],
                                                                                                      "Zhang Min")
               for i in canon(original)["id"])
    assert meta["assessor"] == "Li Wei, Zhang Min, 王芳"


def test_split_file_then_merge_is_lossless(tmp_path, office_file):
    """The split/merge mechanism itself (no re-assessment): parts of a filled file merge back exactly."""
    from qmskit.io.merge import merge_files, split_file
    meta, original = read_responses(office_file)
    cl = load_checklist("iso9001-2015")
    res = split_file(cl, meta, original.drop(columns="row"), tmp_path / "p.yaml", SplitBy.CLAUSE,
                     {"A": ["4", "5", "6", "7"], "B": ["8", "9", "10"]})
    assert set(res.files) == {"A", "B"}
    merged = merge_files(list(res.files.values()), tmp_path / "m.xlsx")
    assert not merged.conflicts
    _, back = read_responses(tmp_path / "m.xlsx")
    pd.testing.assert_frame_equal(canon(back), canon(original))


def test_a_part_given_twice_is_refused(tmp_path, office_file):
    """The same part twice counted its assessor's answers twice ("Li Wei: 146" for 73 questions; a new
    user's session): refused in one line naming it, nothing written; through a link too."""
    from qmskit.io.merge import merge_files, split_file
    meta, original = read_responses(office_file)
    cl = load_checklist("iso9001-2015")
    res = split_file(cl, meta, original.drop(columns="row"), tmp_path / "p.yaml", SplitBy.CLAUSE,
                     {"A": ["4", "5", "6", "7"], "B": ["8", "9", "10"]})
    a, b = res.files["A"], res.files["B"]
    (tmp_path / "again.yaml").symlink_to(a)
    for twice in ([a, b, a], [a, b, tmp_path / "again.yaml"]):
        with pytest.raises(MergeError, match=rf"given twice \(also as {re.escape(Path(a).name)}\)"):
            merge_files(twice, tmp_path / "m.xlsx")
        assert not (tmp_path / "m.xlsx").exists()
    result = CliRunner().invoke(main, ["merge", str(a), str(b), str(a), "-o", str(tmp_path / "m.xlsx")])
    assert result.exit_code == 1 and "given twice" in result.stderr and "Traceback" not in result.output


def test_split_by_owner(tmp_path, office_file):
    out = tmp_path / "by-owner.yaml"
    res = run("template", "iso9001-2015", "--from", office_file, "--split-by", "owner", "-o", out)
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in tmp_path.glob("by-owner-*.yaml"))
    assert names == ["by-owner-mr-liu.yaml", "by-owner-ms-chen.yaml", "by-owner-unassigned.yaml"]
    _, chen = read_responses(tmp_path / "by-owner-ms-chen.yaml")
    assert set(chen["owner"]) == {"Ms. Chen"}


def make_parts(cl):
    ids = list(cl.questions["id"][:4])
    a = pd.DataFrame({"id": ids[:3], "answer": ["yes", "no", "partial"], "evidence": ["e1", "", "e3"],
                      "notes": "", "owner": "", "due": ""})
    b = pd.DataFrame({"id": ids[1:], "answer": ["partial", "partial", "no"], "evidence": ["", "e3", ""],
                      "notes": ["n2", "", ""], "owner": "", "due": ""})
    return ids, [Part("A", "a.xlsx", {"office": "X"}, a, "2026-01-01"), Part("B", "b.xlsx", {"office": "X"}, b,
                                                                            "2026-02-01")]


def test_merge_conflicts_and_preferences():
    cl = load_checklist("iso9001-2015")
    ids, parts = make_parts(cl)
    r = merge_frames(parts, cl)
    assert [c.id for c in r.conflicts] == [ids[1]]  # no vs partial; same 'partial' + same 'e3' is no conflict
    assert "a.xlsx (A) answered 'no'; b.xlsx (B) answered 'partial'" in r.conflicts[0].line()
    got = {p: merge_frames(parts, cl, Prefer(p)).responses.set_index("id") for p in ("first", "latest", "worst")}
    assert got["first"].at[ids[1], "answer"] == "no" and got["latest"].at[ids[1], "answer"] == "partial"
    assert got["worst"].at[ids[1], "answer"] == "no"
    assert got["first"].at[ids[1], "notes"] == "n2"  # a blank in the winner is filled from the other part
    r = merge_frames(parts, cl, Prefer.LATEST)
    assert r.answered_by[ids[0]] == "A" and r.answered_by[ids[1]] == "B" and r.answered_by[ids[2]] == "A, B"


def test_merge_cli_conflict_writes_nothing(tmp_path):
    cl = load_checklist("iso9001-2015")
    _, parts = make_parts(cl)
    paths = []
    for p in parts:
        path = tmp_path / p.label
        write_responses(path, {"office": "X", "assessor": p.name, "date": p.date}, p.responses, cl)
        paths.append(path)
    out = tmp_path / "merged.xlsx"
    res = run("merge", *paths, "-o", out)
    assert res.exit_code == 1 and not out.exists()
    lines = res.output.strip().splitlines()
    assert lines[0].startswith("conflict: question ") and lines[-1].startswith("error: 1 conflicting answer, nothing written")
    assert "Traceback" not in res.output
    res = run("merge", *paths, "-o", out, "--prefer", "latest")
    assert res.exit_code == 0 and out.exists()
    res = run("merge", *paths, "-o", tmp_path / "m.yaml", "--prefer", "first")
    assert res.exit_code == 0
    assert read_answered_by(tmp_path / "m.yaml")[cl.questions["id"][1]] == "A"


@pytest.mark.parametrize("case", ["office", "csv_out", "assign_bad_clause", "assign_overlap", "assign_not_list",
                                  "owner_needs_from", "missing_part"])
def test_bad_inputs_are_one_line(tmp_path, office_file, case):
    assign = tmp_path / "assign.yaml"
    args: list = []
    if case == "office":
        other = tmp_path / "other.yaml"
        write_responses(other, {"office": "Other Office"}, pd.DataFrame({"id": ["4.1-a"], "answer": ["yes"]}))
        args = ["merge", office_file, other, "-o", tmp_path / "m.xlsx"]
    elif case == "csv_out":
        args = ["merge", office_file, "-o", tmp_path / "m.csv"]
    elif case.startswith("assign"):
        assign.write_text({"assign_bad_clause": "A: ['4', '11.2']\n", "assign_overlap": "A: ['4']\nB: ['4']\n",
                           "assign_not_list": "A: {x: 1}\n"}[case])
        args = ["template", "iso9001-2015", "--office", "X", "--split-by", "clause", "--assign", assign,
                "-o", tmp_path / "p.xlsx"]
    elif case == "owner_needs_from":
        args = ["template", "iso9001-2015", "--office", "X", "--split-by", "owner", "-o", tmp_path / "p.xlsx"]
    elif case == "missing_part":
        args = ["merge", office_file, tmp_path / "gone.xlsx", "-o", tmp_path / "m.xlsx"]
    res = run(*args)
    assert res.exit_code in (1, 2), res.output  # 2: click's usage errors
    text = res.output.strip()
    assert "Traceback" not in text and text.count("\n") <= 3
    expect = {"office": "Other Office", "csv_out": "m.csv", "assign_bad_clause": "11.2", "assign_overlap": "both",
              "assign_not_list": "assign.yaml", "owner_needs_from": "--from", "missing_part": "gone.xlsx"}[case]
    assert expect in text
    assert not (tmp_path / "m.xlsx").exists()


def test_split_ids_most_specific_clause_wins():
    cl = load_checklist("iso9001-2015")
    parts = split_ids(cl, SplitBy.CLAUSE, {"A": ["8"], "B": ["8.5.1"]})
    clause = cl.questions.set_index("id")["clause"]
    assert all(clause[i] == "8.5.1" for i in parts["B"])
    assert all(clause[i].startswith("8") and clause[i] != "8.5.1" for i in parts["A"])
    assert "unassigned" in parts
    with pytest.raises(MergeError, match="needs --assign"):
        split_ids(cl, SplitBy.CLAUSE, None)


def test_kpis_go_to_one_part_and_conflicting_values_are_listed(tmp_path):
    from qmskit.io.merge import merge_files, split_file
    meta, frame = read_responses(PREVIOUS)
    cl = load_checklist(meta["checklist"])
    res = split_file(cl, meta, frame.drop(columns="row"), tmp_path / "p.xlsx", SplitBy.CLAUSE,
                     {"A": ["4", "5", "6", "7", "8"], "B": ["9", "10"]})
    _, _ = read_responses(res.files["A"])
    meta_a, _ = read_responses(res.files["A"])
    meta_b, _ = read_responses(res.files["B"])
    assert all(k["value"] is None for k in meta_a.get("kpis", []))  # the KPIs (clause 9.1) are B's to measure
    assert {k["id"]: k["value"] for k in meta_b["kpis"]} == {k["id"]: k["value"] for k in meta["kpis"]}
    merged = merge_files(list(res.files.values()), tmp_path / "m.xlsx")
    assert not merged.conflicts
    assert read_responses(tmp_path / "m.xlsx")[0]["kpis"] == meta["kpis"]
    # a second file measuring one indicator differently: a conflict line, resolved by --prefer worst
    other = dict(meta_b)
    other["kpis"] = [dict(k, value=(k["value"] or 0) - 5) if k["id"] == "sat-satisfied" else k for k in meta_b["kpis"]]
    other["assessor"] = "C"
    _, frame_b = read_responses(res.files["B"])
    write_responses(tmp_path / "c.xlsx", other, frame_b.drop(columns="row"), cl)
    r = run("merge", res.files["A"], res.files["B"], tmp_path / "c.xlsx", "-o", tmp_path / "m2.xlsx")
    assert r.exit_code == 1 and "conflict: KPI sat-satisfied: " in r.output
    r = run("merge", res.files["A"], res.files["B"], tmp_path / "c.xlsx", "-o", tmp_path / "m2.xlsx", "--prefer", "worst")
    assert r.exit_code == 0, r.output
    got = {k["id"]: k["value"] for k in read_responses(tmp_path / "m2.xlsx")[0]["kpis"]}
    want = {k["id"]: k["value"] for k in meta["kpis"]}
    assert got["sat-satisfied"] == want["sat-satisfied"] - 5  # higher is better: the lower value is worse


def _workbook(path: Path, header: list, rows: list, rich: bool = False) -> Path:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "Assessment"
    ws.append(header)
    for row in rows:
        ws.append(row)
    if rich:  # the label split into two formatted runs: only a full read sees it
        from openpyxl.cell.rich_text import CellRichText, TextBlock
        from openpyxl.cell.text import InlineFont
        ws.cell(1, len(header)).value = CellRichText(TextBlock(InlineFont(b=True), "Answered"), " by")
    wb.save(path)
    return path


def test_answered_by_is_found_in_shared_strings_in_any_case_and_behind_rich_text(tmp_path):
    """The cheap marker (no openpyxl for a file that is not a merged one) never hides a real column."""
    from qmskit.io.merge import _may_have_answered_by
    shared = _workbook(tmp_path / "shared.xlsx", ["id", "answer", "ANSWERED BY"], [["4.1-a", "yes", "Li Wei"]])
    assert _may_have_answered_by(shared) and read_answered_by(shared) == {"4.1-a": "Li Wei"}
    zh = _workbook(tmp_path / "zh.xlsx", ["编号", "answer", "回答人"], [["4.1-a", "yes", "王芳"]])
    assert read_answered_by(zh) == {"4.1-a": "王芳"}
    rich = _workbook(tmp_path / "rich.xlsx", ["id", "answer", "x"], [["4.1-a", "yes", "Li Wei"]], rich=True)
    assert _may_have_answered_by(rich) and read_answered_by(rich) == {"4.1-a": "Li Wei"}
    plain = _workbook(tmp_path / "plain.xlsx", ["id", "answer", "notes"], [["4.1-a", "yes", "answered by Li"]])
    assert read_answered_by(plain) == {}


def test_a_plain_responses_workbook_is_not_opened_for_answered_by(tmp_path):
    """Every report and every office of a batch asks; a file qmskit wrote (inline strings) answers from
    its header row alone."""
    from qmskit.io.merge import _may_have_answered_by
    cl = load_checklist("iso9001-2015")
    frame = pd.DataFrame({"id": cl.questions["id"], "answer": "yes", "notes": "answered by the office"})
    path = tmp_path / "office.xlsx"
    write_responses(path, {"office": "X"}, frame, cl, backup=False)
    assert not _may_have_answered_by(path)
    assert read_answered_by(path) == {}


def test_answered_by_is_remembered_from_reading_the_workbook(tmp_path, office_file, monkeypatch):
    """A report reads a workbook, then asks who answered what: the answer comes from that read (a merged
    workbook's column, {} for a plain one) without opening the file again; a changed file is read anew."""
    import qmskit.io.xlsx_read as xlsx_read
    from qmskit.io.merge import MergeResult, write_merged
    cl = load_checklist("iso9001-2015")
    meta, frame = read_responses(office_file)
    plain = tmp_path / "plain.xlsx"
    write_responses(plain, meta, frame, cl, backup=False)
    merged = tmp_path / "merged.xlsx"
    who = {qid: ("Li Wei" if i % 2 else "王芳") for i, qid in enumerate(frame["id"][:12])}
    write_merged(merged, MergeResult(meta, frame.drop(columns="row"), who), cl)
    fresh = read_answered_by(merged)  # not read in this process yet: read with calamine
    assert fresh == who
    read_responses(plain)
    read_responses(merged)

    def no_second_read(path):
        raise AssertionError(f"{path} opened again")
    monkeypatch.setattr(xlsx_read, "open_workbook", no_second_read)
    assert read_answered_by(plain) == {}
    assert read_answered_by(merged) == who
    monkeypatch.undo()
    write_merged(merged, MergeResult(meta, frame.drop(columns="row"), {frame["id"][0]: "Zhang Min"}), cl)
    assert read_answered_by(merged) == {frame["id"][0]: "Zhang Min"}


def test_moonbay_split_and_merge_counts_agree(tmp_path):
    """The demo's flow: the parts' question counts add up to the merged total, the excluded 8.3 questions
    (left blank, n/a by the office's excluded_clauses) are counted as excluded, not dropped; the exclusion
    itself is carried into the re-assessment, so the merged file still scores 8.3 as n/a."""
    assign = ROOT / "examples" / "gov" / "moonbay-assign.yaml"
    res = run("template", "gov-office", "--from", PREVIOUS, "--keep-answers", "--split-by", "clause", "--assign",
              assign, "-o", tmp_path / "parts" / "moonbay-2027.xlsx")
    assert res.exit_code == 0, res.output
    split = dict(re.findall(r"\((\d+) questions for ([^\n]+)\)", res.output)[i][::-1] for i in range(3))
    assert split["张敏 (Zhang Min)"] == "188"
    total = sum(int(n) for n in split.values())
    cl = load_checklist("gov-office")
    excluded = int(cl.questions["clause"].str.match(r"8\.3(\.|$)").sum())
    merged = tmp_path / "merged.xlsx"
    res = run("merge", *sorted((tmp_path / "parts").glob("moonbay-2027-*.xlsx")), "-o", merged)
    assert res.exit_code == 0, res.output
    assert f"{total} questions ({excluded} excluded) from 3 parts" in res.output
    for name, n in split.items():
        assert f"{name}: {n}" in res.output
    meta, frame = read_responses(merged)
    assert len(frame) == total and meta["excluded_clauses"].startswith("8.3")
    a = qmskit.score("gov-office", frame, meta)
    assert (a.questions.loc[a.questions["clause"].str.match(r"8\.3(\.|$)"), "answer"] == "n/a").all()


def test_split_again_refuses_parts_that_hold_answers_and_writes_none(tmp_path):
    """A second `template --split-by` over parts the assessors filled: the same refusal as plain `template`,
    every part checked before any is written; --force replaces them, each kept as its backup."""
    assign = tmp_path / "assign.yaml"
    assign.write_text('alice: ["4", "5", "6"]\nbob: ["7", "8", "9", "10"]\n', encoding="utf-8")
    out = tmp_path / "x.xlsx"
    split = ("template", "iso9001-2015", "--office", "X", "--split-by", "clause", "--assign", assign, "-o", out)
    assert run(*split).exit_code == 0
    alice, bob = tmp_path / "x-alice.xlsx", tmp_path / "x-bob.xlsx"
    # bob (the part written last) has answered; alice has not started, but her part is not rewritten either
    meta, frame = read_responses(bob)
    frame["answer"], frame["evidence"] = "partial", "bob typed this"
    write_responses(bob, meta, frame, backup=False)
    before = {p: p.read_bytes() for p in (alice, bob)}
    again = run(*split)
    assert again.exit_code == 1
    assert again.output == f"error: {bob}: already holds {len(frame)} answers; use --force to replace it\n"
    assert {p: p.read_bytes() for p in (alice, bob)} == before, "no part rewritten"
    assert not list(tmp_path.glob("*.bak"))
    forced = run(*split, "--force")
    assert forced.exit_code == 0, forced.output
    assert f"wrote {bob} ({len(frame)} questions for bob); previous file kept as x-bob.xlsx.bak\n" in forced.output
    assert read_responses(bob)[1]["answer"].isna().all()
    restored = shutil.copyfile(tmp_path / "x-bob.xlsx.bak", tmp_path / "restored.xlsx")
    assert (read_responses(restored)[1]["answer"] == "partial").all()


def _edit(path: Path, change) -> None:
    """``change(workbook)`` saved back, as a consultant's spreadsheet program would."""
    import openpyxl
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)


def _column(ws, header: str) -> dict[str, object]:
    """{question id: value} of the Assessment column headed ``header``."""
    head = [c.value for c in ws[1]]
    col, idc = head.index(header), head.index("ID")
    return {r[idc].value: r[col].value for r in ws.iter_rows(min_row=2) if r[idc].value}


def test_merge_again_updates_the_merged_workbook_in_place_and_refuses_to_drop_what_it_holds(tmp_path):
    """`merge -o merged.xlsx` over the merged workbook the consultant has since worked in: the column,
    sheet, comment and summary they added stay, the parts' new answers come in, who answered follows;
    what the workbook holds that the parts do not give is refused unless --force (then in the backup),
    and an answer a part withdrew is cleared, not kept stale."""
    import openpyxl
    from openpyxl.comments import Comment
    assign = tmp_path / "assign.yaml"
    assign.write_text('alice: ["4", "5", "6"]\nbob: ["7", "8", "9", "10"]\n', encoding="utf-8")
    assert run("template", "iso9001-2015", "--office", "X", "--split-by", "clause", "--assign", assign,
               "-o", tmp_path / "x.xlsx").exit_code == 0
    alice, bob, merged = tmp_path / "x-alice.xlsx", tmp_path / "x-bob.xlsx", tmp_path / "merged.xlsx"

    def answer(path, value, rows=slice(None)):
        meta, frame = read_responses(path)
        frame.loc[frame.index[rows], "answer"] = value
        write_responses(path, meta, frame, backup=False)
        return list(frame["id"])
    alice_ids = answer(alice, "yes")
    bob_ids = answer(bob, "partial", slice(0, 100))
    first = run("merge", alice, bob, "-o", merged)
    assert first.exit_code == 0, first.output
    assert "kept as" not in first.output

    def consultant(wb):
        ws = wb["Assessment"]
        ws.cell(1, 20).value, ws.cell(2, 20).value = "Office column", "office data"
        ws.cell(3, 3).comment = Comment("ask the director", "consultant")
        wb.create_sheet("Working notes")["A1"] = "precious"
        office = wb["Office"]
        row = next(r for r in range(2, office.max_row + 1) if office.cell(r, 3).value == "summary")
        office.cell(row, 2).value = "Strong on leadership."
    _edit(merged, consultant)
    answer(bob, "partial")  # bob finishes his part
    again = run("merge", alice, bob, "-o", merged)
    assert again.exit_code == 0, again.output
    wb = openpyxl.load_workbook(merged)
    ws = wb["Assessment"]
    assert (ws.cell(1, 20).value, ws.cell(2, 20).value) == ("Office column", "office data")
    assert ws.cell(3, 3).comment.text == "ask the director" and wb["Working notes"]["A1"].value == "precious"
    assert again.output.endswith("; previous file kept as merged.xlsx.bak\n")
    meta, back = read_responses(merged)
    assert meta["summary"] == "Strong on leadership."
    assert back.set_index("id")["answer"].to_dict() == {**dict.fromkeys(alice_ids, "yes"),
                                                        **dict.fromkeys(bob_ids, "partial")}
    who = _column(ws, "Answered by")
    assert who == {**dict.fromkeys(alice_ids, "alice"), **dict.fromkeys(bob_ids, "bob")}

    # the consultant notes a question in the merged workbook; alice withdraws her answer to another
    noted = bob_ids[5]

    def note(wb):
        ws = wb["Assessment"]
        ws.cell(next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value == noted), 7).value = "consultant's note"
    _edit(merged, note)
    answer(alice, None, slice(0, 1))
    before = merged.read_bytes()
    refused = run("merge", alice, bob, "-o", merged)
    assert refused.exit_code == 1
    assert refused.output == (f"error: {merged}: already holds 2 entries the parts do not give, which the merge "
                              f"would replace or clear (the first: question {alice_ids[0]}); use --force to "
                              "replace them\n")
    assert merged.read_bytes() == before, "nothing written"
    forced = run("merge", alice, bob, "-o", merged, "--force")
    assert forced.exit_code == 0, forced.output
    assert forced.output.endswith("; previous file kept as merged.xlsx.bak\n")
    _, back = read_responses(merged)
    back = back.set_index("id")
    assert pd.isna(back.at[alice_ids[0], "answer"]), "the withdrawn answer is not kept stale"
    assert back.at[noted, "notes"] == "" and back.at[noted, "answer"] == "partial"
    ws = openpyxl.load_workbook(merged)["Assessment"]
    assert _column(ws, "Answered by")[alice_ids[0]] is None and ws.cell(2, 20).value == "office data"
    kept = read_responses(shutil.copyfile(tmp_path / "merged.xlsx.bak", tmp_path / "kept.xlsx"))[1].set_index("id")
    assert kept.at[noted, "notes"] == "consultant's note" and kept.at[alice_ids[0], "answer"] == "yes"
