"""Generate the bundled example offices (fictional), one per readiness band and then some.

Seeded and reproducible: `python scripts/make_examples.py` rewrites examples/offices/*.xlsx with the
same answers every time, and checks that each office lands in the band it was made for.
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import pandas as pd

import qmskit
from qmskit.core.synthetic import OfficeProfile, draw_office
from qmskit.io.responses import write_responses

# name, file stem, target band, language, profile (what is in place, process by process)
OFFICES = [
    ("Riverside Municipal Government General Office", "riverside-general-office", "ready", "en",
     OfficeProfile(seed=11, partial_rate=0.03, unsupported=2)),
    ("Northgate County Administrative Service Centre", "northgate-service-centre", "nearly_ready", "en",
     OfficeProfile(seed=12, absent=("7.1.4",), partial_rate=0.10, blank_rate=0.03, no_rate=0.02,
                   excluded=("8.3",))),
    ("Eastport District Civil Affairs Bureau", "eastport-civil-affairs", "developing", "en",
     OfficeProfile(seed=13, partial=("9.2",), absent=("6.1.2", "9.1.2"), partial_rate=0.22, no_rate=0.08,
                   blank_rate=0.08, unsupported=4, excluded=("8.3",))),
    ("Hillview Town Government Office", "hillview-town-office", "early_stage", "en",
     OfficeProfile(seed=14, absent=("6.1", "6.2", "7.5", "8.7", "9.1", "9.2", "9.3", "10.2", "10.3"),
                   partial=("4", "5"), partial_rate=0.35, no_rate=0.35, blank_rate=0.20, excluded=("8.3",))),
    ("青山县人民政府办公室 (Qingshan County Government Office)", "qingshan-county-office", "developing", "zh",
     OfficeProfile(seed=15, absent=("9.3",), partial_rate=0.18, no_rate=0.05, blank_rate=0.04, excluded=("8.3",))),
    ("Westlake Municipal Archives Office", "westlake-archives", "nearly_ready", "en",
     OfficeProfile(seed=16, partial_rate=0.08, blank_rate=0.0, unsupported=3, unsupported_key=1, excluded=("8.3",))),
]
OWNERS = {"en": ["Director Wang", "Ms. Chen (QMS lead)", "Mr. Liu (IT)", "Ms. Zhao (HR)", "Deputy Director Sun"],
          "zh": ["王主任", "陈科长（质量管理）", "刘工（信息化）", "赵科长（人事）", "孙副主任"]}
ASSESSOR = "J. Example, Lead Consultant"
DATE = dt.date(2026, 10, 15)
EXCLUSION = {"en": "the office does not design services; it delivers services defined by regulation",
             "zh": "本单位不设计服务，只提供法规规定的既定服务"}


def make_office(cl: qmskit.Checklist, spec: tuple) -> tuple[dict, pd.DataFrame]:
    name, _stem, _band, lang, profile = spec
    frame = draw_office(cl, profile, lang=lang, date=DATE, owners=OWNERS[lang])
    excluded = "; ".join(f"{c}: {EXCLUSION[lang]}" for c in profile.excluded)
    meta = {
        "office": name, "assessor": ASSESSOR, "date": DATE.isoformat(),
        "scope": {"en": "Document handling, meeting services and administrative affairs for the municipal government",
                  "zh": "为县政府办文、办会、办事"}[lang],
        "sites": {"en": "Main office building", "zh": "县政府办公大楼"}[lang],
        "exclusions": excluded, "excluded_clauses": excluded,
        "language": lang, "status": "draft",
        "confidentiality": {"en": "Confidential: prepared for the named office only.",
                            "zh": "保密：仅供上述单位使用。"}[lang],
    }
    return {k: v for k, v in meta.items() if v != ""}, frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "examples" / "offices")
    args = parser.parse_args()
    cl = qmskit.load_checklist("iso9001-2015")
    for spec in OFFICES:
        meta, frame = make_office(cl, spec)
        path = args.out / f"{spec[1]}.xlsx"
        path.unlink(missing_ok=True)  # a fresh workbook (writing into one keeps its old row layout)
        write_responses(path, meta, frame, cl, lang=spec[3], backup=False)
        result = qmskit.score(cl, path)
        counts = result.finding_counts()
        print(f"{path.name:32s} {result.readiness:13s} overall {result.overall:5.1f}  completeness "
              f"{result.completeness:5.1f}%  {counts}")
        print("    " + "; ".join(result.readiness_reasons))
        assert result.readiness == spec[2], (spec[1], result.readiness, result.readiness_reasons)


if __name__ == "__main__":
    main()
