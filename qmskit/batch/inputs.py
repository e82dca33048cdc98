"""The batch's inputs: which files, each read and scored on its own (a bad file fails only itself), its
action plan attached, and the unique file names the offices' reports get."""
from __future__ import annotations

import glob
import os
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qmskit.batch.outcomes import OfficeOutcome, one_line
from qmskit.batch.tasks import Status
from qmskit.config import DEFAULT_CHECKLIST
from qmskit.errors import Message, QmskitError
from qmskit.i18n.catalog import msg

if TYPE_CHECKING:
    from qmskit.core.assessment import Assessment

RESPONSE_SUFFIXES = (".xlsx", ".csv", ".yaml", ".yml")


@dataclass
class Inputs:
    """The batch's inputs expanded: ``files`` (absolute, input order, each once), ``missing`` (failures for
    inputs that name nothing) and ``repeats``: (path, first) for each file named again after ``first`` —
    the same path twice, or a link to a file already named. A repeat is left out, with a note (never silently)."""
    files: list[Path]
    missing: list[OfficeOutcome]
    repeats: list[tuple[Path, Path]] = field(default_factory=list)

    def notes(self) -> list[str]:
        return [msg("batch.given_twice", path=first) if str(again) == str(first) else
                msg("batch.same_file", again=again, first=first) for again, first in self.repeats]


def gather_inputs(inputs: list[str | os.PathLike]) -> Inputs:
    """Expand files, directories (their responses files, not recursive) and glob patterns, each file once
    (one file named twice, or through a link, is one office). Raises QmskitError when nothing is left to do."""
    found_all: list[Path] = []
    missing: list[OfficeOutcome] = []
    for item in inputs:
        text = str(item)
        path = Path(text).expanduser()
        if path.is_dir():
            found = sorted(f for f in path.iterdir() if _is_responses_file(f))
            if not found:
                missing.append(OfficeOutcome(text, error=msg("batch.empty_folder", path=text,
                                                             suffixes=", ".join(RESPONSE_SUFFIXES))))
        elif any(ch in text for ch in "*?[") and not path.exists():
            found = sorted(Path(f) for f in glob.glob(os.path.expanduser(text), recursive=True)
                           if _is_responses_file(Path(f)))
            if not found:
                missing.append(OfficeOutcome(text, error=msg("batch.no_match", pattern=text)))
        else:
            found = [path]   # a missing file fails as its own office ("file not found"), like `score`
        found_all.extend(found)
    files: list[Path] = []
    first_of: dict[object, Path] = {}   # a file's identity (its inode, else its absolute path) -> as first named
    repeats: list[tuple[Path, Path]] = []
    for f in found_all:
        resolved = f.resolve()
        try:
            st = resolved.stat()
            key: object = (st.st_dev, st.st_ino)
        except OSError:
            key = resolved
        if key in first_of:
            repeats.append((f, first_of[key]))
            continue
        first_of[key] = f
        files.append(resolved if resolved.is_file() else f.absolute())  # else named as found: "x.xlsx", not "/nowhere"
    if not files:
        raise QmskitError(msg("batch.no_inputs", inputs=", ".join(map(str, inputs))))
    return Inputs(files, missing, repeats)


def collect_inputs(inputs: list[str | os.PathLike]) -> tuple[list[Path], list[OfficeOutcome]]:
    """(files, missing) of :func:`gather_inputs`."""
    found = gather_inputs(inputs)
    return found.files, found.missing


def settle_same_day(outcomes: list[OfficeOutcome]) -> tuple[list[OfficeOutcome], list[str]]:
    """Offices read more than once on one date (:func:`qmskit.core.assessment.same_day`). A copy of an
    earlier file (the same assessment: answers, evidence, metadata) is left out with a note: one report, from
    the first. Different assessments of one office dated the same day fail, each naming all of them: one of
    them would be a wrong report, and nothing can tell which (never one office's report over another's).
    Returns (the outcomes kept, the notes)."""
    from qmskit.core.assessment import same_day

    scored = [o for o in outcomes if o.assessment is not None]
    dropped: set[int] = set()
    notes: list[str] = []
    for group in same_day([o.assessment for o in scored if o.assessment is not None]):
        for i, first in group.copies:
            notes.append(msg("batch.same_assessment", copy=scored[i].source, first=scored[first].source))
            dropped.add(id(scored[i]))
        names = [scored[i].source for i in group.conflicting]
        for i in group.conflicting:
            o = scored[i]
            o.error = msg("batch.same_day", office=group.office, date=group.date, files=", ".join(names))
            o.status, o.assessment = Status.READ_FAILED, None   # no report and no place in the portfolio
    for o in outcomes:
        if id(o) in dropped or (o.status is Status.READ_FAILED and o.pending):
            for pending in o.pending:
                pending.unlink(missing_ok=True)
            o.pending = []
    return [o for o in outcomes if id(o) not in dropped], notes


def _is_responses_file(path: Path) -> bool:
    """Named like a responses file (not hidden, not an Excel owner file ``~$…``). What is not a regular file —
    a link to nothing, a FIFO, a socket, a folder — is an office too, which fails with its reason (as a
    missing file named on the command line does): a folder's office is never left out without a word."""
    return path.suffix.lower() in RESPONSE_SUFFIXES and not path.name.startswith((".", "~$"))


def absolute_if_path(checklist: str | None) -> str | None:
    """A checklist given as a file path travels to workers as an absolute path (their cwd differs)."""
    if checklist is not None and Path(str(checklist)).suffix in (".yaml", ".yml") and Path(str(checklist)).exists():
        return str(Path(checklist).resolve())
    return checklist


def score_file(path: Path, checklist: str | None = None,
               loader: Callable[[str, str | None], Assessment] | None = None, lang: str | None = None) -> OfficeOutcome:
    """Read and score one file; a bad file fails only itself (one-line reason, in ``lang``: the batch's
    --lang, English when each file has its own). ``loader(path, checklist)`` replaces the plain read +
    score (workers use the report's own ``load_assessment``, so the kernel gets exactly what its notebook
    would have computed)."""
    outcome = OfficeOutcome(str(path))
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # version notes belong in the office's report, not the batch log
            if loader is not None:
                assessment = loader(str(path), checklist)
            else:
                from qmskit.core.scoring import score
                from qmskit.io.responses import evidence_marks, read_responses

                meta, frame = read_responses(path, checklist)
                assessment = score(checklist or meta.get("checklist") or DEFAULT_CHECKLIST, frame, meta, source=path,
                                   reverify_marks=evidence_marks())
        outcome.assessment, outcome.office = assessment, assessment.office
    except QmskitError as exc:
        from qmskit.i18n.catalog import error_line
        outcome.error = one_line(error_line(exc, lang or "en"))
    except Exception as exc:  # a bug or an unreadable file: still only this office
        outcome.error = one_line(f"{path}: cannot read ({type(exc).__name__}: {exc})")
    outcome.timings["score"] = time.perf_counter() - t0
    return outcome


def attach_plan(o: OfficeOutcome, plans: dict[str, Path]) -> Path | None:
    """Attach the office's action plan (matched by name) to its assessment; a bad plan fails the office."""
    if o.assessment is None or not plans:
        return None
    from qmskit.api import attach_actions
    from qmskit.render import actions_report

    plan = actions_report.plan_for(o.assessment, plans)
    if plan is not None:
        try:
            attach_actions(o.assessment, None, plan)
        except QmskitError as exc:
            o.error = one_line(str(exc))
    return plan


def plans_to_latest(outcomes: list[OfficeOutcome]) -> list[tuple[OfficeOutcome, Message]]:
    """One office assessed more than once in the batch: its action plan goes with the latest assessment
    only (:func:`qmskit.core.actions.latest_per_plan`); from each earlier one it is taken off, with a note
    naming the later one. Each worker attached the plan by what the plan records (a plan from a later
    assessment is never attached to an earlier one), not knowing the other files. Returns the outcomes whose
    plan was taken off and the note (their reports, rendered with it, are to be rendered again)."""
    from qmskit.core.actions import latest_per_plan
    from qmskit.render.actions_report import attached

    scored = [o for o in outcomes if o.assessment is not None]
    plans = [attached(o.assessment) for o in scored if o.assessment is not None]
    later = latest_per_plan([att.path if att else None for att in plans],
                            [o.assessment.date for o in scored if o.assessment is not None])
    taken: list[tuple[OfficeOutcome, Message]] = []
    for o, att, j in zip(scored, plans, later, strict=True):
        if j is None or att is None or o.assessment is None:
            continue
        latest = scored[j].assessment
        assert latest is not None
        note = msg("batch.plan_for_later", plan=Path(att.path).name, date=o.assessment.date,
                   later=latest.date or Path(scored[j].source).name)
        del o.assessment.meta["_actions"]
        o.assessment.warnings.append(note)
        taken.append((o, note))
    return taken


def assign_slugs(outcomes: list[OfficeOutcome]) -> None:
    """File names from office names; two offices with the same name get -2, -3 (input order).

    Offices with the same name (one office's yearly assessments) are told apart in the portfolio by their
    assessment date, or their file's name where the dates do not (:func:`qmskit.core.assessment.telling_apart`):
    "Moonbay District Office (2024-10-22)"."""
    from qmskit.core.assessment import office_key, telling_apart
    from qmskit.io.iorw import slugify

    taken: set[str] = {"index", "scores", "gaps"}
    # one office's names as compared (office_key): "Lakeside" and "lakeside " are one office, told apart too
    keys = [office_key(o.office) if o.office is not None else None for o in outcomes]
    names = Counter(keys)
    scored = [o for o, k in zip(outcomes, keys) if names[k] > 1 and o.assessment is not None]
    tags = dict(zip(map(id, scored), telling_apart([o.assessment for o in scored if o.assessment is not None])))
    for o, k in zip(outcomes, keys):
        if names[k] > 1:  # the portfolio needs unique labels too
            o.office = f"{o.office} ({tags.get(id(o)) or Path(o.source).name})"
        base = slugify(o.office or "") or "office"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        o.slug = slug
