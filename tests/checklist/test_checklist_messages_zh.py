"""What a consultant who edits a checklist YAML sees when it is wrong: each refusal is a catalog message,
its English line unchanged in ``str(error)``, and one Chinese line naming the file (and the line) in Chinese."""
from __future__ import annotations

import pickle
import sys
import textwrap
from pathlib import Path

import pytest

from qmskit.checklist.crosswalk import load_crosswalk
from qmskit.checklist.loader import load_checklist, validate_checklist_file
from qmskit.errors import ChecklistError
from qmskit.i18n.catalog import error_line

sys.path.insert(0, str(Path(__file__).parents[1]))
from textcheck import assert_chinese_line  # noqa: E402

DATA = Path(__file__).parents[1] / "data"
BASE = DATA / "mini.yaml"
# every bad checklist of the test data but the YAML syntax error (qmskit.io's message, tested there)
BAD = sorted(p.name for p in (DATA / "bad").glob("*.yaml") if p.name != "malformed.yaml")


def refusal(read, path) -> ChecklistError:
    with pytest.raises(ChecklistError) as caught:
        read(path)
    return caught.value


@pytest.mark.parametrize("name", BAD)
def test_each_bad_checklist_is_one_chinese_line(name):
    path = DATA / "bad" / name
    error = refusal(validate_checklist_file, path)
    assert error.code == "checklist.at_key" or error.code.startswith("checklist."), error
    assert error_line(error, "en") == str(error)
    assert_chinese_line(error_line(error, "zh"), path)


def test_schema_and_rule_problems_read_as_chinese():
    path = DATA / "bad" / "bad-weight.yaml"
    assert error_line(refusal(validate_checklist_file, path), "zh") == \
        f"{path}（第 10 行）：clauses[0].questions[0].weight：须大于 0（当前为 0）"
    path = DATA / "bad" / "missing-zh.yaml"
    assert error_line(refusal(validate_checklist_file, path), "zh") == \
        f"{path}（第 9 行）：clauses[0].questions[0].text：缺少必填的键“zh”"
    path = DATA / "bad" / "duplicate-id.yaml"
    assert error_line(refusal(validate_checklist_file, path), "zh") == \
        f"{path}（第 10 行）：clauses[0].questions[1].id：题号“4-a”重复（首次出现在第 8 行）"


def test_a_wrong_type_names_the_type_in_chinese(tmp_path):
    path = tmp_path / "typed.yaml"
    path.write_text(BASE.read_text(encoding="utf-8").replace('version: "1.0"', "version: [1]", 1), encoding="utf-8")
    error = refusal(validate_checklist_file, path)
    assert "expected string" in str(error)
    assert "应为文本" in error_line(error, "zh")


@pytest.mark.parametrize("body", [
    'clauses:\n  - clause: "4"\n    questions:\n      - {id: x, text: {en: a, zh: b}}\n',
    'clauses:\n  - clause: "7.1"\n    title: {en: a, zh: b}\n    questions:\n      - {id: x, text: {en: a, zh: b}}\n',
    'clauses:\n  - clause: "4.9"\n    questions:\n      - {id: x, text: {en: a, zh: b}}\n',
    'clauses:\n  - clause: "4.2"\n    questions:\n      - {id: x, text: {en: a, zh: b}, also_serves: ["9.9"]}\n',
    'clauses:\n  - clause: "4.2"\n    questions:\n      - {id: 4.1-a, text: {en: a, zh: b}}\n',
])
def test_profile_problems_in_chinese(tmp_path, body):
    path = tmp_path / "profile.yaml"
    path.write_text(f'id: p\nversion: "0.1"\nextends: {BASE}\ntitle: {{en: P, zh: 配置}}\n' + body, encoding="utf-8")
    error = refusal(load_checklist, path)
    assert error.code == "checklist.at_key" and error_line(error, "en") == str(error)
    assert_chinese_line(error_line(error, "zh"), path)


def test_unknown_checklist_and_extends_cycle_in_chinese(tmp_path):
    error = refusal(load_checklist, "no-such-checklist")
    assert str(error).startswith("unknown checklist 'no-such-checklist' (bundled: ")
    assert error_line(error, "zh").startswith("未知的检查表“no-such-checklist”（内置检查表：")
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for me, other in ((a, b), (b, a)):
        me.write_text(f'id: {me.stem}\nversion: "1"\nextends: {other}\ntitle: {{en: X, zh: X}}\n', encoding="utf-8")
    error = refusal(load_checklist, a)
    assert "makes a cycle" in str(error) and "形成了循环继承" in error_line(error, "zh")


def test_a_bad_crosswalk_in_chinese(tmp_path):
    path = tmp_path / "cw.yaml"
    path.write_text(textwrap.dedent("""\
        crosswalk: {from: iso9001-2008, to: iso9001-2015}
        mappings:
          - {old: "4.1", new: ["4.4"]}
          - {old: "4.1", new: ["4.4"]}
        """), encoding="utf-8")
    error = refusal(load_crosswalk, path)
    assert str(error) == f"{path}:line 4: mappings[1]: old clause '4.1' appears twice"
    assert error_line(error, "zh") == f"{path}（第 4 行）：mappings[1]：旧条款“4.1”出现了两次"


def test_a_checklist_error_survives_pickling_with_its_key():
    """Batch workers send errors back to the parent: the words stay translatable."""
    error = pickle.loads(pickle.dumps(refusal(validate_checklist_file, DATA / "bad" / "orphan-clause.yaml")))
    assert error.code == "checklist.at_key"
    assert_chinese_line(error_line(error, "zh"), DATA / "bad" / "orphan-clause.yaml")
