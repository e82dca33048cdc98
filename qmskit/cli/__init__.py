"""The `qmskit` command: a thin layer over the Python API (it may import every other subpackage).

The root group is :data:`qmskit.cli.app.main`, offered here as ``qmskit.cli.main``; importing this package
imports nothing (not click): the console script (:mod:`qmskit.cli.entry`) answers ``--version`` without
click, and each command's module is imported only when that command runs (:mod:`qmskit.cli.app`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qmskit.cli.app import main as main


def __getattr__(name: str) -> Any:
    if name == "main":
        from qmskit.cli.app import main
        return main
    raise AttributeError(f"module 'qmskit.cli' has no attribute {name!r}")
