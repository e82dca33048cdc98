"""Migration: carry an assessment made against the ISO 9001:2000/2008 clause structure into 2015.

The cross-walk (``checklists/crosswalk-2000-2015.yaml``) maps each old clause to 2015 clauses; a 2015
clause with sub-clauses stands for all its leaves. An old question is mapped through the row of its
own leaf clause (or, failing that, of its nearest ancestor that has a row).

Rule for each question of the 2015 checklist, in a leaf clause C:

1. C lies in a requirement that is new in 2015 (``new_in_2015``: 4.1, 4.2, 6.1, 7.1.6, 8.5.6) or no
   old clause maps to C: the question stays **unanswered** and is listed as new; old answers that
   relate to C are only cited in the notes.
2. Otherwise its sources are the old questions mapped to C. The **worst** answered, applicable source
   answer is taken (no < partial < yes) — an old "yes" must not hide an old "no" that maps to the same
   requirement. If every answered source is n/a the question is n/a where the 2015 question allows it
   (else unanswered). No answered source: unanswered.
3. Evidence of the sources is concatenated, each prefixed with its old clause (``[2008 4.2.3] ...``);
   the notes record where the answer came from and the sources' own notes; the owner is the worst
   source's (else the first given); due is the earliest given.

Questions a profile adds on top of the cross-walk's target (e.g. gov-office's ``gov-*``) have no old
counterpart in the standard and stay unanswered (they are not listed as new 2015 requirements).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from qmskit.checklist.crosswalk import Crosswalk, load_crosswalk
from qmskit.checklist.loader import Checklist, load_checklist
from qmskit.core.scales import NA, answer_points
from qmskit.errors import MigrationError, msg


def _rows(frame: pd.DataFrame) -> Iterable[Any]:
    """A frame's rows as named tuples (typed loosely: the columns hold plain Python values)."""
    return cast("Iterable[Any]", frame.itertuples(index=False))


def _under(clause: str, ancestor: str) -> bool:
    return clause == ancestor or clause.startswith(ancestor + ".")


def old_to_new(cw: Crosswalk, old_cl: Checklist, new_cl: Checklist) -> pd.DataFrame:
    """One row per (old question, 2015 leaf clause) it maps to: old_id, old_clause, new_clause."""
    leaves = new_cl.clauses.loc[new_cl.clauses["is_leaf"], "clause"].tolist()
    known = set(new_cl.clauses["clause"])
    rows = []
    for q in _rows(old_cl.questions):
        targets = cw.row_for(q.clause)
        if targets is None:
            raise MigrationError(msg("migrate.no_crosswalk_row", id=q.id, clause=q.clause, checklist=old_cl.id,
                                     crosswalk=cw.path.name))
        for target in targets:
            if target not in known:
                raise MigrationError(msg("migrate.target_not_clause", clause=q.clause, target=target,
                                         checklist=new_cl.id))
            rows += [{"old_id": q.id, "old_clause": q.clause, "new_clause": leaf}
                     for leaf in leaves if _under(leaf, target)]
    return pd.DataFrame(rows, columns=["old_id", "old_clause", "new_clause"]).drop_duplicates()


def new_requirements(cw: Crosswalk, new_cl: Checklist, links: pd.DataFrame) -> pd.DataFrame:
    """2015 leaf clauses with no old counterpart: declared new, or reached by no mapping."""
    leaves = new_cl.clauses[new_cl.clauses["is_leaf"]]
    reached = set(links["new_clause"])
    declared = cw.new_in_2015.set_index("clause")
    rows = []
    for leaf in _rows(leaves):
        owner = next((c for c in declared.index if _under(leaf.clause, c)), None)
        if owner is None and leaf.clause in reached:
            continue
        reason = declared.loc[owner] if owner is not None else None
        rows.append({"clause": leaf.clause, "title_en": leaf.title_en, "title_zh": leaf.title_zh,
                     # None: reached by no old clause and declared by none; the edge writes its words
                     "reason_en": reason["reason_en"] if reason is not None else None,
                     "reason_zh": reason["reason_zh"] if reason is not None else None})
    return pd.DataFrame(rows, columns=["clause", "title_en", "title_zh", "reason_en", "reason_zh"])


@dataclass
class MigrationResult:
    meta: dict
    responses: pd.DataFrame    # id, answer, evidence, notes, owner, due (target checklist order)
    trace: pd.DataFrame        # id, clause, answer, sources, rule
    new_clauses: pd.DataFrame  # clause, title_en, title_zh, reason_en, reason_zh (None: no old clause)
    new_ids: list[str]
    profile_ids: list[str]     # questions a profile adds beyond the standard: no old counterpart
    source_id: str
    target_id: str

    @property
    def carried(self) -> int:
        return int(self.responses["answer"].notna().sum())

    @property
    def total(self) -> int:
        return len(self.responses)


def migrate_exclusions(value, cw: Crosswalk, old_cl: Checklist) -> str:
    """An old ``excluded_clauses`` value in 2015 numbers, through the cross-walk ("7.3: why" -> "8.3: why").

    Carried verbatim, a 2008 exclusion of 7.3 (design and development) excluded 2015's 7.3 (awareness),
    which may not be excluded: the migrated file could not even be scored."""
    from qmskit.core.exclusions import parse_excluded_clauses
    try:
        exclusions = parse_excluded_clauses(value)
    except ValueError as exc:
        raise MigrationError(msg("responses.excluded_clauses", problem=exc.args[0])) from None
    carried: dict[str, str] = {}
    for ex in exclusions:
        targets = cw.row_for(ex.clause)
        if targets is None:
            raise MigrationError(msg("migrate.exclusion_no_row", clause=ex.clause, checklist=old_cl.id,
                                     crosswalk=cw.path.name))
        for target in targets:
            carried.setdefault(target, ex.justification)
    return "; ".join(f"{clause}: {why}" if why else clause for clause, why in carried.items())


def _join(parts, sep: str = "; ") -> str:
    return sep.join(dict.fromkeys(p for p in parts if p))


def migrate_responses(meta: dict, responses: pd.DataFrame, old_cl: Checklist, new_cl: Checklist,
                      cw: Crosswalk | None = None) -> MigrationResult:
    """Apply the module's rule to one office's old responses (a frame from ``read_responses``)."""
    cw = cw or load_crosswalk()
    if old_cl.scale != "compliance" or new_cl.scale != "compliance":
        raise MigrationError(msg("migrate.not_compliance", old=old_cl.scale, new=new_cl.scale))
    if old_cl.id == new_cl.id:
        raise MigrationError(msg("migrate.already_target", checklist=new_cl.id))
    links = old_to_new(cw, old_cl, new_cl)
    new_req = new_requirements(cw, new_cl, links)
    new_leaf = set(new_req["clause"])
    base_ids = set(load_checklist(cw.target_id).questions["id"]) if cw.target_id != new_cl.id else None

    old = old_cl.questions[["id", "clause", "order"]].merge(responses, on="id", how="left")
    old["points"] = answer_points(old["answer"].astype("object").where(old["answer"].notna(), None), "compliance")
    for col in ("evidence", "notes", "owner", "due"):
        old[col] = old[col].fillna("")
    old = old.set_index("id")
    sources_of = links.groupby("new_clause")["old_id"].apply(list).to_dict()
    tag = old_cl.version if old_cl.version[:1].isdigit() else old_cl.id

    rows, trace, new_ids, profile_ids = [], [], [], []
    for q in _rows(new_cl.questions):
        srcs = old.loc[[s for s in sources_of.get(q.clause, [])]] if q.clause in sources_of else old.iloc[0:0]
        answered = srcs[srcs["answer"].notna()]
        cite = [f"{r.clause} ({r.answer})" for r in _rows(answered)]
        row = {"id": q.id, "answer": None, "evidence": "", "notes": "", "owner": "", "due": ""}
        if q.clause in new_leaf:
            new_ids.append(q.id)
            rule = "new in 2015"
            row["notes"] = ("New in ISO 9001:2015: assess afresh."
                            + (f" Related {tag} answers, not carried: {', '.join(cite)}." if cite else ""))
        elif base_ids is not None and q.id not in base_ids:
            rule = "profile question: no old counterpart"
            profile_ids.append(q.id)
        elif not len(answered):
            rule = "old questions unanswered" if len(srcs) else "no old counterpart"
        else:
            applicable = answered[answered["answer"] != NA]
            if len(applicable):
                worst = applicable.sort_values(["points", "order"], kind="mergesort").iloc[0]
                row["answer"], rule = worst["answer"], "worst answer"
                owners = [worst["owner"]] + applicable["owner"].tolist()
            elif q.na_allowed:
                row["answer"], rule = NA, "all sources n/a"
                owners = answered["owner"].tolist()
            else:
                rule, owners = "sources n/a but this requirement cannot be excluded", []
            row["evidence"] = _join(f"[{tag} {r.clause}] {r.evidence}" for r in _rows(answered) if r.evidence)
            row["notes"] = _join([f"Migrated from ISO 9001:{tag} {', '.join(cite)}: {rule}."]
                                 + [f"[{tag} {r.clause}] {r.notes}" for r in _rows(answered) if r.notes], " ")
            row["owner"] = next((o for o in owners if o), "")
            row["due"] = min((d for d in answered["due"] if d), default="")
        rows.append(row)
        trace.append({"id": q.id, "clause": q.clause, "answer": row["answer"], "sources": ", ".join(cite), "rule": rule})

    out_meta = {k: v for k, v in meta.items() if k not in ("checklist", "checklist_version", "kpis")}
    if meta.get("excluded_clauses"):
        out_meta["excluded_clauses"] = migrate_exclusions(meta["excluded_clauses"], cw, old_cl)
    out_meta["status"] = "draft"
    out_meta["migrated_from"] = f"{old_cl.id} {old_cl.version}"
    if meta.get("kpis") and len(new_cl.kpis):
        out_meta["kpis"] = [k for k in meta["kpis"] if k["id"] in set(new_cl.kpis["id"])]
    frame = pd.DataFrame(rows, dtype=object)  # answers stay None when blank (not a string dtype's NaN)
    return MigrationResult(meta=out_meta, responses=frame, trace=pd.DataFrame(trace),
                           new_clauses=new_req, new_ids=new_ids, profile_ids=profile_ids, source_id=old_cl.id,
                           target_id=new_cl.id)


