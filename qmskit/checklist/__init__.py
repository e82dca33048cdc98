"""Checklists: the bundled YAML files and profiles (``extends:``), loaded, composed and validated.

May import ``qmskit.errors`` and ``qmskit.io`` (bounded YAML reading); nothing of render, jupyter, batch,
forms or cli.
"""
