"""`make demo`: validate the bundled checklists, then report every example office in one batch.

A thin caller of the package: ``qmskit.checklist`` for the checks, ``qmskit.batch.run_batch`` for the
reports (in parallel on warm kernels) and the portfolio overview ``index.html``. Prints where everything
went and each office's verdict; exits 1 if anything failed.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from qmskit.checklist import bundled_dir, load_checklist, validate_checklist_file
from qmskit.errors import QmskitError
from qmskit.readiness import fmt_number
from qmskit.batch import run_batch

ROOT = Path(__file__).resolve().parent.parent
console = Console()


def is_checklist(path: Path) -> bool:
    """Bundled YAML that claims to be a checklist (data files such as the cross-walk have no clauses)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(data, dict) and ("clauses" in data or "extends" in data)


def validate_bundled() -> int:
    table = Table("checklist", "version", "clauses", "questions", "KPIs", "status", title="Bundled checklists")
    failed = 0
    for path in sorted(p for p in bundled_dir().glob("*.yaml") if is_checklist(p)):
        try:
            validate_checklist_file(path)
            cl = load_checklist(path)  # a profile is checked again composed onto its base
        except QmskitError as exc:
            console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
            table.add_row(path.stem, "", "", "", "", "[red]invalid[/]")
            failed += 1
            continue
        table.add_row(cl.id, cl.version, str(len(cl.clauses)), str(len(cl.questions)), str(len(cl.kpis)),
                      "[green]OK[/]")
    console.print(table)
    return failed


def write_reports(files: list[Path], out: Path, lang: str | None, actions: Path | None = None) -> int:
    console.print(f"[bold]Reports in {escape(str(out))}[/] (one per office, in parallel)")
    result = run_batch(files, out, lang=lang, actions=actions)
    for o in result.offices:
        if not o.ok:
            console.print(f"[red]error:[/] {escape(o.error or '')}", highlight=False)
            continue
        a = o.assessment
        console.print(f"{escape(str(o.html))}\n    {a.readiness}, overall {fmt_number(a.overall)}, completeness "
                      f"{fmt_number(a.completeness)}%", highlight=False, soft_wrap=True)
    if result.index:
        console.print(f"[bold]Portfolio:[/] {escape(str(result.index))}", highlight=False, soft_wrap=True)
    else:
        console.print(f"[red]error:[/] portfolio: {escape(result.portfolio_error or '')}", highlight=False)
    console.print(f"Tables: {escape(str(result.scores_csv))}, {escape(str(result.gaps_csv))} "
                  f"({len(result.offices)} offices in {result.seconds:.1f} s, {result.workers} workers)",
                  highlight=False, soft_wrap=True)
    return len(result.failed) + bool(result.portfolio_error)


GOV = ROOT / "examples" / "gov"
GOV_CURRENT = ["pinecrest-municipal-office.xlsx", "silverbrook-county-office.yaml", "moonbay-district-office-2026.xlsx"]


def write_followup(out: Path, lang: str) -> int:
    """The before/after comparison of one government office (qmskit compare)."""
    from qmskit.compare_report import build_comparison
    try:
        path, cmp = build_comparison(GOV / "moonbay-district-office-2025.xlsx",
                                     GOV / "moonbay-district-office-2026.xlsx", out, lang=lang)
    except QmskitError as exc:
        console.print(f"[red]error:[/] follow-up: {escape(str(exc))}", highlight=False)
        return 1
    console.print(f"[bold]Follow-up comparison:[/] {escape(str(path))}", highlight=False, soft_wrap=True)
    return 0


def write_lifecycle(out: Path, lang: str) -> int:
    """From findings to closure: the action plan's status, three years of one office, a merged assessment."""
    import datetime as dt

    from qmskit.actions_xlsx import status_of
    from qmskit.history_report import build_history_report
    from qmskit.merge import merge_files, read_assign, split_file
    from qmskit.reassess import prefill_from

    try:
        plan = GOV / "actions" / "moonbay-district-office-actions.xlsx"
        as_of = dt.date(2026, 10, 19)  # the day of the 2026 re-assessment: the examples stay reproducible
        p = status_of(plan, as_of)
        table = Table("actions", "open", "overdue", "done, no evidence", "done, not verified", "verified",
                      title=f"Action plan of {p.office} as of {as_of} (qmskit actions status)")
        table.add_row(*(str(v) for v in (p.total, p.open, p.overdue, p.done_without_evidence, p.done_not_verified,
                                          p.verified)))
        console.print(table)
        path, h = build_history_report([GOV / f"moonbay-district-office-{y}.xlsx" for y in (2024, 2025, 2026)],
                                       out, lang=lang)
        console.print(f"[bold]History (2024-2026):[/] {escape(str(path))}", highlight=False, soft_wrap=True)
        for t in h.transitions:
            c = t.counts()
            console.print(f"    {t.before} -> {t.after}: opened {c['opened']}, recurring {c['recurring']}, "
                          f"closed {c['closed']}, still open {c['still_open']}", highlight=False)
        # three consultants share the 2027 re-assessment: split by clause, each fills in a part, merge
        pre = prefill_from(GOV / "moonbay-district-office-2026.xlsx", keep_answers=True)
        parts = split_file(pre.checklist, pre.meta, pre.responses, out / "parts" / "moonbay-2027.xlsx", "clause",
                           read_assign(GOV / "moonbay-assign.yaml"), lang="zh")
        merged = merge_files(list(parts.files.values()), out / "moonbay-2027-merged.xlsx")
        console.print(f"[bold]Merged assessment:[/] {escape(str(out / 'moonbay-2027-merged.xlsx'))} "
                      f"({len(merged.responses)} questions from {len(parts.files)} parts: "
                      + escape(", ".join(f"{n} {k}" for n, k in parts.counts.items())) + ")",
                      highlight=False, soft_wrap=True)
    except QmskitError as exc:
        console.print(f"[red]error:[/] lifecycle: {escape(str(exc))}", highlight=False)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("reports"), help="folder for the reports")
    parser.add_argument("--lang", choices=["en", "zh"], default=None, help="default: each file's language")
    parser.add_argument("inputs", nargs="*", type=Path,
                        help="responses files (default: examples/offices/*.xlsx)")
    args = parser.parse_args()
    failed = validate_bundled()
    files = args.inputs or sorted((ROOT / "examples" / "offices").glob("*.xlsx"))
    failed += write_reports(files, args.out, args.lang)
    if not args.inputs:  # the bundled government offices (gov-office profile, KPIs) and a follow-up
        failed += write_reports([GOV / name for name in GOV_CURRENT], args.out / "gov", args.lang,
                                actions=GOV / "actions")
        failed += write_followup(args.out / "followup", args.lang or "en")
        failed += write_lifecycle(args.out / "lifecycle", args.lang or "en")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
