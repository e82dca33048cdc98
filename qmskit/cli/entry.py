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

    main()
