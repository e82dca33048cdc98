"""Several assessors: split one assessment into parts (by clause or by owner) and merge the parts back.

``split_ids`` decides which questions go to whom (pure); ``merge_frames`` lines the parts' answers up by
question id, records who answered what and finds conflicts — two parts saying different things about
the same question — which ``prefer`` (``first`` | ``latest`` | ``worst``) resolves, or which stop the
merge. The file edges (``split_file``, ``merge_files``, the "Answered by" column) are at the bottom.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, cast

import pandas as pd

from qmskit.checklist.loader import Checklist, load_checklist
from qmskit.config import DEFAULT_CHECKLIST, DEFAULT_LANGUAGE, LANGUAGES
from qmskit.core.values import is_blank
from qmskit.errors import MergeError, QmskitError
from qmskit.i18n.catalog import msg, t, tn

FIELDS = ["answer", "evidence", "notes", "owner", "due"]
KPI_FIELDS = ("value", "previous")  # a KPI's fields two parts may give differently
UNASSIGNED = "unassigned"
PART_META = ["part", "part_of", "part_clauses"]


def answered_by_labels() -> tuple[str, str]:
    """The "Answered by" column's header in English and Chinese (a merged workbook has one of them)."""
    return t("merge.answered_by", "en"), t("merge.answered_by", "zh")


def _is_id_header(header: object) -> bool:
    """The Assessment sheet's ID column, headed in either language (the catalog's xlsx.assessment.id)."""
    return str(header).strip().lower() in {"id", *(t("xlsx.assessment.id", lang).lower() for lang in LANGUAGES)}


class SplitBy(str, Enum):
    CLAUSE = "clause"
    OWNER = "owner"


class Prefer(str, Enum):
    FIRST = "first"
    LATEST = "latest"
    WORST = "worst"


def _rows(frame: pd.DataFrame) -> Iterable[Any]:
    """A frame's rows as named tuples (typed loosely: the columns hold plain Python values)."""
    return cast("Iterable[Any]", frame.itertuples(index=False))


def _under(clause: str, prefix: str) -> bool:
    return clause == prefix or clause.startswith(prefix + ".")


# ----------------------------------------------------------------------------- splitting (pure)

def split_ids(cl: Checklist, by: SplitBy, assign: dict[str, list[str]] | None,
              owners: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Question ids per part name, in checklist order; questions nobody covers go to ``unassigned``.

    By clause: ``assign`` maps a name to clause numbers; a question goes to the name whose clause is the
    most specific one above it (``8.5`` beats ``8``). By owner: questions go to their owner (from the
    responses); ``assign`` then maps a name to the owners (departments) that person covers.
    """
    parts: dict[str, list[str]] = {name: [] for name in (assign or {})}
    known = set(cl.clauses["clause"])
    if by == SplitBy.CLAUSE:
        if not assign:
            raise MergeError(msg("merge.split_needs_assign"))
        for name, clauses in assign.items():
            for c in clauses:
                if c not in known:
                    raise MergeError(msg("merge.unknown_clause", name=name, clause=c, checklist=cl.id))
        for q in _rows(cl.questions):
            best = [(len(c.split(".")), name) for name, clauses in assign.items() for c in clauses if _under(q.clause, c)]
            if not best:
                parts.setdefault(UNASSIGNED, []).append(q.id)
                continue
            depth = max(d for d, _ in best)
            names = sorted({n for d, n in best if d == depth})
            if len(names) > 1:
                raise MergeError(msg("merge.assigned_twice", clause=q.clause, first=names[0], second=names[1]))
            parts[names[0]].append(q.id)
    else:
        owners = owners or {}
        covers = {o: name for name, os_ in (assign or {}).items() for o in os_}
        for q in _rows(cl.questions):
            owner = str(owners.get(q.id) or "").strip()
            name = covers.get(owner, owner) if owner else UNASSIGNED
            parts.setdefault(name, []).append(q.id)
    return {name: ids for name, ids in parts.items() if ids}


def covered_clauses(cl: Checklist, ids: list[str]) -> list[str]:
    """Leaf clauses of ``ids`` in document order (for the part's metadata)."""
    q = cl.questions[cl.questions["id"].isin(ids)]
    return list(dict.fromkeys(q["clause"]))


# ----------------------------------------------------------------------------- merging (pure)

@dataclass
class Part:
    name: str            # the assessor (or the file's stem)
    label: str           # how lines name it: the file name
    meta: dict
    responses: pd.DataFrame
    date: str = ""


@dataclass
class Conflict:
    id: str
    fields: list[str]
    sides: list[tuple[str, str, dict]]   # (file label, assessor, {field: value})

    def line(self, lang: str = "en") -> str:
        """The conflict as one line in ``lang``: what differs, and what each part gave."""
        def say(values: dict) -> str:
            return t("list.sep", lang).join(
                t("merge.conflict_answered", lang, value=values.get(f) or "—") if f == "answer"
                else t("merge.conflict_value", lang, field=t(f"merge.field.{f}", lang), value=values.get(f) or "—")
                for f in self.fields)
        sides = t("reasons.sep", lang).join(t("merge.conflict_side", lang, label=label, who=who, values=say(v))
                                            for label, who, v in self.sides)
        if self.id.startswith("kpi:"):
            return t("merge.conflict_kpi", lang, id=self.id[4:], sides=sides)
        return t("merge.conflict_question", lang, id=self.id, sides=sides)


@dataclass
class MergeResult:
    meta: dict
    responses: pd.DataFrame
    answered_by: dict[str, str]
    conflicts: list[Conflict] = field(default_factory=list)
    resolved: list[Conflict] = field(default_factory=list)
    counts: MergeCounts | None = None


@dataclass(frozen=True)
class MergeCounts:
    """What the merge holds, counted once (the CLI and the demo print :meth:`line`): every question the parts
    hold, whether or not anything was given for it, so the totals match ``template --split-by``'s."""
    questions: int                 # distinct checklist questions the parts hold
    excluded: int                  # of them, blank and inside the office's excluded_clauses (n/a when scored)
    unanswered: int                # of them, blank and not excluded
    held: dict[str, int]           # questions each assessor's part(s) hold
    parts: int

    def line(self, lang: str = "en") -> str:
        """The counts as one line in ``lang``: "40 questions (3 excluded) from 2 parts (Li Wei: 20, Zhang: 20)"."""
        blank = [tn(key, n, lang) for key, n in (("merge.n_excluded", self.excluded),
                                                 ("merge.n_unanswered", self.unanswered)) if n]
        return t("merge.counts", lang, questions=tn("merge.n_questions", self.questions, lang),
                 blank=t("merge.blank", lang, blank=t("list.sep", lang).join(blank)) if blank else "",
                 parts=tn("merge.n_parts", self.parts, lang),
                 held=t("list.sep", lang).join(t("merge.held", lang, name=name, n=n) for name, n in self.held.items()))


def merge_counts(parts: list[Part], cl: Checklist, merged: pd.DataFrame, meta: dict) -> MergeCounts:
    from qmskit.core.exclusions import excluded_mask
    from qmskit.core.scoring import excluded_clauses_of
    known = set(cl.questions["id"])
    held: dict[str, int] = {}
    every: set[str] = set()
    for part in parts:
        ids = known.intersection(part.responses["id"])
        held[part.name] = held.get(part.name, 0) + len(ids)
        every |= ids
    blank = every - set(merged["id"])
    inside = pd.Series(False, index=cl.questions.index)
    for ex in excluded_clauses_of(meta):
        inside |= excluded_mask(cl.questions, ex.clause)
    excluded = len(blank & set(cl.questions.loc[inside, "id"]))
    return MergeCounts(len(every), excluded, len(blank) - excluded, held, len(parts))


def _given(row: dict) -> bool:
    return any(not is_blank(row.get(f)) for f in FIELDS)


def _points_rank(answer, scale: str) -> float:
    """Lower is worse: no < partial < yes (maturity: level), then n/a, then unanswered."""
    from qmskit.core.scales import answer_points
    if is_blank(answer):
        return 3.0
    if answer == "n/a":
        return 2.0
    return float(answer_points(pd.Series([answer], dtype=object), scale).iloc[0])


def merge_frames(parts: list[Part], cl: Checklist, prefer: Prefer | None = None) -> MergeResult:
    by_id: dict[str, list[tuple[int, dict]]] = {}
    for i, part in enumerate(parts):
        for row in part.responses.to_dict("records"):
            if _given(row):
                by_id.setdefault(row["id"], []).append((i, row))
    rows, answered_by, conflicts, resolved = [], {}, [], []
    for qid in cl.questions["id"]:
        given = by_id.get(qid)
        if not given:
            continue
        differing = [f for f in FIELDS
                     if len({str(r[f]).strip() for _, r in given if not is_blank(r.get(f))}) > 1]
        if differing:
            c = Conflict(qid, differing, [(parts[i].label, parts[i].name, {f: _show(r.get(f)) for f in differing})
                                          for i, r in given])
            if prefer is None:
                conflicts.append(c)
                continue
            resolved.append(c)
            if prefer == Prefer.FIRST:
                order = given
            elif prefer == Prefer.LATEST:
                order = sorted(given, key=lambda ir: (parts[ir[0]].date, ir[0]), reverse=True)
            else:
                order = sorted(given, key=lambda ir: (_points_rank(ir[1].get("answer"), cl.scale), ir[0]))
            winner_i = order[0][0]
        else:
            order, winner_i = given, given[0][0]
        merged = {"id": qid}
        for f in FIELDS:  # the winner's values; blanks filled from the others in turn
            merged[f] = next((r[f] for _, r in order if not is_blank(r.get(f))), "")
        rows.append(merged)
        names = [parts[winner_i].name] if differing else list(dict.fromkeys(parts[i].name for i, _ in given))
        answered_by[qid] = ", ".join(names)
    meta = _merged_meta(parts)
    kpis = _merge_kpis(parts, cl, prefer, conflicts, resolved)
    if kpis:
        meta["kpis"] = kpis
    frame = pd.DataFrame(rows, columns=["id"] + FIELDS).astype(object)
    return MergeResult(meta, frame, answered_by, conflicts, resolved, merge_counts(parts, cl, frame, meta))


def _merge_kpis(parts: list[Part], cl: Checklist, prefer: Prefer | None, conflicts: list, resolved: list) -> list:
    """KPI values by indicator; two parts measuring one indicator differently is a conflict like an answer's
    (``worst``: the value further from its target)."""
    direction = dict(zip(cl.kpis["id"], cl.kpis["direction"])) if len(cl.kpis) else {}
    given: dict[str, list[tuple[int, dict]]] = {}
    for i, part in enumerate(parts):
        for k in part.meta.get("kpis") or []:
            if k.get("value") is not None or k.get("previous") is not None:
                given.setdefault(k["id"], []).append((i, k))
    out = []
    for kid, entries in given.items():
        merged = {"id": kid, "value": None, "previous": None}
        for key in KPI_FIELDS:
            have = [(i, k[key]) for i, k in entries if k.get(key) is not None]
            if not have:
                continue
            if len({float(v) for _, v in have}) > 1:
                c = Conflict(f"kpi:{kid}", [key], [(parts[i].label, parts[i].name, {key: v}) for i, v in have])
                if prefer is None:
                    conflicts.append(c)
                    continue
                resolved.append(c)
                if prefer == Prefer.LATEST:
                    have = sorted(have, key=lambda iv: (parts[iv[0]].date, iv[0]), reverse=True)
                elif prefer == Prefer.WORST and key == "value":
                    have = sorted(have, key=lambda iv: float(iv[1]), reverse=direction.get(kid) == "lower")
            merged[key] = have[0][1]
        out.append(merged)
    return out


def _show(value) -> str:
    return "" if is_blank(value) else str(value)


def _merged_meta(parts: list[Part]) -> dict:
    meta: dict = {}
    skip = set(PART_META) | {"assessor", "kpis", "answered_by"}
    for part in parts:  # the first part that says something about a key wins
        for k, v in part.meta.items():
            if k in skip or isinstance(v, (list, dict)) or is_blank(v):
                continue
            meta.setdefault(k, v)
    meta["assessor"] = ", ".join(dict.fromkeys(p.name for p in parts))
    dates = [p.date for p in parts if p.date]
    if dates:
        meta["date"] = max(dates)
    return meta


# ----------------------------------------------------------------------------- files

def read_assign(path: str | Path) -> dict[str, list[str]]:
    """ASSIGN.yaml: a mapping of assessor name to a list of clause numbers (or owners, with --split-by owner)."""
    from qmskit.io.yamlio import load_yaml
    path = Path(path)
    if not path.exists():
        raise MergeError(msg("limits.not_found"), path=path)
    data, lines = load_yaml(path, MergeError)
    if not isinstance(data, dict) or not data:
        raise MergeError(msg("merge.assign_not_mapping"), path=path, where=msg("place.line", line=1))
    out = {}
    for name, items in data.items():
        if isinstance(items, (str, int, float)):
            items = [items]
        if not isinstance(items, list) or not items or any(isinstance(i, (dict, list)) or i is None for i in items):
            raise MergeError(msg("merge.needs_list", name=name), path=path,
                             where=msg("place.line", line=lines.get((name,), 1)))
        out[str(name).strip()] = [str(i).strip() for i in items]
    return out


@dataclass
class SplitResult:
    files: dict[str, Path]         # part name -> file
    counts: dict[str, int]
    replaced: set[str] = field(default_factory=set)  # the parts whose file existed (kept as its .bak)


def split_file(cl: Checklist, meta: dict, responses: pd.DataFrame, output: str | Path, by: SplitBy,
               assign: dict | None, *, lang: str = "en", force: bool = False) -> SplitResult:
    """Write one responses file per part beside ``output``: ``<stem>-<part>.<ext>``, each with only the part's
    questions (their answers, evidence… as given in ``responses``). A part's file that already holds answers
    (an assessor's work, from an earlier split) is refused unless ``force``, every part checked before any
    is written; a replaced file is kept as its backup."""
    from dataclasses import replace

    from qmskit.io.iorw import side_name, slugify
    from qmskit.io.responses import refuse_to_replace_answers, write_responses
    output = Path(output)
    owners = dict(zip(responses["id"], responses["owner"])) if "owner" in responses else {}
    parts = split_ids(cl, SplitBy(by), assign, owners)
    paths = {name: output.with_name(side_name(output.parent, output.stem, suffix=f"-{slugify(name)}{output.suffix}"))
             for name in parts}
    for path in paths.values():  # all of them first: a refusal leaves no part rewritten
        refuse_to_replace_answers(path, force)
    result = SplitResult({}, {}, {name for name, path in paths.items() if path.exists()})
    given = responses.set_index("id") if len(responses) else None
    # KPI values go to the part that assesses the indicator's clause (else the first), so that one person
    # measures each indicator and merging finds no false conflicts between untouched copies
    kpi_clause = dict(zip(cl.kpis["id"], cl.kpis["clause"])) if len(cl.kpis) and "clause" in cl.kpis else {}
    kpi_owner: dict[str, str] = {}
    for name, ids in parts.items():
        for c in covered_clauses(cl, ids):
            for kid, kc in kpi_clause.items():
                if _under(c, str(kc)):
                    kpi_owner.setdefault(kid, name)
    first = next(iter(parts), None)
    for name, ids in parts.items():
        # the part's own indicators only, in its KPIs sheet too: a row every assessor saw (and might fill in)
        # was one the merge had to reconcile, or a value silently dropped
        own_kpis = [kid for kid in (cl.kpis["id"] if len(cl.kpis) else []) if kpi_owner.get(kid, first) == name]
        sub = replace(cl, questions=cl.questions[cl.questions["id"].isin(ids)].reset_index(drop=True),
                      kpis=cl.kpis[cl.kpis["id"].isin(own_kpis)].reset_index(drop=True) if len(cl.kpis) else cl.kpis)
        frame = given.reindex(ids).reset_index() if given is not None else pd.DataFrame({"id": ids})
        frame = frame.astype(object).where(frame.notna(), "")
        part_meta = {**meta, "part": name, "part_of": output.stem,
                     "part_clauses": ", ".join(covered_clauses(cl, ids))}
        part_meta["kpis"] = [k for k in meta.get("kpis") or [] if k["id"] in own_kpis]
        if name != UNASSIGNED:
            part_meta["assessor"] = name
        written = write_responses(paths[name], part_meta, frame, sub, lang=lang, backup=True)
        if written != paths[name]:  # the assessor's workbook left as it was, ours beside it
            result.replaced.discard(name)
        result.files[name], result.counts[name] = written, len(ids)
    return result


def read_part(path: str | Path, checklist=None) -> Part:
    from qmskit.io.responses import read_responses
    path = Path(path)
    meta, frame = read_responses(path, checklist)
    given = meta.get("date")
    date = given.isoformat() if isinstance(given, (dt.date, dt.datetime)) else str(given or "")
    name = str(meta.get("assessor") or "").strip() or path.stem
    return Part(name=name, label=path.name, meta=meta, responses=frame, date=date)


def merge_files(paths: list[str | Path], output: str | Path, *, prefer: str | None = None, checklist=None,
                force: bool = False) -> MergeResult:
    """Merge parts into ``output`` (.xlsx or .yaml). Unresolved conflicts raise MergeError listing every one,
    and nothing is written."""
    from qmskit.core.compare import same_office
    output = Path(output)
    if output.suffix.lower() not in (".xlsx", ".yaml", ".yml"):
        raise MergeError(msg("merge.output_type", suffix=output.suffix), path=output)
    # the merged file would replace a part it was made from (and the next merge reads it)
    if output.exists() and any(Path(p).exists() and output.samefile(p) for p in paths):
        raise MergeError(msg("merge.output_is_part"), path=output)
    # a part given twice counted its assessor's answers twice ("Li Wei: 146" for 73; a new user's session)
    seen: dict[tuple[int, int], Path] = {}
    for p in map(Path, paths):
        try:
            st = p.stat()
        except OSError:
            continue  # (read_part says what is wrong with it)
        if (st.st_dev, st.st_ino) in seen:
            raise MergeError(msg("merge.part_twice", first=seen[st.st_dev, st.st_ino].name), path=p)
        seen[st.st_dev, st.st_ino] = p
    parts = [read_part(p, checklist) for p in paths]
    ids = {str(p.meta["checklist"]) for p in parts if p.meta.get("checklist")}
    if len(ids) > 1:
        raise MergeError(msg("merge.other_checklists", ids=", ".join(sorted(ids))), path=parts[-1].label)
    offices = [str(p.meta.get("office", "")) for p in parts]
    odd = [(p.label, o) for p, o in zip(parts, offices) if not same_office(o, offices[0])]
    if odd and not force:
        raise MergeError(msg("merge.other_office", part=odd[0][0], office=odd[0][1], first=parts[0].label,
                             first_office=offices[0]))
    cl = load_checklist(checklist or next(iter(ids), None) or DEFAULT_CHECKLIST)
    result = merge_frames(parts, cl, Prefer(prefer) if prefer else None)
    if result.conflicts:
        return result
    if output.exists():
        onto_existing(output, result, cl, force=force)
    write_merged(output, result, cl)
    return result


# the Office values a merge never takes from the file it is merged into: the parts', the checklist's
MERGE_OWN_META = {*PART_META, "assessor", "kpis", "answered_by", "checklist", "checklist_version"}


def onto_existing(output: Path, result: MergeResult, cl: Checklist, *, force: bool = False) -> None:
    """Merging again into a merged (or any filled-in) file updates it in place; first this decides what of it
    stays. The questions' answers, evidence, notes, owners and due dates and the KPI values are the parts':
    one the parts now leave blank is cleared, not kept stale. The Office values the parts leave blank (a
    consultant's summary, closing, report number…) are kept (into ``result.meta``). Anything the file holds
    that the merge would replace or clear is refused, one line with how many and the first, unless
    ``force`` (it is then in the backup); so is a file qmskit cannot read as responses."""
    import warnings

    from qmskit.io.responses import read_responses
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (another checklist's file: what it holds still counts)
            meta, frame = read_responses(output, cl)
    except (QmskitError, OSError):
        if force:
            return
        raise MergeError(msg("cli.template.not_responses"), path=output) from None
    replaced: list = []
    merged = {r["id"]: r for r in result.responses.to_dict("records")}
    for row in frame.to_dict("records"):
        new = merged.get(row["id"], {})
        if any(_text(row.get(f)) and _text(row.get(f)) != _text(new.get(f)) for f in FIELDS):
            replaced.append(msg("merge.replaced_question", id=row["id"]))
    kpis = {k["id"]: k for k in result.meta.get("kpis") or []}
    for k in meta.get("kpis") or []:
        if any(k.get(f) is not None and _text(k[f]) != _text(kpis.get(k["id"], {}).get(f)) for f in KPI_FIELDS):
            replaced.append(msg("merge.replaced_kpi", id=k["id"]))
    for key, value in meta.items():
        if key in MERGE_OWN_META or key.startswith("_") or isinstance(value, (list, dict)) or not _text(value):
            continue
        if not _text(result.meta.get(key)):
            result.meta[key] = value
        elif _text(value) != _text(result.meta[key]):
            replaced.append(msg("place.metadata_key", key=key))
    if replaced and not force:
        raise MergeError(msg("merge.would_replace", n=len(replaced), first=replaced[0]), path=output)


def _text(value) -> str:
    """A value as compared between the merge and the file it goes into: a date as ISO text, a number as
    its float's text (a KPI read from a workbook as 95, from YAML as 95.0), else its text, blank as ""."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(float(value))
    return _show(value).strip()


def write_merged(output: Path, result: MergeResult, cl: Checklist) -> Path:
    """The merged responses, who answered each question with them: into an existing workbook in place (only
    qmskit's cells and the "Answered by" column change, what the office or consultant added stays), else a
    new file; the old file kept as its backup. Returns the file written (a copy beside an office workbook
    whose parts openpyxl would drop: qmskit.io.xlsx_parts)."""
    from qmskit.io.responses import write_responses
    lang = str(result.meta["language"]) if result.meta.get("language") in LANGUAGES else DEFAULT_LANGUAGE
    return write_responses(output, {**result.meta, "answered_by": dict(result.answered_by)}, result.responses, cl,
                           lang=lang, backup=True)


def read_answered_by(path: str | Path) -> dict[str, str]:
    """Who answered what, from a merged file (the "Answered by" column, or ``answered_by`` in YAML); {} if none."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            from qmskit.io.xlsx import answered_by_remembered
            known = answered_by_remembered(path)  # free when this version of the file was just read
            if known is not None:
                return known
            if not _may_have_answered_by(path):
                return {}
            from qmskit.errors import ResponsesError
            from qmskit.io.xlsx_read import open_workbook
            try:
                wb = open_workbook(path)  # python-calamine, after the bounded pre-scan
            except ResponsesError:
                return {}
            try:
                return answered_by_rows(wb["Assessment"]) if "Assessment" in wb.sheetnames else {}
            except ResponsesError:
                return {}
            finally:
                wb.close()
        if suffix in (".yaml", ".yml"):
            from qmskit.io.yamlio import load_yaml
            data, _ = load_yaml(path, QmskitError)
            value = data.get("answered_by") if isinstance(data, dict) else None
            return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return {}
    return {}


def answered_by_rows(ws) -> dict[str, str]:
    """{question id: who answered it} from an Assessment sheet's "Answered by" column; {} without it.
    ``ws``: a sheet whose ``iter_rows(values_only=True)`` gives the rows (qmskit.io.xlsx_read)."""
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    labels = {h.lower() for h in answered_by_labels()}
    col = next((i for i, h in enumerate(header) if h.lower() in labels), None)
    idc = next((i for i, h in enumerate(header) if _is_id_header(h)), None)
    if col is None or idc is None:
        return {}
    return {str(r[idc]).strip(): str(r[col]) for r in rows
            if len(r) > max(col, idc) and not is_blank(r[idc]) and not is_blank(r[col])}


def _may_have_answered_by(path: Path) -> bool:
    """False when the workbook surely has no "Answered by" column: no sheet's header row (the first row,
    as read_answered_by reads it) holds the label as its own (inline) string, and no shared string holds
    it, in any case. A few milliseconds, where opening the workbook costs ~0.1 s, paid by every report and
    every office of a batch, merged or not. A string split into formatted runs (rich text) could hide the
    label, so such a workbook is read in full."""
    needles = [label.lower().encode("utf-8") for label in answered_by_labels()] + [b"<r>", b"<r "]
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name == "xl/sharedStrings.xml" and _contains(zf, name, needles):
                return True
            if name.startswith("xl/worksheets/") and name.endswith(".xml") and _contains(zf, name, needles,
                                                                                         until=b"</row>"):
                return True
    return False


def _contains(zf: zipfile.ZipFile, name: str, needles: list[bytes], until: bytes | None = None) -> bool:
    """Whether a zip member holds any of ``needles`` (compared in lower case), up to the first ``until``;
    read in chunks, never the whole member at once."""
    keep = max(map(len, needles + [until or b""])) - 1
    tail = b""
    with zf.open(name) as fh:
        while chunk := fh.read(1 << 16):
            text = tail + chunk.lower()
            end = text.find(until) if until else -1
            if end >= 0:
                text = text[:end]
            if any(n in text for n in needles):
                return True
            if end >= 0:
                return False
            tail = text[-keep:]
    return False


def today() -> str:
    return dt.date.today().isoformat()
