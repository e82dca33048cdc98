"""Rendering: frames → HTML. The office report, comparison, portfolio, history and action-plan pages
(Jinja2 templates with autoescape), the brand, the charts (inline SVG), PDF printing through headless
Chromium.

Reads and writes no file: :mod:`qmskit.api` reads the data, runs the notebooks that display these pieces
and writes the pages (the brand file and the PDF printer are the two stated exceptions,
tests/test_layering.py). May import core, checklist, i18n, jupyter and ``qmskit.io.iorw.slugify``;
nothing of api, batch, forms or cli.
"""
