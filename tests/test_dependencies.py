"""Every library the tests import is declared: in qmskit's dependencies or in its `test` extra (psutil was
once used without being declared, and passed only because something else happened to install it)."""
from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# qmskit, the tests' helpers and the repo's scripts (imported by their stem)
LOCAL = {"qmskit"} | {p.stem for p in TESTS.rglob("*.py")} | {p.stem for p in (TESTS.parent / "scripts").glob("*.py")}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(with_test: bool = True) -> set[str]:
    """Distributions named by qmskit's requirements that hold without extras (or with the test extra)."""
    names = set()
    for requirement in metadata.requires("qmskit") or []:
        name, _, marker = requirement.partition(";")
        if not marker.strip() or (with_test and re.search(r"""extra\s*==\s*["']test["']""", marker)):
            names.add(_normalise(re.split(r"[\s\[<>=!~]", name.strip(), maxsplit=1)[0]))
    return names


def _imported_roots(folder: Path = TESTS) -> dict[str, str]:
    """Top-level names the files under ``folder`` import (at any depth of the file) -> one file that imports it."""
    roots: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                roots.setdefault(name.split(".")[0], str(path.relative_to(folder)))
    return roots


def _undeclared(roots: dict[str, str], declared: set[str]) -> list[str]:
    providers = metadata.packages_distributions()
    missing = []
    for root, where in roots.items():
        if root in LOCAL or root in sys.stdlib_module_names or root == "__future__":
            continue
        dists = {_normalise(d) for d in providers.get(root, [root])}
        if not dists & declared:
            missing.append(f"{root} ({where}; from {', '.join(sorted(dists))})")
    return missing


def test_every_library_the_tests_import_is_declared():
    missing = _undeclared(_imported_roots(), _declared())
    assert not missing, "imported by the tests but not declared in pyproject.toml: " + "; ".join(missing)


# imported by qmskit only inside a function that runs for an optional feature, each declared in its extra;
# matplotlib only when a notebook has already imported it (jupyter/kernelstate resets its rcParams)
OPTIONAL = {"dask": "dask", "distributed": "dask", "playwright": "pdf", "matplotlib": "test"}


def test_every_library_qmskit_imports_is_a_runtime_dependency():
    """qmskit imported fastjsonschema while only nbformat happened to bring it in; an installed qmskit must
    not depend on what another package installs."""
    roots = {root: where for root, where in _imported_roots(TESTS.parent / "qmskit").items() if root not in OPTIONAL}
    missing = _undeclared(roots, _declared(with_test=False))
    assert not missing, "imported by qmskit but not in its dependencies: " + "; ".join(missing)
