"""The office report's section renderers: CPU milliseconds per office, rendered in-process.

    python benchmarks/bench_sections.py [--repeat 10] [--by-section] [--baseline COMMIT]

Renders every section of the report (:func:`qmskit.render.report.sections`, what the report notebook
displays) for Hillview (187 findings) and Riverside (4 findings), English and Chinese, after one
untimed render (templates compiled, catalogs read); prints the least CPU time (``time.process_time``
of this process) of ``--repeat`` renders of one office, with the load average: on a shared machine the
other processes' load makes every render slower by chance (caches, a shared core), never faster, so the
least is the steadiest figure. ``--by-section`` adds each section's. ``--baseline COMMIT`` measures that
commit's renderers too, in separate processes of the same virtualenv (``git archive``, no checkout),
alternating with this tree's in ``--rounds`` rounds, the least of each kept.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[1]
OFFICES = {"hillview": "examples/offices/hillview-town-office.xlsx",
           "riverside": "examples/offices/riverside-general-office.xlsx"}
LANGS = ("en", "zh")


def _section_calls() -> dict[str, object]:
    """Each section of the report, called as the report notebook calls it (name → fn(assessment, lang))."""
    from qmskit.render import report

    brand = report.NEUTRAL
    parameters = {"responses": "office.xlsx", "checklist": None, "lang": "en", "title": None, "actions": None,
                  "brand": None, "audience": "internal", "out_dir": "reports"}
    return {
        "header": lambda a, lang: report.header_html(a, lang, None, brand=brand, audience="internal"),
        "summary": report.summary_html, "verdict": report.verdict_html, "chart": report.chart_html,
        "clauses": report.clause_table_html, "gaps": report.gap_register_html, "actions": report.action_plan_html,
        "docinfo": report.docinfo_html, "attention": report.attention_html, "appendix": report.appendix_html,
        "method": report.method_html,
        "closing": lambda a, lang: report.closing_html(a, lang, brand=brand, audience="internal"),
        "parameters": lambda a, lang: report.parameters_html(a, parameters, lang, audience="internal", brand=brand),
    }


def measure(repeat: int) -> dict[str, dict[str, float]]:
    """{"hillview.en": {"total": ms, "<section>": ms, ...}, ...}: the least over ``repeat`` renders."""
    from qmskit import api

    calls = _section_calls()
    out: dict[str, dict[str, float]] = {}
    for office, path in OFFICES.items():
        a = api.load_assessment(ROOT / path)
        for lang in LANGS:
            for fn in calls.values():  # first use: templates compiled, catalogs read
                fn(a, lang)  # type: ignore[operator]
            samples: dict[str, list[float]] = {name: [] for name in calls}
            for _ in range(repeat):
                for name, fn in calls.items():
                    t = time.process_time()
                    fn(a, lang)  # type: ignore[operator]
                    samples[name].append((time.process_time() - t) * 1000)
            row = {name: min(v) for name, v in samples.items()}
            row["total"] = min(sum(s[i] for s in samples.values()) for i in range(repeat))
            out[f"{office}.{lang}"] = row
    return out


def _child(tree: Path | None, repeat: int) -> dict[str, dict[str, float]]:
    """:func:`measure` in a fresh process running ``tree``'s qmskit (None: this checkout's)."""
    from timing import env_for

    proc = subprocess.run([sys.executable, __file__, "--repeat", str(repeat), "--json"], env=env_for(tree),
                          cwd=str(ROOT), check=True, capture_output=True, text=True)
    return json.loads(proc.stdout)


def _least(a: dict[str, dict[str, float]], b: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {case: {k: min(v, b[case][k]) for k, v in row.items()} for case, row in a.items()}


def compare(commit: str, repeat: int, rounds: int) -> tuple[dict, dict]:
    """This tree's and ``commit``'s figures, measured alternately in ``rounds`` rounds of child processes."""
    from timing import baseline_tree

    tree = baseline_tree(commit)
    now, before = _child(None, repeat), _child(tree, repeat)
    for _ in range(rounds - 1):
        now, before = _least(now, _child(None, repeat)), _least(before, _child(tree, repeat))
    return now, before


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--by-section", action="store_true", help="each section's CPU too")
    ap.add_argument("--baseline", metavar="COMMIT", help="also measure this commit's renderers, same run")
    ap.add_argument("--rounds", type=int, default=3, help="with --baseline: alternating rounds (default 3)")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the baseline's child process
    args = ap.parse_args()
    if args.json:
        print(json.dumps(measure(args.repeat)))
        return 0
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    before = None
    if args.baseline:
        now, before = compare(args.baseline, args.repeat, args.rounds)
    else:
        now = measure(args.repeat)
    print(f"report sections, CPU ms per office (least of {args.repeat} renders"
          f"{f' x {args.rounds} rounds' if before else ''}); load {load}")
    for case, row in now.items():
        line = f"  {case:<13} {row['total']:7.1f} ms"
        if before is not None:
            old = before[case]["total"]
            line += f"   (at {args.baseline[:10]}: {old:7.1f} ms, {old / row['total']:.1f}x)"
        print(line)
        if args.by_section:
            print("      " + ", ".join(f"{k} {v:.1f}" for k, v in row.items() if k != "total"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
