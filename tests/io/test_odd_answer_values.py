"""Answer cells that are numbers no level can be (inf, 1e400, nan) or booleans (an Excel TRUE, YAML ``true``):
each is the usual bad-answer line naming the file, the row or line, the value and the allowed values, never an
internal error, and never read as another answer (True == 1 in Python)."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from forkcli import run_qmskit

import qmskit
from qmskit.io.responses import read_responses

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
