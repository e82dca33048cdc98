"""What the batch tells a consultant about inputs and failed offices is a catalog message: the summary says
it in the batch's language (``--lang``), English otherwise."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from qmskit.batch.inputs import collect_inputs
from qmskit.batch.outcomes import BatchResult, OfficeOutcome
from qmskit.batch.tasks import OfficeResult, Status
from qmskit.batch.worker import describe_failure
from qmskit.errors import KernelTimeout, QmskitError
from qmskit.i18n.catalog import error_line, msg, say


def test_an_empty_folder_and_a_pattern_without_files_in_chinese(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"")
    empty = tmp_path / "empty"
    empty.mkdir()
    _, missing = collect_inputs([str(tmp_path / "a.xlsx"), str(empty), str(tmp_path / "*.csv")])
    result = BatchResult(tmp_path, missing, workers=1)
    zh = result.summary_lines("zh")[1:]
    assert zh == [f"失败：{empty}：该文件夹中没有回答文件（.xlsx, .csv, .yaml, .yml）",
                  f"失败：{tmp_path / '*.csv'}：没有与之匹配的回答文件"]
    assert result.summary_lines("en")[1] == f"FAILED {empty}: no responses files (.xlsx, .csv, .yaml, .yml) in " \
                                            "this folder"
    with pytest.raises(QmskitError) as caught:
        collect_inputs([str(tmp_path / "*.csv")])
    assert error_line(caught.value, "zh").endswith("中没有可处理的回答文件")


def test_a_report_that_failed_in_its_worker_is_said_in_chinese():
    from nbclient.exceptions import DeadKernelError
    died = describe_failure(DeadKernelError("dead"), "东区")
    timed = describe_failure(KernelTimeout(msg("warmkernel.timed_out", seconds="8")), "东区")
    back = pickle.loads(pickle.dumps(OfficeResult.failed(died)))  # from the worker process to the parent
    assert say(back.error, "zh") == "运行报告时内核意外退出（被终止或内存不足）"
    assert str(timed) == "timed out after 8 s (kernel stopped)" and say(timed, "zh") == "运行超过 8 秒的时限（内核已停止）"
    outcome = OfficeOutcome(source="o.xlsx", status=Status.REPORT_FAILED, error=timed)
    lines = BatchResult(Path("."), [outcome], workers=1).summary_lines("zh")
    assert lines[1] == "失败：o.xlsx：运行超过 8 秒的时限（内核已停止）"


def test_the_portfolio_lists_a_failed_report_in_its_language():
    from qmskit.batch.summary import portfolio_data
    failed = OfficeOutcome(source="o.xlsx", status=Status.REPORT_FAILED, error=msg("batch.kernel_died"))
    assert portfolio_data([failed], "zh", True)["failed"][0]["reason"] == "运行报告时内核意外退出（被终止或内存不足）"
    assert portfolio_data([failed], "en", True)["failed"][0]["reason"] == \
        "the kernel died while running the report (killed or out of memory)"


def test_an_unknown_batch_language_is_one_line(tmp_path):
    from qmskit.batch.runner import run_batch
    with pytest.raises(QmskitError) as caught:
        run_batch([str(tmp_path / "o.xlsx")], tmp_path / "out", lang="fr")
    assert str(caught.value) == "unknown language 'fr' (allowed: en, zh)"
    assert error_line(caught.value, "zh") == "未知的语言“fr”（可用：en、zh）"
