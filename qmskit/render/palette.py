"""The one palette: readiness bands, finding severities and answer states → colours.

Every page (office report, comparison, history, portfolio) and the interactive form take their colours
from here, so "nearly ready" is the same amber everywhere. Each state has a :class:`Swatch`:

- ``ink``: the solid colour, used as text on white *and* as the background under white text (a verdict
  badge), so every ``ink`` is dark enough to read on white and under white text;
- ``soft`` and ``edge``: a badge's tinted background and its border.

(Interim copy on branch tpl-portfolio: the branch tpl-report owns this module; on merge its version wins.)
"""
from __future__ import annotations

from dataclasses import dataclass

from qmskit.core.model import Band, Severity


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

# a question card's left border: met, partly met, not met, not applicable
ANSWER: dict[str, Swatch] = {"met": GREEN, "partial": AMBER, "not_met": RED, "na": GREY}

# neutral colours of every page (text, secondary text, rules, tinted panels, headings)
INK = "#1d2733"
MUTED = "#5b6776"
LINE = "#d5dbe3"
PANEL = "#f3f5f8"
ACCENT = BLUE.ink


def band_swatch(band: str) -> Swatch:
    """A band's swatch; ``"not_started"`` (the shown band of an empty assessment) is grey."""
    return NOT_STARTED if band == "not_started" else BAND[Band(band)]


def band_colour(band: str) -> str:
    return band_swatch(band).ink


def severity_colour(severity: str) -> str:
    return SEVERITY[Severity(severity)].ink
