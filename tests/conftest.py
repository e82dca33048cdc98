"""Shared fixtures: a headless Chromium (Debian's, offline) and a full-checklist responses file."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qmskit.config import DEFAULT_CHROMIUM, ENV_CHROMIUM

CHROMIUM = Path(os.environ.get(ENV_CHROMIUM) or DEFAULT_CHROMIUM)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium():
    """A Playwright Browser on Debian's Chromium; skips LOUDLY when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing — run `make system-deps` "
                    "(apt-get install chromium fonts-noto-cjk) to check reports in a real browser")
    sync_api = pytest.importorskip("playwright.sync_api", reason="BROWSER TESTS SKIPPED: playwright not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def mixed_answers(checklist, seed: int = 7) -> pd.DataFrame:
    """A plausible mix over every question: yes/partial/no, a few blanks, n/a where allowed (one without a
    justification), a "yes" without evidence, owners and due dates on the gaps."""
    rng = np.random.default_rng(seed)
    rows, first_na = [], True
    for q in checklist.questions.itertuples(index=False):
        u = rng.random()
        answer = "yes" if u < 0.6 else "partial" if u < 0.8 else "no" if u < 0.93 else ""
        if q.na_allowed and q.clause.startswith("8.3"):
            answer = "n/a"
        notes = ""
        if answer == "n/a":
            notes = "" if first_na else "Excluded under 4.3: no design of services."
            first_na = False
        evidence = f"Seen: {q.evidence_en}"[:120] if answer in ("yes", "partial") and u > 0.05 else ""
        gap = answer in ("partial", "no")
        rows.append({"id": q.id, "answer": answer, "evidence": evidence, "notes": notes,
                     "owner": ["Ms. Chen", "Mr. Liu", ""][int(rng.integers(3))] if gap else "",
                     "due": (dt.date(2026, 11, 1) + dt.timedelta(days=int(rng.integers(10, 90)))).isoformat()
                     if gap else ""})
    return pd.DataFrame(rows)


OFFICE_META = {
    "office": "Lakeside Test Office", "assessor": "T. Tester", "date": "2026-10-01",
    "scope": "Administrative services", "sites": "Head office", "exclusions": "8.3 Design and development",
    "language": "en", "status": "draft", "confidentiality": "Confidential: test data.",
}


@pytest.fixture(scope="session")
def full_checklist():
    import qmskit
    return qmskit.load_checklist("iso9001-2015")


@pytest.fixture(scope="session")
def full_responses(tmp_path_factory, full_checklist) -> Path:
    """An .xlsx responses file for the full ISO 9001 checklist with a mix of answers (session-wide, read-only)."""
    from qmskit.io.responses import write_responses
    path = tmp_path_factory.mktemp("responses") / "lakeside.xlsx"
    write_responses(path, OFFICE_META, mixed_answers(full_checklist), full_checklist, backup=False)
    return path
