"""The message catalog: every user-visible string in English and Chinese (zh-CN), plural forms,
number formatting, and readiness reasons rendered from their codes and values.

The messages are gettext catalogs (``locale/<locale>/LC_MESSAGES/qmskit.po``, compiled to the ``.mo``
beside each and read with the standard library); :mod:`qmskit.i18n.catalog` says how to add one.
May import ``qmskit.core.model``, ``qmskit.core.readiness`` (number formatting), ``qmskit.config`` (the
languages) and ``qmskit.errors`` only.
"""
