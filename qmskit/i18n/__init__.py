"""The message catalog: every user-visible string in English and Chinese (zh-CN), plural forms,
number formatting, and readiness reasons rendered from their codes and values.

May import ``qmskit.core.model`` and ``qmskit.errors`` only.
"""
