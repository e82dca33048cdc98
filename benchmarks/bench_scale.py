"""Scoring at the floor and at scale (issue 15): one office's full Assessment, score_many over 100,000
offices, and reading 100 workbooks, each as a ratio measured in this one run.

Every figure is measured in a fresh child process (so peak RSS is the child's own, and the code timed is
the tree it imports): "now" is this checkout; "before" (``--before REV``, default the commit the
scoring speed work started from) is that commit's tree extracted with ``git archive`` (see
benchmarks/timing.py), run in the same virtualenv, on the same inputs, same load. Medians of
``--repeat`` child runs (default 3); wall and CPU seconds both, since on a shared machine wall time
is mostly waiting for a core.

    python benchmarks/bench_scale.py [--repeat 3] [--offices 100000] [--before REV | --no-before]

Targets: score_many 100,000 offices × 198 questions ≤ 3 s and ≤ 1 GB peak RSS (the full checklist has
281 questions now: both are printed); reading 100 workbooks ≥ 10× faster than openpyxl.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import ROOT, baseline_tree, env_for, load  # noqa: E402

# main when this work started (the layout of issue 15's scoring figures: 1.1 s per office, 14.6 s at 100k)
BEFORE_COMMIT = "5186e9b"
ONE_OFFICE = ["examples/offices/eastport-civil-affairs.xlsx", "examples/gov/moonbay-district-office-2026.xlsx"]
MB = 1024 * 1024


# ----------------------------------------------------------------------------- child tasks (one per process)

def _peak_rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def _timed(fn, n: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of n calls."""
    walls, cpus = [], []
    for _ in range(n):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def child_one(n: int) -> dict:
    """One office: read, score (the full Assessment), apply_exclusions, read_answered_by, to_dict."""
    import warnings
    warnings.simplefilter("ignore")
    out: dict = {}
    for rel in ONE_OFFICE:
        out.update(_one_office(str(ROOT / rel), Path(rel).stem.split("-")[0], n))
    return out


def _one_office(path: str, name: str, n: int) -> dict:
    from qmskit.checklist.loader import load_checklist
    from qmskit.core.exclusions import apply_exclusions
    from qmskit.core.scoring import excluded_clauses_of, score
    from qmskit.io.merge import read_answered_by
    from qmskit.io.responses import read_responses
    meta, frame = read_responses(path)
    cl = load_checklist(meta["checklist"])
    a = score(cl, frame, meta)  # warm: checklist caches, imports
    exclusions = excluded_clauses_of(meta)
    return {f"{name}: read_responses": _timed(lambda: read_responses(path), n),
            f"{name}: score (full Assessment)": _timed(lambda: score(cl, frame, meta), n),
            f"{name}: apply_exclusions": _timed(lambda: apply_exclusions(frame, cl, exclusions), n),
            f"{name}: read_answered_by": _timed(lambda: read_answered_by(path), n),
            f"{name}: Assessment.to_dict": _timed(a.to_dict, n)}


def coded_offices(cl, n: int, seed: int = 7):
    """n offices × every question of ``cl`` as one tidy frame of categorical columns (what a caller holding
    many offices in memory passes: a few bytes per answer), built in slices so building it never peaks
    above the frame itself."""
    import numpy as np
    import pandas as pd
    rng = np.random.default_rng(seed)
    ids = cl.questions["id"].to_numpy()
    na_ok = cl.questions["na_allowed"].to_numpy()
    choices = np.array(["yes", "partial", "no", "n/a", ""], dtype=object)
    cdf = np.cumsum([0.55, 0.2, 0.15, 0.03, 0.07])
    codes = np.empty((n, len(ids)), dtype=np.int8)
    for start in range(0, n, 4096):
        u = rng.random((min(4096, n - start), len(ids)))
        block = np.searchsorted(cdf, u, side="right").astype(np.int8)
        block[(block == 3) & ~na_ok] = 2
        codes[start:start + len(block)] = np.minimum(block, 4)
    return pd.DataFrame({
        "office": pd.Categorical.from_codes(np.repeat(np.arange(n, dtype=np.int32), len(ids)),
                                            [f"office-{i:06d}" for i in range(n)]),
        "id": pd.Categorical.from_codes(np.tile(np.arange(len(ids), dtype=np.int16), n), ids),
        "answer": pd.Categorical.from_codes(codes.ravel(), choices)})


def child_many(n: int, questions: int) -> dict:
    """score_many once over n offices × the first ``questions`` questions of the full checklist."""
    import dataclasses
    import gc

    from qmskit.checklist.loader import load_checklist
    from qmskit.core.scoring import score_many
    full = load_checklist("iso9001-2015")
    cl = full if questions >= len(full.questions) else dataclasses.replace(
        full, questions=full.questions.iloc[:questions].reset_index(drop=True))
    score_many(cl, coded_offices(cl, 50))  # warm: imports and per-checklist caches
    tidy = coded_offices(cl, n)
    gc.collect()
    before = _rss_mb()
    peak_before = _peak_rss_mb()
    w0, c0 = time.perf_counter(), time.process_time()
    many = score_many(cl, tidy)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    peak = _peak_rss_mb()
    w1 = time.perf_counter()
    long = many.clauses  # the tidy office × clause table (built on first use where that is lazy)
    long_wall = time.perf_counter() - w1
    return {"wall": wall, "cpu": cpu, "rss_before": before, "peak_before": peak_before, "peak": peak,
            "peak_with_long_table": _peak_rss_mb(), "long_table_wall": long_wall, "long_rows": len(long),
            "questions": len(cl.questions), "offices": len(many.offices)}


def child_read(folder: str) -> dict:
    """Reading every workbook in ``folder``: qmskit's reader (read_responses, validation included), bare
    python-calamine and bare openpyxl (read-only, values of every sheet)."""
    import warnings
    warnings.simplefilter("ignore")
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    from qmskit.io.responses import read_responses
    paths = sorted(Path(folder).glob("*.xlsx"))
    read_responses(paths[0])

    def openpyxl_all():
        for p in paths:
            wb = load_workbook(p, read_only=True, data_only=True)
            for ws in wb.worksheets:
                for _row in ws.iter_rows(values_only=True):
                    pass
            wb.close()

    def calamine_all():
        for p in paths:
            book = CalamineWorkbook.from_path(str(p))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python()
            book.close()

    def qmskit_all():
        for p in paths:
            read_responses(p)

    return {"files": len(paths), "openpyxl": _timed(openpyxl_all, 1), "calamine": _timed(calamine_all, 1),
            "read_responses": _timed(qmskit_all, 1)}


# ----------------------------------------------------------------------------- parent

def run_child(tree: Path | None, task: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *task], env=env_for(tree), cwd=str(ROOT),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"child {task} failed ({'now' if tree is None else tree}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def make_workbooks(folder: Path, n: int) -> None:
    """n field workbooks of the full checklist (5 distinct offices written, copied to n files)."""
    import warnings
    warnings.simplefilter("ignore")
    from qmskit.checklist.loader import load_checklist
    from qmskit.io.responses import write_responses
    cl = load_checklist("iso9001-2015")
    import numpy as np
    import pandas as pd
    rng = np.random.default_rng(3)
    written = []
    for i in range(min(5, n)):
        answers = rng.choice(np.array(["yes", "partial", "no", ""], dtype=object), size=len(cl.questions))
        frame = pd.DataFrame({"id": cl.questions["id"], "answer": answers,
                              "evidence": np.where(answers == "yes", "register, minutes", "")})
        written.append(write_responses(folder / f"office-{i:03d}.xlsx", {"office": f"Office {i}"}, frame, cl,
                                       backup=False))
    for i in range(len(written), n):
        shutil.copyfile(written[i % len(written)], folder / f"office-{i:03d}.xlsx")


def median_runs(tree: Path | None, task: list[str], repeat: int) -> list[dict]:
    return [run_child(tree, task) for _ in range(repeat)]


def med(values) -> float:
    return statistics.median(values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="child runs per figure (medians)")
    ap.add_argument("--offices", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--before", default=BEFORE_COMMIT, help="commit to compare with (default: %(default)s)")
    ap.add_argument("--no-before", action="store_true", help="only this checkout")
    ap.add_argument("--skip", nargs="*", default=[], choices=["one", "many", "read"])
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        result = {"one": lambda: child_one(int(rest[0])), "many": lambda: child_many(int(rest[0]), int(rest[1])),
                  "read": lambda: child_read(rest[0])}[kind]()
        print(json.dumps(result))
        return

    trees: dict[str, Path | None] = {"now": None}
    if not args.no_before:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", args.before], check=True, capture_output=True,
                             text=True).stdout.strip()
        trees = {"before": baseline_tree(rev), "now": None}
        print(f"bench_scale: before = {rev[:10]}, now = this checkout; {load()} at start", flush=True)
    else:
        print(f"bench_scale: this checkout only; {load()} at start", flush=True)
    r = args.repeat

    def row(name: str, values: dict[str, float], unit: str = "ms", scale: float = 1000.0) -> None:
        cells = "".join(f"  {k:>6} {v * scale:9.1f} {unit}" for k, v in values.items())
        ratio = (f"   before/now {values['before'] / values['now']:6.1f}x"
                 if "before" in values and values["now"] > 0 else "")
        print(f"  {name:<42}{cells}{ratio}   [{load()}]", flush=True)

    if "one" not in args.skip:
        print("one office (median of 15 calls per child, median of children; wall ms, CPU ms in brackets):")
        res = {k: median_runs(t, ["one", "15"], r) for k, t in trees.items()}
        for name in res["now"][0]:
            walls = {k: med(x[name][0] for x in v) for k, v in res.items()}
            cpus = {k: med(x[name][1] for x in v) for k, v in res.items()}
            row(name, walls)
            row("  (CPU)", cpus)

    if "many" not in args.skip:
        print(f"score_many, {args.offices:,} offices, categorical input (one call per child; median of {r}):")
        for questions in (198, 281):
            res = {k: median_runs(t, ["many", str(args.offices), str(questions)], r) for k, t in trees.items()}
            for k, v in res.items():
                wall, cpu = med(x["wall"] for x in v), med(x["cpu"] for x in v)
                peak = med(x["peak"] for x in v)
                print(f"  {k:>6} {args.offices:,} × {v[0]['questions']}: {wall:6.2f} s wall {cpu:6.2f} s CPU, "
                      f"peak RSS {peak:,.0f} MB (process, input {med(x['rss_before'] for x in v):,.0f} MB "
                      f"before the call); the long office × clause table ({v[0]['long_rows']:,} rows) "
                      f"+{med(x['long_table_wall'] for x in v):.2f} s, peak with it "
                      f"{med(x['peak_with_long_table'] for x in v):,.0f} MB   [{load()}]", flush=True)
            if "before" in res:
                b, n = res["before"], res["now"]
                print(f"         before/now: {med(x['wall'] for x in b) / med(x['wall'] for x in n):.1f}x wall, "
                      f"{med(x['cpu'] for x in b) / med(x['cpu'] for x in n):.1f}x CPU, "
                      f"{med(x['peak'] for x in b) / med(x['peak'] for x in n):.1f}x peak RSS")
            now = res["now"]
            wall, peak = med(x["wall"] for x in now), med(x["peak"] for x in now)
            ok = wall <= 3 and peak <= 1024
            print(f"  {'MET ' if ok else 'MISS'}  score_many {args.offices:,} × {now[0]['questions']} <= 3 s and "
                  f"<= 1 GB peak: {wall:.2f} s, {peak:,.0f} MB", flush=True)

    if "read" not in args.skip:
        with tempfile.TemporaryDirectory(prefix="qmskit-bench-read-") as tmp:
            make_workbooks(Path(tmp), args.files)
            print(f"reading {args.files} workbooks of the full checklist (all of them per child; median of {r}):")
            res = {k: median_runs(t, ["read", tmp], r) for k, t in trees.items()}
            for k, v in res.items():
                for i, unit in ((0, "wall"), (1, "CPU")):
                    op = med(x["openpyxl"][i] for x in v)
                    ca = med(x["calamine"][i] for x in v)
                    rr = med(x["read_responses"][i] for x in v)
                    print(f"  {k:>6} ({unit}): openpyxl {op:6.2f} s, python-calamine {ca:6.2f} s (bare: {op / ca:4.1f}x), "
                          f"qmskit read_responses {rr:6.2f} s = {rr / args.files * 1000:.1f} ms per file "
                          f"({op / rr:4.1f}x openpyxl)   [{load()}]", flush=True)
            now = res["now"]
            ratio = med(x["openpyxl"][0] for x in now) / med(x["read_responses"][0] for x in now)
            print(f"  {'MET ' if ratio >= 10 else 'MISS'}  reading {args.files} workbooks >= 10x faster than "
                  f"openpyxl (qmskit's whole reader, validation included): {ratio:.1f}x")
    print(f"bench_scale: {load()} at end")


if __name__ == "__main__":
    main()
