"""Files: responses (xlsx, ods, csv, yaml behind one suffix registry), action plans, merged answer files;
atomic writes under a lock, rotating backups, input limits, cell text normalisation.

May import ``qmskit.core``, ``qmskit.checklist``, ``qmskit.errors`` and ``qmskit.i18n``; nothing of render,
jupyter, batch, forms or cli.
"""
