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
from qmskit.responses import write_responses

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

    one = tidy[tidy["office"] == "office-0000"]
    frame = qmskit.responses.validate_responses(one.drop(columns="office"), cl)
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
