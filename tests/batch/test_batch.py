"""Batch scoring and the portfolio: real xlsx files, real notebooks on warm kernels, real HTML.

Notebook runs are few and shared through module-scoped fixtures: one mixed batch (good offices and every
kind of failure), one isolation batch (office A then office B on the same warm kernel), a dask run and
a Ctrl-C run of the CLI. Everything else works on scored data without kernels.
"""
from __future__ import annotations

import csv
import hashlib
import html as html_lib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pandas as pd
import psutil
import pytest
from conftest import OFFICE_META, kernels_among, mixed_answers
from forkcli import run_qmskit

import qmskit
from qmskit.batch import inputs, summary
from qmskit.batch import outputs as batchdir
from qmskit.batch import runner as batch
from qmskit.batch.outcomes import OfficeOutcome
from qmskit.batch.tasks import Status
from qmskit.io.responses import write_responses
from qmskit.render import findings_table, portfolio

MARK = "ZQX7MARKER"          # office A's unique marker: in its name, evidence and notes
QMSKIT = Path(sys.executable).parent / "qmskit"


# ---------------------------------------------------------------------------------------------- data
def write_office(path: Path, cl, office: str, seed: int, marker: str | None = None) -> Path:
    frame = mixed_answers(cl, seed=seed)
    if marker:
        frame.loc[frame["evidence"] != "", "evidence"] += f" [{marker}-evidence]"
        frame.loc[frame["answer"].isin(["partial", "no"]), "notes"] = f"{marker}-notes: follow up"
    write_responses(path, {**OFFICE_META, "office": office}, frame, cl, backup=False)
    return path


@pytest.fixture(scope="module")
def offices(tmp_path_factory, full_checklist) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("offices")
    files = {
        "a": write_office(d / "alpha.xlsx", full_checklist, f"Alpha <b>&</b> Office {MARK}", 1, marker=MARK),
        "b": write_office(d / "beta.xlsx", full_checklist, "Beta Office", 2),
        "zh": write_office(d / "gamma.xlsx", full_checklist, "青山县办公室", 3),
        "raise": write_office(d / "RAISE-ME.xlsx", full_checklist, "Raising Office", 4),
        "kill": write_office(d / "KILL-ME.xlsx", full_checklist, "Killed Office", 5),
        "slow": write_office(d / "SLOW-ME.xlsx", full_checklist, "Slow Office", 6),
    }
    bad = d / "broken.xlsx"
    bad.write_bytes(b"not a spreadsheet")
    unknown = d / "unknown.csv"
    unknown.write_text("# office: Unknown Answer Office\nid,answer,evidence,notes,owner,due\n4.1-a,maybe,,,,\n",
                       encoding="utf-8")
    files.update(bad=bad, unknown=unknown, missing=d / "missing.xlsx")
    return files


@pytest.fixture(scope="module")
def failing_notebook(tmp_path_factory) -> Path:
    """The real report notebook plus one cell that fails on purpose for marked file names."""
    from qmskit.jupyter.notebook import bundled_notebook
    nb = nbformat.read(str(bundled_notebook("report")), as_version=4)
    cell = nbformat.v4.new_code_cell(
        "import os, time\n"
        "if 'RAISE-ME' in responses:\n    raise ValueError('injected failure for the batch test')\n"
        "if 'KILL-ME' in responses:\n    os.kill(os.getpid(), 9)\n"
        "if 'SLOW-ME' in responses:\n    time.sleep(300)")
    cell.metadata["tags"] = []
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(index + 1, cell)
    path = tmp_path_factory.mktemp("nb") / "report-with-failures.ipynb"
    nbformat.write(nb, str(path))
    return path


def kernel_children() -> list[psutil.Process]:
    """ipykernel processes below this test process (warm kernels live under worker processes)."""
    return kernels_among(psutil.Process().children(recursive=True))


def wait_no_kernels(predicate=kernel_children, seconds: float = 10) -> list:
    deadline = time.monotonic() + seconds
    while (left := predicate()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


# ---------------------------------------------------------------------------------------------- mixed batch
@pytest.fixture(scope="module")
def mixed(tmp_path_factory, offices, failing_notebook):
    out = tmp_path_factory.mktemp("mixed")
    (out / "stale-office.html").write_text("from an earlier run", encoding="utf-8")
    earlier = hashlib.sha256(b"from an earlier run").hexdigest()  # what the earlier run recorded writing
    (out / batchdir.MANIFEST).write_text(json.dumps({"files": {"stale-office.html": earlier}}), encoding="utf-8")
    (out / "my-notes.html").write_text("not written by qmskit", encoding="utf-8")
    inputs = [offices[k] for k in ("a", "b", "zh", "bad", "unknown", "raise", "kill", "slow", "missing")]
    result = batch.run_batch(inputs, out, workers=2, timeout=8, progress=False, notebook=failing_notebook)
    return result, out


@pytest.mark.slow
def test_mixed_batch_isolates_every_kind_of_failure(mixed, offices):
    result, out = mixed
    assert result.exit_code == 1
    ok = {Path(o.source).name for o in result.succeeded}
    assert ok == {"alpha.xlsx", "beta.xlsx", "gamma.xlsx"}
    reasons = {Path(o.source).name: o.error for o in result.failed}
    assert "not an .xlsx workbook" in reasons["broken.xlsx"]
    assert "'maybe' is not allowed" in reasons["unknown.csv"] and "line 3" in reasons["unknown.csv"]
    assert "ValueError: injected failure for the batch test" in reasons["RAISE-ME.xlsx"]
    assert "kernel died" in reasons["KILL-ME.xlsx"]
    assert "timed out after 8 s" in reasons["SLOW-ME.xlsx"]
    assert "file not found" in reasons["missing.xlsx"]
    assert all("\n" not in r for r in reasons.values())
    for o in result.succeeded:   # every good office has its own full report
        html = o.html.read_text(encoding="utf-8")
        assert o.html.parent == out and "qr-verdict" in html and "<script" not in html
    assert sorted(p.name for p in out.glob("*.html")) == sorted(
        [o.html.name for o in result.succeeded] + ["index.html", "my-notes.html"])
    summary = "\n".join(result.summary_lines())
    for name in reasons:
        assert f"FAILED {offices['a'].parent / name}" in summary or name in summary


@pytest.mark.slow
def test_no_orphaned_kernels_and_no_temp_files_after_the_batch(mixed):
    _, out = mixed
    assert wait_no_kernels() == []
    assert not list(out.glob(".*.tmp"))


@pytest.mark.slow
def test_rerun_removes_stale_reports_but_not_foreign_files(mixed):
    _, out = mixed
    assert not (out / "stale-office.html").exists()        # listed by the earlier run's manifest
    assert (out / "my-notes.html").exists()                # never written by qmskit: kept
    manifest = json.loads((out / batchdir.MANIFEST).read_text(encoding="utf-8"))["files"]
    assert "index.html" in manifest and "scores.csv" in manifest and "stale-office.html" not in manifest


@pytest.mark.slow
def test_portfolio_lists_failures_links_reports_and_ranks_by_score(mixed):
    result, out = mixed
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)   # nothing fetched from the network (no CDN)
    text = html_lib.unescape(html)
    for o in result.failed:   # each reason, with the file named without its folder
        assert o.error.replace(str(Path(o.source).parent) + "/", "") in text
    assert str(Path(result.offices[0].source).parent) not in text.split("qr-failed", 1)[1]
    # links: relative, escaped, to reports that exist
    hrefs = re.findall(r'<a href="([^"#]+)"', html)
    assert sorted(hrefs) == sorted(o.html.name for o in result.succeeded)
    assert all((out / h).exists() for h in hrefs)
    assert f"Alpha &lt;b&gt;&amp;&lt;/b&gt; Office {MARK}" in html and "<b>&</b>" not in html
    # ranking rows in descending overall score (scores.csv holds the unrounded scores)
    scores = pd.read_csv(out / "scores.csv")
    expected = scores.sort_values("overall", ascending=False)["office"].tolist()
    table = html.split('class="qr-table qr-fit qr-ranking"')[1].split("</table>")[0]
    shown = [re.sub(r"<[^>]+>", "", m) for m in re.findall(r"<tr><td class=.qr-num.>\d+</td><td>(.*?)</td>", table)]
    shown = [html_lib.unescape(s).replace(" (no report)", "") for s in shown]
    assert shown == expected
    assert html.count('aria-label="Heatmap of the score') == 1 and "data:image/png" not in html
    assert html.count('<table class="qr-table qr-fit qr-heatmap"') == 1 and html.count('<svg class="qr-histogram"') == 1


@pytest.mark.slow
def test_scores_and_gaps_csv_match_single_office_scoring(mixed, offices):
    result, out = mixed
    scores = pd.read_csv(out / "scores.csv", dtype={"office": str})
    gaps = pd.read_csv(out / "gaps.csv")
    scored = [o for o in result.offices if o.assessment is not None]
    assert len(scores) == len(scored) == 6             # 3 good + 3 whose report failed (still scored)
    cl = qmskit.load_checklist("iso9001-2015")
    assert list(scores.columns[:7]) == ["office", "date", "file", "report", "overall", "completeness", "readiness"]
    assert list(scores.columns[7:]) == cl.clauses["clause"].tolist()
    for o in scored:
        a = qmskit.score("iso9001-2015", o.source)
        row = scores[scores["office"] == o.office].iloc[0]
        assert row["overall"] == pytest.approx(a.overall, abs=1e-9)
        assert row["7.5"] == pytest.approx(a.clauses.set_index("clause").loc["7.5", "score"], abs=1e-9)
        mine = gaps[(gaps["office"] == o.office) & (gaps["kind"] == "question")]  # KPI findings: kind "kpi"
        assert mine["id"].tolist() == a.gaps["id"].tolist()
        assert mine["reason"].tolist() == a.gaps["reason"].tolist()
        assert mine["basis"].tolist() == a.gaps["basis"].tolist()
        assert mine["impact"].to_numpy() == pytest.approx(a.gaps["impact"].to_numpy())
    assert set(gaps["severity"]) <= {"major", "minor", "observation"}
    with open(out / "gaps.csv", encoding="utf-8-sig") as fh:  # a BOM first, for Excel
        assert next(csv.reader(fh)) == list(findings_table.headers("en").values())


# ---------------------------------------------------------------------------------------------- isolation
@pytest.fixture(scope="module")
def isolation(tmp_path_factory, offices):
    out = tmp_path_factory.mktemp("isolation")
    result = batch.run_batch([offices["a"], offices["b"]], out, workers=1, progress=False, keep_notebooks=True)
    return result, out


@pytest.mark.slow
def test_warm_kernel_carries_nothing_from_office_a_into_office_b(isolation):
    result, out = isolation
    a, b = result.offices
    assert a.ok and b.ok
    assert a.worker == b.worker                    # same worker process and thread: the same warm kernel
    assert "kernel_start" in a.timings and "kernel_start" not in b.timings   # B reused A's kernel
    a_html, a_nb = a.html.read_text(encoding="utf-8"), a.html.with_suffix(".ipynb").read_text(encoding="utf-8")
    b_html, b_nb = b.html.read_text(encoding="utf-8"), b.html.with_suffix(".ipynb").read_text(encoding="utf-8")
    for marker in (MARK, f"{MARK}-evidence", f"{MARK}-notes"):
        assert marker in a_html and marker in a_nb          # the marker really is in A's outputs
        assert marker not in b_html and marker not in b_nb  # ... and nowhere in B's
    assert "Alpha" not in b_html and "alpha.xlsx" not in b_nb


def _normalise(nb: nbformat.NotebookNode) -> list:
    stamp = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?( ?[A-Z]{2,5}|[+-]\d{2}:?\d{2}|Z)?")
    cells = []
    for c in nb.cells:
        outputs = []
        for o in c.get("outputs", []):
            data = {k: stamp.sub("<time>", v if isinstance(v, str) else "".join(v))
                    for k, v in sorted(o.get("data", {}).items())}
            outputs.append((o["output_type"], data, o.get("name"), o.get("text")))
        cells.append((c.cell_type, c.source, c.get("execution_count"), c.metadata.get("tags"), outputs))
    return cells


@pytest.mark.slow
def test_warm_notebook_is_the_same_as_papermills(isolation, offices):
    """Office B ran second on a reused kernel; papermill on a fresh kernel gives the same notebook."""
    from qmskit.jupyter import notebook
    result, out = isolation
    b = result.offices[1]
    warm = nbformat.read(str(b.html.with_suffix(".ipynb")), as_version=4)
    cold = notebook.execute_notebook(notebook.bundled_notebook("report"),
                                     {"responses": str(offices["b"].resolve()), "checklist": None, "lang": "en",
                                      "title": None, "brand": None, "audience": "internal", "report_seq": 2,
                                      "out_dir": str(out.resolve()), "pdf": False})  # for the re-run line
    assert warm.metadata.papermill.parameters == cold.metadata.papermill.parameters
    assert [c.get("execution_count") for c in warm.cells] == list(range(1, len(warm.cells) + 1))
    warm_cells, cold_cells = _normalise(warm), _normalise(cold)
    assert len(warm_cells) == len(cold_cells)
    for i, (w, c) in enumerate(zip(warm_cells, cold_cells)):
        assert w == c, f"cell {i} differs"


# ---------------------------------------------------------------------------------------------- dask
@pytest.mark.slow
def test_batch_on_a_dask_local_cluster(tmp_path, offices):
    distributed = pytest.importorskip("dask.distributed")
    from qmskit.jupyter import warmkernel
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        result = batch.run_batch([offices["b"], offices["zh"], offices["bad"]], tmp_path, client=client,
                                 lang="zh", progress=False)
    assert [o.ok for o in result.offices] == [True, True, False]
    assert result.index is not None and "认证准备情况：组合概览" in result.index.read_text(encoding="utf-8")
    assert "青山县办公室" in result.offices[1].html.read_text(encoding="utf-8")
    assert warmkernel.kernel_pids() == [] and wait_no_kernels() == []


# ---------------------------------------------------------------------------------------------- CLI
@pytest.mark.slow
def test_cli_exit_1_with_failure_summary(tmp_path, offices):
    # the CLI in a process of its own (a fork of the pre-imported interpreter; the console script itself:
    # test_cli_usage_errors_exit_2 and the Ctrl-C test below)
    proc = run_qmskit("batch", offices["b"], offices["unknown"], "-o", tmp_path / "out", "--no-office-reports",
                      "--workers", "1")
    assert proc.returncode == 1, proc.stderr
    assert "1 of 2 offices done" in proc.stdout
    assert "FAILED" in proc.stdout and "'maybe' is not allowed" in proc.stdout
    assert (tmp_path / "out" / "index.html").exists() and not list((tmp_path / "out").glob("beta*.html"))


@pytest.mark.parametrize("args", [["/nonexistent-dir-qmskit/*.xlsx"], ["x.xlsx", "--workers", "0"],
                                  ["x.xlsx", "--lang", "fr"], []])
def test_cli_usage_errors_exit_2(tmp_path, args):
    proc = subprocess.run([str(QMSKIT), "batch", *args, "-o", str(tmp_path)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_leaves_no_kernel(tmp_path, full_checklist):
    """SIGINT to the CLI's process group (what Ctrl-C does): exit 130, kernels and workers gone.

    Twenty offices on one worker take several seconds, so the batch is provably still running when the
    signal comes (checked before it is sent). With three offices the batch ended 0.75-0.95 s after its
    kernel appeared while the test waited 1 s, so the SIGINT sometimes reached a process that had already
    exited 0: the failures seen in full-suite runs."""
    tag = uuid.uuid4().hex
    env = {**os.environ, "QMSKIT_TEST_RUN": tag}
    out = tmp_path / "out"
    inputs = [str(write_office(tmp_path / f"office-{n:02}.xlsx", full_checklist, f"Office {n}", 100 + n))
              for n in range(20)]
    proc = subprocess.Popen([str(QMSKIT), "batch", *inputs, "-o", str(out), "--workers", "1", "--quiet"],
                            env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)

    def tagged() -> list:
        found = []
        for p in psutil.process_iter():
            try:
                if p.pid != proc.pid and p.environ().get("QMSKIT_TEST_RUN") == tag:
                    found.append(p)
            except psutil.Error:
                pass
        return found

    deadline = time.monotonic() + 120
    while not kernels_among(tagged()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert kernels_among(tagged()), "no kernel started"
    time.sleep(1.0)
    assert proc.poll() is None, "the batch ended before the signal: the test would prove nothing"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert wait_no_kernels(tagged) == []
    assert not list(out.glob(".*.tmp")) if out.exists() else True


# ---------------------------------------------------------------------------------------------- no kernels
def test_collect_inputs_expands_folders_and_globs(tmp_path):
    for name in ("b.xlsx", "a.csv", "c.yaml", "notes.txt", ".hidden.xlsx", "~$lock.xlsx", "x.xlsx.bak"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    files, missing = inputs.collect_inputs([tmp_path, str(tmp_path / "*.csv"), tmp_path / "nope.xlsx",
                                           str(tmp_path / "*.none")])
    assert [f.name for f in files] == ["a.csv", "b.xlsx", "c.yaml", "nope.xlsx"]
    assert [m.error for m in missing] == [f"{tmp_path / '*.none'}: no responses files match"]
    with pytest.raises(qmskit.QmskitError):
        inputs.collect_inputs([str(tmp_path / "*.none")])


@pytest.fixture(scope="module")
def scored(offices):
    outcomes = [inputs.score_file(offices[k]) for k in ("a", "b", "zh", "raise", "unknown")]
    inputs.assign_slugs([o for o in outcomes if o.assessment is not None])
    for o in outcomes:
        o.status = Status.DONE if o.assessment is not None else Status.READ_FAILED
    return outcomes


def test_portfolio_ranking_heatmap_and_shared_gaps_agree_with_single_scoring(scored):
    pf = portfolio.Portfolio(summary.portfolio_data(scored, "en", True), "en")
    good = [o for o in scored if o.assessment is not None]
    ranking = pf.ranking()
    assert ranking["office"].tolist() == [o.office for o in sorted(good, key=lambda o: -o.assessment.overall)]
    assert ranking["readiness"].tolist() == [o.assessment.readiness for o in
                                             sorted(good, key=lambda o: -o.assessment.overall)]
    matrix = pf.top_level_matrix()
    assert list(matrix.columns) == ["4", "5", "6", "7", "8", "9", "10"]
    for o in good:
        clauses = o.assessment.clauses.set_index("clause")["score"]
        assert matrix.loc[o.office].to_numpy() == pytest.approx(clauses[list(matrix.columns)].to_numpy())
    shared = pf.shared_gaps(top=1000)
    # question gaps and missed KPI targets alike (every office here reports its KPIs, when it has any)
    gap_ids = pd.Series([g for o in good for g in [*o.assessment.gaps["id"],
                                                   *(f["id"] for f in o.assessment.kpi_findings)]]).value_counts()
    expected = gap_ids[gap_ids >= 2]
    assert dict(zip(shared["id"], shared["offices"])) == expected.to_dict()
    assert shared["offices"].is_monotonic_decreasing


def test_portfolio_html_escapes_names_and_reasons(scored):
    data = summary.portfolio_data(scored, "zh", True)
    data["failed"].append({"source": "/x/<img src=x onerror=alert(1)>.xlsx", "office": None, "stage": "read",
                           "reason": "<script>alert(1)</script>"})
    pf = portfolio.Portfolio(data, "zh")
    html = pf.ranking_html() + pf.failed_html() + pf.header_html()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"Alpha &lt;b&gt;&amp;&lt;/b&gt; Office {MARK}" in html
    assert "排名" in html and ("具备" in html or "建设中" in html)


def test_commit_removes_only_files_an_earlier_batch_wrote_unchanged(tmp_path):
    from qmskit.batch.outputs import OutputFolder
    for name in ("old-office.html", "edited.html", "old-office.ipynb", "mine.html", "index.html"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    digest = hashlib.sha256(b"x").hexdigest()
    (tmp_path / batchdir.MANIFEST).write_text(json.dumps({"files": {
        "old-office.html": digest, "edited.html": hashlib.sha256(b"before the user edited it").hexdigest(),
        "index.html": digest, "../etc": digest}}), encoding="utf-8")
    with OutputFolder(tmp_path) as folder:
        folder.write_text("index.html", "new")
        folder.commit()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "edited.html", "index.html", "mine.html", "old-office.ipynb"]
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == "new"


# ---------------------------------------------------------------------------------------------- browser
@pytest.mark.slow
@pytest.mark.browser
def test_portfolio_renders_in_chromium(chromium, mixed, tmp_path):
    result, out = mixed
    page = chromium.new_page(viewport={"width": 1200, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: errors.append(r.url))
    page.goto((out / "index.html").as_uri())
    assert page.locator("h1").first.inner_text().startswith("Certification readiness")
    heatmap = page.locator("table.qr-heatmap")
    assert heatmap.count() == 1 and heatmap.locator("tbody tr").count() == 6
    histogram = page.locator("svg.qr-histogram")
    assert histogram.count() == 1 and histogram.evaluate("s => s.getBoundingClientRect().width > 300")
    assert page.locator("table.qr-ranking tbody tr").count() == 6
    page.locator("table.qr-ranking a").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(".html") and "index.html" not in page.url
    assert errors == []
    page.close()


def test_portfolio_of_nothing_but_failures_still_renders():
    data = summary.portfolio_data([OfficeOutcome("/x/a.xlsx", error="a.xlsx: empty file")], "en", True)
    pf = portfolio.Portfolio(data, "en")
    html = "".join(f() for f in (pf.header_html, pf.bands_html, pf.ranking_html, pf.heatmap_html,
                                 pf.distribution_html, pf.shared_gaps_html, pf.failed_html))
    assert "a.xlsx: empty file" in html and "No gap is shared" in html and "<img" not in html
