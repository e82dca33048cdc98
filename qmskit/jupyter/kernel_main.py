"""A warm kernel's process: ipykernel's own launcher, with the kernel's standing imports done before it
first answers.

:class:`qmskit.jupyter.warmkernel.WarmKernel` runs ``python -m qmskit.jupyter.kernel_main -f CONNECTION_FILE``
where the python3 kernel spec says ``-m ipykernel_launcher`` (any other kernel command is left alone).
It is the same IPython kernel (``IPKernelApp``, initialised and started as ``ipykernel_launcher`` does),
with two differences, both about start-up cost:

- between the kernel's initialisation and its event loop it imports :data:`kernelstate.PREIMPORTS
  <qmskit.jupyter.kernelstate.PREIMPORTS>` (numpy, pandas, qmskit's report modules). Before, the kernel
  imported them only once the launching process had connected and asked (``kernelstate.prepare``), and
  that process connects only when it has read and scored the office itself: the kernel sat idle in
  between. Now both work at once; ``prepare`` finds the modules imported and only warms the checklists.
  The shell exists at that point (``initialize`` made it), so modules import as they would in ``prepare``;
- it has no debugger: ipykernel imports debugpy (pydevd) when it builds the kernel only to offer Jupyter's
  debugging protocol, ~0.15 s of CPU per kernel, and nobody attaches a debugger to a report kernel. While
  the kernel initialises, ``debugpy`` is marked absent (ipykernel then reports the debugger unavailable:
  ``ipykernel.debugger._is_debugpy_available``; upstream discusses making this an option,
  ipython/ipykernel#1543 and #1545); the mark is removed right after, so a notebook's own
  ``import debugpy`` still works. Without a debugger ``-Xfrozen_modules=off`` (which only the debugger
  needs) is left out of the command too;
- the cyclic collector's youngest-generation threshold is raised (as the ``qmskit`` console script does,
  see :mod:`qmskit.cli.entry`): importing ipykernel, IPython and pandas otherwise runs dozens of
  collections over the same long-lived objects. ``kernelstate`` still collects and freezes at every
  baseline and reset, so an office's garbage is freed between offices.
"""
from __future__ import annotations

import gc
import sys
from pathlib import Path

from qmskit.config import GC_GEN0_THRESHOLD

_NO_DEBUGGER = "debugpy"


def main() -> None:
    gc.set_threshold(GC_GEN0_THRESHOLD, *gc.get_threshold()[1:])
    # as ipykernel_launcher: the working folder is not an import root while the kernel loads (the shell
    # puts it back in sys.path for the notebook, InteractiveShellApp.init_path)
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    from ipykernel.kernelapp import IPKernelApp

    from qmskit.jupyter import kernelstate

    app = IPKernelApp.instance()
    absent = _NO_DEBUGGER not in sys.modules
    if absent:
        sys.modules[_NO_DEBUGGER] = None  # type: ignore[assignment]  # `import debugpy` now raises ImportError
    try:
        app.initialize()
    finally:
        if absent and sys.modules.get(_NO_DEBUGGER, 0) is None:
            del sys.modules[_NO_DEBUGGER]
    kernelstate.import_modules(kernelstate.PREIMPORTS)
    app.start()


if __name__ == "__main__":
    main()
