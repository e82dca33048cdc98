"""Rendering: the office report, comparison, portfolio, history and action-plan pages (Jinja2
templates with autoescape), the brand, charts, PDF printing through headless Chromium.

May import core, checklist, io, i18n and jupyter (the report is an executed notebook); nothing of batch,
forms or cli.
"""
