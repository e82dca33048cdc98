"""`make demo`: validate the bundled checklists, then write the report of every example office.

A thin caller of the package: ``qmskit.checklist`` for the checks, ``qmskit.report.build_report`` for
the reports. Prints where each report went and the office's verdict; exits 1 if anything failed.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from qmskit.checklist import bundled_dir, load_checklist, validate_checklist_file
from qmskit.errors import QmskitError
from qmskit.readiness import fmt_number
from qmskit.report import build_report, load_assessment

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


def write_reports(files: list[Path], out: Path, lang: str | None) -> int:
    console.print(f"[bold]Reports in {escape(str(out))}[/]")
    failed = 0
    for path in files:
        t0 = time.perf_counter()
        try:
            written = build_report(path, out, lang=lang)
            a = load_assessment(path)
        except QmskitError as exc:
            console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
            failed += 1
            continue
        console.print(f"{escape(str(written))}\n    {a.readiness}, overall {fmt_number(a.overall)}, completeness "
                      f"{fmt_number(a.completeness)}% ({time.perf_counter() - t0:.1f} s)", highlight=False, soft_wrap=True)
    return failed


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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
