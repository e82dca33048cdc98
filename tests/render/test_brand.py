"""Brand files, the consultant's Markdown, client/internal copies, file names, and the PDF options' errors
(fast: no kernel, no browser)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from qmskit import api
from qmskit.cli import main
from qmskit.errors import BrandError
from qmskit.render import brand as brand_mod
from qmskit.render import report
from qmskit.render.brand import contrast_ratio, load_brand

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_BRAND = ROOT / "examples" / "brand" / "brand.yaml"
BRANDED_OFFICE = ROOT / "examples" / "brand" / "riverside-general-office.yaml"
PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                        "0000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082")


def write_brand(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "brand.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_brand_loads_with_logo_colour_number_and_signatory():
    b = load_brand(EXAMPLE_BRAND)
    assert b.text("firm", "en") == "Northwind Quality Partners" and b.text("firm", "zh") == "北风质量咨询"
    assert b.logo_uri.startswith("data:image/svg+xml;base64,") and b.accent == "#0b5563"
    assert contrast_ratio(b.accent) >= 4.5
    assert b.number(office="X", date="2026-10-15", seq=7) == "NWQP-2026-007"
    assert b.text("signatory_name", "zh") == "李文 博士"
    assert not b.neutral and load_brand(None).neutral


def test_brand_from_environment(monkeypatch):
    monkeypatch.setenv("QMSKIT_BRAND", str(EXAMPLE_BRAND))
    assert load_brand(None).text("firm", "en") == "Northwind Quality Partners"


@pytest.mark.parametrize("text, where, words", [
    ("firm: A\ncolour: red\n", "colour", "unknown key"),
    ("logo: x.png\n", "firm", "missing"),
    ("firm: A\ncolors: {accent: '#ffcc00'}\n", "colors.accent", "contrast 1.5:1"),
    ("firm: A\ncolors: {accent: red}\n", "colors.accent", "use #rrggbb"),
    ("firm: A\ncolors: {link: '#000000'}\n", "colors.link", "unknown colour"),
    ("firm: A\nreport_number: '{firm}-{client}'\n", "report_number", "unknown field {client}"),
    ("firm: A\nreport_number: '{seq:q}'\n", "report_number", "not a valid pattern"),
    ("firm: A\nlogo: missing.png\n", "logo", "file not found"),
    ("firm: A\nlogo: logo.gif\n", "logo", "only .png and .svg"),
    ("firm: A\nsignatory: {name: X, role: Y}\n", "signatory.role", "unknown key"),
    ("firm: {en: A, fr: B}\n", "firm.fr", "unknown language"),
    ("firm: A\nshort: 'no spaces please'\n", "short", "not a short code"),
    ("- a\n- b\n", None, "expected a mapping"),
    ("firm: [unclosed\n", "line", "malformed YAML"),
    # a width of a billion characters asked for a gigabyte per report number; a nested field let the
    # office's name be the format
    ("firm: A\nreport_number: '{seq:0999999999d}'\n", "report_number", "more than 20 characters"),
    ("firm: A\nreport_number: '{seq:{office}}'\n", "report_number", "{seq:{office}}"),
    # 64 KB of "[" made PyYAML recurse past Python's limit: an internal error naming no file
    ("firm: " + "[" * 60_000 + "\n", None, "nest"),
])
def test_bad_brand_files_fail_in_one_line_naming_file_and_key(tmp_path, text, where, words):
    path = write_brand(tmp_path, text)
    with pytest.raises(BrandError) as info:
        load_brand(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message and words in message
    if where:
        assert f"{path}:{where}" in message


def test_logo_size_and_type_are_checked(tmp_path):
    (tmp_path / "big.png").write_bytes(PNG_1PX + b"\0" * (brand_mod.MAX_LOGO + 1))
    (tmp_path / "fake.png").write_bytes(b"GIF89a not a png")
    (tmp_path / "ok.png").write_bytes(PNG_1PX)
    (tmp_path / "script.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with pytest.raises(BrandError, match="at most 200 KB"):
        load_brand(write_brand(tmp_path, "firm: A\nlogo: big.png\n"))
    with pytest.raises(BrandError, match="not a PNG image"):
        load_brand(write_brand(tmp_path, "firm: A\nlogo: fake.png\n"))
    assert load_brand(write_brand(tmp_path, "firm: A\nlogo: ok.png\n")).logo_uri.startswith("data:image/png;base64,")
    # an SVG is only ever shown through <img> (a data: URI): its scripts never run
    svg = load_brand(write_brand(tmp_path, "firm: A\nlogo: script.svg\n"))
    a = api.load_assessment(BRANDED_OFFICE)
    header = report.header_html(a, "en", brand=svg)
    assert "<script" not in header and '<img class="qr-logo" src="data:image/svg+xml;base64,' in header


def test_markdown_is_rendered_without_html_images_or_unsafe_links():
    html = report.markdown_html(
        "**bold** <script>alert(1)</script> <b onclick=x>raw</b>\n\n"
        "[ok](https://example.org/a) [mail](mailto:a@b.example) [bad](javascript:alert(1)) "
        "[data](data:text/html,x) ![img](https://example.org/p.png)")
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "onclick" not in html.replace("&lt;b onclick=x&gt;", "")
    assert "&lt;script&gt;" in html
    assert 'href="https://example.org/a"' in html and 'href="mailto:a@b.example"' in html
    assert "javascript:" not in re.sub(r">[^<]*<", "><", html)  # only as visible text, never as a link
    assert 'href="data:' not in html and "<img" not in html


def test_client_copy_hides_the_technical_appendix_and_internal_notes():
    a = api.load_assessment(BRANDED_OFFICE)
    params = {"responses": str(BRANDED_OFFICE), "lang": "en", "brand": str(EXAMPLE_BRAND)}
    client = "".join(report.sections(a, params, "en", brand=EXAMPLE_BRAND, audience="client"))
    internal = "".join(report.sections(a, params, "en", brand=EXAMPLE_BRAND, audience="internal"))
    for hidden in ("SHA-256", "qmskit report", report.__version__ + " ", "branch registry desk", 'href="#parameters"'):
        assert hidden not in client, hidden
        assert hidden in internal, hidden
    for shown in ("Executive summary", "ready to apply for certification", "Closing remarks", "Dr. Li Wen",
                  "NWQP-2026-007", "Client copy", "Northwind Quality Partners"):
        assert shown in client, shown
    assert client.index('id="exec-summary"') < client.index('id="summary"')  # before the verdict


def test_neutral_report_has_no_brand_bar_and_no_invented_report_number():
    a = api.load_assessment(BRANDED_OFFICE)
    header = report.header_html(a, "en")
    assert "qr-brand" not in header and "Report no." not in header and "--qr-accent" not in header


def test_file_names_carry_language_and_copy():
    assert report.report_filename("x", "en") == "x.en.html"
    assert report.report_filename("x", "zh", "client", "pdf") == "x.zh.client.pdf"


def test_compare_legend_sits_above_the_bars(tmp_path):
    from qmskit.api import load_comparison
    from qmskit.render.compare_report import chart_geometry

    gov = ROOT / "examples" / "gov"
    cmp = load_comparison(gov / "moonbay-district-office-2025.xlsx", gov / "moonbay-district-office-2026.xlsx")
    chart = chart_geometry(cmp)
    tallest = min(float(bar["y"]) for group in chart["groups"] for bar in group["bars"])
    assert [item["label"] for item in chart["legend"]] == ["2025-10-20", "2026-10-19"]
    assert 6 + 12 < tallest  # the legend's swatches (y 6..18) end above the top of the tallest bar
    assert float(chart["legend"][1]["x"]) > float(chart["legend"][0]["text_x"])  # side by side, not stacked


def test_compare_shows_a_dash_for_a_clause_nobody_answered(tmp_path):
    from qmskit.api import load_comparison
    from qmskit.render.compare_report import chart_geometry, clause_table_html

    gov = ROOT / "examples" / "gov"
    cmp = load_comparison(gov / "moonbay-district-office-2025.xlsx", gov / "moonbay-district-office-2026.xlsx")
    top = cmp.clauses["level"] == 1
    cmp.clauses.loc[top & (cmp.clauses["clause"] == "10"), "before"] = float("nan")
    labels = [bar["label"] for group in chart_geometry(cmp)["groups"] for bar in group["bars"]]
    assert labels.count("—") == 1 and labels.count("") == len(labels) - 1  # no score labels: only the dash
    row = re.search(r"<tr class=\"?qr-level-1\"?><td>10<(.*?)(<tr|</tbody>)", clause_table_html(cmp, "en"), re.S)
    assert row and re.search(r"<td class=\"qr-num\">—\s*<", row.group(1))


@pytest.mark.parametrize("command", [["report", "{office}", "-o", "{out}"],
                                     ["batch", "{office}", "-o", "{out}", "-q"],
                                     ["compare", "{office}", "{office}", "-o", "{out}"]])
def test_pdf_without_chromium_is_one_line_exit_1(tmp_path, monkeypatch, command):
    monkeypatch.setenv("QMSKIT_CHROMIUM", str(tmp_path / "no-chromium"))
    args = [a.format(office=BRANDED_OFFICE, out=tmp_path / "out") for a in command] + ["--pdf"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "PDF needs Chromium" in lines[0] and "no-chromium" in lines[0]
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.html"))


def test_bad_brand_file_on_the_command_line_is_one_line_exit_1(tmp_path):
    bad = write_brand(tmp_path, "firm: A\ncolors: {accent: '#eeeeee'}\n")
    result = CliRunner().invoke(main, ["report", str(BRANDED_OFFICE), "-o", str(tmp_path / "o"), "--brand", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and f"{bad}:colors.accent" in result.output


def test_consultants_words_per_language():
    a = api.load_assessment(BRANDED_OFFICE)
    zh = report.summary_html(a, "zh") + report.closing_html(a, "zh", brand=EXAMPLE_BRAND, audience="client")
    assert "已具备申请认证的条件" in zh and "感谢王主任" in zh and "ready to apply" not in zh
    assert "ready to apply" in report.summary_html(a, "en")
