"""The public API is pinned, and importing qmskit is cheap and changes nothing outside qmskit."""
from __future__ import annotations

import json
import subprocess
import sys

import qmskit

PUBLIC_API = sorted([
    "Assessment", "Band", "Basis", "Checklist", "ChecklistError", "GapReason", "ManyScores", "QmskitError",
    "Reason", "ReasonCode", "ResponsesError", "Severity",
    "__version__", "action_plan", "classify_gaps", "list_checklists", "load_checklist",
    "rank_gaps", "read_responses", "readiness_verdict", "score", "score_many", "write_responses",
])


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/", timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_public_api_is_pinned_and_every_name_resolves():
    assert qmskit.__all__ == PUBLIC_API
    for name in PUBLIC_API:
        assert getattr(qmskit, name) is not None, name
    assert set(PUBLIC_API) <= set(dir(qmskit))
    assert qmskit.score is __import__("qmskit.core.scoring", fromlist=["score"]).score
    try:
        qmskit.no_such_name  # noqa: B018  (the attribute lookup itself is what is tested)
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("unknown attribute did not raise")


def test_import_and_cli_start_load_no_heavy_modules():
    """`import qmskit` and the CLI's start (what --help and --version pay) load none of the heavy stacks."""
    loaded = json.loads(_run(
        "import sys, json, qmskit, qmskit.cli\n"
        "heavy = ['pandas', 'numpy', 'rich', 'nbformat', 'papermill', 'jsonschema', 'matplotlib', 'yaml',"
        " 'openpyxl', 'nbconvert']\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))"))
    assert loaded == []


SNAPSHOT = r"""
import atexit, copy, importlib, json, os, sys
# third-party libraries register their own exit hooks on import (pandas, openpyxl, nbclient...): import them
# first, so that what is measured below is qmskit's own doing
for lib in ("numpy", "pandas", "openpyxl", "yaml", "click", "rich", "nbformat", "nbclient", "papermill",
            "nbconvert", "matplotlib", "IPython", "ipywidgets", "jinja2", "markupsafe"):
    try:
        importlib.import_module(lib)
    except ImportError:
        pass
def umask():
    for line in open('/proc/self/status'):
        if line.startswith('Umask:'):
            return line.split()[1]
import matplotlib, papermill
from papermill.engines import papermill_engines
def state():
    return {"engines": sorted(map(str, papermill_engines._engines)), "rc": {k: repr(v) for k, v in matplotlib.rcParams.items()},
            "atexit": atexit._ncallbacks(), "umask": umask(), "cwd": os.getcwd()}
"""


def test_importing_every_module_changes_no_global_state():
    """No import-time side effects: papermill's engines, matplotlib's rcParams, atexit hooks, the umask."""
    out = json.loads(_run(SNAPSHOT + r"""
before = state()
import importlib, pkgutil, qmskit
names = [m.name for m in pkgutil.walk_packages(qmskit.__path__, 'qmskit.') if m.name != 'qmskit.__main__']
for name in names:
    importlib.import_module(name)
print(json.dumps({"before": before, "after": state(), "modules": len(names)}))
"""))
    assert out["modules"] > 20
    assert out["after"] == out["before"]
