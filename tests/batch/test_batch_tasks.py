"""The batch's task and result dataclasses (they pickle for a process pool and for dask) and the executor
registry (built-in names, the one-line error for an unknown one, and a custom executor that really runs
a small batch)."""
from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import json
import os
import pickle
from pathlib import Path

import pytest
from conftest import OFFICE_META, mixed_answers

from qmskit.batch import executors
from qmskit.batch import runner as batch
from qmskit.batch.inputs import score_file
from qmskit.batch.tasks import OfficeResult, OfficeTask, PortfolioTask, Status
from qmskit.errors import QmskitError, UsageError
from qmskit.io.responses import write_responses


@pytest.fixture(scope="module")
def two_offices(tmp_path_factory, full_checklist) -> list[Path]:
    d = tmp_path_factory.mktemp("two-offices")
    paths = []
    for seed, name in enumerate(("North Office", "South Office"), start=1):
        path = d / f"{name.split()[0].lower()}.xlsx"
        write_responses(path, {**OFFICE_META, "office": name}, mixed_answers(full_checklist, seed=seed),
                        full_checklist, backup=False)
        paths.append(path)
    return paths


def _tasks(office: Path) -> list[OfficeTask | PortfolioTask]:
    return [OfficeTask(source=str(office), notebook="/nb/report.ipynb", lang=None, checklist="/c/list.yaml",
                       timeout=30.0, keep_notebook=True, plans=(("north office", Path("/plans/north.xlsx")),),
                       brand="/b/brand.yaml", audience="client", seq=2, out_dir="reports/"),
            PortfolioTask(summary_json=json.dumps({"offices": [], "lang": "zh"}), notebook="/nb/portfolio.ipynb",
                          lang="zh", title="组合", checklists=("iso9001-2015",), timeout=None)]


def _dask_round_trip(obj):
    protocol = pytest.importorskip("distributed.protocol")
    header, frames = protocol.serialize(obj, serializers=("pickle",))  # what dask does with a task's argument
    return protocol.deserialize(header, frames)


@pytest.mark.parametrize("round_trip", [lambda o: pickle.loads(pickle.dumps(o)), _dask_round_trip],
                         ids=["pickle", "dask"])
def test_tasks_and_results_survive_the_trip_to_a_worker_and_back(two_offices, round_trip):
    for task in _tasks(two_offices[0]):
        back = round_trip(task)
        assert back == task and type(back) is type(task)
    assert round_trip(_tasks(two_offices[0])[0]).plans_by_office == {"north office": Path("/plans/north.xlsx")}

    scored = score_file(two_offices[0])
    assert scored.assessment is not None and scored.error is None
    travelling = dataclasses.replace(scored.assessment, checklist=None)
    result = OfficeResult(Status.DONE, worker="host:1:2", timings={"execute": 1.5}, assessment=travelling,
                          checklist_ref="iso9001-2015", lang="en", html="<html>ok</html>", notebook="{}")
    back = round_trip(result)
    assert back.status is Status.DONE and back.ok
    assert (back.worker, back.timings, back.checklist_ref, back.lang, back.html, back.notebook) == (
        "host:1:2", {"execute": 1.5}, "iso9001-2015", "en", "<html>ok</html>", "{}")
    assert back.assessment.office == "North Office" and back.assessment.overall == scored.assessment.overall
    assert back.assessment.gaps.equals(scored.assessment.gaps)
    failed = round_trip(OfficeResult.failed("the worker process died while rendering this report"))
    assert failed.status is Status.REPORT_FAILED and not failed.ok and failed.error.startswith("the worker")


def test_tasks_are_frozen_and_statuses_are_the_portfolio_stages(two_offices):
    task = _tasks(two_offices[0])[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.lang = "en"  # type: ignore[misc]
    assert task.checklists == ("/c/list.yaml",)
    assert OfficeTask(source="/x.xlsx", notebook="/nb.ipynb").checklists == ("iso9001-2015",)
    assert [s.value for s in Status] == ["done", "read", "report"]


def test_registry_knows_the_built_in_executors_and_names_them_for_an_unknown_one():
    assert {"process", "thread", "dask"} <= set(executors.names())
    assert executors.get("process") is executors._process_pool
    with pytest.raises(UsageError) as info:
        executors.get("slurm")
    assert isinstance(info.value, QmskitError)
    assert str(info.value) == f"unknown executor 'slurm' (known: {', '.join(executors.names())})"
    with pytest.raises(UsageError, match="unknown executor 'slurm'"):
        executors.make_pool("slurm", workers=2)


def test_the_batch_picks_its_executor():
    name = executors.executor_name
    assert name(None, workers=1) == "thread" and name("process", workers=1) == "thread"
    assert name(None, workers=3) == "process" and name("process", workers=2) == "process"
    assert name(None, workers=2) == "thread" and name("thread", workers=2) == "thread"  # THREAD_WORKERS
    assert name("dask", workers=1) == "dask" and name(None, workers=4, scheduler="tcp://h:8786") == "dask"
    assert name("process", workers=2, client=object()) == "dask"
    assert name("mine", workers=2) == "mine"


class _RecordingPool(executors.Pool):
    """One worker thread (like the built-in one) that records every task it is given."""

    def __init__(self, submitted: list):
        super().__init__("recording", cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="qmskit-test"), 1)
        self.submitted = submitted

    def submit(self, fn, *args, **kwargs) -> cf.Future:
        self.submitted.append((fn.__name__, *args))
        return super().submit(fn, *args, **kwargs)

    def close(self) -> None:
        from qmskit.jupyter.warmkernel import shutdown_this_thread
        try:
            self.executor.submit(shutdown_this_thread).result()  # the kernel belongs to the worker thread
        finally:
            super().close()

    def terminate(self) -> None:
        self.close()


@pytest.mark.slow
def test_a_registered_executor_runs_a_real_batch(two_offices, tmp_path, monkeypatch):
    monkeypatch.setattr(executors, "_EXECUTORS", dict(executors._EXECUTORS))  # registered for this test only
    submitted: list = []
    made: list[dict] = []

    def factory(*, workers, scheduler, client, warm_checklists):
        made.append({"workers": workers, "warm": warm_checklists})
        return _RecordingPool(submitted)

    executors.register("recording", factory)
    result = batch.run_batch(two_offices, tmp_path, executor="recording", workers=2, progress=False)
    assert result.exit_code == 0, result.summary_lines()
    assert made == [{"workers": 2, "warm": ["iso9001-2015"]}] and result.workers == 1
    assert [(name, type(task).__name__) for name, task in submitted] == [
        ("render_office", "OfficeTask"), ("render_office", "OfficeTask"), ("render_portfolio", "PortfolioTask")]
    assert [task.seq for _, task in submitted[:2]] == [1, 2]
    assert {o.worker.split(":")[1] for o in result.offices} == {str(os.getpid())}  # in this process
    for o in result.offices:
        assert o.ok and o.status is Status.DONE and o.html.exists()
        assert o.office in o.html.read_text(encoding="utf-8")
    assert (tmp_path / "index.html").exists() and result.index == tmp_path / "index.html"
    assert "North Office" in (tmp_path / "scores.csv").read_text(encoding="utf-8")


def _kernel_of_this_thread() -> tuple[int, int | None]:
    import threading

    from qmskit.jupyter import warmkernel
    kernel = warmkernel.kernel_for_this_thread()
    kernel.ensure_started()
    return threading.get_ident(), kernel.pid


@pytest.mark.slow
def test_two_worker_threads_each_run_their_own_kernel_and_close_stops_both():
    import psutil

    from qmskit.jupyter import warmkernel

    pool = executors.make_pool(None, workers=2)
    try:
        assert (pool.kind, pool.workers) == ("thread", 2)
        # two tasks at once (each waits for the other): one per thread, so both threads' kernels answer
        import threading
        both = threading.Barrier(2)

        def task():
            both.wait(timeout=120)
            return _kernel_of_this_thread()
        answers = [f.result(timeout=180) for f in [pool.submit(task), pool.submit(task)]]
        (thread_a, pid_a), (thread_b, pid_b) = answers
        assert thread_a != thread_b and pid_a != pid_b and None not in (pid_a, pid_b)
        assert sorted(warmkernel.kernel_pids()) == sorted([pid_a, pid_b])
    finally:
        pool.close()
    assert warmkernel.kernel_pids() == []
    for pid in (pid_a, pid_b):  # killed at once: gone, or a zombie nobody needs
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
