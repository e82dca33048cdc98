"""The one direction of flow, enforced: the pure core (checklist model → scores → findings → verdict) imports
nothing that reads files, renders HTML, runs notebooks or talks to a terminal.

Checked on the source (AST), so an import hidden in a function counts too; the few deliberate exceptions
are listed below with their reason.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "qmskit"

# pure pandas/numpy: no files, no HTML, no display (the message catalog i18n is data, allowed)
CORE = ["model", "scales", "gaps", "readiness", "assessment", "exclusions", "kpis", "actions", "scoring"]

# edges: files, rendering, notebooks, processes, terminal
EDGE_MODULES = {"responses", "xlsx", "iorw", "report", "portfolio", "batch", "batchdir", "widgets", "session",
                "notebook", "warmkernel", "executors", "kernelstate", "compare_report", "history_report",
                "actions_report", "actions_xlsx", "pdf", "brand", "cli", "question_card", "merge", "reassess"}
EDGE_LIBRARIES = {"openpyxl", "python_calamine", "yaml", "jinja2", "markupsafe", "matplotlib", "nbconvert",
                  "nbformat", "nbclient", "papermill", "ipywidgets", "IPython", "rich", "click", "playwright",
                  "filelock", "dask", "distributed"}

# (module, imported edge) pairs allowed inside a function, each for a stated reason
ALLOWED_LAZY = {
    ("scoring", "responses"): "score(checklist, PATH) convenience: reads the file only when given a path",
}


def _imports(tree: ast.AST):
    """(name, at module level?) for every import in a module."""
    top = set(map(id, tree.body))  # type: ignore[attr-defined]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in top
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: qmskit.<base> or, for "from . import x", each x
                names = [base] if base else [a.name for a in node.names]
                for name in names:
                    yield "qmskit." + name, id(node) in top
            else:
                yield base, id(node) in top


@pytest.mark.parametrize("module", CORE)
def test_core_imports_no_edge(module):
    path = PACKAGE / f"{module}.py"
    assert path.exists(), f"core module {module} is gone: update CORE"
    problems = []
    for name, at_top in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        root = name.split(".")[0]
        inner = name.split(".")[1] if name.startswith("qmskit.") and "." in name else None
        if root in EDGE_LIBRARIES:
            problems.append(f"{module} imports {name}")
        elif inner in EDGE_MODULES and not (not at_top and (module, inner) in ALLOWED_LAZY):
            problems.append(f"{module} imports qmskit.{inner}" + ("" if at_top else " (in a function)"))
    assert not problems, "core must not reach the edges: " + "; ".join(problems)


def test_allowed_exceptions_are_still_needed():
    """An exception nobody uses any more is removed, so the list never grows stale."""
    for module, inner in ALLOWED_LAZY:
        names = {n for n, _ in _imports(ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8")))}
        assert f"qmskit.{inner}" in names, f"ALLOWED_LAZY lists {module} → {inner}, which is no longer imported"
