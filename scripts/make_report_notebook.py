"""Regenerate notebooks/report.ipynb (thin: the parameters cell, then one cell that imports, loads the office
and displays the report's sections).

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

# the report's sections, in page order: one call each, displayed by the same cell as SETUP, as ONE HTML output.
# Every cell costs a warm kernel's batch worker a round of kernel messages (execute request, busy, input, reply, idle)
# and every output one more message, each read, decoded, validated and recorded by nbclient and papermill,
# and in the kernel a display (ipykernel waits for its I/O thread to flush stdout and stderr before each).
# The page is the same, byte for byte: the qmskit_report template writes a cell of HTML outputs as those
# outputs, each after a newline, and this one output is the sections joined by newlines.
SECTIONS = [
    "report.header_html(assessment, lang, title, brand=profile, audience=audience, seq=report_seq)",
    "report.summary_html(assessment, lang)",
    "report.verdict_html(assessment, lang)",
    "report.chart_html(assessment, lang)",
    "report.clause_table_html(assessment, lang)",
    "report.gap_register_html(assessment, lang)",
    "report.action_plan_html(assessment, lang)",
    "report.docinfo_html(assessment, lang)",
    "report.attention_html(assessment, lang)",
    "report.appendix_html(assessment, lang)",
    "report.method_html(assessment, lang)",
    "report.closing_html(assessment, lang, brand=profile, audience=audience)",
    "report.parameters_html(assessment, parameters, lang, audience=audience, brand=profile)",
]
DISPLAY = 'display(HTML("\\n".join([\n' + "".join(f"    {call},\n" for call in SECTIONS) + "])))"


def build() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    params = new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, new_code_cell(SETUP + "\n\n" + DISPLAY)]
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
