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
