"""From findings to closure: `actions plan|status`, `merge`, `history`."""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from ..errors import QmskitError
from ._term import console


def _report_error(exc: QmskitError) -> None:
    if click.get_current_context().find_root().params.get("debug"):
        raise exc
    click.echo(f"error: {exc}", err=True)


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
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None, help="Workbook language (default: the file's).")
@click.option("--checklist", default=None, help="Checklist id or path (default: from the file's metadata).")
@click.option("--force", is_flag=True, help="Update a plan that names another office.")
def actions_plan_cmd(responses: Path, output: Path, lang: str | None, checklist: str | None, force: bool) -> None:
    """Write (or update) the action plan for the findings of RESPONSES."""
    from ..actions_xlsx import plan_file
    existed = output.exists()
    update, a = plan_file(responses, output, lang=lang, checklist=checklist, force=force)
    if existed:
        click.echo(f"updated {output}: {len(update.added)} new findings added, {len(update.kept)} kept with the "
                   f"office's entries, {len(update.resolved)} no longer findings (kept, marked); "
                   f"previous file kept as {output.name}.bak")
    else:
        click.echo(f"wrote {output}: {len(update.plan)} actions for {a.office} "
                   f"({len(a.gaps)} question findings, {len(a.kpi_findings)} KPI findings)")


@actions_group.command("status")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--as-of", "as_of", default=None, help="Count overdue actions against this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the progress as JSON.")
def actions_status_cmd(files: tuple[Path, ...], as_of: str | None, as_json: bool) -> None:
    """Progress of action plans, per office: open, overdue, done without evidence, not verified."""
    from ..actions_xlsx import status_of
    day = _as_of(as_of)
    results, failed = [], 0
    for path in files:
        try:
            results.append(status_of(path, day))
        except QmskitError as exc:
            _report_error(exc)
            failed += 1
    if as_json:
        docs = [p.to_dict() for p in results]
        click.echo(json.dumps(docs[0] if len(files) == 1 and docs else docs, ensure_ascii=False, indent=2))
    elif results:
        from rich.table import Table
        from rich.text import Text

        table = Table("office", "actions", "open", "overdue", "done, no evidence", "done, not verified",
                      "verified", title=f"Action plans as of {day.isoformat()}")
        table.columns[0].min_width = 28  # office names are long (often two languages)
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


def register(group: click.Group) -> None:
    group.add_command(actions_group)
