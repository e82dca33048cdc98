"""The portfolio's ranking in a real browser: an office's name is one word however narrow the page.

Skipped loudly without /usr/bin/chromium (run `make system-deps`)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from conftest import OFFICE_META, mixed_answers

from qmskit.batch import inputs, summary
from qmskit.batch.tasks import Status
from qmskit.checklist.loader import load_checklist
from qmskit.config import DEFAULT_CHECKLIST
from qmskit.render import portfolio

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OFFICES = ["青浦区行政服务中心", "松江区人民政府办公室", "金山区档案馆"]

NAME_LINES_JS = r"""() => [...document.querySelectorAll('table.qr-ranking tbody td:nth-child(2) a')].map(a => {
    const r = document.createRange(); r.selectNodeContents(a);
    return [a.textContent, new Set([...r.getClientRects()].filter(x => x.width).map(x => Math.round(x.top))).size];
})"""


def test_a_chinese_office_name_stays_on_one_line_in_the_ranking(chromium, tmp_path):
    """The ranking's column sizes to its content, but Chinese may break between any two characters: on an
    A4 page (703 px) "青浦区行政服务中心" stood as "青浦区行" / "政服务中" / "心" beside a wide reasons column."""
    cl = load_checklist(DEFAULT_CHECKLIST)
    outcomes = []
    for i, name in enumerate(OFFICES):
        path = write(tmp_path / f"o{i}.xlsx", name, cl, i)
        outcomes.append(inputs.score_file(path))
    inputs.assign_slugs(outcomes)
    for o in outcomes:
        o.status = Status.DONE
        o.html = Path(f"{o.slug}.zh.html")
    ranking = portfolio.Portfolio(summary.portfolio_data(outcomes, "zh", True), "zh").ranking_html()
    css = (resources.files("qmskit.render.templates") / "qmskit_report" / "static" / "report.css").read_text("utf-8")
    page = chromium.new_page(viewport={"width": 703, "height": 900})
    try:
        page.set_content(f'<!doctype html><html lang="zh"><meta charset="utf-8"><style>{css}</style>'
                         f'<body><main class="qr-page">{ranking}</main></body></html>')
        for media in ("screen", "print"):
            page.emulate_media(media=media)
            names = page.evaluate(NAME_LINES_JS)
            assert sorted(n for n, _ in names) == sorted(OFFICES)
            assert [n for n in names if n[1] != 1] == [], media
    finally:
        page.close()


def write(path: Path, office: str, cl, seed: int) -> Path:
    from qmskit.io.responses import write_responses
    return write_responses(path, {**OFFICE_META, "office": office, "language": "zh"}, mixed_answers(cl, seed=seed),
                           cl, backup=False)
