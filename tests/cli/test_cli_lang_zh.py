"""Every command that prints lines for a person takes ``--lang`` (or follows the one it has for its document):
with ``--lang zh`` its summaries, tables and error lines are Chinese, from the catalog; without it, English
as before."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qmskit.cli import main

sys.path.insert(0, str(Path(__file__).parents[1]))
from textcheck import assert_chinese_line  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
GOV = ROOT / "examples" / "gov"
MOONBAY = [GOV / f"moonbay-district-office-{year}.xlsx" for year in (2024, 2025, 2026)]
SILVERBROOK = GOV / "silverbrook-county-office.yaml"
BAD_CHECKLIST = ROOT / "tests" / "data" / "bad" / "bad-weight.yaml"
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_score_table_legend_and_reasons_in_chinese():
    zh = run("score", SILVERBROOK, "--lang", "zh")
    assert zh.exit_code == 0, zh.output
    out = "".join(zh.stdout.splitlines())  # the console wraps Chinese anywhere
    for words in ("单位", "总分", "完成度", "严重", "一般", "观察项", "缺证据", "准备程度", "建设中",
                  "严重不符合项", "改进机会", "前提条件未回答“是”"):
        assert words in out, words
    for english in ("overall", "readiness", "nonconformities", "prerequisite"):
        assert english not in out, english
    en = run("score", SILVERBROOK)
    assert en.exit_code == 0 and "readiness" in en.stdout and "nonconformities" in en.stdout
    assert "准备程度" not in en.stdout and "严重不符合项" not in en.stdout


def test_score_warnings_and_errors_in_chinese(tmp_path):
    path = tmp_path / "na.csv"
    path.write_text("# office: O\nid,answer\n7.1.5.1-a,n/a\n", encoding="utf-8")
    zh = run("score", path, "--lang", "zh")
    [warning] = [line for line in zh.stderr.splitlines() if line.startswith("警告：")]
    assert warning == f"警告：{path}：问题“7.1.5.1-a”答“不适用”，但备注中没有说明理由"
    en = run("score", path)
    assert f"warning: {path}: question '7.1.5.1-a' is n/a without a justification in the notes" in en.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("# kpi.nope: 3\nid,answer\n4.1-a,yes\n", encoding="utf-8")
    zh = run("score", bad, "--lang", "zh")
    assert zh.exit_code == 1
    [line] = zh.stderr.splitlines()
    assert line.startswith("错误：") and "绩效指标编号“nope”不存在" in line
    assert_chinese_line(line, bad)


def test_validate_in_chinese():
    zh = run("validate", "iso9001-2015", BAD_CHECKLIST, "--lang", "zh")
    assert zh.exit_code == 1
    assert re.fullmatch(r"通过 iso9001-2015 \S+（91 个条款，\d+ 个问题）\n", zh.stdout), zh.stdout
    [line] = zh.stderr.splitlines()
    assert line == f"错误：{BAD_CHECKLIST}（第 10 行）：clauses[0].questions[0].weight：须大于 0（当前为 0）"
    en = run("validate", "iso9001-2015")
    assert re.fullmatch(r"OK iso9001-2015 \S+ \(91 clauses, \d+ questions\)\n", en.stdout), en.stdout


def test_checklists_table_in_chinese():
    zh = run("checklists", "--lang", "zh")
    assert zh.exit_code == 0
    assert all(word in zh.stdout for word in ("编号", "版本", "名称", "条款数", "问题数"))
    assert "政府机关办公室质量管" in zh.stdout  # the checklist's own Chinese title
    # each title whole, folded within its cell, never cut with "…" (a new user's session saw "质量管…")
    from qmskit.checklist.loader import list_checklists
    cells = "".join(line.split("│")[3].strip() for line in zh.stdout.splitlines() if line.count("│") > 3)
    assert "…" not in zh.stdout
    for title in list_checklists()["title_zh"]:
        assert title.replace(" ", "") in cells.replace(" ", ""), title


def _conflicting_parts(tmp_path):
    paths = []
    for name, answer in (("a", "yes"), ("b", "no")):
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"office: X\nassessor: {name.upper()}\nchecklist: iso9001-2015\nresponses:\n"
                        f"- {{id: 4.1-a, answer: '{answer}', evidence: 'minutes {name}'}}\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_merge_conflicts_and_summary_in_chinese(tmp_path):
    parts = _conflicting_parts(tmp_path)
    zh = run("merge", *parts, "-o", tmp_path / "m.yaml", "--lang", "zh")
    assert zh.exit_code == 1
    conflict, error = zh.stderr.splitlines()
    assert conflict == ("冲突：问题 4.1-a：a.yaml（A）答“yes”、证据“minutes a”；b.yaml（B）答“no”、证据“minutes b”")
    assert error.startswith("错误：1 处答案相互冲突，未写入任何文件")
    zh = run("merge", *parts, "-o", tmp_path / "m.yaml", "--lang", "zh", "--prefer", "first")
    assert zh.exit_code == 0, zh.output
    assert zh.stderr.startswith("已解决（first）：问题 4.1-a：")
    assert zh.stdout.startswith(f"已写入 {tmp_path / 'm.yaml'}：1 个问题，来自 2 个部分（A：1、B：1）；1 处冲突已按 "
                                "--prefer first 解决")
    en = run("merge", *parts, "-o", tmp_path / "e.yaml", "--prefer", "first")
    assert en.stdout.startswith(f"wrote {tmp_path / 'e.yaml'}: 1 question from 2 parts (A: 1, B: 1); 1 conflict "
                                "resolved by --prefer first")


def test_history_and_compare_lines_in_chinese(tmp_path):
    zh = run("history", *MOONBAY, "-o", tmp_path, "--lang", "zh")
    assert zh.exit_code == 0, zh.output
    lines = zh.stdout.splitlines()
    assert lines[1].startswith("  2024-10-22：总分 61.3，建设中，发现项：严重 ")
    assert lines[4].startswith("  2024-10-22 -> 2025-10-20：新出现 ")
    assert lines[-1].startswith(f"已写入 {tmp_path}")
    zh = run("compare", MOONBAY[1], MOONBAY[2], "--json", "--lang", "zh")
    assert zh.exit_code == 0
    zh = run("compare", MOONBAY[1], MOONBAY[2], "-o", tmp_path, "--lang", "zh")
    assert "：总分 80.4 -> 93.7，建设中 -> 基本具备；差距已关闭 " in zh.stdout
    zh = run("history", MOONBAY[0], "--json", "--lang", "zh")
    assert zh.exit_code == 2 and "请至少给出该单位的两次评估" in zh.output


def test_actions_plan_and_status_in_chinese(tmp_path):
    plan = tmp_path / "plan.xlsx"
    zh = run("actions", "plan", MOONBAY[2], "-o", plan, "--lang", "zh")
    assert zh.exit_code == 0, zh.output
    assert zh.stdout.startswith(f"已写入 {plan}：为“") and "项措施" in zh.stdout or "条措施" in zh.stdout, zh.stdout
    zh = run("actions", "status", GOV / "actions" / "moonbay-district-office-actions.xlsx", "--as-of", "2027-01-01",
             "--lang", "zh")
    assert zh.exit_code == 0, zh.output
    assert "截至 2027-01-01 的整改计划" in zh.stdout and "已验证有效" in zh.stdout
    overdue = [line for line in zh.stdout.splitlines() if line.startswith("逾期：")]
    assert overdue and "应于 " in overdue[0] and "，已逾期 " in overdue[0]


def test_template_and_migrate_lines_in_chinese(tmp_path):
    out = tmp_path / "t.xlsx"
    zh = run("template", "iso9001-2015", "--office", "O", "-o", out, "--lang", "zh")
    assert zh.exit_code == 0 and zh.stdout.startswith(f"已写入 {out}（") and "个问题，检查表 iso9001-2015" in zh.stdout
    zh = run("template", "iso9001-2015", "-o", out, "--lang", "zh")
    assert zh.exit_code == 2 and "请用 --office 给出单位名称" in zh.output
    new = tmp_path / "new.csv"
    zh = run("migrate", GOV / "pinecrest-2012-iso9001-2008.xlsx", "-o", new, "--lang", "zh")
    assert zh.exit_code == 0, zh.output
    first, second = zh.stdout.splitlines()[:2]
    assert first.startswith(f"已写入 {new}：从 iso9001-2008-legacy 转入 ")
    assert second.startswith("2015 版新增（须重新评估）：4.1 理解组织及其环境")


@pytest.mark.parametrize("lang, words", [("zh", "2 个单位中已完成 1 个"), ("en", "1 of 2 offices done")])
def test_batch_summary_follows_lang(tmp_path, lang, words):
    from qmskit.batch.outcomes import BatchResult, OfficeOutcome
    from qmskit.batch.tasks import Status
    result = BatchResult(tmp_path, [OfficeOutcome(source="a.xlsx", status=Status.DONE),
                                    OfficeOutcome(source="b.xlsx", error="b.xlsx: broken")], seconds=1.0, workers=2)
    lines = result.summary_lines(lang)
    assert words in lines[0] and lines[1] == ("失败：b.xlsx: broken" if lang == "zh" else "FAILED b.xlsx: broken")
