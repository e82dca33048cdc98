"""What qmskit itself joins in a Chinese page uses Chinese punctuation: a full-width colon after a label,
full-width brackets around the checklist's id, a full-width comma between a finding's owner and due date.
The office's own text is shown as typed (it may hold ASCII punctuation on purpose)."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

import qmskit
from qmskit.render import report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MOONBAY = EXAMPLES / "gov" / "moonbay-district-office-2026.xlsx"


def _text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "|", markup))


@pytest.fixture(scope="module")
def moonbay():
    meta, frame = qmskit.read_responses(MOONBAY)
    return qmskit.score(meta["checklist"], frame, meta)


def test_checklist_line_has_full_width_brackets(moonbay):
    zh, en = _text(str(report.header_html(moonbay, "zh"))), _text(str(report.header_html(moonbay, "en")))
    cl = moonbay.checklist
    assert f"（{cl.id} {cl.version}）" in zh and f" ({cl.id} {cl.version})" not in zh
    assert f" ({cl.id} {cl.version})" in en


def test_owner_and_due_are_joined_by_a_full_width_comma(moonbay):
    row = moonbay.gaps.dropna(subset=["owner", "due"]).query("owner != '' and due != ''").iloc[0]
    due = str(row["due"])[:10]
    zh = str(report.gap_register_html(moonbay, "zh"))
    en = str(report.gap_register_html(moonbay, "en"))
    assert f"{row['owner']}，<time>{due}</time>" in zh
    assert f"{row['owner']}, <time>{due}</time>" in en


def test_document_register_counts_use_a_full_width_colon(moonbay):
    zh = _text(str(report.docinfo_html(moonbay, "zh")))
    counts = re.findall(r"具备[:：]\s?\d+", zh)
    assert counts and all("：" in c for c in counts), counts
