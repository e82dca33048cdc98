"""An office's responses: read (.xlsx/.ods/.csv/.yaml) into (metadata, frame), validate, write atomically.

Each kind of file is a :class:`ResponsesFormat` in one registry by suffix (:func:`format_for`,
:func:`register_format`), so reading, writing and the form's check of a path share one table.

The frame has one row per answered-or-annotated question: id, answer (canonical), evidence, notes,
owner, due (YYYY-MM-DD or ""), row (the line or spreadsheet row it came from, for error messages).

CSV layout: optional ``# key: value`` metadata lines, then a header ``id,answer,evidence,notes,owner,due``.
YAML layout: metadata keys at the top level and a ``responses:`` list of mappings with those keys.
KPI values (when the checklist declares indicators) travel in ``meta["kpis"]`` as [{id, value, previous}]:
xlsx "KPIs" sheet, yaml ``kpis:``, csv ``# kpi.<id>: value`` lines (see qmskit.core.kpis).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import warnings
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from qmskit.checklist.loader import Checklist, load_checklist
from qmskit.config import DEFAULT_CHECKLIST, DEFAULT_LANGUAGE, LANGUAGES
from qmskit.core.arrays import checklist_arrays
from qmskit.core.kpis import csv_kpi_entry, csv_kpi_lines, kpi_entries_from_yaml, parse_kpi_values, yaml_kpis
from qmskit.core.model import RESPONSE_COLUMNS
from qmskit.core.scales import NA, allowed_answers, normalize_answers
from qmskit.core.values import is_missing
from qmskit.errors import QmskitError, ResponsesError, ResponsesProblems, ResponsesWarning, RowPlace
from qmskit.i18n.catalog import msg, reverify_marks
from qmskit.i18n.numbers import fmt_size
from qmskit.io import iorw
from qmskit.io.cells import neutralize_csv, normalize_text, normalize_value, unneutralize_csv
from qmskit.io.limits import (
    MAX_CELL_CHARS,
    MAX_CELL_TEXT_BYTES,
    MAX_COLUMNS,
    MAX_RESPONSES_BYTES,
    MAX_ROWS,
    cell_too_long,
    check_regular_file,
    read_bytes_bounded,
)

COLUMNS = RESPONSE_COLUMNS  # one definition, in the model
META_KEYS = ["office", "assessor", "date", "checklist", "checklist_version", "scope", "sites",
             "exclusions", "excluded_clauses", "language", "status", "confidentiality",
             "report_number", "summary", "closing", "internal_notes"]  # consultant's words: Markdown


def empty_responses() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS} | {"row": pd.Series(dtype="int64")})


# ----------------------------------------------------------------------------- reading

def evidence_marks() -> tuple[str, ...]:
    """The marks the scorer is given (``score(..., reverify_marks=...)``): the re-verify mark of every
    language, which ``qmskit template --from`` puts before the evidence it carries over. Evidence still
    carrying one was not seen in this assessment, so its "yes" counts as unsupported."""
    return reverify_marks()


def read_responses(path: str | Path, checklist: Checklist | str | None = None, *,
                   strict: bool = False) -> tuple[dict, pd.DataFrame]:
    """Read and validate one responses file. Returns (metadata, frame); raises ResponsesError."""
    path = Path(path)
    # a folder, FIFO or device is refused before open() (a FIFO would block, /dev/zero never ends)
    if check_regular_file(path, ResponsesError, MAX_RESPONSES_BYTES, "limits.what.responses_file") == 0:
        raise ResponsesError(msg("responses.empty_file"), path=path)
    fmt = format_for(path)
    meta, raw = fmt.read(path, strict)
    rows_are = RowPlace.ROW if fmt.sheets else RowPlace.LINE  # a workbook's rows, a text file's lines
    _check_shape(meta, raw, path, rows_are)
    meta = {k: normalize_value(v) for k, v in meta.items()}
    meta = {k: v for k, v in meta.items() if v not in (None, "")}
    # a file name may hold what typed text may not (ESC, BEL, a newline): the office it names is normalised too
    meta.setdefault("office", " ".join(normalize_text(path.stem).split()) or "office")
    if checklist is None and "checklist" in meta:
        meta["checklist"] = checklist_named_in_file(meta["checklist"], path)
    cl = load_checklist(checklist or meta.get("checklist") or DEFAULT_CHECKLIST)
    _check_checklist_match(path, meta, cl, strict)
    problems: list[ResponsesError] = []  # every problem of the file, reported together
    more = 0
    frame = None
    try:
        frame = validate_responses(raw, cl, path, rows_are=rows_are)
    except ResponsesProblems as exc:
        problems, more = list(exc.problems), exc.more
    except ResponsesError as exc:
        problems.append(exc)
    checks = {
        # measured KPI values (qmskit.core.kpis): checked against the checklist's indicators
        "kpis": lambda v: parse_kpi_values(v, cl, path, rows_are=RowPlace.KPIS_ROW if fmt.sheets else RowPlace.LINE),
        "date": lambda v: _meta_date(v, path),
        # exclusions by clause (qmskit.core.exclusions), applied when scoring
        "excluded_clauses": lambda v: _check_excluded_clauses(v, cl, path),
        "language": lambda v: _check_language(v, path),
    }
    for key, check in checks.items():
        if key in meta:
            try:
                meta[key] = check(meta[key])
            except ResponsesProblems as exc:  # e.g. two clauses that cannot be excluded
                problems.extend(exc.problems)
            except ResponsesError as exc:
                problems.append(exc)
    if problems:
        if rows_are is RowPlace.LINE:  # answers and KPIs are lines of one text: listed in file order
            problems.sort(key=lambda e: _row_number(e.where))
        raise problems[0] if len(problems) == 1 and not more else ResponsesProblems(problems, more=more)
    if frame is None:  # validation failed without naming a problem (an empty ResponsesProblems): never (meta, None)
        raise ResponsesError(msg("responses.unreadable"), path=path)
    return meta, frame


def _meta_date(value, path: Path) -> str:
    """The Office sheet's (or metadata's) ``date`` as YYYY-MM-DD; its words are made only when it is no date."""
    text = _date_text(value)
    if text is None:
        raise _not_a_date(value, path, msg("place.metadata"), msg("responses.what_date"))
    return text


def _check_language(value, path: Path) -> str:
    """The report language as written in the file (en, zh, English, 中文 …) as ``en`` / ``zh``."""
    from qmskit.i18n.catalog import language_code
    code = language_code(value)
    if code is None:
        raise ResponsesError(msg("responses.bad_language", value=str(value).strip()), path=path,
                             where=msg("place.metadata_key", key="language"))
    return code


def _check_excluded_clauses(value, cl: Checklist, path: Path) -> str:
    """Check an ``excluded_clauses`` value; return it as one canonical line ("8.3: why; 7.1.5.2")."""
    from qmskit.core.exclusions import canonical_excluded_clauses
    try:
        return canonical_excluded_clauses(cl, value)
    except ValueError as exc:  # the core names each problem as a catalog Message (exc.args)
        errors = [ResponsesError(msg("responses.excluded_clauses", problem=p), path=path, where=msg("place.metadata"))
                  for p in exc.args]
        raise (errors[0] if len(errors) == 1 else ResponsesProblems(errors)) from None


def _too_long(text: str, path: Path, where: str) -> ResponsesError:
    return ResponsesError(cell_too_long(len(text)), path=path, where=where)


def _check_shape(meta: dict, raw: pd.DataFrame, path: Path, rows_are: RowPlace = RowPlace.ROW) -> None:
    """Every format: at most MAX_ROWS responses and MAX_COLUMNS columns, no text over MAX_CELL_CHARS."""
    if len(raw) > MAX_ROWS:
        raise ResponsesError(msg("responses.too_many_rows", n=len(raw), limit=MAX_ROWS), path=path)
    if len(raw.columns) > MAX_COLUMNS + 1:  # + the "row" column the readers add
        raise ResponsesError(msg("responses.too_many_columns", n=len(raw.columns) - 1, limit=MAX_COLUMNS), path=path)
    for key, value in meta.items():
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise _too_long(value, path, str(key)[:40])
    objects = [i for i, kind in enumerate(raw.dtypes.tolist())
               if kind == np.dtype(object) or isinstance(kind, pd.StringDtype)]  # (a CSV's columns are "str")
    table = raw.to_numpy(dtype=object) if objects else None  # one call for every column (pandas calls cost)
    text = [v for v in meta.values() if isinstance(v, str)]  # all text, for MAX_CELL_TEXT_BYTES
    for i in objects:
        values = table[:, i].tolist()  # type: ignore[index]
        if set(map(type, values)) <= {str, type(None)}:  # the usual column: C-level passes only
            text.extend(filter(None, values))
            if max(map(len, filter(None, values)), default=0) <= MAX_CELL_CHARS:
                continue
        else:
            text.extend(v for v in values if isinstance(v, str))
        lengths = [len(v) if isinstance(v, str) else 0 for v in values]
        if lengths and max(lengths) > MAX_CELL_CHARS:
            j = int(np.argmax(lengths))
            raise _too_long(values[j], path,
                            rows_are.at(raw["row"].iloc[j]) if "row" in raw else str(raw.columns[i]))
    # every format (a CSV or YAML file is only bounded by its 20 MB): what the report shows of it costs ~40
    # bytes a byte in the batch (see MAX_CELL_TEXT_BYTES)
    size = len("".join(text).encode("utf-8", "surrogatepass"))
    if size > MAX_CELL_TEXT_BYTES:
        raise ResponsesError(msg("responses.cell_text", size=fmt_size(size), limit=fmt_size(MAX_CELL_TEXT_BYTES)), path=path)


def _check_csv_shape(path: Path) -> None:
    """Rows, columns and cell lengths of a CSV, streamed with the csv module (bounded memory and time)."""
    from qmskit.io.csvtext import decode_csv  # UTF-8, or GBK/GB18030 from Chinese Excel; else one line with a hint
    text = decode_csv(read_bytes_bounded(path, ResponsesError, MAX_RESPONSES_BYTES, "limits.what.responses_file"), path,
                      warn=False)
    stream = io.StringIO(text)
    line = 0
    pos = 0
    while True:  # the leading "# key: value" metadata lines are not table rows
        pos = stream.tell()
        head = stream.readline()
        if not head.startswith(("#", '"#')):
            break
        line += 1
        if line > MAX_ROWS:
            raise ResponsesError(msg("responses.too_many_meta_lines", limit=MAX_ROWS), path=path)
    stream.seek(pos)
    reader = csv.reader(stream)

    def where() -> str:  # the line being read; its words are made only for an error
        return msg("place.line", line=line + reader.line_num)

    try:
        for n, fields in enumerate(reader):
            if n > MAX_ROWS:
                raise ResponsesError(msg("responses.more_rows_than_limit", limit=MAX_ROWS), path=path, where=where())
            if len(fields) > MAX_COLUMNS:
                raise ResponsesError(msg("responses.too_many_columns", n=len(fields), limit=MAX_COLUMNS), path=path,
                                     where=where())
            for field in fields:
                if len(field) > MAX_CELL_CHARS:
                    raise _too_long(field, path, where())
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ResponsesError(msg("responses.cell_over_limit", limit=MAX_CELL_CHARS), path=path,
                                 where=where()) from None
        raise ResponsesError(msg("responses.malformed_csv", problem=str(exc)), path=path, where=where()) from None


def checklist_named_in_file(value, path: Path) -> str:
    """The ``checklist:`` a responses file names, if it may be used: a bundled checklist's id, or a
    regular .yaml file under the responses file's folder or the working folder (returned as an absolute
    path, so whoever loads it later, wherever its cwd is, gets the same file). Anything else (another
    folder, a device, a FIFO, a directory) is refused without opening it, so nothing of it is echoed."""
    from qmskit.io.limits import file_kind
    text = str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
    if not text or len(text) > 300 or any(ord(ch) < 32 for ch in text):
        raise ResponsesError(msg("responses.checklist_entry"), path=path, where="checklist")
    shown = text if len(text) <= 80 else text[:79] + "…"
    candidate = Path(text).expanduser()
    if candidate.suffix.lower() not in (".yaml", ".yml") and not os.path.lexists(candidate):
        from qmskit.checklist.loader import resolve_checklist
        from qmskit.errors import ChecklistError
        try:
            resolve_checklist(text)  # a bundled id
        except ChecklistError as exc:   # (it lists the bundled ids): said of this file, with the way out
            raise ResponsesError(msg("responses.checklist_unknown", problem=str(exc)), path=path,
                                 where="checklist") from None
        return text
    roots = [path.resolve().parent, Path.cwd().resolve()]
    tries = [candidate] if candidate.is_absolute() else [root / candidate for root in roots]
    for place in tries:
        try:
            real = place.resolve()
        except (OSError, RuntimeError):
            continue
        if not any(real.is_relative_to(root) for root in roots):
            continue
        kind = file_kind(real)
        if kind == "missing":
            continue
        if kind is not None:
            raise ResponsesError(msg("responses.checklist_not_file", shown=shown, kind=kind),
                                 path=path, where="checklist")
        _check_bases_within(real, roots, path)
        return str(real)
    raise ResponsesError(msg("responses.checklist_outside", shown=shown), path=path, where="checklist")


MAX_BASES = 10  # a profile of a profile of …: more than any real chain (cycles are the loader's to report)


def _check_bases_within(checklist: Path, roots: list[Path], path: Path) -> None:
    """The same rule for what a checklist named by a responses file builds on: each ``extends:`` down the
    chain is a bundled id or a regular file under ``roots``, checked before that file is opened (a named
    checklist's ``extends: /elsewhere/x.yaml`` had qmskit parse any file and echo its content in the
    error lines: "unknown key 'SECRET-KEY-X'", found by a hostile-file session). A file that cannot be
    read here is left to the loader, which reports it (it is within the rule)."""
    from qmskit.errors import ChecklistError
    from qmskit.io.limits import file_kind
    from qmskit.io.yamlio import load_yaml
    for _ in range(MAX_BASES):
        try:
            data, _lines = load_yaml(checklist, ChecklistError)
        except ChecklistError:
            return
        base = data.get("extends") if isinstance(data, dict) else None
        if not isinstance(base, str) or not base.strip():
            return
        candidate = Path(base).expanduser()
        if candidate.suffix.lower() not in (".yaml", ".yml") and not os.path.lexists(candidate):
            return  # a bundled id (an unknown one is the loader's error, with the bundled ids)
        try:
            real = candidate.resolve()
        except (OSError, RuntimeError):
            real = None
        if real is None or not any(real.is_relative_to(root) for root in roots) or file_kind(real) is not None:
            shown = base if len(base) <= 80 else base[:79] + "…"
            raise ResponsesError(msg("responses.checklist_base_outside", checklist=checklist.name, shown=shown),
                                 path=path, where="checklist")
        checklist = real


def checklist_reference(cl: Checklist, path: Path) -> str:
    """What a file written at ``path`` names as its checklist: a bundled checklist's id; a checklist file's
    path, relative to the written file's folder when it lies under it (the two can move together, and
    :func:`checklist_named_in_file` accepts it there), else absolute. The id of a checklist given by path
    named nothing a later `qmskit score` could find ("unknown checklist 'mini-m'", found by a hostile-file
    session)."""
    from qmskit.checklist.loader import bundled_dir
    if cl.source is None:
        return cl.id
    source = Path(cl.source).resolve()
    if source.parent == bundled_dir().resolve():
        return cl.id
    folder = path.resolve().parent
    return source.relative_to(folder).as_posix() if source.is_relative_to(folder) else str(source)


def filled_in_count(path: str | Path) -> int | None:
    """How many questions of an existing responses file hold an answer or any text; None when unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _meta, frame = read_responses(path)
    except (QmskitError, OSError):
        return None
    text = (frame[["evidence", "notes", "owner", "due"]].astype(str) != "").any(axis=1)
    return int((frame["answer"].notna() | text).sum())


def refuse_to_replace_answers(output: str | Path, force: bool) -> None:
    """A fresh file (a template, a split's part) never silently replaces an office's work: one line naming
    ``output`` and how many answers it holds, unless ``force`` (the writer then keeps it as a backup)."""
    output = Path(output)
    if force or not output.exists():
        return
    held = filled_in_count(output)
    if held is None:
        raise QmskitError(msg("cli.template.not_responses"), path=output)
    if held:
        raise QmskitError(msg("cli.template.holds_answers", n=held), path=output)


def _check_checklist_match(path: Path, meta: dict, cl: Checklist, strict: bool) -> None:
    problems = []
    named = meta.get("checklist")
    if named and not _names_checklist(str(named), path, cl):
        problems.append(msg("responses.other_checklist", named=str(meta["checklist"]), used=cl.id))
    if meta.get("checklist_version") and str(meta["checklist_version"]) != cl.version:
        problems.append(msg("responses.other_version", version=str(meta["checklist_version"]), current=cl.version))
    for problem in problems:
        if strict:
            raise ResponsesError(msg("responses.strict", problem=problem), path=path)
        warnings.warn(ResponsesWarning(problem, path=path), stacklevel=3)


def _names_checklist(named: str, path: Path, cl: Checklist) -> bool:
    """Whether a file's ``checklist:`` names ``cl``: its id, or (a checklist file, :func:`checklist_reference`)
    its file, found as the reader finds it (beside the file or from the working folder), by path alone:
    a checklist given with --checklist is used, the one named is never opened."""
    if not named.lower().endswith((".yaml", ".yml")):
        return named == cl.id
    if cl.source is None:
        return False
    candidate = Path(named).expanduser()
    places = [candidate] if candidate.is_absolute() else [path.parent / candidate, candidate]
    try:
        used = Path(cl.source).resolve()
        return any(place.resolve() == used for place in places)
    except (OSError, RuntimeError):
        return False


MAX_PROBLEMS = 50  # one file lists at most this many problems at once (validate-responses)


def validate_responses(raw: pd.DataFrame, cl: Checklist, path: Path | str = "<responses>", *,
                       rows_are: RowPlace = RowPlace.ROW) -> pd.DataFrame:
    """Check ids, duplicates, answers, dates and n/a rules; return the canonical frame.

    ``rows_are``: what the frame's ``row`` numbers count (a workbook's rows, a CSV's or YAML file's lines),
    so every problem is placed in the one wording of its file (its KPI problems say the same).

    Every problem is collected (up to MAX_PROBLEMS): one problem raises :class:`ResponsesError`, several
    raise :class:`ResponsesProblems` (the first in its message, all in ``.problems``). Column-wise on
    plain lists and arrays (a few hundred rows: pandas calls cost more than the work): each distinct
    answer spelling is parsed once per process, ids are found through a dict kept per checklist, only
    rows with a problem or a value to convert are visited one by one.
    """
    problems: list[ResponsesError] = []

    def problem(message: str, row) -> None:
        problems.append(ResponsesError(message, path=path, where=rows_are.at(row)))

    n = len(raw)

    names = list(raw.columns)
    table = raw.to_numpy(dtype=object) if names else np.empty((n, 0), dtype=object)  # one call, every column

    def column(name: str) -> list:
        return table[keep, names.index(name)].tolist() if name in names else [None] * len(keep)

    all_ids = [v.strip() if v.__class__ is str else "" if is_missing(v) else str(v).strip()
               for v in (table[:, names.index("id")].tolist() if "id" in names else [None] * n)]
    keep = np.array([i for i, qid in enumerate(all_ids) if qid], dtype=np.intp)
    ids = [all_ids[i] for i in keep]
    row_numbers = raw["row"].to_numpy()[keep] if "row" in names else np.arange(2, n + 2)[keep]
    row_of = row_numbers.tolist()
    arrays = checklist_arrays(cl)
    position = arrays.derived.get("io.responses.position")
    if position is None:
        position = arrays.derived["io.responses.position"] = {q: i for i, q in enumerate(arrays.id_values)}
    pos = np.array([position.get(q, -1) for q in ids], dtype=np.intp)
    unknown = pos < 0
    for i in np.flatnonzero(unknown):
        problem(msg("responses.unknown_id", id=ids[i], checklist=cl.id, version=cl.version), row_of[i])
    if len(set(ids)) < len(ids):
        first_row: dict[str, object] = {}
        for qid, row, unknown_id in zip(ids, row_of, unknown.tolist()):
            if qid not in first_row:
                first_row[qid] = row
            elif not unknown_id:
                problem(msg("responses.duplicate_id", id=qid, first=rows_are.at(first_row[qid])), row)
    raw_answers = column("answer")
    canon, invalid = _normalized_answers(raw_answers, cl.scale)
    na_ok = np.where(unknown, True, arrays.na_allowed[np.where(unknown, 0, pos)])
    for i in np.flatnonzero(invalid):
        problem(msg("responses.bad_answer", id=ids[i], answer=str(raw_answers[i]).strip(),
                    allowed=allowed_answers(cl.scale, bool(na_ok[i]))), row_of[i])
    for i in np.flatnonzero((canon == NA) & ~na_ok):
        problem(msg("responses.na_not_allowed", id=ids[i]), row_of[i])
    # _clean_text with its common cases inline (most cells are blank or plain ASCII)
    texts = {col: ["" if v is None else v.strip() if v.__class__ is str and v.isascii() and v.isprintable()
                   else _clean_text(v) for v in column(col)] for col in ("evidence", "notes", "owner")}
    dues = []
    for v, row, qid in zip(column("due"), row_of, ids):
        due = "" if v is None else _date_text(v)
        if due is None:  # the message only for a bad date: this runs for every row
            problems.append(_not_a_date(v, path, rows_are.at(row), msg("responses.due_of", id=qid)))
            due = ""
        dues.append(due)
    if problems:
        problems.sort(key=lambda e: _row_number(e.where))
        shown = problems[:MAX_PROBLEMS]
        raise shown[0] if len(shown) == 1 else ResponsesProblems(shown, more=len(problems) - len(shown))
    if not len(ids):  # as pandas infers empty columns: object, the due column float
        rows = raw["row"].iloc[keep] if "row" in raw else pd.Series(np.arange(2, n + 2)[keep], dtype="int64")
        return pd.DataFrame({"id": pd.Series([], dtype="object"), "answer": pd.Series([], dtype="object"),
                             **{col: pd.Series([], dtype="object") for col in texts},
                             "due": pd.Series([], dtype="float64"), "row": rows.reset_index(drop=True)})
    # every column is built here for this frame alone: pandas need not copy them again
    return pd.DataFrame({"id": _text_array(ids), "answer": pd.Series(canon, dtype=object, copy=False),
                         **{col: _text_array(values) for col, values in texts.items()},
                         "due": _text_array(dues), "row": row_numbers}, copy=False)


_TEXT = pd.StringDtype(na_value=np.nan)  # what pandas makes of a column of str ("str")


def _text_array(values: list[str]):
    """A column of text as pandas infers it from a list of str, built without the inference (from an
    object array through the extension-array constructor: a tenth of the cost, for every column read)."""
    array_type: Any = _TEXT.construct_array_type()
    return array_type._from_sequence(np.array(values, dtype=object), dtype=_TEXT)


_ANSWER_TOKENS: dict[tuple, tuple] = {}  # (scale, type, value) -> (canonical, invalid), filled as spellings appear


def _normalized_answers(values: list, scale: str) -> tuple[np.ndarray, np.ndarray]:
    """(canonical answers, invalid mask) as :func:`normalize_answers` gives them, each distinct spelling
    parsed once per process (a file holds a handful: yes/no/partial/blank…). Values are told apart by type
    and value: True == 1 with the same hash, so a dict keyed by the value alone would give an Excel TRUE
    the parse of a 1 (level 1) or a 1 that of TRUE (invalid), whichever came first. An unhashable value
    (a list or a mapping in YAML) is no answer any scale allows."""
    canon = np.full(len(values), None, dtype=object)
    invalid = np.zeros(len(values), dtype=bool)
    rows_of: dict[tuple, list[int]] = {}  # (scale, type, value) -> the rows holding it
    for i, v in enumerate(values):
        if v is None or (v.__class__ is not str and is_missing(v)):
            continue
        try:
            rows_of.setdefault((scale, v.__class__, v), []).append(i)
        except TypeError:
            invalid[i] = True
    new = [k for k in rows_of if k not in _ANSWER_TOKENS]
    if new:
        canon_new, invalid_new = normalize_answers(pd.Series([k[2] for k in new], dtype=object), scale)
        if len(_ANSWER_TOKENS) > 4096:  # spellings are few; a file of random text must not grow this for ever
            _ANSWER_TOKENS.clear()
        _ANSWER_TOKENS.update(zip(new, zip(canon_new.tolist(), invalid_new.tolist())))
    for key, rows in rows_of.items():
        canon[rows], invalid[rows] = _ANSWER_TOKENS[key]
    return canon, invalid


def _row_number(where: str | None) -> int:
    try:
        return int(str(where).rsplit(" ", 1)[-1])
    except ValueError:
        return 0


def _clean_text(value) -> str:
    return normalize_text(value)  # control characters normalised, surrounding space stripped


def _parse_date(value, path, where: str, what: str) -> str:
    """A date as YYYY-MM-DD ("" when blank); a ResponsesError naming ``what`` and ``where`` otherwise."""
    text = _date_text(value)
    if text is None:
        raise _not_a_date(value, path, where, what)
    return text


def _not_a_date(value, path, where: str, what: str) -> ResponsesError:
    return ResponsesError(msg("responses.not_a_date", what=what, text=str(value).strip()), path=path, where=where)


# YYYY-MM-DD in ASCII digits, which date.fromisoformat reads exactly as strptime's "%Y-%m-%d" does (3.11's
# fromisoformat also takes "20270104" and week dates, so it is only asked once this matches)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_text(value) -> str | None:
    """A date as YYYY-MM-DD, "" when blank, None when it is no date."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if _ISO_DATE.fullmatch(text):  # the usual case, every due date in a workbook: ~4 µs less a date than strptime
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return None  # "2027-02-30": no date in any of the formats below either
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _read_csv(path: Path) -> tuple[dict, pd.DataFrame]:
    meta, frame, start = _csv_parts(path)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("id", "answer") if c not in frame.columns]
    if missing:
        raise ResponsesError(msg("responses.csv_lacks_columns", missing=", ".join(missing), expected=",".join(COLUMNS)),
                             path=path, where=msg("place.line", line=start + 1))
    frame["row"] = range(start + 2, start + 2 + len(frame))  # file line numbers
    return meta, frame


def _csv_parts(path: Path, *, warn: bool = True) -> tuple[dict, pd.DataFrame, int]:
    """(metadata, the table with its header as written, the number of metadata lines) of a responses CSV;
    every cell and header as typed (the quote our writer put before a formula trigger stripped)."""
    from qmskit.io.csvtext import decode_csv
    text = decode_csv(path.read_bytes(), path, warn=warn)
    # split on "\n" only: str.splitlines also breaks at VT, FF, NEL, U+2028 … that may sit inside a cell
    lines = [line for line in re.split(r"(?<=\n)", text) if line]
    meta: dict = {}
    start = 0
    kpis: dict = {}
    while start < len(lines) and (lines[start].startswith("#") or lines[start].startswith('"#')):
        key, sep, value = _meta_line(lines[start])[1:].partition(":")
        if sep and key.strip().startswith("kpi."):
            csv_kpi_entry(key.strip(), value.strip(), start + 1, kpis)
        elif sep:
            meta[key.strip()] = _meta_value(value.strip())
        start += 1
    if kpis:
        meta["kpis"] = list(kpis.values())
    body = "".join(lines[start:])
    if not body.strip():
        raise ResponsesError(msg("responses.no_csv_header"), path=path)
    try:
        frame = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise ResponsesError(msg("responses.malformed_csv", problem=str(exc)), path=path) from None
    frame.columns = [str(unneutralize_csv(c)) for c in frame.columns]
    frame = frame.map(unneutralize_csv)  # strip exactly the quote our writer put before a formula trigger
    return meta, frame, start


def _meta_line(line: str) -> str:
    """A ``# key: value`` line; our writer CSV-quotes it when the value holds a comma or a quote, so a
    spreadsheet shows it as one cell (a second cell could start with a formula)."""
    if line.startswith('"'):
        try:
            return next(csv.reader([line]))[0]
        except (csv.Error, StopIteration, IndexError):
            return line.strip().strip('"')
    return line


def _meta_value(text: str) -> str:
    """A ``# key: value`` line's value: one our writer encoded (:func:`_csv_meta_value`) decoded, any other as
    written. Only exactly what the writer makes is decoded, a JSON string literal of a value with a line break
    or starting with a double quote, so a value an office typed in quotes (``"Site A"``, ``"C:\\temp"``) reads
    as it did before such values were encoded."""
    if len(text) < 2 or text[0] != '"' or text[-1] != '"' or "\\" not in text:  # every encoding holds a backslash
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, str) and _csv_meta_value(value) == text else text


_FIELDS = frozenset(COLUMNS)  # a response's keys: one value each (text, a level, a date)
# metadata a person types as one piece of text (excluded_clauses may be a list or mapping)
_TEXT_META_KEYS = frozenset(META_KEYS) - {"excluded_clauses"}


def _refuse_structured(mapping: dict, keys: Collection[str], at: tuple, lines: dict, path: Path) -> None:
    """A YAML list or mapping where one value is expected (``owner: [HR, Admin]``) is one line naming the key:
    taken as it is it would be stored as its Python text ("['HR', 'Admin']") or break the frame."""
    for key, value in mapping.items():  # in the file's order: the first such value is named
        if key in keys and isinstance(value, (list, dict)):
            raise ResponsesError(msg("responses.value_not_text", key=key), path=path,
                                 where=msg("place.line", line=lines.get(at + (key,), lines.get(at, 0))))


def _read_yaml(path: Path) -> tuple[dict, pd.DataFrame]:
    from qmskit.io.yamlio import load_yaml
    data, lines = load_yaml(path, ResponsesError, words=True)  # `answer: yes` is "yes", `answer: true` no answer
    if isinstance(data, dict) and "responses" not in data:
        # e.g. an assessor-assignment file (template --assign) beside the offices: never score it as an office
        raise ResponsesError(msg("responses.no_responses_key"), path=path)
    if not isinstance(data, dict) or not isinstance(data.get("responses", []), list):
        raise ResponsesError(msg("responses.not_a_mapping"), path=path, where=msg("place.line", line=1))
    rows = []
    for i, item in enumerate(data.get("responses") or []):
        line = lines.get(("responses", i), 0)
        if not isinstance(item, dict):
            raise ResponsesError(msg("responses.item_not_mapping"), path=path, where=msg("place.line", line=line))
        extra = set(item) - set(COLUMNS)
        if extra:
            raise ResponsesError(msg("responses.unknown_key", key=str(sorted(extra, key=str)[0]),
                                     allowed=", ".join(COLUMNS)), path=path, where=msg("place.line", line=line))
        _refuse_structured(item, _FIELDS, ("responses", i), lines, path)
        rows.append({**{c: item.get(c) for c in COLUMNS}, "row": line})
    meta = {k: v for k, v in data.items() if k != "responses"}
    _refuse_structured(meta, _TEXT_META_KEYS, (), lines, path)
    if "kpis" in meta:
        meta["kpis"] = kpi_entries_from_yaml(meta["kpis"], lines, path)
    frame = pd.DataFrame(rows, columns=COLUMNS + ["row"]) if rows else empty_responses()
    return meta, frame


# ----------------------------------------------------------------------------- writing

def write_responses(path: str | Path, meta: dict, responses: pd.DataFrame,
                    checklist: Checklist | str | None = None, *, lang: str | None = None,
                    backup: bool = True, into_existing: bool = True) -> Path:
    """Write responses atomically under the file's lock; an existing file is first kept as ``<name>.bak``.

    Text is normalised (:func:`qmskit.io.cells.normalize_text`) and stored as text: string cells in a
    workbook, a neutralising quote before a formula trigger in CSV. With ``into_existing`` (the default)
    an existing qmskit workbook is updated in place: only the cells qmskit owns change, everything the
    office added (columns, sheets, merged cells, formatting, comments) is kept. ``lang`` (the labels and
    answer words of a new file) defaults to the file's own ``language``, else English.

    Returns the file written: ``path``, or, when an in-place save of an .xlsx would drop parts of the
    office's workbook that openpyxl cannot keep (drawn shapes, threaded comments, form controls ...:
    qmskit.io.xlsx_parts), a ``<stem>.unsaved-<time>.xlsx`` copy beside it (the office's file unchanged,
    a warning naming both).
    """
    path = Path(path)
    if lang is None:
        lang = str(meta.get("language")) if meta.get("language") in LANGUAGES else DEFAULT_LANGUAGE
    cl = load_checklist(checklist or meta.get("checklist") or DEFAULT_CHECKLIST)
    meta = {k: normalize_value(v) for k, v in meta.items()}
    meta = {**meta, "checklist": checklist_reference(cl, path), "checklist_version": cl.version}
    frame = responses.copy()
    for col in COLUMNS:
        if col not in frame:
            frame[col] = ""
    frame = frame[COLUMNS].copy()
    for col in ("evidence", "notes", "owner"):
        frame[col] = frame[col].map(normalize_text)
    return format_for(path).write(path, meta, frame, cl, lang, backup, into_existing) or path


# ----------------------------------------------------------------------------- the formats, by suffix

def _read_xlsx(path: Path, strict: bool) -> tuple[dict, pd.DataFrame]:
    from qmskit.io.xlsx import read_xlsx  # python-calamine, imported only for a workbook
    return read_xlsx(path, strict=strict)


def _read_ods(path: Path, strict: bool) -> tuple[dict, pd.DataFrame]:
    from qmskit.io.ods import read_ods  # LibreOffice: the same sheets as an .xlsx
    return read_ods(path, strict=strict)


def _read_csv_checked(path: Path, strict: bool) -> tuple[dict, pd.DataFrame]:
    _check_csv_shape(path)  # before pandas, which takes minutes and gigabytes on a 5-million-column row
    return _read_csv(path)


def _read_yaml_file(path: Path, strict: bool) -> tuple[dict, pd.DataFrame]:
    return _read_yaml(path)


def _write_xlsx(path: Path, meta: dict, frame: pd.DataFrame, cl: Checklist, lang: str, backup: bool,
                into_existing: bool) -> Path | None:
    from qmskit.io.xlsx import update_xlsx, write_xlsx  # openpyxl: only when writing
    from qmskit.io.xlsx_parts import NotSavedInPlace, PartsWouldBeLost, keep_as_copy, save_as_copy
    try:
        with iorw.atomic_path(path, backup=backup, lock=True) as tmp:
            # in place: only the cells qmskit owns change, what the office added stays
            if not (into_existing and path.exists() and update_xlsx(path, tmp, meta, frame, cl)):
                write_xlsx(tmp, meta, frame, cl, lang=lang)
    except PartsWouldBeLost as lost:  # the office's file as it is; ours beside it, and a line saying so
        return keep_as_copy(path, lost)
    except NotSavedInPlace as refused:  # the office's file as it is; a fresh workbook beside it
        return save_as_copy(path, lambda tmp: write_xlsx(tmp, meta, frame, cl, lang=lang), refused.why)
    return None


def _write_ods(path: Path, meta: dict, frame: pd.DataFrame, cl: Checklist, lang: str, backup: bool,
               into_existing: bool) -> None:
    from qmskit.io.ods import carry_office_sheets, write_ods  # the same sheets, no dropdowns
    from qmskit.io.ods_update import update_ods
    with iorw.atomic_path(path, backup=backup, lock=True) as tmp:
        # in place: only the cells qmskit owns change in content.xml, what the office added stays
        if not (into_existing and path.exists() and update_ods(path, tmp, meta, frame, cl)):
            write_ods(tmp, meta, frame, cl, lang=lang)
            if into_existing and path.exists():  # no qmskit sheet to update: its other sheets still kept
                carry_office_sheets(path, tmp)


def _write_csv(path: Path, meta: dict, frame: pd.DataFrame, cl: Checklist, lang: str, backup: bool,
               into_existing: bool) -> None:
    office_columns = _office_csv_columns(path) if into_existing else None
    iorw.write_text(path, _csv_text(meta, frame, cl, office_columns), backup=backup, lock=True)


def _write_yaml(path: Path, meta: dict, frame: pd.DataFrame, cl: Checklist, lang: str, backup: bool,
                into_existing: bool) -> None:
    iorw.write_text(path, _yaml_text(meta, frame, cl), backup=backup, lock=True)


@dataclass(frozen=True)
class ResponsesFormat:
    """How one kind of responses file is read and written. ``read(path, strict)`` gives (metadata, raw
    frame) for validation; ``write(path, meta, frame, checklist, lang, backup, into_existing)`` writes
    atomically under the file's lock (returning the copy written instead of ``path``, if it had to).
    ``sheets``: rows are spreadsheet rows (errors say "KPIs row")."""
    name: str
    suffixes: tuple[str, ...]
    read: Callable[[Path, bool], tuple[dict, pd.DataFrame]]
    write: Callable[[Path, dict, pd.DataFrame, Checklist, str, bool, bool], Path | None]
    sheets: bool = False


_REGISTRY: dict[str, ResponsesFormat] = {}


def register_format(fmt: ResponsesFormat) -> None:
    """Add (or replace) a responses format for each of its suffixes (lower case, with the dot)."""
    for suffix in fmt.suffixes:
        _REGISTRY[suffix.lower()] = fmt


def format_for(path: str | Path) -> ResponsesFormat:
    """The format a file's suffix names; one line naming the file for any other suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in _REGISTRY:
        raise ResponsesError(msg("responses.unsupported_type", suffix=suffix, allowed=", ".join(_REGISTRY)),
                             path=Path(path))
    return _REGISTRY[suffix]


for _fmt in (ResponsesFormat("xlsx", (".xlsx",), _read_xlsx, _write_xlsx, sheets=True),
             ResponsesFormat("ods", (".ods",), _read_ods, _write_ods, sheets=True),
             ResponsesFormat("csv", (".csv",), _read_csv_checked, _write_csv),
             ResponsesFormat("yaml", (".yaml", ".yml"), _read_yaml_file, _write_yaml)):
    register_format(_fmt)
FORMATS = tuple(_REGISTRY)  # the suffixes qmskit reads and writes, in this order


def _plain(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return value


def _plain_meta(meta: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v)
            for k, v in meta.items() if not k.startswith("_")}


def _csv_meta_line(key: str, value) -> str:
    line = f"# {key}: {_csv_meta_value(str(value))}"
    if "," in line or '"' in line:  # one quoted cell in a spreadsheet: no second cell can start a formula
        line = '"' + line.replace('"', '""') + '"'
    return line + "\n"


def _csv_meta_value(text: str) -> str:
    """A metadata value on its one line: a value with a line break (a Markdown summary, a scope over two
    lines) as a JSON string literal, which :func:`_meta_value` decodes; so is one that starts with a double
    quote, which would otherwise read back as such a literal's start."""
    if "\n" in text or text.startswith('"'):
        return json.dumps(text, ensure_ascii=False)
    return text


def _csv_text(meta: dict, frame: pd.DataFrame, cl: Checklist, office_columns: pd.DataFrame | None = None) -> str:
    out = io.StringIO()
    for key, value in _plain_meta(meta).items():
        if isinstance(value, (dict, list)):
            continue  # structured metadata: KPIs are written below as "# kpi.<id>: value" lines
        out.write(_csv_meta_line(key, value))
    out.write(csv_kpi_lines(cl, meta.get("kpis")))
    table = frame.map(_plain)
    # the question text, for whoever fills the file in (the reader ignores this column)
    table["question"] = table["id"].map(dict(zip(cl.questions["id"], cl.questions["text_" + _text_lang(meta)])))
    if office_columns is not None and len(office_columns.columns):
        kept = office_columns.reindex(table["id"].astype(str).str.strip()).fillna("")
        table = pd.concat([table, kept.set_axis(table.index)], axis=1)
    table = table.map(neutralize_csv)
    table.columns = [neutralize_csv(str(c)) for c in table.columns]  # an office's header is text too
    table.to_csv(out, index=False, lineterminator="\n")
    return out.getvalue()


_OWN_CSV_COLUMNS = frozenset(COLUMNS) | {"question"}


def _office_csv_columns(path: Path) -> pd.DataFrame | None:
    """The columns an office added to an existing responses CSV (``office_ref``, ``reviewed_by`` …), in their
    order, one row per question id (its first row), as typed: a save keeps them, as an in-place save of a
    workbook keeps an office's columns. None when there is no such file or it cannot be read."""
    if not path.is_file():
        return None
    try:
        _check_csv_shape(path)  # bounded, as every read of a CSV
        _meta, table, _start = _csv_parts(path, warn=False)
    except (ResponsesError, OSError):
        return None  # nothing of it can be kept; the save replaces it (and keeps it as the backup)
    names = [str(c).strip().lower() for c in table.columns]
    if "id" not in names:
        return None
    ids = table.iloc[:, names.index("id")].astype(str).str.strip()
    extra = [i for i, name in enumerate(names) if name not in _OWN_CSV_COLUMNS]
    kept = table.iloc[:, extra].set_axis(pd.Index(ids))
    # pandas names a column with a blank header "Unnamed: 7": blank again, and gone when it holds nothing
    # (the trailing comma of every line some programs write)
    unnamed = [bool(_UNNAMED.fullmatch(str(c))) for c in kept.columns]
    empty = [u and not kept.iloc[:, j].astype(str).str.strip().any() for j, u in enumerate(unnamed)]
    kept = kept.iloc[:, [j for j, e in enumerate(empty) if not e]]
    kept.columns = ["" if _UNNAMED.fullmatch(str(c)) else c for c in kept.columns]
    return kept[~kept.index.duplicated() & (kept.index != "")]


_UNNAMED = re.compile(r"Unnamed: [0-9]+")


def _text_lang(meta: dict) -> str:
    return "zh" if str(meta.get("language") or "").lower().startswith("zh") else "en"


def _yaml_text(meta: dict, frame: pd.DataFrame, cl: Checklist) -> str:
    doc = dict(_plain_meta(meta))
    doc.pop("kpis", None)
    if len(cl.kpis):
        doc["kpis"] = yaml_kpis(cl, meta.get("kpis"))
    doc["responses"] = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
