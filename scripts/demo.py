"""`make demo`: validate the bundled checklists, then report every example office, in English and in Chinese,
as HTML and PDF, plus a branded consultant's deliverable (client and internal copies).

A thin caller of the package: ``qmskit.checklist.loader`` for the checks, ``qmskit.batch.runner.run_batch`` for the
reports (in parallel on warm kernels, PDFs printed by one headless Chromium) and the portfolio overview
``index.html``; ``qmskit.api.build_report`` for the branded example (examples/brand/). Prints where
everything went and each office's verdict; exits 1 if anything failed. Without Chromium
(``make system-deps`` installs it as root) the HTML is still written and the demo says PDFs were skipped.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from qmskit.batch.runner import run_batch
from qmskit.checklist.loader import bundled_dir, load_checklist, validate_checklist_file
from qmskit.errors import QmskitError
from qmskit.i18n.catalog import band_label
from qmskit.i18n.numbers import fmt_number
from qmskit.render.pdf import check_available

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


def pdf_available() -> bool:
    try:
        check_available()
    except QmskitError as exc:
        console.print(f"[yellow]PDFs skipped:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return False
    return True


def write_reports(files: list[Path], out: Path, lang: str | None, pdf: bool = False,
                  actions: Path | None = None) -> int:
    console.print(f"[bold]Reports in {escape(str(out))}[/] (one per office, in parallel"
                  + (", PDFs by one browser)" if pdf else ")"))
    result = run_batch(files, out, lang=lang, pdf=pdf, actions=actions)
    for o in result.offices:
        if not o.ok:
            console.print(f"[red]error:[/] {escape(o.error or '')}", highlight=False)
            continue
        a = o.assessment
        pages = f", PDF {o.pdf.stat().st_size // 1024} KB in {o.timings.get('pdf', 0):.1f} s" if o.pdf else ""
        console.print(f"{escape(str(o.html))}\n    {band_label(a.display_band)}, overall {fmt_number(a.overall)}, completeness "
                      f"{fmt_number(a.completeness)}%{pages}", highlight=False, soft_wrap=True)
    if result.index:
        console.print(f"[bold]Portfolio:[/] {escape(str(result.index))}", highlight=False, soft_wrap=True)
    else:
        console.print(f"[red]error:[/] portfolio: {escape(result.portfolio_error or '')}", highlight=False)
    for error in result.pdf_errors:
        console.print(f"[red]error:[/] {escape(error)}", highlight=False)
    console.print(f"Tables: {escape(str(result.scores_csv))}, {escape(str(result.gaps_csv))} "
                  f"({len(result.offices)} offices in {result.seconds:.1f} s, {result.workers} workers"
                  + (f"; PDFs {result.timings['pdf_total']:.1f} s" if "pdf_total" in result.timings else "") + ")",
                  highlight=False, soft_wrap=True)
    return len(result.failed) + bool(result.portfolio_error) + len(result.pdf_errors)


GOV = ROOT / "examples" / "gov"
GOV_CURRENT = ["pinecrest-municipal-office.xlsx", "silverbrook-county-office.yaml", "moonbay-district-office-2026.xlsx"]


def write_followup(out: Path, lang: str, pdf: bool = False) -> int:
    """The before/after comparison of one government office (qmskit compare)."""
    from qmskit.api import build_comparison
    try:
        path, cmp = build_comparison(GOV / "moonbay-district-office-2025.xlsx",
                                     GOV / "moonbay-district-office-2026.xlsx", out, lang=lang, pdf=pdf)
    except QmskitError as exc:
        console.print(f"[red]error:[/] follow-up: {escape(str(exc))}", highlight=False)
        return 1
    console.print(f"[bold]Follow-up comparison:[/] {escape(str(path))}" + (" (+ .pdf)" if pdf else ""),
                  highlight=False, soft_wrap=True)
    return 0


BRAND = ROOT / "examples" / "brand"


def write_branded(out: Path, langs: list[str], pdf: bool) -> int:
    """A consultancy's deliverable: brand file, logo, report number, the consultant's summary and closing
    remarks, sign-off; the client copy (no technical appendix) in each language and one internal copy."""
    from qmskit.api import build_report
    failed = 0
    copies = [(lang, "client") for lang in langs] + [(langs[0], "internal")]
    for lang, audience in copies:
        try:
            path = build_report(BRAND / "riverside-general-office.yaml", out, lang=lang, brand=BRAND / "brand.yaml",
                                audience=audience, pdf=pdf)
        except QmskitError as exc:
            console.print(f"[red]error:[/] branded report: {escape(str(exc))}", highlight=False)
            failed += 1
            continue
        console.print(f"[bold]Branded {audience} copy:[/] {escape(str(path))}" + (" (+ .pdf)" if pdf else ""),
                      highlight=False, soft_wrap=True)
    return failed


def write_lifecycle(out: Path, lang: str) -> int:
    """From findings to closure: the action plan's status, three years of one office, a merged assessment."""
    import datetime as dt

    from qmskit.api import build_history, prefill_from
    from qmskit.io.actions_xlsx import status_of
    from qmskit.io.merge import merge_files, read_assign, split_file

    try:
        plan = GOV / "actions" / "moonbay-district-office-actions.xlsx"
        as_of = dt.date(2026, 10, 19)  # the day of the 2026 re-assessment: the examples stay reproducible
        p = status_of(plan, as_of)
        table = Table("actions", "open", "overdue", "done, no evidence", "done, not verified", "verified",
                      title=f"Action plan of {p.office} as of {as_of} (qmskit actions status)")
        table.add_row(*(str(v) for v in (p.total, p.open, p.overdue, p.done_without_evidence, p.done_not_verified,
                                          p.verified)))
        console.print(table)
        path, h = build_history([GOV / f"moonbay-district-office-{y}.xlsx" for y in (2024, 2025, 2026)],
                                       out, lang=lang)
        console.print(f"[bold]History (2024-2026):[/] {escape(str(path))}", highlight=False, soft_wrap=True)
        for t in h.transitions:
            c = t.counts()
            console.print(f"    {t.before} -> {t.after}: opened {c['opened']}, recurring {c['recurring']}, "
                          f"closed {c['closed']}, still open {c['still_open']}", highlight=False)
        # three consultants share the 2027 re-assessment: split by clause, each fills in a part, merge
        # (force: a second `make demo` replaces the parts and merged file its first run wrote, answers and all)
        pre = prefill_from(GOV / "moonbay-district-office-2026.xlsx", keep_answers=True)
        parts = split_file(pre.checklist, pre.meta, pre.responses, out / "parts" / "moonbay-2027.xlsx", "clause",
                           read_assign(GOV / "moonbay-assign.yaml"), lang="zh", force=True)
        merged = merge_files(list(parts.files.values()), out / "moonbay-2027-merged.xlsx", force=True)
        console.print(f"[bold]Merged assessment:[/] {escape(str(out / 'moonbay-2027-merged.xlsx'))} "
                      f"({escape(merged.counts.line() if merged.counts else '')})",
                      highlight=False, soft_wrap=True)
    except QmskitError as exc:
        console.print(f"[red]error:[/] lifecycle: {escape(str(exc))}", highlight=False)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("reports"), help="folder for the reports")
    parser.add_argument("--lang", choices=["en", "zh"], default=None, help="default: both English and Chinese")
    parser.add_argument("--no-pdf", action="store_true", help="HTML only")
    parser.add_argument("inputs", nargs="*", type=Path,
                        help="responses files (default: examples/offices/*.xlsx)")
    args = parser.parse_args()
    failed = validate_bundled()
    files = args.inputs or sorted((ROOT / "examples" / "offices").glob("*.xlsx"))
    pdf = not args.no_pdf and pdf_available()
    langs = [args.lang] if args.lang else ["en", "zh"]
    for lang in langs:  # one folder per language: each batch keeps its own manifest and portfolio
        failed += write_reports(files, args.out / lang, lang, pdf)
    if not args.inputs:  # the government offices (gov-office profile, KPIs), follow-up, lifecycle, a brand
        for lang in langs:
            failed += write_reports([GOV / name for name in GOV_CURRENT], args.out / "gov" / lang, lang, pdf,
                                    actions=GOV / "actions")
            failed += write_followup(args.out / "followup", lang, pdf)
        failed += write_lifecycle(args.out / "lifecycle", args.lang or "en")
        failed += write_branded(args.out / "branded", langs, pdf)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
