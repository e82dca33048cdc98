"""Regenerate notebooks/report.ipynb (thin: parameters, imports, one display per report section).

The notebook is committed with outputs cleared; edit this script, not the .ipynb, then run
`.venv/bin/python scripts/make_report_notebook.py`.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from qmskit.io import iorw

PARAMETERS = '''\
# Parameters: papermill injects the real values in a cell right after this one.
responses = "../examples/offices/riverside-general-office.xlsx"  # responses file (.xlsx, .csv or .yaml)
checklist = None  # checklist id or path (None: the one named in the responses file)
lang = "en"       # "en" or "zh"
title = None      # report title override
actions = None    # action-plan workbook (qmskit actions plan) whose status the report shows, or None
brand = None      # consultancy brand file (brand.yaml); None: the neutral look
audience = "internal"  # "client" leaves out the technical appendix and internal notes
report_seq = None  # sequence number for the brand's report-number pattern (a batch's position)
out_dir = None    # the output folder the report was written to (for the "re-run with" line)'''

SETUP = '''\
from IPython.display import HTML, display

from qmskit import api
from qmskit.render import report
from qmskit.render.brand import load_brand

assessment = api.load_assessment(responses, checklist, actions)
profile = load_brand(brand) if brand else report.NEUTRAL
parameters = {"responses": responses, "checklist": checklist, "lang": lang, "title": title, "actions": actions,
              "brand": brand, "audience": audience, "out_dir": out_dir}'''

SECTIONS = [
    "display(HTML(report.header_html(assessment, lang, title, brand=profile, audience=audience, seq=report_seq)))",
    "display(HTML(report.summary_html(assessment, lang)))",
    "display(HTML(report.verdict_html(assessment, lang)))",
    "display(HTML(report.chart_html(assessment, lang)))",
    "display(HTML(report.clause_table_html(assessment, lang)))",
    "display(HTML(report.gap_register_html(assessment, lang)))",
    "display(HTML(report.action_plan_html(assessment, lang)))",
    "display(HTML(report.docinfo_html(assessment, lang)))",
    "display(HTML(report.attention_html(assessment, lang)))",
    "display(HTML(report.appendix_html(assessment, lang)))",
    "display(HTML(report.method_html(assessment, lang)))",
    "display(HTML(report.closing_html(assessment, lang, brand=profile, audience=audience)))",
    "display(HTML(report.parameters_html(assessment, parameters, lang, audience=audience, brand=profile)))",
]


def build() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    params = new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, new_code_cell(SETUP)] + [new_code_cell(src) for src in SECTIONS]
    for i, cell in enumerate(nb.cells):
        cell.id = f"report-{i:02d}"  # stable ids: regenerating gives the same file
    return nb


def main() -> None:
    out = Path(__file__).resolve().parent.parent / "notebooks" / "report.ipynb"
    nbformat.validate(nb := build())
    iorw.write_text(out, nbformat.writes(nb) + "\n")
    print(out)


if __name__ == "__main__":
    main()
