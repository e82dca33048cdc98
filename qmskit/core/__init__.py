"""The pure core: checklist model → tidy frames → scores → findings → readiness verdict.

pandas and numpy only: no files, no HTML, no display text, no notebooks, no terminal. It may import
``qmskit.errors``, ``qmskit.checklist`` (the checklist model) and ``qmskit.i18n`` (the message catalog is
data); never ``qmskit.io``, ``qmskit.render``, ``qmskit.jupyter``, ``qmskit.batch``, ``qmskit.forms`` or
``qmskit.cli``. ``tests/test_layering.py`` enforces it.
"""
