"""The ISO 9001 2000/2008 → 2015 cross-walk: bundled YAML, read once and checked (line numbers in errors)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from qmskit.checklist.loader import bundled_dir
from qmskit.config import DEFAULT_CHECKLIST
from qmskit.errors import ChecklistError, msg
from qmskit.io.yamlio import line_of, load_yaml

CROSSWALK = "crosswalk-2000-2015.yaml"


@dataclass(frozen=True)
class Crosswalk:
    source_id: str
    target_id: str
    mappings: pd.DataFrame      # old, title, new (tuple of 2015 clause numbers)
    new_in_2015: pd.DataFrame   # clause, reason_en, reason_zh
    path: Path

    def row_for(self, clause: str) -> tuple | None:
        """The 2015 targets of an old clause: its own row, else its nearest ancestor's."""
        table = dict(zip(self.mappings["old"], self.mappings["new"]))
        node = clause
        while node:
            if node in table:
                return table[node]
            node = node.rsplit(".", 1)[0] if "." in node else ""
        return None


def load_crosswalk(path: str | Path | None = None) -> Crosswalk:
    """Read and check the cross-walk YAML (bundled by default). Raises :class:`ChecklistError`."""
    path = Path(path) if path else bundled_dir() / CROSSWALK
    return _load_crosswalk(str(path.resolve()), path.stat().st_mtime_ns if path.exists() else 0)


@lru_cache(maxsize=4)
def _load_crosswalk(path_text: str, _mtime: int) -> Crosswalk:
    path = Path(path_text)
    data, lines = load_yaml(path, ChecklistError)
    if not isinstance(data, dict) or not isinstance(data.get("mappings"), list) or "crosswalk" not in data:
        raise ChecklistError(msg("crosswalk.not_mapping"), path=path, where=msg("place.line", line=1))
    head = data["crosswalk"] or {}
    rows, seen = [], set()
    for i, m in enumerate(data["mappings"]):
        where = msg("place.line", line=line_of(lines, ("mappings", i)))
        if not isinstance(m, dict) or "old" not in m or not isinstance(m.get("new"), list) or not m["new"]:
            raise ChecklistError(msg("crosswalk.bad_mapping", i=i), path=path, where=where)
        old = str(m["old"])
        if old in seen:
            raise ChecklistError(msg("crosswalk.old_twice", i=i, old=old), path=path, where=where)
        seen.add(old)
        rows.append({"old": old, "title": str(m.get("title", "")), "new": tuple(str(c) for c in m["new"])})
    new = [{"clause": str(n["clause"]), "reason_en": (n.get("reason") or {}).get("en", ""),
            "reason_zh": (n.get("reason") or {}).get("zh", "")} for n in data.get("new_in_2015") or []]
    return Crosswalk(source_id=str(head.get("from", "")), target_id=str(head.get("to", DEFAULT_CHECKLIST)),
                     mappings=pd.DataFrame(rows, columns=["old", "title", "new"]),
                     new_in_2015=pd.DataFrame(new, columns=["clause", "reason_en", "reason_zh"]), path=path)
