"""The interactive assessment: an autosaving responses session, question cards and the ipywidgets form.

May import core, checklist, io, i18n and render (the form writes the report beside the file); nothing of
batch or cli.
"""
