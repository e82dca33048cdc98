"""Where batch work runs: a local process pool or a dask.distributed cluster, behind one interface.

Both are ``concurrent.futures.Executor``s (dask through ``Client.get_executor()``), so the batch submits
and waits on ordinary ``concurrent.futures.Future`` objects whatever runs them.

Local worker processes ignore SIGINT: Ctrl-C reaches the parent only, which then stops the pool with
:meth:`Pool.terminate` (each worker kills its warm kernel on SIGTERM before exiting).
"""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
from dataclasses import dataclass, field

from .errors import QmskitError


@dataclass
class Pool:
    """An executor plus what it takes to stop it; ``kind`` is "process" or "dask"."""
    kind: str
    executor: cf.Executor
    workers: int
    client: object = None        # dask.distributed.Client when kind == "dask"
    _owns_client: bool = False
    _cluster: object = None
    info: dict = field(default_factory=dict)

    def submit(self, fn, *args, **kwargs) -> cf.Future:
        return self.executor.submit(fn, *args, **kwargs)

    def close(self) -> None:
        """Normal end: stop warm kernels everywhere, then the workers."""
        if self.kind == "dask":
            from .warmkernel import shutdown_all
            try:
                self.client.run(shutdown_all)
            except Exception:
                pass
            self.executor.shutdown(wait=True)
            if self._owns_client:
                self.client.close()
                if self._cluster is not None:
                    self._cluster.close()
        else:
            self.executor.shutdown(wait=True)

    def terminate(self) -> None:
        """Ctrl-C or fatal error: drop queued work, stop running work now, leave no kernel behind."""
        if self.kind == "dask":
            try:
                self.executor.shutdown(wait=False, cancel_futures=True)
            except TypeError:
                self.executor.shutdown(wait=False)
            self.close()
            return
        processes = list(getattr(self.executor, "_processes", {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            if proc.is_alive():
                proc.terminate()  # SIGTERM: the worker's handler kills its kernel, then exits
        for proc in processes:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
        # Let the pool's manager thread finish now: left running, it races the interpreter's exit hook
        # (concurrent.futures.process._python_exit), which then writes to a closed wake-up pipe and prints
        # "Exception ignored in … threading … OSError: Bad file descriptor" after Ctrl-C.
        manager = getattr(self.executor, "_executor_manager_thread", None)
        if manager is not None and manager.is_alive():
            manager.join(timeout=10)


def make_pool(kind: str | None = None, *, workers: int | None = None, scheduler: str | None = None,
              client: object = None, warm_checklists: list[str] | None = None) -> Pool:
    """``kind``: None/"process" (local processes) or "dask"; ``scheduler`` (an address such as
    ``tcp://host:8786``) or ``client`` (a ``dask.distributed.Client``) imply dask.

    Local workers start their warm kernel (with ``warm_checklists`` loaded) as soon as they start, so
    kernel start-up overlaps with whatever the parent does next; dask workers start it on first use."""
    if client is not None or scheduler or kind == "dask":
        return _dask_pool(workers=workers, scheduler=scheduler, client=client)
    if kind not in (None, "process"):
        raise QmskitError(f"unknown executor '{kind}' (allowed: process, dask)")
    n = workers or os.cpu_count() or 1
    # forkserver, not fork: the parent may run threads (progress bar, dask) that fork would copy mid-state.
    context = multiprocessing.get_context("spawn" if os.name == "nt" else "forkserver")
    if os.name != "nt":  # workers fork from a server that already imported these (once per batch process)
        context.set_forkserver_preload(["qmskit.batch", "qmskit.warmkernel", "qmskit.notebook"])
    executor = cf.ProcessPoolExecutor(max_workers=n, mp_context=context, initializer=_init_worker,
                                      initargs=(list(warm_checklists or ["iso9001-2015"]),))
    try:  # start every worker now (the pool would start them one per submitted task)
        for _ in range(n):
            executor._adjust_process_count()
    except AttributeError:  # a Python without this private method: workers start on demand
        pass
    return Pool("process", executor, n)


def _dask_pool(*, workers, scheduler, client) -> Pool:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise QmskitError("the dask executor needs dask.distributed: pip install 'qmskit[dask]'") from None
    owns, cluster = False, None
    if client is None:
        owns = True
        if scheduler:
            try:
                client = Client(scheduler, timeout="20s")
            except OSError as exc:
                raise QmskitError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
        else:
            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
    n = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values()) or 1
    return Pool("dask", client.get_executor(pure=False), n, client=client, _owns_client=owns, _cluster=cluster)


# ---------------------------------------------------------------------- inside local worker processes
def _init_worker(warm_checklists: list[str]) -> None:
    """Runs once in each local worker: Ctrl-C is the parent's business; SIGTERM and exit stop the kernel;
    then the warm kernel starts (a failure here is left for the first office to report)."""
    from multiprocessing import util

    from . import warmkernel

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def _on_term(signum, frame):
        for kernel in list(warmkernel._KERNELS.values()):
            kernel.kill_process_only()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, _on_term)
    # multiprocessing workers leave through os._exit: atexit never runs, Finalize with a priority does
    util.Finalize(None, warmkernel.shutdown_all, exitpriority=100)
    try:
        warmkernel.kernel_for_this_thread(checklists=tuple(warm_checklists)).start()
    except Exception:
        pass
