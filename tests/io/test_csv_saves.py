"""A CSV responses file saved by qmskit (the form, write_responses, migrate -o same.csv) keeps what was typed:
metadata over several lines (a Markdown executive summary, a two-line scope) comes back exactly, and the
columns the office added (office_ref, reviewed_by …) stay, with their values, in their order."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import qmskit
from qmskit.io.responses import read_responses, write_responses

SUMMARY = "## Findings\n\n- item one\n- item two, with a comma\n\nSecond paragraph: \"quoted\" 质量手册."


@pytest.mark.parametrize("value", [
    SUMMARY, "Site A\nSite B", '"Quoted" at the start', '"Site A"', '"a\\nb"', "C:\\docs\\new", 'ends with "',
    '"', '"\n"', "\\", "=1+1\n@cmd", "- a bullet\n- another", "plain, with a comma",
])
def test_metadata_round_trips_exactly_through_a_csv_save(tmp_path, value):
    path = tmp_path / "o.csv"
    meta = {"office": "Lakeside", "summary": value, "scope": value}
    write_responses(path, meta, pd.DataFrame({"id": ["4.1-a"], "answer": ["yes"], "evidence": ["line1\nline2"]}),
                    "iso9001-2015")
    meta2, frame = read_responses(path)
    assert (meta2["summary"], meta2["scope"]) == (value, value)
    assert frame["evidence"].tolist() == ["line1\nline2"]
    head = path.read_text(encoding="utf-8").split("\nid,", 1)[0]
    assert len(head.splitlines()) == len([k for k in meta2 if k != "kpis"])  # one line per key still


@pytest.mark.parametrize("line, value", [
    ('# scope: "Site A"\n', '"Site A"'),                       # typed in quotes by hand
    ('"# scope: ""Site A"""\n', '"Site A"'),                   # as qmskit wrote a quoted value before
    ('"# scope: ""C:\\docs"""\n', '"C:\\docs"'),               # a backslash, but no JSON string: as written
    ('"# scope: ""C:\\temp"""\n', '"C:\\temp"'),               # a JSON string, but not one qmskit writes
    ('"# scope: ""say \\""hi\\"""""\n', '"say \\"hi\\""'),       # nor this one (no line break or leading quote)
    ("# summary: ## Findings - item one - item two\n", "## Findings - item one - item two"),  # a flattened one
])
def test_files_written_before_read_as_they_did(tmp_path, line, value):
    path = tmp_path / "o.csv"
    path.write_text("# office: Lakeside\n" + line + "id,answer\n4.1-a,yes\n", encoding="utf-8")
    meta, _frame = read_responses(path)
    assert meta[line.split(":")[0].strip('"# ')] == value


OFFICE_CSV = ("# office: Lakeside\nid,answer,evidence,notes,owner,due,office_ref,reviewed_by\n"
              "4.1-a,yes,minutes,,,,REF-001,Ms Wang\n4.1-b,no,,,,,REF-002,Mr Li\n4.2-a,,,,,,,\n")


def test_a_save_keeps_the_office_columns_with_their_values_in_their_order(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text(OFFICE_CSV, encoding="utf-8")
    meta, frame = read_responses(path)
    frame.loc[frame.id == "4.1-b", "answer"] = "partial"  # one edit, as the form saves it
    write_responses(path, meta, frame)
    table = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    assert list(table.columns[-2:]) == ["office_ref", "reviewed_by"]
    assert table[["id", "answer", "office_ref", "reviewed_by"]].values.tolist() == [
        ["4.1-a", "yes", "REF-001", "Ms Wang"], ["4.1-b", "partial", "REF-002", "Mr Li"], ["4.2-a", "", "", ""]]
    _meta, again = read_responses(path)  # and it still reads as responses (the reader ignores them)
    assert again["answer"].tolist() == ["yes", "partial", None]


def test_office_columns_by_question_id_whatever_the_rows_order(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text(OFFICE_CSV, encoding="utf-8")
    meta, frame = read_responses(path)
    write_responses(path, meta, frame.iloc[::-1])
    table = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False).set_index("id")
    assert table.loc["4.1-a", "office_ref"] == "REF-001" and table.loc["4.1-b", "reviewed_by"] == "Mr Li"


def test_office_columns_are_neutralised_and_read_back_as_typed(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("id,answer,=Ref\n4.1-a,yes,=HYPERLINK(\"x\")\n4.1-b,no,'tis\n", encoding="utf-8")
    meta, frame = read_responses(path)
    for _ in range(2):  # a second save neither adds a second quote nor loses one
        write_responses(path, meta, frame)
        text = path.read_text(encoding="utf-8")
        assert "'=Ref" in text and "\"'=HYPERLINK(\"\"x\"\")\"" in text and ",'tis" in text
        assert "''" not in text
    from qmskit.io.responses import _csv_parts
    _meta, table, _start = _csv_parts(path)
    assert table["=Ref"].tolist() == ['=HYPERLINK("x")', "'tis"]


def test_a_fresh_file_and_a_blank_trailing_column_add_no_office_columns(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("id,answer,evidence,\n4.1-a,yes,,\n", encoding="utf-8")  # a trailing comma on each line
    meta, frame = read_responses(path)
    write_responses(path, meta, frame)
    assert path.read_text(encoding="utf-8").splitlines()[3] == "id,answer,evidence,notes,owner,due,question"
    write_responses(tmp_path / "new.csv", meta, frame)
    assert "office_ref" not in (tmp_path / "new.csv").read_text(encoding="utf-8")
    assert isinstance(qmskit.read_responses(path)[1], pd.DataFrame)


def test_migrate_over_the_same_csv_keeps_the_office_columns(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("# summary: " + SUMMARY.replace("\n", " ") + "\n" + OFFICE_CSV.split("\n", 1)[1], encoding="utf-8")
    meta, frame = read_responses(path)
    meta["summary"] = SUMMARY
    write_responses(path, meta, frame)
    meta2, _ = read_responses(path)
    assert meta2["summary"] == SUMMARY and "REF-002" in path.read_text(encoding="utf-8")
    assert Path(str(path) + ".bak").exists() or any(tmp_path.glob("*.bak"))
