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
    "Assessment": "assessment",
    "Checklist": "checklist", "list_checklists": "checklist", "load_checklist": "checklist",
    "ChecklistError": "errors", "QmskitError": "errors", "ResponsesError": "errors",
    "action_plan": "gaps", "classify_gaps": "gaps", "rank_gaps": "gaps",
    "Band": "model", "Basis": "model", "GapReason": "model", "Reason": "model", "ReasonCode": "model",
    "Severity": "model",
    "readiness_verdict": "readiness",
    "read_responses": "responses", "write_responses": "responses",
    "ManyScores": "scoring", "score": "scoring", "score_many": "scoring",
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
    from .assessment import Assessment
    from .checklist import Checklist, list_checklists, load_checklist
    from .errors import ChecklistError, QmskitError, ResponsesError
    from .gaps import action_plan, classify_gaps, rank_gaps
    from .model import Band, Basis, GapReason, Reason, ReasonCode, Severity
    from .readiness import readiness_verdict
    from .responses import read_responses, write_responses
    from .scoring import ManyScores, score, score_many
