"""Batch: score many offices, render their reports in parallel workers, and write a portfolio overview.

    run_batch(["responses/"], "reports/")  ->  reports/<slug>.<lang>.html (one per office), scores.csv,
                                                gaps.csv, index.html (portfolio)

This module runs the batch; each of its other jobs has its own module: the inputs and their names
(:mod:`qmskit.batch.inputs`), the task sent for each office and the result that comes back
(:mod:`qmskit.batch.tasks`), what a worker does with a task (:mod:`qmskit.batch.worker`), where workers
run (:mod:`qmskit.batch.executors`: worker threads of this process, each with its warm kernel, or a
process pool for more workers than that, never more workers than offices, or a dask cluster), the CSVs
and the portfolio's data (:mod:`qmskit.batch.summary`), the progress bar (:mod:`qmskit.batch.progress`)
and each office's fate (:mod:`qmskit.batch.outcomes`).
Workers only need to *read* the responses files; the parent writes every output file atomically. A
failure (notebook error, timeout, dead kernel, dead worker) is caught per office and reported with a
one-line reason; the other offices go on.

The output folder is a :class:`qmskit.batch.outputs.OutputFolder`: one batch at a time (a second one exits 2
naming the holder), every result staged and moved into place only at the end (an interrupted run leaves
the previous results, never a mix), and a manifest with the sha256 of each file written, so reports of
offices no longer in the inputs are removed only while they hold exactly what a batch wrote; a file the
user put there is never deleted, and kept as ``.bak`` if a result must replace it. Ctrl-C and SIGTERM
stop workers and kernels alike (:mod:`qmskit.batch.interrupts`; exit 130 / 143).
"""
from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import json
import os
import tempfile
import time
from pathlib import Path

from qmskit.batch.inputs import (
    absolute_if_path,
    assign_slugs,
    attach_plan,
    gather_inputs,
    plans_to_latest,
    score_file,
    settle_same_day,
)
from qmskit.batch.interrupts import SignalGuard
from qmskit.batch.outcomes import BatchResult, OfficeOutcome, one_line
from qmskit.batch.outputs import OutputFolder, write_bytes, write_text
from qmskit.batch.progress import Progress
from qmskit.batch.tasks import OfficeResult, OfficeTask, PortfolioTask, Status
from qmskit.batch.worker import render_office, render_portfolio
from qmskit.config import DEFAULT_CHECKLIST
from qmskit.errors import QmskitError
from qmskit.i18n.catalog import msg
from qmskit.io import iorw

WORKER_RETRIES = 1  # an office whose worker process died is tried once more on a fresh pool


def run_batch(inputs, out_dir, *, workers: int | None = None, lang: str = "en", office_reports: bool = True,
              timeout: float | None = None, executor: str | None = None, scheduler: str | None = None,
              client=None, progress=True, checklist: str | None = None, keep_notebooks: bool = False,
              notebook: str | os.PathLike | None = None, actions: str | os.PathLike | None = None,
              brand: str | os.PathLike | None = None, audience: str = "internal", pdf: bool = False,
              pdf_parallel: int | None = None) -> BatchResult:
    """Score every input office, render its report, write scores.csv, gaps.csv and index.html.

    ``inputs``: files, directories or glob patterns. ``executor``: a name registered in
    :mod:`qmskit.batch.executors`: None (``workers`` local workers, default one per core, no more than
    there are offices: threads of this process up to ``executors.THREAD_WORKERS``, processes beyond),
    "process" (a process pool; one worker is a thread of this process), "thread", "dask"
    (``scheduler`` address or ``client``; a local cluster when neither) or one registered by the caller.
    ``timeout``: seconds per office report. ``progress``: True for a progress bar on a terminal, False
    for none, or a callable ``progress(done, total, failed, label)``. ``lang=None``
    writes each office's report in the language named in its file (the portfolio in English).
    ``notebook`` replaces the report notebook (tests use it to inject failures). ``actions``: a folder of
    action plans (qmskit actions plan), matched to offices by name; their status goes into the reports
    and the portfolio. ``brand`` (or ``$QMSKIT_BRAND``) and ``audience`` as for ``qmskit report``; report
    numbers count the offices in input order. ``pdf``: print every report and the portfolio to PDF with
    ONE headless Chromium, ``pdf_parallel`` pages at a time (:mod:`qmskit.render.pdf`).
    """
    from qmskit.i18n.catalog import msg
    from qmskit.jupyter.notebook import bundled_notebook
    from qmskit.render.brand import load_brand, resolve_path
    if lang not in ("en", "zh", None):
        raise QmskitError(msg("batch.bad_language", value=lang))
    if workers is not None and workers < 1:
        raise QmskitError(msg("batch.bad_workers", workers=workers))
    brand_file = resolve_path(brand)
    load_brand(brand_file)  # a bad brand file stops the batch here, in one line, before any kernel
    brand_path = str(brand_file.resolve()) if brand_file else None
    if pdf:
        from qmskit.render.pdf import check_available
        check_available()
    started = time.perf_counter()
    out = Path(out_dir).expanduser().resolve()
    given = gather_inputs(list(inputs))  # a file named twice (or through a link) is one office, with a note
    files, missing = given.files, given.missing
    out.mkdir(parents=True, exist_ok=True)
    report_nb = Path(notebook).resolve() if notebook else bundled_notebook("report")
    checklist = absolute_if_path(checklist)
    # The workers start first (never more than there are offices): their kernels boot on the other cores
    # while this process imports the rest (pandas, the report's modules) and reads the action plans.
    if not office_reports and executor != "dask" and not scheduler and client is None:
        workers = 1  # only the portfolio notebook runs: one warm kernel is enough
    elif not scheduler and client is None:
        workers = min(workers or os.cpu_count() or 1, max(1, len(files)))
    guard = SignalGuard().__enter__()  # SIGTERM stops the batch like Ctrl-C; a swallowed Ctrl-C still stops it
    try:
        folder = OutputFolder(out).__enter__()  # one batch per folder (BatchBusy); results staged until commit
    except BaseException:
        guard.__exit__(None, None, None)
        raise
    try:
        pool = _Workers(executor, workers, scheduler, client, warm=[checklist or DEFAULT_CHECKLIST])
    except BaseException:
        folder.__exit__(None, None, None)
        guard.__exit__(None, None, None)
        raise
    try:
        from qmskit.api import find_action_plans  # action plans by office (an empty dict without --actions)
        from qmskit.render.report import check_audience
        audience = check_audience(audience).value
        plans = find_action_plans(actions) if actions else {}
    except BaseException:  # one line, as before; the kernels just launched are killed
        pool.terminate()
        folder.__exit__(None, None, None)
        guard.__exit__(None, None, None)
        raise
    outcomes: list[OfficeOutcome] = list(missing)
    result = BatchResult(out, outcomes, notes=given.notes())
    bar = Progress.make(progress, total=len(missing) + len(files) + 1, lang=lang or "en")
    for o in missing:
        bar.advance(o.label, o.error)
    result.workers = pool.workers
    try:
        pending: dict[cf.Future, OfficeOutcome] = {}
        tasks: dict[int, OfficeTask] = {}
        t0 = time.perf_counter()
        for path in files:
            if office_reports:  # read, scored and rendered by a worker
                o = OfficeOutcome(str(path))
                tasks[id(o)] = OfficeTask(
                    source=str(path.resolve()), notebook=str(report_nb), lang=lang, checklist=checklist,
                    timeout=timeout, keep_notebook=keep_notebooks, plans=tuple(plans.items()), brand=brand_path,
                    audience=audience, seq=len(tasks) + 1, out_dir=str(out), pdf=pdf)  # the "re-run with" line
                pending[pool.submit(render_office, tasks[id(o)])] = o
            else:  # only the CSVs and the portfolio: scoring here is all there is to do
                o = score_file(path, checklist, lang=lang)
                attach_plan(o, plans)
                if not o.error:
                    o.status = Status.DONE
                bar.advance(o.label, o.error)
            outcomes.append(o)
        result.timings["submit"] = time.perf_counter() - t0
        _collect(pool, pending, tasks, folder, bar, guard)
        # one office read twice on one date: a copy is left out (noted), different ones fail, naming each other
        outcomes[:], same_day_notes = settle_same_day(outcomes)
        result.notes.extend(same_day_notes)
        # an office assessed more than once: its plan goes with the latest assessment only; the earlier ones'
        # reports (rendered with it by workers that did not know of the others) are rendered again without
        again = {}
        for o, note in plans_to_latest(outcomes):
            if id(o) in tasks:
                for stale in o.pending:
                    stale.unlink(missing_ok=True)
                o.pending = []
                tasks[id(o)] = dataclasses.replace(tasks[id(o)], plans=(), plan_note=note)
                again[pool.submit(render_office, tasks[id(o)])] = o
        _collect(pool, again, tasks, folder, bar, guard, count=False)
        assign_slugs([o for o in outcomes if o.assessment is not None])
        _place_reports(outcomes, folder, audience)
        guard.check()

        def tables() -> None:
            from qmskit.batch.summary import write_tables  # (pandas: not imported before the workers start)
            result.scores_csv, result.gaps_csv = write_tables(folder, outcomes, lang or "en")
        # the CSVs are written here while a worker runs the portfolio notebook (they do not depend on it)
        _portfolio(pool, result, lang or "en", office_reports, timeout, keep_notebooks, folder, meanwhile=tables)
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
    result.add_timings()
    return result


class _Workers:
    """The executor, replaced by a fresh one when a local worker process dies (which breaks a whole
    ``ProcessPoolExecutor``); the offices it was running are tried once more."""

    def __init__(self, executor: str | None, workers: int | None, scheduler: str | None, client: object,
                 warm: list[str]):
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


def _collect(pool: _Workers, pending: dict[cf.Future, OfficeOutcome], tasks: dict[int, OfficeTask],
             out: OutputFolder, bar: Progress, guard: SignalGuard | None = None, count: bool = True) -> None:
    """Take replies as they come; a dead worker process costs its offices one retry on a fresh pool."""
    from concurrent.futures.process import BrokenProcessPool

    attempts: dict[int, int] = {}
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
                reply = OfficeResult.failed(msg("batch.worker_died"))
            except Exception as exc:  # e.g. dask lost the worker or could not run the task
                reply = OfficeResult.failed(_worker_error(exc))
            _take_result(o, reply, out)
            if count:  # (a report rendered again is not another office)
                bar.advance(o.label, o.error)
            if guard is not None:
                guard.check()  # a Ctrl-C swallowed while we waited still stops the batch here
        if retry:
            pool.replace()
            pending = {pool.submit(render_office, tasks[id(o)]): o for o in retry}


def _portfolio(pool: _Workers, result: BatchResult, lang: str, office_reports: bool, timeout: float | None,
               keep: bool, out: OutputFolder | Path | None = None, meanwhile=None) -> None:
    """The portfolio notebook on a worker; ``meanwhile()`` runs here while it does."""
    from concurrent.futures.process import BrokenProcessPool

    from qmskit.batch.summary import portfolio_data
    from qmskit.i18n.catalog import t

    task = PortfolioTask(
        summary_json=json.dumps(portfolio_data(result.offices, lang, office_reports), ensure_ascii=False),
        notebook=str(_portfolio_notebook_path()), lang=lang, title=t("portfolio.title", lang),
        checklists=tuple(sorted({absolute_if_path(o.assessment.meta.get("checklist")) or DEFAULT_CHECKLIST
                                 for o in result.offices if o.assessment})),
        timeout=timeout, keep_notebook=keep)
    future: cf.Future | None = None
    reply: OfficeResult | None = None
    try:
        future = pool.submit(render_portfolio, task)
    except BrokenProcessPool:
        pool.replace()
        future = pool.submit(render_portfolio, task)
    except Exception as exc:
        reply = OfficeResult.failed(_worker_error(exc))
    if meanwhile is not None:
        meanwhile()
    if future is not None:
        try:
            reply = future.result()
        except BrokenProcessPool:
            pool.replace()
            try:
                reply = pool.submit(render_portfolio, task).result()
            except Exception as exc:
                reply = OfficeResult.failed(_worker_error(exc))
        except Exception as exc:
            reply = OfficeResult.failed(_worker_error(exc))
    assert reply is not None
    if reply.ok and reply.html is not None:
        result.index = write_text(out or result.out_dir, "index.html", reply.html)
        if keep and reply.notebook:
            write_text(out or result.out_dir, "index.ipynb", reply.notebook)
    else:
        result.portfolio_error = reply.error


def _take_result(o: OfficeOutcome, reply: OfficeResult, out: OutputFolder | Path) -> None:
    """Record a worker's result. The report waits in a temporary file (in the batch's staging folder)
    until every office's name is known: file names are made unique in input order (_place_reports)."""
    o.timings.update(reply.timings)
    o.worker = reply.worker
    o.report_lang = reply.lang or o.report_lang
    if reply.assessment is not None and reply.checklist_ref is not None:
        import dataclasses

        from qmskit.checklist.loader import load_checklist
        o.assessment = dataclasses.replace(reply.assessment, checklist=load_checklist(reply.checklist_ref))
        o.office = o.assessment.office
    if not reply.ok or reply.html is None:
        o.status, o.error = reply.status, reply.error
        return
    folder = (out.staging or out.out) if isinstance(out, OutputFolder) else Path(out)
    o.pending = [iorw.write_text(folder / f".qmskit-pending-{id(o)}.html.tmp", reply.html)]
    if reply.notebook:
        o.pending.append(iorw.write_text(folder / f".qmskit-pending-{id(o)}.ipynb.tmp", reply.notebook))
    o.status = Status.DONE


def _place_reports(outcomes: list[OfficeOutcome], out: OutputFolder | Path, audience: str = "internal") -> None:
    """Give every finished report its final name ``<slug>.<lang>[.client].html`` (and ``.ipynb``): the
    language and the copy are in the name (qmskit.render.report.report_filename), so nothing overwrites."""
    from qmskit.render.report import report_filename

    for o in outcomes:
        if not o.pending:
            continue
        o.file_name = report_filename(o.slug or "office", o.report_lang or "en", audience)
        for pending, ext in zip(o.pending, ("html", "ipynb")):
            path = write_text(out, str(Path(o.file_name).with_suffix(f".{ext}")), pending.read_text(encoding="utf-8"))
            pending.unlink(missing_ok=True)
            if ext == "html":
                o.html = path
        o.pending = []


def _portfolio_notebook_path() -> Path:
    from qmskit.jupyter.notebook import bundled_notebook
    return bundled_notebook("portfolio")


def _print_pdfs(result: BatchResult, parallel: int | None, folder: OutputFolder | Path) -> None:
    """Every report written and the portfolio, printed by ONE browser with several pages in parallel.

    The HTML is still in the batch's staging folder: the PDFs are printed from there into a temporary
    folder and staged beside it, so they are moved into place (and recorded in the manifest) together."""
    from qmskit.render.pdf import DEFAULT_PARALLEL, PdfJob, print_pdfs

    sources = [(o, o.html) for o in result.succeeded if o.html] + ([(None, result.index)] if result.index else [])
    with tempfile.TemporaryDirectory(prefix="qmskit-pdf-") as tmp:
        jobs, owners = [], {}
        for o, final in sources:
            staged = folder.staged[final.name][0] if isinstance(folder, OutputFolder) else final
            job = PdfJob(Path(staged), Path(tmp) / final.with_suffix(".pdf").name, label=final)  # failures name it
            jobs.append(job)
            owners[id(job)] = (o, final)
        run = print_pdfs(jobs, parallel=parallel or DEFAULT_PARALLEL)
        for outcome in run.outcomes:
            office, final = owners[id(outcome.job)]
            if office is not None:
                office.timings["pdf"] = outcome.seconds
            if outcome.ok:
                written = write_bytes(folder, outcome.job.pdf.name, outcome.job.pdf.read_bytes())
                if office is not None:
                    office.pdf = written
            else:
                result.pdf_errors.append(outcome.error or msg("errors.file", path=final, detail=msg("pdf.failed")))
    result.timings["pdf_launch"] = run.launch_seconds
    result.timings["pdf_total"] = run.seconds


def _worker_error(exc: BaseException) -> str:
    """A worker that failed outside the office's own work (dask lost it, the task could not run): one line."""
    return msg("batch.worker_error", kind=type(exc).__name__, error=one_line(str(exc)))
