"""`qmskit report`: one office's responses → a self-contained HTML report (and a PDF with --pdf)."""
from __future__ import annotations

from pathlib import Path

import click

from qmskit.cli._help import HelpCommand
from qmskit.cli._term import keep_lang
from qmskit.config import DEFAULT_LANGUAGE, ENV_BRAND, LANGUAGES

AUDIENCES = click.Choice(["client", "internal"])
brand_option = click.option(
    "--brand", type=click.Path(path_type=Path), default=None, envvar=ENV_BRAND, show_envvar=True,
    help="cli.help.opt.brand")
audience_option = click.option(
    "--audience", type=AUDIENCES, default="internal", show_default=True,
    help="cli.help.opt.audience")
pdf_option = click.option("--pdf", is_flag=True,
                          help="cli.help.opt.pdf")


def several_files_options(command: str):
    """The options of the commands that read several assessments of one office into one page (``compare``,
    ``history``): ``-o DIR`` for the HTML page or ``--json``, ``--lang``, ``--checklist``, ``--force`` (their
    help the catalog's ``cli.help.<command>.<option>``).
    Each command checks that one of ``-o``/``--json`` is given (:func:`require_output_or_json`)."""
    options = [
        click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=None,
                     help=f"cli.help.{command}.out_dir"),
        click.option("--json", "as_json", is_flag=True, help=f"cli.help.{command}.as_json"),
        click.option("--lang", type=click.Choice(LANGUAGES), callback=keep_lang, default=DEFAULT_LANGUAGE,
                     show_default=True, help=f"cli.help.{command}.lang"),
        click.option("--checklist", default=None, help="cli.help.opt.checklists"),
        click.option("--force", is_flag=True, help=f"cli.help.{command}.force"),
    ]

    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


REPORT_FILE_SUFFIXES = (".html", ".htm", ".pdf")


def require_output_folder(out_dir: Path) -> None:
    """``-o`` names the folder the reports go into; ``-o report.html`` used to make a folder of that name
    and write ``<office>.<lang>.html`` inside it. A name that reads as a report file (and is no existing
    folder) is refused in one line instead."""
    if out_dir.suffix.lower() in REPORT_FILE_SUFFIXES and not out_dir.is_dir():
        from qmskit.cli._term import message_lang
        from qmskit.i18n.catalog import t
        raise click.UsageError(t("cli.output_is_a_folder", message_lang(), path=str(out_dir),
                                 folder=str(out_dir.with_suffix(""))))


def require_output_or_json(out_dir: Path | None, as_json: bool) -> None:
    if out_dir is None and not as_json:
        from qmskit.cli._term import message_lang
        from qmskit.i18n.catalog import t
        raise click.UsageError(t("cli.output_or_json", message_lang()))


@click.command("report", cls=HelpCommand, help="cli.help.report")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="cli.help.report.out_dir")
@click.option("--lang", type=click.Choice(LANGUAGES), callback=keep_lang, default=None,
              help="cli.help.report.lang")
@click.option("--checklist", default=None, help="cli.help.opt.checklist")
@click.option("--title", default=None, help="cli.help.report.title")
@click.option("--keep-notebook", is_flag=True, help="cli.help.report.keep_notebook")
@click.option("--strict", is_flag=True, help="cli.help.report.strict")
@click.option("--actions", type=click.Path(path_type=Path), default=None,
              help="cli.help.report.actions")
@pdf_option
@brand_option
@audience_option
def report_cmd(file: Path, out_dir: Path, lang: str | None, checklist: str | None, title: str | None,
               keep_notebook: bool, strict: bool, actions: Path | None, pdf: bool, brand: Path | None,
               audience: str) -> None:
    """Write the readiness report of one office (notebook run by papermill, exported to HTML)."""
    from qmskit.api import build_report

    require_output_folder(out_dir)
    path = build_report(file, out_dir, lang=lang, checklist=checklist, keep_notebook=keep_notebook, title=title,
                        strict=strict, actions=actions, brand=brand, audience=audience, pdf=pdf)
    from qmskit.cli._term import plain

    click.echo(plain(path))
    if pdf:
        click.echo(plain(path.with_suffix(".pdf")))


def register(group: click.Group) -> None:
    group.add_command(report_cmd)
