"""The papermill engine that runs a notebook on a warm kernel, as papermill's ``papermill.engine``
entry point ``qmskit-warm`` (declared in pyproject.toml; nothing is registered on import).

papermill loads its entry points while ``papermill.engines`` is still being imported, so this module
imports nothing of papermill itself: the class is built on first access (PEP 562 ``__getattr__``), from
the part of ``papermill.engines`` that exists by then. Importing it first, or through papermill, works.
"""
from __future__ import annotations

from typing import Any

from qmskit.config import KERNEL_START_TIMEOUT


def _build() -> type:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine

    class WarmEngine(NBClientEngine):
        """nbclient on the warm kernel passed as ``warm_kernel`` (no start, no shutdown)."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=KERNEL_START_TIMEOUT, execution_timeout=None,
                                     **kwargs):
            warm = kwargs.pop("warm_kernel")
            kwargs.pop("input_path", None)
            client = PapermillNotebookClient(
                nb_man, km=warm.km, timeout=execution_timeout, startup_timeout=start_timeout,
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
