"""Large but legal user text through every output (design.md "Input limits"): cells at 10,000 characters
(Chinese without a single space, ASCII without a break), owners and an office name far longer than any
file name, the office name carrying path separators, "..", an RTL override and terminal escapes. Every
command exits 0 within the memory bound, writes inside its output folder under a plain file name, prints
nothing that acts on a terminal, and loses none of the text (gaps.csv holds every evidence cell whole).

The PDF of such a report was checked by hand (tests/browser has the page-width check): 1,867 pages, 262 MB,
no box wider than the page. Not run here: printing it costs Chromium minutes of CPU."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from harness import corpus, run_cli  # noqa: F401  (corpus is a fixture)

pytestmark = pytest.mark.slow

ZH = ("质量管理体系审核证据" * 1000)[:9999] + "\U0001F600"       # 10,000 characters, no space, one emoji
EN = ("NoSpacesAtAllEvidenceRef" * 500)[:10_000]
OFFICE = "../../etc/" + ("华南区域质量管理办公室" * 60) + "\x1b[31mRED\x1b[0m \u202egnp.exe/..\\evil"


@pytest.fixture(scope="module")
def offices(tmp_path_factory) -> tuple[Path, Path]:
    import qmskit
    from qmskit.io.responses import write_responses
    cl = qmskit.load_checklist("iso9001-2015")
    folder = tmp_path_factory.mktemp("large-text")
    n = len(cl.questions)

    def frame(answers):
        f = cl.questions[["id"]].copy()
        f["answer"] = answers
        f["evidence"] = [ZH if i < 60 else "" for i in range(n)]
        f["notes"] = [EN if 60 <= i < 120 else "" for i in range(n)]
        f["owner"] = ["负责人" * 300] * n         # 900 characters
        f["due"] = "2025-06-30"
        return f

    before, after = folder / "before.xlsx", folder / "after.xlsx"
    write_responses(before, {"office": OFFICE, "date": "2024-01-10"}, frame("no"), cl, backup=False)
    write_responses(after, {"office": OFFICE, "date": "2024-07-10"},
                    frame((["partial", "no", "yes"] * n)[:n]), cl, backup=False)
    return before, after


def _plain_outputs(folder: Path) -> list[Path]:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert files, folder
    for p in files:
        assert p.resolve().parent == folder.resolve(), p          # nothing written outside the folder
        assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u202e\\" for ch in p.name), p.name
        assert len(p.name.encode()) < 255, p.name
    return files


def _ok(run) -> None:
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    for stream in (run.stdout, run.stderr):
        assert "\x1b" not in stream and "\x9b" not in stream and "\u202e" not in stream
    assert run.peak_mb <= 500, run.peak_mb


def test_report_compare_history(offices, tmp_path):
    before, after = offices
    for args, folder in ((["report", after], "report"), (["compare", before, after], "compare"),
                         (["history", before, after], "history")):
        run = run_cli([*args, "-o", tmp_path / folder], cwd=tmp_path)
        _ok(run)
        (html,) = _plain_outputs(tmp_path / folder)
        text = html.read_text(encoding="utf-8")
        assert "\x1b" not in text and "<script>alert" not in text
    report = next((tmp_path / "report").glob("*.html")).read_text(encoding="utf-8")
    assert ZH in report and EN in report       # shown whole, not cut


def test_same_file_twice(offices, tmp_path):
    before, _ = offices
    run = run_cli(["compare", before, before, "-o", tmp_path / "c"], cwd=tmp_path)
    _ok(run)
    assert "same file" in run.stderr + run.stdout
    run = run_cli(["batch", before, before, "-o", tmp_path / "b", "--quiet", "--no-office-reports"], cwd=tmp_path)
    _ok(run)
    with open(tmp_path / "b" / "scores.csv", encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 1    # one office, once


def test_batch_gaps_csv_and_actions(offices, tmp_path):
    before, after = offices
    run = run_cli(["batch", before, after, "-o", tmp_path / "out", "--quiet"], cwd=tmp_path)
    _ok(run)
    files = _plain_outputs(tmp_path / "out")
    assert len([p for p in files if p.suffix == ".html"]) == 3     # two reports and the portfolio
    with open(tmp_path / "out" / "gaps.csv", encoding="utf-8-sig", newline="") as fh:
        evidence = [row.get("evidence seen", "") for row in csv.DictReader(fh)]
    assert evidence.count(ZH) >= 60             # every 10,000-character cell, whole
    plan = tmp_path / "plan.xlsx"
    _ok(run_cli(["actions", "plan", after, "-o", plan], cwd=tmp_path))
    status = run_cli(["actions", "status", plan], cwd=tmp_path)
    _ok(status)   # the office's RTL override reached the status table raw (and both --json outputs below)
    assert "\\u202egnp" in status.stdout
    for args in (["actions", "status", "--json", plan], ["history", "--json", before, after]):
        as_json = run_cli(args, cwd=tmp_path)
        _ok(as_json)
        json.loads(as_json.stdout)
        assert "\\u202egnp" in as_json.stdout    # the same value, written as a JSON escape
