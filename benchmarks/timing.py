"""Timing helpers shared by the benchmarks: wall time and CPU over *all* descendant processes.

``/usr/bin/time`` and ``RUSAGE_CHILDREN`` only count children that their parent waited for: the
forkserver's workers, their kernels and the kernels papermill starts are grandchildren whose parents may
exit without waiting. Here the benchmark process makes itself a *child subreaper* (Linux
``PR_SET_CHILD_SUBREAPER``): every orphaned descendant is re-parented to it, it reaps them all after each
command, and so ``RUSAGE_CHILDREN`` grows by exactly the CPU of every process the command started.

The baseline ("today's code") is checkout-free: :func:`baseline_tree` extracts the tree of a pinned
commit with ``git archive`` into a cache folder (nothing in the work tree changes) and commands run
against it with ``PYTHONPATH`` pointing there, in the same virtualenv, in the same run.
"""
from __future__ import annotations

import ctypes
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# main when the speed work started (issue 15's "today"): the baseline every ratio is measured against
BASELINE_COMMIT = "72be40b2562c75d64a20fbeb1aa36115dac0b00a"
PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


SUBREAPER = become_subreaper() if sys.platform.startswith("linux") else False


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} (1/5 min), {os.cpu_count()} cores"


def _reap_all(grace: float = 10.0) -> None:
    """Wait for every descendant (orphans come to us as subreaper); give stragglers ``grace`` seconds."""
    deadline = time.monotonic() + grace
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


@dataclass
class Sample:
    wall: float
    cpu: float


def run_once(cmd: list[str], env: dict | None = None, cwd: str | None = None, check: bool = True) -> Sample:
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    _reap_all()
    if check and proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n"
                         + proc.stderr.decode(errors="replace")[-2000:])
    return Sample(wall, _children_cpu() - cpu0)


@dataclass
class Timing:
    wall: float
    cpu: float
    runs: int

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s wall {self.cpu:6.2f} s CPU"


def median_of(cmd: list[str], repeat: int = 3, env: dict | None = None, cwd: str | None = None,
              before=None, warmup: bool = False) -> Timing:
    """Median wall and median CPU of ``repeat`` runs; ``before()`` runs untimed before each run; ``warmup``:
    one untimed run first (Python writes the bytecode caches an installed package ships with)."""
    if warmup:
        if before:
            before()
        run_once(cmd, env=env, cwd=cwd)
    samples = []
    for _ in range(repeat):
        if before:
            before()
        samples.append(run_once(cmd, env=env, cwd=cwd))
    return Timing(statistics.median(s.wall for s in samples), statistics.median(s.cpu for s in samples),
                  repeat)


def baseline_tree(commit: str = BASELINE_COMMIT) -> Path:
    """The code of ``commit`` extracted (``git archive``, no checkout) into a cache folder, laid out so
    ``PYTHONPATH=<it>`` imports that qmskit with its own checklists and notebooks."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "qmskit-bench"
    tree = cache / f"tree-{commit[:12]}"
    if not (tree / "qmskit" / "__init__.py").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
        # the package layout pyproject maps: qmskit.checklists -> checklists/, qmskit.notebooks -> notebooks/
        for name in ("checklists", "notebooks"):
            link = tree / "qmskit" / name
            if not link.exists():
                link.symlink_to(Path("..") / name)
    entry = tree / "qmskit" / "cli" / "entry.py"
    if not entry.exists():
        # this environment's `qmskit` script calls qmskit.cli.entry:run; the old tree's script called
        # qmskit.cli:main, which is what this placeholder runs
        entry.write_text("from . import main as run  # noqa: F401\n")
    for shim in (tree / "qmskit" / "warmengine.py", tree / "qmskit" / "jupyter" / "warmengine.py"):
        # this environment's papermill loads the entry point qmskit.jupyter.warmengine:WarmEngine (pyproject), which
        # an old tree lacks (older ones registered their own engine on import, which replaces this placeholder)
        if not shim.exists():
            if not shim.parent.exists():
                shim.parent.mkdir()
                (shim.parent / "__init__.py").write_text("")
            shim.write_text("from papermill.engines import NBClientEngine as WarmEngine  # noqa: F401\n")
    return tree


def ensure_bytecode(tree: Path | None) -> None:
    """Compile ``tree``'s qmskit (None: this checkout's) to bytecode, as an installed package has it.

    With ``PYTHONDONTWRITEBYTECODE`` set (some shells and CI runners set it) an editable or extracted
    tree has no ``__pycache__``, so every process of every command compiled all of qmskit from source
    again: ~0.4 s of CPU in each of a batch's processes (parent, workers, kernels) and of the naive
    loop's, which is not what a user's installed qmskit costs. ``compileall`` writes the bytecode
    whatever that variable says; nothing in git changes (``__pycache__`` is ignored)."""
    import compileall
    compileall.compile_dir(str((tree or ROOT) / "qmskit"), quiet=1)


def env_for(tree: Path | None) -> dict:
    """Environment that runs ``tree``'s qmskit (None: this checkout's, as installed)."""
    ensure_bytecode(tree)
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    # commands run as an installed qmskit runs: from bytecode caches (pip compiles them at install). With
    # PYTHONDONTWRITEBYTECODE set (as some shells here have it) every start would compile qmskit's own
    # modules from source again: tens of milliseconds, more than the `--version` and `--help` targets allow
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    env["COLUMNS"] = "100"
    return env
