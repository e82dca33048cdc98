"""``-o`` of ``report`` and ``batch`` is a folder. ``qmskit report one.xlsx -o /tmp/rep.html`` used to make a
folder named rep.html with the report inside it; a name that reads as a report file is refused as a usage
error (exit 2, nothing made), in the command's language. An existing folder of such a name is still accepted."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qmskit.cli import main

OFFICE = Path(__file__).parents[2] / "examples" / "offices" / "riverside-general-office.xlsx"


@pytest.mark.parametrize("command", ["report", "batch"])
@pytest.mark.parametrize("name", ["rep.html", "Rep.PDF"])
def test_an_output_that_reads_as_a_file_is_refused(tmp_path, command, name):
    target = tmp_path / name
    out = CliRunner().invoke(main, [command, str(OFFICE), "-o", str(target)])
    assert out.exit_code == 2, out.output
    assert "-o names a folder" in out.output and str(target) in out.output
    assert f"try -o {target.with_suffix('')}" in out.output
    assert "Traceback" not in out.output and not target.exists()


def test_the_refusal_speaks_chinese_under_lang_zh(tmp_path):
    target = tmp_path / "报告.html"
    out = CliRunner().invoke(main, ["report", str(OFFICE), "--lang", "zh", "-o", str(target)])
    assert out.exit_code == 2 and "-o 应指定文件夹" in out.output and not target.exists()


def test_an_existing_folder_with_such_a_name_is_still_an_output_folder(tmp_path):
    folder = tmp_path / "site.html"
    folder.mkdir()
    out = CliRunner().invoke(main, ["report", str(OFFICE), "-o", str(folder)])
    assert out.exit_code == 0, out.output
    assert [p.suffix for p in folder.iterdir()] == [".html"]
