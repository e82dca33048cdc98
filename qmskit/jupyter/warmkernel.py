"""Warm kernels: a Jupyter kernel that executes many notebooks, owned by a ``with`` block.

    with WarmKernel() as kernel:          # the kernel process starts here (it boots in the background)
        nb = kernel.execute_notebook(path, parameters)   # waits for it on first use
    # here the kernel process is gone: killed at once, also when the body raised or Ctrl-C arrived

A report kernel holds nothing worth a polite shutdown (which waits for the kernel to answer, seconds),
so leaving the block kills its process group immediately.

papermill starts (and imports pandas, matplotlib, qmskit into) a fresh kernel for every notebook: seconds
per office. Here a kernel is started once, heavy modules are pre-imported once, and every notebook still
goes through :func:`papermill.execute_notebook` (papermill's own parameter injection, metadata, error
cells and exceptions) with a papermill *engine* that hands nbclient the warm kernel instead of a new one.
Before each notebook the kernel is wiped with :func:`qmskit.jupyter.kernelstate.reset` (namespace, history,
execution counter, figures, options, modules imported by the previous notebook), so no office's data can
reach the next one.

A batch worker keeps one kernel for its whole life, longer than any block it runs: the per-(process,
thread) registry below enters each kernel's context when it creates it and exits them in
:func:`shutdown_all` / :func:`shutdown_this_thread` (worker exit, SIGTERM, the end of a dask batch).
Per (process, thread) because nbclient's asyncio/zmq objects belong to the event loop of the thread that
created them. A kernel that died, timed out or failed to reset is killed and a new one is started for the
next notebook, inside the same context.

This module uses :mod:`qmskit.jupyter.notebook` (parameter injection, one-line errors); that module
never imports this one.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# isort: off
from qmskit.jupyter._nbformat import nbformat  # first, before nbclient imports nbformat: see qmskit.jupyter._nbformat
from nbclient import NotebookClient
# isort: on

from qmskit.config import DEFAULT_CHECKLIST, KERNEL_START_TIMEOUT
from qmskit.errors import KernelTimeout, NotebookError
from qmskit.jupyter.kernelstate import PREIMPORTS
from qmskit.jupyter.notebook import DEFAULT_TIMEOUT, notebook_error, parameterize

ENGINE_NAME = "qmskit-warm"
# the warm kernel's process: ipykernel's launcher, its standing imports done before it first answers
KERNEL_LAUNCHER = "qmskit.jupyter.kernel_main"


@dataclass
class WarmKernel:
    """A kernel (``km``) with its connected client (``kc``), reused notebook after notebook.

    A context manager: entering launches the kernel process (without waiting for it: the first
    notebook, or :meth:`connect`, does), leaving kills it, whatever ended the block."""
    kernel_name: str = "python3"
    checklists: tuple[str, ...] = (DEFAULT_CHECKLIST,)
    # jupyter_client's KernelManager and (async) KernelClient, None when stopped; typed Any because
    # nbclient hands them over untyped and every use is guarded by a None check or alive()
    km: Any = None
    kc: Any = None
    notebooks_run: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    # the kernel's kernel_info reply ``language_info``, from the request that proved it ready (see
    # :func:`_ready_client`): the same for every notebook this kernel runs (see qmskit.jupyter.warmengine)
    language_info: dict[str, Any] | None = None
    _owner: int | None = None       # the thread that started it (nbclient's loop and sockets live there)
    _starter: Any = None            # the NotebookClient between launch() and connect()
    _t0: float = 0.0

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> WarmKernel:
        if self.km is None:
            try:
                self.launch()
            except BaseException:  # e.g. Ctrl-C while the process was being started: leave nothing behind
                self.kill()
                raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    def start(self, startup_timeout: float = KERNEL_START_TIMEOUT, while_booting=None) -> None:
        """Launch the kernel, run ``while_booting()`` here while it boots (the kernel process imports
        ipykernel meanwhile, on the other core), then wait until it answers and pre-import in it.
        A kernel launched already (by entering the context) is not launched again."""
        if self._starter is None:
            self.launch(startup_timeout)
        if while_booting is not None:
            while_booting()
        self.connect()

    def launch(self, startup_timeout: float = KERNEL_START_TIMEOUT) -> None:
        """Start the kernel process and return at once; :meth:`connect` waits for it."""
        self._t0 = time.perf_counter()
        # an empty node, not nbformat.v4.new_notebook(): that validates it, and the first validation in a
        # process compiles nbformat's schema (~0.1-0.3 s) before the kernel process could even be started
        empty = nbformat.NotebookNode(nbformat=4, nbformat_minor=5, metadata=nbformat.NotebookNode(), cells=[])
        starter = NotebookClient(empty, kernel_name=self.kernel_name, startup_timeout=startup_timeout)
        starter.km = self.km = starter.create_kernel_manager()  # known at once: an interrupted start is killed
        use_qmskit_launcher(self.km)
        self._starter = starter
        # stderr: ipykernel's start-up chatter (e.g. the TCP notice) must not garble the progress bar
        starter.start_new_kernel(stderr=subprocess.DEVNULL)

    def connect(self, wait: bool = True) -> None:
        """Wait until the launched kernel answers, then pre-import and warm the checklists in it.
        ``wait=False`` sends the pre-imports and returns: the kernel runs them before anything sent later
        (one shell channel, executed in order), while this process does something else."""
        starter, self._starter = self._starter, None
        starter.kc, info = _run(_ready_client(starter.km, starter.startup_timeout))
        self.km, self.kc = starter.km, starter.kc
        self.language_info = info.get("language_info")
        self._owner = threading.get_ident()
        self.timings["kernel_start"] = time.perf_counter() - self._t0
        t1 = time.perf_counter()
        code = (f"import qmskit.jupyter.kernelstate as _qk; _qk.prepare({PREIMPORTS!r}, {list(self.checklists)!r}); del _qk")
        if wait:
            self._run_silent(code)
        else:
            self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        self.timings["imports"] = time.perf_counter() - t1
        self.notebooks_run = 0

    def ensure_started(self) -> None:
        """Connected and answering: wait for a launched kernel, or start one (again) when there is none
        or it died."""
        if self._starter is not None:
            self.connect()
        elif self.km is None or not self.alive():
            self.start()

    @property
    def pid(self) -> int | None:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(process, "pid", None)

    def alive(self) -> bool:
        pid = self.pid
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        try:  # a zombie still answers kill(0): ask the process object too
            return getattr(self.km.provisioner.process, "poll", lambda: None)() is None
        except Exception:
            return True

    def kill(self) -> None:
        """Kill the kernel's whole process group (no zmq: safe from any thread and from signal handlers)."""
        pid = self.pid
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)  # jupyter_client starts kernels in their own session
            except OSError:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                self.km.provisioner.process.wait(timeout=5)
            except Exception:
                pass
        self._forget()

    def shutdown(self) -> None:
        """Stop the kernel now: a report kernel holds nothing worth a polite shutdown (which waits for the
        kernel to answer, up to seconds), so its process group is killed at once."""
        if self.km is None:
            return
        self.kill()

    def _forget(self) -> None:
        if self.kc is not None and self._owner == threading.get_ident():
            try:  # close the client's sockets (only from the thread whose event loop owns them)
                self.kc.stop_channels()
            except Exception:
                pass
        if self.km is not None:
            try:
                conn = getattr(self.km, "connection_file", None)
                if conn:
                    Path(conn).unlink(missing_ok=True)
            except Exception:
                pass
        self.km = self.kc = None
        self._starter = None
        self.language_info = None

    # ------------------------------------------------------------------ running
    def _run_silent(self, code: str, timeout: float = 120) -> None:
        """Execute setup code without touching history or the execution counter; raise on error."""
        reply = _run(self._execute(code, timeout))
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RuntimeError(f"warm kernel setup failed: {content.get('ename')}: {content.get('evalue')}")

    async def _execute(self, code: str, timeout: float):
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        return await _reply_for(self.kc, msg_id, timeout)

    def preload_assessment(self, responses: str, checklist: str | None, assessment, actions=None) -> None:
        """Hand the kernel an office already read and scored (by this worker), so the notebook's
        ``api.load_assessment(responses, checklist, actions)`` takes it instead of reading and scoring again.
        Call after the reset that precedes the notebook; the kernel's checklist object replaces the
        one sent (the checklist must be warm, see ``checklists`` of :meth:`execute_notebook`)."""
        with _preload_file({"responses": responses, "checklist": checklist, "actions": actions}, assessment) as path:
            self._run_silent(f"import sys as _s; _s.modules['qmskit.jupyter.kernelstate'].preload({path!r}); del _s")

    def reset(self) -> None:
        self._run_silent("import sys as _s; _s.modules['qmskit.jupyter.kernelstate'].reset()", timeout=60)

    def _reset_and_preload(self, parameters: dict, preload) -> bool:
        """The wipe before a notebook and the hand-over of its office in ONE request to the kernel (each
        request is a round trip and a few kernel messages); a kernel that cannot be wiped is never
        reused: a clean one is started and given the office. Returns whether an office was handed over."""
        with _preload_file(parameters, preload) as path:
            try:  # (no names left behind: the reset empties the namespace anyway)
                self._run_silent(f"__import__('sys').modules['qmskit.jupyter.kernelstate'].reset({path!r})", timeout=60)
            except Exception:
                self.kill()
                self.start()
                if path is not None:
                    self._run_silent(f"import sys as _s; _s.modules['qmskit.jupyter.kernelstate'].preload({path!r}); del _s")
        return preload is not None

    def execute_notebook(self, notebook, parameters: dict, *, timeout: float | None = None,
                         checklists: Sequence[str] = (), preload=None) -> nbformat.NotebookNode:
        """Run a notebook on this kernel exactly as :func:`qmskit.jupyter.notebook.execute` does on a fresh one.

        Parameters are injected by :func:`qmskit.jupyter.notebook.parameterize` (papermill's
        ``execute_notebook(prepare_only=True)``), then papermill's engine registry runs it with the warm
        engine and papermill's own error check follows.
        The kernel is reset first. Raises what papermill raises, or :class:`KernelTimeout` after
        ``timeout`` seconds (the kernel is then killed; the next notebook starts a new one).
        ``preload``: this office's Assessment, already read and scored (see :meth:`preload_assessment`).
        """
        from papermill.engines import papermill_engines
        from papermill.exceptions import PapermillExecutionError
        from papermill.execute import raise_for_execution_errors

        # this process's share first (papermill's imports, the parameters cell), while a kernel just
        # launched is still booting: waiting for it is the last thing done before it is needed
        nb = parameterize(notebook, parameters, kernel_name=self.kernel_name)
        ensure_engine()
        self.ensure_started()  # launched by entering the context: wait for it now
        t0 = time.perf_counter()
        new = [c for c in checklists if c and c not in self.checklists]
        handed_over = False
        if self.notebooks_run:  # new checklists are loaded between the wipe and the hand-over
            handed_over = self._reset_and_preload(parameters, None if new else preload)
        if new:  # keep this batch's checklists warm too (loaded once, kept across offices)
            self._run_silent(f"import sys as _s; _s.modules['qmskit.jupyter.kernelstate'].add_checklists({new!r}); del _s")
            self.checklists = tuple(self.checklists) + tuple(new)
        if preload is not None and not handed_over:
            self.preload_assessment(parameters["responses"], parameters.get("checklist"), preload,
                                    parameters.get("actions"))
        self.timings["reset"] = time.perf_counter() - t0
        timed_out = threading.Event()
        timer = None
        if timeout:
            def _expire() -> None:
                timed_out.set()
                self.kill_process_only()  # nbclient then sees a dead kernel and returns at once
            timer = threading.Timer(timeout, _expire)
            timer.daemon = True
            timer.start()
        t1 = time.perf_counter()
        try:
            # What papermill.execute_notebook does after parameterize() (which ran it with prepare_only):
            # the engine, then papermill's error check. Not execute_notebook itself a second time: it
            # would serialise and re-read the notebook it was given, prepare its metadata again (naming
            # the notebook *object* as its input path) and serialise the executed notebook to write it
            # nowhere (output_path None): ~0.1 s of CPU per office for nothing.
            nb = papermill_engines.execute_notebook_with_engine(
                ENGINE_NAME, nb, kernel_name=self.kernel_name, input_path=nb.metadata.papermill.get("input_path"),
                output_path=None, progress_bar=False, log_output=False, execution_timeout=timeout,
                warm_kernel=self)
            raise_for_execution_errors(nb, None)
            return nb
        except BaseException as exc:
            if timed_out.is_set():
                self._forget()
                from qmskit.i18n.catalog import msg
                raise KernelTimeout(msg("warmkernel.timed_out", seconds=f"{timeout:g}")) from None
            if not self.alive():
                self._forget()
            elif not isinstance(exc, PapermillExecutionError):
                self.kill()  # not a plain cell error: the kernel's state is unknown, the next office gets a new one
            raise
        finally:
            if timer:
                timer.cancel()
            self.notebooks_run += 1
            self.timings["execute"] = time.perf_counter() - t1

    def kill_process_only(self) -> None:
        """Kill the kernel process group but keep km/kc so the running nbclient notices the death."""
        pid = self.pid
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass


    def run_report(self, notebook, parameters: dict, *, checklists: Sequence[str] = (), preload=None,
                   office: str | None = None, timeout: float | None = DEFAULT_TIMEOUT,
                   before_run=None) -> nbformat.NotebookNode:
        """One notebook on a kernel just launched (``with WarmKernel(checklists=()) as kernel``), with
        the errors a command shows: :class:`NotebookError`, one line naming ``office`` and the failing
        cell's error. ``checklists`` are loaded with the pre-imports; ``preload`` is the office already
        read and scored (see :meth:`preload_assessment`); ``before_run()`` runs here while the kernel
        boots and does its standing imports (it answers only then: :mod:`qmskit.jupyter.kernel_main`), as
        does the notebook's parameterisation. The kernel is left to the ``with`` block to stop."""
        from papermill.exceptions import PapermillExecutionError

        try:
            if before_run is not None:
                before_run()
            if self._starter is not None:  # warmed when it connects, with its standing imports
                self.checklists = tuple(checklists)
            return self.execute_notebook(notebook, parameters, timeout=timeout, checklists=checklists,
                                         preload=preload)
        except PapermillExecutionError as exc:
            raise notebook_error(office, exc.ename, exc.evalue, exc.exec_count) from None
        except NotebookError:
            raise
        except Exception as exc:  # kernel died, timed out, could not start: still one line
            raise notebook_error(office, type(exc).__name__, str(exc)) from None


def use_qmskit_launcher(km: Any) -> None:
    """In this kernel manager's command, :data:`KERNEL_LAUNCHER` where the kernel spec runs this
    interpreter with ``-m ipykernel_launcher`` (the python3 spec ipykernel installs); the spec object is
    this manager's own copy. Any other command (another interpreter, another kernel) is left as it is."""
    spec = km.kernel_spec
    argv = list(spec.argv)
    if "-m" not in argv or argv[argv.index("-m") + 1:argv.index("-m") + 2] != ["ipykernel_launcher"]:
        return
    # jupyter_client runs a bare "python" as this interpreter; a path must be this interpreter's own (not
    # merely the same binary: another virtualenv's python may lack qmskit)
    bare = ("python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2]))
    if argv[0] not in bare and os.path.abspath(argv[0]) != os.path.abspath(sys.executable):
        return
    argv[argv.index("-m") + 1] = KERNEL_LAUNCHER
    spec.argv = [a for a in argv if a != "-Xfrozen_modules=off"]  # only a debugger needs it; this kernel has none


@contextlib.contextmanager
def _preload_file(parameters: dict, assessment) -> Iterator[str | None]:
    """The office for :func:`qmskit.jupyter.kernelstate.preload`, pickled into a temporary file (removed
    afterwards) under the key the notebook's ``load_assessment(responses, checklist, actions)`` asks
    with; None when there is nothing to hand over."""
    if assessment is None:
        yield None
        return
    import dataclasses
    import pickle
    import tempfile

    light = dataclasses.replace(assessment, checklist=None)
    key = (parameters["responses"], parameters.get("checklist"), parameters.get("actions"))
    with tempfile.NamedTemporaryFile("wb", prefix="qmskit-preload-", suffix=".pickle", delete=False) as fh:
        pickle.dump({"key": key, "assessment": light,
                     "checklist": str(assessment.checklist.source or assessment.checklist.id)}, fh,
                    protocol=pickle.HIGHEST_PROTOCOL)
    try:
        yield fh.name
    finally:
        os.unlink(fh.name)


def ensure_engine() -> None:
    """The engine is declared as a ``papermill.engine`` entry point (pyproject.toml), so papermill finds
    it without qmskit registering anything on import; an environment installed before that entry point
    existed gets it registered here, at first use, through papermill's public registry."""
    from papermill.engines import papermill_engines

    from qmskit.jupyter.warmengine import WarmEngine

    try:
        papermill_engines.get_engine(ENGINE_NAME)
    except Exception:
        papermill_engines.register(ENGINE_NAME, WarmEngine)


# ---------------------------------------------------------------------- per-thread registry
_KERNELS: dict[tuple[int, int], WarmKernel] = {}
_LOCK = threading.Lock()


def kernel_for_this_thread(kernel_name: str = "python3", checklists: tuple[str, ...] = (DEFAULT_CHECKLIST,)
                           ) -> WarmKernel:
    key = (os.getpid(), threading.get_ident())
    with _LOCK:
        kernel = _KERNELS.get(key)
        if kernel is not None and kernel.kernel_name == kernel_name:
            return kernel
        replaced, kernel = kernel, WarmKernel(kernel_name=kernel_name, checklists=tuple(checklists))
        _KERNELS[key] = kernel
    if replaced is not None:
        replaced.__exit__(None, None, None)
    # the registry owns it: entered (launched) here, left by shutdown_all / shutdown_this_thread
    return kernel.__enter__()


def shutdown_all() -> int:
    """Stop every warm kernel of this process at once (killed: nothing in them needs saving).
    Returns how many kernels were stopped."""
    with _LOCK:
        items = [(k, v) for k, v in _KERNELS.items() if k[0] == os.getpid()]
        for key, _ in items:
            _KERNELS.pop(key, None)
    stopped = 0
    for _, kernel in items:
        stopped += kernel.km is not None
        kernel.__exit__(None, None, None)  # kills (no zmq); sockets closed only by their own thread
    return stopped


def shutdown_this_thread() -> None:
    """Stop this thread's warm kernel (a batch's worker thread, when it ends)."""
    with _LOCK:
        kernel = _KERNELS.pop((os.getpid(), threading.get_ident()), None)
    if kernel is not None:
        kernel.__exit__(None, None, None)


def kill_thread_kernels(threads: set[int]) -> None:
    """Kill the kernels of these threads of this process, from any thread (no zmq): Ctrl-C in a batch
    whose worker is a thread. Their client objects stay with their own threads, which then see the
    kernel dead and stop; the next use starts a new kernel."""
    with _LOCK:
        kernels = [k for (pid, thread), k in _KERNELS.items() if pid == os.getpid() and thread in threads]
    for kernel in kernels:
        kernel.kill_process_only()


def kill_all_now() -> None:
    """Kill every kernel process of this process at once (a worker's SIGTERM handler: no zmq, no locks
    taken, the registry is left to the exit that follows)."""
    for kernel in list(_KERNELS.values()):
        kernel.kill_process_only()


def kernel_pids() -> list[int]:
    """Process ids of this process's live warm kernels (for tests and diagnostics)."""
    with _LOCK:
        return [k.pid for k in _KERNELS.values() if k.km is not None and k.pid]


# ---------------------------------------------------------------------- asyncio helpers
def _run(coro_or_value):
    """Run a coroutine on this thread's loop (the same loop nbclient uses for this thread's kernel)."""
    import inspect

    from jupyter_core.utils import run_sync
    if not inspect.iscoroutine(coro_or_value):
        return coro_or_value

    async def _await():
        return await coro_or_value
    return run_sync(_await)()


async def _ready_client(km, timeout: float) -> tuple[Any, dict[str, Any]]:
    """A connected client of a just-launched kernel, once it answers, and the content of its kernel_info
    reply: what nbclient's
    ``start_new_kernel_client`` does, less the end of jupyter_client's ``wait_for_ready``, which after the
    kernel_info reply reads IOPub until it has been silent for 0.2 s (every kernel start waited that long
    for nothing). Here IOPub is read until the kernel_info request's own ``idle`` status, which proves the
    channel connected and leaves nothing of the request on it; a kernel that dies or stays silent past
    ``timeout`` raises, as there."""
    from queue import Empty

    from jupyter_core.utils import ensure_async

    kc = km.client()
    try:
        await ensure_async(kc.start_channels())
        deadline = time.monotonic() + timeout
        asked = kc.kernel_info()  # queued by zmq until the kernel listens: asked once, not every second
        while True:
            try:
                reply = await ensure_async(kc.get_shell_msg(timeout=1))
            except Empty:
                reply = None
            if (reply is not None and reply.get("msg_type") == "kernel_info_reply"
                    and reply.get("parent_header", {}).get("msg_id") == asked):
                try:
                    while True:  # IOPub not connected yet: Empty after 0.5 s, and the kernel is asked again
                        msg = await ensure_async(kc.get_iopub_msg(timeout=0.5))
                        if (msg.get("parent_header", {}).get("msg_id") == asked and msg.get("msg_type") == "status"
                                and msg.get("content", {}).get("execution_state") == "idle"):
                            break
                except Empty:
                    asked = kc.kernel_info()
                else:
                    handle = getattr(kc, "_handle_kernel_info_reply", None)  # protocol version adaptation
                    if handle is not None:
                        handle(reply)
                    break
            if not await ensure_async(kc.is_alive()):
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
    except BaseException:
        kc.stop_channels()
        raise
    kc.allow_stdin = False
    return kc, reply["content"]


async def _reply_for(kc, msg_id: str, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("warm kernel did not answer in time")
        msg = await kc.get_shell_msg(timeout=remaining)
        if msg.get("parent_header", {}).get("msg_id") == msg_id:
            return msg
