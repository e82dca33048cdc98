"""The lines the form, the PDF printer, the report options and the notebook runner give a user are catalog
messages: English in ``str(error)``, Chinese where the user works in Chinese."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qmskit.errors import NotebookError, PdfError, QmskitError
from qmskit.forms.session import ResponsesSession
from qmskit.i18n.catalog import error_line

sys.path.insert(0, str(Path(__file__).parents[1]))
from textcheck import assert_chinese_line  # noqa: E402

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"


@pytest.fixture
def session(tmp_path):
    s = ResponsesSession(tmp_path / "o.yaml", str(MINI), office="O", lang="zh", debounce=0.01)
    yield s
    s.close()


@pytest.mark.parametrize("value, en, zh", [
    ("maybe", "question '4.1-a': answer 'maybe' is not allowed (allowed: yes, partial, no)",
     "问题“4.1-a”：答案“maybe”不在可选范围内（可填：yes, partial, no）"),
])
def test_a_refused_answer_in_the_form_is_said_in_chinese(session, value, en, zh):
    with pytest.raises(QmskitError) as caught:
        session.set("4.1-a", "answer", value)
    assert str(caught.value) == en and error_line(caught.value, "zh") == zh


def test_the_form_without_a_file_says_so_in_chinese():
    from qmskit.i18n.catalog import msg
    error = QmskitError(msg("form.no_file_given"))
    assert str(error) == "give a responses file (.xlsx or .yaml) to open or create"
    assert error_line(error, "zh") == "请给出要打开或新建的回答文件（.xlsx 或 .yaml）"


def test_pdf_without_chromium_in_chinese(tmp_path, monkeypatch):
    from qmskit.render.pdf import check_available
    missing = tmp_path / "no-chromium"
    monkeypatch.setenv("QMSKIT_CHROMIUM", str(missing))
    with pytest.raises(PdfError) as caught:
        check_available()
    assert str(caught.value).startswith(f"PDF needs Chromium at {missing}, which is missing")
    line = error_line(caught.value, "zh")
    assert_chinese_line(line, missing)
    assert line.startswith(f"生成 PDF 需要位于 {missing} 的 Chromium 浏览器")


def test_a_failed_notebook_and_an_unknown_audience_in_chinese(tmp_path):
    from qmskit.jupyter.notebook import load, notebook_error
    from qmskit.render.report import check_audience
    error = notebook_error("东区", "ValueError", "bad value", 3)
    assert str(error) == "report for '东区' failed in cell 3: ValueError: bad value"
    assert error_line(error, "zh") == "“东区”的报告运行失败（第 3 个单元格）：ValueError: bad value"
    with pytest.raises(NotebookError) as caught:
        load(tmp_path / "none.ipynb")
    assert error_line(caught.value, "zh") == f"{tmp_path / 'none.ipynb'}：找不到报告笔记本"
    with pytest.raises(QmskitError) as caught:
        check_audience("board")
    assert error_line(caught.value, "zh") == "未知的报告读者“board”（可用：client、internal）"
