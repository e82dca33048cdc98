"""Word-overlap helpers for the checklist-content tests (duplicates, text copied from a standard), and
the check that a line meant for a Chinese reader holds no English sentence.

Two question texts that share a long run of consecutive words ask the same thing, or one was copied from the
other. English is split into words (case and punctuation ignored); Chinese has no spaces, so every CJK
character counts as one "word" (a run of 12 characters is a long shared phrase in Chinese, about 6 words).
"""
from __future__ import annotations

import re

# Longest shared run allowed between two questions that must not repeat each other (more is a finding).
# English: 7 words ("does the office have a written" is 6 and fine); Chinese: 11 characters (质量管理体系 alone is 6).
LIMITS = {"en": 7, "zh": 11}
# Within the base checklist parallel questions share longer stems ("has top management assigned the responsibility
# and authority …", 7 words): 8 words / 14 characters there; a copied sentence is longer still.
BASE_LIMITS = {"en": 8, "zh": 14}

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[\u3400-\u9fff]")


def tokens(text: str) -> list[str]:
    """Lower-cased English words and single CJK characters of ``text``, punctuation dropped."""
    return [t.lower() for t in _TOKEN.findall(text or "")]


def longest_shared_run(a: str, b: str) -> tuple[int, str]:
    """Length of the longest run of consecutive tokens that ``a`` and ``b`` share, and that run as text."""
    ta, tb = tokens(a), tokens(b)
    best, end = 0, 0
    previous = [0] * (len(tb) + 1)
    for i in range(1, len(ta) + 1):
        current = [0] * (len(tb) + 1)
        for j in range(1, len(tb) + 1):
            if ta[i - 1] == tb[j - 1]:
                current[j] = previous[j - 1] + 1
                if current[j] > best:
                    best, end = current[j], i
        previous = current
    run = ta[end - best:end]
    joiner = "" if run and all(len(t) == 1 and t >= "\u3400" for t in run) else " "
    return best, joiner.join(run)


def overlapping_pairs(texts_a: dict[str, str], texts_b: dict[str, str], limit: int) -> list[tuple[str, str, int, str]]:
    """Every (id in a, id in b, run length, run) whose texts share more than ``limit`` consecutive tokens.

    Pairs of an id with itself are skipped, and each unordered pair is reported once when a and b are the
    same mapping.
    """
    found = []
    for ida, ta in texts_a.items():
        for idb, tb in texts_b.items():
            if ida == idb or (texts_a is texts_b and ida > idb):
                continue
            n, run = longest_shared_run(ta, tb)
            if n > limit:
                found.append((ida, idb, n, run))
    return found


def _word_runs(text: str, n: int) -> set:
    words = re.findall(r"[a-z0-9']+", (text or "").lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def _char_runs(text: str, n: int) -> set:
    chars = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", text or "")
    return {chars[i:i + n] for i in range(len(chars) - n + 1)}


def shared_runs(questions, base_ids: set, limits: dict[str, int]) -> list[tuple[str, str, str]]:
    """Pairs (base-base or base-profile) of a questions frame whose texts share a run longer than ``limits``.

    Set intersection of all runs of limit + 1 tokens: fast enough for every pair of a few hundred questions.
    """
    import itertools

    en = {r.id: _word_runs(r.text_en, limits["en"] + 1) for r in questions.itertuples()}
    zh = {r.id: _char_runs(r.text_zh, limits["zh"] + 1) for r in questions.itertuples()}
    found = []
    for a, b in itertools.combinations(list(questions["id"]), 2):
        if a not in base_ids and b not in base_ids:
            continue  # profile-profile pairs are the profile's own business
        common = en[a] & en[b]
        if common:
            found.append((a, b, " ".join(sorted(common)[0])))
        common = zh[a] & zh[b]
        if common:
            found.append((a, b, sorted(common)[0]))
    return found


_CODE = re.compile(r"`[^`]*`")
# three or more English words in a row ("is not a", "the limit is"): a sentence left untranslated (a list
# of keys or column names, "firm, short, logo" or "id,answer,evidence", is not a sentence)
_ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:\s+[A-Za-z]{2,}){2,}")


def assert_chinese_line(line: str, path: object) -> None:
    """One line, names the file, is Chinese, and holds no English sentence outside the file's name and
    `code` (a command the user types)."""
    assert "\n" not in line and "Traceback" not in line, line
    assert str(path) in line, line
    rest = _CODE.sub("", line.replace(str(path), ""))
    assert re.search(r"[\u4e00-\u9fff]", rest), line
    english = _ENGLISH_RUN.search(rest)
    assert not english, f"untranslated English {english.group()!r} in: {line}"


