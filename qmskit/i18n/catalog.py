"""The message catalog: every user-visible string in English and Chinese, as gettext catalogs.

The messages live in ``qmskit/i18n/locale/<locale>/LC_MESSAGES/qmskit.po`` (``en`` and ``zh_CN``); the
compiled ``qmskit.mo`` beside each is what runs, read with the standard library's :mod:`gettext` (Babel is
needed only to compile and to test). Msgids are symbolic keys, not English sentences: flat ones from the
first tables (``sec_gaps``, ``band_ready``) and dotted namespaces for the rest (``reason.major_gaps``,
``list.sep``, ``brand.signoff``) — a module's own messages take its name as their prefix.

Look-ups: ``t(key, lang, **fields)`` gives the text in ``lang`` (English when that language lacks it,
then the key itself), formatted with ``str.format`` when fields are given; ``tn(key, n, lang, **fields)``
picks the plural form for the count ``n`` by the language's plural rule (English has two forms, Chinese
one) and passes ``n`` as a field too. Question and clause texts are not here: they come from the
checklist (``text_en``/``text_zh``, ``title_en``/``title_zh``). Every module looks its words up with
``t``/``tn`` directly (no per-module wrappers or tables); the one view is :class:`LabelPairs`
(``{key: (en, zh)}`` sheet labels, read back in either language).

How to add a message:

1. add the entry to both ``.po`` files, in msgid order, with a non-empty translation in each::

       msgid "report.signed_by"
       msgstr "Signed by {name}"

   A count that a noun agrees with is a plural entry (``msgid_plural`` repeats the key; English gives
   ``msgstr[0]`` for one and ``msgstr[1]`` for other counts, Chinese only ``msgstr[0]``)::

       msgid "report.n_prerequisites"
       msgid_plural "report.n_prerequisites"
       msgstr[0] "{n} prerequisite"
       msgstr[1] "{n} prerequisites"

   and is looked up with ``tn("report.n_prerequisites", count, lang)``. Both languages must use the same
   ``{fields}``;
2. run ``make catalog`` (``scripts/catalog.py``: sorts each .po and recompiles its .mo; commit both). When
   a merge conflicts in the catalogs (two branches added messages), run
   ``.venv/bin/python scripts/catalog.py --resolve``: each .po becomes the union of both sides, and the
   .mo files are recompiled; then ``git add qmskit/i18n/locale`` and commit;
3. ``tests/i18n/`` checks that every entry is translated in both languages, with the same fields and the
   right number of plural forms, that the .mo files are current, and that every key the converted code
   looks up exists (add your module to its list of scanned files when you convert one).
"""
from __future__ import annotations

import functools
import gettext
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmskit.config import LANGUAGES

if TYPE_CHECKING:
    from qmskit.errors import Message

LANGS = LANGUAGES  # configured in qmskit.config; each needs a catalog under locale/ (LOCALES)
DOMAIN = "qmskit"
# qmskit's language codes → the gettext locale folder under locale/
LOCALES = {"en": "en", "zh": "zh_CN"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

# A plural entry looked up with t() rather than tn() takes its count from the field ``n``, or from the
# field named here (report.py's "gaps_summary" is called with the three counts; the plural noun agrees
# with ``observation``).
COUNTED_BY = {"gaps_summary": "observation"}


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (English behind it for messages it lacks); loaded once, on first use."""
    from qmskit.errors import QmskitError
    path = LOCALE_DIR / LOCALES[lang] / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as f:
            catalog: gettext.NullTranslations = gettext.GNUTranslations(f)
    except OSError as exc:
        raise QmskitError(f"{path}: the compiled message catalog is missing (run `make catalog`): "
                          f"{exc.strerror}") from exc
    if lang != "en":
        catalog.add_fallback(translations("en"))
    return catalog


# How people write a language in a responses file (Office sheet "Report language", CSV/YAML "language").
LANGUAGE_NAMES = {
    "en": "en", "english": "en", "eng": "en", "英文": "en", "英语": "en", "en-us": "en", "en-gb": "en",
    "zh": "zh", "中文": "zh", "汉语": "zh", "简体中文": "zh", "chinese": "zh", "zh-cn": "zh", "zh_cn": "zh",
    "zh-hans": "zh", "cn": "zh",
}


def language_code(value: object) -> str | None:
    """``en``/``zh`` for a language as written in a file (``English``, ``中文``, ``zh-CN`` …); None if unknown."""
    return LANGUAGE_NAMES.get(str(value).strip().lower())


def check_lang(lang: str | None) -> str:
    """Return a supported language code; raise a one-line QmskitError otherwise."""
    from qmskit.errors import QmskitError
    if lang not in LANGS:
        raise QmskitError(msg("catalog.unsupported_language", value=lang, allowed=", ".join(LANGS)))
    return str(lang)


def _catalog(lang: str | None) -> gettext.NullTranslations:
    return translations(lang if lang in LANGS else "en")


def _lookup(key: str, lang: str | None, n: int | None = None) -> str | None:
    """The message ``key`` in ``lang``, or None when no catalog has it.

    With a count ``n`` a plural message gives its form for ``n`` and a singular one its text; without, a
    plural message gives its singular form (what gettext does).
    """
    catalog = _catalog(lang)
    if n is not None:
        text = catalog.ngettext(key, key, n)
        if text != key:
            return text
    text = catalog.gettext(key)
    return None if text == key else text


def t(key: str, /, lang: str | None = "en", **fields: Any) -> str:
    """The message ``key`` in ``lang`` (English, then the key itself, when missing), formatted with ``fields``.

    A plural message takes its count from the field ``n`` (or the one named in ``COUNTED_BY``).
    """
    count = fields.get(COUNTED_BY.get(key, "n"))
    text = _lookup(key, lang, count if isinstance(count, int) else None) or key
    return text.format(**fields) if fields else text


def tn(key: str, n: int, lang: str | None = "en", **fields: Any) -> str:
    """The plural message ``key`` for the count ``n`` in ``lang``, formatted with ``n`` and ``fields``."""
    return (_lookup(key, lang, n) or key).format(n=n, **fields)


# ----------------------------------------------------------------------------- error and warning lines
# An error's words are data until an edge says them (qmskit.errors.Message): the module that raises makes
# them with msg() (English text, key, fields), the CLI and the pages say them in the user's language.

def msg(key: str, /, **fields: Any) -> Message:
    """The message ``key`` with ``fields`` as a :class:`qmskit.errors.Message`: its English text, which
    :func:`say` (or :func:`error_line`, for a whole error) gives in another language."""
    from qmskit.errors import Message
    return Message(t(key, "en", **fields), key, fields)


def say(text: object, lang: str | None) -> str:
    """``text`` in ``lang``: a Message from the catalog (each Message among its fields too), a QmskitError or
    ResponsesWarning as its whole line (:func:`error_line`); any other text as it is."""
    from qmskit.errors import Message
    if isinstance(text, Message):
        return t(text.key, lang, **{k: say(v, lang) if isinstance(v, Message) else v for k, v in text.fields.items()})
    if isinstance(text, BaseException) and hasattr(text, "detail"):
        return error_line(text, lang)
    return str(text)


def error_line(error: Any, lang: str | None) -> str:
    """A QmskitError or ResponsesWarning as its one line in ``lang``: the file, the place in it, what is
    wrong. ``str(error)`` is the English line; an error made of plain text (not yet in the catalog) stays
    exactly that line in every language rather than mixing Chinese punctuation into an English sentence."""
    from qmskit.errors import ResponsesProblems
    if isinstance(error, ResponsesProblems):
        line = say(line_message(error.problems[0]), lang)
        return line + tn("errors.more_problems", error.extra, lang) if error.extra else line
    return say(line_message(error), lang)


def line_message(error: Any) -> str:
    """A QmskitError or ResponsesWarning as one Message: its English line (``str(error)``), said in another
    language by :func:`say`, e.g. a reader warning kept as a report's note; plain text when its words are
    not the catalog's."""
    from qmskit.errors import Message
    detail, where, path = error.detail, error.where, error.path
    if not isinstance(detail, Message) and not isinstance(where, Message):
        return str(error)
    if path and where:
        return Message(str(error), "errors.file_place", {"path": path, "where": where, "detail": detail})
    if path or where:
        return Message(str(error), "errors.file", {"path": path or where, "detail": detail})
    return detail


class LabelPairs(Mapping[str, tuple[str, str]]):
    """``{key: (English, Chinese)}`` for a fixed set of keys, each the message ``<prefix>.<key>``.

    For sheets that are written in one language and read back in either (a label in a file maps to its key).
    """

    def __init__(self, prefix: str, keys: Iterable[str]) -> None:
        self._prefix, self._keys = prefix, tuple(keys)

    def __getitem__(self, key: str) -> tuple[str, str]:
        if key not in self._keys:
            raise KeyError(key)
        return t(f"{self._prefix}.{key}", "en"), t(f"{self._prefix}.{key}", "zh")

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def label(self, key: str, lang: str) -> str:
        """The label of ``key`` in ``lang``; a key outside the set is its own label."""
        return t(f"{self._prefix}.{key}", lang) if key in self._keys else key

    def keys_by_label(self) -> dict[str, str]:
        """Every label in either language (case-folded, stripped), and every key, mapped to its key."""
        return {label.strip().lower(): key for key in self._keys for label in (key, *self[key])}


# ----------------------------------------------------------------------------- readiness reasons
# A reason code (qmskit.core.model.ReasonCode) is the message ``reason.<code>``; ``reason.<code>.<band>``
# overrides it for one band. A reason with a ``count`` value is a plural message counted by it. Fields:
# the reason's values, numbers rounded for display, lists joined (the first LIST_LIMIT, then
# ``list.more``), ``n_<list>`` the list's length as counted words when the catalog has ``reason.n_<list>``
# ("2 clauses", "2 个条款") else as a number, ``band`` the band's name inside a sentence
# (``reason.band.<band>``).
LIST_LIMIT = 12  # longer lists show the first ones and "+N more" (the count stays the full count)


def _display_list(items: Any, lang: str) -> str:
    items = [str(i) for i in items]
    shown = t("list.sep", lang).join(items[:LIST_LIMIT])
    if len(items) > LIST_LIMIT:
        shown += t("list.more", lang, n=len(items) - LIST_LIMIT)
    return shown


def kpi_finding_texts(source: Any, lang: str = "en") -> dict[str, str]:
    """Each KPI finding's sentence (the catalog's ``kpi.finding_row``), by finding id: the indicator's name
    in ``lang``, its value and target. ``source``: an Assessment (its ``kpi_findings`` and ``kpis`` frame)
    or a list of findings. The report's register, gaps.csv and the action plan all say it this way (the
    plan had its own English sentence in a Chinese workbook; found by a new user's session)."""
    from qmskit.i18n.numbers import fmt_target, fmt_value
    findings = getattr(source, "kpi_findings", source) or []
    frame = getattr(source, "kpis", None)
    names = dict(zip(frame["id"], frame.get(f"name_{lang}", frame["name_en"]))) if frame is not None and len(frame) else {}
    return {f["id"]: t("kpi.finding_row", lang, name=names.get(f["indicator"], f["name"]),
                       value=fmt_value(f["value"], f["unit"], f["target"]),
                       target=fmt_target(f["target"], f["direction"], f["unit"])) for f in findings}


def reason_text(reason: Any, lang: str = "en") -> str:
    """One readiness reason (a :class:`qmskit.core.model.Reason`, or its JSON dict) rendered in ``lang``."""
    from qmskit.core.model import Reason
    from qmskit.i18n.numbers import fmt_number
    if isinstance(reason, str):  # already text (e.g. a portfolio summary written by an older version)
        return reason
    if isinstance(reason, dict):
        reason = Reason.from_dict(reason)
    lang = lang if lang in LANGS else "en"
    values = dict(reason.values)
    band = values.get("band")
    count = values.get("count") if isinstance(values.get("count"), int) else None
    text = ((band and _lookup(f"reason.{reason.code}.{band}", lang, count))
            or _lookup(f"reason.{reason.code}", lang, count) or f"reason.{reason.code}")
    fields: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, (list, tuple)):
            fields[key] = _display_list(value, lang)
            counted = _lookup(f"reason.n_{key}", lang, len(value))
            fields[f"n_{key}"] = counted.format(n=len(value)) if counted else len(value)
        elif isinstance(value, float) or value is None:
            fields[key] = fmt_number(value, lang)
        else:
            fields[key] = value
    if band:
        fields["band"] = t(f"reason.band.{band}", lang)
    return text.format(**fields)


def reason_texts(reasons: Any, lang: str = "en") -> list[str]:
    """Each readiness reason (an Assessment's ``reasons``) as words in ``lang``."""
    return [reason_text(r, lang) for r in reasons]


def join_reasons(reasons: Any, lang: str = "en") -> str:
    """Readiness reasons as one line, joined by the language's separator (``reasons.sep``: "; ", "；")."""
    return t("reasons.sep", lang).join(reason_text(r, lang) for r in reasons)


def readiness_reason(reason: Any, lang: str = "en") -> str:
    """Alias of :func:`reason_text` (kept for notebooks written against earlier versions)."""
    return reason_text(reason, lang)


def band_label(band: str, lang: str = "en") -> str:
    """A band as words ("Nearly ready", "基本具备"; ``not_started`` → "Not started"), never the raw key."""
    return t(f"band_{band}", lang)


def reverify_mark(lang: str = "en") -> str:
    """The prefix that marks evidence carried over from the last assessment as still to be re-verified
    (``reassess.reverify_mark``); the core's prefill takes it as a parameter."""
    return t("reassess.reverify_mark", lang)


def reverify_marks() -> tuple[str, ...]:
    """The re-verify mark in every language (evidence carrying any of them is not marked twice)."""
    return tuple(reverify_mark(lang) for lang in LANGS)
