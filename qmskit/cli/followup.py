"""Follow-up commands: compare two assessments of an office; migrate old-structure responses to 2015."""
from __future__ import annotations

import json
from pathlib import Path

import click

from qmskit.cli._help import HelpCommand
from qmskit.cli._term import backup_kept, json_text, keep_lang, message_lang, plain
from qmskit.cli.report import audience_option, brand_option, pdf_option, require_output_or_json, several_files_options
from qmskit.config import DEFAULT_CHECKLIST, LANGUAGES


@click.command("compare", cls=HelpCommand, help="cli.help.compare")
@click.argument("before", type=click.Path(path_type=Path))
@click.argument("after", type=click.Path(path_type=Path))
@several_files_options("compare")
@click.option("--title", default=None, help="cli.help.compare.title")
@pdf_option
@brand_option
@audience_option
def compare_cmd(before: Path, after: Path, out_dir: Path | None, as_json: bool, lang: str, checklist: str | None,
                force: bool, title: str | None, pdf: bool, brand: Path | None, audience: str) -> None:
    """Compare two assessments of one office (BEFORE and AFTER responses files)."""
    from qmskit.i18n.catalog import say, t
    require_output_or_json(out_dir, as_json)
    if out_dir is not None:
        from qmskit.api import build_comparison
        out, cmp = build_comparison(before, after, out_dir, lang=lang, checklist=checklist, force=force, title=title,
                                    brand=brand, audience=audience, pdf=pdf)
    else:
        from qmskit.api import load_comparison
        cmp, out = load_comparison(before, after, checklist, force), None
    if as_json:
        click.echo(json_text(json.dumps(cmp.to_dict(), ensure_ascii=False, indent=2)))
    else:
        from qmskit.i18n.catalog import band_label
        from qmskit.i18n.numbers import fmt_number

        counts = cmp.gap_counts()
        # offices that differ (--force): each side's score beside its own office's name
        sides = ({"before_office": cmp.before.office, "after_office": cmp.after.office} if cmp.offices_differ
                 else {"office": cmp.office})
        click.echo(plain(t("cli.compare.line_two_offices" if cmp.offices_differ else "cli.compare.line", lang,
                           **sides, before=fmt_number(cmp.before.overall, lang),
                           after=fmt_number(cmp.after.overall, lang),
                           before_band=band_label(cmp.before.display_band, lang),
                           after_band=band_label(cmp.after.display_band, lang), closed=counts["closed"],
                           opened=counts["opened"],
                           still_open=counts["improved"] + counts["worsened"] + counts["unchanged"])))
    for note in cmp.notes:
        click.echo(plain(t("cli.note", lang, line=say(note, lang))), err=True)
    if out is not None:
        click.echo(plain(t("cli.wrote", lang, path=out)), err=as_json)
        if pdf:
            click.echo(plain(t("cli.wrote", lang, path=out.with_suffix(".pdf"))), err=as_json)


@click.command("migrate", cls=HelpCommand, help="cli.help.migrate")
@click.argument("old", type=click.Path(path_type=Path))
@click.option("--from", "source", default=None,
              help="cli.help.migrate.source")
@click.option("--to", "target", default=DEFAULT_CHECKLIST, show_default=True, help="cli.help.migrate.target")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="cli.help.migrate.output")
@click.option("--lang", type=click.Choice(LANGUAGES), callback=keep_lang, default=None,
              help="cli.help.opt.workbook_lang")
def migrate_cmd(old: Path, source: str | None, target: str, output: Path, lang: str | None) -> None:
    """Carry answers from an ISO 9001:2000/2008-structure assessment into the 2015 checklist."""
    from qmskit.api import migrate_file
    from qmskit.cli.core import kept_copies
    from qmskit.i18n.catalog import t
    existed = output.exists()
    with kept_copies() as copies:  # an office's workbook holding parts openpyxl drops: left as it is
        result = migrate_file(old, output, source=source, target=target, lang=lang)
    if copies:
        output, existed = copies[0], False
    said = message_lang()  # the lines follow --lang when given (the workbook then too), else English
    click.echo(plain(t("cli.migrate.wrote", said, path=output, carried=result.carried, total=result.total,
                       source=result.source_id, new=len(result.new_ids))
                     + (t("cli.migrate.profile_left", said, n=len(result.profile_ids), target=result.target_id)
                        if result.profile_ids else "")
                     + backup_kept(output, existed, said)))
    if len(result.new_clauses):
        titles = [(str(r.clause), str(r.title_zh if said == "zh" and r.title_zh else r.title_en))
                  for r in result.new_clauses.itertuples(index=False)]
        click.echo(plain(t("cli.migrate.new_clauses", said,
                           clauses=t("list.sep", said).join(f"{clause} {title}" for clause, title in titles))))


def register(group: click.Group) -> None:
    for cmd in (compare_cmd, migrate_cmd):
        group.add_command(cmd)


