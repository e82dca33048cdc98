"""Prove that the office report renders byte-identically to another commit (default ``main``).

    python scripts/check_render_identical.py [--base main] [--full]

Exports the base commit's ``qmskit/`` (``git archive``) into a temporary folder and renders, in two
separate processes (this tree's and the base's), every section of the office report the report notebook
displays for the six example offices in English and Chinese, plus a branded client copy, an office with
an action plan attached and one on another checklist, with the generation time fixed. Every section must
be byte-identical; the first difference is printed. ``--full`` also builds the complete HTML reports of
the six offices (en and zh) with :func:`qmskit.api.build_report` through the notebook in both trees and
compares them with the generation time masked. Exit 0 when all are identical, 1 otherwise.

For a refactor of the renderers (faster, same output). A branch that changes a template's output on
purpose differs from main by design: check it against main after that change has landed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OFFICES = ["eastport-civil-affairs", "hillview-town-office", "northgate-service-centre", "qingshan-county-office",
           "riverside-general-office", "westlake-archives"]
GENERATED = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
# "Generated 2026-03-31 14:05 UTC" in the full page's parameters and footer
STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(?: [A-Z+\-0-9:]+)?")


def _cases() -> list[tuple[str, str, str, str | None, str | None, str]]:
    """(name, responses, lang, brand, actions, audience) for every rendered case."""
    out = [(f"{o}.{lang}", f"examples/offices/{o}.xlsx", lang, None, None, "internal")
           for o in OFFICES for lang in ("en", "zh")]
    out += [(f"riverside-branded.{lang}.{aud}", "examples/brand/riverside-general-office.yaml", lang,
             "examples/brand/brand.yaml", None, aud) for lang in ("en", "zh") for aud in ("client", "internal")]
    out += [(f"moonbay-actions.{lang}", "examples/gov/moonbay-district-office-2026.xlsx", lang, None,
             "examples/gov/actions/moonbay-district-office-actions.xlsx", "internal") for lang in ("en", "zh")]
    out += [(f"pinecrest-2008.{lang}", "examples/gov/pinecrest-2012-iso9001-2008.xlsx", lang, None, None,
             "internal") for lang in ("en", "zh")]
    return out


def dump_sections() -> dict[str, list[str]]:
    """Every case's sections, as the report notebook calls them (run inside the tree under test)."""
    from qmskit import api
    from qmskit.render import report
    from qmskit.render.brand import load_brand

    out: dict[str, list[str]] = {}
    for name, responses, lang, brand, actions, audience in _cases():
        a = api.load_assessment(str(ROOT / responses), None, str(ROOT / actions) if actions else None)
        profile = load_brand(str(ROOT / brand)) if brand else report.NEUTRAL
        parameters = {"responses": responses, "checklist": None, "lang": lang, "title": None, "actions": actions,
                      "brand": brand, "audience": audience, "out_dir": "reports"}
        out[name] = [str(x) for x in (
            report.header_html(a, lang, None, brand=profile, audience=audience, seq=3),
            report.summary_html(a, lang), report.verdict_html(a, lang), report.chart_html(a, lang),
            report.clause_table_html(a, lang), report.gap_register_html(a, lang), report.action_plan_html(a, lang),
            report.docinfo_html(a, lang), report.attention_html(a, lang), report.appendix_html(a, lang),
            report.method_html(a, lang), report.closing_html(a, lang, brand=profile, audience=audience),
            report.parameters_html(a, parameters, lang, GENERATED, audience=audience, brand=profile))]
    return out


def dump_full(out_dir: Path) -> dict[str, list[str]]:
    """The six offices' complete reports through the notebook, generation times masked."""
    from qmskit import api

    out: dict[str, list[str]] = {}
    for office in OFFICES:
        for lang in ("en", "zh"):
            page = api.build_report(ROOT / "examples" / "offices" / f"{office}.xlsx", out_dir, lang=lang)
            out[f"{office}.{lang}.full"] = [STAMP.sub("<generated>", page.read_text(encoding="utf-8"))]
    return out


def _render_in(tree: Path, full: bool, dest: Path) -> dict[str, list[str]]:
    """Run this script's dump inside ``tree`` (its qmskit first on sys.path) in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(tree), "QMSKIT_IDENTICAL_OUT": str(dest.parent / "out")}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--dump", str(dest)] + (["--full"] if full else [])
    subprocess.run(cmd, check=True, env=env, cwd=tree)
    return json.loads(dest.read_text(encoding="utf-8"))


def _first_difference(a: str, b: str) -> str:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"at char {i}: base …{a[max(0, i - 60):i + 60]!r}… now …{b[max(0, i - 60):i + 60]!r}…"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="main", help="the commit to compare with (default: main)")
    ap.add_argument("--full", action="store_true", help="also the complete HTML reports through the notebook")
    ap.add_argument("--dump", type=Path, help=argparse.SUPPRESS)  # internal: render here, write JSON
    args = ap.parse_args()
    if args.dump:
        import qmskit
        assert Path(qmskit.__file__).resolve().is_relative_to(Path.cwd().resolve()), qmskit.__file__
        data = dump_sections()
        if args.full:  # the same folder for both trees: the page's re-run command names it
            out = Path(os.environ["QMSKIT_IDENTICAL_OUT"])
            data.update(dump_full(out))
        args.dump.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return 0
    with tempfile.TemporaryDirectory(prefix="qmskit-identical-") as tmp:
        base_tree = Path(tmp) / "base"
        base_tree.mkdir()
        archive = Path(tmp) / "base.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), args.base, "qmskit", "notebooks",
                        "examples"], check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(base_tree, filter="data")
        base = _render_in(base_tree, args.full, Path(tmp) / "base.json")
        now = _render_in(ROOT, args.full, Path(tmp) / "now.json")
    bad = 0
    for name, sections in base.items():
        for k, (x, y) in enumerate(zip(sections, now.get(name, []), strict=False)):
            if x != y:
                bad += 1
                print(f"DIFFERENT {name} section {k}: {_first_difference(x, y)}")
        if len(now.get(name, [])) != len(sections):
            bad += 1
            print(f"DIFFERENT {name}: {len(sections)} sections at {args.base}, {len(now.get(name, []))} now")
    total = sum(len(s) for s in base.values())
    print(f"{'identical' if not bad else f'{bad} different'}: {total} sections of {len(base)} reports "
          f"against {args.base}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
