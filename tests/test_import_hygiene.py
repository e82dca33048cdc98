"""What each fast path imports, pinned in fresh interpreters (issue 15: start-up is mostly imports).

`qmskit --version` imports neither click nor pandas; `qmskit --help` imports click but no command module;
reading a workbook never imports openpyxl (python-calamine reads, openpyxl only writes); `qmskit score`
imports none of the report, notebook or schema stacks (jsonschema pulls in rfc3987_syntax, which builds
lark grammars at import). No wall-clock figure is asserted: only which modules got loaded.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "offices" / "eastport-civil-affairs.xlsx"
COMMAND_MODULES = ["qmskit.cli.core", "qmskit.cli.template", "qmskit.cli.batch", "qmskit.cli.followup", "qmskit.cli.report",
                   "qmskit.cli.lifecycle"]
# never wanted on the read-and-score path
REPORT_STACK = ["openpyxl", "jsonschema", "rfc3987_syntax", "nbformat", "nbclient", "nbconvert", "papermill",
                "matplotlib", "jinja2", "IPython", "jupyter_client", "dask", "numpy.char"]


def loaded_after(code: str, watch: list[str], cwd: Path = ROOT) -> dict:
    """Run ``code`` in a fresh interpreter; which of ``watch`` it left in sys.modules, and its stdout."""
    script = ("import sys, json, io, contextlib\nout = io.StringIO()\nwith contextlib.redirect_stdout(out):\n"
              + "".join(f"    {line}\n" for line in code.splitlines())
              + f"print(json.dumps({{'loaded': [m for m in {watch!r} if m in sys.modules], "
                "'stdout': out.getvalue()}))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=str(cwd),
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def console_script(*args: str) -> str:
    """What the `qmskit` console script runs (pyproject: qmskit.cli.entry:run) with ``args``."""
    return (f"sys.argv = ['qmskit', *{list(args)!r}]\nfrom qmskit.cli.entry import run\n"
            "try:\n    run()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code")


def test_version_imports_neither_click_nor_pandas():
    got = loaded_after(console_script("--version"), ["click", "pandas", "numpy", "rich", "qmskit.cli.app",
                                                     *COMMAND_MODULES])
    assert got["loaded"] == []
    assert got["stdout"] == "qmskit, version 0.1.0\n"


def test_help_lists_every_command_without_importing_one():
    got = loaded_after(console_script("--help"), ["pandas", "numpy", "rich", "yaml", *COMMAND_MODULES])
    assert got["loaded"] == []
    from qmskit.cli.app import COMMANDS
    listed = got["stdout"].split("Commands:")[1].split()
    assert [name for name in COMMANDS if name in listed] == sorted(COMMANDS)


def test_a_command_imports_only_its_own_module():
    got = loaded_after(console_script("checklists", "--help"), COMMAND_MODULES)
    assert got["loaded"] == ["qmskit.cli.core"]


def test_the_command_table_matches_the_commands():
    """COMMANDS (what --help lists without importing) names each command's module exactly, and each command's
    help is the catalog key the listing says without loading it (``cli.help.<name>``)."""
    import importlib

    from qmskit.cli.app import COMMANDS
    real = click.Group("real")
    for module in sorted({lazy.module for lazy in COMMANDS.values()}):
        before = set(real.commands)
        importlib.import_module(module).register(real)
        for name in set(real.commands) - before:
            assert COMMANDS[name].module == module, name
    assert set(real.commands) == set(COMMANDS)
    for name, cmd in real.commands.items():
        assert cmd.help == f"cli.help.{name}", name


def test_cli_help_is_the_same_whether_or_not_commands_are_loaded():
    from click.testing import CliRunner

    from qmskit.cli import main
    lazy = CliRunner().invoke(main, ["--help"], terminal_width=100)
    for name in main.list_commands(None):  # type: ignore[arg-type]
        main.get_command(None, name)  # type: ignore[arg-type]
    loaded = CliRunner().invoke(main, ["--help"], terminal_width=100)
    assert lazy.exit_code == loaded.exit_code == 0
    assert lazy.output == loaded.output
    assert "validate-responses" in lazy.output


def test_reading_a_workbook_uses_calamine_not_openpyxl():
    got = loaded_after("import warnings\nwarnings.simplefilter('ignore')\n"
                       "from qmskit.io.responses import read_responses\n"
                       f"meta, frame = read_responses({str(EXAMPLE)!r})\nprint(len(frame))",
                       ["python_calamine", *REPORT_STACK])
    assert got["loaded"] == ["python_calamine"]
    assert int(got["stdout"]) > 50


@pytest.mark.parametrize("extra", [[], ["--json"]], ids=["table", "json"])
def test_score_command_loads_no_report_or_schema_stack(extra):
    got = loaded_after(console_script("score", str(EXAMPLE), *extra),
                       [*REPORT_STACK, "qmskit.core.compare", "qmskit.core.history", "qmskit.core.migrate",
                        "qmskit.checklist.crosswalk", "qmskit.core.reassess", "qmskit.render"])
    assert got["loaded"] == []
    assert "eastport" in got["stdout"].lower()


def test_writing_a_workbook_still_uses_openpyxl(tmp_path):
    got = loaded_after(f"from qmskit.checklist.loader import load_checklist\n"
                       f"from qmskit.io.responses import write_responses\nimport pandas as pd\n"
                       f"cl = load_checklist('iso9001-2015')\n"
                       f"write_responses({str(tmp_path / 'new.xlsx')!r}, {{'office': 'x'}}, "
                       f"pd.DataFrame({{'id': cl.questions['id'], 'answer': 'yes'}}), cl)",
                       ["openpyxl"])
    assert got["loaded"] == ["openpyxl"]
    assert (tmp_path / "new.xlsx").stat().st_size > 0


def test_console_script_tunes_the_collector_only_in_its_own_process():
    """Importing qmskit (or its console-script module) leaves the caller's collector alone; the console
    script raises the youngest generation's threshold and freezes what is left when the command ends."""
    script = ("import gc, json, sys\nbefore = gc.get_threshold()\nimport qmskit, qmskit.cli, qmskit.cli.entry\n"
              "imported = gc.get_threshold()\nsys.argv = ['qmskit', '--version']\nqmskit.cli.entry.run()\n"
              "print(json.dumps([before, imported, gc.get_threshold(), gc.get_freeze_count()]))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    before, imported, after, frozen = json.loads(proc.stdout.splitlines()[-1])
    assert imported == before
    from qmskit.config import GC_GEN0_THRESHOLD
    assert after == [GC_GEN0_THRESHOLD, *before[1:]]
    assert frozen > 0
