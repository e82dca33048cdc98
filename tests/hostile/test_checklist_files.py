"""Hostile checklist YAML given to `qmskit validate` (and through `--checklist` to `score`): one line naming
the file, exit 1, no traceback, bounded memory (design.md "Input limits")."""
from __future__ import annotations

from pathlib import Path

import pytest
from harness import corpus, run_cli  # noqa: F401  (corpus is a fixture)

BUNDLED = Path(__file__).resolve().parents[2] / "checklists" / "iso9001-2015.yaml"


def _variant(corpus: Path, name: str, old: str, new: str) -> Path:
    text = BUNDLED.read_text(encoding="utf-8")
    assert old in text
    path = corpus / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, where", [
    ("weight: 2", "weight: .nan", "questions[0].weight"),
    ("weight: 2", "weight: .inf", "questions[0].weight"),
    ("scale: compliance", "scale: compliance\nthresholds: {ready_min: .nan}", "thresholds.ready_min"),
])
def test_a_number_that_is_not_finite_is_refused(corpus, old, new, where):
    """YAML's .nan and .inf pass a JSON schema's "> 0" (JSON has no such numbers): a weight of .nan validated
    "OK" and then scored every answered question as unanswered ("overall n/a"), and .inf printed numpy's
    "invalid value encountered in matmul"."""
    path = _variant(corpus, f"nonfinite-{abs(hash(new))}.yaml", old, new)
    run_cli(["validate", path], cwd=corpus).assert_one_line_error(path.name, where, "must be a finite number")
    responses = corpus / "nonfinite-responses.csv"
    responses.write_text("id,answer,evidence,notes,owner,due\n4.1-a,yes,register,,,\n", encoding="utf-8")
    run_cli(["score", "--checklist", path, responses], cwd=corpus).assert_one_line_error(
        path.name, "must be a finite number")


def test_a_profiles_kpi_target_that_is_not_finite_is_refused(corpus):
    path = corpus / "kpi-nan.yaml"
    path.write_text('id: p\nversion: "1"\ntitle: {en: a, zh: b}\nextends: gov-office\nkpis:\n  - id: sat-satisfied\n'
                    '    name: {en: a, zh: b}\n    unit: "%"\n    target: .nan\n    direction: higher\n', encoding="utf-8")
    run_cli(["validate", path], cwd=corpus).assert_one_line_error("kpi-nan.yaml", "line 9", "kpis[0].target",
                                                                  "finite")


LOWERED = "thresholds: {ready_min: 40, nearly_ready_min: 30, developing_min: 20}"


def test_a_checklist_posing_as_a_bundled_one_is_refused(corpus):
    """A file beside an office's answers that names itself iso9001-2015 at the bundled version, with "ready"
    lowered to 40, made the office "Ready for certification" while the JSON said only "iso9001-2015
    2015+A1:2024" (a hostile-file session). Such a file is refused; an exact copy, or one with an id of its
    own, is read."""
    folder = corpus / "posing"
    folder.mkdir(exist_ok=True)
    responses = folder / "office.csv"
    responses.write_text("# checklist: iso9001-2015.yaml\nid,answer,evidence,notes,owner,due\n4.1-a,partial,,,,\n",
                         encoding="utf-8")
    posing = _variant(folder, "iso9001-2015.yaml", "scale: compliance", "scale: compliance\n" + LOWERED)
    run_cli(["score", responses], cwd=folder).assert_one_line_error(
        "iso9001-2015.yaml", "calls itself 'iso9001-2015'", "differs")
    posing.write_text(BUNDLED.read_text(encoding="utf-8"), encoding="utf-8")  # an exact copy
    assert run_cli(["score", responses], cwd=folder).returncode == 0
    own = _variant(folder, "iso9001-2015.yaml", "scale: compliance", "scale: compliance\n" + LOWERED)
    own.write_text(own.read_text(encoding="utf-8").replace("id: iso9001-2015", "id: our-iso9001", 1), encoding="utf-8")
    assert run_cli(["score", responses], cwd=folder).returncode == 0


def test_what_a_named_checklist_extends_obeys_the_same_folder_rule(corpus, tmp_path_factory):
    """A responses file may name a checklist beside it; that checklist's ``extends: /elsewhere/x.yaml`` had
    qmskit parse any file and echo its content in the error lines (a hostile-file session). The base is
    refused unopened; a base beside it, or a bundled id, is used."""
    outside = tmp_path_factory.mktemp("outside") / "secret.yaml"
    outside.write_text("SECRET-KEY-X: 1\nid: SECRET-ID-1\n", encoding="utf-8")
    folder = corpus / "bases"
    folder.mkdir(exist_ok=True)
    profile = folder / "profile.yaml"
    head = 'id: my-profile\nversion: "1"\ntitle: {en: P, zh: 配置}\nextends: '
    profile.write_text(head + f"{outside}\n", encoding="utf-8")
    responses = folder / "office.csv"
    responses.write_text("# checklist: profile.yaml\nid,answer,evidence,notes,owner,due\n4.1-a,yes,register,,,\n",
                         encoding="utf-8")
    result = run_cli(["score", responses], cwd=folder)
    result.assert_one_line_error("office.csv", "profile.yaml", "secret.yaml", "not opened")
    assert "SECRET" not in result.stderr
    (folder / "base.yaml").write_text(BUNDLED.read_text(encoding="utf-8").replace(
        "id: iso9001-2015", "id: our-base", 1), encoding="utf-8")
    for base in ("base.yaml", "iso9001-2015"):
        profile.write_text(head + f"{base}\n", encoding="utf-8")
        assert run_cli(["score", responses], cwd=folder).returncode == 0, base
