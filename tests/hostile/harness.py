"""The hostile-input harness (imported by the tests in this folder): every case runs the real `qmskit` CLI
in a process of its own under a memory limit (RLIMIT_DATA 1 GB: writable memory, not address space; see
forkcli.DATA_LIMIT) and a timeout, so a regression fails the test instead of hanging or eating the machine.

``run_cli(args)`` returns a :class:`Run` with the exit status, stdout, stderr and the child's peak RSS
(``ru_maxrss``). The worst peak of the session is printed at the end (tests/conftest.py gathers it from
every xdist worker). Inputs are generated into the session's temporary folder (nothing large is committed).

Each case is a fork of one pre-imported interpreter (``forkcli.Zygote``, one per test worker), not a fresh
``python`` that imports qmskit, pandas and openpyxl again (~1.5 s of CPU a case, 46 cases): the child
sets its own memory limit, working directory, argv and standard streams, runs the CLI's ``main`` and exits;
the zygote waits for it under the timeout (SIGKILL past it) and reads its peak RSS from ``wait4``. The
child's address space and RSS include what the imports mapped, as a fresh ``qmskit`` process's do, and
its peak counts at least the zygote's own peak while importing (a fresh process's import transients).
Measured on one workbook: 79 MB forked against 93 MB fresh (the fresh process's heap grows apart from
its imports' freed memory); the limits are 1 GB and 500 MB, the cases' worst peaks ~100 MB.
A case with a command prefix (``wrap``: ``unshare …``) still starts a fresh interpreter.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from forkcli import DATA_LIMIT, Zygote  # the pre-imported interpreter the cases are forked from

PEAK_RSS_LIMIT_MB = 500         # design.md "Input limits": peak memory ≤ 500 MB for every hostile input
TIMEOUT = 240                   # seconds before a case counts as a hang (generous: shared 2-core machine)

PRELUDE = textwrap.dedent("""
    import atexit, os, resource, sys
    limit = int(os.environ["QMSKIT_HOSTILE_DATA"])
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    def _report():
        with open(os.environ["QMSKIT_HOSTILE_RSS"], "w") as fh:
            fh.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    atexit.register(_report)
    sys.argv = ["qmskit", *sys.argv[1:]]
    from qmskit.cli import main
    main()
""")

PEAKS: dict[str, float] = {}   # label -> peak RSS in MB (NaN when the child could not say)

@dataclass
class Run:
    args: list
    returncode: int
    stdout: str
    stderr: str
    peak_mb: float

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def assert_one_line_error(self, *fragments: str, code: int = 1) -> str:
        """Exit ``code``, exactly one non-empty stderr line "error: …" holding every fragment, no traceback,
        never "internal error", peak memory within the limit."""
        assert self.returncode == code, (self.returncode, self.stdout[-2000:], self.stderr[-2000:])
        assert "Traceback" not in self.stderr and "internal error" not in self.stderr, self.stderr[-3000:]
        assert len(self.lines) == 1, self.stderr[-3000:]
        line = self.lines[0]
        assert line.startswith("error: "), line
        for fragment in fragments:
            assert fragment in line, (fragment, line)
        assert self.peak_mb <= PEAK_RSS_LIMIT_MB, f"peak RSS {self.peak_mb:.0f} MB"
        return line


def score_text(corpus: Path, name: str, text: str) -> Run:
    """Write ``text`` to ``corpus/name`` and run ``qmskit score`` on that file."""
    path = corpus / name
    path.write_text(text, encoding="utf-8")
    return run_cli(["score", path], cwd=corpus)


def run_cli(args: list, *, cwd: Path | None = None, label: str | None = None, wrap: list | None = None,
            timeout: float = TIMEOUT, tmp: Path | None = None) -> Run:
    """Run ``qmskit ARGS`` in a process of its own under the limits: a fork of the zygote, or with
    ``wrap`` (a command prefix, e.g. ``unshare …``) a fresh interpreter. Raises (fails the test) on timeout."""
    folder = Path(tmp or cwd or Path.cwd())
    stem = folder / f".case-{os.getpid()}-{len(PEAKS)}"
    if wrap:
        returncode, stdout, stderr, peak_mb = _fresh_interpreter(args, cwd, wrap, timeout, stem)
    else:
        out, err = stem.with_suffix(".out"), stem.with_suffix(".err")
        try:
            returncode, peak_mb = Zygote.run([str(a) for a in args], Path(cwd or Path.cwd()), out, err, timeout)
            stdout = out.read_text(encoding="utf-8", errors="replace")
            stderr = err.read_text(encoding="utf-8", errors="replace")
        finally:
            out.unlink(missing_ok=True)
            err.unlink(missing_ok=True)
    PEAKS[label or " ".join(map(str, args))[:120]] = peak_mb
    return Run(list(args), returncode, stdout, stderr, peak_mb)


def _fresh_interpreter(args: list, cwd: Path | None, wrap: list, timeout: float,
                       stem: Path) -> tuple[int, str, str, float]:
    rss_file = stem.with_suffix(".rss")
    env = {**os.environ, "QMSKIT_HOSTILE_DATA": str(DATA_LIMIT), "QMSKIT_HOSTILE_RSS": str(rss_file),
           "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    cmd = [*wrap, sys.executable, "-c", PRELUDE, *map(str, args)]
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          errors="replace")
    try:
        peak_mb = int(rss_file.read_text()) / 1024
        rss_file.unlink()
    except (OSError, ValueError):
        peak_mb = float("nan")
    return proc.returncode, proc.stdout, proc.stderr, peak_mb


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """The session's folder of generated hostile files (this module is not a conftest: a second
    ``conftest`` module would shadow tests/conftest.py for ``from conftest import …``)."""
    return tmp_path_factory.mktemp("hostile")
