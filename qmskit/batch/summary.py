"""The batch summarised: scores.csv and gaps.csv for a spreadsheet, and the portfolio's data (plain JSON)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from qmskit.batch.outcomes import OfficeOutcome
from qmskit.batch.outputs import OutputFolder, write_text
from qmskit.core.readiness import BANDS
from qmskit.core.values import as_number
from qmskit.io.cells import csv_for_people

# UTF-8's byte-order mark first: Excel opens a CSV without it in the machine's legacy code page, which
# turns every Chinese header, office name and question into mojibake (pandas, LibreOffice and qmskit's
# own reader skip it)
_BOM = "\ufeff"


def write_tables(out: OutputFolder | Path, outcomes: list[OfficeOutcome], lang: str = "en") -> tuple[Path, Path]:
    """scores.csv and gaps.csv, for people to open in a spreadsheet: office names, questions and owners
    that start like a formula are neutralised (qmskit.io.cells.csv_for_people). ``out``: a folder or the
    batch's OutputFolder."""
    return (write_text(out, "scores.csv", _BOM + csv_for_people(scores_table(outcomes))),
            write_text(out, "gaps.csv", _BOM + csv_for_people(gaps_table(outcomes, lang))))


def scores_table(outcomes: list[OfficeOutcome]) -> pd.DataFrame:
    """One row per scored assessment (office × date: an office assessed twice has two rows, its name the same
    in both): overall, completeness, readiness, then every clause's score (columns are clause numbers in
    document order). Unrounded; empty where a score is undefined."""
    rows = []
    clause_order: list[str] = []
    for o in outcomes:
        a = o.assessment
        if a is None:
            continue
        row: dict[str, Any] = {"office": a.office, "date": a.date or "", "file": o.source,
                               "report": o.html.name if o.html else "",
                               "overall": a.overall, "completeness": a.completeness, "readiness": a.readiness}
        for r in a.clauses.itertuples(index=False):
            clause = str(r.clause)
            row[clause] = r.score
            if clause not in clause_order:
                clause_order.append(clause)
        rows.append(row)
    cols = ["office", "date", "file", "report", "overall", "completeness", "readiness"] + clause_order
    return pd.DataFrame(rows, columns=cols)


def gaps_table(outcomes: list[OfficeOutcome], lang: str = "en") -> pd.DataFrame:
    """Every finding of every scored assessment, as the report's gap register has them (question gaps in rank
    order, then each office's KPI findings after the question gaps of their severity), with the severity's
    reason and basis; each row names its office (by name: one office assessed twice is one office) and the
    assessment's date; headers in ``lang`` (qmskit.render.findings_table)."""
    from qmskit.render.findings_table import findings_frame, findings_table
    frames = [findings_frame(o.assessment, lang, file=o.source) for o in outcomes
              if o.assessment is not None and (len(o.assessment.gaps) or o.assessment.kpi_findings)]
    return findings_table(frames, lang)


def portfolio_data(outcomes: list[OfficeOutcome], lang: str, office_reports: bool) -> dict:
    """Everything the portfolio notebook shows, as plain JSON (it may travel to a dask worker).

    ``offices``: each office once, by its latest assessment (:func:`qmskit.core.assessment.latest_of_each`);
    ``earlier``: the headline figures of the others (an office assessed again), reported but not counted.
    Per office: the headline figures, the answers (the portfolio re-scores them all at once with
    score_many when they share a checklist), the top-level clause scores (used when they do not) and the
    gaps and KPI findings; ``questions`` holds the texts of every question that is a gap somewhere (and the
    name and target of every KPI missed somewhere, under its finding's id)."""
    from qmskit.core.assessment import latest_of_each
    from qmskit.render import actions_report
    offices: list[dict[str, Any]] = []
    earlier: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    questions: dict[str, dict[str, Any]] = {}
    scored = [o for o in outcomes if o.assessment is not None]
    latest = {id(o) for o, last in zip(scored, latest_of_each([o.assessment for o in scored if o.assessment]))
              if last}
    counted = [o for o in scored if id(o) in latest]  # one office, one entry: its latest assessment
    for o in outcomes:
        a = o.assessment
        if a is None or not o.ok:
            from qmskit.i18n.catalog import say  # a reason the catalog words (a failed report): in the page's language
            failed.append({"source": o.source, "office": o.office, "stage": o.status.value,
                           "reason": say(o.error, lang) if o.error else o.error})
        if a is None:
            continue
        headline = {"office": o.office, "name": a.office, "date": a.date, "source": o.source,
                    "href": o.html.name if (office_reports and o.ok and o.html) else None,
                    "overall": as_number(a.overall), "completeness": as_number(a.completeness),
                    "readiness": a.readiness.value, "display_band": a.display_band}
        if id(o) not in latest:  # reported (its own report, the CSVs), not counted again in the portfolio
            earlier.append(headline)
            continue
        top = a.clauses[a.clauses["level"] == a.clauses["level"].min()]
        offices.append({
            **headline,
            "checklist": a.checklist.id, "readiness_reasons": [r.to_dict() for r in a.reasons],
            **{k: v for k, v in a.finding_counts().items()},  # major, minor, observation, kpi_observation, unsupported
            "answers": {qid: _answer_json(answer) for qid, answer in _rows(a.questions, "id", "answer")
                        if answer is not None},
            "top_scores": {clause: as_number(score) for clause, score in _rows(top, "clause", "score")},
            "gaps": [{"id": gid, "clause": clause, "severity": severity}
                     for gid, clause, severity in _rows(a.gaps, "id", "clause", "severity")],
            # missed KPI targets (observations, id kpi:<indicator>) and the KPIs the office gave a value for: a
            # KPI's share of offices counts only the offices that report it
            "kpi_findings": [{"id": f["id"], "clause": f["clause"], "severity": f["severity"]} for f in a.kpi_findings],
            "kpis_reported": [str(k) for k, status in _rows(a.kpis, "id", "status") if status != "no_value"]
            if len(a.kpis) else [],
            **actions_report.portfolio_fields(a),  # "actions": open / overdue / verified, with a plan
        })
        for gid, clause, text_en, text_zh in _rows(a.gaps, "id", "clause", "text_en", "text_zh"):
            questions.setdefault(str(gid), {"clause": clause, "en": text_en, "zh": text_zh or text_en})
        names = dict(zip(a.kpis["id"], zip(a.kpis["name_en"], a.kpis["name_zh"]))) if len(a.kpis) else {}
        for f in a.kpi_findings:  # a KPI's name and target, worded by the page ("kpi": what its text needs)
            name_en, name_zh = names.get(f["indicator"], (f["name"], f["name"]))
            questions.setdefault(f["id"], {"clause": f["clause"], "en": name_en, "zh": name_zh or name_en,
                                           "kpi": {"target": f["target"], "direction": f["direction"],
                                                   "unit": f["unit"]}})
    # id (resolved again wherever the notebook runs) and the file it came from (for custom checklists)
    refs = {o.assessment.checklist.id: str(o.assessment.checklist.source or "") for o in counted if o.assessment}
    checklists = [{"id": i, "path": refs[i]} for i in sorted(refs)]
    return {"lang": lang, "checklists": checklists, "offices": offices, "earlier": earlier, "failed": failed,
            "questions": questions, "bands": BANDS, "office_reports": office_reports,
            "oldest_overdue": actions_report.oldest_overdue_rows([o.assessment for o in counted if o.assessment])}


def _rows(frame: pd.DataFrame, *columns: str) -> Any:
    """The rows of a few columns as tuples of Python values (what ``itertuples`` gives for them), column
    by column: ``itertuples`` walks every column of the frame (a full checklist's questions frame has
    dozens), which was most of the portfolio data's ~0.4 s at 20 offices, in the batch's tail."""
    return zip(*(frame[c].tolist() for c in columns))


def _answer_json(answer: Any) -> str | int:
    """A canonical answer as JSON: the token, or a maturity level as an integer."""
    return answer if isinstance(answer, str) else int(answer)


