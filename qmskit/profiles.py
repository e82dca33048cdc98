"""Checklist profiles: a checklist that ``extends`` a base adds clauses, questions and KPIs to it.

Composition is by clause number: a profile node whose number exists in the base adds its questions
(and sub-clauses) to that node; a new number becomes a new node, placed in number order among its
siblings. Profile questions must have ids of their own; a clash with the base is an error.
"""
from __future__ import annotations

import copy
from pathlib import Path

from .errors import ChecklistError
from .yamlio import format_path, line_of


def _number_key(number: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in number.split("."))


def _merge_nodes(base_nodes: list, add_nodes: list, key: tuple, path: Path, lines: dict) -> None:
    by_number = {n["clause"]: n for n in base_nodes}
    for i, node in enumerate(add_nodes):
        nkey = key + (i,)
        target = by_number.get(node["clause"])
        if target is None:
            base_nodes.append(copy.deepcopy(node))
            base_nodes.sort(key=lambda n: _number_key(n["clause"]))
            by_number[node["clause"]] = base_nodes[-1]
            continue
        if "title" in node:
            target["title"] = node["title"]  # a profile may retitle a node for its audience
        if node.get("questions"):
            if target.get("clauses"):
                raise ChecklistError(
                    f"{format_path(nkey)}: clause '{node['clause']}' has sub-clauses in the base; "
                    "add questions to a leaf clause", path=path, where=f"line {line_of(lines, nkey)}")
            target.setdefault("questions", []).extend(copy.deepcopy(node["questions"]))
        if node.get("clauses"):
            if target.get("questions") and not target.get("clauses"):
                raise ChecklistError(
                    f"{format_path(nkey)}: clause '{node['clause']}' holds questions in the base; "
                    "it cannot gain sub-clauses", path=path, where=f"line {line_of(lines, nkey)}")
            _merge_nodes(target.setdefault("clauses", []), node["clauses"], nkey + ("clauses",), path, lines)


def compose_profile(base: dict, profile: dict, *, path: Path, lines: dict) -> dict:
    """Return the base checklist data with the profile applied (neither input is modified)."""
    out = copy.deepcopy(base)
    for key in ("id", "version", "title", "description"):
        if key in profile:
            out[key] = profile[key]
    out["extends"] = profile["extends"]
    for key in ("scale", "thresholds"):
        if key in profile:
            out[key] = {**out.get(key, {}), **profile[key]} if key == "thresholds" else profile[key]
    _merge_nodes(out.setdefault("clauses", []), profile.get("clauses") or [], ("clauses",), path, lines)
    out["kpis"] = list(out.get("kpis") or []) + list(profile.get("kpis") or [])
    return out
