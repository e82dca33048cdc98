"""Shared fixtures: a headless Chromium (Debian's, offline) and a full-checklist responses file; the
Hypothesis profiles; the hostile-input peak-memory line gathered from every xdist worker."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest
from hypothesis import HealthCheck, settings

# isort: off
# nbformat the way qmskit imports it, before any test module imports nbformat itself (tests/batch/
# test_batch.py, render/test_report.py): a plain first `import nbformat` imports jsonschema with
# rfc3987_syntax, whose ~38 lark grammars cost each xdist worker ~3 s of CPU at collection for nothing
# (see qmskit.jupyter._nbformat; jupyter/test_notebook_imports.py checks both ways in fresh interpreters)
import qmskit.jupyter._nbformat  # noqa: F401
# isort: on
from qmskit.config import DEFAULT_CHROMIUM, ENV_CHROMIUM

CHROMIUM = Path(os.environ.get(ENV_CHROMIUM) or DEFAULT_CHROMIUM)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

# Hypothesis: no per-example deadline (wall-clock is never asserted, and a shared 2-core machine makes an
# example's time meaningless); `too_slow` off because one example scores the whole 281-question checklist.
# "qmskit" (the default) keeps `make test` within its budget; `HYPOTHESIS_PROFILE=thorough` tries ten times
# as many examples. Tests that name their own max_examples size it for their cost relative to this.
settings.register_profile("qmskit", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", parent=settings.get_profile("qmskit"), max_examples=400)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "qmskit"))


# The files that take longest run first. xdist (--dist loadfile with --no-loadscope-reorder, as `make test` runs
# it) hands out files in collection order, each to the next worker with room, so a long file collected last
# keeps one worker busy while the other has finished; longest first (then ever shorter ones) keeps both
# busy to the end. The order is measured, not kept by hand: tests/file_times.txt lists every file's seconds
# on its worker (setup + call + teardown of its tests, as pytest reports them), longest first; a run with
# QMSKIT_TEST_TIMES=tests/file_times.txt rewrites it (files the run did not collect keep their old line).
# Files it does not list run last, in collection order; within a file the order stays as collected.
FILE_TIMES = Path(__file__).with_name("file_times.txt")
ENV_TEST_TIMES = "QMSKIT_TEST_TIMES"


def read_file_times(path: Path) -> dict[str, float]:
    """``{test file relative to tests/: seconds}`` from a file_times.txt (``seconds path`` lines, # comments)."""
    times: dict[str, float] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                seconds, name = line.split(maxsplit=1)
                times[name] = float(seconds)
    return times


def pytest_collection_modifyitems(session, config, items):
    here = Path(__file__).resolve().parent
    times = read_file_times(FILE_TIMES)

    def order(item) -> float:
        try:
            return -times.get(Path(item.path).resolve().relative_to(here).as_posix(), 0.0)
        except ValueError:
            return 0.0
    items.sort(key=order)  # stable


_FILE_SECONDS: dict[str, float] = {}
_FILES_FAILED: set[str] = set()


def pytest_runtest_logreport(report):
    """With $QMSKIT_TEST_TIMES: add up each file's seconds (the xdist controller sees every worker's reports)."""
    if os.environ.get(ENV_TEST_TIMES):
        name = report.nodeid.split("::", 1)[0].removeprefix("tests/")
        _FILE_SECONDS[name] = _FILE_SECONDS.get(name, 0.0) + report.duration
        if report.failed:
            _FILES_FAILED.add(name)


def _write_file_times(path: Path) -> None:
    """A file with a failed or erroring test keeps its old line: it stopped early (or waited out a timeout),
    so its seconds say nothing of how long it runs."""
    old = read_file_times(path)
    times = {**old, **{name: seconds for name, seconds in _FILE_SECONDS.items()
                       if name not in _FILES_FAILED or name not in old}}
    lines = [f"{seconds:8.1f} {name}" for name, seconds in sorted(times.items(), key=lambda kv: (-kv[1], kv[0]))]
    path.write_text("# seconds per test file on its worker, longest first: the order tests/conftest.py runs them in\n"
                    f"# (rewritten by a run with {ENV_TEST_TIMES}=tests/file_times.txt, e.g. `make test-times`)\n"
                    + "\n".join(lines) + "\n", encoding="utf-8")


def _hostile_peaks() -> dict:
    harness = sys.modules.get("harness")  # tests/hostile/harness.py, once a hostile test has imported it
    return dict(harness.PEAKS) if harness is not None else {}


def pytest_sessionfinish(session):
    """On an xdist worker: hand this worker's hostile-input peaks to the controller. On the controller (or
    without xdist), with $QMSKIT_TEST_TIMES: write the files' seconds there."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["hostile_peaks"] = json.dumps(_hostile_peaks())
    elif os.environ.get(ENV_TEST_TIMES) and _FILE_SECONDS:
        _write_file_times(Path(os.environ[ENV_TEST_TIMES]))


_WORKER_PEAKS: dict = {}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist controller: collect each worker's peaks as it finishes."""
    _WORKER_PEAKS.update(json.loads(getattr(node, "workeroutput", {}).get("hostile_peaks", "{}")))


def pytest_terminal_summary(terminalreporter):
    """How many hostile-input runs, and the worst peak RSS of them (issue 14 asks for it)."""
    measured = {k: v for k, v in {**_WORKER_PEAKS, **_hostile_peaks()}.items() if v == v}
    if measured:
        worst = max(measured, key=measured.__getitem__)
        terminalreporter.write_line(f"hostile inputs: {len(measured)} runs, worst peak RSS "
                                    f"{measured[worst]:.0f} MB ({worst})")


@pytest.fixture(scope="session")
def chromium():
    """A Playwright Browser on Debian's Chromium; skips LOUDLY when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing — run `make system-deps` "
                    "(apt-get install chromium fonts-noto-cjk) to check reports in a real browser")
    sync_api = pytest.importorskip("playwright.sync_api", reason="BROWSER TESTS SKIPPED: playwright not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def chart_bars(svg: str) -> int:
    """How many bars a chart draws: the segments of its bar paths (one stroked path per colour)."""
    paths = svg.split('<g fill="none" stroke-width="', 1)[1].split("</g>", 1)[0]
    return sum(d.count("M") for d in re.findall(r'<path d="([^"]+)" stroke="#[0-9a-f]{6}"/>', paths))


def mixed_answers(checklist, seed: int = 7) -> pd.DataFrame:
    """A plausible mix over every question: yes/partial/no, a few blanks, n/a where allowed (one without a
    justification), a "yes" without evidence, owners and due dates on the gaps."""
    rng = np.random.default_rng(seed)
    rows, first_na = [], True
    for q in checklist.questions.itertuples(index=False):
        u = rng.random()
        answer = "yes" if u < 0.6 else "partial" if u < 0.8 else "no" if u < 0.93 else ""
        if q.na_allowed and q.clause.startswith("8.3"):
            answer = "n/a"
        notes = ""
        if answer == "n/a":
            notes = "" if first_na else "Excluded under 4.3: no design of services."
            first_na = False
        evidence = f"Seen: {q.evidence_en}"[:120] if answer in ("yes", "partial") and u > 0.05 else ""
        gap = answer in ("partial", "no")
        rows.append({"id": q.id, "answer": answer, "evidence": evidence, "notes": notes,
                     "owner": ["Ms. Chen", "Mr. Liu", ""][int(rng.integers(3))] if gap else "",
                     "due": (dt.date(2026, 11, 1) + dt.timedelta(days=int(rng.integers(10, 90)))).isoformat()
                     if gap else ""})
    return pd.DataFrame(rows)


# a warm kernel's process runs ipykernel through qmskit.jupyter.kernel_main; a plain papermill one runs
# ipykernel_launcher: tests that look for leftover kernels must see both
KERNEL_COMMANDS = ("ipykernel", "qmskit.jupyter.kernel_main")


def is_kernel_command(cmdline: list[str]) -> bool:
    """Whether a process's command line (psutil's ``cmdline()``) is a Jupyter kernel's."""
    text = " ".join(cmdline)
    return any(mark in text for mark in KERNEL_COMMANDS)


def kernels_among(processes) -> list:
    """The processes that are live kernels. A process may end between being listed and having its command
    line read (psutil raises ZombieProcess or NoSuchProcess): it is no kernel left behind."""
    found = []
    for proc in processes:
        try:
            if is_kernel_command(proc.cmdline()) and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            pass
    return found


OFFICE_META = {
    "office": "Lakeside Test Office", "assessor": "T. Tester", "date": "2026-10-01",
    "scope": "Administrative services", "sites": "Head office", "exclusions": "8.3 Design and development",
    "language": "en", "status": "draft", "confidentiality": "Confidential: test data.",
}


@pytest.fixture(scope="session")
def full_checklist():
    import qmskit
    return qmskit.load_checklist("iso9001-2015")


@pytest.fixture(scope="session")
def full_responses(tmp_path_factory, full_checklist) -> Path:
    """An .xlsx responses file for the full ISO 9001 checklist with a mix of answers (session-wide, read-only)."""
    from qmskit.io.responses import write_responses
    path = tmp_path_factory.mktemp("responses") / "lakeside.xlsx"
    write_responses(path, OFFICE_META, mixed_answers(full_checklist), full_checklist, backup=False)
    return path


@pytest.fixture(scope="module")
def report_kernel():
    """A warm kernel for one test module's reports: ``api.build_report(..., kernel=report_kernel)`` runs the
    real notebook with papermill on it, wiped before each report as between a batch's offices, and saves
    the kernel start each report would pay (~1.6 s of CPU). Per module, not per session: tests elsewhere
    check that no kernel is left running below the test process."""
    from qmskit.jupyter.warmkernel import WarmKernel
    with WarmKernel(checklists=()) as kernel:
        yield kernel
