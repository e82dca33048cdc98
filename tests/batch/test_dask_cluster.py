"""Scale-out for real: a `dask scheduler` and two `dask worker` processes started through their CLIs on
127.0.0.1, and `qmskit batch --scheduler` over 40 generated offices."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pandas as pd
import psutil
import pytest
from conftest import OFFICE_META, kernels_among, mixed_answers

from qmskit.io.responses import write_responses

BIN = Path(sys.executable).parent
N_OFFICES = 40
# The offices answer the bundled 51-question legacy checklist: what is under test is the work spread over
# a real cluster (every office's report and the portfolio come back), not the full checklist's report,
# which tests/render and tests/browser check. Measured alone (CPU over all descendants): 64 s with the
# 281-question checklist, 53 s with this one; the cluster and the CLI's start are most of the rest.
CHECKLIST = "iso9001-2008-legacy"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tagged(tag: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("QMSKIT_TEST_RUN") == tag:
                found.append(p)
        except psutil.Error:
            pass
    return found


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(address, tag): a real scheduler and two single-threaded workers, stopped (by pid) afterwards."""
    pytest.importorskip("dask.distributed")
    if not (BIN / "dask").exists():
        pytest.skip("the dask CLI is not installed (pip install 'qmskit[dask]')")
    tag = uuid.uuid4().hex
    env = {**os.environ, "QMSKIT_TEST_RUN": tag, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    logs = tmp_path_factory.mktemp("dask-logs")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                              stderr=open(logs / "scheduler.log", "w"), cwd=str(logs))]
    # --no-nanny: each worker is the process its CLI started (a nanny is one more Python importing dask
    # per worker, ~2.3 s of CPU each, to restart workers that die, which no check here needs)
    for i in range(2):
        procs.append(subprocess.Popen([str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard",
                                       "--no-nanny", "--name", f"w{i}", "--host", "127.0.0.1"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=open(logs / f"worker{i}.log", "w"),
                                      cwd=str(logs)))
    from dask.distributed import Client
    deadline = time.monotonic() + 90
    try:
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(2, timeout=60)
                break
            except Exception:
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise
                time.sleep(0.5)
        yield address, tag
    finally:
        # the workers first, each closing while the scheduler still answers, then the scheduler (a worker
        # whose scheduler is gone retries its goodbye until the wait below gives up: 20 s for nothing)
        for group in (procs[1:], procs[:1]):
            for p in group:
                p.terminate()
            for p in group:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()


@pytest.fixture(scope="module")
def forty_offices(tmp_path_factory) -> list[Path]:
    from qmskit.checklist.loader import load_checklist
    checklist = load_checklist(CHECKLIST)
    d = tmp_path_factory.mktemp("forty")
    paths = []
    for i in range(N_OFFICES):
        frame = mixed_answers(checklist, seed=100 + i)
        path = d / f"office-{i:02d}.csv"  # CSV: 40 files written in a blink (the readers are tested elsewhere)
        write_responses(path, {**OFFICE_META, "office": f"Dask Office {i:02d}"}, frame, checklist, backup=False)
        paths.append(path)
    return paths


@pytest.mark.slow
@pytest.mark.timeout(900)   # cluster start + 40 reports + stop: over the suite's 300 s on a loaded 2-core machine
def test_batch_over_a_real_dask_cluster_writes_every_report_and_the_portfolio(cluster, forty_offices, tmp_path):
    address, tag = cluster
    out = tmp_path / "reports"
    env = {**os.environ, "QMSKIT_TEST_RUN": tag}
    proc = subprocess.run([str(BIN / "qmskit"), "batch", *map(str, forty_offices), "-o", str(out),
                           "--scheduler", address, "--quiet"], capture_output=True, text=True, env=env,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{N_OFFICES} of {N_OFFICES} offices done" in proc.stdout
    reports = sorted(p for p in out.glob("*.html") if p.name != "index.html")
    assert len(reports) == N_OFFICES
    for i, path in enumerate(reports):
        html = path.read_text(encoding="utf-8")
        assert f"Dask Office {i:02d}" in html and "qr-verdict" in html and "<script" not in html
    index = (out / "index.html").read_text(encoding="utf-8")
    assert sorted(re.findall(r'<a href="([^"#]+\.html)"', index)) == [p.name for p in reports]
    assert all(f"Dask Office {i:02d}" in index for i in range(N_OFFICES))   # the portfolio lists every office
    scores = pd.read_csv(out / "scores.csv")
    assert sorted(scores["office"]) == [f"Dask Office {i:02d}" for i in range(N_OFFICES)]
    # what the cluster computed is what scoring one office here gives (first, middle and last office)
    from qmskit.api import read_and_score
    by_office = scores.set_index("office")
    for i in (0, N_OFFICES // 2, N_OFFICES - 1):
        a = read_and_score(forty_offices[i])
        row = by_office.loc[f"Dask Office {i:02d}"]
        assert row["overall"] == pytest.approx(a.overall, abs=1e-9)
        assert row["readiness"] == a.readiness.value
    # the workers' kernels were stopped when the batch ended
    deadline = time.monotonic() + 15
    while kernels_among(tagged(tag)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not kernels_among(tagged(tag))
