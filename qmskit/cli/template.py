"""`qmskit template`: an empty responses file for an office, a re-assessment pre-filled from the previous
one (``--from``), or one file per assessor (``--split-by``); never silently over an office's answers."""
from __future__ import annotations

from pathlib import Path

import click

from qmskit.cli._help import HelpCommand
from qmskit.cli._term import backup_kept, keep_lang, plain
from qmskit.config import LANGUAGES


@click.command("template", cls=HelpCommand, help="cli.help.template")
@click.argument("checklist")
@click.option("--office", default=None, help="cli.help.template.office")
@click.option("--assessor", default="", help="cli.help.template.assessor")
@click.option("--lang", type=click.Choice(LANGUAGES), callback=keep_lang, default="en", show_default=True,
              help="cli.help.template.lang")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="cli.help.template.output")
@click.option("--from", "previous", type=click.Path(path_type=Path), default=None,
              help="cli.help.template.previous")
@click.option("--keep-answers", is_flag=True, help="cli.help.template.keep_answers")
@click.option("--split-by", type=click.Choice(["clause", "owner"]), default=None,
              help="cli.help.template.split_by")
@click.option("--assign", type=click.Path(path_type=Path), default=None,
              help="cli.help.template.assign")
@click.option("--force", is_flag=True, help="cli.help.template.force")
def template_cmd(checklist: str, office: str | None, assessor: str, lang: str, output: Path, previous: Path | None,
                 keep_answers: bool, split_by: str | None, assign: Path | None, force: bool) -> None:
    """Write an empty responses file for an office (an existing file is kept as .bak)."""
    if previous is not None or split_by or assign or keep_answers:  # re-assessment, several assessors
        return template_lifecycle(checklist, office, assessor, lang, output, previous, keep_answers, split_by, assign,
                                  force=force)
    if not office:
        from qmskit.cli._term import message_lang
        from qmskit.i18n.catalog import t
        raise click.UsageError(t("cli.template.needs_office", message_lang()))
    import pandas as pd

    from qmskit.checklist.loader import load_checklist
    from qmskit.io.responses import refuse_to_replace_answers, write_responses

    cl = load_checklist(checklist)
    existed = output.exists()
    refuse_to_replace_answers(output, force)
    meta = {"office": office, "assessor": assessor, "language": lang, "status": "draft"}
    # every question gets a row with a blank answer, so a .csv/.yaml template can be filled in too
    # (write_responses fills the missing columns with blanks); a template is a fresh file, not an update
    write_responses(output, meta, pd.DataFrame({"id": cl.questions["id"]}), cl, lang=lang, backup=True,
                    into_existing=False)
    echo_wrote(output, cl, existed)


def echo_wrote(output: Path, cl, existed: bool) -> None:
    """The line of a written template, in the command's language (its --lang)."""
    from qmskit.cli._term import message_lang
    from qmskit.i18n.catalog import t, tn
    said = message_lang()
    click.echo(plain(t("cli.template.wrote", said, path=output, questions=tn("merge.n_questions", len(cl.questions), said),
                       checklist=cl.id, version=cl.version) + backup_kept(output, existed, said)))


def template_lifecycle(checklist: str, office: str | None, assessor: str, lang: str, output: Path,
                       previous: Path | None, keep_answers: bool, split_by: str | None, assign: Path | None,
                       *, force: bool = False) -> None:
    """`template --from` (re-assessment) and `template --split-by` (one file per assessor)."""
    import pandas as pd
    from click.core import ParameterSource

    from qmskit.api import prefill_from
    from qmskit.checklist.loader import load_checklist
    from qmskit.cli._term import message_lang
    from qmskit.i18n.catalog import t, tn
    from qmskit.io.merge import SplitBy, read_assign, split_file
    from qmskit.io.responses import refuse_to_replace_answers, write_responses

    said = message_lang()
    if keep_answers and previous is None:
        raise click.UsageError(t("cli.template.keep_answers_needs_from", said))
    if assign is not None and not split_by:
        raise click.UsageError(t("cli.template.assign_needs_split", said))
    lang_given = click.get_current_context().get_parameter_source("lang") != ParameterSource.DEFAULT
    cl = load_checklist(checklist)
    if previous is not None:
        pre = prefill_from(previous, cl, keep_answers=keep_answers, assessor=assessor or None,
                           lang=lang if lang_given else None)
        meta, frame, lang = pre.meta, pre.responses, pre.meta["language"]
        if office:
            meta["office"] = office
        click.echo(plain(t("cli.template.carried", said, path=previous,
                           evidence=tn("cli.template.n_evidence", pre.carried_evidence, said),
                           answers=tn("cli.template.n_answers_kept", pre.kept_answers, said))
                         + (t("cli.template.dropped", said, questions=tn("merge.n_questions", len(pre.dropped), said),
                              checklist=cl.id, ids=", ".join(pre.dropped[:10])) if pre.dropped else "")))
    else:
        if not office:
            raise click.UsageError(t("cli.template.needs_office", said))
        meta = {"office": office, "assessor": assessor, "language": lang, "status": "draft"}
        frame = pd.DataFrame({"id": cl.questions["id"]})
    if split_by:
        if split_by == "owner" and previous is None:
            raise click.UsageError(t("cli.template.owner_needs_from", said))
        result = split_file(cl, meta, frame, output, SplitBy(split_by), read_assign(assign) if assign else None,
                            lang=lang, force=force)
        for name, path in result.files.items():
            click.echo(plain(t("cli.template.wrote_part", said, path=path,
                               questions=tn("merge.n_questions", result.counts[name], said), name=name)
                             + backup_kept(path, name in result.replaced, said)))
        if "unassigned" in result.files:
            click.echo(plain(t("cli.note", said, line=tn("cli.template.unassigned", result.counts["unassigned"], said,
                                                         path=result.files["unassigned"]))), err=True)
        return
    refuse_to_replace_answers(output, force)
    existed = output.exists()
    write_responses(output, meta, frame, cl, lang=lang, backup=True, into_existing=False)
    echo_wrote(output, cl, existed)


def register(group: click.Group) -> None:
    group.add_command(template_cmd)
