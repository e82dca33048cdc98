"""The lines qmskit.io raises and warns are catalog messages: English in ``str(error)`` (unchanged), and
Chinese where the user chose Chinese (``--lang zh``), still one line naming the file, with no English
sentence left in it (file names, column names and commands may stay as they are written)."""
from __future__ import annotations

import pickle
import sys
import warnings
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from qmskit.cli import main
from qmskit.errors import Message, QmskitError, ResponsesError, ResponsesProblems, ResponsesWarning
from qmskit.i18n.catalog import error_line, msg, say
from qmskit.io.actions_xlsx import read_actions
from qmskit.io.limits import MAX_ROWS
from qmskit.io.merge import read_assign
from qmskit.io.responses import read_responses

sys.path.insert(0, str(Path(__file__).parents[1]))
from textcheck import assert_chinese_line  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ASSIGN = ROOT / "examples" / "gov" / "moonbay-assign.yaml"

def refusal(path: Path, read=read_responses) -> QmskitError:
    with pytest.raises(QmskitError) as caught:
        read(path)
    return caught.value


def _workbook(path: Path, header: list[str]) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Assessment"
    wb.active.append(header)
    wb.active.append(["Li Wei", "4"])
    wb.save(path)
    return path


def _cases(tmp: Path) -> dict[str, tuple[Path, object]]:
    """name -> (the file, how to read it): one of each kind of refusal."""
    not_xlsx = tmp / "renamed.xlsx"
    not_xlsx.write_bytes(b"PK\x03\x04 this was never a workbook")
    folder = tmp / "folder.xlsx"
    folder.mkdir()
    deep = tmp / "deep.yaml"
    deep.write_text("responses: " + "[" * 60 + "]" * 60 + "\n", encoding="utf-8")
    rows = tmp / "rows.csv"
    rows.write_text("id,answer\n" + "4.1-a,yes\n" * (MAX_ROWS + 2), encoding="utf-8")
    cell = tmp / "cell.csv"
    cell.write_text("id,answer,evidence\n4.1-a,yes," + "x" * 10_001 + "\n", encoding="utf-8")
    bad_answer = tmp / "answer.csv"
    bad_answer.write_text("id,answer\n4.1-a,maybe\n", encoding="utf-8")
    two = tmp / "two.csv"
    two.write_text("id,answer,due\n4.1-a,maybe\n4.1-b,yes,next week\nnope,yes\n", encoding="utf-8")
    no_cols = tmp / "people.csv"
    no_cols.write_text("name,clauses\nLi Wei,4\n", encoding="utf-8")
    plan = _workbook(tmp / "plan.xlsx", ["Finding", "Owner"])
    return {
        "unreadable: not a workbook": (not_xlsx, read_responses),
        "unreadable: a folder": (folder, read_responses),
        "not a responses file": (ASSIGN, read_responses),
        "missing columns: workbook": (_workbook(tmp / "staff.xlsx", ["Name", "Clauses"]), read_responses),
        "missing columns: csv": (no_cols, read_responses),
        "limit: rows": (rows, read_responses),
        "limit: cell": (cell, read_responses),
        "limit: yaml nesting": (deep, read_responses),
        "answer not allowed": (bad_answer, read_responses),
        "several problems": (two, read_responses),
        "action plan without ID/Status": (plan, read_actions),
        "assignment is not a mapping": (no_cols, read_assign),
    }


@pytest.fixture
def cases(tmp_path):
    # per test (a few ms): a module-wide folder can be cleaned away by another pytest session on this machine
    return _cases(tmp_path)


CASES = ["unreadable: not a workbook", "unreadable: a folder", "not a responses file", "missing columns: workbook",
         "missing columns: csv", "limit: rows", "limit: cell", "limit: yaml nesting", "answer not allowed",
         "several problems", "action plan without ID/Status", "assignment is not a mapping"]


def test_every_case_is_listed(cases):
    assert sorted(cases) == sorted(CASES)


@pytest.mark.parametrize("name", CASES)
def test_each_refusal_is_one_chinese_line_naming_the_file(cases, name):
    path, read = cases[name]
    error = refusal(path, read)
    assert error.code, f"{name}: {error} is not a catalog message"
    assert error_line(error, "en") == str(error)  # the English line is the one it always was
    assert_chinese_line(error_line(error, "zh"), path)


def test_the_chinese_lines_read_as_chinese(cases):
    """Real sentences, not key names: a few lines exactly as a Chinese user reads them."""
    path, _ = cases["not a responses file"]
    assert error_line(refusal(path), "zh") == f"{path}：不是回答文件：没有“responses”项"
    path, _ = cases["missing columns: workbook"]
    assert error_line(refusal(path), "zh") == (f"{path}（第 1 行）：工作表“Assessment”第 1 行须有“ID”（编号）和"
                                               "“Answer”（答案）两列")
    path, _ = cases["limit: rows"]
    assert error_line(refusal(path), "zh") == f"{path}（第 5002 行）：行数超过 5,000 行的上限"
    path, _ = cases["unreadable: a folder"]
    assert error_line(refusal(path), "zh") == f"{path}：这是文件夹，不是回答文件（请指定一个普通文件）"


def test_several_problems_count_the_rest_in_chinese(cases):
    path, _ = cases["several problems"]
    error = refusal(path)
    assert isinstance(error, ResponsesProblems) and error.extra == 2
    line = error_line(error, "zh")
    assert line.startswith(f"{path}（第 2 行）：问题“4.1-a”：答案“maybe”不在可选范围内")
    assert line.endswith("（另有 2 处错误，运行 `qmskit validate-responses 文件` 可全部列出）")
    assert [error_line(p, "zh").split("：", 1)[0] for p in error.problems] == [f"{path}（第 {n} 行）" for n in (2, 3, 4)]


def test_a_gbk_csv_warning_in_chinese(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("id,answer,evidence\n4.1-a,yes,质量手册\n".encode("gb18030"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_responses(path)
    [warning] = [w.message for w in caught if isinstance(w.message, ResponsesWarning)]
    assert str(warning).startswith(f"{path}: not UTF-8; read as GBK/GB18030")
    assert say(warning, "en") == str(warning)
    zh = say(warning, "zh")
    assert_chinese_line(zh, path)
    assert "已按 GBK/GB18030 读取" in zh and "另存为“CSV UTF-8（逗号分隔）”" in zh


def test_a_version_mismatch_warning_in_chinese(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text("office: A\nchecklist: iso9001-2015\nchecklist_version: '0.1'\nresponses: []\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_responses(path)
    [warning] = [w.message for w in caught if isinstance(w.message, ResponsesWarning)]
    assert "written for version '0.1'" in str(warning)
    assert_chinese_line(say(warning, "zh"), path)


def test_a_message_survives_pickling_with_its_key():
    """Batch workers send errors back to the parent process: the words stay translatable."""
    error = ResponsesError(msg("responses.no_responses_key"), path="a.yaml", where=msg("place.line", line=3))
    back = pickle.loads(pickle.dumps(error))
    assert isinstance(back.detail, Message) and back.code == "responses.no_responses_key"
    assert error_line(back, "zh") == "a.yaml（第 3 行）：不是回答文件：没有“responses”项"
    assert str(back) == "a.yaml:line 3: not a responses file: no 'responses' key"


def test_an_error_not_yet_in_the_catalog_stays_its_english_line():
    error = ResponsesError("something only English says", path="a.yaml")
    assert error.code is None and error_line(error, "zh") == "a.yaml: something only English says"


# ----------------------------------------------------------------------------- the CLI decides the language

def test_cli_error_line_follows_lang(tmp_path):
    """`--lang zh` makes the error line Chinese; without it the line is the English one, as before."""
    out = tmp_path / "plan.xlsx"
    zh = CliRunner().invoke(main, ["actions", "plan", str(ASSIGN), "-o", str(out), "--lang", "zh"])
    assert zh.exit_code == 1 and "Traceback" not in zh.output
    [line] = zh.stderr.splitlines()
    assert line == f"错误：{ASSIGN}：不是回答文件：没有“responses”项"
    en = CliRunner().invoke(main, ["actions", "plan", str(ASSIGN), "-o", str(out)])
    assert en.exit_code == 1
    assert en.stderr.splitlines() == [f"error: {ASSIGN}: not a responses file: no 'responses' key"]


def test_cli_warning_line_follows_lang(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text("office: A\nchecklist: iso9001-2015\nchecklist_version: '0.1'\nresponses:\n"
                    "- id: 4.1-a\n  answer: 'yes'\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["actions", "plan", str(path), "-o", str(tmp_path / "plan.xlsx"),
                                       "--lang", "zh"])
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if line.startswith("警告：")]
    assert len(warning) == 1, result.stderr
    assert_chinese_line(warning[0], path)
    assert "该文件按检查表版本“0.1”填写" in warning[0]


def test_reader_warnings_in_the_report_are_said_in_its_language(tmp_path):
    """A reader warning kept with the assessment is shown in the report's language (the attention section)."""
    from markupsafe import escape

    from qmskit.api import load_assessment
    from qmskit.render.report import attention_html

    path = tmp_path / "old.yaml"
    path.write_text("office: A\nchecklist: iso9001-2015\nchecklist_version: '0.1'\nresponses:\n"
                    "- id: 4.1-a\n  answer: 'yes'\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = load_assessment(path)
    [note] = [w for w in a.warnings if "written for version" in w]
    assert note == f"{path}: written for version '0.1', checklist is '{a.checklist.version}'"  # English, as before
    assert escape(note) in attention_html(a, "en")
    zh = attention_html(a, "zh")
    assert f"{path}：该文件按检查表版本“0.1”填写，当前检查表为“{a.checklist.version}”版" in zh
    assert "written for version" not in zh


@pytest.mark.parametrize("text, words", [
    ("office: A\nresponses:\n- id: 4.1-a\n  answer: yes\n answer: no\n", "解析映射时，缺少应有的键"),
    ("office: A\nresponses: [{id: 4.1-a, answer: yes}\n", "解析方括号列表时，缺少应有的“,”或“]”"),
    ("office: 'A\nresponses: []\n", "文件意外结束"),
    ("office: A\n\tresponses: []\n", "读取文本时，缩进中使用了制表符"),
    ("office: A\nresponses: @x\n", "遇到不能出现在此处开头的字符"),
])
def test_a_yaml_syntax_error_in_chinese(tmp_path, text, words):
    """The parser's words for the usual syntax errors are said in Chinese too (libyaml's English stays in
    str(error))."""
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    error = refusal(path)
    assert "malformed YAML" in str(error)
    line = error_line(error, "zh")
    assert words in line and line.startswith(f"{path}（第 ")
    assert_chinese_line(line, path)


def test_validate_responses_lists_problems_in_chinese(cases):
    path, _ = cases["several problems"]
    zh = CliRunner().invoke(main, ["validate-responses", "--lang", "zh", str(path), str(ASSIGN)])
    assert zh.exit_code == 1
    lines = zh.output.splitlines()
    assert lines[3] == f"{path}：共 3 处错误" and lines[5] == f"{ASSIGN}：共 1 处错误"
    for line in lines:
        assert_chinese_line(line, path if str(path) in line else ASSIGN)
    en = CliRunner().invoke(main, ["validate-responses", str(path)])
    assert en.output.splitlines()[0] == f"{path}:line 2: question '4.1-a': answer 'maybe' is not allowed; allowed: " \
                                        "yes, partial, no (also y/p/n, 是/部分/否; blank = unanswered)"
    assert en.output.splitlines()[-1] == f"{path}: 3 problems"


def test_a_batch_office_that_fails_says_why_in_the_batch_language():
    """`qmskit batch --lang zh`: an office that cannot be read fails with its line in Chinese (the summary,
    the progress bar and the manifest show it); without --lang, in English."""
    from qmskit.batch.inputs import score_file

    zh = score_file(ASSIGN, lang="zh")
    assert zh.error == f"{ASSIGN}：不是回答文件：没有“responses”项"
    assert score_file(ASSIGN).error == f"{ASSIGN}: not a responses file: no 'responses' key"


def _plain_text_messages(path: Path):
    """Raise and warn sites whose words are a string literal or an f-string instead of a catalog message."""
    import ast
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name.endswith(("Error", "Warning")) or name in ("warn", "error", "fail"):
            words = node.args[:1]
        elif name == "append" and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id in ("problems", "notes", "warnings"):  # the core's problem and note lists
            words = node.args[:1]
        elif name == "err":  # render.brand's err(key, words)
            words = node.args[1:2]
        else:
            continue
        if any(isinstance(w, ast.JoinedStr) or (isinstance(w, ast.Constant) and isinstance(w.value, str))
               for w in words):
            yield f"{path.relative_to(ROOT)}:{node.lineno}"


GUARDED = ["io", "core", "checklist", "forms"]  # every module of these packages, and the files below
GUARDED_FILES = ["render/brand.py", "render/pdf.py", "render/report.py", "jupyter/notebook.py", "api.py",
                 "batch/inputs.py", "batch/outputs.py", "batch/runner.py", "batch/executors.py"]


def test_io_core_checklist_and_brand_messages_all_come_from_the_catalog():
    """Every line qmskit.io, the core, the checklist loader, the form (and the brand reader, the PDF printer,
    the report's options, the notebook runner, the API) raise or warn is a catalog message, so it exists in
    English and Chinese; a new English-only f-string is caught here."""
    files = [p for package in GUARDED for p in sorted((ROOT / "qmskit" / package).glob("*.py"))]
    files += [ROOT / "qmskit" / name for name in GUARDED_FILES]
    assert len(files) > 30
    found = [site for path in files for site in _plain_text_messages(path)]
    assert not found, found
