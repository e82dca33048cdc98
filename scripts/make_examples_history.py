"""Generate the follow-up examples of one government office in examples/gov/ (fictional, reproducible).

Built on the Moonbay assessments that scripts/make_examples_gov.py writes (2025 and 2026):

- ``moonbay-district-office-2024.xlsx``: the first assessment a year earlier, so the office has a
  three-point history (`qmskit history`); some of its gaps were closed in 2025 and come back in 2026
  (recurring findings);
- ``actions/moonbay-district-office-actions.xlsx``: the action plan written from the 2025 assessment, worked on by
  the office for a year (statuses, root causes, closure evidence, verification), then updated in place
  from the 2026 assessment (`qmskit actions plan`, `qmskit actions status`);
- ``moonbay-assign.yaml``: who assesses which clauses when three consultants share the 2027 assessment
  (`qmskit template --split-by clause --assign`, `qmskit merge`).

Run it after make_examples_gov.py: `python scripts/make_examples_history.py`.
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

import qmskit
from qmskit.api import history_files
from qmskit.io.actions_xlsx import plan_file, read_actions, write_actions
from qmskit.io.responses import read_responses, write_responses

OUT = Path(__file__).resolve().parent.parent / "examples" / "gov"
FIRST_DATE = dt.date(2024, 10, 22)
PLAN_DATE, REASSESSED = dt.date(2025, 10, 20), dt.date(2026, 10, 19)
ASSIGN = """\
# Who assesses which clauses of the 2027 Moonbay assessment (qmskit template --split-by clause --assign).
# A question goes to the person with the most specific clause above it.
李伟 (Li Wei): ["4", "5", "6"]
张敏 (Zhang Min): ["7", "8"]
王芳 (Wang Fang): ["9", "10"]
"""
WORK = {  # what the office wrote in the action plan over the year (zh: the office's language)
    "root_cause": "职责未明确到岗位，缺少执行检查。",
    "correction": "已补充相关记录并经分管领导审批。",
    "corrective_action": "修订程序文件，明确责任岗位和检查频次，并组织培训。",
    "closure_evidence": "修订后的程序文件、培训签到表及 3 个月的检查记录。",
    "verified_by": "J. Example（咨询师）",
}


def first_assessment(before: pd.DataFrame, after: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """2024: a year behind 2025. Every gap 2026 opens again was already a gap in 2024 (so it recurs),
    and a share of what 2025 had in place was not in place yet."""
    b = before.set_index("id")
    a = after.set_index("id")
    gap = lambda v: v in ("no", "partial")  # noqa: E731
    reopened = {i for i in b.index if not gap(b.at[i, "answer"]) and gap(a.at[i, "answer"])}
    # a process in place a year later was at least started: its critical and prerequisite questions are
    # partly met, never "no" (no office held reviews whose records are missing)
    q = qmskit.load_checklist("gov-office").questions
    key = set(q.loc[q["critical"] | q["prerequisite"], "id"])
    rows = []
    for r in before.to_dict("records"):
        r = dict(r)
        u = rng.random()
        if r["id"] in reopened or (r["answer"] == "yes" and u < 0.25):
            r["answer"] = "no" if (u < 0.1 or r["id"] in reopened and u < 0.5) and r["id"] not in key else "partial"
            r["evidence"] = "" if r["answer"] == "no" else r["evidence"]
            r["notes"] = "已建立，但尚未一贯执行。" if r["answer"] == "partial" else ""
            r["owner"] = r["owner"] or "陈科长（质量管理）"
            r["due"] = (FIRST_DATE + dt.timedelta(days=int(rng.integers(30, 180)))).isoformat()
        elif r["answer"] == "partial" and u < 0.3 and r["id"] not in key:
            r["answer"], r["evidence"] = "no", ""
        elif r["answer"] not in ("n/a",) and u > 0.97:
            r["answer"] = ""  # not assessed yet
        if r.get("due"):
            r["due"] = (dt.date.fromisoformat(r["due"]) - dt.timedelta(days=364)).isoformat()
        rows.append(r)
    return pd.DataFrame(rows)


def worked_plan(plan: pd.DataFrame, after: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A year of the office's work on the 2025 plan: findings the 2026 assessment found closed are mostly
    verified effective (a few done, one without closure evidence); the rest in progress or untouched."""
    answers = after.set_index("id")["answer"]
    out = plan.copy()
    for i, r in out.iterrows():
        closed = str(r["id"]).startswith("kpi:") is False and answers.get(r["id"]) in ("yes", "n/a")
        u = rng.random()
        if closed:
            due = dt.date.fromisoformat(r["due"]) if r["due"] else PLAN_DATE + dt.timedelta(days=120)
            closed_on = min(due + dt.timedelta(days=int(rng.integers(-20, 20))), REASSESSED - dt.timedelta(days=30))
            status = "verified" if u < 0.75 else "done"
            out.loc[i, ["status", "root_cause", "correction", "corrective_action", "closed_date"]] = [
                status, WORK["root_cause"], WORK["correction"], WORK["corrective_action"], closed_on.isoformat()]
            out.loc[i, "closure_evidence"] = "" if u > 0.95 else WORK["closure_evidence"]
            if status == "verified":
                out.loc[i, ["verified_by", "verified_date"]] = [
                    WORK["verified_by"], (closed_on + dt.timedelta(days=int(rng.integers(20, 60)))).isoformat()]
        elif u < 0.5:
            out.loc[i, ["status", "root_cause"]] = ["in_progress", WORK["root_cause"]]
    return out


def main(out: Path = OUT) -> list[Path]:
    before_path, after_path = out / "moonbay-district-office-2025.xlsx", out / "moonbay-district-office-2026.xlsx"
    meta, before = read_responses(before_path)
    _, after = read_responses(after_path)
    gov = qmskit.load_checklist(meta["checklist"])
    rng = np.random.default_rng(2024)

    first = first_assessment(before.drop(columns="row"), after.drop(columns="row"), rng)
    first_meta = {k: v for k, v in meta.items() if k != "kpis"}
    first_meta["date"] = FIRST_DATE.isoformat()
    first_meta["status"] = "final"
    first_meta["kpis"] = [{"id": k["id"], "value": k["previous"], "previous": None} for k in meta["kpis"]]
    first_path = out / "moonbay-district-office-2024.xlsx"
    write_responses(first_path, first_meta, first, gov, lang="zh", backup=False, into_existing=False)

    (out / "actions").mkdir(exist_ok=True)  # a folder of action plans: `qmskit batch --actions examples/gov/actions`
    plan_path = out / "actions" / "moonbay-district-office-actions.xlsx"
    plan_path.unlink(missing_ok=True)
    plan_file(before_path, plan_path, today=PLAN_DATE)
    f = read_actions(plan_path)
    plan_path.unlink()
    write_actions(plan_path, f.meta, worked_plan(f.plan, after, rng), lang="zh")
    for bak in plan_path.parent.glob(plan_path.name + ".bak*"):
        bak.unlink()
    update, _ = plan_file(after_path, plan_path, today=REASSESSED)  # in place: the office's entries stay
    for bak in plan_path.parent.glob(plan_path.name + ".bak*"):
        bak.unlink()
    (out / "moonbay-assign.yaml").write_text(ASSIGN, encoding="utf-8")

    h = history_files([first_path, before_path, after_path])
    for r in h.points.itertuples(index=False):
        print(f"{r.label}: overall {r.overall:5.1f} {r.readiness}")
    for t in h.transitions:
        print(f"{t.before} -> {t.after}: {t.counts()}")
    if not h.transitions[-1].ids["recurring"]:
        raise SystemExit("the 2026 assessment should show recurring findings")
    print(f"{plan_path.name}: {len(update.plan)} rows ({len(update.resolved)} closed by the 2026 assessment, "
          f"{len(update.added)} new)")
    return [first_path, plan_path, out / "moonbay-assign.yaml"]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", type=Path, default=OUT, help="output folder (default: examples/gov)")
    main(parser.parse_args().out)
