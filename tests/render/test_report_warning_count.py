"""Lead auditor's finding: the report's warnings section dropped the "n/a without a justification" warnings
by matching their English words (they are flagged in the n/a table instead), so it said "Warnings (1)"
where ``validate-responses`` said 2. Warnings are picked by code (the Message's catalog key) and the
report counts every warning, as the CLI does, saying the n/a ones in one line that points to the table."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from forkcli import run_qmskit

import qmskit
from qmskit.api import load_assessment
from qmskit.core.model import NA_UNJUSTIFIED
from qmskit.io.responses import write_responses
from qmskit.render.report import attention_html

VERDICT = Path(__file__).parents[1] / "data" / "verdict.yaml"
CL = qmskit.load_checklist(VERDICT)


def office(tmp_path: Path) -> Path:
    na = {"x1"}  # no justification in the notes
    rows = [{"id": q, "answer": "n/a" if q in na else "yes", "evidence": "" if q in na else f"{q} register"}
            for q in CL.questions["id"]]
    path = tmp_path / "office.xlsx"
    # clause 2.3 excluded, yet x2 is answered "yes" there: the second warning (x3 is left blank)
    rows = [r for r in rows if r["id"] != "x3"]
    write_responses(path, {"office": "Quay Office", "excluded_clauses": "2.3", "exclusions": "2.3: we do not design"},
                    pd.DataFrame(rows), CL, lang="en")
    return path


def test_report_and_cli_count_the_same_warnings(tmp_path):
    path = office(tmp_path)
    cli = run_qmskit("validate-responses", "--checklist", VERDICT, path)
    assert re.search(r"no errors, 2 warnings", cli.stdout), cli.stdout
    a = load_assessment(path, str(VERDICT))
    assert sum(getattr(w, "key", None) == NA_UNJUSTIFIED for w in a.warnings) == 1
    html = str(attention_html(a, "en"))
    assert "Warnings (2)</h3>" in html
    items = re.findall(r"<li>(.*?)</li>", html.split("Warnings (2)")[1])
    assert len(items) == 2 and "although clause 2.3 is excluded" in items[0]
    assert "1 n/a answer has no justification" in items[1] and "n/a table above" in items[1]
    zh = str(attention_html(a, "zh"))
    assert "警告（2）</h3>" in zh
    assert "1 项“不适用”回答的备注未说明理由" in zh


def test_the_filter_is_the_code_not_the_words(tmp_path):
    """A warning whose English happens to contain the old filter's words, but is another warning, is listed."""
    a = load_assessment(office(tmp_path), str(VERDICT))
    a.warnings.append("note: question 'r1' is n/a without a justification in an older copy")
    html = str(attention_html(a, "en"))
    assert "Warnings (3)</h3>" in html and "in an older copy" in html
