"""The one Jinja2 environment every qmskit page and fragment is rendered with.

Autoescape is on for every template, so a value from a file (office name, evidence, notes, owner …)
reaches HTML only through Jinja2's escaping; Python hands templates plain data and never builds markup.
``Markup`` is used only for fragments whose every character is ours (catalog entries that carry their
own ``<b>``, the Markdown renderer's output, which escapes raw HTML itself).

Templates get their words from the message catalog through ``t`` (``{{ t('sec_gaps') }}``, the language
is the ``lang`` of the render call) and ``t_html`` for catalog entries that contain markup; colours from the
one palette through ``palette``, ``band_colour(band)`` and ``severity_colour(severity)``.
The environment is built on first use (no import-time work) and shared by the whole process.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup, escape

from qmskit.i18n import catalog
from qmskit.i18n.numbers import fmt_number, fmt_percent
from qmskit.render import palette


@dataclass(frozen=True)
class Column:
    """A table column: the row key it shows, its header, its fixed width (``"12%"``: print never cuts a
    table off), right-aligned numbers, a bar behind the value."""
    key: str
    header: str
    width: str
    numeric: bool = False
    bar: str = ""  # the row key of a 0–1 fraction that report.css draws as a bar behind the cell (--w)

    @property
    def css(self) -> str:
        return "qr-num" if self.numeric else ""


def _finalize(value: Any) -> Any:
    """What ``{{ value }}`` prints: None and NaN (a blank cell of a frame) print nothing, never "None"."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else value


@functools.cache
def _message(key: str, lang: str) -> str:
    """A message without fields: the same text every time in a process (the catalogs are read once), and
    a long table asks for the same few (a severity, a reason, "Notes:") on every row."""
    return catalog.t(key, lang)


@jinja2.pass_context
def _t(context: Any, key: str, **fields: Any) -> str:
    lang = context.get("lang") or "en"
    return catalog.t(key, lang, **fields) if fields else _message(key, lang)


@jinja2.pass_context
def _t_html(context: Any, key: str, **fields: Any) -> Markup:
    """A catalog entry written with markup of our own ("method"): its text is trusted, its fields escaped."""
    safe_fields = {k: escape(v) if isinstance(v, str) else v for k, v in fields.items()}
    return Markup(catalog.t(key, context.get("lang") or "en", **safe_fields))  # noqa: S704 - our own text


pct = fmt_percent  # the name templates and report.py know it by


def lines(value: Any) -> Markup:
    """Text the office typed, escaped, its line breaks kept as <br> (HTML folds a newline into a space:
    "SWOT sheet, tab 2" on its own line ran into the line before it)."""
    text = escape(value)
    if "\n" not in text and "\r" not in text:
        return text
    return Markup("<br>").join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))

_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """Jinja2's environment with a cheaper ``row.owner`` on a plain dict (every row the renderers hand a
    template is one): Jinja looks for an attribute first and only then for the key, and a dict never has
    an attribute of a name that is not one of dict's own, so that first look always failed, raising an
    AttributeError inside (~4 µs: most of a long table's lookups). Such a name now goes to the key
    directly; the result is the same (the key's value, else undefined), and every other object or name
    (``texts.items``, a dataclass's field) takes Jinja's own way."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        # jinja2.Environment.getattr's own lines (a column's ``c.key`` in every cell: no second call)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


def checklist_named(cl: Any, lang: str) -> str:
    """A checklist as the pages name it: its title, then its id and version (the catalog places the
    brackets: full-width in Chinese)."""
    return catalog.t("checklist_named", lang, title=cl.title.get(lang) or cl.title.get("en", cl.id), id=cl.id,
                     version=cl.version)


@functools.cache  # one environment a process: its templates are compiled on first use, then kept
def environment() -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.PackageLoader("qmskit.render", "templates"),
        autoescape=True,  # every template, whatever its name: nothing here is not HTML or SVG
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the test, never renders as ""
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False, finalize=_finalize,
        auto_reload=False,  # templates ship with the package: compiled once a process, never re-checked on disk
    )
    env.globals.update(t=_t, t_html=_t_html, palette=palette, band_colour=palette.band_colour,
                       severity_colour=palette.severity_colour)
    env.filters.update(num=fmt_number, pct=pct, lines=lines)
    return env


def render(name: str, /, **context: Any) -> Markup:
    """Render ``templates/<name>`` with ``context``; the result is safe HTML (autoescaped)."""
    return Markup(environment().get_template(name).render(**context).strip())  # noqa: S704 - autoescaped output
