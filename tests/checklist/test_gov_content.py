"""Content of the gov-office profile and the ISO 9001:2008 legacy checklist (issue 13, issue 12 item 2).

Data-driven: the seed's 13 procedures, the topics a Chinese government office's assessment needs, the
rules for basis / office_document / action / n/a, no gov question repeating a base question, and no legacy
question keeping the ISO 9001:2008 / GB/T 19001-2008 wording it replaced (kept below as data).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from forkcli import run_qmskit

from qmskit import list_checklists, load_checklist
from qmskit.checklist.loader import bundled_dir

sys.path.insert(0, str(Path(__file__).parents[1]))
from textcheck import LIMITS, longest_shared_run, overlapping_pairs  # noqa: E402

# the seed's 13 documented procedures (程序文件) -> the question that asks for each
PROCEDURES = {
    "quality policy and objectives": "gov-5.2.1-a", "document and data control": "gov-7.5.3.1-a",
    "quality records": "gov-7.5.3.2-a", "internal communication": "gov-7.4-a", "management review": "gov-9.3.1-a",
    "personnel": "gov-7.2-a", "computer equipment and network": "gov-7.1.3-a", "purchasing": "gov-8.4.1-a",
    "satisfaction survey": "gov-9.1.2-a", "internal audit": "gov-9.2.2-a", "nonconforming service": "gov-8.7.1-a",
    "corrective action": "gov-10.2.1-a", "preventive action": "gov-6.1.2-a",
}
# the office's own documents beyond the procedures: the quality manual, the assessment criteria, the survey
# report per dimension and the archives' filing scope and retention schedule
OTHER_OFFICE_DOCUMENTS = {"gov-7.5.1-a": "maintain", "gov-9.1.1-a": "maintain", "gov-9.1.2-b": "retain",
                          "gov-7.5.3.2-b": "maintain"}
# the office's core service processes: how it meets 8.5.1 (controlled conditions) for its own services
REQUIREMENT_BASIS = {"gov-8.5.1-a", "gov-8.5.1-b", "gov-8.5.1-c", "gov-8.5.1-d"}
# n/a only where a government office may genuinely not have the thing (ISO 4.3 / conditional items)
NA_ALLOWED = {"gov-8.5.3-b": "8.5.3 property of outside parties: only where the office holds the public's data",
              "gov-9.1.2-c": "only offices that deliver government services rated under 好差评"}
# topic a government office's assessment needs -> (question, clause, words its Chinese text must contain)
TOPICS = [
    ("收文 (Regulations on official documents)", "gov-8.5.1-a", "8.5.1",
     ["党政机关公文处理工作条例", "签收", "登记", "初审", "承办", "传阅", "催办", "答复"]),
    ("发文", "gov-8.5.1-d", "8.5.1", ["复核", "登记", "印制", "核发"]),
    ("督查督办 as its own process", "gov-8.5.1-e", "8.5.1", ["督查督办", "独立"]),
    ("中央八项规定 and meeting costs", "gov-8.5.1-f", "8.5.1", ["八项规定", "会议费"]),
    ("人大建议 and 政协提案", "gov-8.5.1-g", "8.5.1", ["人大代表建议", "政协委员提案", "时限"]),
    ("信访 with time limits", "gov-8.2.1-a", "8.2.1", ["信访", "15日", "60日"]),
    ("12345 with time limits", "gov-8.2.1-b", "8.2.1", ["12345", "时限"]),
    ("政府信息公开 on request", "gov-8.2.1-c", "8.2.1", ["政府信息公开条例", "20个工作日"]),
    ("政府信息公开 proactive", "gov-8.2.1-d", "8.2.1", ["主动公开", "20个工作日"]),
    ("保密: classified staff", "gov-7.5.3.1-c", "7.5.3.1", ["涉密人员"]),
    ("保密: computers and networks", "gov-7.5.3.1-d", "7.5.3.1", ["涉密", "互联网"]),
    ("保密: self-inspection", "gov-7.5.3.1-e", "7.5.3.1", ["保密自查"]),
    ("档案: filing scope and retention", "gov-7.5.3.2-b", "7.5.3.2",
     ["《档案法》", "《机关档案管理规定》", "归档范围", "保管期限表"]),
    ("档案: electronic filing", "gov-7.5.3.2-c", "7.5.3.2", ["电子文件", "归档"]),
    ("值班值守", "gov-7.1.2-a", "7.1.2", ["值班值守"]),
    ("emergency information", "gov-7.4-b", "7.4", ["突发事件", "时限"]),
    ("三定方案 for 5.3", "gov-5.3-a", "5.3", ["三定"]),
    ("三定方案 for 4.3", "gov-4.3-a", "4.3", ["三定"]),
    ("好差评 for 9.1.2", "gov-9.1.2-c", "9.1.2", ["好差评"]),
    ("等级保护 for 7.1.3", "gov-7.1.3-c", "7.1.3", ["等级保护"]),
    ("personal information for 8.5.3", "gov-8.5.3-b", "8.5.3", ["个人信息"]),
]
# ISO 9001:2008 / GB/T 19001-2008 phrasing the legacy checklist used to repeat, kept as data: the rewritten
# questions must not share a long run of words with it
LEGACY_REPLACED = {
    "2008-4.2.4-a": ("Is there a documented procedure for records (identification, storage, protection, retrieval, "
                     "retention and disposal), and are records legible and retrievable?",
                     "是否有形成文件的记录控制程序（标识、贮存、保护、检索、保存期限和处置），且记录清晰、易于检索？"),
    "2008-5.4.1-a": ("Are measurable quality objectives set at relevant functions and levels, consistent with the policy?",
                     "是否在相关职能和层次上建立了与方针一致、可测量的质量目标？"),
    "2008-5.5.3-a": ("Are appropriate internal communication processes established, including communication about "
                     "the effectiveness of the QMS?", "是否建立了适当的内部沟通过程，包括关于质量管理体系有效性的沟通？"),
    "2008-5.6.1-a": ("Does top management review the QMS at planned intervals, including opportunities for "
                     "improvement and the need for changes, and keep records?",
                     "最高管理者是否按策划的时间间隔评审质量管理体系，包括改进的机会和变更的需要，并保持记录？"),
    "2008-6.1-a": ("Does the office determine and provide the resources needed to implement, maintain and improve "
                   "the QMS and to enhance customer satisfaction?",
                   "本单位是否确定并提供了实施、保持和改进质量管理体系以及增强顾客满意所需的资源？"),
    "2008-6.2.1-a": ("Are the staff whose work affects service quality competent on the basis of education, "
                     "training, skills and experience?", "影响服务质量的人员是否基于教育、培训、技能和经验是能够胜任的？"),
    "2008-7.3.3-a": ("Are design outputs in a form that can be verified against the inputs, approved before release?",
                     "设计输出是否以能够对照输入进行验证的方式提出，并在放行前得到批准？"),
    "2008-7.3.4-a": ("Are systematic design reviews carried out at suitable stages and recorded?",
                     "是否在适宜阶段进行了系统的设计评审并予以记录？"),
    "2008-7.3.5-a": ("Is design verification carried out to ensure outputs meet inputs, and recorded?",
                     "是否进行了设计验证以确保输出满足输入，并予以记录？"),
    "2008-7.3.6-a": ("Is design validation carried out to ensure the service meets the needs of its intended use, "
                     "and recorded?", "是否进行了设计确认以确保服务满足预期用途的要求，并予以记录？"),
    "2008-7.3.7-a": ("Are design changes identified, reviewed, verified, validated as appropriate and approved "
                     "before implementation?", "设计更改是否在实施前得到识别、评审、适当的验证和确认以及批准？"),
    "2008-7.4.1-a": ("Does the office evaluate and select suppliers on their ability to supply to its requirements, "
                     "with criteria, and keep records of evaluations?",
                     "本单位是否根据供方按要求提供产品的能力评价和选择供方，制定准则并保持评价记录？"),
    "2008-8.2.1-a": ("Does the office monitor customers' perception of whether their requirements were met, with "
                     "defined methods?", "本单位是否按规定的方法监视顾客对其要求是否得到满足的感受？"),
    "2008-8.2.3-a": ("Are the QMS processes monitored and, where applicable, measured to show they achieve planned "
                     "results?", "是否对质量管理体系过程进行监视并在适用时进行测量，以证实其实现策划结果的能力？"),
}
# a rewrite may keep a few words of the old sentence ("does the office"), never a phrase
LEGACY_LIMITS = {"en": 4, "zh": 9}
# question words and noun-phrase starts ("Have X do Y" is imperative, so "Have" is not listed)
QUESTION_OPENERS = ("Is ", "Are ", "Does ", "Do ", "Has ", "Can ", "Where ", "When ", "A ", "An ", "The ")


@pytest.fixture(scope="module")
def gov() -> pd.DataFrame:
    q = load_checklist("gov-office").questions
    return q[q["id"].str.startswith("gov-")].set_index("id")


@pytest.fixture(scope="module")
def base() -> pd.DataFrame:
    return load_checklist("iso9001-2015").questions.set_index("id")


def raw_questions(name: str) -> dict[str, dict]:
    """id -> the question mapping exactly as written in a bundled checklist file (no defaults applied)."""
    out: dict[str, dict] = {}

    def walk(nodes):
        for node in nodes or []:
            for q in node.get("questions") or []:
                out[q["id"]] = q
            walk(node.get("clauses"))
    walk(yaml.safe_load((bundled_dir() / f"{name}.yaml").read_text(encoding="utf-8"))["clauses"])
    return out


@pytest.mark.parametrize("path", sorted(str(p) for p in list_checklists()["path"]), ids=lambda p: Path(p).stem)
def test_every_bundled_checklist_validates_via_cli(path):
    out = run_qmskit("validate", path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("OK ")


def test_gov_profile_composes_on_the_base(gov, base):
    cl = load_checklist("gov-office")
    assert cl.extends == "iso9001-2015" and cl.version == "2.0"
    assert set(base.index) <= set(cl.questions["id"]) and cl.questions["id"].is_unique
    assert len(cl.questions) == len(base) + len(gov)
    assert 45 <= len(gov) <= 70


def test_the_13_procedures_are_office_documents_not_documented_information(gov):
    assert len(PROCEDURES) == 13
    for name, qid in PROCEDURES.items():
        row = gov.loc[qid]
        assert row["office_document"] == "maintain", name
        assert pd.isna(row["documented_information"]), name
        assert row["basis"] == "practice", name
        assert "procedure" in row["text_en"] and "程序" in row["text_zh"], name
    own = {**{qid: "maintain" for qid in PROCEDURES.values()}, **OTHER_OFFICE_DOCUMENTS}
    marked = gov["office_document"].dropna()
    assert marked.to_dict() == own
    # ISO 9001's own documented information is asked by the base; the profile adds none of it
    assert gov["documented_information"].isna().all()


def test_basis_is_practice_except_the_core_service_processes(gov):
    raw = raw_questions("gov-office")
    requirement = set(gov.index[gov["basis"] == "requirement"])
    assert requirement == REQUIREMENT_BASIS
    assert set(gov.loc[sorted(REQUIREMENT_BASIS), "clause"]) == {"8.5.1"}
    # every other gov question says so explicitly, so the default can never turn one into a requirement
    assert all(raw[qid].get("basis") == "practice" for qid in gov.index if qid not in REQUIREMENT_BASIS)


def test_every_gov_question_has_an_imperative_action_in_both_languages(gov):
    for qid, row in gov.iterrows():
        en, zh = row["action_en"], row["action_zh"]
        assert len(en) > 20 and len(zh) > 8, qid
        assert not en.startswith(QUESTION_OPENERS) and not en.rstrip().endswith("?"), (qid, en)
        assert not zh.rstrip().endswith(("？", "?")) and not zh.startswith("是否") and "本单位是否" not in zh, (qid, zh)
        assert en != row["evidence_en"] and zh != row["evidence_zh"], qid


def test_na_allowed_only_where_iso_4_3_could_apply():
    raw = raw_questions("gov-office")
    allowed = {qid for qid, q in raw.items() if q.get("na_allowed")}
    assert allowed == set(NA_ALLOWED)
    assert not any(q.get("critical") for q in raw.values())
    # and in the frame: na_allowed defaults to false (design.md), so nothing else accepts n/a
    q = load_checklist("gov-office").questions
    gov = q[q["id"].str.startswith("gov-")]
    assert set(gov.loc[gov["na_allowed"], "id"]) == set(NA_ALLOWED)


@pytest.mark.parametrize("topic, qid, clause, words", TOPICS, ids=[t[0] for t in TOPICS])
def test_government_office_topics_are_asked(gov, topic, qid, clause, words):
    row = gov.loc[qid]
    assert row["clause"] == clause, topic
    for word in words:
        assert word in row["text_zh"], (topic, word)


def test_customers_named_for_any_level_of_government(gov):
    row = gov.loc["gov-4.2-a"]
    assert "同级党委办公室、人大常委会办公室、政协办公室" in row["text_zh"]
    assert "市委办公室、市人大常委会办公室、市政协办公室" in row["text_zh"]  # the municipal case, as an example
    assert "县长" in row["text_zh"] and "at the same level" in row["text_en"] and "county" in row["text_en"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_gov_question_repeats_a_base_question(gov, base, lang):
    found = overlapping_pairs(gov[f"text_{lang}"].to_dict(), base[f"text_{lang}"].to_dict(), LIMITS[lang])
    assert not found, found


def test_removed_duplicates_stay_removed(gov):
    # each duplicated a base question (7.5.3.1-b / 8.5.4-b, 8.2.2-b, 8.5.3-b); their ids are not reused
    assert not {"gov-7.5.3.1-b", "gov-8.2.2-a", "gov-8.5.3-a"} & set(gov.index)
    assert "own division" not in gov.loc["gov-9.2.2-a", "text_en"]  # impartiality is asked by base 9.2.2


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_legacy_questions_no_longer_repeat_the_2008_wording(lang):
    q = load_checklist("iso9001-2008-legacy").questions.set_index("id")
    i = 0 if lang == "en" else 1
    for qid, old in LEGACY_REPLACED.items():
        n, run = longest_shared_run(old[i], q.loc[qid, f"text_{lang}"])
        assert n <= LEGACY_LIMITS[lang], (qid, run)


def test_legacy_questions_have_actions():
    q = load_checklist("iso9001-2008-legacy").questions
    assert (q["action_en"].str.len() > 20).all() and (q["action_zh"].str.len() > 5).all()
    assert not q["action_en"].str.startswith(QUESTION_OPENERS).any()


def test_textcheck_counts_words_in_english_and_characters_in_chinese():
    assert longest_shared_run("Is the scope written down?", "Has the scope written down been approved?") == \
        (4, "the scope written down")
    assert longest_shared_run("质量管理体系范围", "确定质量管理体系") == (6, "质量管理体系")
    pairs = overlapping_pairs({"a": "one two three four"}, {"b": "zero one two three"}, 2)
    assert pairs == [("a", "b", 3, "one two three")]


def test_legacy_na_allowed_only_where_2008_allowed_an_exclusion():
    """ISO 9001:2008 1.2 allowed exclusions only within clause 7: design (7.3), customer property, equipment."""
    raw = raw_questions("iso9001-2008-legacy")
    allowed = {qid for qid, q in raw.items() if q.get("na_allowed")}
    design = {qid for qid in raw if qid.startswith("2008-7.3.")}
    assert allowed == design | {"2008-7.5.4-a", "2008-7.6-a"}


def test_office_documents_have_their_own_register_apart_from_iso_documented_information():
    """A missing procedure is listed among the office's own documents, never as mandatory documented information."""
    import qmskit

    cl = load_checklist("gov-office")
    frame = pd.DataFrame({"id": cl.questions["id"], "answer": "yes", "evidence": "Seen on site", "notes": "",
                          "owner": "", "due": ""})
    frame.loc[frame["id"] == PROCEDURES["internal communication"], ["answer", "evidence"]] = ["no", ""]
    a = qmskit.score(cl, frame.assign(row=range(2, len(frame) + 2)), {"office": "Register test"})
    own = a.office_documents().set_index("id")
    assert set(own.index) == set(PROCEDURES.values()) | set(OTHER_OFFICE_DOCUMENTS)
    assert own.loc[PROCEDURES["internal communication"], "status"] == "missing"
    mandatory = a.documented_information()
    assert not set(mandatory["id"]) & set(own.index)
    gap = a.gaps.set_index("id").loc[PROCEDURES["internal communication"]]
    assert gap["severity"] == "observation" and gap["basis"] == "practice"
