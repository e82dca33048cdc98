"""What the batch knows about each input once it is done with it, and about the whole run.

:class:`OfficeOutcome` is one input file's fate (kept in the parent, filled from its worker's
:class:`qmskit.batch.tasks.OfficeResult`); :class:`BatchResult` is the run: every outcome, the files
written, the exit status and the summary lines the CLI prints.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qmskit.batch.tasks import Status

if TYPE_CHECKING:
    from qmskit.core.assessment import Assessment


@dataclass
class OfficeOutcome:
    """One input file's fate. ``error`` is a one-line reason when ``ok`` is False; ``status`` says where
    it failed (read | report), or DONE."""
    source: str
    office: str | None = None
    slug: str | None = None
    status: Status = Status.READ_FAILED   # until it is read and its report rendered
    error: str | None = None
    html: Path | None = None
    assessment: Assessment | None = None  # in the parent (a worker sends it without its checklist)
    timings: dict[str, float] = field(default_factory=dict)
    worker: str | None = None     # which worker process rendered the report (pid or dask worker)
    file_name: str | None = None  # <slug>.<lang>[.client].html (qmskit.render.report.report_filename)
    report_lang: str | None = None  # the report's language (the worker decides it for lang=None)
    pending: list[Path] = field(default_factory=list)  # the rendered report (and notebook) awaiting their names
    pdf: Path | None = None       # the printed PDF beside the HTML (run_batch(pdf=True))

    @property
    def ok(self) -> bool:
        return self.status is Status.DONE

    @property
    def label(self) -> str:
        return self.office or Path(self.source).name


@dataclass
class BatchResult:
    out_dir: Path
    offices: list[OfficeOutcome]
    index: Path | None = None
    scores_csv: Path | None = None
    gaps_csv: Path | None = None
    portfolio_error: str | None = None
    seconds: float = 0.0
    workers: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    pdf_errors: list[str] = field(default_factory=list)  # one line per report whose PDF failed (HTML kept)
    notes: list[str] = field(default_factory=list)  # inputs left out as repeats of another (one line each)

    @property
    def succeeded(self) -> list[OfficeOutcome]:
        return [o for o in self.offices if o.ok]

    @property
    def failed(self) -> list[OfficeOutcome]:
        return [o for o in self.offices if not o.ok]

    @property
    def exit_code(self) -> int:
        return 0 if not self.failed and not self.portfolio_error and not self.pdf_errors else 1

    def summary_lines(self, lang: str = "en") -> list[str]:
        """What the CLI prints when the batch is done, in ``lang`` (the offices' errors are already said in
        the batch's language)."""
        from qmskit.i18n.catalog import say, t, tn
        portfolio = str(self.index) if self.index else t("batch.portfolio_failed", lang, error=self.portfolio_error)
        lines = [t("batch.summary", lang, done=len(self.succeeded), offices=tn("batch.n_offices", len(self.offices), lang),
                   seconds=f"{self.seconds:.1f}", workers=tn("batch.n_workers", self.workers, lang), portfolio=portfolio)]
        for o in self.failed:  # read errors already start with the file's path; others get it in front
            error = say(o.error, lang) if o.error else t("batch.failed_reason", lang)
            line = error if error.startswith(o.source) else t("errors.file", lang, path=o.source, detail=error)
            lines.append(t("batch.failed", lang, line=line))
        lines.extend(t("batch.failed", lang, line=say(e, lang)) for e in self.pdf_errors)
        lines.extend(t("cli.note", lang, line=say(n, lang)) for n in self.notes)
        return lines

    def add_timings(self) -> None:
        """The offices' timings summed into the run's (what the benchmarks report per stage)."""
        total: dict[str, float] = {}
        for o in self.offices:
            for key, value in o.timings.items():
                total[key] = total.get(key, 0.0) + value
        self.timings.update(total)


def one_line(text: str, limit: int = 300) -> str:
    """A reason as the summary prints it: one line, at most ``limit`` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
