"""qmskit.jupyter._nbformat: nbformat without rfc3987_syntax's grammars, and nothing else changed."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

CODE = r"""
import json, sys
import qmskit.jupyter.notebook, qmskit.jupyter.warmkernel, papermill, nbconvert
import nbformat
loaded_at_import = 'rfc3987_syntax' in sys.modules
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('x = 1')])
nbformat.validate(nb)                      # nbformat's validator still works
bad = nbformat.from_dict({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "nope"}]})
try:
    nbformat.validate(bad)
    invalid_caught = False
except nbformat.ValidationError:
    invalid_caught = True
import jsonschema
later = None
try:
    import rfc3987_syntax  # an explicit import later still works
    later = True
except ImportError:
    later = False
print(json.dumps({"loaded_at_import": loaded_at_import, "invalid_caught": invalid_caught, "later": later,
                  "none_left": sys.modules.get("rfc3987_syntax", 0) is not None}))
"""


def test_nbformat_imports_without_rfc3987_grammars_and_validates():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, cwd="/", timeout=300)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["loaded_at_import"] is False
    assert result["invalid_caught"] is True
    assert result["none_left"] is True
    if importlib.util.find_spec("rfc3987_syntax") is None:
        pytest.skip("rfc3987_syntax not installed here: only the first half applies")
    assert result["later"] is True
