"""Generate the government-office examples (fictional offices) in examples/gov/.

Seeded and reproducible: `python scripts/make_examples_gov.py` rewrites the same files every time:

- two offices assessed with the gov-office profile, with KPI values (one .xlsx, one .yaml);
- a before/after pair of one office a year apart (for `qmskit compare`);
- an assessment against the old ISO 9001:2008 structure (for `qmskit migrate`).

It checks that each office lands in the readiness band it was made for. All names are invented.
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

import qmskit
from qmskit.synthetic import draw_answer
from qmskit.responses import write_responses

OUT = Path(__file__).resolve().parent.parent / "examples" / "gov"
ASSESSOR = "J. Example, Lead Consultant"
OWNERS = {"en": ["Director Wang", "Ms. Chen (QMS lead)", "Mr. Liu (IT)", "Ms. Zhao (HR)", "Deputy Director Sun"],
          "zh": ["王主任", "陈科长（质量管理）", "刘工（信息化）", "赵科长（人事）", "孙副主任"]}
NOTES = {"en": ("In place but not yet applied consistently.",
                "Excluded under 4.3: the office does not design services; it delivers defined ones."),
         "zh": ("已建立，但尚未一贯执行。", "依据 4.3 删减：本单位不设计服务，只提供既定服务。")}
SEEN = {"en": "Seen: ", "zh": "已查看："}

MOONBAY = "月湾区人民政府办公室 (Moonbay District Government General Office)"
# file stem, office, language, date, band, P(yes), P(partial), P(blank), P(critical yes), seed, KPIs {id: value}
OFFICES = [
    ("pinecrest-municipal-office", "Pinecrest Municipal Government General Office", "en", dt.date(2026, 9, 24),
     "nearly_ready", 0.84, 0.13, 0.0, 0.97, 31,
     {"sat-satisfied": (92.4, 90.1), "sat-satisfied-basic": (100, 100), "sat-attitude": (95.0, 93.2),
      "sat-order": (91.8, 90.5), "sat-environment": (96.1, 95.0), "sat-efficiency": (88.7, 86.0),
      "sat-integrity": (97.5, 97.0), "doc-completion": (98.6, 97.9)}),
    ("silverbrook-county-office", "银溪县人民政府办公室 (Silverbrook County Government Office)", "zh",
     dt.date(2026, 10, 8), "developing", 0.50, 0.28, 0.06, 0.6, 32,
     {"sat-satisfied": (81.0, None), "sat-satisfied-basic": (96.5, None), "sat-attitude": (88.0, None),
      "sat-order": (79.5, None), "sat-environment": (90.0, None), "sat-efficiency": (74.0, None),
      "sat-integrity": (93.0, None), "doc-completion": (95.2, None)}),
]
BEFORE = ("moonbay-district-office-2025", MOONBAY, "zh", dt.date(2025, 10, 20), "developing",
          0.52, 0.28, 0.04, 0.65, 41,
          {"sat-satisfied": (86.0, 83.5), "sat-satisfied-basic": (97.5, 96.0), "sat-attitude": (91.0, 90.0),
           "sat-order": (87.5, 85.0), "sat-environment": (92.0, 92.0), "sat-efficiency": (84.0, 80.5),
           "sat-integrity": (96.0, 95.5), "doc-completion": (96.0, 95.1)})
AFTER_DATE, AFTER_STEM = dt.date(2026, 10, 19), "moonbay-district-office-2026"
AFTER_KPIS = {"sat-satisfied": 91.5, "sat-satisfied-basic": 100, "sat-attitude": 94.0, "sat-order": 92.0,
              "sat-environment": 95.0, "sat-efficiency": 89.5, "sat-integrity": 97.0, "doc-completion": 98.4}
LEGACY = ("pinecrest-2012-iso9001-2008", "Pinecrest Municipal Government General Office", "en", dt.date(2012, 6, 5),
          0.70, 0.22, 0.0, 51)


def answers_for(cl: qmskit.Checklist, lang: str, date: dt.date, p_yes: float, p_partial: float, p_blank: float,
                p_crit_yes: float, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for q in cl.questions.itertuples(index=False):
        answer = draw_answer(q.critical, rng.random(), p_yes, p_partial, p_blank, p_crit_yes)
        if answer and q.na_allowed and q.clause.startswith(("8.3", "7.3.")):  # 7.3.x: 2008 design
            answer = "n/a"  # design and development: the usual exclusion for an office
        rows.append(annotate(q, answer, lang, date, rng))
    return pd.DataFrame(rows)


def annotate(q, answer: str, lang: str, date: dt.date, rng: np.random.Generator) -> dict:
    gap = answer in ("partial", "no")
    evidence = SEEN[lang] + getattr(q, f"evidence_{lang}") if answer in ("yes", "partial") else ""
    notes = NOTES[lang][1] if answer == "n/a" else NOTES[lang][0] if answer == "partial" else ""
    return {"id": q.id, "answer": answer, "evidence": evidence, "notes": notes,
            "owner": OWNERS[lang][int(rng.integers(len(OWNERS[lang])))] if gap else "",
            "due": (date + dt.timedelta(days=int(rng.integers(30, 180)))).isoformat() if gap else ""}


def improved(cl: qmskit.Checklist, before: pd.DataFrame, lang: str, rng: np.random.Generator) -> pd.DataFrame:
    """A year of work: most gaps close or improve, blanks get answered, a few things slip."""
    step = {"no": ["partial", "yes"], "partial": ["yes"]}
    rows = []
    for q, old in zip(cl.questions.itertuples(index=False), before.to_dict("records")):
        answer, u = old["answer"], rng.random()
        if answer in step and u < 0.7:
            answer = step[answer][int(rng.integers(len(step[answer])))]
        elif answer == "":
            answer = "yes" if u < 0.7 else "partial"
        elif answer == "yes" and u < 0.025 and not q.critical:
            answer = "partial"  # slipped: a new gap
        rows.append(annotate(q, answer, lang, AFTER_DATE, rng))
    return pd.DataFrame(rows)


def meta_for(office: str, lang: str, date: dt.date, kpis: dict) -> dict:
    scope = {"en": "Handling documents, organising meetings and handling affairs for the government's leaders "
                   "and departments", "zh": "为政府领导和各部门办文、办会、办事"}[lang]
    return {"office": office, "assessor": ASSESSOR, "date": date.isoformat(), "scope": scope,
            "sites": {"en": "Government office building", "zh": "政府办公大楼"}[lang],
            "exclusions": {"en": "8.3 Design and development: the office delivers defined services",
                           "zh": "8.3 设计和开发：本单位提供既定服务"}[lang],
            "language": lang, "status": "final",
            "confidentiality": {"en": "Fictional example office: test data only.", "zh": "虚构示例单位：仅供测试。"}[lang],
            "kpis": [{"id": k, "value": v[0] if isinstance(v, tuple) else v,
                      "previous": v[1] if isinstance(v, tuple) else None} for k, v in kpis.items()]}


def fresh(path: Path) -> Path:
    """Remove last run's file first: writing into an existing workbook keeps its row layout (design.md,
    "Writing files"), so a checklist change would leave the example unlike a fresh one."""
    path.unlink(missing_ok=True)
    return path


def check_band(cl, path: Path, band: str) -> qmskit.Assessment:
    a = qmskit.score(cl, path)
    status = "ok" if a.readiness == band else f"EXPECTED {band}"
    print(f"{path.name:42} {a.readiness:13} overall {a.overall:5.1f}  complete {a.completeness:5.1f}%  "
          f"kpi findings {len(a.kpi_findings)}  {status}")
    if a.readiness != band:
        raise SystemExit(f"{path.name}: landed in {a.readiness}, made for {band}")
    return a


def main(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    gov = qmskit.load_checklist("gov-office")
    written = []
    for stem, office, lang, date, band, p_yes, p_partial, p_blank, p_crit, seed, kpis in OFFICES:
        rng = np.random.default_rng(seed)
        frame = answers_for(gov, lang, date, p_yes, p_partial, p_blank, p_crit, rng)
        path = out / (f"{stem}.yaml" if lang == "zh" else f"{stem}.xlsx")
        write_responses(fresh(path), meta_for(office, lang, date, kpis), frame, gov, lang=lang, backup=False)
        check_band(gov, path, band)
        written.append(path)

    stem, office, lang, date, band, p_yes, p_partial, p_blank, p_crit, seed, kpis = BEFORE
    rng = np.random.default_rng(seed)
    before = answers_for(gov, lang, date, p_yes, p_partial, p_blank, p_crit, rng)
    before_path = out / f"{stem}.xlsx"
    write_responses(fresh(before_path), meta_for(office, lang, date, kpis), before, gov, lang=lang, backup=False)
    check_band(gov, before_path, band)
    after = improved(gov, before, lang, rng)
    after_kpis = {k: (v, kpis[k][0]) for k, v in AFTER_KPIS.items()}
    after_path = out / f"{AFTER_STEM}.xlsx"
    write_responses(fresh(after_path), meta_for(office, lang, AFTER_DATE, after_kpis), after, gov, lang=lang, backup=False)
    check_band(gov, after_path, "nearly_ready")
    written += [before_path, after_path]

    stem, office, lang, date, p_yes, p_partial, p_blank, seed = LEGACY
    legacy = qmskit.load_checklist("iso9001-2008-legacy")
    rng = np.random.default_rng(seed)
    frame = answers_for(legacy, lang, date, p_yes, p_partial, p_blank, 0.8, rng)
    meta = meta_for(office, lang, date, {})
    meta.pop("kpis")
    legacy_path = out / f"{stem}.xlsx"
    write_responses(fresh(legacy_path), meta, frame, legacy, lang=lang, backup=False)
    print(f"{legacy_path.name:42} (ISO 9001:2008 structure, for `qmskit migrate`)")
    written.append(legacy_path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", type=Path, default=OUT, help="output folder (default: examples/gov)")
    out = parser.parse_args().out
    main(out)
    import make_examples_history  # the 2024 assessment, the action plan and the assignment follow 2025/2026

    make_examples_history.main(out)
