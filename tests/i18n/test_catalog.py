"""The message catalog: complete in both languages, consistent, compiled, and in step with the code."""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from qmskit.checklist import loader
from qmskit.cli import core as cli_core
from qmskit.cli import lifecycle
from qmskit.core.actions import DATE_KEYS, ActionStatus
from qmskit.core.history import MOVES
from qmskit.core.model import Band, GapReason, Reason, ReasonCode
from qmskit.i18n import catalog
from qmskit.i18n.catalog import LOCALE_DIR, LOCALES, reason_text, t, tn
from qmskit.io import actions_xlsx, merge, ods, xlsx, xlsx_read
from qmskit.io.xlsx_parts import LostPart
from qmskit.render import findings_table

ROOT = Path(__file__).resolve().parents[2]
NPLURALS = {"en": 2, "zh": 1}

# Every module and template of qmskit is scanned: each key it looks up must exist, and every key of the
# catalog must be used by one of them -- looked up literally (``t("sec_gaps")``), passed by name to a
# function that looks it up (``row("scope", …)``, ``("param_sha256", …)``), or built at run time from a
# family below. (The first version checked only the namespaced keys of a list of converted modules, so
# the flat keys of the first tables -- ``col_action``, ``kpi_finding``, ``reasons`` -- outlived their use.)
CODE = sorted(p for p in (ROOT / "qmskit").rglob("*.py"))
TEMPLATES = sorted((ROOT / "qmskit" / "render" / "templates").rglob("*.j2"))
# keys built at run time: the f-string in the code and the values it is filled with
FAMILIES = [
    *(f"reason.{code}" for code in ReasonCode),
    *(kind.value for kind in LostPart),  # the parts an in-place save would drop (qmskit.io.xlsx_parts)
    *(f"reason.{code}.{band}" for code in ReasonCode for band in Band),
    *(f"reason.band.{band}" for band in Band),
    "reason.n_clauses",  # reason.n_<list value> for the list values reasons carry
    *(f"band_{band}" for band in [*Band, "not_started"]),
    # the comparison's gap groups, readiness changes, gap fates and KPI results (qmskit.core.compare)
    *(f"compare.sec_{g}" for g in ("closed", "opened", "persisting", "unassessed")),
    *(f"compare.empty_{g}" for g in ("closed", "opened", "persisting")),
    *(f"compare.ch_{c}" for c in ("improved", "worsened", "unchanged")),
    *(f"compare.st_{c}" for c in ("improved", "worsened", "unchanged")),
    *(f"compare.kk_{k}" for k in ("now_met", "now_missed", "still_met", "still_missed", "newly_measured",
                                  "not_measured")),
    # the header's audience line (report.py: brand.audience_<Audience>)
    *(f"brand.audience_{audience}" for audience in ("client", "internal")),
    # answers, documented-information kinds and states, gap reasons, the verdict banner's hints (report.py
    # and its templates: ans_<answer>, di_<kind or status>, reason_<GapReason or kpi>, band_hint_<band>)
    *(f"ans_{answer}" for answer in ("yes", "partial", "no", "n/a")),
    *(f"di_{key}" for key in ("maintain", "retain", "present", "unsupported", "partial", "missing", "unanswered", "n/a")),
    *(f"reason_{reason}" for reason in [*GapReason, "kpi"]),
    *(f"band_hint_{band}" for band in [*Band, "not_started", "ready_minors"]),
    # render.findings_table: the columns of gaps.csv
    *(f"findings_table.col.{field}" for field in findings_table.FIELDS),
    # render.kpi_tables.kpi_table: its columns, and the status and trend codes evaluate_kpis gives
    *(f"kpi.col.{key}" for key in ("indicator", "target", "value", "previous", "status", "trend")),
    *(f"kpi.status.{key}" for key in ("met", "not_met", "no_value")),
    *(f"kpi.trend.{key}" for key in ("improved", "worsened", "unchanged")),
    *(f"action.status.{status.value}" for status in ActionStatus),
    *(f"xlsx.assessment.{key}" for key in xlsx.ASSESSMENT_LABELS),
    *(f"xlsx.kpi.{key}" for key in xlsx.KPI_LABELS),
    *(f"xlsx.office.{key}" for key in xlsx.META_LABELS),
    *(f"xlsx.office.{key}" for key in xlsx.RECORD_LABELS),  # rows qmskit adds (previous_date, part…)
    *(f"actions_xlsx.column.{key}" for key in actions_xlsx.HEADER_LABELS),
    *(f"actions_xlsx.office.{key}" for key in actions_xlsx.META_LABELS),
    *(f"actions_xlsx.yes_no.{key}" for key in ("yes", "no")),
    *(f"form.{k}" for k in ("all", "unanswered", "gaps", "pending", "saving", "critical", "maintain", "retain")),
    *(f"form.ans_{v}" for v in ("yes", "partial", "no", "na")),
    *(f"history.mv_{m}" for m in MOVES),
    *(f"history.threshold_{k}" for k in ("ready", "nearly", "dev")),
    *(f"actions_xlsx.date_name.{key}" for key in DATE_KEYS),  # the dates of a finding (actions_xlsx._date)
    *(f"exclusions.answer_{answer}" for answer in ("yes", "partial", "no")),  # exclusions._answer_word
    # the CLI's table columns and the fields a merge conflict names (merge.field.<field>; "answer" is worded apart)
    *(f"cli.checklists.col_{key}" for key in cli_core.CHECKLIST_COLUMNS),
    *(f"cli.score.col_{key}" for key in cli_core.SCORE_NUMBER_COLUMNS),
    *(f"cli.status.col_{key}" for key in lifecycle.STATUS_COLUMNS),
    *(f"merge.field.{name}" for name in [*merge.FIELDS[1:], *merge.KPI_FIELDS]),
    # a checklist file's schema problems (checklist.loader._explain: schema.<rule>, schema.type_<JSON type>)
    *(f"schema.{rule}" for rule in ("exclusiveMinimum", "minimum", "maximum")),
    *(f"schema.type_{name}" for name in loader._JSON_TYPES),
    # keys held in a constant or a parameter's default: the not-a-spreadsheet lines, the file a limit names
    xlsx_read.NOT_A_WORKBOOK, ods.NOT_AN_ODS, "limits.what.file",
]


def cli_help_keys():
    """The help keys of every command of the CLI and of each of its options (``help="cli.help.…"``)."""
    import click

    from qmskit.cli import main
    keys = set()

    def walk(command):
        keys.add(command.help)
        keys.update(param.help for param in command.params if getattr(param, "help", None))
        for name in command.list_commands(None) if isinstance(command, click.Group) else ():
            walk(command.get_command(None, name))
    walk(main)
    return keys


def po_catalog(lang):
    with (LOCALE_DIR / LOCALES[lang] / "LC_MESSAGES" / "qmskit.po").open("rb") as f:
        return read_po(f)


def entries(lang):
    """msgid → tuple of its forms (one for a singular message)."""
    return {m.id[0] if m.pluralizable else m.id: tuple(m.string) if m.pluralizable else (m.string,)
            for m in po_catalog(lang) if m.id}


def plain(value):
    """A msgid or msgstr as a hashable value (plural ones are lists or tuples, depending on the reader)."""
    return value if isinstance(value, str) else tuple(value)


def fields(text):
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_message_has_every_form_translated(lang):
    messages, other = entries(lang), entries("zh" if lang == "en" else "en")
    assert set(messages) == set(other), "a msgid exists in one language only"
    plural = {m.id[0] for m in po_catalog(lang) if m.pluralizable}
    for key, forms in messages.items():
        assert all(form.strip() for form in forms), f"{lang}: {key} has an empty translation"
        if key in plural:
            assert len(forms) == NPLURALS[lang], f"{lang}: {key} has {len(forms)} plural forms"
    assert po_catalog(lang).num_plurals == NPLURALS[lang]


def test_english_and_chinese_use_the_same_fields():
    en, zh = entries("en"), entries("zh")
    for key in en:
        en_fields = set().union(*map(fields, en[key]))
        zh_fields = set().union(*map(fields, zh[key]))
        assert en_fields == zh_fields, f"{key}: en uses {sorted(en_fields)}, zh {sorted(zh_fields)}"


def test_no_message_has_a_field_named_like_a_lookup_argument():
    """t(key, lang, **fields): a field named ``lang`` would collide with the language (a TypeError where the
    line should have been)."""
    for lang in ("en", "zh"):
        for key, forms in entries(lang).items():
            assert "lang" not in set().union(*map(fields, forms)), f"{lang}: {key} has a field named lang"


def test_plural_markup_of_the_old_tables_is_gone():
    """Plurals are gettext plural entries now; the old inline ``{n:one|other}`` would print literally."""
    for lang in ("en", "zh"):
        for key, forms in entries(lang).items():
            assert not any(re.search(r"\{\w+:[^{}]*\|", form) for form in forms), f"{lang}: {key}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_compiled_catalog_matches_its_source(lang):
    """The committed .mo holds exactly the .po's messages (run `make catalog` after editing a .po)."""
    folder = LOCALE_DIR / LOCALES[lang] / "LC_MESSAGES"
    with (folder / "qmskit.mo").open("rb") as f:
        compiled = {plain(m.id): plain(m.string) for m in read_mo(f) if m.id}
    source = {plain(m.id): plain(m.string) for m in po_catalog(lang) if m.id}
    assert compiled == source, "stale .mo: run `make catalog`"
    msgids = [line for line in (folder / "qmskit.po").read_text("utf-8").splitlines() if line.startswith("msgid ")]
    assert msgids == sorted(msgids), "the .po is not sorted by msgid: run `make catalog`"


def looked_up_keys():
    """The literal keys that qmskit's modules pass to t(), tn() and msg(), and its templates to t() / t_html()."""
    keys = set()
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("t", "tn", "msg")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                keys.add(node.args[0].value)
    for path in TEMPLATES:
        keys.update(re.findall(r"""\bt(?:_html)?\(\s*["']([^"'~]+)["']\s*[,)]""", path.read_text("utf-8")))
    return keys


def keys_passed_by_name():
    """String constants that reach a look-up through a variable: a call's positional argument, an item of
    a tuple or list, a returned value (``row("scope", …)``, ``("param_sha256", …)``, ``return "draft"``).
    A dict key or a docstring is not a use."""
    names = set()
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                values = node.args
            elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                values = node.elts
            elif isinstance(node, (ast.Return, ast.IfExp)):
                values = [node.value] if isinstance(node, ast.Return) else [node.body, node.orelse]
            else:
                continue
            names.update(v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return names


def test_code_looks_up_only_existing_keys():
    assert looked_up_keys(), "the scan found no look-up at all"
    assert not sorted(looked_up_keys() - set(entries("en")))


def test_the_catalog_has_no_unused_keys():
    used = looked_up_keys() | keys_passed_by_name() | set(FAMILIES) | cli_help_keys()
    unused = sorted(k for k in entries("en") if k not in used)
    assert not unused, f"keys nothing uses (remove them from both .po files, then `make catalog`): {unused}"


def test_every_reason_code_and_band_has_its_message():
    known = set(entries("en"))
    assert {f"reason.{code}" for code in ReasonCode} <= known
    assert {f"reason.band.{band}" for band in Band} | {f"band_{band}" for band in Band} <= known


def test_lookup_falls_back_to_english_then_to_the_key():
    assert t("sec_gaps", "zh") == "差距清单"
    assert t("sec_gaps", "fr") == t("sec_gaps", "en") == "Gap register"
    assert t("no.such.key", "zh") == "no.such.key"
    assert t("answered_of", "en", answered=3, applicable=4) == "3 of 4 applicable questions answered"


def test_chinese_missing_a_message_shows_the_english_one(monkeypatch):
    """A message the zh catalog lacks comes from the English one behind it (gettext's fallback)."""
    zh = catalog.translations("zh")
    monkeypatch.setattr(zh, "_catalog", {k: v for k, v in zh._catalog.items() if k != "sec_gaps"})
    assert t("sec_gaps", "zh") == "Gap register"


def test_plural_forms_follow_each_language():
    assert tn("reason.n_clauses", 1, "en") == "1 clause"
    assert tn("reason.n_clauses", 2, "en") == "2 clauses"
    assert tn("reason.n_clauses", 0, "en") == "0 clauses"
    assert tn("reason.n_clauses", 1, "zh") == tn("reason.n_clauses", 1, "zh") == "1 个条款"
    assert tn("reason.n_clauses", 5, "zh") == "5 个条款"
    # a plural message looked up with t() counts by its field
    assert t("gaps_summary_kpi", "en", n=1) == "; plus 1 KPI observation (not included)"
    assert t("gaps_summary", "en", major=1, minor=0, observation=2) == "1 major, 0 minor, 2 observations"
    assert t("gaps_summary", "zh", major=1, minor=0, observation=2) == "严重 1 项，一般 0 项，观察项 2 项"


def test_reason_counts_agree_with_their_nouns():
    one = Reason(ReasonCode.PREREQUISITES_MISSING, {"count": 1, "ids": ["9.2-01"], "band": "ready"})
    two = Reason(ReasonCode.PREREQUISITES_MISSING, {"count": 2, "ids": ["9.2-01", "9.3-01"], "band": "ready"})
    assert reason_text(one).startswith("1 prerequisite not answered")
    assert reason_text(two).startswith("2 prerequisites not answered")
    assert reason_text(two, "zh").startswith("2 项前提条件未回答“是”：9.2-01、9.3-01")
    major = Reason(ReasonCode.MAJOR_GAPS, {"count": 3, "clauses": ["7.5.3", "9.2"], "band": "nearly_ready",
                                           "allowed": 1})
    assert reason_text(major) == "3 major gaps in 2 clauses: 7.5.3, 9.2 (nearly ready allows at most 1)"
    assert reason_text(major, "zh") == "严重差距 3 项，涉及 2 个条款：7.5.3、9.2（“基本具备”最多允许 1 项）"
    single = Reason(ReasonCode.MAJOR_GAPS, {"count": 1, "clauses": ["9.2"], "band": "ready", "allowed": 0})
    assert reason_text(single) == "1 major gap in 1 clause: 9.2 (ready needs none)"


def test_long_lists_are_cut_with_a_count_of_the_rest():
    ids = [f"Q{i}" for i in range(15)]
    reason = Reason(ReasonCode.UNSUPPORTED_KEY, {"count": 15, "ids": ids, "band": "ready"})
    assert "Q11 (+3 more)" in reason_text(reason)
    assert "Q11 等（另 3 项）" in reason_text(reason, "zh")


@pytest.mark.parametrize("labels", [xlsx.ASSESSMENT_LABELS, xlsx.KPI_LABELS, xlsx.META_LABELS,
                                    actions_xlsx.HEADER_LABELS, actions_xlsx.META_LABELS],
                         ids=["assessment", "kpi", "office", "actions", "actions-office"])
def test_sheet_labels_read_back_to_their_keys_in_either_language(labels):
    """A workbook is read back by its header labels: each label (en or zh) must name exactly one key."""
    by_label = labels.keys_by_label()
    for lang in (0, 1):
        assert len({pair[lang].strip().lower() for pair in labels.values()}) == len(labels), "two keys share a label"
    for key in labels:
        en, zh = labels[key]
        assert by_label[en.strip().lower()] == key and by_label[zh.strip().lower()] == key, key
        assert labels.label(key, "zh") == zh and labels.label(key, "fr") == en
    assert labels.label("not_a_key", "zh") == "not_a_key"


def test_action_statuses_read_back_from_either_language():
    from qmskit.core.actions import STATUS_ORDER
    from qmskit.io.actions_xlsx import status_key
    for lang in ("en", "zh"):
        for key in STATUS_ORDER:
            assert status_key(f" {t(f'action.status.{key}', lang).upper()} ") == key
    assert t("action.status.verified", "zh") == "已验证有效"
    assert status_key("maybe") is None


def test_a_missing_compiled_catalog_is_one_clear_error(tmp_path, monkeypatch):
    """An install without the .mo files (a packaging slip) says what is missing and how to build it."""
    from qmskit.errors import QmskitError
    monkeypatch.setattr(catalog, "LOCALE_DIR", tmp_path)
    catalog.translations.cache_clear()
    try:
        with pytest.raises(QmskitError, match=r"qmskit\.mo: the compiled message catalog is missing .*make catalog"):
            t("sec_gaps", "zh")
    finally:
        catalog.translations.cache_clear()
