"""YAML reading that remembers where things are, so errors can name the line."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import QmskitError

PathKey = tuple  # e.g. ("clauses", 3, "questions", 2, "weight")


def _walk(node: yaml.Node, key: PathKey, lines: dict, path: Path, error: type[QmskitError]) -> None:
    lines[key] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for k_node, v_node in node.value:
            k = k_node.value
            if k in seen:
                raise error(f"duplicate key '{k}' (first at line {seen[k]})",
                            path=path, where=f"line {k_node.start_mark.line + 1}")
            seen[k] = k_node.start_mark.line + 1
            _walk(v_node, key + (k,), lines, path, error)
            lines[key + (k,)] = k_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, key + (i,), lines, path, error)


def load_yaml(path: str | Path, error: type[QmskitError] = QmskitError) -> tuple[Any, dict]:
    """Return (data, lines) where ``lines`` maps a path tuple inside the document to its line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error("file not found", path=path) from None
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else None
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise error(f"malformed YAML: {problem}", path=path, where=where) from None
    except yaml.YAMLError as exc:
        raise error(f"malformed YAML: {exc}", path=path) from None
    lines: dict = {}
    if node is not None:
        _walk(node, (), lines, path, error)
    return data, lines


def line_of(lines: dict, key: PathKey) -> int | None:
    """The line of ``key``, or of its nearest ancestor that has one."""
    key = tuple(key)
    while key:
        if key in lines:
            return lines[key]
        key = key[:-1]
    return lines.get(())


def format_path(key: PathKey) -> str:
    """("clauses", 3, "weight") -> "clauses[3].weight"."""
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"
