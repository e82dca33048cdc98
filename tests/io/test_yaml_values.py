"""A YAML responses file is what people typed: a list or mapping where one value belongs (``owner: [HR,
Admin]``) and a tag that makes a value something else (``!!timestamp x``, ``!!binary``, ``!!set``) are one line
naming the file, the line and the key or tag, never an internal error, never text such as "['minutes 2024']"."""
from __future__ import annotations

from pathlib import Path

import pytest
from forkcli import run_qmskit

import qmskit
from qmskit.io.responses import read_responses

DATA = Path(__file__).parents[1] / "data"


def write(tmp_path: Path, text: str, name: str = "o.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("field", ["id", "answer", "evidence", "notes", "owner", "due"])
@pytest.mark.parametrize("value", ["[HR, Admin]", "[minutes 2024]", "{dept: HR}", "[]", "{}"])
def test_a_list_or_mapping_in_a_response_field_is_one_line_naming_it(tmp_path, field, value):
    first = "" if field == "id" else "id: 4.1-a, "
    path = write(tmp_path, f"office: X\nresponses:\n- {{id: 4.1-b, answer: 'no'}}\n- {{{first}{field}: {value}}}\n")
    with pytest.raises(qmskit.ResponsesError) as caught:
        read_responses(path)
    assert str(caught.value) == f"{path}:line 4: '{field}' must be text, not a list or mapping"


def test_the_first_such_field_in_the_file_is_named_on_its_own_line(tmp_path):
    path = write(tmp_path, "office: X\nresponses:\n- id: 4.1-a\n  answer: 'no'\n  owner: [HR, Admin]\n"
                           "  evidence: [minutes 2024, register]\n")
    with pytest.raises(qmskit.ResponsesError, match=r"o.yaml:line 5: 'owner' must be text"):
        read_responses(path)


@pytest.mark.parametrize("key", ["office", "scope", "summary", "assessor"])
def test_a_list_in_text_metadata_is_refused_too(tmp_path, key):
    head = "" if key == "office" else "office: X\n"
    path = write(tmp_path, f"{head}{key}: [Site A, Site B]\nresponses:\n- {{id: 4.1-a, answer: 'yes'}}\n")
    with pytest.raises(qmskit.ResponsesError, match=rf"o.yaml:line \d: '{key}' must be text, not a list or mapping"):
        read_responses(path)


def test_structured_metadata_that_may_be_structured_still_reads(tmp_path):
    path = write(tmp_path, "office: X\nexcluded_clauses: {'8.3': we design no services}\n"
                           "responses:\n- {id: 4.1-a, answer: 'yes', evidence: minutes 2024}\n")
    meta, frame = read_responses(path)
    assert meta["excluded_clauses"].startswith("8.3") and frame["evidence"].tolist() == ["minutes 2024"]


@pytest.mark.parametrize("value, tag", [
    ("!!timestamp x", "!!timestamp"), ('!!binary "===="', "!!binary"), ("!!set {a, b}", "!!set"),
    ("!!float 1e999", "!!float"), ("!!python/object:os.system x", "!!python/object:os.system"),
    ("!!omap [a: 1]", "!!omap"), ("!custom x", "!custom"), ("!!bool x", "!!bool"), ("!!int 3x", "!!int"),
])
def test_a_tag_is_refused_in_one_line(tmp_path, value, tag):
    path = write(tmp_path, f"office: X\nresponses:\n- {{id: 4.1-a, answer: 'yes'}}\n- {{id: 4.1-b, notes: {value}}}\n")
    with pytest.raises(qmskit.ResponsesError) as caught:
        read_responses(path)
    assert str(caught.value) == f"{path}:line 4: the YAML tag {tag} is not allowed; write the value without it"


def test_a_str_tag_or_one_that_names_what_the_value_is_anyway_is_fine(tmp_path):
    path = write(tmp_path, "office: X\nresponses:\n- {id: !!str 4.1-a, answer: !!str yes, notes: !!int 3, "
                           "owner: !!str 0012, due: !!timestamp 2027-01-04}\n")
    _meta, frame = read_responses(path)
    assert frame.iloc[0][["id", "answer", "notes", "owner", "due"]].tolist() == ["4.1-a", "yes", "3", "0012",
                                                                                "2027-01-04"]


def test_a_tag_in_a_checklist_is_refused_with_its_line(tmp_path):
    text = (DATA / "mini.yaml").read_text(encoding="utf-8").replace('version: "1.0"', "version: !!timestamp x")
    path = write(tmp_path, text, "mini.yaml")
    with pytest.raises(qmskit.ChecklistError, match=r"mini.yaml:line 3: the YAML tag !!timestamp is not allowed"):
        qmskit.load_checklist(path)


@pytest.mark.parametrize("body, line", [
    ("- {id: 4.1-a, answer: 'no', owner: [HR, Admin], evidence: [minutes 2024, register]}\n",
     "line 3: 'owner' must be text, not a list or mapping"),
    ("- {id: 4.1-a, answer: 'yes', evidence: [minutes 2024], owner: {dept: HR}}\n",
     "line 3: 'evidence' must be text, not a list or mapping"),
    ('- {id: 4.1-a, answer: yes, notes: !!binary "====", evidence: !!timestamp x}\n',
     "line 3: the YAML tag !!binary is not allowed; write the value without it"),
    ("- {id: 4.1-a, answer: yes, evidence: !!timestamp x}\n",
     "line 3: the YAML tag !!timestamp is not allowed; write the value without it"),
])
def test_the_cli_says_one_line_and_exits_1(tmp_path, body, line):
    path = write(tmp_path, "office: X\nresponses:\n" + body)
    out = run_qmskit("score", str(path))
    assert out.returncode == 1 and out.stderr.strip().splitlines() == [f"error: {path}:{line}"]
