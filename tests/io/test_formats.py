"""Formats offices actually use: LibreOffice .ods (read and written), CSV saved by Chinese Excel (GBK)."""
from __future__ import annotations

import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from qmskit.cli import main
from qmskit.io.responses import read_responses, write_responses

ROOT = Path(__file__).resolve().parents[2]
GOV = ROOT / "examples" / "gov"
COLS = ["id", "answer", "evidence", "notes", "owner", "due"]


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a[COLS].astype(str).reset_index(drop=True), b[COLS].astype(str).reset_index(drop=True))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ods_round_trip(tmp_path, lang):
    meta, frame = read_responses(GOV / "moonbay-district-office-2026.xlsx")
    frame.loc[0, "evidence"] = '=HYPERLINK("http://x")'  # text stays text
    frame.loc[1, "notes"] = "+1 first line\nsecond line"
    out = tmp_path / "moonbay.ods"
    write_responses(out, meta, frame.drop(columns="row"), meta["checklist"], lang=lang)
    with zipfile.ZipFile(out) as zf:
        assert zf.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    meta2, frame2 = read_responses(out)
    same(frame, frame2)
    assert {k: v for k, v in meta2.items() if meta.get(k) != v} == {}


def test_template_and_score_ods(tmp_path):
    out = tmp_path / "new.ods"
    res = CliRunner().invoke(main, ["template", "gov-office", "--office", "Lakeside", "--lang", "zh", "-o", str(out)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["score", str(out), "--json"])
    assert res.exit_code == 0 and '"office": "Lakeside"' in res.output


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_saved_ods_reads_like_the_xlsx(tmp_path):
    src = GOV / "moonbay-district-office-2026.xlsx"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "ods", "--outdir", str(tmp_path), str(src)], check=True, timeout=180, capture_output=True)
    meta, frame = read_responses(src)
    meta2, frame2 = read_responses(tmp_path / "moonbay-district-office-2026.ods")
    same(frame, frame2)
    assert meta2["office"] == meta["office"] and meta2["kpis"] == meta["kpis"]


@pytest.mark.parametrize("case", ["not_zip", "no_content", "dtd", "repeat_bomb"])
def test_bad_ods_is_one_line(tmp_path, case):
    path = tmp_path / "bad.ods"
    if case == "not_zip":
        path.write_text("hello")
    else:
        body = {"no_content": None,
                "dtd": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
                "repeat_bomb": b'<office:document-content><table:table-row table:number-rows-repeated="9000000">'
                               b'<table:table-cell><text:p>x</text:p></table:table-cell></table:table-row>'}[case]
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            if body is not None:
                zf.writestr("content.xml", body)
    res = CliRunner().invoke(main, ["score", str(path)])
    assert res.exit_code == 1 and res.output.startswith(f"error: {path}") and res.output.count("\n") == 1
    assert "Traceback" not in res.output


def test_gbk_csv_from_chinese_excel_is_read(tmp_path):
    meta, frame = read_responses(GOV / "silverbrook-county-office.yaml")
    utf8 = tmp_path / "utf8.csv"
    write_responses(utf8, meta, frame.drop(columns="row"), meta["checklist"])
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(utf8.read_text(encoding="utf-8").encode("gbk"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        meta2, frame2 = read_responses(gbk)
    same(frame, frame2)
    assert meta2["office"] == meta["office"] and "银溪县" in meta2["office"]
    assert any("GBK/GB18030" in str(w.message) and "CSV UTF-8" in str(w.message) for w in caught)
    res = CliRunner().invoke(main, ["score", str(gbk)])
    assert res.exit_code == 0 and "warning:" in res.output and "GBK" in res.output


def test_undecodable_csv_is_refused_with_the_hint(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"# office: X\nid,answer\n4.1-a,yes\xff\xfe\n")
    res = CliRunner().invoke(main, ["score", str(bad)])
    assert res.exit_code == 1 and res.output.count("\n") == 1
    assert str(bad) in res.output and "CSV UTF-8" in res.output and "Traceback" not in res.output
