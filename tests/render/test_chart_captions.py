"""The dashed lines of the clause chart and the history trend are the overall scores the verdicts need,
not the verdicts: an office with nearly every bar above the "ready" line was rated Developing, the caption
saying only "85 (ready)" (found by a new user's session). The captions say what else the verdict rests on."""
from __future__ import annotations

import pytest

from qmskit.i18n.catalog import t


@pytest.mark.parametrize(("lang", "needs", "also"), [("en", "overall score", "completeness, prerequisites and findings"),
                                                     ("zh", "所需的总分", "完成度、前提条件和发现项")])
def test_the_chart_captions_say_the_lines_are_score_thresholds_only(lang, needs, also):
    for key in ("chart_caption", "history.chart_caption"):
        caption = t(key, lang, ready=85, nearly=70)
        assert needs in caption and also in caption, (key, caption)
