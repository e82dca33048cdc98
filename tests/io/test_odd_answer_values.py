"""Answer cells that are numbers no level can be (inf, 1e400, nan) or booleans (an Excel TRUE, YAML ``true``):
each is the usual bad-answer line naming the file, the row or line, the value and the allowed values, never an
internal error, and never read as another answer (True == 1 in Python)."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from forkcli import run_qmskit

import qmskit
from qmskit.io.responses import empty_responses, read_responses
from qmskit.io.xlsx import _canonical_answer

DATA = Path(__file__).parents[1] / "data"
LEVELS = "allowed: 1, 2, 3, 4 or 5"


@pytest.fixture
def maturity(tmp_path: Path) -> Path:
    """tests/data/mini.yaml on the maturity scale, beside the responses files that name it."""
    text = (DATA / "mini.yaml").read_text(encoding="utf-8")
    path = tmp_path / "mini-m.yaml"
    path.write_text(text.replace("id: mini\n", "id: mini-m\n").replace("scale: compliance", "scale: maturity"),
                    encoding="utf-8")
    return path


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["inf", "-inf", "1e400", "nan", "Infinity", "-1e999"])
def test_a_csv_level_no_number_can_hold_is_a_bad_answer(tmp_path, maturity, value):
    path = write(tmp_path, "m.csv", f"# checklist: mini-m.yaml\nid,answer\n4.1-a,{value}\n")
    with pytest.raises(qmskit.ResponsesError) as caught:
        read_responses(path)
    assert str(caught.value) == f"{path}:line 3: question '4.1-a': answer '{value}' is not allowed; {LEVELS} " \
                                "(blank = unanswered)"


@pytest.mark.parametrize("value, shown", [(".inf", "inf"), ("-.inf", "-inf"), ("1e400", "1e400")])
def test_a_yaml_infinite_level_is_a_bad_answer(tmp_path, maturity, value, shown):
    path = write(tmp_path, "m.yaml", f"checklist: mini-m.yaml\nresponses:\n- {{id: 4.1-a, answer: {value}}}\n")
    with pytest.raises(qmskit.ResponsesError, match=rf"m.yaml:line 3: question '4.1-a': answer '{shown}' is not allowed"):
        read_responses(path)


def test_the_cli_gives_one_line_for_an_infinite_level(tmp_path, maturity):
    path = write(tmp_path, "m.csv", "# checklist: mini-m.yaml\nid,answer\n4.1-a,inf\n4.1-b,2\n")
    out = run_qmskit("score", str(path))
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        f"error: {path}:line 3: question '4.1-a': answer 'inf' is not allowed; {LEVELS} (blank = unanswered)"]


# --------------------------------------------------------------------------- booleans (True == 1 in Python)

def workbook(tmp_path: Path, checklist: Path | str, cells: dict, name: str = "o.xlsx") -> Path:
    """A qmskit workbook whose answer cells are then set as an office's spreadsheet stores them."""
    path = tmp_path / name
    qmskit.write_responses(path, {"office": "X"}, empty_responses(), str(checklist))
    wb = openpyxl.load_workbook(path)
    ws = wb["Assessment"]
    rows = {ws.cell(r, ID_COLUMN).value: r for r in range(2, ws.max_row + 1)}
    for qid, value in cells.items():
        ws.cell(rows[qid], ANSWER_COLUMN).value = value
    wb.save(path)
    return path


ID_COLUMN, ANSWER_COLUMN = 2, 5  # the Assessment sheet's ID and Answer columns


@pytest.mark.parametrize("cells", [{"4.1-a": 1, "4.1-b": True}, {"4.1-a": True, "4.1-b": 1},
                                   {"4.1-a": 1, "4.1-b": True, "5-a": 1.0, "5-b": False}])
def test_a_boolean_cell_is_no_level_and_a_1_is_level_1_in_either_order(tmp_path, maturity, cells):
    path = workbook(tmp_path, maturity, cells)
    with pytest.raises(qmskit.ResponsesError) as caught:
        read_responses(path, qmskit.load_checklist(maturity))  # (a workbook names its checklist by id only)
    problems = getattr(caught.value, "problems", [caught.value])
    bad = {qid for qid, v in cells.items() if isinstance(v, bool)}
    assert len(problems) == len(bad)
    for problem, qid in zip(problems, sorted(bad)):  # rows in checklist order: 4.1-b < 5-b
        assert f"question '{qid}': answer '{cells[qid]}' is not allowed; {LEVELS}" in str(problem)
    for qid in bad:  # without the booleans every 1 reads as level 1
        cells[qid] = None
    _meta, frame = read_responses(workbook(tmp_path, maturity, cells, "fixed.xlsx"), qmskit.load_checklist(maturity))
    assert frame.set_index("id")["answer"].dropna().to_dict() == {q: 1 for q, v in cells.items() if v is not None}


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_cell_is_no_compliance_answer_either(tmp_path, value):
    path = workbook(tmp_path, "iso9001-2015", {"4.1-a": "yes", "4.1-b": value})
    with pytest.raises(qmskit.ResponsesError, match=rf"o.xlsx:row \d+: question '4.1-b': answer '{value}' is not allowed"):
        read_responses(path)


def test_saving_level_1_over_a_boolean_cell_writes_the_1(tmp_path, maturity):
    """An in-place save leaves a cell alone when it already reads as the new answer; TRUE never reads as 1."""
    _canonical_answer.cache_clear()  # the cache is per process: start it empty, as a fresh command does
    path = workbook(tmp_path, maturity, {"4.1-a": 1, "4.1-b": True})
    cl = qmskit.load_checklist(maturity)
    qmskit.write_responses(path, {"office": "X"}, pd.DataFrame({"id": ["4.1-a", "4.1-b"], "answer": [1, 1]}), cl)
    _meta, frame = read_responses(path, cl)
    assert frame.set_index("id")["answer"].dropna().to_dict() == {"4.1-a": 1, "4.1-b": 1}
    ws = openpyxl.load_workbook(path)["Assessment"]
    cells = {ws.cell(r, ID_COLUMN).value: ws.cell(r, ANSWER_COLUMN).value for r in range(2, ws.max_row + 1)}
    assert cells["4.1-b"] is not True and str(cells["4.1-b"]) == "1"  # the file itself, not only what reads it


@pytest.mark.parametrize("first, second", [("1", "true"), ("true", "1"), ("TRUE", "1"), ("1", "on")])
def test_a_yaml_boolean_is_no_level_in_either_order(tmp_path, maturity, first, second):
    path = write(tmp_path, "m.yaml", f"checklist: mini-m.yaml\nresponses:\n- {{id: 4.1-a, answer: {first}}}\n"
                                     f"- {{id: 4.1-b, answer: {second}}}\n")
    word, line = (first, 3) if first != "1" else (second, 4)
    with pytest.raises(qmskit.ResponsesError) as caught:
        read_responses(path)
    assert str(caught.value) == f"{path}:line {line}: question '{'4.1-a' if line == 3 else '4.1-b'}': " \
                                f"answer '{word}' is not allowed; {LEVELS} (blank = unanswered)"


@pytest.mark.parametrize("word", ["true", "True", "false", "on", "OFF"])
def test_a_yaml_true_is_no_compliance_answer_but_yes_and_no_are(tmp_path, word):
    path = write(tmp_path, "o.yaml", f"office: X\nresponses:\n- {{id: 4.1-a, answer: yes}}\n"
                                     f"- {{id: 4.1-b, answer: {word}}}\n- {{id: 4.2-a, answer: No, notes: no}}\n")
    with pytest.raises(qmskit.ResponsesError, match=rf"o.yaml:line 4: question '4.1-b': answer '{word}' is not allowed"):
        read_responses(path)
    path.write_text(path.read_text(encoding="utf-8").replace(f"answer: {word}", "answer: n"), encoding="utf-8")
    _meta, frame = read_responses(path)
    assert frame["answer"].tolist() == ["yes", "no", "no"]
    assert frame["notes"].tolist() == ["", "", "no"]  # the word written, not "False"


def test_score_many_keeps_a_boolean_apart_from_level_1(maturity):
    cl = qmskit.load_checklist(maturity)
    for answers in ([1, True], [True, 1]):
        tidy = pd.DataFrame({"office": ["A", "B"], "id": ["4.1-a", "4.1-a"], "answer": answers})
        with pytest.raises(qmskit.ResponsesError, match="answer True is not allowed|answer 'True' is not allowed"):
            qmskit.score_many(cl, tidy)
