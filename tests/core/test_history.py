"""History over three assessments: movement of findings counted by hand, trends, the HTML page, errors."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from qmskit.api import history_files
from qmskit.checklist.loader import load_checklist
from qmskit.cli import main
from qmskit.core.compare import ComparisonError
from qmskit.io.responses import write_responses

CL = "gov-office"
OFFICE = "Harbour <b>Office</b> & Co"  # markup in user text: must come out escaped


def ids():
    q = load_checklist(CL).questions
    plain = q[~q["na_allowed"].astype(bool)]
    return list(plain["id"][:6])


def write(tmp_path, name, date, answers, office=OFFICE, kpi=None):
    q = ids()
    frame = pd.DataFrame({"id": q, "answer": answers, "evidence": ["seen" if a in ("yes", "partial") else ""
                                                                    for a in answers]})
    meta = {"office": office, "date": date, "checklist": CL}
    if kpi is not None:
        meta["kpis"] = [{"id": "sat-satisfied", "value": kpi, "previous": None}]
    path = tmp_path / name
    write_responses(path, meta, frame, CL)
    return path


@pytest.fixture()
def three(tmp_path):
    #          q1     q2         q3     q4     q5         q6
    a1 = ["no", "partial", "yes", "no", "yes", "yes"]
    a2 = ["yes", "partial", "no", "yes", "yes", "no"]
    a3 = ["no", "yes", "no", "", "partial", ""]
    # given out of order: the history sorts by date
    return [write(tmp_path, "c-2026.yaml", "2026-05-01", a3, kpi=92.0),
            write(tmp_path, "a-2024.xlsx", "2024-05-01", a1, kpi=85.0),
            write(tmp_path, "b-2025.csv", "2025-05-01", a2, kpi=88.0)]


def test_movement_counted_by_hand(three):
    q1, q2, q3, q4, q5, q6 = ids()
    h = history_files(three)
    assert h.labels == ["2024-05-01", "2025-05-01", "2026-05-01"]
    t1, t2 = h.transitions
    assert sorted(t1.ids["opened"]) == sorted([q3, q6]) and t1.ids["recurring"] == []
    assert sorted(t1.ids["closed"]) == sorted([q1, q4]) and t1.ids["still_open"] == [q2]
    assert t2.ids["opened"] == [q5] and t2.ids["recurring"] == [q1]  # q1: gap 2024, closed 2025, back 2026
    assert t2.ids["closed"] == [q2] and t2.ids["still_open"] == [q3] and t2.ids["unassessed"] == [q6]
    assert t2.counts() == {"opened": 1, "recurring": 1, "closed": 1, "still_open": 1, "unassessed": 1}
    # overall per date, by hand: 100 × Σ w·p / Σ w over the answered questions
    w = load_checklist(CL).questions.set_index("id").loc[[q1, q2, q3, q4, q5, q6], "weight"].tolist()
    p = {"yes": 1, "partial": .5, "no": 0}

    def overall(answers):
        pairs = [(wi, p[a]) for wi, a in zip(w, answers) if a]
        return 100 * sum(wi * pi for wi, pi in pairs) / sum(wi for wi, _ in pairs)
    assert h.points["overall"].tolist() == pytest.approx([
        overall(["no", "partial", "yes", "no", "yes", "yes"]), overall(["yes", "partial", "no", "yes", "yes", "no"]),
        overall(["no", "yes", "no", "", "partial", ""])])
    k = h.kpis.set_index("id").loc["sat-satisfied"]
    assert [k[f"value:{d}"] for d in h.labels] == [85.0, 88.0, 92.0]
    assert [k[f"status:{d}"] for d in h.labels] == ["not_met", "not_met", "met"]
    doc = h.to_dict()
    json.dumps(doc)
    assert doc["transitions"][1]["counts"]["recurring"] == 1


def test_html_report_and_cli(three, tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["history", *map(str, three), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "2025-05-01 -> 2026-05-01: opened 1, recurring 1, closed 1, still open 1, not re-assessed 1" in res.output
    html_path = next(out.glob("*-history.en.html"))
    html = html_path.read_text(encoding="utf-8")
    # the trend chart's threshold lines carry the bands' full names; the summary's header words stay whole
    assert ">Nearly ready</text>" in html and ">nearly</text>" not in html
    assert '<table class="qr-table qr-whole-heads">' in html and ">Observations</th>" in html
    assert "table.qr-table.qr-whole-heads th, table.qr-table.qr-whole-heads td .qr-badge { overflow-wrap: normal;" in html
    assert "Harbour &lt;b&gt;Office&lt;/b&gt; &amp; Co" in html and "<b>Office</b>" not in html
    assert "<svg" in html and html.count('class="qr-trend-overall"') == 1 and "<polyline" in html
    assert "<script" not in html and not re.search(r'(src|href)="(https?:)?//', html)
    for label in ("2024-05-01", "2025-05-01", "2026-05-01", "Recurring", "KPIs against targets"):
        assert label in html
    res = CliRunner().invoke(main, ["history", *map(str, three), "-o", str(out), "--lang", "zh"])
    zh_path = html_path.with_name(html_path.name.replace(".en.html", ".zh.html"))
    assert res.exit_code == 0 and "重复出现" in zh_path.read_text(encoding="utf-8")
    assert ">基本具备</text>" in zh_path.read_text(encoding="utf-8")
    assert "Recurring" in html_path.read_text(encoding="utf-8")  # the English page is still there


def test_json_output(three):
    res = CliRunner().invoke(main, ["history", *map(str, three), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert [a["date"] for a in doc["assessments"]] == ["2024-05-01", "2025-05-01", "2026-05-01"]
    assert [t["counts"]["closed"] for t in doc["transitions"]] == [2, 1]


def test_refuses_other_offices_unless_forced(three, tmp_path):
    other = write(tmp_path, "other.yaml", "2027-01-01", ["yes"] * 6, office="Another Office")
    with pytest.raises(ComparisonError, match="different offices"):
        history_files([*three, other])
    res = CliRunner().invoke(main, ["history", *map(str, three), str(other), "--json"])
    assert res.exit_code == 1 and "Another Office" in res.output and "--force" in res.output
    assert res.output.count("\n") == 1 and "Traceback" not in res.output
    res = CliRunner().invoke(main, ["history", *map(str, three), str(other), "--json", "--force"])
    assert res.exit_code == 0 and json.loads(res.stdout)["forced"] is True


@pytest.mark.parametrize("case", ["one_file", "missing", "bad_answer"])
def test_bad_inputs(three, tmp_path, case):
    args = {"one_file": [str(three[0])], "missing": [str(three[0]), str(tmp_path / "gone.xlsx")]}.get(case)
    if case == "bad_answer":
        bad = tmp_path / "bad.csv"
        bad.write_text("# office: X\nid,answer\n4.1-a,maybe\n", encoding="utf-8")
        args = [str(three[0]), str(bad)]
    res = CliRunner().invoke(main, ["history", *args, "-o", str(tmp_path / "o")])
    assert res.exit_code in (1, 2) and "Traceback" not in res.output
    if case != "one_file":
        assert res.output.startswith("error: ") and ("gone.xlsx" in res.output or "bad.csv" in res.output)
    assert not (tmp_path / "o").exists()


def test_history_pdf(three, tmp_path):
    from qmskit.render.pdf import chromium_path
    if not chromium_path().exists():
        pytest.skip(f"PDF TEST SKIPPED: no Chromium at {chromium_path()} (make system-deps)")
    pytest.importorskip("playwright.async_api")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["history", *map(str, three), "-o", str(out), "--pdf"])
    assert res.exit_code == 0, res.output
    pdf = next(out.glob("*-history.en.pdf"))  # the language is in the name, as the HTML's
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("width", [1200, 700])
def test_summary_headers_stay_whole_in_a_browser(three, tmp_path, chromium, width):
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["history", *map(str, three), "-o", str(out)]).exit_code == 0
    page = chromium.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(next(out.glob("*-history.en.html")).as_uri())
        # one line per header: its height is one line's, however narrow the window
        heights = page.eval_on_selector_all(
            "table.qr-whole-heads th",
            "ths => ths.map(th => { const r = document.createRange(); r.selectNodeContents(th);"
            " return [th.textContent, r.getClientRects().length]; })")
        assert dict(heights)["Observations"] == 1, heights
        badges = page.eval_on_selector_all(
            "table.qr-whole-heads .qr-badge",
            "bs => bs.map(b => { const r = document.createRange(); r.selectNodeContents(b);"
            " return [b.textContent, r.getClientRects().length]; })")
        assert ["Developing", 1] in badges and all(n == 1 for _, n in badges), badges
        labels = page.eval_on_selector_all("svg text", "ts => ts.map(t => t.textContent)")
        assert "Nearly ready" in labels and "Ready for certification" in labels
        # printed on A4 (186 mm between the margins, ~703 CSS px) the content-sized table still fits the page
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 703, "height": 900})
        table, main_width = page.evaluate("[document.querySelector('table.qr-whole-heads').getBoundingClientRect()"
                                          ".width, document.querySelector('main').getBoundingClientRect().width]")
        assert table <= main_width + 0.5
    finally:
        page.close()


# ------------------------------------------------------------------- one office assessed twice on one date
def test_the_same_file_twice_is_one_assessment_not_a_history(three, tmp_path):
    a = str(three[1])
    res = CliRunner().invoke(main, ["history", a, a, "-o", str(tmp_path / "o")])
    assert res.exit_code == 1 and res.output.count("\n") == 1 and "Traceback" not in res.output
    assert res.output == ("error: a-2024.xlsx: one and the same assessment given more than once; a history needs "
                          "two or more different assessments of the office\n")
    assert not (tmp_path / "o").exists()
    res = CliRunner().invoke(main, ["history", a, a, "--json", "--lang", "zh"])
    assert res.exit_code == 1 and "同一份评估被重复给出" in res.output and "a-2024.xlsx" in res.output


def test_a_file_given_again_or_a_copy_counts_once_with_a_note(three, tmp_path):
    import shutil
    copy = tmp_path / "copy-of-a.xlsx"
    shutil.copy(three[1], copy)
    res = CliRunner().invoke(main, ["history", str(three[1]), str(three[2]), str(three[1]), str(copy), "--json"])
    assert res.exit_code == 0, res.output
    assert [p["date"] for p in json.loads(res.stdout)["assessments"]] == ["2024-05-01", "2025-05-01"]
    assert res.stderr.splitlines() == [
        "note: a-2024.xlsx is given more than once: counted once",
        "note: copy-of-a.xlsx is the same assessment as a-2024.xlsx (office, date, answers and evidence all alike): "
        "counted once"]
    h = history_files([three[1], copy, three[2]])
    assert len(h.assessments) == 2 and h.labels == ["2024-05-01", "2025-05-01"]


def test_two_different_assessments_of_one_date_are_refused_unless_forced(three, tmp_path):
    other = write(tmp_path, "a-2024-v2.csv", "2024-05-01", ["yes"] * 6)  # same office, same day, other answers
    with pytest.raises(ComparisonError, match="different assessments dated 2024-05-01"):
        history_files([*three, other])
    res = CliRunner().invoke(main, ["history", *map(str, three), str(other), "--json"])
    assert res.exit_code == 1 and res.output.count("\n") == 1 and "Traceback" not in res.output
    assert res.output == (f"error: {OFFICE} has different assessments dated 2024-05-01 (a-2024.xlsx, a-2024-v2.csv): "
                          "a history has one per date; leave out all but the right one, or correct its date "
                          "(use --force to build the history anyway)\n")
    res = CliRunner().invoke(main, ["history", *map(str, three), str(other), "--json", "--force"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [p["label"] for p in doc["assessments"]] == ["2024-05-01", "2024-05-01 (2)", "2025-05-01", "2026-05-01"]
    assert doc["forced"] is True and any("2024-05-01" in n and "kept with --force" in n for n in doc["notes"])
    assert "kept with --force" in res.stderr
