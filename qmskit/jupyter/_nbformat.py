"""nbformat, imported without the seconds jsonschema would spend on rfc3987_syntax.

nbformat imports jsonschema (its notebook validator), and jsonschema imports ``rfc3987_syntax`` when it
is installed (it arrives with jupyterlab → jupyter-events → ``jsonschema[format-nongpl]``) only to check
the ``iri`` and ``iri-reference`` string formats; that import builds ~38 lark grammars, 1.5–2.3 s of CPU
in every process (python-jsonschema/jsonschema#1428). jsonschema treats the module as optional
(``with suppress(ImportError)``), nbformat's schema uses neither format, and qmskit validates its own
files with fastjsonschema. So while jsonschema is first imported here, the module is marked absent; the
mark is removed right after, so a later explicit ``import rfc3987_syntax`` still works (only
jsonschema's ``iri`` format checkers are missing in this process). A process that imported jsonschema
before is left as it is. ``tests/test_notebook_imports.py`` checks both halves.
"""
from __future__ import annotations

import sys

_SLOW_OPTIONAL = "rfc3987_syntax"

if "jsonschema" not in sys.modules and _SLOW_OPTIONAL not in sys.modules:
    sys.modules[_SLOW_OPTIONAL] = None  # type: ignore[assignment]  # `import` now raises ImportError
    try:
        import jsonschema  # noqa: F401
    finally:
        if sys.modules.get(_SLOW_OPTIONAL, 0) is None:
            del sys.modules[_SLOW_OPTIONAL]

import nbformat  # noqa: E402

__all__ = ["nbformat"]
