"""Batch speed: N example offices, the naive consultant loop against `qmskit batch`.

(a) naive: per office, the `papermill` CLI (a new Python, a new kernel, every import again) then
    `jupyter nbconvert --to html --no-input`, in a shell loop;
(b) `qmskit batch` (warm kernels: one kernel per worker runs many offices) with 1 worker and with all
    cores, the real report notebook, per-office reports plus the portfolio.

Offices are variants of examples/offices/*.xlsx (other names, a few answers changed, seeded). Prints
seconds per office, the split (kernel start, in-kernel imports and execution, export) and the ratios.

    python benchmarks/bench_batch.py [--offices 20] [--quick] [--skip-naive]
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def make_offices(n: int, folder: Path, seed: int = 20) -> list[Path]:
    """n offices: the bundled examples cycled, each renamed and with ~10% of answers changed."""
    import warnings

    from qmskit import load_checklist, read_responses
    from qmskit.io.responses import write_responses

    examples = sorted((ROOT / "examples" / "offices").glob("*.xlsx"))
    if not examples:
        raise SystemExit("no examples/offices/*.xlsx (run scripts/make_examples.py)")
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        src = examples[i % len(examples)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            meta, frame = read_responses(src)
        cl = load_checklist(meta.get("checklist") or "iso9001-2015")
        meta["office"] = f"{meta['office']} #{i + 1:02d}"
        frame = frame.copy()
        flip = rng.random(len(frame)) < 0.1
        crit = frame["id"].map(cl.questions.set_index("id")["critical"]).astype(bool)
        new = rng.choice(["yes", "partial", "no"], size=len(frame))
        frame.loc[flip & (frame["answer"] != "n/a"), "answer"] = new[flip & (frame["answer"] != "n/a")]
        frame.loc[flip & crit & (frame["answer"] == "n/a"), "answer"] = "no"
        path = folder / f"office-{i + 1:02d}.xlsx"
        write_responses(path, meta, frame.drop(columns=["row"]), cl, backup=False)
        paths.append(path)
    return paths


def run(cmd: list[str], **kw) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t0


def naive_loop(offices: list[Path], out: Path) -> dict:
    """The consultant's shell loop; the split comes from papermill's per-cell durations."""
    out.mkdir(parents=True, exist_ok=True)
    notebook = ROOT / "notebooks" / "report.ipynb"
    script = "\n".join(
        f"{shlex.quote(str(BIN / 'papermill'))} --no-progress-bar {shlex.quote(str(notebook))} "
        f"{shlex.quote(str(out / f'{p.stem}.ipynb'))} -p responses {shlex.quote(str(p))} -p lang en && "
        f"{shlex.quote(str(BIN / 'jupyter'))} nbconvert --to html --no-input {shlex.quote(str(out / f'{p.stem}.ipynb'))}"
        for p in offices)
    total = run(["bash", "-e", "-c", script], cwd=str(out))
    # the split, measured on the first office again, command by command
    first = offices[0]
    pm = run([str(BIN / "papermill"), "--no-progress-bar", str(notebook), str(out / "split.ipynb"),
              "-p", "responses", str(first), "-p", "lang", "en"])
    export = run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out / "split.ipynb")])
    cli = run([str(BIN / "python"), "-c", "import papermill.cli"])
    nb = nbformat.read(str(out / "split.ipynb"), as_version=4)
    durations = [c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells if c.cell_type == "code"]
    # the cells: parameters, injected parameters, then one cell that imports, loads and displays the report
    execution = sum(durations)
    split = {"cli_start": cli, "kernel_start": max(0.0, pm - cli - execution), "execution (imports included)": execution,
             "export": export}
    per_office = total / len(offices)
    split["other"] = max(0.0, per_office - sum(split.values()))  # papermill bookkeeping, process exits
    return {"total": total, "per_office": per_office, "split": split}


def batch(offices: list[Path], out: Path, workers: int) -> dict:
    from qmskit.batch.runner import run_batch

    t0 = time.perf_counter()
    result = run_batch([str(p) for p in offices], out, workers=workers, progress=False)
    total = time.perf_counter() - t0
    if result.failed or result.portfolio_error:
        raise SystemExit("batch failed: " + "; ".join(result.summary_lines()))
    n = len(offices)
    tm = result.timings
    return {"total": total, "per_office": total / n, "workers": result.workers,
            "split": {"kernel_start": tm.get("kernel_start", 0.0), "imports": tm.get("imports", 0.0),
                      "reset": tm.get("reset", 0.0), "execution": tm.get("execute", 0.0),
                      "export": tm.get("export", 0.0), "read+score (parent)": tm.get("score", 0.0)}}


def show(name: str, r: dict, n: int) -> None:
    print(f"{name:<28} {r['total']:7.1f} s total  {r['per_office']:6.2f} s/office")
    if "cli_start" in r["split"]:
        per = r["split"]
        head = "per office (s)"
    else:  # batch timings are summed over all offices and workers: show them per office too
        per = {k: v / n for k, v in r["split"].items()}
        head = f"per office (s, CPU-side, summed over {r['workers']} worker(s) / {n})"
    print(f"{'':<28} {head}: " + ", ".join(f"{k} {v:.2f}" for k, v in per.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--offices", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="4 offices (a smoke run)")
    ap.add_argument("--skip-naive", action="store_true", help="only time qmskit batch")
    ap.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = ap.parse_args()
    n = 4 if args.quick else args.offices
    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="qmskit-bench-batch-"))
    try:
        offices = make_offices(n, work / "in")
        print(f"bench_batch: {n} offices (variants of examples/offices), real report notebook, {cores} cores")
        results = {}
        if not args.skip_naive:
            results["naive"] = naive_loop(offices, work / "naive")
            show("naive papermill+nbconvert", results["naive"], n)
        results["batch_1"] = batch(offices, work / "batch1", 1)
        show("qmskit batch, 1 worker", results["batch_1"], n)
        results["batch_all"] = batch(offices, work / "batchN", cores)
        show(f"qmskit batch, {cores} workers", results["batch_all"], n)
        if "naive" in results:
            base = results["naive"]["total"]
            r1, rn = base / results["batch_1"]["total"], base / results["batch_all"]["total"]
            print(f"ratio vs naive: 1 worker {r1:.1f}x, {cores} workers {rn:.1f}x "
                  f"(must be >= 5x, aim >= 10x): {'OK' if rn >= 5 else 'TOO SLOW'}")
            results["ratio_1"], results["ratio_all"] = r1, rn
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
