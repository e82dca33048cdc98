"""The internal copy's "re-run with" line is a command that works: run from the responses file's folder it
re-creates the report, with the brand file and action plan wherever they were and every option set."""
from __future__ import annotations

import html
import re
import shlex
import shutil
from pathlib import Path

from forkcli import run_qmskit

from qmskit import api
from qmskit.render.report import rerun_command

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_paths_are_relative_to_the_responses_folder_and_every_option_is_kept():
    cmd = rerun_command({"responses": "/x/clients/office.xlsx", "out_dir": "/x/reports/2026",
                         "brand": "/x/brand kit/brand.yaml", "actions": "/x/clients/plans/plan.xlsx",
                         "audience": "client", "lang": "zh", "pdf": True})
    assert shlex.split(cmd) == ["qmskit", "report", "office.xlsx", "-o", "../reports/2026",
                                "--brand", "../brand kit/brand.yaml", "--audience", "client", "--lang", "zh",
                                "--actions", "plans/plan.xlsx", "--pdf"]
    assert "--pdf" not in rerun_command({"responses": "/x/office.xlsx", "pdf": False})


def _rerun_line(page: str) -> str:
    return html.unescape(re.search(r"<code>([^<]+)</code>", page.split('id="parameters"', 1)[1]).group(1))


def test_the_line_in_a_report_recreates_it_from_the_responses_folder(tmp_path, report_kernel):
    clients, brand_dir, out = tmp_path / "clients", tmp_path / "brand kit", tmp_path / "reports"
    clients.mkdir()
    shutil.copytree(EXAMPLES / "brand", brand_dir)
    responses = shutil.copy(EXAMPLES / "offices" / "westlake-archives.xlsx", clients / "westlake.xlsx")
    first = api.build_report(responses, out, lang="en", brand=brand_dir / "brand.yaml", kernel=report_kernel)
    line = _rerun_line(first.read_text(encoding="utf-8"))
    args = shlex.split(line)
    assert args[:5] == ["qmskit", "report", "westlake.xlsx", "-o", "../reports"], line
    assert args[args.index("--brand") + 1] == "../brand kit/brand.yaml", line
    first.unlink()
    done = run_qmskit(*args[1:], cwd=clients)
    assert done.returncode == 0, done.stderr
    again = out / first.name
    assert again.exists(), done.stdout
    assert _rerun_line(again.read_text(encoding="utf-8")) == line  # the same command again
