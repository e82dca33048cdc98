"""The ``qmskit`` console script: ``qmskit --version`` answers without importing click (the whole
command line is built only when a command or its help is asked for).

A command's start is mostly imports (click, pandas, numpy: ~10⁵ objects that live until the process
ends). With CPython's default collector thresholds (700, 10, 10) importing pandas alone runs dozens of
collections that walk those same objects again and again, and the interpreter walks them once more at
exit: ~0.3 s of CPU of a ~1 s ``qmskit score``. So the console script raises the youngest generation's
threshold (collections still run, ~70× less often: cyclic garbage is still freed, a batch's parent
still has bounded memory) and, when the command is done, moves every object left into the permanent
generation (:func:`gc.freeze`), so the exit skips that last walk. Only the console script does this:
importing qmskit changes nothing in the caller's process.
"""
from __future__ import annotations

import gc
import sys

from qmskit.config import GC_GEN0_THRESHOLD


def run() -> None:
    gc.set_threshold(GC_GEN0_THRESHOLD, *gc.get_threshold()[1:])
    try:
        _dispatch()
    finally:
        gc.freeze()  # the exit need not walk what is left: every object dies with the process


def _dispatch() -> None:
    if sys.argv[1:] == ["--version"]:
        from qmskit import __version__

        sys.stdout.write(f"qmskit, version {__version__}\n")  # what click's version_option prints
        return
    from qmskit.cli import main

    if sys.argv[1:2] == ["batch"]:  # a Ctrl-C after the batch's own guards still exits 130, never 0
        from qmskit.batch.interrupts import run_and_exit
        run_and_exit(main)
    main()
