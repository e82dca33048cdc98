"""Batch: score many offices, render their reports in parallel workers, and write a portfolio overview.

    run_batch(["responses/"], "reports/")  ->  reports/<slug>.<lang>.html (one per office), scores.csv,
                                                gaps.csv, index.html (portfolio)

Each office is read and scored once, by the worker that renders its report (a bad file or an unknown
answer fails its office with the reader's one-line message, before its notebook runs); the worker hands
the scored office to its warm kernel (:mod:`qmskit.jupyter.warmkernel`), so the notebook does not read and score
it again, and sends the Assessment back with the HTML for the CSVs and the portfolio. Workers run locally
in a process pool (no more processes than offices) or on a dask cluster (:mod:`qmskit.batch.executors`): they
only need to *read* the responses files; the parent writes every output file atomically. A failure (notebook
error, timeout, dead kernel, dead worker) is caught per office and reported with a one-line reason; the other offices go on.

The output folder is a :class:`qmskit.batch.outputs.OutputFolder`: one batch at a time (a second one exits 2
naming the holder), every result staged and moved into place only at the end (an interrupted run leaves
the previous results, never a mix), and a manifest with the sha256 of each file written, so reports of
offices no longer in the inputs are removed only while they hold exactly what a batch wrote; a file the
user put there is never deleted, and kept as ``.bak`` if a result must replace it. Ctrl-C and SIGTERM
stop workers and kernels alike (:mod:`qmskit.batch.interrupts`; exit 130 / 143).
"""
from __future__ import annotations

import concurrent.futures as cf
import glob
import json
import os
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from qmskit.batch.interrupts import SignalGuard
from qmskit.batch.outputs import OutputFolder
from qmskit.config import DEFAULT_CHECKLIST
from qmskit.core.readiness import BANDS
from qmskit.core.values import as_number
from qmskit.errors import QmskitError
from qmskit.io import iorw
from qmskit.io.cells import csv_for_people

if TYPE_CHECKING:
    from qmskit.core.assessment import Assessment

RESPONSE_SUFFIXES = (".xlsx", ".csv", ".yaml", ".yml")
WORKER_RETRIES = 1  # an office whose worker process died is tried once more on a fresh pool


# ---------------------------------------------------------------------------------------------- results
@dataclass
class OfficeOutcome:
    """One input file's fate. ``error`` is a one-line reason when ``ok`` is False."""
    source: str
    office: str | None = None
    slug: str | None = None
    ok: bool = False
    error: str | None = None
    stage: str = "read"           # where it failed: read | report; "done" when ok
    html: Path | None = None
    assessment: Assessment | None = None  # in the parent (a worker sends it without its checklist)
    timings: dict = field(default_factory=dict)
    worker: str | None = None     # which worker process rendered the report (pid or dask worker)
    file_name: str | None = None  # <slug>.<lang>[.client].html (qmskit.render.report.report_filename)
    report_lang: str | None = None  # the report's language (the worker decides it for lang=None)
    pending: list = field(default_factory=list)  # the rendered report (and notebook) awaiting their names
    pdf: Path | None = None       # the printed PDF beside the HTML (run_batch(pdf=True))

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
    timings: dict = field(default_factory=dict)
    pdf_errors: list[str] = field(default_factory=list)  # one line per report whose PDF failed (HTML kept)

    @property
    def succeeded(self) -> list[OfficeOutcome]:
        return [o for o in self.offices if o.ok]

    @property
    def failed(self) -> list[OfficeOutcome]:
        return [o for o in self.offices if not o.ok]

    @property
    def exit_code(self) -> int:
        return 0 if not self.failed and not self.portfolio_error and not self.pdf_errors else 1

    def summary_lines(self) -> list[str]:
        lines = [f"{len(self.succeeded)} of {len(self.offices)} offices done in {self.seconds:.1f} s "
                 f"({self.workers} worker{'s' if self.workers != 1 else ''}); portfolio: "
                 + (str(self.index) if self.index else f"FAILED ({self.portfolio_error})")]
        for o in self.failed:  # read errors already start with the file's path; others get it in front
            error = o.error or "failed"
            lines.append(f"FAILED {error}" if error.startswith(o.source) else f"FAILED {o.source}: {error}")
        lines.extend(f"FAILED {e}" for e in self.pdf_errors)
        return lines


# ---------------------------------------------------------------------------------------------- inputs
def collect_inputs(inputs: list[str | os.PathLike]) -> tuple[list[Path], list[OfficeOutcome]]:
    """Expand files, directories (their responses files, not recursive) and glob patterns.

    Returns (files in input order without duplicates, failures for inputs that name nothing). Raises
    QmskitError when nothing at all is left to do.
    """
    files: list[Path] = []
    missing: list[OfficeOutcome] = []
    for item in inputs:
        text = str(item)
        path = Path(text).expanduser()
        if path.is_dir():
            found = sorted(f for f in path.iterdir() if _is_responses_file(f))
            if not found:
                missing.append(OfficeOutcome(text, error=f"{text}: no responses files "
                                                         f"({', '.join(RESPONSE_SUFFIXES)}) in this folder"))
        elif any(ch in text for ch in "*?[") and not path.exists():
            found = sorted(Path(f) for f in glob.glob(os.path.expanduser(text), recursive=True)
                           if _is_responses_file(Path(f)))
            if not found:
                missing.append(OfficeOutcome(text, error=f"{text}: no responses files match"))
        else:
            found = [path]   # a missing file fails as its own office ("file not found"), like `score`
        files.extend(found)
    unique = list(dict.fromkeys(f.resolve() for f in files))
    if not unique:
        raise QmskitError("no responses files to process in " + ", ".join(map(str, inputs)))
    return unique, missing


def _is_responses_file(path: Path) -> bool:
    return (path.is_file() and path.suffix.lower() in RESPONSE_SUFFIXES
            and not path.name.startswith((".", "~$")))


# ---------------------------------------------------------------------------------------------- scoring
def _assign_slugs(outcomes: list[OfficeOutcome]) -> None:
    """File names from office names; two offices with the same name get -2, -3 (input order)."""
    from qmskit.io.iorw import slugify

    taken: set[str] = {"index", "scores", "gaps"}
    names: dict[str | None, int] = {}
    for o in outcomes:
        names[o.office] = names.get(o.office, 0) + 1
    for o in outcomes:
        if names[o.office] > 1:  # the portfolio needs unique labels too
            o.office = f"{o.office} ({Path(o.source).name})"
        base = slugify(o.office or "") or "office"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        o.slug = slug


# ---------------------------------------------------------------------------------------------- worker side
def render_office(task: dict) -> dict:
    """Worker: one office's report on this thread's warm kernel, exported to HTML.

    A task with ``source`` is an office: it is read and scored here (once), the kernel is handed the
    result, and the reply carries the Assessment (without its checklist, which the parent has) for the
    CSVs and the portfolio. A task with ``parameters`` runs that notebook as given (the portfolio).
    Never raises for an office's own failure: returns {"ok": False, "error": one line}. Returns the HTML
    text (and the executed notebook when asked) so that workers never need write access to the output.
    """

    from qmskit.jupyter import warmkernel

    timings: dict[str, float] = {}
    kernel = warmkernel.kernel_for_this_thread(task.get("kernel_name", "python3"), tuple(task["checklists"]))
    reply: dict[str, Any] = {"worker": _worker_id(), "timings": timings}
    preload, checklists = None, list(task["checklists"])
    parameters, title, lang, office = task.get("parameters"), task.get("title"), task.get("lang", "en"), task.get("office")
    if "source" in task:
        from qmskit.render.report import load_assessment, page_title

        scored = score_file(Path(task["source"]), task.get("checklist"), loader=load_assessment)
        timings["score"] = scored.timings["score"]
        plan = _attach_plan(scored, task.get("plans") or {})
        if scored.error:
            return {**reply, "ok": False, "stage": "read", "error": scored.error}
        a = scored.assessment
        assert a is not None  # scored without an error
        checklist_ref = str(a.checklist.source or a.checklist.id)
        lang = office_language(a, task.get("lang"))
        reply.update(assessment=_without_checklist(a), checklist_ref=checklist_ref, lang=lang)
        office = str(a.office)
        title = page_title(office, lang)
        parameters = {"responses": task["source"], "checklist": task.get("checklist"), "lang": lang, "title": None,
                      "brand": task.get("brand"), "audience": task.get("audience", "internal"),
                      "report_seq": task.get("seq")}
        if task.get("out_dir"):
            parameters["out_dir"] = task["out_dir"]
        if plan is not None:
            parameters["actions"] = str(Path(plan).resolve())
        preload, checklists = a, [checklist_ref]
    try:
        kernel.ensure_started()  # launched when the worker started; a dead one is started again
        if kernel.notebooks_run == 0:  # this office pays for (or reports) the kernel's start-up
            timings["kernel_start"] = kernel.timings["kernel_start"]
            timings["imports"] = kernel.timings["imports"]
        nb = kernel.execute_notebook(task["notebook"], parameters or {}, timeout=task.get("timeout"),
                                     checklists=checklists, preload=preload)
        timings["reset"] = kernel.timings.get("reset", 0.0)
        timings["execute"] = kernel.timings.get("execute", 0.0)
    except Exception as exc:
        return {**reply, "ok": False, "error": describe_failure(exc, office)}
    t0 = time.perf_counter()
    try:
        html = export_report_html(nb, lang, title)
    except Exception as exc:
        return {**reply, "ok": False, "error": f"HTML export failed: {_one_line(f'{type(exc).__name__}: {exc}')}"}
    timings["export"] = time.perf_counter() - t0
    reply.update(ok=True, html=html)
    if task.get("keep_notebook"):
        reply["notebook"] = nbformat_writes(nb)
    return reply


def _without_checklist(a: Assessment) -> Assessment:
    """The Assessment as it travels to the parent: the checklist (large, and loaded there too) is left
    out and put back by _take_reply."""
    import dataclasses
    return dataclasses.replace(a, checklist=None)  # type: ignore[arg-type]  # put back on arrival


def nbformat_writes(nb) -> str:
    from qmskit.jupyter._nbformat import nbformat
    return nbformat.writes(nb)


def office_language(a, lang: str | None) -> str:
    """The report's language: ``lang``, or (None) the one named in the office's file, else English."""
    office_lang = lang or a.meta.get("language") or "en"
    return office_lang if office_lang in ("en", "zh") else "en"


def _worker_id() -> str:
    import socket
    import threading
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def describe_failure(exc: BaseException, office: str | None = None) -> str:
    """One line a consultant can act on, whatever went wrong inside the notebook or the kernel."""
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from qmskit.jupyter.warmkernel import KernelTimeout

    if isinstance(exc, KernelTimeout):
        return str(exc)
    if isinstance(exc, PapermillExecutionError):
        from qmskit.jupyter.notebook import notebook_error
        return _one_line(str(notebook_error(office, exc.ename, exc.evalue, exc.exec_count)))
    if isinstance(exc, DeadKernelError):
        return "the kernel died while running the report (killed or out of memory)"
    return _one_line(f"{type(exc).__name__}: {exc}")


def export_report_html(nb, lang: str, title: str | None = None) -> str:
    from qmskit.jupyter.notebook import export_html
    return export_html(nb, lang=lang, title=title)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------- the batch
def run_batch(inputs, out_dir, *, workers: int | None = None, lang: str = "en", office_reports: bool = True,
              timeout: float | None = None, executor: str | None = None, scheduler: str | None = None,
              client=None, progress=True, checklist: str | None = None, keep_notebooks: bool = False,
              notebook: str | os.PathLike | None = None, actions: str | os.PathLike | None = None,
              brand: str | os.PathLike | None = None, audience: str = "internal", pdf: bool = False,
              pdf_parallel: int | None = None) -> BatchResult:
    """Score every input office, render its report, write scores.csv, gaps.csv and index.html.

    ``inputs``: files, directories or glob patterns. ``executor``: None/"process" (local process pool of
    ``workers`` processes, default one per core) or "dask" (``scheduler`` address or ``client``; a local
    cluster when neither). ``timeout``: seconds per office report. ``progress``: True for a progress bar
    on a terminal, False for none, or a callable ``progress(done, total, failed, label)``. ``lang=None``
    writes each office's report in the language named in its file (the portfolio in English).
    ``notebook`` replaces the report notebook (tests use it to inject failures). ``actions``: a folder of
    action plans (qmskit actions plan), matched to offices by name; their status goes into the reports
    and the portfolio. ``brand`` (or ``$QMSKIT_BRAND``) and ``audience`` as for ``qmskit report``; report
    numbers count the offices in input order. ``pdf``: print every report and the portfolio to PDF with
    ONE headless Chromium, ``pdf_parallel`` pages at a time (:mod:`qmskit.render.pdf`).
    """
    from qmskit.jupyter.notebook import bundled_notebook
    from qmskit.render.brand import load_brand, resolve_path
    from qmskit.render.report import check_audience

    if lang not in ("en", "zh", None):
        raise QmskitError(f"unknown language '{lang}' (allowed: en, zh)")
    if workers is not None and workers < 1:
        raise QmskitError(f"--workers must be at least 1, not {workers}")
    audience = check_audience(audience).value
    brand_file = resolve_path(brand)
    load_brand(brand_file)  # a bad brand file stops the batch here, in one line, before any kernel
    brand_path = str(brand_file.resolve()) if brand_file else None
    if pdf:
        from qmskit.render.pdf import check_available
        check_available()
    started = time.perf_counter()
    out = Path(out_dir).expanduser().resolve()
    files, missing = collect_inputs(list(inputs))
    from qmskit.render import actions_report  # action plans by office (an empty dict without --actions)
    plans = actions_report.find_plans(actions) if actions else {}
    out.mkdir(parents=True, exist_ok=True)
    report_nb = Path(notebook).resolve() if notebook else bundled_notebook("report")
    checklist = _absolute_if_path(checklist)
    outcomes: list[OfficeOutcome] = list(missing)
    result = BatchResult(out, outcomes)
    bar = _Progress.make(progress, total=len(missing) + len(files) + 1)
    for o in missing:
        bar.advance(o.label, o.error)
    # Start the workers first (never more than there are offices): their kernels warm up at once.
    if not office_reports and executor != "dask" and not scheduler and client is None:
        workers = 1  # only the portfolio notebook runs: one warm kernel is enough
    elif not scheduler and client is None:
        workers = min(workers or os.cpu_count() or 1, max(1, len(files)))
    guard = SignalGuard().__enter__()  # SIGTERM stops the batch like Ctrl-C; a swallowed Ctrl-C still stops it
    try:
        folder = OutputFolder(out).__enter__()  # one batch per folder (BatchBusy); results staged until commit
    except BaseException:
        guard.__exit__(None, None, None)
        bar.stop()
        raise
    try:
        pool = _Workers(executor, workers, scheduler, client, warm=[checklist or DEFAULT_CHECKLIST])
    except BaseException:
        folder.__exit__(None, None, None)
        guard.__exit__(None, None, None)
        bar.stop()
        raise
    result.workers = pool.workers
    try:
        pending: dict = {}
        tasks: dict = {}
        t0 = time.perf_counter()
        for path in files:
            if office_reports:  # read, scored and rendered by a worker
                o = OfficeOutcome(str(path))
                tasks[id(o)] = _office_task(path, report_nb, lang, checklist, timeout, keep_notebooks, plans,
                                            brand=brand_path, audience=audience, seq=len(tasks) + 1)
                tasks[id(o)]["out_dir"] = str(out_dir)  # as given: the "re-run with" line
                pending[pool.submit(render_office, tasks[id(o)])] = o
            else:  # only the CSVs and the portfolio: scoring here is all there is to do
                o = score_file(path, checklist)
                _attach_plan(o, plans)
                if not o.error:
                    o.ok, o.stage = True, "done"
                bar.advance(o.label, o.error)
            outcomes.append(o)
        result.timings["submit"] = time.perf_counter() - t0
        _collect(pool, pending, tasks, folder, bar, guard)
        _assign_slugs([o for o in outcomes if o.assessment is not None])
        _place_reports(outcomes, folder, audience)
        result.scores_csv, result.gaps_csv = write_tables(folder, outcomes, lang or "en")
        guard.check()
        _portfolio(pool, result, lang or "en", office_reports, timeout, keep_notebooks, folder)
        bar.advance("portfolio", result.portfolio_error)
        pool.close()
        if pdf:  # printed from the staged HTML; the PDFs are staged too and move into place with it
            _print_pdfs(result, pdf_parallel, folder)
            guard.check()
        bar.stop()
        with guard.deferred():  # a signal now waits until every result is in place: old results or new
            folder.commit()
    except BaseException:
        pool.terminate()
        bar.stop()
        raise
    finally:
        folder.__exit__(None, None, None)  # staging removed (an interrupted run leaves the old results), unlocked
        guard.__exit__(None, None, None)
    result.seconds = time.perf_counter() - started
    result.timings.update(_sum_timings(outcomes))
    return result


def score_file(path: Path, checklist: str | None = None, loader=None) -> OfficeOutcome:
    """Read and score one file; a bad file fails only itself (one-line reason). ``loader(path, checklist)``
    replaces the plain read + score (workers use the report's own ``load_assessment``, so the kernel
    gets exactly what its notebook would have computed)."""
    outcome = OfficeOutcome(str(path))
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # version notes belong in the office's report, not the batch log
            if loader is not None:
                assessment = loader(str(path), checklist)
            else:
                from qmskit.core.scoring import score
                from qmskit.io.responses import read_responses

                meta, frame = read_responses(path, checklist)
                assessment = score(checklist or meta.get("checklist") or DEFAULT_CHECKLIST, frame, meta, source=path)
        outcome.assessment, outcome.office = assessment, assessment.office
    except QmskitError as exc:
        outcome.error = _one_line(str(exc))
    except Exception as exc:  # a bug or an unreadable file: still only this office
        outcome.error = _one_line(f"{path}: cannot read ({type(exc).__name__}: {exc})")
    outcome.timings["score"] = time.perf_counter() - t0
    return outcome


def _absolute_if_path(checklist: str | None) -> str | None:
    """A checklist given as a file path travels to workers as an absolute path (their cwd differs)."""
    if checklist is not None and Path(str(checklist)).suffix in (".yaml", ".yml") and Path(str(checklist)).exists():
        return str(Path(checklist).resolve())
    return checklist


def _office_task(path: Path, notebook: Path, lang: str | None, checklist, timeout, keep, plans=None, *,
                 brand: str | None = None, audience: str = "internal", seq: int | None = None) -> dict:
    """What a worker needs for one office: the file (read and scored there), the report notebook, the
    options build_report takes (``lang=None``: the office's own language from its file) and the action
    plans by office (matched there, once the office's name is known)."""
    return {"source": str(Path(path).resolve()), "notebook": str(notebook), "lang": lang, "timeout": timeout,
            "keep_notebook": keep, "checklist": checklist, "checklists": [checklist or DEFAULT_CHECKLIST],
            "plans": dict(plans or {}), "brand": brand, "audience": audience, "seq": seq}


def _print_pdfs(result: BatchResult, parallel: int | None, folder) -> None:
    """Every report written and the portfolio, printed by ONE browser with several pages in parallel.

    The HTML is still in the batch's staging folder: the PDFs are printed from there into a temporary
    folder and staged beside it, so they are moved into place (and recorded in the manifest) together."""
    from qmskit.render.pdf import DEFAULT_PARALLEL, PdfJob, print_pdfs

    sources = [(o, o.html) for o in result.succeeded if o.html] + ([(None, result.index)] if result.index else [])
    with tempfile.TemporaryDirectory(prefix="qmskit-pdf-") as tmp:
        jobs, owners = [], {}
        for o, final in sources:
            staged = folder.staged[final.name][0] if isinstance(folder, OutputFolder) else final
            job = PdfJob(Path(staged), Path(tmp) / final.with_suffix(".pdf").name)
            jobs.append(job)
            owners[id(job)] = (o, final)
        run = print_pdfs(jobs, parallel=parallel or DEFAULT_PARALLEL)
        for outcome in run.outcomes:
            office, final = owners[id(outcome.job)]
            if office is not None:
                office.timings["pdf"] = outcome.seconds
            if outcome.ok:
                written = _write_bytes(folder, outcome.job.pdf.name, outcome.job.pdf.read_bytes())
                if office is not None:
                    office.pdf = written
            else:
                result.pdf_errors.append((outcome.error or "PDF failed").replace(outcome.job.html.name, final.name))
    result.timings["pdf_launch"] = run.launch_seconds
    result.timings["pdf_total"] = run.seconds


def _write_bytes(out, name: str, data: bytes) -> Path:
    if isinstance(out, OutputFolder):
        return out.write_bytes(name, data)
    return iorw.write_bytes(Path(out) / name, data)


def _attach_plan(o: OfficeOutcome, plans: dict) -> Path | None:
    """Attach the office's action plan (matched by name) to its assessment; a bad plan fails the office."""
    if o.assessment is None or not plans:
        return None
    from qmskit.render import actions_report

    plan = actions_report.plan_for(o.assessment, plans)
    if plan is not None:
        try:
            actions_report.attach(o.assessment, None, plan)
        except QmskitError as exc:
            o.error = _one_line(str(exc))
    return plan


class _Workers:
    """The executor, replaced by a fresh one when a local worker process dies (which breaks a whole
    ``ProcessPoolExecutor``); the offices it was running are tried once more."""

    def __init__(self, executor, workers, scheduler, client, warm):
        from qmskit.batch.executors import make_pool
        self._make = lambda: make_pool(executor, workers=workers, scheduler=scheduler, client=client,
                                       warm_checklists=warm)
        self.pool = self._make()
        self.workers = self.pool.workers

    def submit(self, fn, task) -> cf.Future:
        from concurrent.futures.process import BrokenProcessPool
        try:
            return self.pool.submit(fn, task)
        except BrokenProcessPool:
            self.replace()
            return self.pool.submit(fn, task)

    def replace(self) -> None:
        self.pool.terminate()
        self.pool = self._make()

    def close(self) -> None:
        self.pool.close()

    def terminate(self) -> None:
        self.pool.terminate()


def _collect(pool: _Workers, pending: dict, tasks: dict, out, bar, guard=None) -> None:
    """Take replies as they come; a dead worker process costs its offices one retry on a fresh pool."""
    from concurrent.futures.process import BrokenProcessPool

    attempts: dict = {}
    while pending:
        retry: list[OfficeOutcome] = []
        for future in cf.as_completed(list(pending)):
            o = pending.pop(future)
            try:
                reply = future.result()
            except BrokenProcessPool:
                attempts[id(o)] = attempts.get(id(o), 0) + 1
                if attempts[id(o)] <= WORKER_RETRIES:
                    retry.append(o)
                    continue
                reply = {"ok": False, "error": "the worker process died while rendering this report"}
            except Exception as exc:  # e.g. dask lost the worker or could not run the task
                reply = {"ok": False, "error": _one_line(f"worker error: {type(exc).__name__}: {exc}")}
            _take_reply(o, reply, out)
            bar.advance(o.label, o.error)
            if guard is not None:
                guard.check()  # a Ctrl-C swallowed while we waited still stops the batch here
        if retry:
            pool.replace()
            pending = {pool.submit(render_office, tasks[id(o)]): o for o in retry}


def _portfolio(pool: _Workers, result: BatchResult, lang, office_reports, timeout, keep, out=None) -> None:
    from concurrent.futures.process import BrokenProcessPool

    task = {"data": portfolio_data(result.offices, lang, office_reports), "lang": lang, "timeout": timeout,
            "checklists": sorted({_absolute_if_path(o.assessment.meta.get("checklist")) or DEFAULT_CHECKLIST
                                  for o in result.offices if o.assessment}),
            "notebook": str(_portfolio_notebook_path()), "keep_notebook": keep,
            "title": _portfolio_title(lang)}
    try:
        reply = pool.submit(render_portfolio, task).result()
    except BrokenProcessPool:
        pool.replace()
        reply = pool.submit(render_portfolio, task).result()
    except Exception as exc:
        reply = {"ok": False, "error": _one_line(f"worker error: {type(exc).__name__}: {exc}")}
    if reply["ok"]:
        result.index = _write(out or result.out_dir, "index.html", reply["html"])
        if keep and reply.get("notebook"):
            _write(out or result.out_dir, "index.ipynb", reply["notebook"])
    else:
        result.portfolio_error = reply["error"]


def _portfolio_title(lang: str) -> str:
    from qmskit.i18n.catalog import t
    return t("portfolio.title", lang)


def _write(out, name: str, text: str) -> Path:
    """Into the batch's staged output folder (an OutputFolder), or straight into a folder (a Path)."""
    if isinstance(out, OutputFolder):
        return out.write_text(name, text)
    return iorw.write_text(Path(out) / name, text)


def _take_reply(o: OfficeOutcome, reply: dict, out) -> None:
    """Record a worker's reply. The report waits in a temporary file (in the batch's staging folder)
    until every office's name is known: file names are made unique in input order (_place_reports)."""
    o.timings.update(reply.get("timings", {}))
    o.worker = reply.get("worker")
    o.stage = reply.get("stage", "report")
    o.report_lang = reply.get("lang", o.report_lang)
    if reply.get("assessment") is not None:
        import dataclasses

        from qmskit.checklist.loader import load_checklist
        o.assessment = dataclasses.replace(reply["assessment"], checklist=load_checklist(reply["checklist_ref"]))
        o.office = o.assessment.office
    if not reply["ok"]:
        o.ok, o.error = False, reply["error"]
        return
    folder = out.staging if isinstance(out, OutputFolder) and out.staging is not None else Path(out)
    o.pending = [iorw.write_text(folder / f".qmskit-pending-{id(o)}.html.tmp", reply["html"])]
    if reply.get("notebook"):
        o.pending.append(iorw.write_text(folder / f".qmskit-pending-{id(o)}.ipynb.tmp", reply["notebook"]))
    o.ok, o.stage = True, "done"


def _place_reports(outcomes: list[OfficeOutcome], out, audience: str = "internal") -> None:
    """Give every finished report its final name ``<slug>.<lang>[.client].html`` (and ``.ipynb``): the
    language and the copy are in the name (qmskit.render.report.report_filename), so nothing overwrites."""
    from qmskit.render.report import report_filename

    for o in outcomes:
        if not o.pending:
            continue
        o.file_name = report_filename(o.slug or "office", o.report_lang or "en", audience)
        for pending, ext in zip(o.pending, ("html", "ipynb")):
            path = _write(out, str(Path(o.file_name).with_suffix(f".{ext}")), pending.read_text(encoding="utf-8"))
            pending.unlink(missing_ok=True)
            if ext == "html":
                o.html = path
        o.pending = []


def render_portfolio(task: dict) -> dict:
    """Worker: run the portfolio notebook on the warm kernel with the batch's data, export HTML."""
    tmp = tempfile.NamedTemporaryFile("w", suffix=".json", prefix="qmskit-portfolio-", delete=False,
                                      encoding="utf-8")
    try:
        with tmp:
            json.dump(task["data"], tmp, ensure_ascii=False)
        sub = {**task, "parameters": {"portfolio_path": tmp.name, "lang": task["lang"]}}
        return render_office(sub)
    finally:
        os.unlink(tmp.name)


def _portfolio_notebook_path() -> Path:
    from qmskit.jupyter.notebook import bundled_notebook
    return bundled_notebook("portfolio")


def _sum_timings(outcomes: list[OfficeOutcome]) -> dict:
    total: dict = {}
    for o in outcomes:
        for key, value in o.timings.items():
            total[key] = total.get(key, 0.0) + value
    return total


def write_tables(out, outcomes: list[OfficeOutcome], lang: str = "en") -> tuple[Path, Path]:
    """scores.csv and gaps.csv, for people to open in a spreadsheet: office names, questions and owners
    that start like a formula are neutralised (qmskit.io.cells.csv_for_people). ``out``: a folder or the
    batch's OutputFolder."""
    return (_write(out, "scores.csv", csv_for_people(scores_table(outcomes))),
            _write(out, "gaps.csv", csv_for_people(gaps_table(outcomes, lang))))


def scores_table(outcomes: list[OfficeOutcome]) -> pd.DataFrame:
    """One row per scored office: overall, completeness, readiness, then every clause's score (columns are
    clause numbers in document order). Unrounded; empty where a score is undefined."""
    rows = []
    clause_order: list[str] = []
    for o in outcomes:
        a = o.assessment
        if a is None:
            continue
        row: dict[str, Any] = {"office": o.office, "file": o.source, "report": o.html.name if o.html else "",
                               "overall": a.overall, "completeness": a.completeness, "readiness": a.readiness}
        for r in a.clauses.itertuples(index=False):
            clause = str(r.clause)
            row[clause] = r.score
            if clause not in clause_order:
                clause_order.append(clause)
        rows.append(row)
    cols = ["office", "file", "report", "overall", "completeness", "readiness"] + clause_order
    return pd.DataFrame(rows, columns=cols)


def gaps_table(outcomes: list[OfficeOutcome], lang: str = "en") -> pd.DataFrame:
    """Every gap of every scored office, each office's gaps in rank order."""
    cols = ["office", "rank", "id", "clause", "severity", "answer", "impact", "critical", "weight",
            "question", "owner", "due", "file"]
    frames = []
    for o in outcomes:
        a = o.assessment
        if a is None or a.gaps.empty:
            continue
        g = a.gaps
        text = g.get(f"text_{lang}", g.get("text_en"))
        frames.append(pd.DataFrame({
            "office": o.office, "rank": g["rank"], "id": g["id"], "clause": g["clause"],
            "severity": g["severity"], "answer": g["answer"].astype(str), "impact": g["impact"],
            "critical": g["critical"].astype(bool), "weight": g["weight"], "question": text,
            "owner": g["owner"], "due": g["due"], "file": o.source}))
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def portfolio_data(outcomes: list[OfficeOutcome], lang: str, office_reports: bool) -> dict:
    """Everything the portfolio notebook shows, as plain JSON (it may travel to a dask worker).

    Per office: the headline figures, the answers (the portfolio re-scores them all at once with
    score_many when they share a checklist), the top-level clause scores (used when they do not) and the
    gaps; ``questions`` holds the texts of every question that is a gap somewhere."""
    from qmskit.render import actions_report
    offices: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    questions: dict[str, dict[str, Any]] = {}
    for o in outcomes:
        a = o.assessment
        if a is None or not o.ok:
            failed.append({"source": o.source, "office": o.office, "stage": o.stage, "reason": o.error})
        if a is None:
            continue
        top = a.clauses[a.clauses["level"] == a.clauses["level"].min()]
        offices.append({
            "office": o.office, "source": o.source,
            "href": o.html.name if (office_reports and o.ok and o.html) else None,
            "checklist": a.checklist.id, "overall": as_number(a.overall), "completeness": as_number(a.completeness),
            "readiness": a.readiness.value, "readiness_reasons": [r.to_dict() for r in a.reasons],
            "display_band": a.display_band,
            **{k: v for k, v in a.finding_counts().items()},  # major, minor, observation, kpi_observation, unsupported
            "answers": {r.id: _answer_json(r.answer)
                        for r in a.questions.itertuples(index=False) if r.answer is not None},
            "top_scores": {r.clause: as_number(r.score) for r in top.itertuples(index=False)},
            "gaps": [{"id": g.id, "clause": g.clause, "severity": g.severity}
                     for g in a.gaps.itertuples(index=False)],
            **actions_report.portfolio_fields(a),  # "actions": open / overdue / verified, with a plan
        })
        for g in a.gaps.itertuples(index=False):
            questions.setdefault(str(g.id), {"clause": g.clause, "en": g.text_en, "zh": g.text_zh or g.text_en})
    # id (resolved again wherever the notebook runs) and the file it came from (for custom checklists)
    refs = {o.assessment.checklist.id: str(o.assessment.checklist.source or "") for o in outcomes if o.assessment}
    checklists = [{"id": i, "path": refs[i]} for i in sorted(refs)]
    return {"lang": lang, "checklists": checklists, "offices": offices, "failed": failed, "questions": questions,
            "bands": BANDS, "office_reports": office_reports,
            "oldest_overdue": actions_report.oldest_overdue_rows([o.assessment for o in outcomes if o.assessment])}


def _answer_json(answer: Any) -> str | int:
    """A canonical answer as JSON: the token, or a maturity level as an integer."""
    return answer if isinstance(answer, str) else int(answer)


# ---------------------------------------------------------------------------------------------- progress
class _Progress:
    """A rich progress bar on a terminal (count, ETA, failures so far), a callback, or nothing."""

    def __init__(self, total: int, callback=None, bar=None):
        self.total, self.done, self.failed = total, 0, 0
        self.callback, self.bar, self.task = callback, bar, None
        if bar is not None:
            bar.start()
            self.task = bar.add_task("offices", total=total, failed="")

    @classmethod
    def make(cls, progress, total: int) -> _Progress:
        if callable(progress):
            return cls(total, callback=progress)
        if not progress or not sys.stderr.isatty():
            return cls(total)
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        bar = Progress(TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(), TextColumn("ETA"),
                       TimeRemainingColumn(), TimeElapsedColumn(), TextColumn("[red]{task.fields[failed]}"),
                       console=Console(stderr=True), transient=False)
        return cls(total, bar=bar)

    def advance(self, label: str, error: str | None) -> None:
        self.done += 1
        self.failed += bool(error)
        if self.callback:
            self.callback(self.done, self.total, self.failed, label)
        if self.bar is not None:
            failed = f"{self.failed} failed" if self.failed else ""
            self.bar.update(self.task, advance=1, failed=failed)
            if error:
                from rich.text import Text

                from qmskit.cli._term import plain
                text = error if label in error else f"{label}: {error}"
                self.bar.console.print(Text.assemble(("FAILED", "red"), " ", plain(text)), highlight=False,
                                       soft_wrap=True)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
