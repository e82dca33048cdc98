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

import qmskit
from qmskit.core.synthetic import OfficeProfile, draw_office
from qmskit.io.responses import write_responses

OUT = Path(__file__).resolve().parent.parent / "examples" / "gov"
ASSESSOR = "J. Example, Lead Consultant"
OWNERS = {"en": ["Director Wang", "Ms. Chen (QMS lead)", "Mr. Liu (IT)", "Ms. Zhao (HR)", "Deputy Director Sun"],
          "zh": ["王主任", "陈科长（质量管理）", "刘工（信息化）", "赵科长（人事）", "孙副主任"]}
MOONBAY = "月湾区人民政府办公室 (Moonbay District Government General Office)"
# file stem, office, language, date, band, profile (what is in place, process by process), KPIs {id: value}
OFFICES = [
    ("pinecrest-municipal-office", "Pinecrest Municipal Government General Office", "en", dt.date(2026, 9, 24),
     "nearly_ready", OfficeProfile(seed=31, partial_rate=0.10, no_rate=0.02, blank_rate=0.01, excluded=("8.3",)),
     {"sat-satisfied": (92.4, 90.1), "sat-satisfied-basic": (100, 100), "sat-attitude": (95.0, 93.2),
      "sat-order": (91.8, 90.5), "sat-environment": (96.1, 95.0), "sat-efficiency": (88.7, 86.0),
      "sat-integrity": (97.5, 97.0), "doc-completion": (98.6, 97.9)}),
    ("silverbrook-county-office", "银溪县人民政府办公室 (Silverbrook County Government Office)", "zh",
     dt.date(2026, 10, 8), "developing",
     OfficeProfile(seed=32, partial=("9.2",), absent=("6.1.2",), partial_rate=0.25, no_rate=0.06, blank_rate=0.06,
                   excluded=("8.3",)),
     {"sat-satisfied": (81.0, None), "sat-satisfied-basic": (96.5, None), "sat-attitude": (88.0, None),
      "sat-order": (79.5, None), "sat-environment": (90.0, None), "sat-efficiency": (74.0, None),
      "sat-integrity": (93.0, None), "doc-completion": (95.2, None)}),
]
# the same office a year apart: no management review held yet, then held and most gaps closed
BEFORE = ("moonbay-district-office-2025", MOONBAY, "zh", dt.date(2025, 10, 20), "developing",
          OfficeProfile(seed=41, absent=("9.3",), partial_rate=0.25, no_rate=0.05, blank_rate=0.04, excluded=("8.3",)),
          {"sat-satisfied": (86.0, 83.5), "sat-satisfied-basic": (97.5, 96.0), "sat-attitude": (91.0, 90.0),
           "sat-order": (87.5, 85.0), "sat-environment": (92.0, 92.0), "sat-efficiency": (84.0, 80.5),
           "sat-integrity": (96.0, 95.5), "doc-completion": (96.0, 95.1)})
AFTER_DATE, AFTER_STEM = dt.date(2026, 10, 19), "moonbay-district-office-2026"
AFTER = OfficeProfile(seed=42, partial_rate=0.30, no_rate=0.02, excluded=("8.3",))  # last year's gaps: many half-closed
AFTER_KPIS = {"sat-satisfied": 91.5, "sat-satisfied-basic": 100, "sat-attitude": 94.0, "sat-order": 92.0,
              "sat-environment": 95.0, "sat-efficiency": 89.5, "sat-integrity": 97.0, "doc-completion": 98.4}
LEGACY = ("pinecrest-2012-iso9001-2008", "Pinecrest Municipal Government General Office", "en", dt.date(2012, 6, 5),
          OfficeProfile(seed=51, partial_rate=0.22, no_rate=0.06, excluded=("7.3",)))
EXCLUSION = {"en": "the office delivers services defined by regulation and designs none",
             "zh": "本单位提供法规规定的既定服务，不进行设计"}


def meta_for(office: str, lang: str, date: dt.date, kpis: dict, excluded: str = "8.3") -> dict:
    scope = {"en": "Handling documents, organising meetings and handling affairs for the government's leaders "
                   "and departments", "zh": "为政府领导和各部门办文、办会、办事"}[lang]
    return {"office": office, "assessor": ASSESSOR, "date": date.isoformat(), "scope": scope,
            "sites": {"en": "Government office building", "zh": "政府办公大楼"}[lang],
            "exclusions": f"{excluded}: {EXCLUSION[lang]}", "excluded_clauses": f"{excluded}: {EXCLUSION[lang]}",
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
          f"{a.finding_counts()}  {status}\n    " + "; ".join(a.readiness_reasons))
    if a.readiness != band:
        raise SystemExit(f"{path.name}: landed in {a.readiness}, made for {band}")
    return a


def main(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    gov = qmskit.load_checklist("gov-office")
    written = []
    for stem, office, lang, date, band, profile, kpis in OFFICES:
        frame = draw_office(gov, profile, lang=lang, date=date, owners=OWNERS[lang])
        path = out / (f"{stem}.yaml" if lang == "zh" else f"{stem}.xlsx")
        write_responses(fresh(path), meta_for(office, lang, date, kpis), frame, gov, lang=lang, backup=False)
        check_band(gov, path, band)
        written.append(path)

    stem, office, lang, date, band, profile, kpis = BEFORE
    before = draw_office(gov, profile, lang=lang, date=date, owners=OWNERS[lang])
    before_path = out / f"{stem}.xlsx"
    write_responses(fresh(before_path), meta_for(office, lang, date, kpis), before, gov, lang=lang, backup=False)
    check_band(gov, before_path, band)
    after = draw_office(gov, AFTER, lang=lang, date=AFTER_DATE, owners=OWNERS[lang], keep=before)
    after_kpis = {k: (v, kpis[k][0]) for k, v in AFTER_KPIS.items()}
    after_path = out / f"{AFTER_STEM}.xlsx"
    write_responses(fresh(after_path), meta_for(office, lang, AFTER_DATE, after_kpis), after, gov, lang=lang, backup=False)
    check_band(gov, after_path, "nearly_ready")
    written += [before_path, after_path]

    stem, office, lang, date, profile = LEGACY
    legacy = qmskit.load_checklist("iso9001-2008-legacy")
    frame = draw_office(legacy, profile, lang=lang, date=date, owners=OWNERS[lang])
    meta = meta_for(office, lang, date, {}, excluded="7.3")
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
