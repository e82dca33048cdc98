"""`qmskit batch`: score many offices in parallel, one report each plus a portfolio overview."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from qmskit.cli._help import HelpCommand
from qmskit.cli._term import keep_lang
from qmskit.cli.report import audience_option, brand_option
from qmskit.config import LANGUAGES
from qmskit.errors import QmskitError


@click.command("batch", cls=HelpCommand, help="cli.help.batch")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="cli.help.batch.out_dir")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="cli.help.batch.workers")
@click.option("--lang", type=click.Choice(LANGUAGES), callback=keep_lang, default=None,
              help="cli.help.batch.lang")
@click.option("--checklist", default=None, help="cli.help.opt.checklists")
@click.option("--no-office-reports", is_flag=True, help="cli.help.batch.no_office_reports")
@click.option("--timeout", type=click.FloatRange(min=1), default=None, metavar="S",
              help="cli.help.batch.timeout")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="cli.help.batch.scheduler")
@click.option("--executor", type=click.Choice(["process", "dask"]), default=None,
              help="cli.help.batch.executor")
@click.option("--keep-notebooks", is_flag=True, help="cli.help.batch.keep_notebooks")
@click.option("-q", "--quiet", is_flag=True, help="cli.help.batch.quiet")
@click.option("--actions", "actions_dir", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="cli.help.batch.actions_dir")
@click.option("--pdf", is_flag=True,
              help="cli.help.batch.pdf")
@click.option("--pdf-pages", type=click.IntRange(min=1, max=16), default=None, metavar="N",
              help="cli.help.batch.pdf_pages")
@brand_option
@audience_option
def batch_cmd(inputs, out_dir, workers, lang, checklist, no_office_reports, timeout, scheduler, executor,
              keep_notebooks, quiet, actions_dir, pdf, pdf_pages, brand, audience) -> None:
    """Score and report many offices: INPUTS are responses files, folders or glob patterns.

    Exit status: 0 all offices done, 1 some failed (listed at the end), 2 usage error.
    """
    from qmskit.batch.interrupts import SignalGuard
    from qmskit.cli.report import require_output_folder

    require_output_folder(out_dir)
    with SignalGuard():  # from start-up to the last summary line; run_batch nests its own guard inside
        _batch(inputs, out_dir, workers, lang, checklist, no_office_reports, timeout, scheduler, executor,
               keep_notebooks, quiet, actions_dir, pdf, pdf_pages, brand, audience)


def _batch(inputs, out_dir, workers, lang, checklist, no_office_reports, timeout, scheduler, executor,
           keep_notebooks, quiet, actions_dir, pdf, pdf_pages, brand, audience) -> None:
    from qmskit.batch.runner import run_batch

    try:
        result = run_batch(inputs, out_dir, workers=workers, lang=lang, office_reports=not no_office_reports,
                           timeout=timeout, executor=executor, scheduler=scheduler, progress=not quiet,
                           checklist=checklist, keep_notebooks=keep_notebooks,
                           actions=actions_dir, brand=brand, audience=audience, pdf=pdf, pdf_parallel=pdf_pages)
    except QmskitError as exc:
        from qmskit.batch.outputs import BatchBusy
        if isinstance(exc, BatchBusy):  # another batch holds the folder: usage error (2), one line
            from qmskit.cli._term import error_text
            click.echo(error_text(exc), err=True)
            sys.exit(BatchBusy.exit_code)
        if exc.code == "batch.no_inputs":  # nothing to do: a usage error, its line in the command's language
            from qmskit.cli._term import message_lang
            from qmskit.i18n.catalog import error_line
            raise click.UsageError(error_line(exc, message_lang())) from None
        raise
    from qmskit.cli._term import message_lang, plain
    from qmskit.i18n.catalog import t, tn
    said = message_lang()  # --lang when given, else English (the reports keep each file's language)
    for line in result.summary_lines(said):  # office names and reasons are user text: printed literally
        click.echo(plain(line))
    if result.scores_csv:
        click.echo(plain(t("batch.csv_files", said, scores=result.scores_csv, gaps=result.gaps_csv)))
    if pdf and "pdf_total" in result.timings:
        printed = sum(1 for o in result.offices if o.pdf)
        click.echo(t("batch.pdf_line", said, reports=tn("batch.n_reports", printed, said),
                     portfolio=t("batch.and_portfolio", said) if result.index else "",
                     seconds=f"{result.timings['pdf_total']:.1f}", pages=pdf_pages or 3))
    sys.exit(result.exit_code)


def register(group: click.Group) -> None:
    group.add_command(batch_cmd)
