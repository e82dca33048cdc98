"""``qmskit`` in a process of its own without a fresh interpreter: each run is a fork of one
pre-imported interpreter (:class:`Zygote`, one per test worker, started on first use). A fresh
``python -m qmskit`` imports qmskit, pandas and openpyxl again, ~0.8-1.5 s of CPU a run; a fork costs
a few hundredths. The child sets its own memory limit (RLIMIT_DATA, see :data:`DATA_LIMIT`), working
directory, argv and standard streams, runs the CLI's ``main`` (what ``python -m qmskit`` runs) and exits
with its status.

The hostile-input harness (tests/hostile/harness.py) runs every case so, under its memory limit and
timeout; :func:`run_qmskit` gives the other tests of the CLI's exit status and lines the same
process, as a :class:`subprocess.CompletedProcess`. Tests of the console script or the interpreter's
start itself (``--version``, imports, ``__main__``) still start a fresh process.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

# The memory limit of each case (a runaway allocation fails fast), and of the kernels and workers it starts,
# which inherit it: RLIMIT_DATA, the writable private memory a process maps (heap, anonymous mmaps, thread
# stacks), not RLIMIT_AS, the address space. Address space counts what glibc only reserves: each thread
# that allocates gets a malloc arena of 64 MB kept PROT_NONE until used. A batch of two offices (its threads
# plus two warm kernels of ~16 threads each) maps 1.04-1.09 GB of address space per process with ~300 MB
# writable and ~350 MB resident; under a 1 GB RLIMIT_AS a kernel's real allocation failed whenever
# the threads' timing (i.e. the machine's load) left one more arena reserved, the kernel died and the batch
# exited 1 with its reason on stdout. RLIMIT_DATA still stops calamine's 512 GB allocation at 1 GB.
DATA_LIMIT = 1 << 30
TIMEOUT = 240                   # seconds before a run counts as a hang (generous: shared 2-core machine)

# The zygote: imports what the CLI's commands import, then forks one child per request (a JSON line on its
# stdin: args, cwd, the files for the child's stdout and stderr, the timeout) and answers with a JSON line
# (exit status as subprocess gives it, peak RSS in KB, whether it timed out). It exits at end of input,
# i.e. when the test worker that started it goes away.
ZYGOTE = textwrap.dedent("""
    import atexit, json, os, resource, signal, sys, time, traceback
    from qmskit.cli import app, main
    # what the commands import when they run (each command's module is imported lazily, on its first use)
    for name in [c.module for c in app.COMMANDS.values()] + [
            "qmskit.api", "qmskit.checklist.loader", "qmskit.io.responses", "qmskit.io.xlsx_read", "qmskit.io.xlsx",
            "qmskit.io.yamlio", "qmskit.core.scoring", "pandas", "openpyxl", "python_calamine", "yaml"]:
        try:
            __import__(name)
        except ImportError:  # renamed since: the case imports what it needs itself
            pass
    limit = int(os.environ["QMSKIT_HOSTILE_DATA"])
    # a fresh process's peak includes its imports' transient memory, which a forked child's does not
    imports_peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    requests, replies = os.fdopen(0, "rb", buffering=0), sys.stdout
    while line := requests.readline():
        req = json.loads(line)
        sys.stdout.flush(); sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the case: its own process, streams, directory and limits
            code = 1
            try:
                os.chdir(req["cwd"])
                os.environ.update(req.get("env") or {})
                for fd, path, mode in ((0, os.devnull, os.O_RDONLY), (1, req["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                       (2, req["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
                    os.dup2(os.open(path, mode), fd)
                sys.stdin = open(os.devnull)
                resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
                sys.argv = ["qmskit", *req["args"]]
                try:
                    main()
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
                    if isinstance(exc.code, str):
                        print(exc.code, file=sys.stderr)
                except BaseException:
                    traceback.print_exc()
                atexit._run_exitfuncs()
                sys.stdout.flush(); sys.stderr.flush()
            finally:
                os._exit(code)
        deadline, timed_out = time.monotonic() + req["timeout"], False
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                done, status, usage = os.wait4(pid, 0)
                timed_out = True
                break
            time.sleep(0.005)
        peak_kb = max(usage.ru_maxrss, imports_peak_kb)
        replies.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status), "peak_kb": peak_kb,
                                  "cpu": usage.ru_utime + usage.ru_stime, "timed_out": timed_out}) + "\\n")
        replies.flush()
""")


class Zygote:
    """This test worker's pre-imported interpreter that forks the cases (started on first use)."""
    proc: subprocess.Popen | None = None
    lock = threading.Lock()
    cpu_seconds = 0.0  # the forked cases' CPU, summed

    @classmethod
    def run(cls, args: list, cwd: Path, out: Path, err: Path, timeout: float,
            env: dict[str, str] | None = None) -> tuple[int, float]:
        with cls.lock:
            if cls.proc is None or cls.proc.poll() is not None:
                zygote_env = {**os.environ, "QMSKIT_HOSTILE_DATA": str(DATA_LIMIT), "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
                cls.proc = subprocess.Popen([sys.executable, "-c", ZYGOTE], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, env=zygote_env, text=True, cwd=str(cwd))
            assert cls.proc.stdin is not None and cls.proc.stdout is not None
            cls.proc.stdin.write(json.dumps({"args": args, "cwd": str(cwd), "out": str(out), "err": str(err),
                                             "timeout": timeout, "env": env or {}}) + "\n")
            cls.proc.stdin.flush()
            reply = cls.proc.stdout.readline()
        if not reply:
            raise RuntimeError("the hostile-input zygote died")
        answer = json.loads(reply)
        if answer["timed_out"]:
            raise subprocess.TimeoutExpired(["qmskit", *args], timeout)
        cls.cpu_seconds += answer["cpu"]
        return answer["returncode"], answer["peak_kb"] / 1024


def run_qmskit(*args, cwd: str | os.PathLike | None = None, timeout: float = TIMEOUT,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m qmskit ARGS`` with its output captured, as a fork of this worker's zygote; ``env``: variables
    set in the child on top of the zygote's environment (which has ``COLUMNS=200``)."""
    with tempfile.TemporaryDirectory(prefix="qmskit-cli-") as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        returncode, _ = Zygote.run([str(a) for a in args], Path(cwd or Path.cwd()), out, err, timeout, env)
        return subprocess.CompletedProcess(["qmskit", *map(str, args)], returncode,
                                           out.read_text(encoding="utf-8", errors="replace"),
                                           err.read_text(encoding="utf-8", errors="replace"))
