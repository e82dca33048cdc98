"""Runs INSIDE a warm report kernel: pre-import once, then wipe everything between two offices.

A warm kernel (see :mod:`qmskit.jupyter.warmkernel`) executes many offices' notebooks one after another. Nothing of
one office may reach the next, so :func:`reset` puts the kernel back to the state :func:`prepare` recorded:

- the IPython user namespace, In/Out history, ``_`` variables and the execution counter (a new session, so
  the next notebook's cells are numbered from 1 exactly as in a fresh papermill kernel);
- matplotlib: all figures closed, rcParams restored;
- pandas and numpy display/error options restored; warning filters restored and "already shown" warning
  registries invalidated (a warning a fresh kernel would print is printed again);
- modules the notebook imported that were not pre-imported are dropped from ``sys.modules`` (their
  module-level state is fresh next time); ``sys.path``, the working directory and environment restored;
- an office handed over by the batch worker (:func:`preload`) and not taken is dropped;
- qmskit's cached checklists are fingerprinted at warm-up; if a notebook mutated one in place the cache
  is cleared (checklists are shared reference data, never office data, so they are otherwise kept warm).

The parent calls these functions through ``sys.modules[__name__]`` so that a reset never re-imports anything.
"""
from __future__ import annotations

import copy
import gc
import importlib
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any, cast

_BASELINE: dict[str, Any] = {}

# What every report and portfolio notebook imports. Not openpyxl (nor qmskit.io.xlsx): the kernel is handed
# offices already read (preload) and reads no workbook; importing it cost every kernel ~0.3 s of CPU. A
# notebook that does read one imports it itself (dropped again at the next reset). The warm kernel's
# process imports these before it first answers (qmskit.jupyter.kernel_main); prepare() imports any missing.
PREIMPORTS = ["numpy", "pandas", "pandas.core.methods.to_dict", "IPython.display", "yaml",
              "qmskit", "qmskit.api", "qmskit.render.report", "qmskit.render.portfolio", "qmskit.i18n.catalog",
              "qmskit.core.gaps", "qmskit.core.readiness", "qmskit.io.responses", "qmskit.core.scoring", "qmskit.core.kpis"]


def _pandas_options() -> dict[str, Any]:
    """pandas' option store (private, but the only place every option lives, registered or not)."""
    from pandas._config import config as pdconfig
    return cast(dict[str, Any], vars(pdconfig)["_global_config"])


def prepare(preimports: Sequence[str], checklists: Sequence[str] = ()) -> None:
    """Import the heavy modules once and record the clean state :func:`reset` returns to."""
    import_modules(preimports)
    _BASELINE.clear()
    _BASELINE["checklist_ids"] = []
    add_checklists(checklists)


def import_modules(names: Sequence[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # an optional module missing must not stop the kernel; the notebook will say
            pass


def add_checklists(checklists: Sequence[str]) -> None:
    """Warm checklists (at start and right after :func:`reset`, so the state recorded is clean)."""
    for checklist in checklists:
        if checklist in _BASELINE["checklist_ids"]:
            continue
        try:
            sys.modules["qmskit"].load_checklist(checklist)
            _BASELINE["checklist_ids"].append(checklist)
        except Exception:  # a checklist that does not load fails in the notebook, with its message
            pass
    _record_baseline()


def _record_baseline() -> None:
    _BASELINE["warnings"] = list(warnings.filters)
    _BASELINE["modules"] = set(sys.modules)
    _BASELINE["path"] = list(sys.path)
    _BASELINE["cwd"] = os.getcwd()
    _BASELINE["environ"] = dict(os.environ)
    if "matplotlib" in sys.modules:
        import matplotlib
        _BASELINE["rc"] = copy.deepcopy(dict(matplotlib.rcParams))
    if "pandas" in sys.modules:
        try:
            _BASELINE["pandas"] = copy.deepcopy(_pandas_options())
        except Exception:
            pass
    if "numpy" in sys.modules:
        import numpy
        _BASELINE["np_print"] = numpy.get_printoptions()
        _BASELINE["np_err"] = numpy.geterr()
    _BASELINE["checklists"] = _checklist_fingerprints()
    # Everything alive now (modules, checklists) lives as long as the kernel: move it out of the cyclic
    # garbage collector's sight, so the collection each reset runs only walks what an office created.
    gc.collect()
    gc.freeze()


def _checklist_fingerprints() -> dict:
    """Fingerprints of the warm checklists, plus the cache size (a notebook loading others grows it)."""
    qmskit = sys.modules.get("qmskit")
    cached = getattr(sys.modules.get("qmskit.checklist.loader"), "_load_cached", None)
    if qmskit is None or cached is None:
        return {}
    prints = {name: _fingerprint(qmskit.load_checklist(name)) for name in _BASELINE.get("checklist_ids", ())}
    prints["_size"] = cached.cache_info().currsize
    return prints


def _fingerprint(cl: object) -> bytes:
    """A digest of everything a checklist holds (every field; frames column by column, as arrays).

    Taken at every reset, so it must be cheap: pickling the column arrays costs ~20 ms for the full
    checklist, where hashing ``frame.astype(str)`` cost ~0.2 s. Arrays, not the frames themselves: pandas
    may consolidate a frame's blocks when it is only read, which changes its pickle but not its content.
    Equal content pickles the same; a changed value never does (a false alarm only reloads the cache)."""
    import dataclasses
    import hashlib
    import pickle

    import pandas as pd

    names = ([f.name for f in dataclasses.fields(cl)] if dataclasses.is_dataclass(cl)
             else sorted(vars(cl)))
    parts = []
    for name in names:
        value = getattr(cl, name, None)
        if isinstance(value, pd.DataFrame):
            value = (tuple(value.columns), value.index.to_numpy(), [value[c].to_numpy() for c in value.columns])
        parts.append((name, value))
    return hashlib.blake2b(pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)).digest()


def preload(path: str) -> None:
    """Take an office read and scored by the batch worker (a pickle at ``path``, see
    ``WarmKernel.preload_assessment``) for the next notebook's ``api.load_assessment``; the checklist
    is this kernel's own warm one. :func:`reset` drops anything not taken."""
    import pickle

    with open(path, "rb") as fh:
        payload = pickle.load(fh)
    assessment = payload["assessment"]
    assessment.checklist = sys.modules["qmskit"].load_checklist(payload["checklist"])
    sys.modules["qmskit.api"].PRESCORED[tuple(payload["key"])] = assessment


def reset(preload_path: str | None = None) -> None:
    """Return the kernel to its warm-up state (see the module docstring for what that covers); then
    take the next office from ``preload_path`` (:func:`preload`), in the same request."""
    from IPython import get_ipython  # this runs inside an IPython kernel

    ip = get_ipython()
    api = sys.modules.get("qmskit.api")
    if api is not None:
        api.PRESCORED.clear()  # an office handed over but not taken never reaches the next one
    ip.reset(new_session=True)  # user namespace, In/Out, _ vars; new_session restarts the counter at 1
    ip.user_ns.pop("_exit_code", None)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "rc" in _BASELINE:
        import matplotlib
        matplotlib.rcParams.clear()
        matplotlib.rcParams.update(copy.deepcopy(_BASELINE["rc"]))
    if "pandas" in _BASELINE:
        options = _pandas_options()
        options.clear()
        options.update(copy.deepcopy(_BASELINE["pandas"]))
    if "np_print" in _BASELINE:
        import numpy
        numpy.set_printoptions(**_BASELINE["np_print"])
        numpy.seterr(**_BASELINE["np_err"])
    cast(list, warnings.filters)[:] = _BASELINE["warnings"]
    with warnings.catch_warnings():  # leaving it bumps the filters' version: "shown once" warnings show again
        pass
    for name in [m for m in sys.modules if m not in _BASELINE["modules"]]:
        del sys.modules[name]
    sys.path[:] = _BASELINE["path"]
    os.chdir(_BASELINE["cwd"])
    for key in set(os.environ) - set(_BASELINE["environ"]):
        del os.environ[key]
    os.environ.update(_BASELINE["environ"])
    if _checklist_fingerprints() != _BASELINE["checklists"]:  # mutated or grew: reload from the files
        sys.modules["qmskit.checklist.loader"]._load_cached.cache_clear()
        _BASELINE["checklists"] = _checklist_fingerprints()
    if preload_path is not None:
        preload(preload_path)
