"""From findings to closure: `actions plan|status`, `merge`, `history`."""
from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import click

from qmskit.cli._help import HelpCommand, HelpGroup
from qmskit.cli._term import backup_kept, console, json_text, keep_lang, lang_option, message_lang, plain, report_error
from qmskit.cli.report import pdf_option, require_output_or_json, several_files_options
from qmskit.config import LANGUAGES
from qmskit.errors import QmskitError
from qmskit.i18n.catalog import say, t, tn

# the status table's columns: each is the message cli.status.col_<key>; after office and total, the columns
# of Progress.columns(): every action in exactly one of them, so they add up to the total (overdue and done
# without closure evidence are counted within them: the line under the table)
STATUS_COLUMNS = ("office", "total", "open", "ineffective", "done_not_verified", "verified",
                  "resolved_by_reassessment")


def Text(*args, **kwargs):  # noqa: N802  rich.text.Text, imported on first use (rich is slow to import)
    from rich.text import Text as _Text

    return _Text(*args, **kwargs)


def _as_of(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(t("cli.not_a_date", message_lang(), value=value), param_hint="--as-of") from None


@click.group("actions", cls=HelpGroup, help="cli.help.actions")
def actions_group() -> None:
    """Action plans: write one from an assessment's findings, then track its progress."""


@actions_group.command("plan", help="cli.help.actions.plan")
@click.argument("responses", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="cli.help.actions.plan.output")
@click.option("--lang", type=click.Choice(LANGUAGES), callback=keep_lang, default=None,
              help="cli.help.opt.workbook_lang")
@click.option("--checklist", default=None, help="cli.help.opt.checklist")
@click.option("--force", is_flag=True, help="cli.help.actions.plan.force")
def actions_plan_cmd(responses: Path, output: Path, lang: str | None, checklist: str | None, force: bool) -> None:
    """Write (or update) the action plan for the findings of RESPONSES."""
    from qmskit.cli.core import kept_copies
    from qmskit.io.actions_xlsx import plan_file
    from qmskit.io.iorw import backup_names
    existed = output.exists()
    with kept_copies() as copies:  # an office's plan holding parts openpyxl drops: left as it is
        update, a = plan_file(responses, output, lang=lang, checklist=checklist, force=force)
    said = message_lang()  # the lines follow --lang when given (the workbook then too), else English
    if copies:
        return  # its warning line says where the updated plan went and why
    if existed:
        click.echo(plain(t("cli.plan_updated", said, path=output, added=tn("cli.new_findings_added", len(update.added), said),
                           kept=len(update.kept), resolved=tn("cli.no_longer_findings", len(update.resolved), said),
                           backup=backup_names(output)[0].name)))
    else:
        click.echo(plain(t("cli.plan_written", said, path=output, actions=tn("cli.actions", len(update.plan), said),
                           office=a.office, questions=tn("cli.question_findings", len(a.gaps), said),
                           kpis=tn("cli.kpi_findings", len(a.kpi_findings), said))))


@actions_group.command("status", help="cli.help.actions.status")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--as-of", "as_of", default=None, help="cli.help.actions.status.as_of")
@click.option("--json", "as_json", is_flag=True, help="cli.help.actions.status.as_json")
@lang_option()
def actions_status_cmd(files: tuple[Path, ...], as_of: str | None, as_json: bool, lang: str) -> None:
    """Progress of action plans, per office: open, overdue, done without evidence, not verified."""
    from qmskit.io.actions_xlsx import status_of
    day = _as_of(as_of)
    results, failed = [], 0
    for path in files:
        try:
            results.append(status_of(path, day))
        except QmskitError as exc:
            report_error(exc)
            failed += 1
    if as_json:
        docs = [p.to_dict() for p in results]
        click.echo(json_text(json.dumps(docs[0] if len(files) == 1 and docs else docs, ensure_ascii=False, indent=2)))
    elif results:
        from rich import box
        from rich.table import Table

        table = Table(*(t(f"cli.status.col_{key}", lang) for key in STATUS_COLUMNS),
                      title=t("cli.status.title", lang, date=day.isoformat()), box=box.SIMPLE_HEAD)
        table.columns[0].min_width, table.columns[0].overflow = 13, "fold"  # fits 80 columns; long names wrap
        for col in table.columns[1:]:
            col.justify = "right"
        for p in results:
            counts = p.columns()
            table.add_row(Text(plain(p.office)), str(p.total),
                          *(Text(str(counts[key]), style="bold red" if counts[key] and key == "ineffective" else "")
                            for key in STATUS_COLUMNS[2:]))
        console().print(table)
        for p in results:  # what the columns hold within them: overdue, no due date, no closure evidence
            console().print(Text(plain(t("cli.status.within", lang, office=p.office, overdue=p.overdue,
                                         no_due=p.no_due, no_evidence=p.done_without_evidence))))
            if p.ineffective:
                console().print(Text(plain(t("cli.status.ineffective", lang, office=p.office,
                                             ids=", ".join(p.ineffective_ids))), style="bold red"))
        for p in results:
            for r in p.overdue_items.head(5).itertuples(index=False):
                console().print(Text(plain(t("cli.status.overdue", lang, office=p.office, id=r.id,
                                             severity=t(f"sev_{r.severity}", lang), clause=r.clause, due=r.due,
                                             days=tn("cli.status.days_late", int(r.days_overdue), lang),
                                             owner=r.owner or "—"))), soft_wrap=True)
            if len(p.overdue_items) > 5:
                console().print(Text(plain(t("cli.status.overdue_more", lang, office=p.office,
                                             n=len(p.overdue_items) - 5))))
    if failed:
        sys.exit(1)


@click.command("merge", cls=HelpCommand, help="cli.help.merge")
@click.argument("parts", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="cli.help.merge.output")
@click.option("--prefer", type=click.Choice(["latest", "first", "worst"]), default=None,
              help="cli.help.merge.prefer")
@click.option("--checklist", default=None, help="cli.help.merge.checklist")
@click.option("--force", is_flag=True, help="cli.help.merge.force")
@lang_option()
def merge_cmd(parts: tuple[Path, ...], output: Path, prefer: str | None, checklist: str | None, force: bool,
              lang: str) -> None:
    """Merge several assessors' parts of one assessment by question id."""
    from qmskit.cli.core import kept_copies
    from qmskit.io.merge import merge_files
    existed = output.exists()
    with kept_copies() as copies:  # a workbook holding parts openpyxl drops: left as it is, ours beside it
        result = merge_files(list(parts), output, prefer=prefer, checklist=checklist, force=force)
    if copies:
        output, existed = copies[0], False
    if result.conflicts:
        for c in result.conflicts:
            click.echo(plain(t("cli.merge.conflict", lang, line=c.line(lang))), err=True)
        click.echo(plain(t("cli.error", lang, line=tn("cli.merge.n_conflicts", len(result.conflicts), lang))), err=True)
        sys.exit(1)
    for c in result.resolved:
        click.echo(plain(t("cli.merge.resolved", lang, prefer=prefer, line=c.line(lang))), err=True)
    counts = result.counts.line(lang) if result.counts else tn("merge.n_questions", len(result.responses), lang)
    click.echo(plain(t("cli.merge.wrote", lang, path=output, counts=counts)
                     + (tn("cli.merge.n_resolved", len(result.resolved), lang, prefer=prefer) if result.resolved else "")
                     + backup_kept(output, existed, lang)))


def register(group: click.Group) -> None:
    for cmd in (actions_group, merge_cmd, history_cmd):
        group.add_command(cmd)


@click.command("history", cls=HelpCommand, help="cli.help.history")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@several_files_options("history")
@pdf_option
def history_cmd(files: tuple[Path, ...], out_dir: Path | None, as_json: bool, lang: str, checklist: str | None,
                force: bool, pdf: bool) -> None:
    """One office over time: scores, readiness, findings opened/closed/recurring, KPI trends (2+ files)."""
    from qmskit.i18n.numbers import fmt_number
    require_output_or_json(out_dir, as_json)
    if pdf and out_dir is None:
        raise click.UsageError(t("cli.pdf_needs_output", lang))
    if len(files) < 2:
        raise click.UsageError(t("cli.history.two_files", lang))
    if out_dir is not None:
        from qmskit.api import build_history
        if pdf:   # (Chromium checked before anything is read or written)
            from qmskit.render.pdf import check_available
            check_available()
        out, h = build_history(list(files), out_dir, lang=lang, checklist=checklist, force=force, pdf=pdf)
    else:
        from qmskit.api import history_files
        out, h = None, history_files(list(files), checklist=checklist, force=force)
    from qmskit.i18n.catalog import band_label
    if as_json:
        click.echo(json_text(json.dumps(h.to_dict(), ensure_ascii=False, indent=2)))
    else:
        click.echo(plain(t("cli.history.office", lang, office=h.offices_heading)))
        for r in cast("Iterable[Any]", h.points.itertuples(index=False)):
            # offices that differ (--force): each line names the office its scores are of
            label = f"{r.label} · {r.office}" if h.offices_differ else r.label
            click.echo(plain(t("cli.history.point", lang, label=label, overall=fmt_number(r.overall, lang),
                               band=band_label(r.readiness, lang), major=r.major, minor=r.minor,
                               observation=r.observation)))
        for tr in h.transitions:
            c = tr.counts()
            click.echo(plain(t("cli.history.transition", lang, before=tr.before, after=tr.after, **c)
                             + (t("cli.history.unassessed", lang, n=c["unassessed"]) if c["unassessed"] else "")))
    for note in h.notes:
        click.echo(plain(t("cli.note", lang, line=say(note, lang))), err=True)
    if out is not None:
        click.echo(plain(t("cli.wrote", lang, path=out)), err=as_json)
        if pdf:
            click.echo(plain(t("cli.wrote", lang, path=out.with_suffix(".pdf"))), err=as_json)
