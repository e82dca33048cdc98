"""The portfolio's "gaps shared by two or more offices" counts missed KPI targets too: a KPI finding
(observation, id ``kpi:<indicator>``) shared by offices is a candidate for a joint fix like a question gap,
and its share counts only the offices that report the KPI (one that does not measure it has not missed it).
Real responses files, scored by the batch's reader, the batch summary's JSON, the page's HTML."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qmskit.batch import inputs, summary
from qmskit.batch.tasks import Status
from qmskit.render import portfolio

FIXTURE = Path(__file__).parents[1] / "data" / "verdict.yaml"  # KPI "satisfaction": target ≥ 90 %


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pf-kpi")
    outcomes = []
    # satisfaction missed by North and South, met by East, not reported by West; r1 a gap in North and East
    for name, satisfaction, r1 in (("North", 80, "no"), ("South", 85, "yes"), ("East", 95, "partial"),
                                   ("West", None, "yes")):
        kpi = f"# kpi.satisfaction: {satisfaction}\n" if satisfaction is not None else ""
        path = folder / f"{name.lower()}.csv"
        path.write_text(f"# office: {name} Office\n{kpi}id,answer,evidence\n"
                        f"p1,yes,audit plan seen\nc1,yes,reports seen\nr1,{r1},records seen\n", encoding="utf-8")
        outcomes.append(inputs.score_file(path, str(FIXTURE)))
    inputs.assign_slugs(outcomes)
    for o in outcomes:
        assert o.assessment is not None, o.error
        o.status = Status.DONE
    # what the portfolio notebook reads: the summary as it travels, through JSON
    return lambda lang: json.loads(json.dumps(summary.portfolio_data(outcomes, lang, False)))


def test_a_missed_kpi_target_shared_by_offices_is_a_shared_gap(data):
    pf = portfolio.Portfolio(data("en"), "en")
    shared = pf.shared_gaps(top=1000).set_index("id")
    kpi = shared.loc["kpi:satisfaction"]
    # two of the three offices that report it (West gives no value): 67 %, not 2 of 4
    assert (kpi["offices"], kpi["asked"], kpi["observation"], kpi["major"], kpi["minor"]) == (2, 3, 2, 0, 0)
    assert kpi["share"] == pytest.approx(2 / 3)
    assert kpi["clause"] == "9.1"
    assert kpi["question"] == "User satisfaction: target ≥ 90% not met"
    assert shared.loc["r1", "offices"] == 2 and shared.loc["r1", "asked"] == 4  # question gaps as before
    # as many offices: the larger share first, the KPI's 2 of 3 (67 %) before r1's 2 of 4 (50 %)
    assert list(shared.index) == ["kpi:satisfaction", "r1"]


@pytest.mark.parametrize("lang, words", [("en", "User satisfaction: target ≥ 90% not met"),
                                         ("zh", "用户满意度：未达到目标 ≥ 90%")])
def test_the_shared_kpi_row_on_the_page(data, lang, words):
    html = portfolio.Portfolio(data(lang), lang).shared_gaps_html()
    row = next(r for r in html.split("<tr>") if "kpi:satisfaction" in r)
    assert words in row and "67%" in row
    assert ("KPI targets missed" in html) if lang == "en" else ("绩效指标" in html)


def test_a_kpi_missed_by_one_office_only_is_not_shared(data):
    d = data("en")
    for office in d["offices"]:
        if office["office"] == "South Office":
            office["kpi_findings"] = []
    assert "kpi:satisfaction" not in set(portfolio.Portfolio(d, "en").shared_gaps(top=1000)["id"])


def test_a_summary_written_before_kpi_findings_were_kept_still_renders(data):
    d = data("en")
    for office in d["offices"]:
        office.pop("kpi_findings"), office.pop("kpis_reported")
    shared = portfolio.Portfolio(d, "en").shared_gaps(top=1000)
    assert list(shared["id"]) == ["r1"]
