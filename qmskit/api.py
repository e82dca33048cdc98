"""The edges: read files → score → (render) → write, for the CLI, the notebooks and scripts.

Everything here reads or writes files and calls the pure core (``qmskit.core``) in between; the core itself
never opens a file. The report, comparison, portfolio and history pages are built by
``qmskit.render.report.build_report``, ``qmskit.render.compare_report.build_comparison``,
``qmskit.batch.runner.run_batch`` and ``qmskit.render.history_report.write_history``, which use these.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmskit.config import DEFAULT_CHECKLIST, DEFAULT_LANGUAGE, LANGUAGES

if TYPE_CHECKING:
    from qmskit.core.assessment import Assessment
    from qmskit.core.compare import Comparison
    from qmskit.core.history import History
    from qmskit.core.migrate import MigrationResult
    from qmskit.core.reassess import Prefill

# Each edge imports what it uses when it is called: `qmskit score` pays for reading and scoring only, not
# for comparison, history, migration (its crosswalk) or prefill (tests/test_import_hygiene.py)


def read_and_score(path: str | Path, checklist=None, *, strict: bool = False) -> Assessment:
    """Read one responses file and score it with ``checklist`` (default: the one its metadata names)."""
    from qmskit.core.scoring import score
    from qmskit.io.responses import read_responses

    meta, frame = read_responses(path, checklist, strict=strict)
    return score(checklist or meta.get("checklist") or DEFAULT_CHECKLIST, frame, meta, source=path)


def compare_files(before: str | Path, after: str | Path, *, checklist=None, force: bool = False,
                  strict: bool = False) -> Comparison:
    """Read, score and compare two responses files (each scored with its own checklist by default)."""
    from qmskit.core.compare import compare_assessments

    return compare_assessments(*(read_and_score(p, checklist, strict=strict) for p in (before, after)), force=force)


def history_files(paths: list[str | Path], *, checklist=None, force: bool = False) -> History:
    """Read, score and line up responses files (each scored with its own checklist by default)."""
    from qmskit.core.history import build_history

    return build_history([read_and_score(p, checklist) for p in paths], force=force)


def migrate_file(old_path: str | Path, out_path: str | Path, *, source: str | None = None,
                 target: str = DEFAULT_CHECKLIST, lang: str | None = None) -> MigrationResult:
    """Read an old-structure responses file, migrate it, write ``out_path`` (an existing file is first
    kept as ``<name>.bak``). ``source``: the old checklist (default: from the file's metadata)."""
    from qmskit.checklist.crosswalk import load_crosswalk
    from qmskit.checklist.loader import load_checklist
    from qmskit.core.migrate import MigrationError, migrate_responses
    from qmskit.io.responses import read_responses, write_responses

    old_path, out_path = Path(old_path), Path(out_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a version note about the OLD checklist is not news here
        meta, frame = read_responses(old_path, source)
    old_cl = load_checklist(source or meta.get("checklist") or load_crosswalk().source_id)
    new_cl = load_checklist(target)
    if old_path.resolve() == out_path.resolve():
        raise MigrationError("the output would replace the old file; write the migrated file elsewhere",
                             path=out_path)
    result = migrate_responses(meta, frame, old_cl, new_cl)
    write_responses(out_path, result.meta, result.responses, new_cl,
                    lang=lang or str(meta.get("language") or "en"), backup=True)
    return result


def prefill_from(previous_path: str | Path, checklist=None, *, keep_answers: bool = False,
                 assessor: str | None = None, lang: str | None = None) -> Prefill:
    """Read the previous assessment and build the new one's metadata and responses."""
    from qmskit.checklist.loader import load_checklist
    from qmskit.core.reassess import CARRIED_META, Prefill, prefill_frame
    from qmskit.io.iorw import file_sha256
    from qmskit.io.responses import read_responses

    previous_path = Path(previous_path)
    pmeta, pframe = read_responses(previous_path, checklist)
    cl = load_checklist(checklist or pmeta.get("checklist") or DEFAULT_CHECKLIST)
    lang = lang or (str(pmeta["language"]) if pmeta.get("language") in LANGUAGES else DEFAULT_LANGUAGE)
    frame, dropped = prefill_frame(pframe, cl, keep_answers=keep_answers, lang=lang)
    meta = {k: pmeta[k] for k in CARRIED_META if pmeta.get(k) not in (None, "")}
    meta.update({"language": lang, "status": "draft"})
    if assessor:
        meta["assessor"] = assessor
    date: Any = pmeta.get("date")  # a date, a datetime or text, as the file had it
    meta["previous_date"] = date.isoformat() if hasattr(date, "isoformat") else str(date or "")
    meta["previous_file"] = previous_path.name
    meta["previous_sha256"] = file_sha256(previous_path)
    if pmeta.get("kpis"):  # last time's measurements are this time's "previous" values
        meta["kpis"] = [{"id": k["id"], "value": None, "previous": k.get("value")} for k in pmeta["kpis"]]
    carried = int((frame["evidence"].map(lambda v: str(v).strip() != "")).sum())
    kept = int((frame["answer"].map(lambda v: str(v).strip() != "")).sum())
    return Prefill(meta=meta, responses=frame, checklist=cl, carried_evidence=carried, kept_answers=kept,
                   dropped=dropped)
