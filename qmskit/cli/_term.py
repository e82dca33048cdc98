"""The terminal console, made on first use: importing rich costs more than a command's start-up budget,
so commands that print plain lines (and ``--help``/``--version``) never load it."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def console():
    from rich.console import Console

    return Console()
