"""``qmskit actions status``: every action is in exactly one column of the table, so the columns add up to
the total (a new user's review: total 13, but open 2 + done, not verified 3 + verified 2 = 7; the 6 a
re-assessment no longer finds were only in --json). Overdue and done without closure evidence are
counted within the columns: a line under the table says so (en, zh)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from forkcli import run_qmskit

PLAN = Path(__file__).resolve().parents[2] / "examples" / "gov" / "actions" / "moonbay-district-office-actions.xlsx"


def table_counts(stdout: str) -> list[int]:
    """The numbers of the table's one office row (total first): the row's first line ends with them."""
    rows = [line for line in stdout.splitlines() if re.search(r"(\s+\d+){6}\s*$", line)]
    assert len(rows) == 1, stdout
    return [int(n) for n in rows[0].split()[-6:]]


def test_the_columns_add_up_to_the_total():
    doc = json.loads(run_qmskit("actions", "status", PLAN, "--as-of", "2027-01-01", "--json").stdout)
    parts = ("open", "ineffective", "done_not_verified", "verified", "resolved_by_reassessment")
    assert sum(doc[k] for k in parts) == doc["total"]
    assert doc["resolved_by_reassessment"] > 0 and doc["done_without_evidence"] > 0  # the columns once missing
    for lang, within in (("en", "the columns add up to the total; within them,"), ("zh", "各列相加等于合计；其中")):
        res = run_qmskit("actions", "status", PLAN, "--as-of", "2027-01-01", "--lang", lang)
        assert res.returncode == 0, res.stderr
        total, *columns = table_counts(res.stdout)
        assert total == doc["total"] == sum(columns)
        assert columns == [doc[k] for k in parts]
        text = "".join(res.stdout.split()) if lang == "zh" else " ".join(res.stdout.split())
        assert within in text
