"""Hostile use of the less-travelled commands (merge, migrate, batch folders, CSV variants): one line naming
the file, exit 1, nothing lost, no traceback (design.md "Input limits", "Writing files")."""
from __future__ import annotations

import shutil
from pathlib import Path

from harness import corpus, run_cli  # noqa: F401  (corpus is a fixture)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_merge_into_one_of_its_parts_is_refused_and_writes_nothing(corpus):
    folder = corpus / "merge-self"
    folder.mkdir()
    a, b = folder / "a.yaml", folder / "b.yaml"
    a.write_text("office: X\nresponses:\n- {id: 4.1-a, answer: yes}\n", encoding="utf-8")
    b.write_text("office: X\nresponses:\n- {id: 4.1-b, answer: no}\n", encoding="utf-8")
    (folder / "link.yaml").symlink_to("b.yaml")
    before = {p.name: p.read_bytes() for p in (a, b)}
    for output in (a, folder / "link.yaml"):
        run_cli(["merge", a, b, "-o", output], cwd=folder).assert_one_line_error(output.name, "would replace one of the parts")
    assert {p.name: p.read_bytes() for p in (a, b)} == before
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["a.yaml", "b.yaml", "link.yaml"]
    run = run_cli(["merge", a, b, "-o", folder / "merged.yaml"], cwd=folder)
    assert run.returncode == 0, run.stderr


def test_migrate_errors_from_the_core_name_the_file(corpus):
    old = corpus / "pinecrest-old.xlsx"
    shutil.copy(EXAMPLES / "gov" / "pinecrest-2012-iso9001-2008.xlsx", old)
    run_cli(["migrate", old, "--from", "iso9001-2008-legacy", "--to", "iso9001-2008-legacy", "-o", corpus / "m.xlsx"],
            cwd=corpus).assert_one_line_error("pinecrest-old.xlsx: ", "nothing to migrate")
    assert not (corpus / "m.xlsx").exists()
