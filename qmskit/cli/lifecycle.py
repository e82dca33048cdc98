"""From findings to closure: `actions plan|status`, `merge`, `history`."""
from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import click

from qmskit.cli._term import console, keep_lang, report_error
from qmskit.cli.report import pdf_option, require_output_or_json, several_files_options
from qmskit.config import LANGUAGES
from qmskit.errors import QmskitError
from qmskit.i18n.catalog import tn


def Text(*args, **kwargs):  # noqa: N802  rich.text.Text, imported on first use (rich is slow to import)
    from rich.text import Text as _Text

    return _Text(*args, **kwargs)


def _as_of(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)", param_hint="--as-of") from None


@click.group("actions")
def actions_group() -> None:
    """Action plans: write one from an assessment's findings, then track its progress."""


@actions_group.command("plan")
@click.argument("responses", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Action-plan workbook (.xlsx); an existing plan is updated in place, keeping what the office typed.")
@click.option("--lang", type=click.Choice(LANGUAGES), callback=keep_lang, default=None,
              help="Workbook language (default: the file's).")
@click.option("--checklist", default=None, help="Checklist id or path (default: from the file's metadata).")
@click.option("--force", is_flag=True, help="Update a plan that names another office.")
def actions_plan_cmd(responses: Path, output: Path, lang: str | None, checklist: str | None, force: bool) -> None:
    """Write (or update) the action plan for the findings of RESPONSES."""
    from qmskit.io.actions_xlsx import plan_file
    existed = output.exists()
    update, a = plan_file(responses, output, lang=lang, checklist=checklist, force=force)
    if existed:
        click.echo(f"updated {output}: {tn('cli.new_findings_added', len(update.added))}, {len(update.kept)} kept "
                   f"with the office's entries, {tn('cli.no_longer_findings', len(update.resolved))} (kept, marked); "
                   f"previous file kept as {output.name}.bak")
    else:
        click.echo(f"wrote {output}: {tn('cli.actions', len(update.plan))} for {a.office} "
                   f"({tn('cli.question_findings', len(a.gaps))}, {tn('cli.kpi_findings', len(a.kpi_findings))})")


@actions_group.command("status")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--as-of", "as_of", default=None, help="Count overdue actions against this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the progress as JSON.")
def actions_status_cmd(files: tuple[Path, ...], as_of: str | None, as_json: bool) -> None:
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
        click.echo(json.dumps(docs[0] if len(files) == 1 and docs else docs, ensure_ascii=False, indent=2))
    elif results:
        from rich import box
        from rich.table import Table

        table = Table("office", "total", "open", "overdue", "done, no\nevidence", "done, not\nverified",
                      "verified", title=f"Action plans as of {day.isoformat()}", box=box.SIMPLE_HEAD)
        table.columns[0].min_width, table.columns[0].overflow = 18, "fold"  # fits 80 columns; long names wrap
        for col in table.columns[1:]:
            col.justify = "right"
        for p in results:
            table.add_row(Text(p.office), str(p.total), str(p.open),
                          Text(str(p.overdue), style="bold red" if p.overdue else ""),
                          str(p.done_without_evidence), str(p.done_not_verified), str(p.verified))
        console().print(table)
        for p in results:
            for r in p.overdue_items.head(5).itertuples(index=False):
                console().print(Text(f"overdue: {p.office}: {r.id} ({r.severity}, clause {r.clause}) due {r.due}, "
                                   f"{r.days_overdue} days late, owner {r.owner or '—'}"), soft_wrap=True)
            if len(p.overdue_items) > 5:
                console().print(Text(f"overdue: {p.office}: … and {len(p.overdue_items) - 5} more"))
    if failed:
        sys.exit(1)


@click.command("merge")
@click.argument("parts", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Merged responses file (.xlsx or .yaml), with who answered each question.")
@click.option("--prefer", type=click.Choice(["latest", "first", "worst"]), default=None,
              help="Resolve conflicts: the latest-dated part, the first given, or the worst answer.")
@click.option("--checklist", default=None, help="Checklist id or path (default: from the parts' metadata).")
@click.option("--force", is_flag=True, help="Merge parts that name different offices.")
def merge_cmd(parts: tuple[Path, ...], output: Path, prefer: str | None, checklist: str | None, force: bool) -> None:
    """Merge several assessors' parts of one assessment by question id."""
    from qmskit.io.merge import merge_files
    result = merge_files(list(parts), output, prefer=prefer, checklist=checklist, force=force)
    if result.conflicts:
        for c in result.conflicts:
            click.echo(f"conflict: {c.line()}", err=True)
        click.echo(f"error: {len(result.conflicts)} conflicting answers, nothing written; resolve them in the "
                   "parts or choose with --prefer latest|first|worst", err=True)
        sys.exit(1)
    for c in result.resolved:
        click.echo(f"resolved ({prefer}): {c.line()}", err=True)
    click.echo(f"wrote {output}: {result.counts.line() if result.counts else f'{len(result.responses)} questions'}"
               + (f"; {len(result.resolved)} conflicts resolved by --prefer {prefer}" if result.resolved else ""))


def register(group: click.Group) -> None:
    for cmd in (actions_group, merge_cmd, history_cmd):
        group.add_command(cmd)


@click.command("history")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@several_files_options("history report", "Build the history even when the offices or checklists differ.")
@pdf_option
def history_cmd(files: tuple[Path, ...], out_dir: Path | None, as_json: bool, lang: str, checklist: str | None,
                force: bool, pdf: bool) -> None:
    """One office over time: scores, readiness, findings opened/closed/recurring, KPI trends (2+ files)."""
    from qmskit.i18n.numbers import fmt_number
    require_output_or_json(out_dir, as_json)
    if pdf and out_dir is None:
        raise click.UsageError("--pdf needs -o DIR")
    if len(files) < 2:
        raise click.UsageError("give at least two assessments of the office (oldest to newest, any order)")
    if out_dir is not None:
        from qmskit.api import build_history
        out, h = build_history(list(files), out_dir, lang=lang, checklist=checklist, force=force)
    else:
        from qmskit.api import history_files
        out, h = None, history_files(list(files), checklist=checklist, force=force)
    from qmskit.i18n.catalog import band_label
    if as_json:
        click.echo(json.dumps(h.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(Text(f"{h.office}:").plain)
        for r in cast("Iterable[Any]", h.points.itertuples(index=False)):
            click.echo(f"  {r.label}: overall {fmt_number(r.overall)}, {band_label(r.readiness)}, findings {r.major} major / "
                       f"{r.minor} minor / {r.observation} observations")
        for tr in h.transitions:
            c = tr.counts()
            click.echo(f"  {tr.before} -> {tr.after}: opened {c['opened']}, recurring {c['recurring']}, closed "
                       f"{c['closed']}, still open {c['still_open']}"
                       + (f", not re-assessed {c['unassessed']}" if c["unassessed"] else ""))
    for note in h.notes:
        click.echo(f"note: {note}", err=True)
    if out is not None:
        click.echo(f"wrote {out}", err=as_json)
        if pdf:
            from qmskit.render.pdf import check_available, print_pdf
            check_available()
            click.echo(f"wrote {print_pdf(out)}", err=as_json)
