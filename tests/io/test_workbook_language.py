"""A workbook stays in its own language, and the template gives the office a place to exclude a clause.

Found walking through the README as a consultant: a Chinese workbook saved by `qmskit merge`, the form or
`write_responses` got English answers ("yes", "partial") beside the office's 是/部分 under a dropdown
that allows only 是/部分/否/不适用; and the template's Office sheet had only "Exclusions and
justification" (text for the report's header), so an office that wrote "8.3: …" there still had 31
unanswered design questions and could never reach 100 % completeness.
"""
from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from qmskit.cli import main
from qmskit.io.responses import read_responses, write_responses


def _template(tmp_path, lang: str):
    out = tmp_path / f"office-{lang}.xlsx"
    result = CliRunner().invoke(main, ["template", "iso9001-2015", "--office", "Lakeside", "--lang", lang,
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _answers(path) -> dict[str, object]:
    ws = openpyxl.load_workbook(path)["Assessment"]
    return {row[1]: row[4] for row in ws.iter_rows(min_row=2, values_only=True) if row[1]}


def test_template_office_sheet_has_an_excluded_clauses_row_that_excludes(tmp_path):
    path = _template(tmp_path, "zh")
    wb = openpyxl.load_workbook(path)
    rows = {r[2].value: r for r in wb["Office"].iter_rows(min_row=2)}
    assert "excluded_clauses" in rows
    label = rows["excluded_clauses"][0].value
    assert label != "excluded_clauses" and "8.3" in label  # a Chinese label with an example, not the key
    rows["excluded_clauses"][1].value = "8.3: 本单位不设计服务"
    for row in wb["Assessment"].iter_rows(min_row=2):
        if row[1].value and not row[1].value.startswith("8.3"):
            row[4].value, row[5].value = "是", "记录 QMS-01"
    wb.save(path)

    result = CliRunner().invoke(main, ["score", str(path), "--json"])
    assert result.exit_code == 0, result.output
    import json
    data = json.loads(result.stdout)
    assert data["completeness"] == 100.0
    assert data["readiness"] == "ready"
    design = [q for q in data["questions"] if q["clause"].startswith("8.3")]
    assert design and all(q["answer"] == "n/a" for q in design)


@pytest.mark.parametrize(("lang", "partial", "yes"), [("zh", "部分", "是"), ("en", "partial", "yes")])
def test_saving_into_a_workbook_writes_answers_in_its_language(tmp_path, lang, partial, yes):
    path = _template(tmp_path, lang)
    meta, frame = read_responses(path)
    frame.loc[frame["id"] == "4.1-a", "answer"] = "partial"
    frame.loc[frame["id"] == "4.1-b", "answer"] = "yes"
    write_responses(path, meta, frame)  # in place, no lang given: the sheet's own words
    answers = _answers(path)
    assert answers["4.1-a"] == partial
    assert answers["4.1-b"] == yes
    _, back = read_responses(path)
    assert dict(zip(back["id"], back["answer"]))["4.1-a"] == "partial"


def test_a_new_chinese_workbook_gets_chinese_answers(tmp_path):
    meta, frame = read_responses(_template(tmp_path, "zh"))
    frame.loc[frame["id"] == "4.1-a", "answer"] = "no"
    frame.loc[frame["id"] == "8.3.1-a", "answer"] = "n/a"
    fresh = tmp_path / "fresh.xlsx"
    write_responses(fresh, meta, frame, lang="zh")
    answers = _answers(fresh)
    assert (answers["4.1-a"], answers["8.3.1-a"]) == ("否", "不适用")
    ws = openpyxl.load_workbook(fresh)["Assessment"]
    assert ws.cell(1, 5).value == "答案"
    # and without lang, a file whose language is zh is written in Chinese (it was English)
    again = tmp_path / "again.xlsx"
    write_responses(again, meta, frame)
    assert _answers(again)["4.1-a"] == "否"


def test_rows_qmskit_adds_to_the_office_sheet_are_labelled_in_its_language(tmp_path):
    """A split re-assessment's parts (zh) showed previous_date, previous_sha256, part_of… as raw keys."""
    gov = __import__("pathlib").Path(__file__).resolve().parents[2] / "examples" / "gov"
    out = tmp_path / "parts" / "moonbay-2027.xlsx"
    out.parent.mkdir()
    result = CliRunner().invoke(main, ["template", "gov-office", "--from", str(gov / "moonbay-district-office-2026.xlsx"),
                                       "--split-by", "clause", "--assign", str(gov / "moonbay-assign.yaml"),
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    part = sorted(out.parent.glob("moonbay-2027-*.xlsx"))[0]
    labels = {r[2]: r[0] for r in openpyxl.load_workbook(part)["Office"].iter_rows(min_row=2, values_only=True)}
    for key in ("previous_date", "previous_file", "previous_sha256", "part", "part_of", "part_clauses"):
        assert labels[key] != key and any("\u4e00" <= ch <= "\u9fff" for ch in labels[key]), (key, labels[key])
    meta, _ = read_responses(part)  # read back by the key column, whatever the label
    assert meta["previous_date"] == "2026-10-19" and meta["part_of"] == "moonbay-2027"
