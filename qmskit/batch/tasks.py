"""What travels between the batch and its workers: one task per notebook to run, one result back.

Tasks are frozen dataclasses of plain values (paths as strings, the action plans as pairs, the portfolio's
data as JSON text), so the same object pickles for a local process pool and for a dask worker and cannot
be changed on its way. A result carries the HTML text (and the executed notebook when asked) rather than a
file: workers never need write access to the output folder.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qmskit.config import DEFAULT_CHECKLIST

if TYPE_CHECKING:
    from qmskit.core.assessment import Assessment


class Status(str, enum.Enum):
    """How far one office (or the portfolio) got. The values are the ``stage`` the portfolio lists for a
    failed office: where it failed."""

    DONE = "done"              # the report was rendered
    READ_FAILED = "read"       # the file could not be read or scored (or its action plan attached)
    REPORT_FAILED = "report"   # the notebook, its kernel, the worker or the HTML export failed


@dataclass(frozen=True)
class OfficeTask:
    """One office's report: the file (read and scored by the worker, once), the report notebook and the
    options build_report takes (``lang=None``: the office's own language from its file)."""

    source: str                      # the responses file, absolute (a worker's cwd differs)
    notebook: str                    # the report notebook, absolute
    lang: str | None = "en"
    checklist: str | None = None     # a checklist id, or an absolute path to a checklist file
    timeout: float | None = None     # seconds for the notebook
    keep_notebook: bool = False      # send the executed notebook back too
    plans: tuple[tuple[str, Path], ...] = ()  # action plans by (normalised) office name, matched by the worker
    brand: str | None = None         # absolute path of a brand file
    audience: str = "internal"
    seq: int | None = None           # the report's number: the office's place in the inputs
    out_dir: str | None = None       # the output folder, absolute (the report's "re-run with" line)
    pdf: bool = False                # printed to PDF too (the "re-run with" line)
    kernel_name: str = "python3"
    # rendered again without its office's plan, which goes with a later assessment in the batch: the note why
    plan_note: str | None = None

    @property
    def checklists(self) -> tuple[str, ...]:
        """What the warm kernel should have loaded for this office."""
        return (self.checklist or DEFAULT_CHECKLIST,)

    @property
    def plans_by_office(self) -> dict[str, Path]:
        return dict(self.plans)


@dataclass(frozen=True)
class PortfolioTask:
    """The portfolio notebook, run with the batch's summary (:func:`qmskit.batch.summary.portfolio_data`)."""

    summary_json: str                # the summary as JSON text: the worker hands it to the notebook as a file
    notebook: str
    lang: str = "en"
    title: str | None = None
    checklists: tuple[str, ...] = (DEFAULT_CHECKLIST,)
    timeout: float | None = None
    keep_notebook: bool = False
    kernel_name: str = "python3"


@dataclass(frozen=True)
class OfficeResult:
    """A worker's answer for one task (an office or the portfolio). Never an exception: a failure is a
    status and a one-line ``error``. ``assessment`` travels without its checklist (large, and loaded in
    the parent too); ``checklist_ref`` says which one to put back."""

    status: Status
    error: str | None = None
    worker: str | None = None        # host:pid:thread of the worker that ran it
    timings: dict[str, float] = field(default_factory=dict)
    assessment: Assessment | None = None
    checklist_ref: str | None = None
    lang: str | None = None          # the report's language (the worker decides it for lang=None)
    html: str | None = None
    notebook: str | None = None      # the executed notebook (.ipynb text) when the task kept it

    @property
    def ok(self) -> bool:
        return self.status is Status.DONE

    @classmethod
    def failed(cls, error: str, status: Status = Status.REPORT_FAILED) -> OfficeResult:
        """A result made in the parent, for a task whose worker never answered."""
        return cls(status, error=error)
