"""Every bundled notebook declares its parameters so papermill can read them.

papermill's own inspection (``papermill.inspect_notebook``) must find every name the parameters cell
assigns: a name it cannot parse (an ``=`` in the comment is enough) makes every run log "Passed unknown
parameter" on the consultant's terminal, and ``papermill --help-notebook`` hides it.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import papermill
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def _parameters_cell(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: exactly one cell tagged 'parameters'"
    return "".join(tagged[0]["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_papermill_sees_every_parameter(path, caplog):
    assigned = [t.id for node in ast.parse(_parameters_cell(path)).body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)]
    assert assigned, f"{path.name}: the parameters cell assigns nothing"
    with caplog.at_level("WARNING", logger="papermill"):
        found = list(papermill.inspect_notebook(str(path)))
    assert found == assigned
    assert not [r for r in caplog.records if "Unable to parse" in r.getMessage()]


def test_a_report_run_warns_of_no_unknown_parameter(caplog):
    from qmskit.jupyter.notebook import bundled_notebook, parameterize

    params = {"responses": "x.xlsx", "checklist": None, "lang": "en", "title": None, "actions": None,
              "brand": None, "audience": "internal", "report_seq": None, "out_dir": None}
    with caplog.at_level("WARNING", logger="papermill"):
        nb = parameterize(bundled_notebook("report"), params)
    assert not [r.getMessage() for r in caplog.records], "papermill warned about the report's parameters"
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "responses = " in injected[0].source
