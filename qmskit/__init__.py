"""qmskit: assess how ready an organisation is for ISO 9001 certification.

The flow runs one way: checklist + responses → tidy frames → scores → gaps → report.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .assessment import Assessment
from .checklist import Checklist, list_checklists, load_checklist
from .errors import ChecklistError, QmskitError, ResponsesError
from .gaps import action_plan, classify_gaps, rank_gaps
from .model import Band, Basis, GapReason, Reason, ReasonCode, Severity
from .readiness import readiness_verdict
from .responses import read_responses, write_responses
from .scoring import ManyScores, score, score_many

__all__ = [
    "Assessment", "Band", "Basis", "Checklist", "ChecklistError", "GapReason", "ManyScores", "QmskitError",
    "Reason", "ReasonCode", "ResponsesError", "Severity", "__version__", "action_plan", "classify_gaps", "list_checklists", "load_checklist",
    "rank_gaps", "read_responses", "readiness_verdict", "score", "score_many", "write_responses",
]
