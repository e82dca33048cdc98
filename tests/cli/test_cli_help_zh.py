"""The commands' help and usage errors in the command line's language (qmskit.cli._help): with ``--lang zh``
anywhere on the line (or ``qmskit --lang zh …``), every help page is Chinese from the catalog, click's own
words of the page too ("Usage:", "Options:", "Show this message and exit.", "[default: …]"), wrapped to the
terminal by display width; a usage error found while click parses is said in Chinese. English stays as
click writes it."""
from __future__ import annotations

import re

import pytest
from forkcli import run_qmskit

from qmskit.cli._help import cells, wrap_cells

CJK = re.compile(r"[\u4e00-\u9fff]")
# click's English words on a help page or in a usage error's frame
CLICK_ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "Show the version", "default:",
                 "[required]", "env var:", "Error:", "Try '", "No such", "Invalid value", "requires an argument",
                 "unexpected extra")
COMMANDS = [["actions"], ["actions", "plan"], ["actions", "status"], ["batch"], ["checklists"], ["compare"],
            ["history"], ["merge"], ["migrate"], ["report"], ["score"], ["template"], ["validate"],
            ["validate-responses"]]


def assert_chinese_page(text: str) -> None:
    """No English word of click's; every row and paragraph says something in Chinese; no line is wider than
    the 78 columns click gives a page at this terminal's width (COLUMNS=200, click's maximum 80, less 2)."""
    for words in CLICK_ENGLISH:
        assert words not in text, (words, text)
    for line in text.splitlines():
        assert cells(line) <= 78, line
    body = [line for line in text.splitlines()[1:] if line.strip()]
    # a row's text may wrap onto lines of its own; each row's first line or paragraph has Chinese in it
    rows = [line for line in body if re.match(r"\s{2}\S", line) or not line.startswith(" ")]
    assert all(CJK.search(line) for line in rows), [line for line in rows if not CJK.search(line)]


def test_root_help_in_chinese_from_the_root_lang():
    zh = run_qmskit("--lang", "zh", "--help")
    assert zh.returncode == 0, zh.stderr
    assert zh.stdout.startswith("用法：qmskit [OPTIONS] COMMAND [ARGS]...\n\n  评估 ISO 9001 认证准备程度")
    assert "\n选项：\n" in zh.stdout and "\n命令：\n" in zh.stdout
    assert "  -h, --help      显示本帮助并退出。" in zh.stdout
    assert re.search(r"\n  checklists +列出内置的检查表\n", zh.stdout)
    # a summary too long for its line is its first clauses, never cut inside a bracket
    assert re.search(r"\n  report +生成一个单位的准备程度报告…\n", zh.stdout), zh.stdout
    for row in zh.stdout.split("命令：\n")[1].splitlines():
        assert row.count("（") == row.count("）"), row
    assert_chinese_page(zh.stdout)


@pytest.mark.parametrize("command", COMMANDS, ids=["-".join(c) for c in COMMANDS])
def test_every_command_help_in_chinese(command):
    # the command's own --lang, after --help (help is shown before --lang's callback would run); for the
    # actions group, which has no --lang of its own, the root's
    args = ["--lang", "zh", *command, "--help"] if command == ["actions"] else [*command, "--help", "--lang", "zh"]
    zh = run_qmskit(*args)
    assert zh.returncode == 0, zh.stderr
    assert zh.stdout.startswith(f"用法：qmskit {' '.join(command)} [OPTIONS]")
    assert "显示本帮助并退出。" in zh.stdout
    assert_chinese_page(zh.stdout)


def test_option_notes_and_long_rows_in_chinese():
    zh = run_qmskit("report", "--lang=zh", "-h")
    assert zh.returncode == 0, zh.stderr
    text = zh.stdout
    assert "[必填]" in text and "[环境变量：QMSKIT_BRAND]" in text and "[默认：internal]" in text
    # a row that wraps: its next line is indented to the text column, never mid-note
    rows = text.split("--audience [client|internal]  ")[1].splitlines()
    assert rows[0].startswith("client：") and rows[1].startswith(" " * 32) and CJK.search(rows[1])


def test_english_help_is_clicks():
    en = run_qmskit("report", "--help")
    assert en.returncode == 0, en.stderr
    assert en.stdout.startswith("Usage: qmskit report [OPTIONS] FILE\n\n  Write the readiness report of one office")
    for words in ("Options:", "[required]", "[env var: QMSKIT_BRAND]", "[default: internal]",
                  "-h, --help                    Show this message and exit."):
        assert words in en.stdout, words
    assert not CJK.search(en.stdout)
    root = run_qmskit("--help")
    assert "Commands:\n  actions" in root.stdout and "--lang [en|zh]" in root.stdout and not CJK.search(root.stdout)


def test_root_lang_is_every_commands_default():
    zh = run_qmskit("--lang", "zh", "checklists")
    assert zh.returncode == 0 and "编号" in zh.stdout and "版本" in zh.stdout
    en = run_qmskit("--lang", "zh", "checklists", "--lang", "en")  # the command's own wins
    assert en.returncode == 0 and "编号" not in en.stdout and "version" in en.stdout


@pytest.mark.parametrize("args, line", [
    (["score", "--bogus", "--lang", "zh"], "错误：没有选项“--bogus”。"),
    (["score", "--jsn", "x.csv", "--lang", "zh"], "错误：没有选项“--jsn”。您是否想用：--json？"),
    (["--lang", "zh", "scor"], "错误：没有命令“scor”。您是否想用：score？"),
    (["checklists", "extra", "--lang", "zh"], "错误：多出了参数（extra）"),
    (["batch", "x.csv", "-o", "out", "--workers", "0", "--lang", "zh"], "错误：'--workers' 的值无效：0 不在范围 x>=1 内。"),
    (["batch", "x.csv", "-o", "out", "--timeout", "soon", "--lang", "zh"], "错误：'--timeout' 的值无效：'soon' 不是数字。"),
    (["merge", "a.yaml", "-o", "m.yaml", "--prefer", "best", "--lang", "zh"],
     "错误：'--prefer' 的值无效：'best' 不是可选值（'latest'、'first'、'worst'）之一。"),
    (["--lang", "zh", "report", "x.xlsx", "-o"], "错误：选项“-o”需要一个值。"),
], ids=["unknown-option", "did-you-mean", "unknown-command", "extra-argument", "out-of-range", "not-a-number",
        "not-a-choice", "missing-value"])
def test_usage_errors_found_while_parsing_are_chinese(args, line):
    zh = run_qmskit(*args)
    assert zh.returncode == 2, zh.stderr
    assert line in zh.stderr, zh.stderr
    for words in CLICK_ENGLISH:
        assert words not in zh.stderr, (words, zh.stderr)
    if "-o" != args[-1]:  # click has no context (so no usage line) for an option left without its value
        assert zh.stderr.startswith(f"用法：qmskit {args[0] if args[0] != '--lang' else ''}".rstrip()), zh.stderr


def test_usage_errors_in_english_unchanged():
    en = run_qmskit("score", "--bogus")
    assert en.returncode == 2
    assert en.stderr.startswith("Usage: qmskit score [OPTIONS] FILES...\nTry 'qmskit score --help' for help.")
    assert "Error: No such option" in en.stderr and not CJK.search(en.stderr)


def test_lang_after_double_dash_is_an_argument():
    """``--`` ends the options: a later ``--lang zh`` is a file name, not the language."""
    out = run_qmskit("score", "--bogus", "--", "--lang", "zh")
    assert out.returncode == 2 and "Usage:" in out.stderr and not CJK.search(out.stderr)


@pytest.mark.parametrize("width", [10, 20, 37])
def test_chinese_wraps_by_display_width(width):
    text = "同时把每份报告和汇总概览打印为 PDF（一个无界面 Chromium，多页并行）。 [默认：internal]"
    lines = wrap_cells(text, width)
    # only a note wider than the line itself (it never breaks) is wider
    assert all(cells(line) <= width or line == "[默认：internal]" for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line.lstrip().startswith(("，", "。", "）")) for line in lines)
    assert any(line.endswith("[默认：internal]") or line == "[默认：internal]" for line in lines)


def test_every_help_text_is_a_catalog_key_in_both_languages():
    """A command or option whose help is plain English would show English under --lang zh: each is a
    ``cli.help.*`` key, translated in both catalogs."""
    import click

    from qmskit.cli import main
    from qmskit.cli._help import HELP_PREFIX, CatalogHelp
    from qmskit.i18n.catalog import t

    def walk(command, path):
        assert isinstance(command, CatalogHelp), f"{path}: make it a HelpCommand (cls=HelpCommand)"
        texts = [(path, command.help)] + [(f"{path} {p.opts[-1]}", p.help) for p in command.params
                                          if isinstance(p, click.Option)]
        for where, text in texts:
            assert text and text.startswith(HELP_PREFIX), f"{where}: help {text!r} is not a catalog key"
            assert t(text, "en") != text and CJK.search(t(text, "zh")), f"{where}: {text} missing from a catalog"
        for name in command.list_commands(None) if isinstance(command, click.Group) else ():
            walk(command.get_command(None, name), f"{path} {name}")
    walk(main, "qmskit")
