"""Where batch work runs: a local process pool, one worker thread or a dask.distributed cluster, behind
one interface and one registry.

Executors are registered by name (:func:`register`, :func:`get`, like papermill's engines): "process",
"thread" and "dask" are built in, and :func:`make_pool` looks the batch's one up (:func:`executor_name`:
the default is a process pool, or the thread for one worker; a scheduler address means dask). Each is a
``concurrent.futures.Executor`` in a :class:`Pool` (dask through ``Client.get_executor()``), so the batch
submits and waits on ordinary ``concurrent.futures.Future`` objects whatever runs them.

Local worker processes ignore SIGINT: Ctrl-C reaches the parent only, which then stops the pool with
:meth:`Pool.terminate` (each worker kills its warm kernel on SIGTERM before exiting). Workers report their
process ids through a queue when they start, so stopping them needs no private executor state.

Up to :data:`THREAD_WORKERS` local workers (the default on a 2-core machine, and always for one office)
are threads of this process (``kind == "thread"``), each with its own warm kernel: a worker process only
starts another Python and imports pandas, nbclient, papermill and nbconvert again (over a second of CPU
each, plus the forkserver), while the work a worker does itself per office (reading and scoring, nbclient's
messages, the HTML export) is about half of what its kernel does, so two kernels keep one interpreter
busy well under its one core. More workers than that are processes (the GIL would be the limit).
Their kernels are killed from the main thread on Ctrl-C like a worker's.
"""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from qmskit.config import DEFAULT_CHECKLIST, KERNEL_START_TIMEOUT
from qmskit.errors import QmskitError, UsageError

# local workers up to this many run as threads of the batch's process (see the module docstring)
THREAD_WORKERS = 2


@dataclass
class Pool:
    """An executor plus what it takes to stop it; ``kind`` is the name it was registered under.

    This base stops a plain executor; the built-in kinds below also stop the warm kernels of their
    workers. A custom executor (see :func:`register`) subclasses it when its workers need more."""
    kind: str
    executor: cf.Executor
    workers: int

    def submit(self, fn, *args, **kwargs) -> cf.Future:
        return self.executor.submit(fn, *args, **kwargs)

    def close(self) -> None:
        """Normal end: stop warm kernels everywhere, then the workers."""
        self.executor.shutdown(wait=True)

    def terminate(self) -> None:
        """Ctrl-C or fatal error: drop queued work, stop running work now, leave no kernel behind."""
        self.executor.shutdown(wait=False, cancel_futures=True)


@dataclass
class ThreadPool(Pool):
    """Worker threads of this process, one warm kernel each (see the module's docstring)."""
    _threads: set[int] = field(default_factory=set)  # the worker threads' idents
    _stopped: threading.Event = field(default_factory=threading.Event)  # set by terminate()

    def close(self) -> None:
        from qmskit.jupyter.warmkernel import shutdown_this_thread
        try:  # each kernel from the thread that owns its sockets
            for future in _on_every_thread(self.executor, len(self._threads), shutdown_this_thread):
                future.result()
        finally:
            self.executor.shutdown(wait=True)

    def terminate(self) -> None:
        from qmskit.jupyter.warmkernel import kill_thread_kernels
        self._stopped.set()  # a kernel still being launched is stopped by its thread (_warm_thread)
        self.executor.shutdown(wait=False, cancel_futures=True)
        kill_thread_kernels(self._threads)  # the running notebook then sees a dead kernel and returns


@dataclass
class ProcessPool(Pool):
    """Local worker processes (a ``ProcessPoolExecutor`` on forkserver)."""
    _pid_queue: Any = None       # a multiprocessing SimpleQueue: local workers put their pid here when they start
    _pids: set[int] = field(default_factory=set)

    def worker_pids(self) -> set[int]:
        """Process ids of the local workers started so far."""
        while self._pid_queue is not None and not self._pid_queue.empty():
            self._pids.add(self._pid_queue.get())
        return set(self._pids)

    def terminate(self) -> None:
        pids = self.worker_pids()
        self.executor.shutdown(wait=False, cancel_futures=True)
        for pid in pids:
            _signal(pid, signal.SIGTERM)  # the worker's handler kills its kernel, then exits
        deadline = time.monotonic() + 10
        while (alive := [pid for pid in pids if _alive(pid)]) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in alive:
            _signal(pid, signal.SIGKILL)
        # Let the pool's manager thread finish now: left running, it races the interpreter's exit hook
        # (concurrent.futures.process._python_exit), which then writes to a closed wake-up pipe and prints
        # "Exception ignored in … threading … OSError: Bad file descriptor" after Ctrl-C. (No public API
        # for it: the thread is looked up by name and only joined.)
        manager = getattr(self.executor, "_executor_manager_thread", None)
        if manager is not None and manager.is_alive():
            manager.join(timeout=10)


@dataclass
class DaskPool(Pool):
    """A dask.distributed cluster through ``Client.get_executor()``."""
    # dask.distributed objects are typed Any: dask is an optional dependency, imported only when used
    client: Any = None
    _owns_client: bool = False
    _cluster: Any = None         # the LocalCluster this pool started, if any

    def close(self) -> None:
        from qmskit.jupyter.warmkernel import shutdown_all
        try:
            self.client.run(shutdown_all)
        except Exception:
            pass
        self.executor.shutdown(wait=True)
        if self._owns_client:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()

    def terminate(self) -> None:
        try:
            self.executor.shutdown(wait=False, cancel_futures=True)
        except TypeError:
            self.executor.shutdown(wait=False)
        self.close()


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie (exited, not yet reaped by the forkserver) is not alive
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


# ---------------------------------------------------------------------- the registry
class PoolFactory(Protocol):
    """Makes a started :class:`Pool`. ``workers``: as the user asked (None: the executor's default);
    ``warm_checklists``: what local workers load into their warm kernel before the first office."""

    def __call__(self, *, workers: int | None, scheduler: str | None, client: Any,
                 warm_checklists: list[str]) -> Pool: ...


_EXECUTORS: dict[str, PoolFactory] = {}


def register(name: str, factory: PoolFactory) -> None:
    """Make ``factory`` the executor called ``name`` (``run_batch(executor=name)``); a name registered
    again is replaced."""
    _EXECUTORS[name] = factory


def get(name: str) -> PoolFactory:
    """The factory registered as ``name``; :class:`UsageError` listing the known names otherwise."""
    try:
        return _EXECUTORS[name]
    except KeyError:
        from qmskit.i18n.catalog import msg
        raise UsageError(msg("batch.unknown_executor", name=name, known=", ".join(names()))) from None


def names() -> list[str]:
    return sorted(_EXECUTORS)


def executor_name(kind: str | None, *, workers: int | None, scheduler: str | None = None,
                  client: object = None) -> str:
    """Which registered executor a batch uses: a ``scheduler`` address or a ``client`` mean dask; the
    default (None) is worker threads up to :data:`THREAD_WORKERS` workers, a process pool beyond; "process"
    is a process pool unless there is only one worker (a thread: a process would only cost a start-up)."""
    if client is not None or scheduler or kind == "dask":
        return "dask"
    n = workers or os.cpu_count() or 1
    if kind is None:
        return "thread" if n <= THREAD_WORKERS else "process"
    if kind == "process":
        return "thread" if n == 1 else "process"
    return kind


def make_pool(kind: str | None = None, *, workers: int | None = None, scheduler: str | None = None,
              client: object = None, warm_checklists: list[str] | None = None) -> Pool:
    """``kind``: None/"process" (local processes), "thread", "dask" or any registered name; ``scheduler``
    (an address such as ``tcp://host:8786``) or ``client`` (a ``dask.distributed.Client``) imply dask.

    Local workers start at once (one no-op task each) and launch their warm kernel (with
    ``warm_checklists`` loaded) first thing, importing the rest while it boots; dask workers start it on
    first use."""
    factory = get(executor_name(kind, workers=workers, scheduler=scheduler, client=client))
    return factory(workers=workers, scheduler=scheduler, client=client,
                   warm_checklists=list(warm_checklists or [DEFAULT_CHECKLIST]))


def _process_pool(*, workers: int | None, scheduler: str | None, client: Any,
                  warm_checklists: list[str]) -> Pool:
    n = workers or os.cpu_count() or 1
    # forkserver, not fork: the parent may run threads (progress bar, dask) that fork would copy mid-state.
    # Nothing heavy is preloaded in the server (the parent would wait for it): each worker launches its
    # kernel before importing the Jupyter and pandas stacks, so the imports overlap with the kernel's boot.
    context = multiprocessing.get_context("spawn" if os.name == "nt" else "forkserver")
    if os.name != "nt":
        context.set_forkserver_preload(["qmskit.batch.executors"])
    pid_queue = context.SimpleQueue()
    executor = cf.ProcessPoolExecutor(max_workers=n, mp_context=context, initializer=_init_worker,
                                      initargs=(warm_checklists, pid_queue))
    for _ in range(n):  # a submitted task starts a worker while none is idle: all n start now
        executor.submit(os.getpid)
    return ProcessPool("process", executor, n, _pid_queue=pid_queue)


def _thread_pool(*, workers: int | None, scheduler: str | None, client: Any,
                 warm_checklists: list[str]) -> Pool:
    """Worker threads in this process; each launches its warm kernel at once (its first task). Returns
    once every kernel process is launched (not yet ready): they boot on the other cores while this
    process goes on."""
    n = workers or 1
    threads: set[int] = set()
    stopped = threading.Event()
    launched = threading.Semaphore(0)
    executor = cf.ThreadPoolExecutor(max_workers=n, thread_name_prefix="qmskit-worker", initializer=_warm_thread,
                                     initargs=(warm_checklists, threads, launched, stopped))
    pool = ThreadPool("thread", executor, n, _threads=threads, _stopped=stopped)
    try:
        for _ in range(n):  # a task starts a new thread while none is idle: all n start (and launch) now
            executor.submit(int)
        deadline = time.monotonic() + KERNEL_START_TIMEOUT
        for _ in range(n):
            launched.acquire(timeout=max(0.0, deadline - time.monotonic()))
    except BaseException:  # Ctrl-C meanwhile: no kernel is left behind
        pool.terminate()
        raise
    return pool


def _on_every_thread(executor: cf.Executor, n: int, fn) -> list[cf.Future]:
    """Run ``fn()`` once on each of the executor's ``n`` (idle) threads: every task waits for the others,
    so no thread takes two."""
    barrier = threading.Barrier(n)

    def once() -> None:
        try:
            fn()
        finally:
            try:
                barrier.wait(timeout=KERNEL_START_TIMEOUT)
            except threading.BrokenBarrierError:
                pass
    return [executor.submit(once) for _ in range(n)]


def _warm_thread(warm_checklists: list[str], threads: set, launched: threading.Semaphore | None = None,
                 stopped: threading.Event | None = None) -> None:
    from qmskit.jupyter import warmkernel

    threads.add(threading.get_ident())
    try:
        try:
            kernel = warmkernel.kernel_for_this_thread(checklists=tuple(warm_checklists))  # launched here
        finally:
            if launched is not None:
                launched.release()
        if stopped is not None and stopped.is_set():  # the pool was stopped while this kernel was launched
            warmkernel.shutdown_this_thread()
            return
        kernel.start(while_booting=lambda: _import_worker_stack(warm_checklists))
    except Exception:  # left for the first office to report
        pass


def _dask_pool(*, workers: int | None, scheduler: str | None, client: Any,
               warm_checklists: list[str]) -> Pool:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        from qmskit.i18n.catalog import msg
        raise QmskitError(msg("batch.no_dask")) from None
    owns, cluster = False, None
    if client is None:
        owns = True
        if scheduler:
            try:
                client = Client(scheduler, timeout="20s")
            except OSError as exc:
                from qmskit.i18n.catalog import msg
                raise QmskitError(msg("batch.no_scheduler", scheduler=scheduler, error=exc)) from None
        else:
            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
    n = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values()) or 1
    return DaskPool("dask", client.get_executor(pure=False), n, client=client, _owns_client=owns, _cluster=cluster)


register("process", _process_pool)
register("thread", _thread_pool)
register("dask", _dask_pool)


# ---------------------------------------------------------------------- inside local worker processes
def _init_worker(warm_checklists: list[str], pid_queue=None) -> None:
    """Runs once in each local worker: Ctrl-C is the parent's business; SIGTERM and exit stop the kernel;
    then the warm kernel starts (a failure here is left for the first office to report)."""
    from multiprocessing import util

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if pid_queue is not None:
        pid_queue.put(os.getpid())

    from qmskit.jupyter import warmkernel

    def _on_term(signum, frame):
        warmkernel.kill_all_now()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, _on_term)
    # multiprocessing workers leave through os._exit: atexit never runs, Finalize with a priority does
    util.Finalize(None, warmkernel.shutdown_all, exitpriority=100)
    try:
        warmkernel.kernel_for_this_thread(checklists=tuple(warm_checklists)).start(
            while_booting=lambda: _import_worker_stack(warm_checklists))
    except Exception:
        pass


_STACK_LOCK = threading.Lock()


def _import_worker_stack(warm_checklists: Sequence[str] = ()) -> None:
    """What a worker needs per office (reading, scoring, papermill, the HTML export) imported, nbformat's
    validator compiled and the checklists its offices are scored against loaded, while its kernel boots in another process (so the
    first office does not pay for them once its kernel is ready). Once per process: worker threads wait
    for the first one instead of parsing the same checklist twice."""
    import importlib

    with _STACK_LOCK:
        for name in ("qmskit.batch.worker", "qmskit.api", "qmskit.render.report", "qmskit.io.responses",
                     "qmskit.core.scoring", "qmskit.io.xlsx", "qmskit.io.xlsx_read", "papermill",
                     "nbconvert.exporters.html"):
            try:
                importlib.import_module(name)
            except Exception:  # a missing piece is reported by the office that needs it
                pass
        try:  # nbformat compiles its notebook schema on the first validation (every notebook is validated)
            from qmskit.jupyter._nbformat import nbformat
            nbformat.v4.new_notebook()
        except Exception:
            pass
        for checklist in warm_checklists:
            try:
                from qmskit.checklist.loader import load_checklist
                load_checklist(checklist)  # cached per process (qmskit.checklist.loader)
            except Exception:  # a checklist that does not load fails its offices, with its message
                pass
