"""One office assessed twice is one office in the portfolio: the ranking, heatmap, band counts, office count
and "gaps shared by two or more offices" count each office once, by its latest assessment; the earlier ones
are still reported (their own reports, the CSVs) and the page says so, in en and zh, and lists them with a
link to their report. Real responses files, scored by the batch's reader, the summary's JSON, the HTML."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qmskit.batch import inputs, summary
from qmskit.batch.tasks import Status
from qmskit.render import portfolio

FIXTURE = Path(__file__).parents[1] / "data" / "verdict.yaml"

# (file, office, date, r1, c1): Lakeside in 2026 (its latest) and in 2025, given in that order; Hill once.
# c1 is a gap of Lakeside 2025 and of Hill: shared by "2 of 3 offices" when files were offices; r1 is a gap
# of every assessment: "3 of 3" then, 2 of 2 offices now.
FILES = [("lakeside-2026.csv", "Lakeside District Office", "2026-11-12", "partial", "yes"),
         ("lakeside.csv", "lakeside  district office", "2025-11-10", "no", "no"),  # the same office, as compared
         ("hill.csv", "Hill Office", "2026-01-15", "no", "no")]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pf-earlier")
    scored = []
    for name, office, date, r1, c1 in FILES:
        path = folder / name
        path.write_text(f"# office: {office}\n# date: {date}\nid,answer,evidence\n"
                        f"p1,yes,audit plan seen\nc1,{c1},reports seen\nr1,{r1},records seen\n", encoding="utf-8")
        scored.append(inputs.score_file(path, str(FIXTURE)))
    inputs.assign_slugs(scored)
    for o in scored:
        assert o.assessment is not None, o.error
        o.status = Status.DONE
        o.html = Path(f"{o.slug}.en.html")
    return scored


def data(outcomes, lang: str) -> dict:
    return json.loads(json.dumps(summary.portfolio_data(outcomes, lang, True)))  # as it travels


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_names_that_name_one_office_are_told_apart_by_their_date(outcomes):
    """The batch adds the date to the label of every office with more than one assessment, comparing names as
    everywhere else (case and runs of spaces aside): "lakeside  district office" is Lakeside too."""
    assert [o.office for o in outcomes] == ["Lakeside District Office (2026-11-12)",
                                            "lakeside  district office (2025-11-10)", "Hill Office"]
    assert [o.slug for o in outcomes] == ["lakeside-district-office-2026-11-12",
                                          "lakeside-district-office-2025-11-10", "hill-office"]


def test_each_office_is_counted_once_by_its_latest_assessment(outcomes):
    d = data(outcomes, "en")
    assert [o["office"] for o in d["offices"]] == ["Lakeside District Office (2026-11-12)", "Hill Office"]
    assert [(o["name"], o["date"], o["href"]) for o in d["earlier"]] == [
        ("lakeside  district office", "2025-11-10", "lakeside-district-office-2025-11-10.en.html")]
    pf = portfolio.Portfolio(d, "en")
    assert pf.ranking()["office"].tolist() == ["Lakeside District Office (2026-11-12)", "Hill Office"]
    assert sorted(pf.top_level_matrix().index) == ["Hill Office", "Lakeside District Office (2026-11-12)"]
    shared = pf.shared_gaps(top=1000).set_index("id")
    # r1 is a gap of both offices' latest assessments (2 of 2); c1 only of Hill's, not of Lakeside's latest
    assert shared[["offices", "asked"]].to_dict("index") == {"r1": {"offices": 2, "asked": 2}}
    assert sum(map(int, re.findall(r'class="qr-band-count"[^>]*>(\d+)<', pf.bands_html()))) == 2


@pytest.mark.parametrize("lang, said, heading, counted", [
    ("en", "2 offices assessed against Verdict fixture (verdict-fixture 1). 1 earlier assessment of 1 office is not "
           "counted in the ranking, the heatmap or the shared gaps (each office counts once, by its latest "
           "assessment); it is listed after the ranking.",
     "Earlier assessments (not counted in the ranking)", "Latest assessment (counted)"),
    ("zh", "1 个单位的 1 次较早评估未计入排名、热力图和共有差距（每个单位只按最近一次评估计一次），列于排名之后。",
     "较早的评估（未计入排名）", "最近一次评估（计入排名）")])
def test_the_page_says_the_earlier_assessments_and_lists_them_with_their_report(outcomes, lang, said, heading,
                                                                                counted):
    pf = portfolio.Portfolio(data(outcomes, lang), lang)
    header = words(pf.header_html())
    assert said in header
    if lang == "zh":
        assert header.count("共评估 2 个单位") == 1
    ranking = pf.ranking_html()
    assert heading in ranking and counted in ranking
    earlier = ranking[ranking.index(heading):]
    assert '<a href="lakeside-district-office-2025-11-10.en.html">lakeside  district office</a>' in earlier
    assert "2025-11-10" in earlier and "2026-11-12" in earlier      # its date, and the one counted instead
    assert "Hill Office" not in earlier


def test_a_portfolio_of_offices_assessed_once_says_nothing_of_earlier_ones(outcomes):
    once = [outcomes[0], outcomes[2]]
    pf = portfolio.Portfolio(data(once, "en"), "en")
    assert pf.data["earlier"] == [] and "earlier" not in pf.header_html()
    assert "Earlier assessments" not in pf.ranking_html()
