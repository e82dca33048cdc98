"""KPI display frames for reports: the core's evaluated KPI frame and findings (codes and numbers, see
:mod:`qmskit.core.kpis`) with their words from the catalog's ``kpi.*`` messages and numbers formatted."""
from __future__ import annotations

import pandas as pd

from qmskit.i18n.catalog import kpi_finding_texts, t
from qmskit.i18n.numbers import fmt_target, fmt_value


def kpi_table(source, lang: str = "en") -> pd.DataFrame:
    """Display frame of KPIs against targets for a report: an Assessment or an evaluated KPI frame.

    Columns (localised, the catalog's ``kpi.col.*``): id, indicator, target, value, previous, status, trend;
    plus ``_status`` (machine value met / not_met / no_value) for styling.
    """
    frame = getattr(source, "kpis", source)
    col = {key: t(f"kpi.col.{key}", lang) for key in ("indicator", "target", "value", "previous", "status", "trend")}
    if frame is None or not len(frame):
        return pd.DataFrame(columns=["id", *col.values(), "_status"])
    name = frame.get(f"name_{lang}", frame["name_en"])
    return pd.DataFrame({
        "id": frame["id"],
        col["indicator"]: name,
        col["target"]: [fmt_target(tg, d, u) for tg, d, u in zip(frame["target"], frame["direction"], frame["unit"])],
        col["value"]: [fmt_value(v, u, tg) for v, u, tg in zip(frame["value"], frame["unit"], frame["target"])],
        col["previous"]: [fmt_value(v, u) for v, u in zip(frame["previous"], frame["unit"])],
        col["status"]: frame["status"].map(lambda status: t(f"kpi.status.{status}", lang)),
        col["trend"]: frame["trend"].map(lambda trend: t(f"kpi.trend.{trend}", lang) if trend else ""),
        "_status": frame["status"],
    }).reset_index(drop=True)


def kpi_findings_frame(source, lang: str = "en") -> pd.DataFrame:
    """KPI findings shaped like gap-register rows (id, clause, severity, text): the core gives each
    finding's codes and values, the sentence is the catalog's (qmskit.i18n.catalog.kpi_finding_texts)."""
    findings = getattr(source, "kpi_findings", source) or []
    texts = kpi_finding_texts(source, lang)
    rows = [{"id": f["id"], "clause": f["clause"], "severity": f["severity"], "text": texts[f["id"]]} for f in findings]
    return pd.DataFrame(rows, columns=["id", "clause", "severity", "text"])
