"""Issue 4: responses files in three formats, the field workbook, and every bad-input case."""
from __future__ import annotations

import subprocess
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from forkcli import run_qmskit

import qmskit
from qmskit.io.responses import COLUMNS, ResponsesWarning, read_responses, write_responses

DATA = Path(__file__).parents[1] / "data"
ISO = qmskit.load_checklist("iso9001-2015")
META = {"office": "Lakeside <Office> & Co", "assessor": "A. Consultant", "date": "2026-11-01",
        "scope": "Documents, meetings, affairs", "status": "draft"}


def cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m qmskit ARGS`` in a process of its own, forked from a pre-imported interpreter (forkcli)."""
    return run_qmskit(*args)


def sample_frame() -> pd.DataFrame:
    ids = ISO.questions["id"].tolist()
    answers = ["yes", "partial", "no", "n/a", ""]
    rows = []
    for i, qid in enumerate(ids[:40]):
        answer = answers[i % 5]
        if answer == "n/a" and not ISO.questions.set_index("id").loc[qid, "na_allowed"]:
            answer = "no"
        rows.append({"id": qid, "answer": answer, "evidence": f"Evidence for {qid}: 质量手册 v{i}, \"quoted\", a,b",
                     "notes": "line one\nline two" if i % 3 == 0 else "", "owner": "王主任" if i % 2 else "",
                     "due": f"2026-12-{1 + i % 28:02d}" if i % 4 == 0 else ""})
    return pd.DataFrame(rows)


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """What a round trip must preserve: answered or annotated rows, canonical answers."""
    f = frame[COLUMNS].copy()
    f["answer"] = f["answer"].map(lambda v: None if v in ("", None) else v)
    keep = f["answer"].notna() | (f[["evidence", "notes", "owner", "due"]] != "").any(axis=1)
    return f[keep].sort_values("id").reset_index(drop=True)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".yaml"])
def test_round_trip_without_loss(tmp_path, suffix):
    path = tmp_path / f"office{suffix}"
    original = sample_frame()
    write_responses(path, META, original, ISO)
    meta, back = read_responses(path)
    assert meta["office"] == META["office"] and meta["date"] == "2026-11-01"
    assert meta["checklist"] == ISO.id and meta["checklist_version"] == ISO.version
    expected = canonical(validate := qmskit.io.responses.validate_responses(original, ISO))
    assert validate is not None
    pd.testing.assert_frame_equal(canonical(back), expected)
    # and the scores agree exactly
    assert qmskit.score(ISO, back).to_dict()["clauses"] == qmskit.score(ISO, expected).to_dict()["clauses"]


def test_xlsx_to_yaml_to_csv_chain_keeps_everything(tmp_path):
    write_responses(tmp_path / "a.xlsx", META, sample_frame(), ISO)
    meta, f = read_responses(tmp_path / "a.xlsx")
    write_responses(tmp_path / "b.yaml", meta, f, ISO)
    meta2, f2 = read_responses(tmp_path / "b.yaml")
    write_responses(tmp_path / "c.csv", meta2, f2, ISO)
    meta3, f3 = read_responses(tmp_path / "c.csv")
    pd.testing.assert_frame_equal(canonical(f3), canonical(f))
    assert {k: meta3[k] for k in META} == META


def test_template_workbook_is_ready_to_hand_out(tmp_path):
    path = tmp_path / "t.xlsx"
    out = cli("template", "iso9001-2015", "--office", "Lakeside Office", "--lang", "zh", "-o", str(path))
    assert out.returncode == 0, out.stderr
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == ["Office", "Assessment"]
    ws = wb["Assessment"]
    assert ws.freeze_panes == "C2"
    assert ws.column_dimensions["B"].hidden  # the id column
    assert ws.protection.sheet
    assert [c.value for c in ws[1]][:5] == ["条款", "编号", "问题", "审核关注的证据", "答案"]
    dv = ws.data_validations.dataValidation[0]
    assert dv.formula1 == '"是,部分,否,不适用"'
    ids = [r[1] for r in ws.iter_rows(min_row=2, values_only=True) if r[1]]
    assert ids == ISO.questions["id"].tolist()
    assert ws.cell(3, 2).protection.locked and not ws.cell(3, 5).protection.locked
    assert any(d.outline_level for d in ws.row_dimensions.values())  # grouped by clause
    office = {r[2]: r[1] for r in wb["Office"].iter_rows(min_row=2, values_only=True)}
    assert office["office"] == "Lakeside Office" and office["checklist"] == "iso9001-2015"
    # rewriting keeps the previous file as .bak
    out = cli("template", "iso9001-2015", "--office", "Other", "-o", str(path))
    assert out.returncode == 0 and (tmp_path / "t.xlsx.bak").exists()
    assert "kept as t.xlsx.bak" in out.stdout


@pytest.mark.parametrize("lang, with_na, without_na", [
    ("zh", "请从下拉列表中选择答案：是、部分、否、不适用", "请从下拉列表中选择答案：是、部分、否"),
    ("en", "Choose an answer from the list: yes, partial, no, n/a", "Choose an answer from the list: yes, partial, no"),
], ids=["zh", "en"])
def test_answer_dropdown_error_names_the_choices_in_the_workbooks_language(tmp_path, lang, with_na, without_na):
    """What Excel or WPS says when an answer cell gets a value off its list: the list's own words, in the
    workbook's language (a Chinese workbook said "yes, partial, no, n/a": English words its list,
    是/部分/否/不适用, refuses)."""
    path = tmp_path / "t.xlsx"
    write_responses(path, {"office": "X", "language": lang}, pd.DataFrame({"id": ISO.questions["id"]}), ISO,
                    lang=lang, backup=False)
    dvs = openpyxl.load_workbook(path)["Assessment"].data_validations.dataValidation
    na = "不适用" if lang == "zh" else "n/a"
    assert {na in d.formula1: d.error for d in dvs if d.type == "list"} == {True: with_na, False: without_na}


def test_filled_in_workbook_reads_back_leniently(tmp_path):
    path = tmp_path / "f.xlsx"
    write_responses(path, {"office": "X"}, pd.DataFrame(columns=COLUMNS), ISO)
    wb = openpyxl.load_workbook(path)
    ws = wb["Assessment"]
    rows = {ws.cell(r, 2).value: r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value}
    ws.cell(rows["4.1-a"], 5).value = "是"
    ws.cell(rows["4.1-b"], 5).value = " Partial "
    import datetime as dt
    ws.cell(rows["4.1-b"], 9).value = dt.datetime(2027, 1, 15)
    wb.save(path)
    meta, f = read_responses(path)
    got = f.set_index("id")
    assert got.loc["4.1-a", "answer"] == "yes" and got.loc["4.1-b", "answer"] == "partial"
    assert got.loc["4.1-b", "due"] == "2027-01-15"


# --------------------------------------------------------------------------- bad input

def write_csv(tmp_path: Path, body: str, name="bad.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize("body, message", [
    ("id,answer\n4.1-a,yes\nnope-1,no\n", "line 3: question id 'nope-1' is not in checklist iso9001-2015"),
    ("id,answer\n4.1-a,yes\n4.1-a,no\n", "line 3: question id '4.1-a' appears twice (first at line 2)"),
    ("id,answer\n4.1-a,maybe\n", "line 2: question '4.1-a': answer 'maybe' is not allowed; allowed: yes, partial, no"),
    ("id,answer,due\n4.1-a,yes,next week\n", "line 2: question '4.1-a' due date: 'next week' is not a date"),
    ("# date: 31/31/2026\nid,answer\n4.1-a,yes\n", "date: '31/31/2026' is not a date (use YYYY-MM-DD)"),
    ("id,answer\n4.3-b,n/a\n", "line 2: question '4.3-b' cannot be n/a"),
    ("question,value\nx,y\n", "CSV header lacks column(s) id, answer"),
])
def test_bad_csv_inputs_are_one_line_errors(tmp_path, body, message):
    path = write_csv(tmp_path, body)
    out = cli("score", str(path))
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1, out.stderr
    assert out.stderr.startswith(f"error: {path}")
    assert message in out.stderr


def test_empty_file(tmp_path):
    path = write_csv(tmp_path, "", "empty.xlsx")
    out = cli("score", str(path))
    assert out.returncode == 1 and out.stderr.strip() == f"error: {path}: empty file"


def test_not_a_spreadsheet(tmp_path):
    path = write_csv(tmp_path, "this is text, not a workbook", "fake.xlsx")
    out = cli("score", str(path))
    assert out.returncode == 1 and "not an .xlsx workbook" in out.stderr and "Traceback" not in out.stderr


def test_wrong_sheet_names(tmp_path):
    path = tmp_path / "wrong.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(path)
    out = cli("score", str(path))
    assert out.returncode == 1
    assert "no sheet named 'Assessment' (found: Sheet1)" in out.stderr


def test_unsupported_suffix(tmp_path):
    path = write_csv(tmp_path, "x", "office.txt")
    out = cli("score", str(path))
    assert out.returncode == 1 and "unsupported file type '.txt'" in out.stderr


def test_yaml_unknown_key_and_line(tmp_path):
    path = write_csv(tmp_path, "office: X\nresponses:\n  - id: 4.1-a\n    answer: yes\n  - id: 4.1-b\n    anser: no\n",
                     "o.yaml")
    with pytest.raises(qmskit.ResponsesError, match=r"o.yaml:line 5: unknown key 'anser'"):
        read_responses(path)


def test_yaml_bare_yes_no_are_answers_not_booleans(tmp_path):
    path = write_csv(tmp_path, "office: X\nresponses:\n  - {id: 4.1-a, answer: yes}\n  - {id: 4.1-b, answer: no}\n",
                     "o.yaml")
    _, f = read_responses(path)
    assert f["answer"].tolist() == ["yes", "no"]


def test_checklist_version_mismatch_warns_and_strict_fails(tmp_path):
    path = write_csv(tmp_path, "# checklist_version: 2008\nid,answer\n4.1-a,yes\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_responses(path)
    assert any(issubclass(w.category, ResponsesWarning) and "version '2008'" in str(w.message) for w in caught)
    out = cli("score", str(path))
    assert out.returncode == 0 and "warning:" in out.stderr and "version '2008'" in out.stderr
    out = cli("score", "--strict", str(path))
    assert out.returncode == 1 and "(--strict)" in out.stderr


def test_responses_for_another_checklist_question(tmp_path):
    path = write_csv(tmp_path, "# checklist: mini\nid,answer\n4.1-a,yes\n")
    out = cli("score", "--checklist", "iso9001-2015", str(path))
    # the file says it belongs to 'mini': warn; 4.1-a exists in both, so scoring goes on
    assert out.returncode == 0 and "written for checklist 'mini'" in out.stderr
    path = write_csv(tmp_path, "id,answer\n5-b,yes\n", "other.csv")
    out = cli("score", str(path))
    assert out.returncode == 1 and "question id '5-b' is not in checklist iso9001-2015" in out.stderr


def test_writes_are_atomic_and_keep_a_backup(tmp_path):
    path = tmp_path / "o.yaml"
    write_responses(path, {"office": "X"}, pd.DataFrame([{"id": "4.1-a", "answer": "yes"}]), ISO)
    first = path.read_text(encoding="utf-8")
    write_responses(path, {"office": "X"}, pd.DataFrame([{"id": "4.1-a", "answer": "no"}]), ISO)
    assert (tmp_path / "o.yaml.bak").read_text(encoding="utf-8") == first
    assert not list(tmp_path.glob(".*.tmp"))  # no temp files left behind
    with pytest.raises(Exception):  # noqa: B017  (any failure will do: what matters is the file it leaves)
        write_responses(path, {"office": "X"}, pd.DataFrame([{"id": "4.1-a", "answer": object()}]), "no-such")
    assert "answer: 'no'" in path.read_text(encoding="utf-8") or "answer: no" in path.read_text(encoding="utf-8")


def test_atomic_writes_get_ordinary_permissions(tmp_path):
    import os

    from qmskit.io import iorw
    old = os.umask(0o022)
    iorw.current_umask.cache_clear()  # read again under the umask set here
    try:
        path = iorw.write_text(tmp_path / "r.html", "x")
        assert path.stat().st_mode & 0o777 == 0o644
        os.chmod(path, 0o640)
        iorw.write_text(path, "y")
        assert path.stat().st_mode & 0o777 == 0o640  # an existing file keeps its mode
    finally:
        os.umask(old)
        iorw.current_umask.cache_clear()


@pytest.mark.parametrize("suffix", [".csv", ".yaml"])
def test_text_templates_list_every_question_to_fill_in(tmp_path, suffix):
    path = tmp_path / f"t{suffix}"
    assert cli("template", "iso9001-2015", "--office", "X", "-o", str(path)).returncode == 0
    meta, frame = read_responses(path)
    assert frame["id"].tolist() == ISO.questions["id"].tolist()
    assert frame["answer"].isna().all() and meta["office"] == "X"


def test_score_warns_about_na_without_justification(tmp_path):
    path = tmp_path / "na.csv"
    path.write_text("id,answer,notes\n8.3.1-a,n/a,\n", encoding="utf-8")
    out = cli("score", str(path))
    assert out.returncode == 0
    assert f"warning: {path}: question '8.3.1-a' is n/a without a justification in the notes" in out.stderr


def test_a_failed_validation_never_returns_an_empty_frame(tmp_path, monkeypatch):
    """mypy saw read_responses could return (meta, None): only if validation raised a ResponsesProblems
    whose list is empty, which its constructor refuses (so not a bug today); the guard makes it a one-line
    error should that ever change."""
    import qmskit.io.responses as responses
    from qmskit.errors import ResponsesProblems
    path = tmp_path / "o.csv"
    path.write_text("id,answer\n4.1-a,yes\n", encoding="utf-8")
    with pytest.raises(IndexError):
        ResponsesProblems([])

    def no_named_problem(*args, **kwargs):
        exc = ResponsesProblems([responses.ResponsesError("x")])
        exc.problems = []
        raise exc
    monkeypatch.setattr(responses, "validate_responses", no_named_problem)
    with pytest.raises(responses.ResponsesError, match="could not be read"):
        responses.read_responses(path)
