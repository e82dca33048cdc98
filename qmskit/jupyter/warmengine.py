"""The papermill engine that runs a notebook on a warm kernel, as papermill's ``papermill.engine``
entry point ``qmskit-warm`` (declared in pyproject.toml; nothing is registered on import).

papermill loads its entry points while ``papermill.engines`` is still being imported, so this module
imports nothing of papermill itself: the class is built on first access (PEP 562 ``__getattr__``), from
the part of ``papermill.engines`` that exists by then. Importing it first, or through papermill, works.
"""
from __future__ import annotations

import asyncio
import copy
import sys
from typing import Any

from qmskit.config import KERNEL_START_TIMEOUT


def _build() -> type:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine

    class WarmClient(PapermillNotebookClient):
        """papermill's client, less one request per notebook: after the cells ``PapermillNotebookClient.execute``
        asks the kernel for its kernel_info only to record ``language_info`` in the notebook's metadata, and
        a warm kernel gave that answer when it started (``WarmKernel.language_info``), the same for every
        notebook it runs. A request is a round of messages for both processes (~5 ms of CPU each per notebook)."""

        def __init__(self, nb_man, language_info=None, **kw):
            super().__init__(nb_man, **kw)
            self.warm_language_info = language_info

        def execute(self, **kwargs):
            if self.warm_language_info is None:  # not known (a kernel that never answered kernel_info)
                return super().execute(**kwargs)
            # papermill's execute() with the kernel_info reply already in hand
            self.reset_execution_trackers()
            if sys.platform.startswith("win"):  # as papermill (https://bugs.python.org/issue37373)
                asyncio.set_event_loop_policy(asyncio.WindowsSelectorEventLoopPolicy())  # type: ignore[attr-defined]
            with self.setup_kernel(**kwargs):
                self.log.info(f"Executing notebook with kernel: {self.kernel_name}")
                self.papermill_execute_cells()
                self.nb.metadata["language_info"] = copy.deepcopy(self.warm_language_info)
                self.set_widgets_metadata()
            return self.nb

    class WarmEngine(NBClientEngine):
        """nbclient on the warm kernel passed as ``warm_kernel`` (no start, no shutdown)."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=KERNEL_START_TIMEOUT, execution_timeout=None,
                                     **kwargs):
            warm = kwargs.pop("warm_kernel")
            kwargs.pop("input_path", None)
            client = WarmClient(
                nb_man, language_info=warm.language_info, km=warm.km, timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name, log_output=log_output, stdout_file=stdout_file,
                stderr_file=stderr_file,
                **{k: v for k, v in kwargs.items() if k not in ("timeout", "startup_timeout")})
            client.kc = warm.kc  # the connected client: setup_kernel skips start; cleanup skips shutdown
            return client.execute()

    WarmEngine.__module__, WarmEngine.__qualname__ = __name__, "WarmEngine"
    return WarmEngine


def __getattr__(name: str) -> Any:
    if name == "WarmEngine":
        engine = globals()["WarmEngine"] = _build()
        return engine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
