"""gaps.csv, the batch's findings register for people to open: the report's findings with their severity
reason and basis, the KPI findings, headers in the batch's language from the catalog, cells neutralised."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

import qmskit
from qmskit.batch.inputs import score_file
from qmskit.batch.summary import write_tables
from qmskit.i18n.catalog import t
from qmskit.io.responses import write_responses
from qmskit.render import report
from qmskit.render.findings_table import FIELDS, headers

ROOT = Path(__file__).resolve().parents[2]
MOONBAY = ROOT / "examples" / "gov" / "moonbay-district-office-2026.xlsx"   # gov-office: gaps and a missed KPI
WESTLAKE = ROOT / "examples" / "offices" / "westlake-archives.xlsx"         # iso9001-2015: minors only


@pytest.fixture(scope="module")
def outcomes():
    scored = []
    for path in (MOONBAY, WESTLAKE):
        o = score_file(path)
        assert o.error is None, o.error
        o.slug = path.stem
        scored.append(o)
    assert scored[0].assessment.kpi_findings, "the example should miss a KPI target"
    return scored


def read(path: Path) -> tuple[list[str], pd.DataFrame]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode()), "a BOM, so Excel reads the Chinese as UTF-8"
    text = raw.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return header, table.rename(columns={v: k for k, v in zip(FIELDS, header, strict=True)})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_finding_of_the_report_with_its_reason_basis_and_kpis(outcomes, tmp_path, lang):
    _, gaps_csv = write_tables(tmp_path, outcomes, lang)
    header, table = read(gaps_csv)
    assert header == [headers(lang)[f] for f in FIELDS]
    assert header[:5] == (["office", "date", "rank", "kind", "id"] if lang == "en" else
                          ["单位", "评估日期", "序号", "类别", "编号"])
    for o in outcomes:
        a = o.assessment
        mine = table[table["office"] == o.office]
        # the same findings, in the same order, as the report's gap register (KPI findings included)
        register = report.gap_register_frame(a, lang)
        assert mine["id"].tolist() == register["id"].tolist()
        assert len(mine) == len(a.gaps) + len(a.kpi_findings)
        questions = mine[mine["kind"] == "question"]
        assert questions["id"].tolist() == a.gaps["id"].tolist()
        assert questions["rank"].tolist() == [str(r) for r in a.gaps["rank"]]
        assert questions["severity"].tolist() == a.gaps["severity"].tolist()
        assert questions["reason"].tolist() == a.gaps["reason"].tolist()
        assert questions["basis"].tolist() == a.gaps["basis"].tolist()
        assert questions["reason_text"].tolist() == [t(f"reason_{r}", lang) for r in a.gaps["reason"]]
        assert questions["severity_text"].tolist() == [t(f"sev_{s}", lang) for s in a.gaps["severity"]]
        assert [float(v) for v in questions["impact"]] == pytest.approx(a.gaps["impact"].tolist(), abs=1e-12)
        assert questions["evidence"].tolist() == [e or "" for e in a.gaps["evidence"]]
        # KPI findings: observations of 9.1, no rank, reason "kpi", after the question observations
        kpis = mine[mine["kind"] == "kpi"]
        assert kpis["id"].tolist() == [f["id"] for f in a.kpi_findings]
        assert set(kpis["clause"]) <= {"9.1"} and set(kpis["severity"]) <= {"observation"}
        assert set(kpis["reason"]) <= {"kpi"} and set(kpis["rank"]) <= {""}
        assert set(kpis["reason_text"]) <= {t("reason_kpi", lang)}
        if len(kpis):
            assert mine.index.get_loc(kpis.index[0]) == len(mine) - len(kpis)  # observation is the last severity
            assert kpis["action"].tolist() == [t("kpi_action", lang)] * len(kpis)
            if lang == "en":
                assert all(f["name"] in text for f, text in zip(a.kpi_findings, kpis["question"], strict=True))


def test_an_office_with_only_kpi_findings_is_in_the_table(tmp_path):
    cl = ROOT / "tests" / "data" / "verdict.yaml"
    src = tmp_path / "kpi-only.yaml"
    ids = qmskit.load_checklist(cl).questions["id"]
    write_responses(src, {"office": "KPI only", "kpis": {"satisfaction": {"value": 80}}},
                    pd.DataFrame({"id": ids, "answer": "yes", "evidence": "seen"}), cl)
    o = score_file(src, str(cl))
    assert o.error is None and o.assessment.gaps.empty and o.assessment.kpi_findings
    o.slug = "kpi-only"
    _, table = read(write_tables(tmp_path, [o], "en")[1])
    assert table[["kind", "id", "clause", "severity", "reason"]].values.tolist() == [
        ["kpi", "kpi:satisfaction", "9.1", "observation", "kpi"]]


def test_text_cells_that_start_like_a_formula_are_neutralised(tmp_path):
    cl = ROOT / "tests" / "data" / "verdict.yaml"
    src = tmp_path / "evil.xlsx"
    write_responses(src, {"office": "+Evil"}, pd.DataFrame([
        {"id": "r1", "answer": "partial", "evidence": "=HYPERLINK(\"http://evil\",\"x\")", "notes": "-2+3",
         "owner": "@boss"},
        {"id": "r2", "answer": "no", "evidence": "", "notes": "\t=cmd"}]), cl)
    o = score_file(src, str(cl))
    assert o.error is None, o.error
    o.slug = "evil"
    for lang in ("en", "zh"):
        text = write_tables(tmp_path, [o], lang)[1].read_bytes().decode("utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert "'=HYPERLINK(\"http://evil\",\"x\")" in cells and "'-2+3" in cells and "'@boss" in cells
        assert "'+Evil" in cells and "'=cmd" in cells  # the tab was stripped on input, the = stays text
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_an_empty_batch_still_writes_the_headers(tmp_path):
    header, table = read(write_tables(tmp_path, [], "zh")[1])
    assert header == [headers("zh")[f] for f in FIELDS] and table.empty


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_office_assessed_twice_is_one_office_with_a_row_per_date(tmp_path, lang):
    """scores.csv and gaps.csv are a tidy table of office × date: each assessment's rows name the office as
    read (never "Lakeside (2025-11-10)", which splits one office in two in a pivot) and its date in a column
    of its own; every assessment stays in both. Cells that start like a formula are neutralised, dates too."""
    from qmskit.batch.inputs import assign_slugs
    cl = ROOT / "tests" / "data" / "verdict.yaml"
    given = []
    for date, r1 in (("2025-11-10", "no"), ("2026-11-12", "partial")):
        src = tmp_path / f"lakeside-{date[:4]}.xlsx"
        write_responses(src, {"office": "+Lakeside", "date": date}, pd.DataFrame([
            {"id": "p1", "answer": "yes", "evidence": "seen"}, {"id": "r1", "answer": r1, "evidence": ""}]), cl)
        given.append(score_file(src, str(cl)))
    other = tmp_path / "hill.xlsx"
    write_responses(other, {"office": "Hill"}, pd.DataFrame([{"id": "r1", "answer": "no", "evidence": ""}]), cl)
    given.append(score_file(other, str(cl)))
    assert all(o.error is None for o in given), [o.error for o in given]
    assign_slugs(given)  # the portfolio's labels tell the two apart: the CSVs need not
    assert given[0].office == "+Lakeside (2025-11-10)"
    scores_csv, gaps_csv = write_tables(tmp_path, given, lang)
    text = scores_csv.read_bytes().decode("utf-8-sig")
    scores = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(scores.columns[:3]) == ["office", "date", "file"]
    assert scores[["office", "date"]].values.tolist() == [["'+Lakeside", "2025-11-10"], ["'+Lakeside", "2026-11-12"],
                                                          ["Hill", ""]]
    header, gaps = read(gaps_csv)
    assert header[:2] == (["office", "date"] if lang == "en" else ["单位", "评估日期"])
    expected = {("'+Lakeside", "2025-11-10"): given[0], ("'+Lakeside", "2026-11-12"): given[1], ("Hill", ""): given[2]}
    assert gaps.groupby(["office", "date"], sort=False).size().to_dict() == {
        key: len(o.assessment.gaps) + len(o.assessment.kpi_findings) for key, o in expected.items()}
