"""Commands over checklists and responses: checklists, validate, template, score."""
from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from qmskit.cli._help import HelpCommand
from qmskit.cli._term import console, json_text, lang_option, plain, report_error, warning_text
from qmskit.errors import QmskitError

# the tables' columns: each is the message cli.checklists.col_<key> / cli.score.col_<key>
CHECKLIST_COLUMNS = ("id", "version", "title", "clauses", "questions")
SCORE_NUMBER_COLUMNS = ("overall", "compl", "major", "minor", "obs", "no_ev")
BAND_STYLE = {"ready": "bold green", "nearly_ready": "bold yellow", "developing": "bold dark_orange",
              "early_stage": "bold red", "not_started": "bold"}


@click.command("checklists", cls=HelpCommand, help="cli.help.checklists")
@lang_option()
def checklists_cmd(lang: str) -> None:
    """List the bundled checklists."""
    from rich.table import Table
    from rich.text import Text

    from qmskit.checklist.loader import list_checklists
    from qmskit.i18n.catalog import t

    table = Table(*(t(f"cli.checklists.col_{key}", lang) for key in CHECKLIST_COLUMNS))
    table.columns[0].no_wrap = True  # the id is what users type: never cut it
    table.columns[2].overflow = "fold"  # a Chinese title is one long "word": folded, never cut with "…"
    for row in list_checklists().itertuples(index=False):
        title = row.title_zh if lang == "zh" and row.title_zh else row.title
        table.add_row(*(Text(plain(v)) for v in (row.id, row.version, title, row.clauses, row.questions)))
    console().print(table)


@click.command("validate", cls=HelpCommand, help="cli.help.validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@lang_option()
def validate_cmd(paths: tuple[Path, ...], lang: str) -> None:
    """Validate checklist YAML files (or bundled ids); exit 1 on any error."""
    from qmskit.checklist.loader import load_checklist, validate_checklist_file
    from qmskit.i18n.catalog import t, tn

    failed = 0
    for path in paths:
        try:
            cl = validate_checklist_file(path) if path.exists() or path.suffix else load_checklist(str(path))
        except QmskitError as exc:
            report_error(exc)
            failed += 1
            continue
        click.echo(plain(t("cli.validate_ok", lang, id=cl.id, version=cl.version,
                           clauses=tn("cli.n_clauses", len(cl.clauses), lang),
                           questions=tn("cli.n_questions", len(cl.questions), lang))))
    if failed:
        sys.exit(1)


@click.command("score", cls=HelpCommand, help="cli.help.score")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="cli.help.score.as_json")
@click.option("--checklist", default=None, help="cli.help.opt.checklist")
@click.option("--strict", is_flag=True, help="cli.help.score.strict")
@lang_option("cli.help.score.lang")
def score_cmd(files: tuple[Path, ...], as_json: bool, checklist: str | None, strict: bool, lang: str) -> None:
    """Score responses files; a summary table, or JSON with --json."""
    from qmskit.api import read_and_score

    results, failed = [], 0
    for path in files:
        try:
            results.append(read_and_score(path, checklist, strict=strict))
        except QmskitError as exc:
            report_error(exc)
            failed += 1
    from qmskit.i18n.catalog import msg
    for a in results:  # e.g. n/a without a justification: shown, but not a failure
        for message in a.warnings:
            click.echo(warning_text(msg("errors.file", path=a.source, detail=message), lang), err=True)
    if as_json and results:
        docs = [a.to_dict() for a in results]
        click.echo(json_text(json.dumps(docs[0] if len(files) == 1 and docs else docs, ensure_ascii=False, indent=2)))
    elif results:
        print_score_table(results, lang)
    if failed:
        sys.exit(1)


def print_score_table(results: list, lang: str = "en") -> None:
    """A compact table (fits 80 columns), then each office's verdict reasons on their own lines.

    The counts are :meth:`Assessment.finding_counts` (the report shows the same): question gaps by
    severity; missed KPI targets are observations shown apart as "(+N)"; "no ev." counts "yes"
    answers without evidence."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from qmskit.core.assessment import telling_apart
    from qmskit.i18n.catalog import band_label, join_reasons, t
    from qmskit.i18n.numbers import fmt_number

    # several files (often one office's yearly assessments, same name): each row and reasons line also says
    # which assessment it is, by its date (its file's name when the dates do not tell them apart)
    tags = telling_apart(results) if len(results) > 1 else None
    # a column of its own where it fits (the table takes 80 columns without it, a column 4 more than its text),
    # as wide as its longest tag where there is room (a file's name), else a line of the office's cell
    tag_width = min(max(map(len, tags or [""])), console().width - 80 - 4)
    tag_column = bool(tags) and tag_width >= len("YYYY-MM-DD")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    # the name wraps; numbers and the verdict are never cut
    table.add_column(t("cli.score.col_office", lang), min_width=12, ratio=1)
    if tag_column:
        table.add_column(t("cli.score.col_assessment", lang), width=tag_width, overflow="fold")
    for key in SCORE_NUMBER_COLUMNS:
        table.add_column(t(f"cli.score.col_{key}", lang), no_wrap=True, justify="right")
    table.add_column(t("cli.score.col_readiness", lang), min_width=12)
    any_kpi = False
    for i, a in enumerate(results):
        c = a.finding_counts()
        obs = str(c["observation"]) + (f" (+{c['kpi_observation']})" if c["kpi_observation"] else "")
        any_kpi = any_kpi or bool(c["kpi_observation"])
        # a word longer than the column (a Chinese name has no spaces, a file's name) folds rather than ending in "…"
        office = (Text.assemble(plain(a.office), "\n", (plain(tags[i]), "dim"), overflow="fold")
                  if tags and not tag_column else Text(plain(a.office), overflow="fold"))
        tag = [Text(plain(tags[i]))] if tags and tag_column else []
        table.add_row(office, *tag, fmt_number(a.overall, lang), fmt_number(a.completeness, lang) + "%",
                      str(c["major"]), str(c["minor"]), obs, str(c["unsupported"]),
                      Text(band_label(a.display_band, lang), style=BAND_STYLE.get(a.display_band, "")))
    console().print(table)
    console().print(Text(t("cli.score.legend", lang) + (t("cli.score.legend_kpi", lang) if any_kpi else "")
                         + t("cli.score.legend_no_evidence", lang)))
    for i, a in enumerate(results):
        # user text as Text, never as markup: "[/]" or "[link=…]" in an office name prints as typed
        name = t("cli.score.office_tag", lang, office=a.office, tag=tags[i]) if tags else a.office
        console().print(Text.assemble((plain(name), "bold"), t("cli.score.reasons_sep", lang),
                                      plain(join_reasons(a.reasons, lang))))


@click.command("validate-responses", cls=HelpCommand, help="cli.help.validate-responses")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--checklist", default=None, help="cli.help.opt.checklist")
@lang_option("cli.help.validate-responses.lang")
def validate_responses_cmd(files: tuple[Path, ...], checklist: str | None, lang: str) -> None:
    """List every problem in responses files at once (up to 50 per file), one line each; exit 1 if any."""
    from qmskit.errors import ResponsesProblems
    from qmskit.i18n.catalog import error_line, t, tn
    from qmskit.io.responses import MAX_PROBLEMS

    failed = 0
    for path in files:
        problems: list[QmskitError] = []
        total = 0  # errors found (the first MAX_PROBLEMS of them in problems)
        with collected_warnings() as warned:
            try:
                # scored too: what `score` and the report would warn about (n/a without a justification, an
                # answer inside an excluded clause) is listed here with the reader's warnings
                from qmskit.api import read_and_score
                for message in read_and_score(path, checklist).warnings:
                    warned.append(msg_for_file(path, message))
            except ResponsesProblems as exc:
                problems, total = list(exc.problems[:MAX_PROBLEMS]), len(exc.problems) + exc.more
            except QmskitError as exc:
                if click.get_current_context().find_root().params.get("debug"):
                    raise
                problems, total = [exc], 1
        for problem in problems:
            click.echo(plain(error_line(problem, lang)))
        for warning in warned:
            click.echo(warning_text(warning, lang))
        if total:
            failed += 1
            click.echo(plain(tn("cli.n_problems", total, lang, path=path)
                             + (tn("cli.and_n_warnings", len(warned), lang) if warned else "")
                             + (t("cli.first_shown", lang, shown=len(problems)) if total > len(problems) else "")))
        elif warned:  # not "no problems" after the lines above: the count of what was said
            click.echo(plain(tn("cli.no_errors_n_warnings", len(warned), lang, path=path)))
        else:
            click.echo(plain(t("cli.no_problems", lang, path=path)))
    if failed:
        sys.exit(1)


def msg_for_file(path: Path, message: object) -> object:
    """A scoring warning (a catalog message without a file) as the line ``score`` prints: the file named."""
    from qmskit.i18n.catalog import msg
    return msg("errors.file", path=path, detail=message)


@contextmanager
def collected_warnings() -> Iterator[list]:
    """The reader's warnings (:class:`ResponsesWarning`) raised in the block, kept in order in the list it
    gives, every one (not once per place, as Python's default filter would); other warnings are shown as usual."""
    from qmskit.errors import ResponsesWarning
    kept: list = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResponsesWarning)
        yield kept
    kept[:0] = [w.message for w in caught if isinstance(w.message, ResponsesWarning)]
    for w in caught:
        if not isinstance(w.message, ResponsesWarning):
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)


@contextmanager
def kept_copies() -> Iterator[list[Path]]:
    """The copies written in the block instead of the file asked for (:class:`qmskit.errors.KeptAsCopyWarning`),
    in the list it gives; every warning is shown as usual (the copy's own line says what and why)."""
    from qmskit.errors import KeptAsCopyWarning
    copies: list[Path] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KeptAsCopyWarning)
        yield copies
    copies.extend(Path(str(w.message.copy)) for w in caught if isinstance(w.message, KeptAsCopyWarning))
    for w in caught:
        warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def register(group: click.Group) -> None:
    for cmd in (checklists_cmd, validate_cmd, validate_responses_cmd, score_cmd):
        group.add_command(cmd)
