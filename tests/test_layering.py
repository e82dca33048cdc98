"""The one direction of flow, enforced between subpackages: the pure core (checklist model → scores →
findings → verdict) imports nothing that reads files, renders HTML, runs notebooks or talks to a terminal;
each layer above it imports only the layers below (see each subpackage's ``__init__`` docstring).

Checked on the source (AST), so an import hidden in a function counts too; the few deliberate exceptions
are listed below with their reason.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "qmskit"

# subpackage -> the qmskit subpackages (or top-level modules) it may import; errors and config are allowed everywhere
MAY_IMPORT = {
    "core": {"checklist"},
    "checklist": {"io"},           # bounded YAML reading (qmskit.io.yamlio, qmskit.io.limits)
    "i18n": {"core"},              # Reason objects (core.model) and what is blank (core.values)
    "io": {"core", "checklist", "i18n"},
    "jupyter": {"io", "core", "checklist", "i18n"},
    "render": {"core", "checklist", "i18n", "io", "jupyter"},  # frames -> HTML; never api (which calls render)
    "batch": {"core", "checklist", "i18n", "io", "render", "jupyter", "api", "cli"},
    "forms": {"core", "checklist", "i18n", "io", "render", "api"},
    # the edges: read files -> score -> render (run the notebooks) -> write files
    "api": {"core", "checklist", "io", "i18n", "render", "jupyter"},
}
# third-party libraries that belong to the edges: none of them in the core
EDGE_LIBRARIES = {"openpyxl", "python_calamine", "yaml", "jinja2", "markupsafe", "matplotlib", "nbconvert",
                  "nbformat", "nbclient", "papermill", "ipywidgets", "IPython", "rich", "click", "playwright",
                  "filelock", "dask", "distributed"}

# (module, imported subpackage) pairs allowed inside a function, each for a stated reason
ALLOWED_LAZY = {
    ("core/scoring.py", "io"): "score(checklist, PATH) convenience: reads the file only when given a path",
    ("core/assessment.py", "i18n"): "Assessment.readiness_reasons / to_dict: the JSON contract's English reason "
                                    "texts (moving that contract to the edge is what is left of issue #11)",
    ("batch/progress.py", "cli"): "a failed office's line on the progress bar uses the CLI's plain() terminal filter",
}


def _imports(path: Path):
    """(qmskit subpackage or library root, at module level?) for every import in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{path.relative_to(PACKAGE)}: relative import (qmskit imports absolutely)"
            names = [node.module or ""]
            if names[0] == "qmskit":  # from qmskit import X
                names = [f"qmskit.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            yield (parts[1] if parts[0] == "qmskit" and len(parts) > 1 else parts[0]), id(node) in top


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE or p.stem == "api")


def _layer(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


@pytest.mark.parametrize("path", [p for p in _modules() if _layer(p) in MAY_IMPORT],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layer_imports_only_layers_below(path):
    layer, rel = _layer(path), str(path.relative_to(PACKAGE))
    allowed = MAY_IMPORT[layer] | {layer, "errors", "config", "__version__"}
    problems = []
    for name, at_top in _imports(path):
        if name in MAY_IMPORT or name in {"cli", "api"}:  # a qmskit subpackage
            if name not in allowed and not (not at_top and (rel, name) in ALLOWED_LAZY):
                problems.append(f"{rel} imports qmskit.{name}" + ("" if at_top else " (in a function)"))
        elif layer == "core" and name in EDGE_LIBRARIES:
            problems.append(f"{rel} imports {name}")
    assert not problems, f"{layer} must not reach above itself: " + "; ".join(problems)


def test_every_subpackage_has_a_rule():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages - {"cli"} <= set(MAY_IMPORT), packages - set(MAY_IMPORT)


def test_core_has_the_pure_modules():
    core = {p.stem for p in (PACKAGE / "core").glob("*.py")}
    assert {"model", "scales", "gaps", "readiness", "assessment", "exclusions", "kpis", "actions", "scoring",
            "compare", "history", "migrate"} <= core


def test_config_is_plain_constants():
    """config is importable from every layer, so it imports no qmskit module and no third-party library."""
    imported = {name for name, _ in _imports(PACKAGE / "config.py")}
    assert imported <= {"__future__", "pathlib"}, imported


def test_errors_reach_the_catalog_only_for_the_english_of_a_message():
    """qmskit.errors is imported by every layer, the core included: it may look up a message's English text in
    the catalog (errors.msg, for the core and the checklist loader, which name their problems by key and
    fields) inside that one function, and import nothing else of qmskit."""
    tree = ast.parse((PACKAGE / "errors.py").read_text(encoding="utf-8"))
    imports = _module_imports(PACKAGE / "errors.py")
    assert imports == {"qmskit.i18n.catalog", "qmskit.i18n.catalog.msg"}, imports
    [msg] = [fn for fn in tree.body if isinstance(fn, ast.FunctionDef) and fn.name == "msg"]
    assert any(isinstance(node, ast.ImportFrom) and node.module == "qmskit.i18n.catalog" for node in ast.walk(msg))
    assert not any(isinstance(node, ast.ImportFrom) and node.module == "qmskit.i18n.catalog"
                   for fn in tree.body if fn is not msg for node in ast.walk(fn)), "import outside errors.msg"


def test_allowed_exceptions_are_still_needed():
    """An exception nobody uses any more is removed, so the list never grows stale."""
    for rel, name in ALLOWED_LAZY:
        names = {n for n, _ in _imports(PACKAGE / rel)}
        assert name in names, f"ALLOWED_LAZY lists {rel} → {name}, which is no longer imported"


def _module_imports(path: Path) -> set[str]:
    """The qmskit modules a module imports (``qmskit.cli.core``), at module level or in a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("qmskit"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)  # from qmskit.cli import core
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("qmskit"))
    return found


def test_cli_modules_import_no_circle():
    """The command modules form no import circle (cli/core ↔ cli/lifecycle did): a helper two command
    groups share lives in cli/_term (terminal) or in the module of the command it belongs to."""
    cli = {f"qmskit.cli.{p.stem}": p for p in (PACKAGE / "cli").glob("*.py") if p.stem != "__init__"}
    graph = {name: _module_imports(path) & set(cli) - {name} for name, path in cli.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in graph[start])

    circles = sorted(name for name in graph if reaches(name, name, {name}))
    assert not circles, f"import circle through {circles}"


# render turns frames into HTML: reading and writing files is qmskit.api's (the edge). These modules touch
# files for a stated reason; every other render module opens, reads, writes or stats no file and imports no
# reader or writer of qmskit.io (only the name helper below).
RENDER_FILE_ACCESS = {
    "render/brand.py": "the brand file is the page's look: its YAML and logo are read, bounded and validated "
                       "where the brand is defined (api.build_* and the notebooks pass its path)",
    "render/pdf.py": "printing: headless Chromium opens the page api.build_* wrote and the PDF is written beside it",
}
RENDER_MAY_USE_FROM_IO = {("qmskit.io.iorw", "slugify")}  # a file-name stem from an office name: no I/O
FILE_METHODS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "mkdir",
                "exists", "is_file", "is_dir", "stat", "glob", "rglob", "iterdir", "touch"}


def _package_resource(node: ast.AST) -> bool:
    """``resources.files("qmskit.…") / "x.css"`` …: package data shipped with the code (like a template)."""
    return any(isinstance(n, ast.Attribute) and n.attr == "files" for n in ast.walk(node))


def _file_access(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "open":
                yield f"line {node.lineno}: open()"
            elif (isinstance(func, ast.Attribute) and func.attr in FILE_METHODS
                  and not _package_resource(func.value)):
                yield f"line {node.lineno}: .{func.attr}()"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("qmskit.io"):
            for alias in node.names:
                if (node.module, alias.name) not in RENDER_MAY_USE_FROM_IO:
                    yield f"line {node.lineno}: imports {node.module}.{alias.name}"
        elif isinstance(node, ast.Import) and any(a.name.startswith("qmskit.io") for a in node.names):
            yield f"line {node.lineno}: imports qmskit.io"


@pytest.mark.parametrize("path", sorted((PACKAGE / "render").glob("*.py")), ids=lambda p: p.name)
def test_render_reads_and_writes_no_file(path):
    rel = str(path.relative_to(PACKAGE))
    if rel in RENDER_FILE_ACCESS:
        assert list(_file_access(path)), f"{rel} no longer touches files: remove it from RENDER_FILE_ACCESS"
        return
    problems = list(_file_access(path))
    assert not problems, f"{rel} touches files (that is qmskit.api's job): " + "; ".join(problems)


def test_pages_are_built_only_by_the_api():
    """api.py is the one read → score → render → write edge: the builders and loaders live there, and the
    render modules that used to hold them keep only frames → HTML (no old import path was pinned)."""
    import qmskit.api as api
    from qmskit.render import actions_report, compare_report, history_report, portfolio, report

    for name in ("load_assessment", "attach_actions", "find_action_plans", "load_comparison", "load_portfolio",
                 "build_report", "build_comparison", "build_history"):
        assert callable(getattr(api, name)), name
    moved = {report: ("load_assessment", "build_report", "PRESCORED"), compare_report: ("load_comparison", "build_comparison"),
             history_report: ("build_history_report",), portfolio: ("load",), actions_report: ("attach", "find_plans")}
    left = [f"{m.__name__}.{n}" for m, names in moved.items() for n in names if hasattr(m, n)]
    assert not left, left
