"""The one Jinja2 Environment of every page and HTML fragment qmskit renders.

Templates live in ``qmskit/render/templates/``; autoescape is on for every template (files and strings), so
a value from a file reaches the page escaped unless the code marks it ``Markup`` on purpose. Undefined names
fail loudly (``StrictUndefined``) instead of leaving a silent gap in a report.

Globals every template gets:

* ``t(key, **fields)``: a display string from the one message catalog in the render's ``lang`` (the template
  context must hold ``lang``), so no template carries English text of its own;
* ``palette``, ``band_colour``, ``severity_colour``: the one palette (:mod:`qmskit.render.palette`);
* ``fmt_number``: display rounding of scores (:func:`qmskit.core.readiness.fmt_number`).
"""
from __future__ import annotations

import functools
from typing import Any

import jinja2


@jinja2.pass_context
def _t(context: Any, key: str, **fields: Any) -> str:
    from qmskit.i18n.pages import t  # interim: the pages' strings, then the shared catalog
    return t(key, context.get("lang") or "en", **fields)


@functools.cache
def environment() -> jinja2.Environment:
    """The shared Environment (built once per process; templates are compiled once and cached by Jinja2)."""
    from qmskit.core.readiness import fmt_number
    from qmskit.render import palette

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("qmskit.render", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(t=_t, palette=palette, band_colour=palette.band_colour, severity_colour=palette.severity_colour,
                       fmt_number=fmt_number)
    return env


def render(name: str, /, **context: Any) -> str:
    """Render the template ``name`` (a path under qmskit/render/templates/) with ``context``."""
    return environment().get_template(name).render(**context)
