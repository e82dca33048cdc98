"""Generate the bundled example offices (fictional), one per readiness band and then some.

Seeded and reproducible: `python scripts/make_examples.py` rewrites examples/offices/*.xlsx with the
same answers every time, and checks that each office lands in the band it was made for.
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

# name, file stem, target band, P(yes), P(partial), P(unanswered), P(critical answered yes), seed
OFFICES = [
    ("Riverside Municipal Government General Office", "riverside-general-office", "ready", 0.93, 0.07, 0.0, 1.0, 11),
    ("Northgate County Administrative Service Centre", "northgate-service-centre", "nearly_ready", 0.78, 0.17, 0.03, 0.9, 12),
    ("Eastport District Civil Affairs Bureau", "eastport-civil-affairs", "developing", 0.48, 0.30, 0.10, 0.6, 13),
    ("Hillview Town Government Office", "hillview-town-office", "early_stage", 0.15, 0.25, 0.25, 0.2, 14),
    ("青山县人民政府办公室 (Qingshan County Government Office)", "qingshan-county-office", "developing", 0.55, 0.25, 0.05, 0.7, 15),
    ("Westlake Municipal Archives Office", "westlake-archives", "nearly_ready", 0.82, 0.14, 0.02, 0.95, 16),
]
OWNERS = ["Director Wang", "Ms. Chen (QMS lead)", "Mr. Liu (IT)", "Ms. Zhao (HR)", "Deputy Director Sun"]
ASSESSOR = "J. Example, Lead Consultant"
DATE = dt.date(2026, 10, 15)


def make_office(cl: qmskit.Checklist, spec: tuple) -> tuple[dict, pd.DataFrame]:
    name, _stem, _band, p_yes, p_partial, p_blank, p_crit_yes, seed = spec
    rng = np.random.default_rng(seed)
    rows = []
    for q in cl.questions.itertuples(index=False):
        answer = draw_answer(q.critical, rng.random(), p_yes, p_partial, p_blank, p_crit_yes)
        if answer and q.na_allowed and q.clause.startswith("8.3") and p_yes < 0.9:
            answer = "n/a"  # design and development excluded: the usual exclusion for an office
        evidence = f"Seen: {q.evidence_en}" if answer in ("yes", "partial") else ""
        notes = ""
        if answer == "n/a":
            notes = "Excluded under 4.3: the office does not design services; it delivers defined ones."
        elif answer == "partial":
            notes = "In place but not yet applied consistently."
        gap = answer in ("partial", "no")
        rows.append({
            "id": q.id, "answer": answer, "evidence": evidence, "notes": notes,
            "owner": OWNERS[int(rng.integers(len(OWNERS)))] if gap else "",
            "due": (DATE + dt.timedelta(days=int(rng.integers(30, 180)))).isoformat() if gap else "",
        })
    meta = {
        "office": name, "assessor": ASSESSOR, "date": DATE.isoformat(),
        "scope": "Document handling, meeting services and administrative affairs for the municipal government",
        "sites": "Main office building",
        "exclusions": "8.3 Design and development (services are defined by regulation)" if p_yes < 0.9 else "",
        "language": "en", "status": "draft",
        "confidentiality": "Confidential: prepared for the named office only.",
    }
    return meta, pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "examples" / "offices")
    args = parser.parse_args()
    cl = qmskit.load_checklist("iso9001-2015")
    for spec in OFFICES:
        meta, frame = make_office(cl, spec)
        path = args.out / f"{spec[1]}.xlsx"
        write_responses(path, meta, frame, cl, backup=False)
        result = qmskit.score(cl, path)
        assert result.readiness == spec[2], (spec[1], result.readiness, result.readiness_reasons)
        print(f"{path}  {result.readiness:13s} overall {result.overall:5.1f}  completeness {result.completeness:5.1f}%")


if __name__ == "__main__":
    main()
