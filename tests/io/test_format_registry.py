"""Responses formats live in one registry by suffix: reading, writing and the form's path check share it,
and a format registered there is used by read_responses and write_responses like the built-in ones."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import qmskit
from qmskit.errors import ResponsesError
from qmskit.io import iorw, responses
from qmskit.io.responses import FORMATS, ResponsesFormat, format_for, read_responses, register_format, write_responses

ISO = qmskit.load_checklist("iso9001-2015")


def test_the_built_in_formats_by_suffix():
    assert FORMATS == (".xlsx", ".ods", ".csv", ".yaml", ".yml")
    assert {s: format_for(Path(f"o{s}")).name for s in FORMATS} == {
        ".xlsx": "xlsx", ".ods": "ods", ".csv": "csv", ".yaml": "yaml", ".yml": "yaml"}
    assert format_for("O.XLSX").name == "xlsx"  # suffixes are matched case-insensitively
    assert format_for("o.xlsx").sheets and not format_for("o.csv").sheets


def test_an_unknown_suffix_is_one_line_naming_the_file(tmp_path):
    with pytest.raises(ResponsesError) as err:
        format_for(tmp_path / "office.txt")
    assert str(err.value).startswith(str(tmp_path / "office.txt"))
    assert "unsupported file type '.txt' (expected one of: .xlsx, .ods, .csv, .yaml, .yml)" in str(err.value)


def _read_json(path: Path, strict: bool) -> tuple[dict, pd.DataFrame]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["meta"], pd.DataFrame(data["responses"], dtype=object)


def _write_json(path, meta, frame, cl, lang, backup, into_existing) -> None:
    iorw.write_text(path, json.dumps({"meta": meta, "responses": frame.to_dict("records")}, ensure_ascii=False),
                    backup=backup, lock=True)


def test_a_registered_format_reads_writes_and_scores(tmp_path, monkeypatch):
    monkeypatch.setattr(responses, "_REGISTRY", dict(responses._REGISTRY))  # leave the real table as it was
    register_format(ResponsesFormat("json", (".json",), _read_json, _write_json))
    path = tmp_path / "office.json"
    frame = pd.DataFrame([{"id": ISO.questions["id"].iloc[0], "answer": "yes", "evidence": "手册 v3",
                           "notes": "", "owner": "", "due": ""}])
    write_responses(path, {"office": "Lakeside", "date": "2026-11-01"}, frame, ISO)
    meta, back = read_responses(path)
    assert meta["office"] == "Lakeside" and meta["checklist"] == ISO.id
    assert back.loc[0, "answer"] == "yes" and back.loc[0, "evidence"] == "手册 v3"
    scored = qmskit.score(ISO, back)
    assert scored.started and len(scored.unanswered) == len(ISO.questions) - 1
