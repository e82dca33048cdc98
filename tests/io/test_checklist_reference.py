"""What a written responses file names as its checklist: the id of a bundled one; a checklist file's path
otherwise, relative to the written file's folder when it lies under it. A template made from a checklist
file recorded only its id ("mini-m"), which a later `qmskit score` could not find, in a line naming no
file (found by a hostile-file session)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import qmskit
from qmskit.errors import ResponsesError
from qmskit.io.responses import checklist_reference

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"


def _template(cl, out: Path) -> Path:
    qmskit.write_responses(out, {"office": "T"}, pd.DataFrame({"id": cl.questions["id"]}), cl, backup=False)
    return out


def test_a_checklist_file_beside_the_workbook_is_named_by_its_relative_path(tmp_path, monkeypatch):
    shutil.copy(MINI, tmp_path / "mine.yaml")
    cl = qmskit.load_checklist(tmp_path / "mine.yaml")
    (tmp_path / "sub").mkdir()
    shutil.copy(MINI, tmp_path / "sub" / "mine.yaml")
    assert checklist_reference(qmskit.load_checklist(tmp_path / "sub" / "mine.yaml"), tmp_path / "x.xlsx") == \
        "sub/mine.yaml"
    out = _template(cl, tmp_path / "t.xlsx")
    monkeypatch.chdir("/")
    meta, frame = qmskit.read_responses(out)
    assert Path(meta["checklist"]) == (tmp_path / "mine.yaml").resolve() and len(frame) == len(cl.questions)


def test_a_bundled_checklist_is_named_by_its_id_and_one_elsewhere_by_its_absolute_path(tmp_path):
    assert checklist_reference(qmskit.load_checklist("iso9001-2015"), tmp_path / "x.xlsx") == "iso9001-2015"
    (tmp_path / "out").mkdir()
    assert checklist_reference(qmskit.load_checklist(MINI), tmp_path / "out" / "x.xlsx") == str(MINI.resolve())


@pytest.mark.parametrize("name", ["mini-m", "nosuch"])
def test_an_unknown_checklist_id_in_a_file_is_said_of_that_file(tmp_path, name):
    path = tmp_path / "office.csv"
    path.write_text(f"# checklist: {name}\nid,answer,evidence,notes,owner,due\n4.1-a,yes,x,,,\n", encoding="utf-8")
    with pytest.raises(ResponsesError) as err:
        qmskit.read_responses(path)
    said = str(err.value)
    assert said.startswith(f"{path}:checklist: unknown checklist '{name}'") and "--checklist FILE" in said
