"""`qmskit batch` given one office twice never drops one silently and never puts one office's report over
another's: the same file named twice (or through a link, or a copy of it) is one report with a note naming
both; two different assessments of one office dated the same day both fail, each line naming both files,
and neither is in the portfolio's ranking (one of them would be a wrong verdict)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from qmskit.batch import inputs
from qmskit.batch.runner import run_batch
from qmskit.checklist.loader import load_checklist
from qmskit.core.assessment import same_day
from qmskit.io.responses import write_responses

pytestmark = pytest.mark.slow
CL = "gov-office"


def write(path: Path, office: str, date: str, answers: list[str]) -> Path:
    q = load_checklist(CL).questions
    ids = list(q[~q["na_allowed"].astype(bool)]["id"][: len(answers)])
    frame = pd.DataFrame({"id": ids, "answer": answers, "evidence": ["seen" if a == "yes" else "" for a in answers]})
    write_responses(path, {"office": office, "date": date, "checklist": CL}, frame, CL)
    return path


@pytest.fixture()
def files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    east = write(folder / "east.xlsx", "East Office", "2025-03-01", ["yes", "no", "yes", "partial"])
    shutil.copy(east, folder / "east-copy.xlsx")
    os.symlink(east.name, folder / "east-link.xlsx")
    west = write(folder / "west.xlsx", "West Office", "2025-03-02", ["yes", "yes", "no", "no"])
    # West again on the same day with other answers (a corrected version? the first draft?)
    west2 = write(folder / "west-v2.csv", "West Office", "2025-03-02", ["yes", "yes", "yes", "no"])
    north = write(folder / "north.yaml", "North Office", "2025-03-03", ["no", "no", "yes", "yes"])
    return {"east": east, "west": west, "west2": west2, "north": north, "folder": folder}


def test_a_file_named_twice_or_through_a_link_is_one_office_with_a_note(files):
    east = files["east"]
    found = inputs.gather_inputs([east, str(east), files["folder"] / "east-link.xlsx", files["north"]])
    assert found.files == [east.resolve(), files["north"].resolve()]
    notes = [str(n) for n in found.notes()]
    assert notes == [f"{east} is named more than once: one report, from that file",
                     f"{files['folder'] / 'east-link.xlsx'} is the same file as {east} (a link to it, or the same "
                     f"file by another path): one report, from {east}"]


def test_same_day_tells_copies_from_different_assessments(files):
    from qmskit.api import read_and_score
    a = [read_and_score(files[k]) for k in ("east", "west", "west2", "north")]
    a.insert(1, read_and_score(files["folder"] / "east-copy.xlsx"))
    groups = same_day(a)
    assert [(g.office, g.date, g.members, g.copies, g.conflicting) for g in groups] == [
        ("East Office", "2025-03-01", [0, 1], [(1, 0)], []),
        ("West Office", "2025-03-02", [2, 3], [], [2, 3])]


def test_batch_reports_each_office_once_and_refuses_a_day_assessed_twice(files, tmp_path):
    out = tmp_path / "out"
    folder = files["folder"]
    result = run_batch([folder, files["east"]], out, workers=1, progress=False)  # the folder has east twice more
    assert result.exit_code == 1
    lines = result.summary_lines()
    east, copy, link = (str(folder / n) for n in ("east.xlsx", "east-copy.xlsx", "east-link.xlsx"))
    west, west2 = str(files["west"]), str(files["west2"])
    notes = [line for line in lines if line.startswith("note: ")]
    # the folder lists east-copy, east-link, east (sorted), then east is named again: the link comes first
    assert notes[:2] == [f"note: {east} is the same file as {link} (a link to it, or the same file by another "
                         f"path): one report, from {link}"] * 2
    assert notes[2] == (f"note: {east} holds the same assessment as {copy} (office, date, answers and evidence "
                        f"all alike): left out, one report from {copy}")
    failed = [line for line in lines if line.startswith("FAILED")]
    assert sorted(failed) == sorted(
        f"FAILED {path}: West Office has different assessments dated 2025-03-02 in {west2}, {west}: no report for any "
        "of them, since all but one would be wrong; leave out all but the right one, or correct its date"
        for path in (west, west2))
    assert sorted(p.name for p in out.glob("*.html")) == ["east-office.en.html", "index.html", "north-office.en.html"]
    assert not list(out.glob(".qmskit-pending-*"))
    scores = pd.read_csv(out / "scores.csv", encoding="utf-8-sig")
    assert scores["office"].tolist() == ["East Office", "North Office"]  # each once, West in neither place
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "west-v2.csv" in index and "west.xlsx" in index          # the portfolio lists both as failed
    assert "east-copy.xlsx" not in index and "East Office (" not in index  # East once, not told apart as two
    zh = result.summary_lines("zh")
    assert sum(line.startswith("说明：") for line in zh) == 3
    assert sum(line.startswith("失败：") and west in line and west2 in line for line in zh) == 2
