"""The pure core: checklist model → tidy frames → scores → findings → readiness verdict.

pandas and numpy only: no files, no HTML, no display text, no notebooks, no terminal. It may import
``qmskit.errors`` and ``qmskit.checklist`` (the checklist model); never ``qmskit.i18n`` (words and formatted
numbers are rendered at the edges from the core's codes; one stated lazy exception, see the test),
``qmskit.io``, ``qmskit.render``, ``qmskit.jupyter``, ``qmskit.batch``, ``qmskit.forms`` or ``qmskit.cli``.
``tests/test_layering.py`` enforces it.
"""
