"""The edges: the only place where files are read, scored, rendered and written -- for the CLI, the
notebooks and scripts.

Reading: :func:`read_and_score`, :func:`load_assessment` (what the report notebook shows, with an action
plan attached), :func:`load_comparison`, :func:`load_portfolio`, :func:`find_action_plans`. Writing:
:func:`build_report`, :func:`build_comparison`, :func:`build_history` (each runs or renders its page and
writes it atomically, a PDF beside it on request), :func:`migrate_file`; :func:`prefill_from` reads the
previous assessment for a re-assessment. In between, the pure core (``qmskit.core``) computes and
``qmskit.render`` turns frames into HTML; neither opens a file (tests/test_layering.py). The portfolio page
is built by the batch (``qmskit.batch``: its warm workers run ``notebooks/portfolio.ipynb`` on the batch's
own summary), whose notebook reads that summary through :func:`load_portfolio`.
"""
from __future__ import annotations

import datetime as dt
import json
import os
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
    from qmskit.jupyter.warmkernel import WarmKernel
    from qmskit.render.portfolio import Portfolio
    from qmskit.render.report import Audience

# Each edge imports what it uses when it is called: `qmskit score` pays for reading and scoring only, not
# for comparison, history, migration (its crosswalk), prefill or the report stack (tests/test_import_hygiene.py)

# (responses, checklist, actions) -> Assessment: in a batch's or a report's kernel, the office that the
# process driving it has just read and scored with load_assessment (qmskit.jupyter.kernelstate.preload), so it
# is read and scored once; emptied at every kernel reset
PRESCORED: dict[tuple[str, Any, Any], Assessment] = {}


def read_and_score(path: str | Path, checklist=None, *, strict: bool = False) -> Assessment:
    """Read one responses file and score it with ``checklist`` (default: the one its metadata names)."""
    from qmskit.core.scoring import score
    from qmskit.io.responses import evidence_marks, read_responses

    meta, frame = read_responses(path, checklist, strict=strict)
    return score(checklist or meta.get("checklist") or DEFAULT_CHECKLIST, frame, meta, source=path,
                 reverify_marks=evidence_marks())


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
    from qmskit.i18n.catalog import t
    from qmskit.io.responses import read_responses, write_responses

    old_path, out_path = Path(old_path), Path(out_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a version note about the OLD checklist is not news here
        meta, frame = read_responses(old_path, source)
    old_cl = load_checklist(source or meta.get("checklist") or load_crosswalk().source_id)
    new_cl = load_checklist(target)
    if old_path.resolve() == out_path.resolve():
        from qmskit.i18n.catalog import msg
        raise MigrationError(msg("api.migrate_same_file"), path=out_path)
    try:
        result = migrate_responses(meta, frame, old_cl, new_cl)
    except MigrationError as exc:  # the core names no file: the line names the old one
        if exc.path is not None:
            raise
        raise MigrationError(exc.detail, path=old_path, where=exc.where) from None
    for lang_code in ("en", "zh"):  # a new clause no old clause reaches: the catalog's words for why
        column = result.new_clauses[f"reason_{lang_code}"]
        result.new_clauses[f"reason_{lang_code}"] = column.where(column.notna(), t("migrate.no_old_clause", lang_code))
    write_responses(out_path, result.meta, result.responses, new_cl,
                    lang=lang or str(meta.get("language") or "en"), backup=True)
    return result


def prefill_from(previous_path: str | Path, checklist=None, *, keep_answers: bool = False,
                 assessor: str | None = None, lang: str | None = None) -> Prefill:
    """Read the previous assessment and build the new one's metadata and responses."""
    from qmskit.checklist.loader import load_checklist
    from qmskit.core.reassess import CARRIED_META, Prefill, prefill_frame
    from qmskit.i18n.catalog import reverify_mark, reverify_marks
    from qmskit.io.iorw import file_sha256
    from qmskit.io.responses import read_responses

    previous_path = Path(previous_path)
    pmeta, pframe = read_responses(previous_path, checklist)
    cl = load_checklist(checklist or pmeta.get("checklist") or DEFAULT_CHECKLIST)
    lang = lang or (str(pmeta["language"]) if pmeta.get("language") in LANGUAGES else DEFAULT_LANGUAGE)
    frame, dropped = prefill_frame(pframe, cl, mark=reverify_mark(lang), known_marks=reverify_marks(),
                                   keep_answers=keep_answers)
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


# ----------------------------------------------------------------------------- what the notebooks read

def load_assessment(responses_path: str | Path, checklist: Any = None, actions: str | Path | None = None, *,
                    strict: bool = False, reader_warnings: list | None = None,
                    scoring_warnings: list | None = None) -> Assessment:
    """Read and score one responses file, as the report shows it: reader warnings (e.g. a checklist
    version mismatch) are kept in ``assessment.warnings`` so the report shows them instead of printing
    them; an action plan (``actions``) and a merged file's "Answered by" column are attached
    (:func:`attach_actions`); the file's SHA-256 is kept for the report's parameters. ``strict``: reader
    warnings are errors; ``reader_warnings`` receives the reader's warnings and ``scoring_warnings`` the
    scoring's own notes (e.g. n/a without a justification), both for build_report to show."""
    prescored = PRESCORED.pop((str(responses_path), checklist, actions), None)
    if prescored is not None:
        return prescored
    from qmskit.core.scoring import score
    from qmskit.io.responses import evidence_marks, read_responses

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        meta, frame = read_responses(responses_path, checklist, strict=strict)
        read = len(caught)
        assessment = score(checklist or meta.get("checklist") or DEFAULT_CHECKLIST, frame, meta,
                           source=responses_path, reverify_marks=evidence_marks())
    # a ResourceWarning is the garbage collector's note about whatever object it happened to finalise
    # meanwhile ("Unclosed context <zmq.asyncio.Context …>" of the kernel build_report boots alongside),
    # never news about this file: the report's warnings list showed it at random
    read_caught = [w for w in caught[:read] if not issubclass(w.category, ResourceWarning)]
    caught = read_caught + [w for w in caught[read:] if not issubclass(w.category, ResourceWarning)]
    if reader_warnings is not None:
        reader_warnings.extend(read_caught)
    if scoring_warnings is not None:
        scoring_warnings.extend(assessment.warnings)
    assessment.warnings = [_as_note(w.message) for w in caught] + list(assessment.warnings)
    if Path(responses_path).is_file():
        from qmskit.io.iorw import file_sha256
        from qmskit.render.report import SOURCE_SHA256
        assessment.meta[SOURCE_SHA256] = file_sha256(responses_path)
    return attach_actions(assessment, responses_path, actions)


def attach_actions(a: Assessment, responses_path: str | Path | None, actions_path: str | Path | None = None,
                   as_of: dt.date | None = None) -> Assessment:
    """Attach an action plan (when given: its status as of ``as_of``, default today) and the merged file's
    "Answered by" column (when present) to ``a``, for the report (:mod:`qmskit.render.actions_report`)."""
    from qmskit.io.merge import read_answered_by
    answered_by = read_answered_by(responses_path) if responses_path else {}
    if answered_by:
        a.meta["_answered_by"] = answered_by
    if actions_path not in (None, ""):
        from qmskit.core.actions import PlanFit, closed_before, finding_ids, plan_fit, progress
        from qmskit.i18n.catalog import msg
        from qmskit.io.actions_xlsx import read_actions
        from qmskit.render.actions_report import AttachedActions
        from qmskit.render.report import SOURCE_SHA256
        f = read_actions(str(actions_path))
        sha = a.meta.get(SOURCE_SHA256)
        if not sha and a.source and Path(a.source).is_file():
            from qmskit.io.iorw import file_sha256
            sha = file_sha256(a.source)
        from qmskit.core.assessment import same_office
        if f.office and not same_office(f.office, a.office):
            # another office's plan: its statuses are of other findings (noted, not attached)
            a.meta[PLAN_NOTE] = msg("actions.plan_other_office", plan=Path(actions_path).name, plan_office=f.office,
                                    office=a.office)
            a.warnings.append(a.meta[PLAN_NOTE])
            return a
        fit = plan_fit(f.meta.get("responses_sha256"), f.meta.get("assessment_date"), sha, a.date)
        fields = {"plan": Path(actions_path).name, "plan_date": f.meta.get("assessment_date"), "date": a.date}
        before = closed_before(f.plan, f.meta.get("closed_before"))
        if fit is PlanFit.NEWER:  # never a later assessment's plan on an earlier one: noted, not attached
            a.meta[PLAN_NOTE] = msg("actions.plan_newer", **fields)
            a.warnings.append(a.meta[PLAN_NOTE])
            return a
        if fit is PlanFit.OLDER:  # the follow-up: last time's plan against this assessment's findings
            a.meta[PLAN_NOTE] = msg("actions.plan_older", **fields)
            a.warnings.append(a.meta[PLAN_NOTE])
            before = [str(i) for i in f.plan["id"]]  # every status it holds was set before this assessment
        day = as_of or dt.date.today()
        # counted against this assessment's findings: the plan may be last year's, not yet updated from it
        a.meta["_actions"] = AttachedActions(str(actions_path), f.plan,
                                             progress(f.plan, a.office, day, findings=finding_ids(a),
                                                      assessed=a.date, before=before))
    return a


# the one-line note when an action plan is of another assessment than the one it is given with
PLAN_NOTE = "_actions_note"


def find_action_plans(actions_dir: str | os.PathLike) -> dict[str, Path]:
    """The action plans in a folder, by office name (:func:`qmskit.core.assessment.office_key`);
    unreadable files are warned about and skipped."""
    from qmskit.core.assessment import office_key
    from qmskit.errors import QmskitError
    from qmskit.io.actions_xlsx import read_actions

    folder = Path(actions_dir)
    if not folder.is_dir():
        from qmskit.i18n.catalog import msg
        raise QmskitError(msg("api.not_actions_folder"), path=folder)
    plans: dict[str, Path] = {}
    for path in sorted(folder.glob("*.xlsx")):
        if path.name.startswith((".", "~$")):
            continue
        try:
            office = read_actions(path).office
        except QmskitError as exc:
            from qmskit.errors import ResponsesWarning
            from qmskit.i18n.catalog import line_message, msg
            warnings.warn(ResponsesWarning(msg("api.plan_skipped", error=line_message(exc))), stacklevel=2)
            continue
        if office:
            plans.setdefault(office_key(office), path)
    return plans


def load_comparison(before: str | Path, after: str | Path, checklist: Any = None, force: bool = False) -> Comparison:
    """Read, score and compare two files; reader warnings are kept as the comparison's notes, not printed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cmp = compare_files(before, after, checklist=checklist, force=force)
    cmp.notes.extend(_as_notes(caught))
    return cmp


def _as_notes(caught: list[warnings.WarningMessage]) -> list[str]:
    """Reader warnings as a page's notes (Python's own deprecation notices are not the reader's)."""
    return [_as_note(w.message) for w in caught if not issubclass(w.category, (DeprecationWarning, FutureWarning))]


def _as_note(warning: Warning | str) -> str:
    """A warning as a note: its English line, a Message the page says in its language when it is one."""
    from qmskit.errors import ResponsesWarning
    from qmskit.i18n.catalog import line_message
    return line_message(warning) if isinstance(warning, ResponsesWarning) else str(warning)


def load_portfolio(path: str | Path, lang: str | None = None) -> Portfolio:
    """The batch summary JSON (:func:`qmskit.batch.summary.portfolio_data`) as the portfolio page shows it."""
    from qmskit.render.portfolio import Portfolio

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Portfolio(data, lang or data.get("lang", DEFAULT_LANGUAGE))


# ----------------------------------------------------------------------------- pages written

def _check_brand_and_printer(brand: str | Path | None, pdf: bool) -> Path | None:
    """The brand file (``brand`` or ``$QMSKIT_BRAND``), read and checked, and Chromium when a PDF is asked
    for: both fail in one line before any kernel starts. Returns the brand file's path (None: neutral)."""
    from qmskit.render.brand import load_brand, resolve_path

    brand_path = resolve_path(brand)
    load_brand(brand_path)
    if pdf:
        from qmskit.render.pdf import check_available
        check_available()
    return brand_path.resolve() if brand_path else None


def _absolute_checklist(checklist: Any) -> Any:
    """A checklist given as a .yaml path, made absolute (a kernel's working directory may differ); an id as is."""
    if checklist is not None and Path(str(checklist)).suffix in (".yaml", ".yml") and Path(str(checklist)).exists():
        return str(Path(checklist).resolve())
    return checklist


def _write_page(out: Path, html_text: str, nb: Any = None, *, pdf: bool = False) -> Path:
    """The page (atomically), the executed notebook beside it when given, a PDF beside it with ``pdf``.

    A page there already that holds another report (an earlier assessment of the same office: the file
    names are the office's) is kept as a backup first, and said: `report` on this year's file replaced last
    year's report without a word (found by a new user's session). Pages are the same bytes for the same
    input, so writing one again unchanged keeps nothing and says nothing. A PDF beside a page that changed
    (or beside no page) was printed from another report: it is kept as a backup too, never replaced."""
    import warnings

    from qmskit.errors import ResponsesWarning
    from qmskit.i18n.catalog import msg
    from qmskit.io import iorw

    if nb is not None:
        from qmskit.jupyter import notebook
        notebook.write_notebook(nb, out.with_suffix(".ipynb"))
    data = html_text.encode("utf-8")
    existed = out.is_file()
    changed = not existed or out.stat().st_size != len(data) or out.read_bytes() != data
    if existed and changed:
        kept = iorw.backup_file(out)
        warnings.warn(ResponsesWarning(msg("api.earlier_page_kept", backup=kept.name), path=out), stacklevel=2)
    iorw.write_bytes(out, data)
    printed = out.with_suffix(".pdf")
    stale = changed and printed.exists()
    if stale:
        kept = iorw.backup_file(printed)
        printed.unlink()
        key = "api.earlier_pdf_backed_up" if pdf else "api.earlier_pdf_kept"
        warnings.warn(ResponsesWarning(msg(key, pdf=printed.name, backup=kept.name), path=out), stacklevel=2)
    if pdf:
        from qmskit.render.pdf import print_pdf
        print_pdf(out, printed)
    return out


def build_report(responses_path: str | Path, out_dir: str | Path, *, lang: str | None = "en", checklist: Any = None,
                 keep_notebook: bool = False, title: str | None = None, timeout: float | None = None,
                 brand: str | Path | None = None, audience: Audience | str = "internal",
                 pdf: bool = False, seq: int | None = None, actions: str | Path | None = None,
                 strict: bool = False, kernel: WarmKernel | None = None) -> Path:
    """Execute the report notebook for one office and write ``out_dir/<office-slug>.<lang>.html`` atomically.

    The brand file (``brand`` or ``$QMSKIT_BRAND``) is read first, so a bad one fails in one line before
    any kernel starts. Then the kernel is launched and, while it boots, the responses are read and scored
    here (a bad file fails fast with its one-line error; the kernel is stopped at once) and the kernel is
    handed the result instead of reading the file again. ``lang=None`` takes the language from the
    file's metadata (default English). With ``keep_notebook`` the executed notebook is written beside it
    as ``.ipynb``; with ``pdf`` a PDF is printed beside it by headless Chromium (:mod:`qmskit.render.pdf`;
    checked before the notebook runs). Nothing is written on failure. Reader warnings (another
    checklist, an ignored sheet or row) are also issued here, so the command line shows them; with
    ``strict`` they are errors.

    ``kernel``: a :class:`~qmskit.jupyter.warmkernel.WarmKernel` the caller has entered and keeps (for
    several reports in one process, e.g. a notebook or a test session): the report runs on it, wiped
    before the notebook as between a batch's offices, and it is left running. Without one (the CLI) a
    kernel is launched for this report alone and killed when it is done.
    """
    import contextlib

    from qmskit.jupyter.warmkernel import WarmKernel

    brand_path = _check_brand_and_printer(brand, pdf)
    # the kernel is launched first, before this process imports pandas and the report stack: it boots in
    # its own process while the file is read and scored here; it is killed at once when the block ends,
    # whatever ended it (a kernel handed in is the caller's: the block leaves it running)
    with (contextlib.nullcontext(kernel) if kernel is not None else WarmKernel(checklists=())) as running:
        from qmskit.io.iorw import slugify
        from qmskit.jupyter import notebook
        from qmskit.render.report import check_audience, page_title, report_filename

        audience = check_audience(audience)
        nb, office, lang = _execute_report(running, responses_path, lang, checklist, title, timeout, actions,
                                           strict, {"brand": str(brand_path) if brand_path else None,
                                                    "audience": audience.value, "report_seq": seq,
                                                    "out_dir": str(Path(out_dir).resolve()), "pdf": pdf})
    html_text = notebook.export_html(nb, title=page_title(office, lang, title), lang=lang)
    out = Path(out_dir) / report_filename(slugify(office), lang, audience)
    return _write_page(out, html_text, nb if keep_notebook else None, pdf=pdf)


def _execute_report(kernel: Any, responses_path: str | Path, lang: str | None, checklist: Any, title: str | None,
                    timeout: float | None, actions: str | Path | None, strict: bool,
                    extra: dict[str, Any]) -> tuple[Any, str, str]:
    """build_report's reading, scoring and notebook run, on the kernel launched for it."""
    from qmskit.errors import ResponsesWarning
    from qmskit.i18n.catalog import check_lang
    from qmskit.jupyter import notebook

    caught: list = []
    noted: list = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the report lists them; the terminal gets them just below
        a = load_assessment(responses_path, checklist, actions, strict=strict, reader_warnings=caught,
                            scoring_warnings=noted)
    for w in caught:  # errors (a bad file, a bad action plan) name the path as given
        if issubclass(w.category, ResponsesWarning):  # e.g. re-scored with another checklist: never silent
            warnings.warn(w.message, stacklevel=3)  # the warning itself: the CLI says it in its language
    for note in noted:  # the scoring's own (n/a without a justification): `score` prints them, and so here
        warnings.warn(ResponsesWarning(note, path=responses_path), stacklevel=3)
    if a.meta.get(PLAN_NOTE) is not None:  # the action plan is of another assessment: one line, both dates
        warnings.warn(ResponsesWarning(a.meta[PLAN_NOTE], path=actions), stacklevel=3)
    meta = a.meta
    responses_path = Path(responses_path).resolve()  # absolute: the kernel's working directory may differ
    lang = check_lang(lang or meta.get("language") or "en")
    checklist = _absolute_checklist(checklist)
    office = str(meta.get("office") or responses_path.stem)
    params = {"responses": str(responses_path), "checklist": checklist, "lang": lang, "title": title, **extra}
    if actions is not None:
        params["actions"] = str(Path(actions).resolve())
    # read and scored once: the kernel takes this Assessment, as its notebook would have computed it
    # (same function, same file; the source as the kernel names it); with an action plan the notebook
    # reads again (the plan's file name is part of what it computes)
    a.source = str(responses_path) if a.source is not None else None
    nb = kernel.run_report(notebook.bundled_notebook("report"), params,
                           checklists=[str(a.checklist.source or a.checklist.id)],
                           preload=None if actions is not None else a, office=office,
                           before_run=lambda: notebook.prepare_export(lang),
                           **({"timeout": timeout} if timeout else {}))
    return nb, office, lang


def build_comparison(before: str | Path, after: str | Path, out_dir: str | Path, *, lang: str = "en",
                     checklist: Any = None, force: bool = False, title: str | None = None,
                     keep_notebook: bool = False, brand: str | Path | None = None, audience: str = "internal",
                     pdf: bool = False, kernel: WarmKernel | None = None) -> tuple[Path, Comparison]:
    """Execute ``notebooks/compare.ipynb`` and write ``out_dir/<office>-compare.<lang>.html`` atomically
    (and a PDF beside it with ``pdf``; ``brand``/``audience`` as for the office report).

    Both files are read and compared here first, so a bad file or a refused comparison fails fast with
    its one-line error and no kernel is started. ``kernel``: a warm kernel the caller keeps, as for
    :func:`build_report` (the notebook runs on it, wiped first; it is left running); without one the
    notebook runs on a fresh kernel of its own.
    """
    from qmskit.i18n.catalog import check_lang
    from qmskit.io.iorw import slugify
    from qmskit.jupyter import notebook
    from qmskit.render.compare_report import comparison_filename, report_title
    from qmskit.render.report import check_audience

    lang = check_lang(lang)
    checked = check_audience(audience)
    brand_path = _check_brand_and_printer(brand, pdf)
    before, after = Path(before).resolve(), Path(after).resolve()
    checklist = _absolute_checklist(checklist)
    cmp = load_comparison(before, after, checklist, force)
    params = {"before": str(before), "after": str(after), "checklist": checklist, "lang": lang, "force": force,
              "title": title, "brand": str(brand_path) if brand_path else None, "audience": checked.value}
    if kernel is None:
        nb = notebook.execute_notebook(notebook.bundled_notebook("compare"), params, office=cmp.office)
    else:
        nb = kernel.run_report(notebook.bundled_notebook("compare"), params, office=cmp.office)
    html_text = notebook.export_html(nb, title=report_title(cmp, lang, title), lang=lang)
    out = Path(out_dir) / comparison_filename(slugify(cmp.office), lang, checked)
    return _write_page(out, html_text, nb if keep_notebook else None, pdf=pdf), cmp


def build_history(paths: list[str | Path], out_dir: str | Path, *, lang: str = "en", checklist: Any = None,
                  force: bool = False, pdf: bool = False) -> tuple[Path, History]:
    """Read and score the files, write ``out_dir/<office>-history.<lang>.html`` atomically (the page is rendered
    directly, no notebook); reader warnings become the page's notes. ``pdf``: a PDF printed beside it."""
    from qmskit.io.iorw import slugify
    from qmskit.render.history_report import history_filename, render_history

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = history_files(paths, checklist=checklist, force=force)
    h.notes.extend(_as_notes(caught))
    out = Path(out_dir) / history_filename(slugify(h.office), lang)
    return _write_page(out, render_history(h, lang, {"force": force}), pdf=pdf), h
