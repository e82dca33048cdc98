"""The one palette: readiness bands, finding severities, document and answer states → colours.

Every page (office report, comparison, history, portfolio) and the interactive form take their colours
from here, so "nearly ready" is the same amber everywhere. Each state has a :class:`Swatch`:

- ``ink``: the solid colour. Used as text on white *and* as the background under white text (the
  verdict banner), so every ``ink`` has a contrast ratio of at least 4.5:1 against white (WCAG AA for
  body text; tests/render/test_palette.py checks it);
- ``soft`` and ``edge``: a badge's tinted background and its border; ``ink`` on ``soft`` is ≥ 4.5:1 too.

``report.css`` carries these colours as CSS custom properties in its ``:root`` block, written exactly as
:func:`css_variables` prints them (the test compares the two, so the stylesheet cannot drift).
"""
from __future__ import annotations

from dataclasses import dataclass

from qmskit.core.model import Band, DocStatus, Severity


@dataclass(frozen=True)
class Swatch:
    """One state's colours (hex ``#rrggbb``)."""
    ink: str
    soft: str
    edge: str


GREEN = Swatch(ink="#1e7b34", soft="#e2f3e6", edge="#a8d5b2")
AMBER = Swatch(ink="#946200", soft="#fdf3d8", edge="#ecd089")
ORANGE = Swatch(ink="#b34d00", soft="#fdebdc", edge="#f1c09a")
BROWN = Swatch(ink="#8a4b00", soft="#fdf0dc", edge="#f1c98c")  # a minor finding: darker than "developing"
RED = Swatch(ink="#b3261e", soft="#fbe3e1", edge="#efb4ae")
BLUE = Swatch(ink="#1f4e79", soft="#e8eef5", edge="#b9cde2")  # also the default accent
GREY = Swatch(ink="#5f6b7a", soft="#eeeeee", edge="#d0d4da")

BAND: dict[Band, Swatch] = {
    Band.READY: GREEN,
    Band.NEARLY_READY: AMBER,
    Band.DEVELOPING: ORANGE,
    Band.EARLY_STAGE: RED,
}
NOT_STARTED = GREY  # an assessment with nothing answered (shown band "not_started"; JSON keeps early_stage)

SEVERITY: dict[Severity, Swatch] = {
    Severity.MAJOR: RED,
    Severity.MINOR: BROWN,
    Severity.OBSERVATION: BLUE,
}

DOC_STATUS: dict[DocStatus, Swatch] = {
    DocStatus.PRESENT: GREEN,
    DocStatus.UNSUPPORTED: AMBER,  # claimed, no evidence seen: not green, and not a finding's brown or red
    DocStatus.PARTIAL: BROWN,
    DocStatus.MISSING: RED,
    DocStatus.UNANSWERED: BLUE,
    DocStatus.NA: GREY,
}

# a question card's left border: met, partly met, not met, not applicable
ANSWER: dict[str, Swatch] = {"met": GREEN, "partial": AMBER, "not_met": RED, "na": GREY}

# neutral colours of every page (text, secondary text, rules, tinted panels, headings)
INK = "#1d2733"
MUTED = "#5b6776"
LINE = "#d5dbe3"
PANEL = "#f3f5f8"
ACCENT = BLUE.ink

# bars of a chart, one colour per top-level clause (decoration; labels are drawn in CHART_INK)
SERIES = ["#1f4e79", "#3b7dbf", "#5a9bd4", "#2e8b8b", "#4f9d69", "#8c6bb1", "#b0615e", "#7f7f7f"]
CHART_INK = "#333"  # a chart's axis, ticks and labels
# the comparison's bars: the earlier assessment light, the later one in the accent blue
BEFORE = "#9dc3e6"
AFTER = BLUE.ink

# CSS custom-property names kept from the first stylesheet (the history page uses them too)
_BAND_VAR = {Band.READY: "ready", Band.NEARLY_READY: "nearly", Band.DEVELOPING: "developing",
             Band.EARLY_STAGE: "early"}


def band_swatch(band: str) -> Swatch:
    """A band's swatch; ``"not_started"`` (the shown band of an empty assessment) is grey."""
    return NOT_STARTED if band == "not_started" else BAND[Band(band)]


def band_colour(band: str) -> str:
    return band_swatch(band).ink


def severity_colour(severity: str) -> str:
    return SEVERITY[Severity(severity)].ink


def css_variables() -> str:
    """The ``:root`` block of report.css, exactly as the stylesheet holds it."""
    names: list[tuple[str, str]] = [("ink", INK), ("muted", MUTED), ("line", LINE), ("soft", PANEL),
                                    ("accent", ACCENT)]
    for band, swatch in BAND.items():
        names.append((_BAND_VAR[band], swatch.ink))
    names.append(("not-started", NOT_STARTED.ink))
    for severity, swatch in SEVERITY.items():
        names += [(f"sev-{severity}", swatch.ink), (f"sev-{severity}-soft", swatch.soft),
                  (f"sev-{severity}-edge", swatch.edge)]
    for status, swatch in DOC_STATUS.items():
        key = "na" if status is DocStatus.NA else status.value
        names += [(f"di-{key}", swatch.ink), (f"di-{key}-soft", swatch.soft), (f"di-{key}-edge", swatch.edge)]
    body = "".join(f"  --qr-{name}: {value};\n" for name, value in names)
    return ":root {\n" + body + "}\n"

