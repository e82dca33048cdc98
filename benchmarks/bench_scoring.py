"""Scoring speed: 1,000 synthetic offices on the full ISO 9001:2015 checklist.

Times `qmskit.score_many` on responses already in memory (one tidy office × question frame), against a
straightforward per-question Python loop kept here as the baseline, checks both agree, and reports
reading .xlsx files separately (that is I/O, not scoring).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import qmskit
from qmskit.io.responses import write_responses

POINTS = {"yes": 1.0, "partial": 0.5, "no": 0.0}


def synthetic_offices(cl: qmskit.Checklist, n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = cl.questions["id"].to_numpy()
    na_ok = cl.questions["na_allowed"].to_numpy()
    choices = np.array(["yes", "partial", "no", "n/a", ""], dtype=object)
    answers = choices[rng.choice(5, size=(n, len(ids)), p=[0.55, 0.2, 0.15, 0.03, 0.07])]
    answers[(answers == "n/a") & ~na_ok] = "no"
    return pd.DataFrame({"office": np.repeat([f"office-{i:04d}" for i in range(n)], len(ids)),
                         "id": np.tile(ids, n), "answer": answers.ravel()})


def naive_scores(cl: qmskit.Checklist, tidy: pd.DataFrame) -> dict:
    """The baseline: a per-office, per-question, per-clause Python loop (what one writes first)."""
    parent = dict(zip(cl.clauses["clause"], cl.clauses["parent"]))
    questions = {r.id: r for r in cl.questions.itertuples()}
    result = {}
    for office, rows in tidy.groupby("office", sort=False):
        sw, swp = {}, {}
        total_w = total_wp = 0.0
        for qid, answer in zip(rows["id"], rows["answer"]):
            a = str(answer).strip().lower()
            if a not in POINTS:
                continue
            q = questions[qid]
            total_w += q.weight
            total_wp += q.weight * POINTS[a]
            node = q.clause
            while isinstance(node, str):
                sw[node] = sw.get(node, 0.0) + q.weight
                swp[node] = swp.get(node, 0.0) + q.weight * POINTS[a]
                node = parent.get(node)
        result[office] = (100 * total_wp / total_w if total_w else None,
                          {c: 100 * swp[c] / sw[c] for c in sw})
    return result


TARGET_QUESTIONS = 198  # issue 15's score_many target: 100,000 offices × 198 questions


def coded_offices(cl: qmskit.Checklist, n: int, seed: int = 7) -> pd.DataFrame:
    """n offices as one tidy frame with categorical columns, built straight from codes (what a caller
    holding many offices in memory passes: office × question, a few bytes per answer)."""
    rng = np.random.default_rng(seed)
    ids = cl.questions["id"].to_numpy()
    choices = np.array(["yes", "partial", "no", "n/a", ""], dtype=object)
    codes = rng.choice(5, size=(n, len(ids)), p=[0.55, 0.2, 0.15, 0.03, 0.07]).astype(np.int8)
    codes[(codes == 3) & ~cl.questions["na_allowed"].to_numpy()] = 2
    return pd.DataFrame({
        "office": pd.Categorical.from_codes(np.repeat(np.arange(n, dtype=np.int32), len(ids)),
                                            [f"office-{i:06d}" for i in range(n)]),
        "id": pd.Categorical.from_codes(np.tile(np.arange(len(ids), dtype=np.int16), n), ids),
        "answer": pd.Categorical.from_codes(codes.ravel(), choices)})


def scale_run(cl: qmskit.Checklist, n: int) -> tuple[float, float]:
    """(seconds, peak MB allocated inside score_many) for n coded offices."""
    import gc
    import tracemalloc
    tidy = coded_offices(cl, n)
    gc.collect()
    t0 = time.perf_counter()
    qmskit.score_many(cl, tidy)
    seconds = time.perf_counter() - t0
    gc.collect()
    tracemalloc.start()
    qmskit.score_many(cl, tidy)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offices", type=int, default=1000)
    parser.add_argument("--files", type=int, default=20, help="xlsx files to time reading")
    parser.add_argument("--scale", type=int, nargs="*", default=[10_000, 100_000],
                        help="office counts for the linear-scaling run (coded input); none to skip")
    args = parser.parse_args()
    cl = qmskit.load_checklist("iso9001-2015")
    tidy = synthetic_offices(cl, args.offices)
    qmskit.score_many(cl, tidy.head(len(cl.questions)))  # warm caches (incidence matrix)

    fast = best_of(lambda: qmskit.score_many(cl, tidy), 5)
    slow = best_of(lambda: naive_scores(cl, tidy), 2)
    many = qmskit.score_many(cl, tidy).offices.set_index("office")["overall"]
    naive = naive_scores(cl, tidy)
    worst = max(abs(many[o] - naive[o][0]) for o in many.index)
    assert worst < 1e-9, worst

    print(f"scoring {args.offices} offices × {len(cl.questions)} questions "
          f"({len(cl.clauses)} clause nodes), responses in memory:")
    print(f"  qmskit.score_many   {fast:8.3f} s   {args.offices / fast:10,.0f} offices/s")
    print(f"  naive Python loop   {slow:8.3f} s   {args.offices / slow:10,.0f} offices/s")
    print(f"  ratio               {slow / fast:8.1f}×  (max |Δ overall| = {worst:.1e})")
    print(f"  target 1,000 offices < 1 s: {'met' if fast * 1000 / args.offices < 1 else 'NOT met'}")

    import dataclasses
    import os
    for n in args.scale:
        seconds, peak = scale_run(cl, n)
        one, five, _ = os.getloadavg()
        print(f"  score_many {n:>7,} offices × {len(cl.questions)} questions (categorical input): {seconds:6.2f} s, "
              f"peak {peak:,.0f} MB allocated   [load {one:.2f}/{five:.2f}]")
        if n == 100_000:
            # issue 15's target is stated for 198 questions (the checklist then; it has grown since): measured
            # as stated, on its first 198 questions; the figure above, for the full checklist, is for information
            target = dataclasses.replace(cl, questions=cl.questions.iloc[:TARGET_QUESTIONS].reset_index(drop=True))
            qmskit.score_many(target, coded_offices(target, 50))  # warm the per-checklist caches
            seconds, peak = scale_run(target, n)
            print(f"  target 100,000 offices × {TARGET_QUESTIONS} questions in <= 3 s and <= 1 GB: "
                  f"{'MET' if seconds <= 3 and peak <= 1000 else 'MISS'} ({seconds:.2f} s, {peak:,.0f} MB)")

    one = tidy[tidy["office"] == "office-0000"]
    frame = qmskit.io.responses.validate_responses(one.drop(columns="office"), cl)
    single = statistics.median(best_of(lambda: qmskit.score(cl, frame), 1) for _ in range(20))
    print(f"  qmskit.score (one office, full Assessment with gaps): {single * 1000:.1f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(args.files):
            rows = tidy[tidy["office"] == f"office-{i:04d}"].drop(columns="office")
            paths.append(write_responses(Path(tmp) / f"o{i}.xlsx", {"office": f"o{i}"}, rows, cl, backup=False))
        t0 = time.perf_counter()
        for p in paths:
            qmskit.read_responses(p, cl)
        read = (time.perf_counter() - t0) / len(paths)
    print(f"reading .xlsx responses (separately): {read * 1000:.0f} ms per file "
          f"→ {read * args.offices:.0f} s for {args.offices} files on one core")


if __name__ == "__main__":
    main()
