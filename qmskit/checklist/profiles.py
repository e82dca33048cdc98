"""Checklist profiles: a checklist that ``extends`` a base adds clauses, questions and KPIs to it.

A profile is an ordinary checklist file with ``extends: <base id or path>``; its ``clauses`` list
addresses base clauses by number, at any depth and without repeating the tree above them::

    extends: iso9001-2015
    clauses:
      - clause: "7.5.3.1"            # an existing leaf: the questions are appended to it
        questions: [...]
      - clause: "8.5.1"              # a title given here replaces the base title (retitling)
        title: {en: ..., zh: ...}
      - clause: "8.5.7"              # a new number: inserted under 8.5, in number order
        title: {en: ..., zh: ...}
        questions: [...]

Nesting the profile's nodes like the base tree (``7`` > ``7.5`` > ...) works too. The profile's
``id``, ``version``, ``title``, ``description`` and ``scale`` replace the base's; ``thresholds`` are
merged key by key; ``kpis`` are appended, except that a profile may give again a base KPI whose target
is marked ``default_target: true`` (a starting value each office sets): its entry then replaces the
base's in place. Question ids and KPI ids must be unique across base and
profile: a clash is an error naming the profile file and line (and where the base defines the id).
Profiles may extend profiles; cycles are refused by the loader.
"""
from __future__ import annotations

import copy
from pathlib import Path

from qmskit.checklist.loader import at_key
from qmskit.errors import msg
from qmskit.io.yamlio import line_of


def _number_key(number: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in number.split("."))


def _index(nodes: list, parent: dict | None = None, out: dict | None = None) -> dict:
    """clause number -> (node, parent node or None) over a whole tree."""
    out = {} if out is None else out
    for node in nodes:
        out[node["clause"]] = (node, parent)
        _index(node.get("clauses") or [], node, out)
    return out


def _question_ids(nodes: list) -> dict:
    """question id -> clause number over a whole tree."""
    ids: dict[str, str] = {}
    for number, (node, _parent) in _index(nodes).items():
        for q in node.get("questions") or []:
            ids.setdefault(q["id"], number)
    return ids


class _Composer:
    def __init__(self, out: dict, base_name: str, path: Path, lines: dict):
        self.out, self.base_name, self.path, self.lines = out, base_name, path, lines
        self.index = _index(out["clauses"])
        self.base_ids = _question_ids(out["clauses"])
        self.profile_ids: dict[str, tuple] = {}

    def fail(self, problem: str, key: tuple) -> None:
        raise at_key(problem, key, self.path, self.lines)

    def check_questions(self, node: dict, key: tuple) -> None:
        for j, q in enumerate(node.get("questions") or []):
            qkey = key + ("questions", j, "id")
            qid = q["id"]
            if qid in self.base_ids:
                self.fail(msg("profiles.id_in_base", id=qid, base=self.base_name, clause=self.base_ids[qid]), qkey)
            if qid in self.profile_ids:
                self.fail(msg("checklist.duplicate_question", id=qid, line=line_of(self.lines, self.profile_ids[qid])),
                          qkey)
            self.profile_ids[qid] = qkey

    def check_also_serves(self, nodes: list, key: tuple) -> None:
        """``also_serves`` must name clauses of the composed checklist (typos would vanish silently)."""
        for i, node in enumerate(nodes):
            for j, q in enumerate(node.get("questions") or []):
                for k, number in enumerate(q.get("also_serves") or []):
                    if str(number) not in self.index:
                        self.fail(msg("profiles.also_serves", id=q["id"], clause=number),
                                  key + (i, "questions", j, "also_serves", k))
            self.check_also_serves(node.get("clauses") or [], key + (i, "clauses"))

    def merge(self, nodes: list, key: tuple, parent_number: str | None) -> None:
        for i, node in enumerate(nodes):
            nkey = key + (i,)
            number = node["clause"]
            if parent_number is not None and not number.startswith(parent_number + "."):
                self.fail(msg("checklist.bad_nesting", clause=number, parent=parent_number), nkey + ("clause",))
            self.check_questions(node, nkey)
            if number in self.index:
                self.merge_into(self.index[number][0], node, nkey)
            else:
                self.insert(node, nkey)

    def merge_into(self, target: dict, node: dict, nkey: tuple) -> None:
        number = node["clause"]
        if "title" in node:
            target["title"] = copy.deepcopy(node["title"])  # a profile may retitle a node for its audience
        if node.get("questions"):
            if target.get("clauses"):
                leaves = [c["clause"] for c in target["clauses"]]
                self.fail(msg("profiles.has_subclauses", clause=number, base=self.base_name, leaves=", ".join(leaves)),
                          nkey + ("questions",))
            target.setdefault("questions", []).extend(copy.deepcopy(node["questions"]))
        if node.get("clauses"):
            if target.get("questions") and not target.get("clauses"):
                self.fail(msg("profiles.holds_questions", clause=number, base=self.base_name), nkey + ("clauses",))
            self.merge(node["clauses"], nkey + ("clauses",), number)

    def insert(self, node: dict, nkey: tuple) -> None:
        number = node["clause"]
        parent_number = number.rsplit(".", 1)[0] if "." in number else None
        if parent_number is None:
            siblings = self.out["clauses"]
        elif parent_number in self.index:
            parent = self.index[parent_number][0]
            if parent.get("questions") and not parent.get("clauses"):
                self.fail(msg("profiles.parent_holds_questions", clause=number, parent=parent_number,
                              base=self.base_name), nkey + ("clause",))
            siblings = parent.setdefault("clauses", [])
        else:
            self.fail(msg("profiles.no_parent", clause=number, parent=parent_number, base=self.base_name),
                      nkey + ("clause",))
        if "title" not in node:
            self.fail(msg("profiles.new_needs_title", clause=number), nkey)
        if not node.get("questions") and not node.get("clauses"):
            self.fail(msg("profiles.new_leaf_no_questions", clause=number), nkey)
        if node.get("questions") and node.get("clauses"):
            self.fail(msg("checklist.both", clause=number), nkey)
        added = copy.deepcopy({k: v for k, v in node.items() if k != "clauses"})
        siblings.append(added)
        siblings.sort(key=lambda n: _number_key(n["clause"]))
        self.index[number] = (added, None)
        if node.get("clauses"):
            self.merge(node["clauses"], nkey + ("clauses",), number)


def compose_profile(base: dict, profile: dict, *, path: Path, lines: dict) -> dict:
    """Return the base checklist data with the profile applied (neither input is modified)."""
    out = copy.deepcopy(base)
    base_name = str(base.get("id", profile["extends"]))
    for key in ("id", "version", "title", "description", "scale"):
        if key in profile:
            out[key] = copy.deepcopy(profile[key])
    out["extends"] = profile["extends"]
    out["thresholds"] = {**(base.get("thresholds") or {}), **(profile.get("thresholds") or {})}
    out.setdefault("clauses", [])
    composer = _Composer(out, base_name, path, lines)
    composer.merge(profile.get("clauses") or [], ("clauses",), None)
    composer.check_also_serves(profile.get("clauses") or [], ("clauses",))
    base_kpis = {k["id"]: k for k in base.get("kpis") or []}
    seen: dict[str, int] = {}
    replaced: dict[str, dict] = {}
    for i, kpi in enumerate(profile.get("kpis") or []):
        if kpi["id"] in seen:
            composer.fail(msg("profiles.duplicate_kpi", id=kpi["id"], line=line_of(lines, ("kpis", seen[kpi["id"]], "id"))),
                          ("kpis", i, "id"))
        seen[kpi["id"]] = i
        if kpi["id"] in base_kpis:
            # A base target marked default_target is a starting value each office sets for itself: a profile
            # may give that KPI again (its own target, name or unit). Any other base KPI is fixed.
            if not base_kpis[kpi["id"]].get("default_target"):
                composer.fail(msg("profiles.kpi_in_base", id=kpi["id"], base=base_name), ("kpis", i, "id"))
            replaced[kpi["id"]] = kpi
    out["kpis"] = ([copy.deepcopy(replaced.get(k["id"], k)) for k in base.get("kpis") or []]
                   + [copy.deepcopy(k) for k in profile.get("kpis") or [] if k["id"] not in replaced])
    if not out["thresholds"]:
        del out["thresholds"]
    return out
