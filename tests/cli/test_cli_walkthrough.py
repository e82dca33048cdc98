"""What a consultant hit in a walkthrough of the CLI on examples/, each fixed and checked on real files:
compare/history of two different offices (--force) name each side's office beside its own figures."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from qmskit.api import read_and_score
from qmskit.cli import main
from qmskit.i18n.numbers import fmt_number

ROOT = Path(__file__).resolve().parents[2]
GOV = ROOT / "examples" / "gov"
MOONBAY = [GOV / f"moonbay-district-office-{year}.xlsx" for year in (2024, 2025, 2026)]
PINECREST = GOV / "pinecrest-municipal-office.xlsx"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_compare_force_json_names_both_offices():
    before, after = read_and_score(MOONBAY[0]), read_and_score(PINECREST)
    res = run("compare", MOONBAY[0], PINECREST, "--force", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert (doc["before"]["office"], doc["after"]["office"]) == (before.office, after.office)
    assert doc["office"] == after.office and doc["forced"] is True


def test_compare_force_summary_line(tmp_path):
    before, after = read_and_score(MOONBAY[0]), read_and_score(PINECREST)
    for lang, word in (("en", "overall"), ("zh", "总分")):
        res = run("compare", MOONBAY[0], PINECREST, "--force", "-o", tmp_path / lang, "--lang", lang)
        assert res.exit_code == 0, res.output
        line = res.stdout.splitlines()[0]
        sep = ": " if lang == "en" else "："
        b = f"{before.office}{sep}{word} {fmt_number(before.overall, lang)}"
        a = f"{after.office}{sep}{word} {fmt_number(after.overall, lang)}"
        assert b in line and a in line and line.index(b) < line.index(" -> ") < line.index(a), line
        page = next((tmp_path / lang).glob("*-compare.*.html")).read_text(encoding="utf-8")
        # the heading and the before/after rows of the page name each side's office
        assert f'<h1 class="qr-office">{before.office} → {after.office}</h1>' in page
        assert f"<dd>{after.office} · " in page and f"<dd>{before.office} · " in page


def test_history_force_names_each_assessment_office():
    res = run("history", MOONBAY[0], PINECREST, "--force", "--json")
    assert res.exit_code == 0, res.output
    offices = [a["office"] for a in json.loads(res.stdout)["assessments"]]
    assert offices == [read_and_score(MOONBAY[0]).office, read_and_score(PINECREST).office]


def test_history_force_lines_name_each_office(tmp_path):
    first, second = read_and_score(MOONBAY[0]), read_and_score(PINECREST)
    res = run("history", MOONBAY[0], PINECREST, "--force", "-o", tmp_path, "--lang", "zh")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == f"{first.office} → {second.office}："
    assert lines[1].startswith(f"  2024-10-22 · {first.office}：总分 {fmt_number(first.overall, 'zh')}，")
    assert lines[2].startswith(f"  2026-09-24 · {second.office}：总分 {fmt_number(second.overall, 'zh')}，")
    page = next(tmp_path.glob("*-history.zh.html")).read_text(encoding="utf-8")
    assert f'<h1 class="qr-office">{first.office} → {second.office}</h1>' in page
