"""Checklists: load a YAML checklist (bundled id or path), validate it, expose it as frames.

A checklist is a tree of clause nodes whose leaves hold questions. ``load_checklist`` returns a
:class:`Checklist` with two tidy frames (``clauses`` in document order, ``questions`` in checklist
order) that the scoring step consumes.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from qmskit.errors import ChecklistError, msg
from qmskit.io.yamlio import format_path, line_of, load_yaml, parse_yaml, read_yaml_text

DEFAULT_THRESHOLDS = {
    "ready_min": 85.0,
    "nearly_ready_min": 70.0,
    "nearly_ready_max_major": 3,
    "ready_max_minor": 10,
    "developing_min": 40.0,
}


def bundled_dir() -> Path:
    """Folder of the checklists shipped with the package (``checklists/`` in the repo)."""
    return Path(str(resources.files("qmskit.checklists")))


@lru_cache(maxsize=1)
def checklist_schema() -> dict:
    return json.loads((bundled_dir() / "schema.json").read_text(encoding="utf-8"))


@dataclass(frozen=True, eq=False)
class Checklist:
    id: str
    version: str
    title: dict
    scale: str
    thresholds: dict
    clauses: pd.DataFrame      # clause, parent, level, top, order, is_leaf, title_en, title_zh
    questions: pd.DataFrame    # id, clause, top, order, weight, critical, ..., text_en, text_zh
    kpis: pd.DataFrame = field(default_factory=pd.DataFrame)
    source: Path | None = None
    extends: str | None = None

    def __repr__(self) -> str:
        return (f"<Checklist {self.id} {self.version}: {len(self.clauses)} clauses, "
                f"{len(self.questions)} questions>")

    @cached_property
    def incidence(self) -> pd.DataFrame:
        """Question × clause 0/1 matrix: 1 where the clause is the question's leaf or above it.

        Scores roll up as matrix products with it, so every node's score is taken over all of its
        descendant questions (not a mean of child means) and N offices cost one product.
        """
        parent = dict(zip(self.clauses["clause"], self.clauses["parent"]))
        col = {c: i for i, c in enumerate(self.clauses["clause"])}
        matrix = np.zeros((len(self.questions), len(col)))
        for row, clause in enumerate(self.questions["clause"]):
            node = clause
            while isinstance(node, str):  # the root's parent is None (NaN in the frame)
                matrix[row, col[node]] = 1.0
                node = parent.get(node)
        return pd.DataFrame(matrix, index=pd.Index(self.questions["id"], name="id"),
                            columns=pd.Index(self.clauses["clause"], name="clause"))

    @cached_property
    def leaf_incidence(self) -> np.ndarray:
        """Question × clause 0/1 matrix with one 1 per row: the question's own (leaf) clause.

        Per-leaf counts over many offices are one product with it (absent-clause escalation in gaps).
        """
        col = {c: i for i, c in enumerate(self.clauses["clause"])}
        matrix = np.zeros((len(self.questions), len(col)))
        matrix[np.arange(len(self.questions)), [col[c] for c in self.questions["clause"]]] = 1.0
        return matrix

    def title_text(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title["en"]


# ----------------------------------------------------------------------------- locating

def list_checklists() -> pd.DataFrame:
    """The bundled checklists: id, version, title (English), clauses, questions, path, title_zh."""
    rows = []
    for path in sorted(bundled_dir().glob("*.yaml")):
        try:
            cl = load_checklist(path)
        except ChecklistError:
            continue  # a data file that is not a checklist (e.g. the cross-walk)
        rows.append({"id": cl.id, "version": cl.version, "title": cl.title["en"],
                     "clauses": len(cl.clauses), "questions": len(cl.questions), "path": str(path),
                     "title_zh": cl.title.get("zh", "")})
    return pd.DataFrame(rows, columns=["id", "version", "title", "clauses", "questions", "path", "title_zh"])


def resolve_checklist(id_or_path: str | Path) -> Path:
    """A bundled checklist's id, or a path to a YAML file."""
    candidate = Path(id_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        if not candidate.exists():
            raise ChecklistError(msg("limits.not_found"), path=candidate)
        return candidate
    bundled = bundled_dir() / f"{id_or_path}.yaml"
    if bundled.exists():
        return bundled
    for path in sorted(bundled_dir().glob("*.yaml")):  # ids need not match file names
        try:
            data, _ = load_yaml(path, ChecklistError)
        except ChecklistError:
            continue
        if isinstance(data, dict) and data.get("id") == str(id_or_path):
            return path
    known = ", ".join(sorted(list_checklists()["id"]))  # checklists only, not data such as the cross-walk
    raise ChecklistError(msg("checklist.unknown", name=id_or_path, known=known))


def load_checklist(id_or_path: str | Path | Checklist) -> Checklist:
    """Load and validate a checklist by bundled id or path. Raises :class:`ChecklistError`."""
    if isinstance(id_or_path, Checklist):
        return id_or_path
    path = resolve_checklist(id_or_path)
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _load_cached(path: str, _mtime: int) -> Checklist:
    """Once per process per file version; across processes the validated data comes from the disk cache
    (:mod:`qmskit.checklist.cache`) while the YAML text, the code and the bases are unchanged."""
    source = Path(path)
    data = _validated(source)
    _refuse_posing_as_bundled(source, data)
    return build_checklist(data, source=source)


def _validated(source: Path) -> dict:
    from qmskit.checklist import cache
    return cache.validated_data(source, read_yaml_text(source, ChecklistError), _read_for_cache, resolve_checklist)


def _refuse_posing_as_bundled(source: Path, data: dict) -> None:
    """A checklist file from elsewhere that gives a bundled checklist's id and version must hold that
    checklist: its scores, verdicts and JSON say only "iso9001-2015 2015+A1:2024", so nobody could tell them
    from the bundled checklist's (found by a hostile-file session: a file beside an office's workbook, named
    by it, called itself iso9001-2015 with "ready" at 40 and nothing critical, and the office was "Ready for
    certification"). A copy of a bundled checklist, or a checklist with its own id or version, is fine."""
    bundled = bundled_dir() / f"{data.get('id')}.yaml"
    if source.resolve().parent == bundled_dir().resolve() or not bundled.is_file():
        return
    theirs = _validated(bundled)
    if str(data.get("version")) == str(theirs.get("version")) and data != theirs:
        raise ChecklistError(msg("checklist.poses_as_bundled", id=str(data.get("id")), version=str(data.get("version"))),
                             path=source)


def _read_for_cache(path: Path, text: str, dependencies: list) -> dict:
    return read_checklist_data(path, text=text, dependencies=dependencies)


# ----------------------------------------------------------------------------- validation

def read_checklist_data(path: Path, _seen: tuple = (), *, text: str | None = None,
                        dependencies: list | None = None) -> dict:
    """Read, schema-check and semantically check one file; compose profiles onto their base.

    ``text``: the file's text, already read; ``dependencies`` receives (extends, base file, the base's
    SHA-256) for each base composed (what the disk cache checks before it trusts an entry)."""
    if text is None:
        text = read_yaml_text(path, ChecklistError)
    data, lines = parse_yaml(text, path, ChecklistError)
    if not isinstance(data, dict):
        raise ChecklistError(msg("checklist.not_mapping"), path=path, where=msg("place.line", line=1))
    _check_schema(data, lines, path)
    if data.get("extends"):
        from qmskit.checklist.profiles import compose_profile  # profiles build on a base checklist
        base_path = resolve_checklist(data["extends"])
        if str(base_path.resolve()) in _seen or base_path.resolve() == path.resolve():
            raise ChecklistError(msg("checklist.extends_cycle", base=data["extends"]), path=path,
                                 where=msg("place.line", line=line_of(lines, ("extends",))))
        base_text = read_yaml_text(base_path, ChecklistError)
        if dependencies is not None:
            from qmskit.checklist.cache import text_sha256
            dependencies.append((str(data["extends"]), str(base_path.resolve()), text_sha256(base_text)))
        base = read_checklist_data(base_path, _seen + (str(path.resolve()),), text=base_text,
                                   dependencies=dependencies)
        data = compose_profile(base, data, path=path, lines=lines)
    elif not data.get("clauses"):
        raise ChecklistError(msg("checklist.no_clauses"), path=path, where=msg("place.line", line=1))
    check_semantics(data, lines, path)
    return data


@lru_cache(maxsize=1)
def _schema_validator():
    """The schema compiled to Python once per process by fastjsonschema (a few ms to import and build;
    jsonschema's import alone costs seconds here, through rfc3987_syntax's grammars)."""
    import fastjsonschema

    return fastjsonschema.compile(checklist_schema())


_NAME_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _error_key(name: str | None) -> tuple:
    """fastjsonschema's ``data.clauses[3].weight`` -> ("clauses", 3, "weight")."""
    rest = (name or "data")[len("data"):]
    return tuple(int(index) if index else key for key, index in _NAME_PART.findall(rest))


def _non_finite(node, key: tuple = ()) -> tuple[tuple, float] | None:
    """(key, value) of the first number that is not finite (YAML's ``.nan``, ``.inf``), or None. JSON has no
    such numbers, so the schema lets them through (``nan > 0`` is false, ``inf`` exceeds no minimum)."""
    if isinstance(node, float) and not np.isfinite(node):
        return key, node
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, value in items:
        found = _non_finite(value, key + (k,))
        if found is not None:
            return found
    return None


def _check_schema(data: dict, lines: dict, path: Path) -> None:
    import fastjsonschema

    bad = _non_finite(data)
    if bad is not None:
        key, value = bad
        raise at_key(msg("schema.not_finite", value=value), key, path, lines)
    try:
        _schema_validator()(data)
    except fastjsonschema.JsonSchemaValueException as err:
        key = _error_key(err.name)
        if err.rule == "additionalProperties" and isinstance(err.value, dict):  # the offending key's own line
            extra = sorted(set(err.value) - set((err.definition or {}).get("properties", {})))
            key = key + (extra[0],) if extra else key
        raise at_key(_explain(err), key, path, lines) from None


def at_key(problem: str, key: tuple, path: Path, lines: dict) -> ChecklistError:
    """The error for ``problem`` (a catalog Message) at ``key`` of a checklist file: the key's dotted path
    (``clauses[0].questions[2].weight``) before the problem, the key's line as the place."""
    return ChecklistError(msg("checklist.at_key", key=format_path(key), problem=problem), path=path,
                          where=msg("place.line", line=line_of(lines, key)))


# JSON types as the schema names them (the English words are those names, the catalog gives the Chinese)
_JSON_TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")


def _explain(err) -> str:
    """One phrase for a ``fastjsonschema.JsonSchemaValueException`` (what is expected, what was given), as a
    catalog Message."""
    v, definition, instance = err.rule, err.definition or {}, err.value
    if v == "additionalProperties" and isinstance(instance, dict):
        allowed = ", ".join(sorted(definition.get("properties", {})))
        extra = sorted(set(instance) - set(definition.get("properties", {})))
        return msg("schema.unknown_key", key=extra[0], allowed=allowed)
    if v == "required" and isinstance(instance, dict):
        missing = [k for k in definition.get("required", []) if k not in instance]
        return msg("schema.missing_key", key=missing[0] if missing else "?")
    if v in ("exclusiveMinimum", "minimum", "maximum"):
        return msg(f"schema.{v}", limit=err.rule_definition, value=instance)
    if v == "enum":
        allowed = ", ".join("none" if x is None else str(x) for x in err.rule_definition)
        return msg("schema.enum", value=instance, allowed=allowed)
    if v == "type":
        expected = err.rule_definition
        return msg("schema.type", value=instance,
                   expected=msg(f"schema.type_{expected}") if expected in _JSON_TYPES else expected)
    if v == "minLength":
        return msg("schema.empty")
    if v == "pattern":
        return msg("schema.pattern", value=instance, pattern=err.rule_definition)
    text = err.message  # a rule the schema does not use today: fastjsonschema's English, said as it is
    return msg("schema.other", text=text[len(err.name) + 1:] if err.name and text.startswith(err.name + " ") else text)


def _iter_nodes(nodes: list, key: tuple = ("clauses",), parent: str | None = None):
    for i, node in enumerate(nodes or []):
        nkey = key + (i,)
        yield node, nkey, parent
        yield from _iter_nodes(node.get("clauses") or [], nkey + ("clauses",), node["clause"])


def check_semantics(data: dict, lines: dict, path: Path) -> None:
    """Rules a schema cannot say: unique ids and numbers, nesting, leaves, thresholds."""
    def fail(problem: str, key: tuple) -> None:
        raise at_key(problem, key, path, lines)

    seen_clause: dict[str, tuple] = {}
    seen_q: dict[str, tuple] = {}
    for node, key, parent in _iter_nodes(data.get("clauses", [])):
        number = node["clause"]
        if number in seen_clause:
            fail(msg("checklist.duplicate_clause", clause=number, line=line_of(lines, seen_clause[number])),
                 key + ("clause",))
        seen_clause[number] = key + ("clause",)
        if parent is not None and not number.startswith(parent + "."):
            fail(msg("checklist.bad_nesting", clause=number, parent=parent), key + ("clause",))
        if parent is None and "." in number:
            fail(msg("checklist.orphan", clause=number, parent=number.rsplit(".", 1)[0]), key + ("clause",))
        if parent is not None and number.count(".") != parent.count(".") + 1:
            fail(msg("checklist.skips_level", clause=number, parent=parent), key + ("clause",))
        if "title" not in node:
            fail(msg("checklist.no_title", clause=number), key)
        has_children, has_questions = bool(node.get("clauses")), bool(node.get("questions"))
        if has_children and has_questions:
            fail(msg("checklist.both", clause=number), key)
        if not has_children and not has_questions:
            fail(msg("checklist.leaf_no_questions", clause=number), key)
        for j, q in enumerate(node.get("questions") or []):
            qkey = key + ("questions", j)
            if q["id"] in seen_q:
                fail(msg("checklist.duplicate_question", id=q["id"], line=line_of(lines, seen_q[q["id"]])),
                     qkey + ("id",))
            seen_q[q["id"]] = qkey + ("id",)
    th = {**DEFAULT_THRESHOLDS, **(data.get("thresholds") or {})}
    if not th["ready_min"] >= th["nearly_ready_min"] >= th["developing_min"]:
        fail(msg("checklist.thresholds_order", ready=th["ready_min"], nearly=th["nearly_ready_min"],
                 developing=th["developing_min"]), ("thresholds",))
    kpi_ids: set = set()
    for i, kpi in enumerate(data.get("kpis") or []):
        if kpi["id"] in kpi_ids:
            fail(msg("checklist.duplicate_kpi", id=kpi["id"]), ("kpis", i, "id"))
        kpi_ids.add(kpi["id"])


# ----------------------------------------------------------------------------- frames

def build_checklist(data: dict, source: Path | None = None) -> Checklist:
    clause_rows: list[dict] = []
    question_rows: list[dict] = []
    for order, (node, _key, parent) in enumerate(_iter_nodes(data["clauses"])):
        number = node["clause"]
        title = node.get("title") or {}
        clause_rows.append({
            "clause": number, "parent": parent, "level": number.count(".") + 1,
            "top": number.split(".")[0], "order": order, "is_leaf": not node.get("clauses"),
            "title_en": title.get("en", ""), "title_zh": title.get("zh", ""),
            "title_source": node.get("title_source", "standard"),
        })
        for q in node.get("questions") or []:
            critical = bool(q.get("critical", False))
            evidence = q.get("evidence") or {}
            action = q.get("action") or {}
            question_rows.append({
                "id": q["id"], "clause": number, "top": number.split(".")[0],
                "order": len(question_rows), "weight": float(q.get("weight", 1)),
                "critical": critical, "documented_information": q.get("documented_information"),
                "na_allowed": bool(q.get("na_allowed", False)),  # ISO 9001 4.3: only where it can apply
                "text_en": q["text"]["en"], "text_zh": q["text"]["zh"],
                "evidence_en": evidence.get("en", ""), "evidence_zh": evidence.get("zh", ""),
                "action_en": action.get("en", ""), "action_zh": action.get("zh", ""),
                "basis": q.get("basis", "requirement"), "prerequisite": bool(q.get("prerequisite", False)),
                "office_document": q.get("office_document"),
                "also_serves": tuple(q.get("also_serves") or ()),
            })
    clauses = pd.DataFrame(clause_rows)
    questions = pd.DataFrame(question_rows)
    kpis = pd.DataFrame([
        {"id": k["id"], "name_en": k["name"]["en"], "name_zh": k["name"]["zh"], "unit": k.get("unit", ""),
         "target": float(k["target"]), "direction": k["direction"], "clause": k.get("clause", "9.1"),
         "default_target": bool(k.get("default_target", False))}
        for k in data.get("kpis") or []
    ], columns=["id", "name_en", "name_zh", "unit", "target", "direction", "clause", "default_target"])
    return Checklist(
        id=data["id"], version=str(data["version"]), title=data["title"],
        scale=data.get("scale", "compliance"),
        thresholds={**DEFAULT_THRESHOLDS, **(data.get("thresholds") or {})},
        clauses=clauses, questions=questions, kpis=kpis, source=source, extends=data.get("extends"),
    )


def validate_checklist_file(path: str | Path) -> Checklist:
    """Validate one file (raises :class:`ChecklistError`); used by ``qmskit validate``."""
    path = Path(path)
    if not path.exists():
        raise ChecklistError(msg("limits.not_found"), path=path)
    return build_checklist(read_checklist_data(path), source=path)
