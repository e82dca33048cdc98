"""The message catalog: every user-visible string in English and Chinese (zh-CN), plural forms,
number formatting, and readiness reasons rendered from their codes and values.

The messages are gettext catalogs (``locale/<locale>/LC_MESSAGES/qmskit.po``, compiled to the ``.mo``
beside each and read with the standard library); :mod:`qmskit.i18n.catalog` says how to add one.
Numbers and dates are formatted for display here (:mod:`qmskit.i18n.numbers`), never in the core.
May import ``qmskit.core.model`` (Reason objects), ``qmskit.core.values`` (what counts as blank),
``qmskit.config`` (the languages) and ``qmskit.errors`` only.
"""
