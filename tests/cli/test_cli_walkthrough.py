"""What a consultant hit in a walkthrough of the CLI on examples/, each fixed and checked on real files:
compare/history of two different offices (--force) name each side's office beside its own figures."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from forkcli import run_qmskit

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


# --------------------------------------------------------------------------- validate-responses and warnings

def _gbk_csv(path: Path, answer: str) -> Path:
    path.write_bytes(f"# office: 办公室\nid,answer,notes\n4.1-a,{answer},备注\n".encode("gb18030"))
    return path


def test_validate_responses_final_line_counts_warnings(tmp_path):
    """A reader's warning (a GBK CSV) and a scoring warning (n/a without a justification) are listed, and the
    file's last line counts them: never "no problems" after a warning."""
    gbk = _gbk_csv(tmp_path / "gbk.csv", "是")
    na = tmp_path / "na.csv"
    na.write_text("# office: O\nid,answer\n7.1.5.1-a,n/a\n7.1.5.1-b,n/a\n", encoding="utf-8")
    both = _gbk_csv(tmp_path / "both.csv", "maybe")
    clean = tmp_path / "clean.csv"
    clean.write_text("# office: O\nid,answer,notes\n7.1.5.1-a,n/a,we own no measuring equipment\n", encoding="utf-8")
    en = run("validate-responses", gbk, na, both, clean)
    assert en.exit_code == 1  # both.csv has an error; warnings alone do not fail
    lines = en.stdout.splitlines()
    assert lines[0].startswith(f"warning: {gbk}: not UTF-8; read as GBK/GB18030")
    assert lines[1] == f"{gbk}: no errors, 1 warning"
    assert lines[2:5] == [f"warning: {na}: question '7.1.5.1-a' is n/a without a justification in the notes",
                          f"warning: {na}: question '7.1.5.1-b' is n/a without a justification in the notes",
                          f"{na}: no errors, 2 warnings"]
    assert lines[5].startswith(f"{both}:") and "answer 'maybe' is not allowed" in lines[5]
    assert lines[6].startswith(f"warning: {both}: not UTF-8")  # the same warning again, for another file
    assert lines[7:] == [f"{both}: 1 problem and 1 warning", f"{clean}: no problems"]
    assert "no problems" not in "".join(lines[:7]) and en.stderr == ""
    zh = run("validate-responses", gbk, na, both, "--lang", "zh")
    lines = zh.stdout.splitlines()
    assert lines[0].startswith(f"警告：{gbk}：不是 UTF-8 编码")
    assert lines[1] == f"{gbk}：没有错误，1 条警告"
    assert lines[4] == f"{na}：没有错误，2 条警告"
    assert lines[-1] == f"{both}：共 1 处错误，另有 1 条警告"
    ok = run("validate-responses", gbk)
    assert ok.exit_code == 0


# --------------------------------------------------------------------------- one wording for places

def test_one_place_wording_per_file_kind(tmp_path):
    """A text file (YAML, CSV) places every problem, answers and KPIs alike, by its line ("line N", what an
    editor shows); a workbook by its rows ("row N" of the Assessment sheet, "KPIs row N"). The answers said
    "row N" of a YAML/CSV line while its KPIs said "line N"."""
    yaml_file = tmp_path / "r.yaml"
    yaml_file.write_text("office: O\nchecklist: gov-office\nkpis:\n  - {id: nope, value: 3}\nresponses:\n"
                         "  - {id: 4.1-a, answer: maybe}\n  - {id: 4.1-b, answer: 'yes'}\n"
                         "  - {id: 4.1-b, answer: 'yes'}\n", encoding="utf-8")
    csv_file = tmp_path / "r.csv"
    csv_file.write_text("# office: O\n# checklist: gov-office\n# kpi.nope: 3\nid,answer\n4.1-a,maybe\n4.1-a,yes\n",
                        encoding="utf-8")
    res = run("validate-responses", yaml_file, csv_file)
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert lines[:3] == [
        f"{yaml_file}:line 4: unknown KPI id 'nope' (checklist gov-office declares: sat-satisfied, "
        "sat-satisfied-basic, sat-attitude, sat-order, sat-environment, sat-efficiency, sat-integrity, doc-completion)",
        f"{yaml_file}:line 6: question '4.1-a': answer 'maybe' is not allowed; allowed: yes, partial, no "
        "(also y/p/n, 是/部分/否; blank = unanswered)",
        f"{yaml_file}:line 8: question id '4.1-b' appears twice (first at line 7)"]
    assert [line.split(": ", 1)[0] for line in lines[4:7]] == [f"{csv_file}:line {n}" for n in (3, 5, 6)]
    assert lines[6].endswith("appears twice (first at line 5)")
    assert " row " not in res.stdout and ":row" not in res.stdout
    zh = run("validate-responses", yaml_file, "--lang", "zh")
    assert zh.stdout.splitlines()[2] == f"{yaml_file}（第 8 行）：题号“4.1-b”重复出现（首次出现在第 7 行）"

    import openpyxl
    book = tmp_path / "r.xlsx"
    assert run("template", "gov-office", "--office", "O", "-o", book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    wb["Assessment"]["E3"] = "maybe"  # row 3 is 4.1-a
    wb["KPIs"]["E2"] = "lots"
    wb.save(book)
    lines = run("validate-responses", book).stdout.splitlines()
    assert lines[0].startswith(f"{book}:row 3: question '4.1-a': answer 'maybe'")
    assert lines[1].startswith(f"{book}:KPIs row 2: ") and "lots" in lines[1]


# --------------------------------------------------------------------------- one office assessed several times

def _score_table(*files, columns: int, lang: str = "en") -> list[str]:
    """The table as a terminal COLUMNS wide shows it: the CLI in a process of its own (a fork of the
    pre-imported interpreter, :func:`forkcli.run_qmskit`), its width taken from the environment."""
    out = run_qmskit("score", *files, "--lang", lang, env={"COLUMNS": str(columns)})
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def test_score_of_several_files_tells_the_assessments_apart():
    """Moonbay's three yearly files name the same office: each row says which assessment it is (its date), in
    a column of its own where the terminal is wide enough, else on a line of the office's cell; the reasons
    lines too. One file: the table as before."""
    dates = ["2024-10-22", "2025-10-20", "2026-10-19"]
    wide = _score_table(*MOONBAY, columns=120)
    header = wide[1].split()
    assert header[:3] == ["office", "assessed", "overall"] and header[-1] == "readiness"
    rows = [line for line in wide if line.startswith(" 月湾区")]
    import re
    assert [re.search(r" (\d{4}-\d\d-\d\d) +\d+\.\d ", row).group(1) for row in rows] == dates  # date, then overall
    assert all(len(line) <= 120 for line in wide)
    narrow = _score_table(*MOONBAY, columns=80)
    assert all(len(line) <= 80 for line in narrow)
    assert "assessed" not in narrow[1] and narrow[1].split()[-1] == "readiness"  # the verdict is never dropped
    assert [line.strip() for line in narrow if line.strip() in dates] == dates
    assert "Nearly ready" in "".join(narrow)
    reasons = [line for line in narrow if line.startswith("月湾区")]
    assert [line.split(") (")[1][:10] for line in reasons] == dates
    zh = _score_table(*MOONBAY, columns=120, lang="zh")
    assert zh[1].split()[:2] == ["单位", "评估"]
    assert [line.split("）：")[0][-10:] for line in zh if line.startswith("月湾区")] == dates
    single = _score_table(MOONBAY[0], columns=120)
    assert "assessed" not in single[1] and not any(line.strip() == dates[0] for line in single)


def test_same_office_twice_on_one_date_is_told_apart_by_file(tmp_path):
    from qmskit.core.assessment import telling_apart
    a, b = tmp_path / "lakeside-team-a.yaml", tmp_path / "lakeside-team-b.yaml"
    for path in (a, b):
        path.write_text("office: Lakeside\ndate: 2026-03-01\nresponses:\n  - {id: 4.1-a, answer: 'yes'}\n",
                        encoding="utf-8")
    other = tmp_path / "hill.yaml"
    other.write_text("office: Hill\nresponses:\n  - {id: 4.1-a, answer: 'no'}\n", encoding="utf-8")
    assert telling_apart([read_and_score(p) for p in (a, b, other)]) == [a.name, b.name, other.name]
    lines = _score_table(a, b, other, columns=120)
    assert [line.split()[1] for line in lines if line.startswith((" Lakeside", " Hill"))] == [a.name, b.name,
                                                                                              other.name]


def test_portfolio_heatmap_rows_of_one_office_read_apart():
    """Batch of Moonbay 2024/2025/2026: the heatmap's row labels (shortened names) all read "月湾区人民政府办公室
    (Moonbay District Government G…" before; now the name is shortened and the date kept, and the ranking, the
    links and the report files name the date too. One office is one row: its latest assessment (2026); the
    earlier two are listed after the ranking, each with its date and its report."""
    import re

    from qmskit.batch import inputs, summary
    from qmskit.batch.tasks import Status
    from qmskit.render import portfolio
    outcomes = [inputs.score_file(path) for path in MOONBAY]
    inputs.assign_slugs(outcomes)
    for o in outcomes:
        o.status = Status.DONE
        o.html = Path(f"{o.slug}.en.html")
    office = read_and_score(MOONBAY[0]).office
    dates = ["2024-10-22", "2025-10-20", "2026-10-19"]
    assert [o.office for o in outcomes] == [f"{office} ({d})" for d in dates]
    assert [o.slug[-10:] for o in outcomes] == dates
    for lang in ("en", "zh"):
        pf = portfolio.Portfolio(summary.portfolio_data(outcomes, lang, True), lang)
        labels = re.findall(r'<th scope="row" title="([^"]*)">([^<]*)</th>', pf.heatmap_html())
        assert [label for _, label in labels] == [f"{office[:28]}… ({dates[-1]})"], labels
        assert all(len(label) <= 42 for _, label in labels)
        assert [title for title, _ in labels] == [outcomes[-1].office]
        assert pf.earlier()[["date", "href"]].values.tolist() == [[d, f"{o.slug}.en.html"] for d, o in
                                                                  reversed(list(zip(dates[:-1], outcomes)))]


# --------------------------------------------------------------------------- usage lines in the command's language

def test_compare_and_history_usage_errors_are_framed_in_chinese():
    """Under --lang zh every line compare and history print is Chinese: click framed the usage errors with its
    English "Usage:", "Try … for help." and "Error:" (and said a missing file in English)."""
    import re

    cases = [(("history", MOONBAY[0], "-o", "out"), "请至少给出该单位的两次评估"),
             (("compare", MOONBAY[0], MOONBAY[1]), "请用 -o 文件夹 指定 HTML 报告的位置，或加 --json"),
             (("history", *MOONBAY, "--pdf", "--json"), "--pdf 需要同时给出 -o 文件夹"),
             (("compare", MOONBAY[0]), "缺少参数 'AFTER'。")]
    for args, words in cases:
        zh = run(*args, "--lang", "zh")
        assert zh.exit_code == 2 and zh.stdout == ""
        usage, hint, blank, error = zh.stderr.splitlines()
        command = args[0]
        assert usage.startswith(f"用法：main {command} [OPTIONS] ") and blank == ""
        assert hint == f"运行“main {command} --help”查看帮助。"
        assert error.startswith(f"错误：{words}")
        for line in (hint, error):  # no English word but the command, its options and its arguments' names
            assert not re.search(r"[A-Za-z]{3,}", re.sub(r"main \w+|--?\w+|AFTER|HTML", "", line)), line
        en = run(*args)
        assert en.exit_code == 2 and en.stderr.splitlines()[1] == f"Try 'main {command} --help' for help."
        assert en.stderr.splitlines()[3].startswith("Error: ") and "错误" not in en.stderr


# --------------------------------------------------------------------------- split parts and their KPIs

def test_split_parts_show_only_their_own_kpis(tmp_path):
    """`template --split-by clause`: the indicators (clause 9.1) are measured by the part that assesses 9.1; the
    other parts' workbooks had every KPI row too (blank, to be filled by someone else or twice)."""
    import openpyxl
    out = tmp_path / "parts" / "moonbay-2027.xlsx"
    res = run("template", "gov-office", "--from", MOONBAY[2], "--split-by", "clause", "--assign",
              GOV / "moonbay-assign.yaml", "-o", out)
    assert res.exit_code == 0, res.output
    parts = sorted(out.parent.glob("moonbay-2027-*.xlsx"))
    assert len(parts) == 3
    kpi_ids = list(__import__("qmskit").load_checklist("gov-office").kpis["id"])
    sheets = {}
    for part in parts:
        wb = openpyxl.load_workbook(part)
        sheets[part.name] = ([row[0] for row in wb["KPIs"].iter_rows(min_row=2, values_only=True)]
                             if "KPIs" in wb.sheetnames else [])
    assert sorted(map(len, sheets.values())) == [0, 0, len(kpi_ids)], sheets
    [(owner, ids)] = [(name, ids) for name, ids in sheets.items() if ids]
    assert "wang-fang" in owner and ids == kpi_ids  # 王芳 (Wang Fang) assesses 9 and 10
    merged = tmp_path / "merged.xlsx"
    res = run("merge", *parts, "-o", merged)
    assert res.exit_code == 0, res.output
    from qmskit.io.responses import read_responses
    kpis = read_responses(merged)[0]["kpis"]
    assert [k["id"] for k in kpis] == kpi_ids
    assert {k["id"]: k["previous"] for k in kpis} == {k["id"]: k["value"] for k in read_responses(MOONBAY[2])[0]["kpis"]}
