"""Follow-up comparison: identical, improved and worsened assessments; refusals; JSON; CLI; HTML report."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from qmskit import load_checklist, score, write_responses
from qmskit.api import compare_files
from qmskit.cli import main
from qmskit.core.compare import ComparisonError, compare_assessments

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"
EXAMPLES = Path(__file__).parents[2] / "examples" / "gov"
BEFORE_FILE, AFTER_FILE = EXAMPLES / "moonbay-district-office-2025.xlsx", EXAMPLES / "moonbay-district-office-2026.xlsx"


def frame(answers: dict) -> pd.DataFrame:
    ids = list(answers)
    # canonical answers, as read_responses gives them: blank is None
    return pd.DataFrame({"id": ids, "answer": [answers[i] or None for i in ids], "evidence": ["e"] * len(ids),
                         "notes": [""] * len(ids), "owner": [""] * len(ids), "due": [""] * len(ids)})


# weights: 4.1-a 1 (critical), 4.1-b 3, 4.2-a 2, 5-a 2 (critical), 5-b 1
BEFORE = {"4.1-a": "no", "4.1-b": "partial", "4.2-a": "no", "5-a": "yes", "5-b": "partial"}
AFTER = {"4.1-a": "yes", "4.1-b": "partial", "4.2-a": "partial", "5-a": "no", "5-b": ""}


@pytest.fixture(scope="module")
def mini():
    return load_checklist(MINI)


def assess(cl, answers, **meta):
    return score(cl, frame(answers), {"office": "Moonbay", **meta})


def test_identical_assessments_change_nothing(mini):
    a = assess(mini, BEFORE, date="2026-01-01")
    cmp = compare_assessments(a, a)
    assert cmp.overall_change == 0 and cmp.completeness_change == 0
    assert cmp.readiness_change == "unchanged"
    assert cmp.gap_counts() == {"closed": 0, "opened": 0, "improved": 0, "worsened": 0, "unchanged": 4,
                                "unassessed": 0}
    assert (cmp.clauses["change"].fillna(0) == 0).all()
    assert cmp.notes == []


def test_improvement_with_every_gap_fate(mini):
    cmp = compare_assessments(assess(mini, BEFORE, date="2025-10-01"), assess(mini, AFTER, date="2026-10-01"))
    # before: Σwp = 0 + 1.5 + 0 + 2 + 0.5 = 4 over Σw = 9; after: 1 + 1.5 + 1 + 0 = 3.5 over 8 (5-b blank)
    assert math.isclose(cmp.before.overall, 400 / 9) and math.isclose(cmp.after.overall, 43.75)
    assert math.isclose(cmp.overall_change, 43.75 - 400 / 9)
    assert math.isclose(cmp.completeness_change, 80 - 100)
    fate = dict(zip(cmp.gaps["id"], cmp.gaps["status"]))
    assert fate == {"4.1-a": "closed", "5-a": "opened", "4.2-a": "improved", "4.1-b": "unchanged",
                    "5-b": "unassessed"}
    assert cmp.gaps["status"].tolist() == ["closed", "opened", "improved", "unchanged", "unassessed"]
    clause = cmp.clauses.set_index("clause")
    assert math.isclose(clause.loc["4.1", "change"], 100 * 2.5 / 4 - 100 * 1.5 / 4)
    assert math.isclose(clause.loc["5", "change"], 0 - 100 * 2.5 / 3)
    opened = cmp.gaps.set_index("id").loc["5-a"]
    assert (opened["severity_before"], opened["severity_after"], opened["answer_before"]) == (None, "major", "yes")


def test_worsening_is_the_mirror_image(mini):
    up = compare_assessments(assess(mini, {**BEFORE, "5-b": "yes"}), assess(mini, {**AFTER, "5-b": "yes"}))
    down = compare_assessments(up.after, up.before)
    assert math.isclose(down.overall_change, -up.overall_change)
    up_fate, down_fate = dict(zip(up.gaps["id"], up.gaps["status"])), dict(zip(down.gaps["id"], down.gaps["status"]))
    mirror = {"closed": "opened", "opened": "closed", "improved": "worsened", "unchanged": "unchanged"}
    assert {k: mirror[v] for k, v in up_fate.items()} == down_fate


def test_readiness_change(mini):
    everything = {k: "yes" for k in BEFORE}
    cmp = compare_assessments(assess(mini, {k: "no" for k in BEFORE}), assess(mini, everything))
    assert (cmp.before.readiness, cmp.after.readiness, cmp.readiness_change) == ("early_stage", "ready", "improved")
    assert compare_assessments(cmp.after, cmp.before).readiness_change == "worsened"


def test_refuses_different_offices_and_checklists_unless_forced(mini):
    a = assess(mini, BEFORE)
    b = score(mini, frame(AFTER), {"office": "Pinecrest"})
    with pytest.raises(ComparisonError, match=r"different offices: before is 'Moonbay', after is 'Pinecrest' "
                                              r"\(use --force to compare anyway\)"):
        compare_assessments(a, b)
    forced = compare_assessments(a, b, force=True)
    assert forced.forced and "compared with --force" in forced.notes[0]
    # case and spacing differences are the same office
    assert compare_assessments(a, score(mini, frame(AFTER), {"office": "  moonbay "})).notes == []
    gov = score(load_checklist("gov-office"), frame({"4.1-a": "yes"}), {"office": "Moonbay"})
    with pytest.raises(ComparisonError, match="different checklists: before uses 'mini', after uses 'gov-office'"):
        compare_assessments(a, gov)


def test_swapped_dates_are_noted(mini):
    cmp = compare_assessments(assess(mini, BEFORE, date="2026-10-01"), assess(mini, AFTER, date="2025-10-01"))
    assert any("are the files swapped" in n for n in cmp.notes)


def test_kpi_changes():
    gov = load_checklist("gov-office")
    b = score(gov, frame({"4.1-a": "yes"}), {"office": "M", "kpis": {"sat-satisfied": 85, "sat-order": 95,
                                                                       "doc-completion": 97, "sat-integrity": 99}})
    a = score(gov, frame({"4.1-a": "yes"}), {"office": "M", "kpis": {
        "sat-satisfied": 90, "sat-order": 89.99, "doc-completion": 97.5, "sat-integrity": 99,
        "sat-attitude": {"value": 92, "previous": 80}, "sat-efficiency": 70}})
    k = compare_assessments(b, a).kpis.set_index("id")
    assert k.loc["sat-satisfied", "change_kind"] == "now_met" and math.isclose(k.loc["sat-satisfied", "change"], 5)
    assert k.loc["sat-order", "change_kind"] == "now_missed" and k.loc["sat-order", "trend"] == "worsened"
    assert k.loc["doc-completion", "change_kind"] == "still_missed" and k.loc["doc-completion", "trend"] == "improved"
    assert k.loc["sat-integrity", "change_kind"] == "still_met" and k.loc["sat-integrity", "trend"] == "unchanged"
    # no value in the earlier file: the later file's 'previous' stands in
    assert k.loc["sat-attitude", "before"] == 80 and k.loc["sat-attitude", "change_kind"] == "now_met"
    assert k.loc["sat-efficiency", "change_kind"] == "newly_measured"
    assert k.loc["sat-environment", "change_kind"] == "not_measured"


def test_to_dict_is_strict_json(mini):
    doc = compare_assessments(assess(mini, BEFORE), assess(mini, AFTER)).to_dict()
    text = json.dumps(doc, allow_nan=False)
    assert set(doc) == {"office", "forced", "before", "after", "overall_change", "completeness_change", "readiness",
                        "clauses", "gap_counts", "gaps", "kpis", "notes"}
    assert [g["id"] for g in doc["gaps"]["closed"]] == ["4.1-a"]
    assert doc["gaps"]["opened"][0] == {"id": "5-a", "clause": "5", "severity_before": None, "severity_after": "major",
                                        "answer_before": "yes", "answer_after": "no", "impact_before": None,
                                        "impact_after": pytest.approx(100 * 2 / 8)}
    assert doc["clauses"][0]["clause"] == "4" and json.loads(text)["readiness"]["change"] == "unchanged"


def test_compare_files_across_formats(mini, tmp_path):
    b = write_responses(tmp_path / "b.csv", {"office": "Moonbay"}, frame(BEFORE), mini)
    a = write_responses(tmp_path / "a.yaml", {"office": "Moonbay"}, frame(AFTER), mini)
    cmp = compare_files(b, a, checklist=str(MINI))
    assert cmp.gap_counts()["closed"] == 1 and cmp.before.source == str(b)


def test_cli_json_and_errors(mini, tmp_path):
    b = write_responses(tmp_path / "b.csv", {"office": "Moonbay"}, frame(BEFORE), mini)
    a = write_responses(tmp_path / "a.csv", {"office": "Moonbay"}, frame(AFTER), mini)
    other = write_responses(tmp_path / "o.csv", {"office": "Pinecrest"}, frame(AFTER), mini)
    runner = CliRunner()
    ok = runner.invoke(main, ["compare", str(b), str(a), "--json", "--checklist", str(MINI)])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["gap_counts"]["opened"] == 1
    bad = runner.invoke(main, ["compare", str(b), str(other), "--json", "--checklist", str(MINI)])
    assert bad.exit_code == 1 and bad.output.count("\n") == 1
    assert bad.output.startswith(f"error: {other}: different offices")
    usage = runner.invoke(main, ["compare", str(b), str(a)])
    assert usage.exit_code == 2 and "give -o DIR" in usage.output
    missing = runner.invoke(main, ["compare", str(tmp_path / "nope.xlsx"), str(a), "--json"])
    assert missing.exit_code == 1 and "file not found" in missing.output


@pytest.mark.slow
@pytest.mark.browser
def test_html_report_both_languages(tmp_path, chromium, report_kernel):
    """The real notebook through papermill + nbconvert, opened in Chromium in English and Chinese; both run on
    one warm kernel handed in (wiped between them). The command's fresh kernel: tests/cli/test_cli_walkthrough."""
    from qmskit.api import build_comparison

    for lang, expect in (("en", ["Follow-up comparison", "Gaps closed", "KPI changes", "Developing → Nearly ready"]),
                         ("zh", ["跟踪对比报告", "已关闭的差距", "绩效指标变化", "建设中 → 基本具备", "一般差距"])):
        out, cmp = build_comparison(BEFORE_FILE, AFTER_FILE, tmp_path / lang, lang=lang,
                                    kernel=report_kernel)
        html = out.read_text(encoding="utf-8")
        assert "<script" not in html.lower()
        # no reference to any outside host (base64 images may contain "cdn" by chance: look at URLs only)
        assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html, re.I)
        for text in expect:
            assert text in html, (lang, text)
        page = chromium.new_page(viewport={"width": 1100, "height": 900})
        page.goto(out.as_uri())
        assert page.evaluate("document.documentElement.lang") == lang
        assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        # the chart is inline SVG (no image, no matplotlib), drawn at a readable size, its labels as text
        assert page.locator("#chart img").count() == 0
        assert page.locator("#chart svg").evaluate("svg => svg.getBoundingClientRect().width > 300")
        assert page.locator("#chart svg text", has_text="2026-10-19").count() == 1
        assert page.locator("table.qr-table").count() >= 4
        rows = page.locator("#kpis tbody tr")
        assert rows.count() == 8
        png = tmp_path / f"compare-{lang}.png"
        page.screenshot(path=str(png), full_page=True)
        assert png.stat().st_size > 50_000
        page.close()
    assert cmp.readiness_change == "improved"


def test_gov_examples_are_reproducible(tmp_path):
    """scripts/make_examples_gov.py rewrites exactly the committed examples (answers, KPIs, metadata)."""
    import importlib.util
    import warnings

    from qmskit import read_responses

    spec = importlib.util.spec_from_file_location("make_examples_gov", EXAMPLES.parent.parent / "scripts" /
                                                  "make_examples_gov.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.main(tmp_path)
    # the follow-up examples (2024 assessment, action plan, assignment) are made from the 2025/2026 files
    spec = importlib.util.spec_from_file_location("make_examples_history", EXAMPLES.parent.parent / "scripts" /
                                                  "make_examples_history.py")
    history = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(history)
    extra = history.main(tmp_path)
    committed = {p.relative_to(EXAMPLES) for p in EXAMPLES.rglob("*")
                 if p.is_file() and not p.name.endswith(".bak") and not p.name.startswith(".")}
    assert {p.relative_to(tmp_path) for p in written + extra} == committed
    from qmskit.io.actions_xlsx import read_actions
    plan = [p for p in extra if p.parent.name == "actions"][0]
    new_plan, old_plan = read_actions(plan), read_actions(EXAMPLES / "actions" / plan.name)
    words = ["requirement", "action"]  # the checklist's wording at plan time: rewording is not a regression
    pd.testing.assert_frame_equal(new_plan.plan.drop(columns=words), old_plan.plan.drop(columns=words))
    drop_hash = lambda m: {k: v for k, v in m.items() if k != "responses_sha256"}  # noqa: E731  (xlsx bytes vary)
    assert drop_hash(new_plan.meta) == drop_hash(old_plan.meta)
    assert (tmp_path / "moonbay-assign.yaml").read_text() == (EXAMPLES / "moonbay-assign.yaml").read_text()
    written += [p for p in extra if p.suffix == ".xlsx" and p.parent == tmp_path]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in written:
            meta_new, new = read_responses(path)
            meta_old, old = read_responses(EXAMPLES / path.name)
            assert meta_new == meta_old, path.name
            pd.testing.assert_frame_equal(new.drop(columns="row"), old.drop(columns="row"), check_dtype=False)
