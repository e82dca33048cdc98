"""What a worker does with a task: one office's report (or the portfolio) on this thread's warm kernel,
exported to HTML, handed back as an :class:`qmskit.batch.tasks.OfficeResult`.

An office is read and scored here, once (a bad file or an unknown answer fails its office with the
reader's one-line message, before its notebook runs); the warm kernel (:mod:`qmskit.jupyter.warmkernel`)
is handed the scored office, so the notebook does not read and score it again, and the Assessment goes
back with the HTML for the CSVs and the portfolio. These functions run in local worker processes, in the
batch's one worker thread, or on dask workers: they only *read* files and never raise for an office's own
failure.
"""
from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmskit.batch.inputs import attach_plan, score_file
from qmskit.batch.outcomes import one_line
from qmskit.batch.tasks import OfficeResult, OfficeTask, PortfolioTask, Status

if TYPE_CHECKING:
    from qmskit.core.assessment import Assessment
    from qmskit.jupyter.warmkernel import WarmKernel


def render_office(task: OfficeTask) -> OfficeResult:
    """Worker: read and score one office, run its report notebook on the warm kernel, export HTML.

    The result carries the Assessment (without its checklist, which the parent has) for the CSVs and the
    portfolio; a failure is a status and a one-line reason."""
    from qmskit.api import load_assessment
    from qmskit.jupyter import warmkernel
    from qmskit.render.report import page_title

    kernel = warmkernel.kernel_for_this_thread(task.kernel_name, task.checklists)
    timings: dict[str, float] = {}
    scored = score_file(Path(task.source), task.checklist, loader=load_assessment, lang=task.lang)
    timings["score"] = scored.timings["score"]
    plan = attach_plan(scored, task.plans_by_office)
    if scored.error:
        return OfficeResult(Status.READ_FAILED, error=scored.error, worker=worker_id(), timings=timings)
    a = scored.assessment
    assert a is not None  # scored without an error
    if task.plan_note is not None:  # the batch's note: the office's plan goes with a later assessment
        a.warnings.append(task.plan_note)
    checklist_ref = str(a.checklist.source or a.checklist.id)
    lang = office_language(a, task.lang)
    office = str(a.office)
    parameters: dict[str, Any] = {
        "responses": task.source, "checklist": task.checklist, "lang": lang, "title": None, "brand": task.brand,
        "audience": task.audience, "report_seq": task.seq}
    if task.out_dir:
        parameters["out_dir"] = task.out_dir
    parameters["pdf"] = task.pdf
    if plan is not None:
        parameters["actions"] = str(Path(plan).resolve())
    base = OfficeResult(Status.REPORT_FAILED, worker=worker_id(), timings=timings,
                        assessment=_without_checklist(a), checklist_ref=checklist_ref, lang=lang)
    return _run_and_export(kernel, base, task.notebook, parameters, timeout=task.timeout, checklists=[checklist_ref],
                           preload=a, office=office, title=page_title(office, lang), keep=task.keep_notebook)


def render_portfolio(task: PortfolioTask) -> OfficeResult:
    """Worker: run the portfolio notebook on the warm kernel with the batch's summary, export HTML."""
    from qmskit.jupyter import warmkernel

    kernel = warmkernel.kernel_for_this_thread(task.kernel_name, task.checklists)
    tmp = tempfile.NamedTemporaryFile("w", suffix=".json", prefix="qmskit-portfolio-", delete=False,
                                      encoding="utf-8")
    try:
        with tmp:
            tmp.write(task.summary_json)
        base = OfficeResult(Status.REPORT_FAILED, worker=worker_id(), lang=task.lang)
        return _run_and_export(kernel, base, task.notebook, {"portfolio_path": tmp.name, "lang": task.lang},
                               timeout=task.timeout, checklists=list(task.checklists), title=task.title,
                               keep=task.keep_notebook)
    finally:
        os.unlink(tmp.name)


def _run_and_export(kernel: WarmKernel, base: OfficeResult, notebook: str, parameters: dict[str, Any], *,
                    timeout: float | None, checklists: list[str], preload: Assessment | None = None,
                    office: str | None = None, title: str | None = None, keep: bool = False) -> OfficeResult:
    """The notebook on the warm kernel (started, or restarted after a death, here), then its HTML.
    ``base`` holds what is known before it runs; the result adds the timings and the HTML or the reason."""
    timings = base.timings
    lang = base.lang or "en"
    try:
        kernel.ensure_started()  # launched when the worker started; a dead one is started again
        if kernel.notebooks_run == 0:  # this office pays for (or reports) the kernel's start-up
            timings["kernel_start"] = kernel.timings["kernel_start"]
            timings["imports"] = kernel.timings["imports"]
        nb = kernel.execute_notebook(notebook, parameters, timeout=timeout, checklists=checklists, preload=preload)
        timings["reset"] = kernel.timings.get("reset", 0.0)
        timings["execute"] = kernel.timings.get("execute", 0.0)
    except Exception as exc:
        return dataclasses.replace(base, error=describe_failure(exc, office))
    t0 = time.perf_counter()
    try:
        from qmskit.jupyter.notebook import export_html
        html = export_html(nb, lang=lang, title=title)
    except Exception as exc:
        return dataclasses.replace(base, error=f"HTML export failed: {one_line(f'{type(exc).__name__}: {exc}')}")
    timings["export"] = time.perf_counter() - t0
    notebook_text = None
    if keep:
        from qmskit.jupyter._nbformat import nbformat
        notebook_text = nbformat.writes(nb)
    return dataclasses.replace(base, status=Status.DONE, html=html, notebook=notebook_text)


def _without_checklist(a: Assessment) -> Assessment:
    """The Assessment as it travels to the parent: the checklist (large, and loaded there too) is left
    out and put back on arrival (qmskit.batch.runner)."""
    return dataclasses.replace(a, checklist=None)  # type: ignore[arg-type]  # put back on arrival


def office_language(a: Assessment, lang: str | None) -> str:
    """The report's language: ``lang``, or (None) the one named in the office's file, else English."""
    office_lang = lang or a.meta.get("language") or "en"
    return office_lang if office_lang in ("en", "zh") else "en"


def worker_id() -> str:
    import socket
    import threading
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def describe_failure(exc: BaseException, office: str | None = None) -> str:
    """One line a consultant can act on, whatever went wrong inside the notebook or the kernel."""
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from qmskit.i18n.catalog import line_message, msg
    from qmskit.jupyter.warmkernel import KernelTimeout
    if isinstance(exc, KernelTimeout):  # its words are a catalog Message: the summary says them in its language
        return exc.args[0] if exc.args else str(exc)
    if isinstance(exc, PapermillExecutionError):
        from qmskit.jupyter.notebook import notebook_error
        error = notebook_error(office, exc.ename, exc.evalue, exc.exec_count)
        return line_message(error) if len(str(error)) <= 300 else one_line(str(error))  # a long one: cut, English
    if isinstance(exc, DeadKernelError):
        return msg("batch.kernel_died")
    return one_line(f"{type(exc).__name__}: {exc}")
