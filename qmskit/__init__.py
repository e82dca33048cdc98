"""qmskit: assess how ready an organisation is for ISO 9001 certification.

The flow runs one way: checklist + responses → tidy frames → scores → gaps → report.

The public API is ``__all__``. Names are loaded on first use (PEP 562 ``__getattr__``), so ``import
qmskit`` (and every ``qmskit`` command's start) costs no pandas, no Jupyter stack: a command pays only for
what it uses. ``tests/test_public_api.py`` pins the list.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "Assessment": "core.assessment",
    "Checklist": "checklist.loader", "list_checklists": "checklist.loader", "load_checklist": "checklist.loader",
    "ChecklistError": "errors", "QmskitError": "errors", "ResponsesError": "errors",
    "action_plan": "core.gaps", "classify_gaps": "core.gaps", "rank_gaps": "core.gaps",
    "Band": "core.model", "Basis": "core.model", "GapReason": "core.model", "Reason": "core.model", "ReasonCode": "core.model",
    "Severity": "core.model",
    "readiness_verdict": "core.readiness",
    "read_responses": "io.responses", "write_responses": "io.responses",
    "ManyScores": "core.scoring", "score": "core.scoring", "score_many": "core.scoring",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qmskit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # next time a plain attribute lookup
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # type checkers and IDEs see the real names
    from qmskit.checklist.loader import Checklist, list_checklists, load_checklist
    from qmskit.core.assessment import Assessment
    from qmskit.core.gaps import action_plan, classify_gaps, rank_gaps
    from qmskit.core.model import Band, Basis, GapReason, Reason, ReasonCode, Severity
    from qmskit.core.readiness import readiness_verdict
    from qmskit.core.scoring import ManyScores, score, score_many
    from qmskit.errors import ChecklistError, QmskitError, ResponsesError
    from qmskit.io.responses import read_responses, write_responses
