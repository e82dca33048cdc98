"""Notebooks: parameterised through papermill's public API, executed on warm kernels that the
caller owns (context managers), exported by nbconvert. The warm engine is a ``papermill.engine`` entry
point, never registered on import.

May import core, checklist, io, i18n and errors; render imports it, not the reverse (except the report
module named by the kernel state it resets).
"""
