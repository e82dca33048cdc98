"""Where one office's CPU goes in a batch worker on a warm kernel: CPU seconds (not wall) per stage,
this worker thread and the kernel process apart, medians over N offices after a first, untimed one.

    python benchmarks/bench_office_cpu.py [--offices 12] [--profile FILE]

The worker's stages are timed with ``time.thread_time`` around the same calls ``qmskit.batch.worker``
makes; the kernel's CPU is read from its process (psutil) before and after each notebook. On a shared
machine these are the honest per-office figures: wall time there is mostly waiting for a core.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--offices", type=int, default=12)
    ap.add_argument("--profile", type=Path, default=None, help="cProfile the worker's stages into FILE")
    args = ap.parse_args()
    import psutil
    from bench_batch import make_offices

    from qmskit.api import load_assessment
    from qmskit.batch.inputs import score_file
    from qmskit.jupyter.notebook import bundled_notebook, export_html
    from qmskit.jupyter.warmkernel import WarmKernel
    from qmskit.render.report import page_title

    work = Path(tempfile.mkdtemp(prefix="qmskit-office-cpu-"))
    offices = make_offices(args.offices + 1, work / "in")
    notebook = str(bundled_notebook("report"))
    profiler = None
    if args.profile:
        import cProfile
        profiler = cProfile.Profile()
    rows: list[dict[str, float]] = []
    with WarmKernel() as kernel:
        kernel.start()
        proc = psutil.Process(kernel.pid)
        for i, path in enumerate(offices):
            row: dict[str, float] = {}
            if profiler is not None and i:
                profiler.enable()
            t = time.thread_time()
            scored = score_file(path, None, loader=load_assessment)
            a = scored.assessment
            assert a is not None, scored.error
            row["score"] = time.thread_time() - t
            params = {"responses": str(path), "checklist": None, "lang": "en", "title": None, "brand": None,
                      "audience": "internal", "report_seq": i + 1, "out_dir": str(work / "out")}
            k0 = sum(proc.cpu_times()[:2])
            t = time.thread_time()
            nb = kernel.execute_notebook(notebook, params, checklists=[str(a.checklist.source or a.checklist.id)],
                                         preload=a)
            row["papermill+nbclient"] = time.thread_time() - t
            row["kernel"] = sum(proc.cpu_times()[:2]) - k0
            t = time.thread_time()
            export_html(nb, lang="en", title=page_title(str(a.office), "en"))
            row["export"] = time.thread_time() - t
            if profiler is not None:
                profiler.disable()
            if i:  # the first office pays for first-use costs (template compile, checklist load)
                rows.append(row)
    print(f"per office, CPU seconds, median of {len(rows)} (after one untimed office); "
          f"load {' '.join(f'{x:.2f}' for x in psutil.getloadavg())}")
    for key in rows[0]:
        print(f"  {key:<22} {statistics.median(r[key] for r in rows):6.3f}")
    total = statistics.median(sum(r.values()) for r in rows)
    print(f"  {'total':<22} {total:6.3f}")
    if profiler is not None:
        profiler.dump_stats(str(args.profile))


if __name__ == "__main__":
    main()
