"""A bad brand file's line in Chinese (``--lang zh``): one line naming the file and the key, Chinese words,
English unchanged (tests/render/test_brand.py checks the English lines)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qmskit.errors import BrandError
from qmskit.i18n.catalog import error_line
from qmskit.render.brand import load_brand

sys.path.insert(0, str(Path(__file__).parents[1]))
from textcheck import assert_chinese_line  # noqa: E402


@pytest.mark.parametrize("text, words", [
    ("firm: A\ncolour: red\n", "无法识别的键"),
    ("logo: x.png\n", "必须填写咨询机构名称"),
    ("firm: A\ncolors: {accent: '#ffcc00'}\n", "与白色的对比度为 1.5:1"),
    ("firm: A\ncolors: {accent: red}\n", "请写成 #rrggbb"),
    ("firm: A\nreport_number: '{firm}-{client}'\n", "无法识别的字段 {client}"),
    ("firm: A\nlogo: missing.png\n", "找不到该文件"),
    ("firm: A\nlogo: logo.gif\n", "只能嵌入 .png 或 .svg 格式的标志"),
    ("firm: {en: A, fr: B}\n", "无法识别的语言"),
    ("- a\n- b\n", "内容应为一个键值映射"),
])
def test_bad_brand_file_lines_in_chinese(tmp_path, text, words):
    path = tmp_path / "brand.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BrandError) as info:
        load_brand(path)
    assert error_line(info.value, "en") == str(info.value)
    line = error_line(info.value, "zh")
    assert words in line
    assert_chinese_line(line, path)
