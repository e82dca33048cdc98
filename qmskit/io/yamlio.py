"""YAML reading that remembers where things are, so errors can name the line.

Parsed with libyaml (``CSafeLoader``, ~15× faster than the pure-Python loader) when PyYAML has it; the
composed node graph keeps every line mark and is constructed once. Before construction the graph is
walked with limits (qmskit.io.limits): nesting ≤ MAX_YAML_DEPTH, and at most MAX_YAML_ALIAS_NODES nodes
reached through aliases, so a "billion laughs" document fails in milliseconds instead of expanding.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from qmskit.errors import QmskitError
from qmskit.i18n.catalog import msg
from qmskit.i18n.numbers import fmt_size
from qmskit.io.limits import (
    MAX_YAML_ALIAS_NODES,
    MAX_YAML_BYTES,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    read_bytes_bounded,
)

PathKey = tuple  # e.g. ("clauses", 3, "questions", 2, "weight")

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class WordsLoader(Loader):  # type: ignore[misc, valid-type]
    """:data:`Loader`, but a YAML 1.1 boolean (yes, no, on, off, true, false in any of their cases) stays
    the word written: in a file of what people typed (a responses file) ``answer: yes`` is the answer
    "yes" and ``answer: true`` is no answer any scale allows, where a boolean would lose which was written."""


WordsLoader.add_constructor("tag:yaml.org,2002:bool", lambda loader, node: loader.construct_scalar(node))


_STR_TAG = "tag:yaml.org,2002:str"
_IMPLICIT: dict[type, str] = {yaml.MappingNode: "tag:yaml.org,2002:map", yaml.SequenceNode: "tag:yaml.org,2002:seq"}
_RESOLVER = yaml.resolver.Resolver()  # what a scalar reads as without a tag


def _refused_tag(node: yaml.Node) -> str | None:
    """The explicit tag of ``node`` when it is one qmskit refuses, as written (``!!timestamp``), else None.

    A tag makes a value another type than its text reads as: ``!!timestamp x`` crashes the constructor,
    ``!!binary``, ``!!set`` and ``!!float 1e999`` give bytes, sets and inf where text is expected, and no file
    qmskit reads needs one. ``!!str`` (text, what every value is read as anyway) is allowed, and so is a tag
    that names what the value reads as without it (``!!int 3``)."""
    tag = node.tag
    if tag == _STR_TAG:
        return None
    if isinstance(node, yaml.ScalarNode):
        plain = not node.style  # (libyaml gives a plain scalar the style "", PyYAML None)
        implicit = _RESOLVER.resolve(yaml.ScalarNode, node.value, (plain, True))
    else:
        implicit = _IMPLICIT.get(type(node))
    if tag == implicit:
        return None
    shown = "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
    shown = "".join(ch if ch.isprintable() else "?" for ch in shown)  # a tag may hold %-escaped controls
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _walk(root: yaml.Node, lines: dict, path: Path, error: type[QmskitError]) -> None:
    """Record each path's line; refuse duplicate or non-text keys, explicit tags (:func:`_refused_tag`),
    deep nesting and alias blow-up.

    Iterative (a deep document cannot exhaust Python's stack) and depth-first in document order."""
    stack: list = [(root, (), root.start_mark.line + 1, 1)]
    seen_nodes: set[int] = set()
    steps = 0
    while stack:
        node, key, line, depth = stack.pop()
        lines[key] = line
        steps += 1
        seen_nodes.add(id(node))
        if steps - len(seen_nodes) > MAX_YAML_ALIAS_NODES:
            raise error(msg("yamlio.alias_bomb", limit=MAX_YAML_ALIAS_NODES), path=path,
                        where=msg("place.line", line=node.start_mark.line + 1))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and depth > MAX_YAML_DEPTH:
            raise error(msg("yamlio.too_deep", limit=MAX_YAML_DEPTH), path=path,
                        where=msg("place.line", line=node.start_mark.line + 1))
        tag = _refused_tag(node)
        if tag is not None:
            raise error(msg("yamlio.tag_not_allowed", tag=tag), path=path,
                        where=msg("place.line", line=node.start_mark.line + 1))
        children = []
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for k_node, v_node in node.value:
                if not isinstance(k_node, yaml.ScalarNode):
                    raise error(msg("yamlio.key_not_text"), path=path,
                                where=msg("place.line", line=k_node.start_mark.line + 1))
                k = k_node.value
                if k in first:
                    raise error(msg("yamlio.duplicate_key", key=k, line=first[k]),
                                path=path, where=msg("place.line", line=k_node.start_mark.line + 1))
                first[k] = k_node.start_mark.line + 1
                children.append((v_node, key + (k,), k_node.start_mark.line + 1, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                children.append((item, key + (i,), item.start_mark.line + 1, depth + 1))
        stack.extend(reversed(children))


_PRECOUNT_ABOVE = 256 * 1024  # below this a document cannot hold enough nodes to matter


def _count_events(text: str, path: Path, error: type[QmskitError]) -> None:
    """Refuse a large document with more than MAX_YAML_NODES nodes before composing it: the node graph
    costs ~0.5 KB and tens of µs per node, so 20 MB of tiny entries would take minutes and gigabytes."""
    events = 0
    try:
        for _event in yaml.parse(text, Loader=Loader):
            events += 1
            if events > MAX_YAML_NODES:
                raise error(msg("yamlio.too_many_entries", limit=MAX_YAML_NODES), path=path)
    except yaml.YAMLError:
        return  # composing reports the syntax error with its line


# the parser's words (libyaml's, or PyYAML's own) for the usual syntax errors -> the catalog's, so a Chinese
# user reads them in Chinese; anything else keeps the parser's English
_PARSER_WORDS = (
    ("mapping values are not allowed in this context", "yamlio.parser.mapping_values"),
    ("mapping values are not allowed here", "yamlio.parser.mapping_values_here"),
    ("while parsing a flow sequence", "yamlio.parser.in_flow_sequence"),
    ("while parsing a flow mapping", "yamlio.parser.in_flow_mapping"),
    ("while parsing a block mapping", "yamlio.parser.in_block_mapping"),
    ("did not find expected key", "yamlio.parser.expected_key"),
    ("while parsing a block collection", "yamlio.parser.in_block_collection"),
    ("did not find expected '-' indicator", "yamlio.parser.expected_dash"),
    ("while scanning for the next token", "yamlio.parser.in_next_token"),
    ("found character that cannot start any token", "yamlio.parser.bad_character"),
    ("while scanning a simple key", "yamlio.parser.in_simple_key"),
    ("while scanning a plain scalar", "yamlio.parser.in_plain"),
    ("could not find expected ':'", "yamlio.parser.expected_colon"),
    ("while scanning a quoted scalar", "yamlio.parser.in_quoted"),
    ("while parsing a quoted scalar", "yamlio.parser.parsing_quoted"),
    ("found unexpected end of stream", "yamlio.parser.unexpected_end"),
    ("found unknown escape character", "yamlio.parser.unknown_escape"),
    ("found undefined alias", "yamlio.parser.undefined_alias"),
    ("while parsing a block node", "yamlio.parser.in_node"),
    ("while parsing a flow node", "yamlio.parser.in_flow_node"),
    ("did not find expected node content", "yamlio.parser.expected_content"),
    ("found a tab character that violates indentation", "yamlio.parser.tab_indent"),
    ("did not find expected <document start>", "yamlio.parser.expected_document"),
)


_CLOSING = (("did not find expected ',' or ']'", "]"), ("did not find expected ',' or '}'", "}"))


def _parser_words(text: object) -> str:
    text = str(text)
    for words, close in _CLOSING:  # the bracket is a field: a lone "}" cannot sit in a catalog text
        if text == words:
            return msg("yamlio.parser.expected_close", close=close)
    for words, key in _PARSER_WORDS:
        if text == words:
            return msg(key)
    return text


def _marked(exc: yaml.MarkedYAMLError, path: Path, error: type[QmskitError]) -> QmskitError:
    mark = exc.problem_mark or exc.context_mark
    where = msg("place.line", line=mark.line + 1) if mark else None
    parts = [_parser_words(p) for p in (exc.context, exc.problem) if p]
    problem = msg("yamlio.context_problem", context=parts[0], problem=parts[1]) if len(parts) == 2 else "".join(parts)
    return error(msg("yamlio.malformed", problem=problem), path=path, where=where)


def load_yaml(path: str | Path, error: type[QmskitError] = QmskitError, *, words: bool = False) -> tuple[Any, dict]:
    """Return (data, lines) where ``lines`` maps a path tuple inside the document to its line.
    ``words``: booleans stay the words written (:class:`WordsLoader`)."""
    return parse_yaml(read_yaml_text(path, error), path, error, words=words)


def read_yaml_text(path: str | Path, error: type[QmskitError] = QmskitError) -> str:
    """A YAML file's text, read under the size limit and decoded as UTF-8 (what :func:`load_yaml` parses)."""
    path = Path(path)
    raw = read_bytes_bounded(path, error, MAX_YAML_BYTES, "limits.what.yaml_file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(msg("yamlio.not_utf8", reason=exc.reason, pos=exc.start), path=path) from None


def parse_yaml(text: str, path: str | Path = "<yaml>", error: type[QmskitError] = QmskitError, *,
               words: bool = False) -> tuple[Any, dict]:
    """Parse YAML text under the same limits as :func:`load_yaml`."""
    if len(text) > MAX_YAML_BYTES:
        raise error(msg("yamlio.text_too_large", limit=fmt_size(MAX_YAML_BYTES)), path=path)
    if len(text) > _PRECOUNT_ABOVE:
        _count_events(text, Path(path), error)
    loader = (WordsLoader if words else Loader)(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise _marked(exc, Path(path), error) from None
        except yaml.YAMLError as exc:
            raise error(msg("yamlio.malformed", problem=str(exc)), path=path) from None
        lines: dict = {}
        if node is None:
            return None, lines
        _walk(node, lines, Path(path), error)
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            raise _marked(exc, Path(path), error) from None
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # e.g. "date: 2024-02-30" matches the timestamp pattern and fails in datetime
            raise error(msg("yamlio.malformed_value", problem=str(exc)), path=path) from None
        return data, lines
    finally:
        loader.dispose()


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
