"""Defaults in one place: the checklist a file without one is scored against, the report languages, the
time-outs, and the environment variables qmskit reads.

Plain constants only (no I/O, no imports of qmskit): every layer may import this module, the pure core
included (tests/test_layering.py allows it like ``qmskit.errors``). Environment variables are named here
and read where they are used, at call time, so importing qmskit never looks at the environment.
"""
from __future__ import annotations

from pathlib import Path

# the checklist used when neither the caller nor the responses file's metadata names one
DEFAULT_CHECKLIST = "iso9001-2015"

# every user-visible text exists in these languages (zh is Simplified Chinese, zh-CN)
LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"

# seconds: a kernel that has not answered by then counts as failed to start (a 2-core machine under load
# needs well over the 10 s a quiet one does)
KERNEL_START_TIMEOUT = 60
# seconds per notebook cell; a report cell takes well under one
CELL_TIMEOUT = 600

# the cyclic collector's youngest-generation threshold in qmskit's own processes (the console script and
# warm kernels; CPython's default is 700): importing pandas, IPython and ipykernel otherwise runs dozens of
# collections over the same long-lived objects. Importing qmskit as a library leaves it alone.
GC_GEN0_THRESHOLD = 50_000

# seconds one report may take to load and print to PDF: a base plus a share per megabyte of HTML. A report
# of 5,000 "no" answers (~1-2 MB, 300-560 A4 pages) prints in 30-70 s on this 2-core machine under load 8,
# so the bound (about 6 min for it, 2.5 min for an ordinary report, never more than 20 min) only ends a
# print that has hung or crawls; $QMSKIT_PDF_TIMEOUT replaces it (qmskit.render.pdf.print_timeout)
PDF_TIMEOUT_BASE = 120
PDF_TIMEOUT_PER_MB = 240
PDF_TIMEOUT_MAX = 1200

# environment variables
ENV_BRAND = "QMSKIT_BRAND"          # default consultancy brand file for reports (``--brand``)
ENV_CHROMIUM = "QMSKIT_CHROMIUM"    # the Chromium that prints PDFs and runs the browser tests
ENV_PDF_TIMEOUT = "QMSKIT_PDF_TIMEOUT"  # seconds one PDF may take to print (default: PDF_TIMEOUT_BASE + _PER_MB)
ENV_CACHE_DIR = "QMSKIT_CACHE_DIR"  # folder of qmskit's caches (default: the user's cache folder, e.g. ~/.cache/qmskit)
ENV_NO_CACHE = "QMSKIT_NO_CACHE"    # set (to anything but "" or "0"): no cache is read or written
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")   # Debian's (Playwright cannot download browsers here)
