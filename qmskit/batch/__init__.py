"""Many offices at once: tasks and results, executors (process pool or Dask), the output folder and
its manifest, progress and interrupts.

May import everything below it (core, checklist, io, i18n, render, jupyter); nothing of forms or cli.
"""
