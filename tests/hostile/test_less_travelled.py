"""Hostile use of the less-travelled commands (merge, migrate, batch folders, CSV variants): one line naming
the file, exit 1, nothing lost, no traceback (design.md "Input limits", "Writing files")."""
from __future__ import annotations

import json
import os
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


def test_a_csv_with_cr_only_line_ends_reads_like_crlf(corpus):
    """Excel for Mac's "CSV (Macintosh)" ends lines in CR alone: it was refused with Python's words ("new-line
    character seen in unquoted field - do you need to open the file in universal-newline mode?") or, with
    metadata lines, "no header row"."""
    text = "# office: Mac Office\nid,answer,evidence,notes,owner,due\n4.1-a,yes,register,,,\n4.1-b,no,,\"two\nlines\",,\n"
    results = []
    for name, ending in (("mac-cr.csv", "\r"), ("win-crlf.csv", "\r\n")):
        path = corpus / name
        path.write_bytes(text.replace("\n", ending).encode())
        run = run_cli(["score", "--json", path], cwd=corpus)
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
        data = json.loads(run.stdout)
        results.append((data["office"], data["overall"], data["completeness"], len(data["gaps"])))
    assert results[0] == results[1] and results[0][0] == "Mac Office"
    from qmskit.io.responses import read_responses
    cr, crlf = read_responses(corpus / "mac-cr.csv"), read_responses(corpus / "win-crlf.csv")
    assert cr[0] == crlf[0] and cr[1].equals(crlf[1]) and list(cr[1]["answer"]) == ["yes", "no"]


def test_an_office_named_by_its_file_name_holds_no_control_characters(corpus):
    path = corpus / "bell\x07and\x1b[31mred.csv"
    path.write_text("id,answer,evidence,notes,owner,due\n4.1-a,yes,register,,,\n", encoding="utf-8")
    from qmskit.io.responses import read_responses
    assert read_responses(path)[0]["office"] == "belland[31mred"


def test_a_batch_folder_names_every_entry_that_is_not_a_regular_file(corpus):
    """Inside a folder, a link to nothing, a FIFO, a socket or a folder named like a responses file was left
    out without a word (the portfolio silently lacked the office); each is now a failed office with its
    reason, named as found in the folder, and nothing blocks on the FIFO."""
    import socket
    folder = corpus / "odd-folder"
    folder.mkdir()
    shutil.copy(EXAMPLES / "offices" / "riverside-general-office.xlsx", folder / "riverside.xlsx")
    (folder / "moved.xlsx").symlink_to("/nowhere/moved.xlsx")
    os.mkfifo(folder / "pipe.csv")
    (folder / "sub.yaml").mkdir()
    (folder / "zero.yaml").symlink_to("/dev/zero")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.xlsx"))
    (folder / "~$riverside.xlsx").write_bytes(b"owner file")      # Excel's lock file: not an office
    (folder / ".hidden.csv").write_text("id,answer\n", encoding="utf-8")
    try:
        run = run_cli(["batch", folder, "-o", corpus / "odd-out", "--no-office-reports", "-q"], cwd=corpus)
    finally:
        sock.close()
    assert run.returncode == 1, run.stderr + run.stdout
    assert "Traceback" not in run.stderr + run.stdout
    failed = [line for line in run.stdout.splitlines() if line.startswith("FAILED ")]
    assert sorted(line.split()[1].rstrip(":").rsplit("/", 1)[-1] for line in failed) == [
        "moved.xlsx", "pipe.csv", "sock.xlsx", "sub.yaml", "zero.yaml"], failed
    assert any("named pipe" in line for line in failed) and any("device" in line for line in failed)
    assert "1 of 6 offices done" in run.stdout, run.stdout
