"""One office assessed twice is one office in the portfolio: the ranking, heatmap, band counts, office count
and "gaps shared by two or more offices" count each office once, by its latest assessment; the earlier ones
are still reported (their own reports, the CSVs) and the page says so, in en and zh, and lists them with a
link to their report. Real responses files, scored by the batch's reader, the summary's JSON, the HTML."""
from __future__ import annotations

from pathlib import Path

import pytest

from qmskit.batch import inputs
from qmskit.batch.tasks import Status

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


def test_names_that_name_one_office_are_told_apart_by_their_date(outcomes):
    """The batch adds the date to the label of every office with more than one assessment, comparing names as
    everywhere else (case and runs of spaces aside): "lakeside  district office" is Lakeside too."""
    assert [o.office for o in outcomes] == ["Lakeside District Office (2026-11-12)",
                                            "lakeside  district office (2025-11-10)", "Hill Office"]
    assert [o.slug for o in outcomes] == ["lakeside-district-office-2026-11-12",
                                          "lakeside-district-office-2025-11-10", "hill-office"]
