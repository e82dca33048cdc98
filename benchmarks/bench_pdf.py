"""PDF speed: printing office reports with one browser (pages in parallel) against one browser per file.

(a) one browser per file — what nbconvert's webpdf exporter does: start Chromium, print, quit, per report;
(b) qmskit.render.pdf.print_pdfs: ONE Chromium for all reports, with 1, 2 and 4 pages printing at a time.

The HTML reports are the example offices written once by ``qmskit batch`` (not timed). Prints seconds per
office, the browser's start-up, pages and sizes. Wall-clock numbers depend on the machine's load: the
lines also print the 1-minute load average.

    python benchmarks/bench_pdf.py [--offices 6] [--lang en]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    from qmskit.batch.runner import run_batch
    from qmskit.render import pdf

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offices", type=int, default=6)
    parser.add_argument("--lang", choices=["en", "zh"], default="en")
    args = parser.parse_args()
    try:
        pdf.check_available()
    except Exception as exc:
        print(f"SKIPPED: {exc}")
        return 0
    files = sorted((ROOT / "examples" / "offices").glob("*.xlsx"))[: args.offices]
    with tempfile.TemporaryDirectory(prefix="qmskit-bench-pdf-") as tmp:
        out = Path(tmp)
        result = run_batch(files, out / "html", lang=args.lang, progress=False)
        htmls = [o.html for o in result.succeeded]
        n = len(htmls)
        print(f"{n} office reports ({args.lang}), load average {os.getloadavg()[0]:.1f}")

        t0 = time.perf_counter()
        for i, html in enumerate(htmls):  # (a) a browser per file
            pdf.print_pdfs([pdf.PdfJob(html, out / "a" / f"{i}.pdf")], parallel=1)
        per_file = time.perf_counter() - t0
        print(f"  one browser per file      {per_file:6.1f} s  {per_file / n:5.2f} s/office  "
              f"(load {os.getloadavg()[0]:.1f})")

        best = None
        for parallel in (1, 2, 4):  # (b) one browser, pages in parallel
            jobs = [pdf.PdfJob(h, out / f"b{parallel}" / f"{i}.pdf") for i, h in enumerate(htmls)]
            run = pdf.print_pdfs(jobs, parallel=parallel)
            assert not run.failed, [o.error for o in run.failed]
            best = run if best is None or run.seconds < best.seconds else best
            print(f"  one browser, {parallel} page(s)    {run.seconds:6.1f} s  {run.seconds / n:5.2f} s/office  "
                  f"(browser start {run.launch_seconds:.2f} s, load {os.getloadavg()[0]:.1f})")
        print(f"  speed-up of one browser ({best.parallel} pages) over one per file: {per_file / best.seconds:.1f}x")
        for o in best.outcomes:
            print(f"    {o.job.html.name}: {o.pages} pages, {o.job.pdf.stat().st_size / 1024:.0f} KB, "
                  f"{o.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
