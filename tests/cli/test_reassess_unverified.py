"""Lead auditor's finding: ``qmskit template --from last-year.xlsx --keep-answers`` carried last year's
evidence over (marked to re-verify) and, with nothing re-checked, the next report said "Ready for
certification" with 0 unsupported. Every edge that scores a file now counts such a "yes" as unsupported:
``score --json``, the report's list (saying why), the batch's portfolio counts and the form's header."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from forkcli import run_qmskit

import qmskit
from qmskit.api import load_assessment, read_and_score
from qmskit.batch.inputs import score_file
from qmskit.batch.summary import portfolio_data
from qmskit.io.responses import read_responses, write_responses
from qmskit.render.report import attention_html

VERDICT = Path(__file__).parents[1] / "data" / "verdict.yaml"
CL = qmskit.load_checklist(VERDICT)


def last_year(tmp_path: Path) -> Path:
    rows = [{"id": q, "answer": "yes", "evidence": f"{q} register, entries checked"} for q in CL.questions["id"]]
    path = tmp_path / "last-year.xlsx"
    write_responses(path, {"office": "Harbour Office", "date": "2026-03-01"}, pd.DataFrame(rows), CL, lang="en")
    return path


def test_kept_answers_on_carried_evidence_are_not_ready(tmp_path):
    previous = last_year(tmp_path)
    assert read_and_score(previous, VERDICT).readiness.value == "ready"
    nxt = tmp_path / "this-year.xlsx"
    made = run_qmskit("template", VERDICT, "--from", previous, "--keep-answers", "-o", nxt)
    assert made.returncode == 0, made.stderr
    ids = list(CL.questions["id"])

    scored = run_qmskit("score", "--checklist", VERDICT, "--json", nxt)
    result = json.loads(scored.stdout)
    assert result["readiness"] == "nearly_ready" and result["unsupported"] == ids
    assert "evidence_carried" in [r["code"] for r in result["readiness_reason_codes"]]

    a = load_assessment(nxt, str(VERDICT))
    html = str(attention_html(a, "en"))
    assert f"“Yes” answers without evidence ({len(ids)})" in html
    assert html.count("evidence carried over from the previous assessment, not yet re-verified") == len(ids)
    assert str(attention_html(a, "zh")).count("证据沿用自上次评估，尚未复核") == len(ids)

    outcome = score_file(nxt, str(VERDICT))
    [office] = portfolio_data([outcome], "en", office_reports=False)["offices"]
    assert office["unsupported"] == len(ids) and office["readiness"] == "nearly_ready"

    # the assessor re-checks one critical answer and removes its mark: that one is evidence again
    meta, frame = read_responses(nxt, CL)
    frame.loc[frame["id"] == "c1", "evidence"] = "c1 register, re-checked 2027-03-02"
    write_responses(nxt, meta, frame, CL, lang="en")
    again = read_and_score(nxt, VERDICT)
    assert again.unsupported == [q for q in ids if q != "c1"]


def test_the_form_header_does_not_say_ready(tmp_path):
    from qmskit.api import prefill_from
    from qmskit.forms.widgets import AssessmentForm
    pre = prefill_from(last_year(tmp_path), str(VERDICT), keep_answers=True)
    path = tmp_path / "this-year.yaml"
    write_responses(path, pre.meta, pre.responses, CL, lang="en")
    form = AssessmentForm(str(VERDICT), path, poll=None, debounce=0.05)
    header = form.score_html.value
    assert "Ready for certification" not in header and "carried over from the previous assessment" in header
    assert form.assessment.unsupported == list(CL.questions["id"])
