"""The disk cache of validated checklists (qmskit.checklist.cache): a hit gives exactly what reading the
YAML gives; an edited checklist, an edited base, a corrupt or foreign entry and an unwritable cache
folder all fall back to reading the YAML, without an error or a warning."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from qmskit.checklist import cache, loader
from qmskit.checklist.loader import bundled_dir, load_checklist
from qmskit.config import ENV_CACHE_DIR, ENV_NO_CACHE
from qmskit.errors import ChecklistError

DATA = Path(__file__).parents[1] / "data"
EXAMPLE = Path(__file__).parents[2] / "examples" / "offices" / "eastport-civil-affairs.xlsx"


@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv(ENV_CACHE_DIR, str(root))
    monkeypatch.delenv(ENV_NO_CACHE, raising=False)
    loader._load_cached.cache_clear()  # each load below is a new process's first
    yield root
    loader._load_cached.cache_clear()


@pytest.fixture
def reads(monkeypatch):
    """How many times the YAML was actually read and checked (a miss), file by file."""
    calls: list[str] = []
    real = loader.read_checklist_data

    def counting(path, *args, **kwargs):
        calls.append(Path(path).name)
        return real(path, *args, **kwargs)
    monkeypatch.setattr(loader, "read_checklist_data", counting)
    return calls


def fresh_load(what):
    loader._load_cached.cache_clear()
    return load_checklist(what)


def entries(root: Path) -> list[Path]:
    return sorted((root / "checklists").glob(f"*{cache.SUFFIX}"))


def assert_same_checklist(a, b):
    for name in ("id", "version", "title", "scale", "thresholds", "source", "extends"):
        assert getattr(a, name) == getattr(b, name), name
    for frame in ("clauses", "questions", "kpis"):
        pd.testing.assert_frame_equal(getattr(a, frame), getattr(b, frame))


@pytest.mark.parametrize("name", ["iso9001-2015", "gov-office", "iso9001-2008-legacy"])
def test_a_hit_gives_what_reading_the_yaml_gives(cache_root, reads, monkeypatch, name):
    first = fresh_load(name)
    assert reads  # a miss: read, checked, stored
    assert len(entries(cache_root)) == 1
    reads.clear()
    second = fresh_load(name)
    assert reads == []  # a hit: nothing read or checked again
    assert_same_checklist(first, second)
    monkeypatch.setenv(ENV_NO_CACHE, "1")
    assert_same_checklist(fresh_load(name), second)  # and what no cache at all gives
    assert reads


def test_an_edited_checklist_is_read_again(cache_root, reads, tmp_path):
    path = tmp_path / "mini.yaml"
    shutil.copy(DATA / "mini.yaml", path)
    assert fresh_load(path).title["en"] == "Mini checklist"
    text = path.read_text(encoding="utf-8").replace('en: "Mini checklist"', 'en: "Mini, edited"')
    path.write_text(text, encoding="utf-8")
    reads.clear()
    assert fresh_load(path).title["en"] == "Mini, edited"
    assert reads == ["mini.yaml"]
    assert len(entries(cache_root)) == 2  # one per text; the old text's entry stays valid for that text


def profile_on(tmp_path: Path, base: Path) -> Path:
    profile = tmp_path / "profile.yaml"
    profile.write_text(f'id: my-profile\nversion: "0.1"\nextends: {base.name}\n'
                       'title: {en: "My profile", zh: "我的配置"}\nclauses:\n  - clause: "5"\n    questions:\n'
                       '      - id: "5-p"\n        text: {en: "Is it posted?", zh: "是否张贴？"}\n',
                       encoding="utf-8")
    return profile


def test_a_profile_is_read_again_when_its_base_changes(cache_root, reads, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the profile names its base by a path relative to the working folder
    base = tmp_path / "mini.yaml"
    shutil.copy(DATA / "mini.yaml", base)
    profile = profile_on(tmp_path, base)
    assert "5-p" in set(fresh_load(profile).questions["id"])
    reads.clear()
    fresh_load(profile)
    assert reads == []
    base.write_text(base.read_text(encoding="utf-8").replace('"Is there a policy?"', '"Is a policy issued?"'),
                    encoding="utf-8")
    got = fresh_load(profile)
    assert reads == ["profile.yaml", "mini.yaml"]
    assert "Is a policy issued?" in set(got.questions["text_en"])


def test_a_relative_base_that_now_points_elsewhere_is_read_again(cache_root, reads, tmp_path, monkeypatch):
    one, two = tmp_path / "one", tmp_path / "two"
    for folder, title in ((one, "Policy one?"), (two, "Policy two?")):
        folder.mkdir()
        (folder / "mini.yaml").write_text((DATA / "mini.yaml").read_text(encoding="utf-8")
                                          .replace('"Is there a policy?"', f'"{title}"'), encoding="utf-8")
    profile = profile_on(tmp_path, one / "mini.yaml")
    monkeypatch.chdir(one)
    assert "Policy one?" in set(fresh_load(profile).questions["text_en"])
    monkeypatch.chdir(two)
    reads.clear()
    assert "Policy two?" in set(fresh_load(profile).questions["text_en"])
    assert reads == ["profile.yaml", "mini.yaml"]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "flipped byte", "foreign key", "not a mapping"])
def test_a_corrupt_or_foreign_entry_is_ignored_and_replaced(cache_root, reads, damage):
    good = fresh_load("iso9001-2015")
    [entry] = entries(cache_root)
    raw = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(b"\x00\xff not a cache entry" * 100)
    elif damage == "truncated":
        entry.write_bytes(raw[: len(raw) // 2])
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "flipped byte":
        entry.write_bytes(raw[:-10] + bytes([raw[-10] ^ 0xFF]) + raw[-9:])
    else:  # whole and well-formed, but not this entry's: another key, or not the data it should be
        import hashlib
        import marshal
        value = marshal.dumps({"key": "0" * 64, "deps": [], "data": {"id": "other"}} if damage == "foreign key"
                              else ["not", "a", "mapping"])
        entry.write_bytes(cache.FORMAT + hashlib.sha256(value).digest() + value)
    reads.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = fresh_load("iso9001-2015")
    assert reads == ["iso9001-2015.yaml"]
    assert_same_checklist(good, again)
    assert entry.read_bytes() == raw  # rewritten whole


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero"])
def test_an_entry_that_is_no_regular_file_is_a_miss(tmp_path, kind):
    """A FIFO in the entry's place blocked every command forever; a link to /dev/zero read until memory
    ran out. Each load runs in a process of its own under a timeout and a 1 GB address-space limit."""
    import resource
    env = {**os.environ, ENV_CACHE_DIR: str(tmp_path / "cache")}
    env.pop(ENV_NO_CACHE, None)
    load = [sys.executable, "-c", "from qmskit.checklist.loader import load_checklist; load_checklist('iso9001-2015')"]
    subprocess.run(load, env=env, check=True, timeout=120)
    [entry] = entries(tmp_path / "cache")
    entry.unlink()
    if kind == "fifo":
        os.mkfifo(entry)
    else:
        entry.symlink_to("/dev/zero")

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    done = subprocess.run(load, env=env, timeout=120, preexec_fn=limit, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert entry.is_file() and not entry.is_symlink()  # replaced by a whole entry


@pytest.mark.parametrize("where", ["under a file", "read-only folder"])
def test_an_unwritable_cache_folder_changes_nothing(tmp_path, monkeypatch, reads, where):
    if where == "under a file":
        blocker = tmp_path / "a-file"
        blocker.write_text("not a folder")
        root = blocker / "cache"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        root = tmp_path / "ro"
        (root / "checklists").mkdir(parents=True)
        (root / "checklists").chmod(0o500)
    monkeypatch.setenv(ENV_CACHE_DIR, str(root))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first, second = fresh_load("iso9001-2015"), fresh_load("iso9001-2015")
    assert reads == ["iso9001-2015.yaml", "iso9001-2015.yaml"]  # read each time, no error
    assert_same_checklist(first, second)


def test_a_broken_checklist_is_never_stored(cache_root, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((DATA / "mini.yaml").read_text(encoding="utf-8").replace("weight: 3", "weight: -3"),
                   encoding="utf-8")
    for _ in range(2):  # the same error, with its line, every time
        with pytest.raises(ChecklistError, match=r"line 21: .*weight: must be > 0"):
            fresh_load(bad)
    assert entries(cache_root) == []


def test_no_cache_reads_and_writes_nothing(cache_root, reads, monkeypatch):
    monkeypatch.setenv(ENV_NO_CACHE, "1")
    fresh_load("iso9001-2015")
    fresh_load("iso9001-2015")
    assert reads == ["iso9001-2015.yaml"] * 2
    assert not (cache_root / "checklists").exists()


def test_old_entries_are_pruned(cache_root, tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    path = tmp_path / "mini.yaml"
    for i in range(5):
        path.write_text((DATA / "mini.yaml").read_text(encoding="utf-8").replace('version: "1.0"', f'version: "1.{i}"'),
                        encoding="utf-8")
        fresh_load(path)
    assert len(entries(cache_root)) == 3


def test_the_default_folder_is_the_users_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_CACHE_DIR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert cache.cache_dir() == tmp_path / "xdg" / "qmskit" / "checklists"
    else:
        assert cache.cache_dir().parts[-2:] == ("qmskit", "checklists")


def run_score(env: dict) -> subprocess.CompletedProcess:
    code = ("import sys\nsys.argv = ['qmskit', 'score', '--json', sys.argv[1]]\n"
            "from qmskit.cli.entry import run\nrun()")
    return subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, text=True, env=env,
                          timeout=300)


def test_score_prints_the_same_with_a_cold_warm_corrupt_or_unwritable_cache(tmp_path):
    """The command as a user runs it (new processes): first run fills the cache, the second reads it,
    the third finds it corrupt, the fourth cannot write one; the same output every time, and no line on
    stderr beyond the reader's own warnings."""
    env = {**os.environ, ENV_CACHE_DIR: str(tmp_path / "cache")}
    env.pop(ENV_NO_CACHE, None)
    runs = [run_score(env), run_score(env)]
    [entry] = entries(tmp_path / "cache")
    entry.write_bytes(entry.read_bytes()[:100])
    runs.append(run_score(env))
    (tmp_path / "file").write_text("x")
    runs.append(run_score({**env, ENV_CACHE_DIR: str(tmp_path / "file" / "cache")}))
    runs.append(run_score({**env, ENV_NO_CACHE: "1"}))
    for proc in runs:
        assert proc.returncode == 0, proc.stderr
        assert (proc.stdout, proc.stderr) == (runs[-1].stdout, runs[-1].stderr)
    assert json.loads(runs[0].stdout)["checklist"]["id"] == "iso9001-2015"


def test_every_bundled_checklist_is_plain_data(cache_root):
    """What the cache stores must round-trip through marshal unchanged (a YAML date, say, would not)."""
    import marshal
    for path in sorted(bundled_dir().glob("*.yaml")):
        try:
            data = loader.read_checklist_data(path)
        except ChecklistError:
            continue  # the cross-walk is not a checklist
        assert marshal.loads(marshal.dumps(data)) == data
