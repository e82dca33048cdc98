"""An error line repeats what the user typed clipped, and says sizes the way people write them.

Before: an invalid answer of 9,999 characters (within the cell limit) was echoed in full — a 10 KB error
line — and the text limit said "its cells hold 16.0805 MB of text". Both failed on the code before.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qmskit.cli import main
from qmskit.errors import ECHO_LIMIT, ResponsesError
from qmskit.i18n.catalog import error_line, say
from qmskit.i18n.numbers import fmt_size
from qmskit.io.limits import MAX_CELL_TEXT_BYTES
from qmskit.io.responses import read_responses

MINI = str(Path(__file__).parents[1] / "data" / "mini.yaml")


def one_line(args: list[str]) -> str:
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 1, out.output
    assert out.output.count("\n") == 1 and "Traceback" not in out.output, out.output[:300]
    return out.output


@pytest.mark.parametrize("lang, opening", [("en", "answer 'yyy"), ("zh", "答案“yyy")])
def test_a_long_invalid_answer_is_echoed_clipped(tmp_path, lang, opening):
    path = tmp_path / "long.csv"
    path.write_text("id,answer\n4.2-a," + "y" * 9_999 + "\n", encoding="utf-8")   # (4.2-a may be n/a)
    line = one_line(["score", str(path), "--checklist", MINI, "--lang", lang])
    assert opening in line and "y" * ECHO_LIMIT + "…" in line and "y" * (ECHO_LIMIT + 1) not in line
    assert len(line) < 400
    assert ("allowed: yes, partial, no, n/a" if lang == "en" else "可填：是、部分、否、不适用") in line


def test_a_long_unknown_id_is_echoed_clipped(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("id,answer\n" + "Q" * 5_000 + ",yes\n", encoding="utf-8")
    with pytest.raises(ResponsesError) as caught:
        read_responses(path, MINI)
    line = error_line(caught.value, "en")
    assert "Q" * ECHO_LIMIT + "…" in line and len(line) < 300
    assert "Q" * ECHO_LIMIT + "…" in error_line(caught.value, "zh")


def test_short_values_and_lists_are_never_clipped(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("id,answer\n4.2-a,maybe\n", encoding="utf-8")   # (4.2-a may be n/a: the longest list)
    with pytest.raises(ResponsesError) as caught:
        read_responses(path, MINI)
    assert "answer 'maybe' is not allowed; allowed: yes, partial, no, n/a (also y/p/n/na, 是/部分/否/不适用; " \
        "blank = unanswered)" in str(caught.value)


@pytest.mark.parametrize("size, en", [(1, "1 byte"), (900, "900 bytes"), (64 * 1024, "64 KB"),
                                      (200 * 1024 + 5, "200.1 KB"), (16_861_900, "16.1 MB"),
                                      (20 * 1024 * 1024, "20 MB"), (20 * 1024 * 1024 + 1, "20.1 MB"),
                                      (1536 * 1024 * 1024, "1,536 MB")])
def test_sizes_read_the_way_people_write_them(size, en):
    text = fmt_size(size)
    assert str(text) == en
    assert say(text, "zh") == en.replace(" bytes", " 字节").replace(" byte", " 字节")


def test_the_text_limit_says_sizes_humanly_in_both_languages(tmp_path):
    path = tmp_path / "wide.csv"
    rows = ["id,answer,evidence,notes,owner"] + [
        f"4.1-a,yes,{'e' * 9_000},{'n' * 9_000},{'o' * 9_000}" for _ in range(160)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")  # 160 x 27,000 = 4.1 MB of text
    line = one_line(["score", str(path), "--checklist", MINI])
    assert line.endswith(f"{path}: its cells hold 4.2 MB of text; the limit is 4 MB\n"), line
    assert MAX_CELL_TEXT_BYTES == 4 * 1024 * 1024
    zh = one_line(["score", str(path), "--checklist", MINI, "--lang", "zh"])
    assert "4.2 MB" in zh and "4 MB" in zh and "MB." not in zh
