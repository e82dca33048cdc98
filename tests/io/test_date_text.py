"""Dates as the workbook's cells hold them: the ISO fast path reads every text exactly as strptime did."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from qmskit.io.responses import _date_text

FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S", "%Y年%m月%d日")


def _by_strptime(text: str) -> str | None:
    """What _date_text gave a text before the fast path: the first format strptime takes."""
    text = text.strip()
    if text == "":
        return ""
    for fmt in FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


CASES = ["2027-01-04", " 2027-01-04 ", "2027-1-4", "2027-02-30", "2028-02-29", "2027-02-29", "0000-01-01",
         "9999-12-31", "2027-13-01", "2027-00-10", "20270104", "2027-W01-1", "2027-01-04T00:00", "2027/01/04",
         "2027.1.4", "2027-01-04 10:30:00", "2027年1月4日", "２０２７-０１-０４", "2027-01-04x", "", "tomorrow"]


@pytest.mark.parametrize("text", CASES)
def test_a_date_text_reads_as_strptime_read_it(text):
    assert _date_text(text) == _by_strptime(text)


def test_random_near_dates_read_as_strptime_read_them():
    rng = random.Random(7)
    alphabet = "0123456789-/. :年月日T"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(6, 12)))
        if rng.random() < 0.5:  # mostly the shape the fast path takes, with any digits
            text = f"{rng.randint(0, 9999):04d}-{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"
        assert _date_text(text) == _by_strptime(text), text


def test_dates_and_blanks_that_are_not_text():
    assert _date_text(dt.date(2027, 1, 4)) == "2027-01-04"
    assert _date_text(dt.datetime(2027, 1, 4, 9, 30)) == "2027-01-04"
    assert _date_text(None) == "" and _date_text(float("nan")) == ""
