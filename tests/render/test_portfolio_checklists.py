"""A batch over offices scored on different checklists: the portfolio intro names every checklist with its
count of offices, and the heatmap says that each row is scored on its own checklist."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import qmskit
from qmskit.batch.outcomes import OfficeOutcome
from qmskit.batch.summary import portfolio_data
from qmskit.batch.tasks import Status
from qmskit.render.portfolio import Portfolio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GOV = EXAMPLES / "gov"
FILES = ["moonbay-district-office-2026.xlsx", "pinecrest-municipal-office.xlsx"]
ISO_OFFICE = EXAMPLES / "offices" / "hillview-town-office.xlsx"


def _outcome(path: Path) -> OfficeOutcome:
    a = qmskit.score(qmskit.read_responses(path)[0]["checklist"], path)
    return OfficeOutcome(source=str(path), office=str(a.meta["office"]), status=Status.DONE, assessment=a)


@pytest.fixture(scope="module")
def mixed() -> dict:
    outcomes = [_outcome(GOV / FILES[0]), _outcome(GOV / FILES[1]), _outcome(ISO_OFFICE)]
    assert {o.assessment.checklist.id for o in outcomes} == {"gov-office", "iso9001-2015"}
    return portfolio_data(outcomes, "en", office_reports=False)


@pytest.mark.parametrize(("lang", "gov", "iso"), [
    ("en", "(gov-office 2.0, 2 offices) and ", "(iso9001-2015 2015+A1:2024, 1 office)"),
    ("zh", "（gov-office 2.0，2 个单位）、", "（iso9001-2015 2015+A1:2024，1 个单位）")])
def test_intro_names_every_checklist_with_its_offices(mixed, lang, gov, iso):
    header = Portfolio(mixed, lang).header_html()
    assert gov in header and iso in header, header


@pytest.mark.parametrize(("lang", "caption"), [("en", "offices on different checklists are not comparable"),
                                               ("zh", "使用不同检查表的单位不宜逐条款比较")])
def test_heatmap_names_each_rows_checklist(mixed, lang, caption):
    html = Portfolio(mixed, lang).heatmap_html()
    assert caption in html and "gov-office, iso9001-2015" in html
    assert html.count("(iso9001-2015)</th>") == 1 and html.count("(gov-office)</th>") == 2


def test_one_checklist_keeps_the_plain_intro():
    data = portfolio_data([_outcome(GOV / FILES[0]), _outcome(GOV / FILES[1])], "en", office_reports=False)
    p = Portfolio(data, "en")
    assert "2 offices assessed against Government office QMS readiness" in p.header_html()
    assert "(gov-office 2.0)." in p.header_html() and "offices)" not in p.header_html()
    assert "not comparable" not in p.heatmap_html()


def test_histogram_draws_no_threshold_line_when_the_checklists_disagree(tmp_path):
    """A line at 80 would be wrong for the offices of a checklist whose 'ready' starts at 90."""
    strict = tmp_path / "strict.yaml"
    strict.write_text("extends: iso9001-2015\nid: strict-2015\nversion: '1'\ntitle: {en: Strict, zh: 严格}\n"
                      "thresholds: {ready_min: 90, nearly_ready_min: 80}\nclauses: []\n", encoding="utf-8")
    hillview = qmskit.score(str(strict), ISO_OFFICE)
    assert hillview.checklist.thresholds["ready_min"] == 90
    # another office (one office assessed twice is counted once, by its latest assessment)
    hillview.meta["office"] = "Hillview (strict)"
    outcomes = [_outcome(ISO_OFFICE), OfficeOutcome(source=str(ISO_OFFICE), office="Hillview (strict)",
                                                    status=Status.DONE, assessment=hillview)]
    for lang, caption in (("en", "so none is drawn"), ("zh", "故未画出阈值线")):
        html = Portfolio(portfolio_data(outcomes, lang, office_reports=False), lang).distribution_html()
        assert "<line" not in html and caption in html and "<rect" in html
    same = Portfolio(portfolio_data([_outcome(ISO_OFFICE), _outcome(GOV / FILES[0])], "en",
                                    office_reports=False), "en").distribution_html()
    assert same.count("<line") == 3 and "dashed lines are the verdict thresholds" in same


@pytest.mark.parametrize(("lang", "of"), [("en", "2 of 2"), ("zh", "2 / 2")])
def test_shared_gap_shares_count_only_the_offices_asked(mixed, lang, of):
    """Two gov-office offices and one on iso9001-2015: a gap both gov offices share on a question only the
    gov-office profile asks is 2 of the 2 offices asked (100 %), not 2 of 3; a base question counts all three."""
    import qmskit.checklist.loader as loader
    gov_only = set(loader.load_checklist("gov-office").questions["id"]) - set(
        loader.load_checklist("iso9001-2015").questions["id"])
    pf = Portfolio(mixed, lang)
    shared = pf.shared_gaps(top=1000)
    profile = shared[shared["id"].isin(gov_only)]
    kpis = shared[shared["id"].str.startswith("kpi:")]
    base = shared[~shared["id"].isin(gov_only) & ~shared["id"].str.startswith("kpi:")]
    assert len(profile) and len(base)
    assert (profile["asked"] == 2).all() and (base["asked"] == 3).all()
    # a missed KPI target: out of the offices that report that KPI (the gov-office profile's, here)
    reporting = {k: sum(k in o["kpis_reported"] for o in mixed["offices"]) for k in kpis["id"].str.removeprefix("kpi:")}
    assert kpis.set_index("id")["asked"].to_dict() == {f"kpi:{k}": n for k, n in reporting.items()}
    assert (shared["share"] == shared["offices"] / shared["asked"]).all()
    assert profile["share"].max() == 1.0
    html = Portfolio(mixed, lang).shared_gaps_html()
    row = next(r for r in shared.head(15).itertuples() if r.id in gov_only and r.offices == 2)
    cells = re.search(rf"<code>{re.escape(row.id)}</code>.*?</tr>", html, flags=re.S).group()
    assert of in cells.replace("\u2009", " ") and "100%" in cells, cells
