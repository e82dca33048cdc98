"""The ``qmskit`` console script: ``qmskit --version`` answers without importing click (the whole
command line is built only when a command or its help is asked for)."""
from __future__ import annotations

import sys


def run() -> None:
    if sys.argv[1:] == ["--version"]:
        from qmskit import __version__

        sys.stdout.write(f"qmskit, version {__version__}\n")  # what click's version_option prints
        return
    from qmskit.cli import main

    if sys.argv[1:2] == ["batch"]:  # a Ctrl-C after the batch's own guards still exits 130, never 0
        from qmskit.batch.interrupts import run_and_exit
        run_and_exit(main)
    main()
