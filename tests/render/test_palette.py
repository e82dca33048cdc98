"""The one palette: every colour readable (WCAG AA) and report.css holding exactly its values."""
from __future__ import annotations

import re
from importlib import resources

import pytest

from qmskit.core.model import Band, Severity
from qmskit.render import palette
from qmskit.render.brand import MIN_CONTRAST, contrast_ratio

SWATCHES = {**{f"band {k}": v for k, v in palette.BAND.items()}, "not started": palette.NOT_STARTED,
            **{f"severity {k}": v for k, v in palette.SEVERITY.items()},
            **{f"doc {k}": v for k, v in palette.DOC_STATUS.items()},
            **{f"answer {k}": v for k, v in palette.ANSWER.items()}}


def report_css() -> str:
    return (resources.files("qmskit.render") / "templates/qmskit_report/static/report.css").read_text("utf-8")


def test_every_band_and_severity_has_a_colour():
    assert set(palette.BAND) == set(Band)
    assert set(palette.SEVERITY) == set(Severity)
    assert palette.band_colour("nearly_ready") == palette.BAND[Band.NEARLY_READY].ink
    assert palette.band_colour("not_started") == palette.NOT_STARTED.ink
    assert palette.severity_colour("major") == palette.SEVERITY[Severity.MAJOR].ink


@pytest.mark.parametrize("name", sorted(SWATCHES))
def test_text_colours_have_accessible_contrast(name):
    swatch = SWATCHES[name]
    # ink is text on white and the background under white text (the verdict banner)
    assert contrast_ratio(swatch.ink) >= MIN_CONTRAST, name
    # ink on its own tinted badge background
    assert contrast_ratio(swatch.ink, swatch.soft) >= MIN_CONTRAST, name


def test_neutral_text_colours_have_accessible_contrast():
    for colour in (palette.INK, palette.MUTED, palette.ACCENT):
        assert contrast_ratio(colour) >= MIN_CONTRAST
    assert contrast_ratio(palette.MUTED, palette.PANEL) >= MIN_CONTRAST


def test_bands_are_told_apart():
    inks = [palette.BAND[b].ink for b in Band] + [palette.NOT_STARTED.ink]
    assert len(set(inks)) == len(inks)


def test_report_css_holds_exactly_the_palette():
    css = report_css()
    assert palette.css_variables() in css
    # no other hex colour for a band or severity sneaks in under another name
    declared = dict(re.findall(r"--(qr-[\w-]+):\s*(#[0-9a-f]{6})", css))
    generated = dict(re.findall(r"--(qr-[\w-]+):\s*(#[0-9a-f]{6})", palette.css_variables()))
    assert declared == generated
