"""Lead auditor's finding: ``qmskit actions status`` shows "done, no evidence" beside "done, not verified"
and "verified", and it counts actions of both, so the columns do not add up to the total, with no word
why. A line under the table says so (en, zh) and what does make up the total."""
from __future__ import annotations

from pathlib import Path

from forkcli import run_qmskit

PLAN = Path(__file__).resolve().parents[2] / "examples" / "gov" / "actions" / "moonbay-district-office-actions.xlsx"


def test_the_overlapping_columns_are_explained():
    en = run_qmskit("actions", "status", PLAN, "--as-of", "2027-01-01", "--json")
    assert en.returncode == 0, en.stderr
    import json
    doc = json.loads(en.stdout)
    # the overlap itself: the no-evidence actions are among the done and the verified ones
    assert doc["done_without_evidence"] > 0
    assert doc["open"] + doc["done_not_verified"] + doc["verified"] + doc["resolved_by_reassessment"] == doc["total"]
    text = run_qmskit("actions", "status", PLAN, "--as-of", "2027-01-01")
    assert "do not add it to the other columns" in " ".join(text.stdout.split()), text.stdout
    zh = run_qmskit("actions", "status", PLAN, "--as-of", "2027-01-01", "--lang", "zh")
    assert "请勿与其他列相加" in "".join(zh.stdout.split()), zh.stdout
