"""User-interface strings in English and Chinese, shared by reports, forms and other views.

``t(key, lang)`` looks a string up (falling back to English, then to the key itself); ``fmt`` keys
use ``str.format`` fields. Question and clause texts are not here: they come from the checklist
(``text_en``/``text_zh``, ``title_en``/``title_zh``).
"""
from __future__ import annotations

import string

LANGS = ("en", "zh")

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "report_title": "ISO 9001 certification readiness report",
        "contents": "Contents",
        "office": "Office",
        "scope": "Scope of certification",
        "sites": "Sites",
        "exclusions": "Exclusions and justification",
        "descriptive_title_note": "† The standard gives this sub-clause no title: the title shown is our own "
                                  "description, not an ISO 9001 or GB/T 19001 title.",
        "assessor": "Assessor",
        "date": "Assessment date",
        "checklist": "Checklist",
        "language": "Report language",
        "status": "Status",
        "draft": "Draft",
        "final": "Final",
        "confidential_default": "Confidential: prepared for the named office only. Do not distribute further.",
        "not_stated": "not stated",
        "none": "none",
        "lang_name": "English",
        # verdict
        "verdict": "Readiness verdict",
        "reasons": "Why",
        "overall": "Overall score",
        "completeness": "Completeness",
        "answered_of": "{answered} of {applicable} applicable questions answered",
        "gap_counts": "Gaps",
        "band_ready": "Ready for certification",
        "band_nearly_ready": "Nearly ready",
        "band_developing": "Developing",
        "band_early_stage": "Early stage",
        "band_not_started": "Not started",
        "band_hint_ready": ("The management system appears ready for a certification audit: no open "
                            "nonconformity was found, so the audit can be booked."),
        "band_hint_ready_minors": ("The management system appears ready for a certification audit once each open "
                                   "minor nonconformity has a corrective-action plan; book the audit after that."),
        "band_hint_nearly_ready": ("Not ready yet: close the gaps below and confirm the result before booking "
                                   "the certification audit."),
        "band_hint_developing": "Important elements are in place; significant work remains before an audit.",
        "band_hint_early_stage": "The management system is at an early stage; plan a structured implementation.",
        "band_hint_not_started": "No question has been answered yet, so there is no verdict.",
        # sections
        "sec_summary": "Summary",
        "sec_chart": "Scores by clause",
        "sec_clauses": "Clause scores",
        "sec_gaps": "Gap register",
        "sec_actions": "Action plan",
        "sec_docinfo": "Mandatory documented information",
        "sec_attention": "Questions needing attention",
        "sec_unanswered": "Unanswered questions",
        "sec_unsupported": "\u201cYes\u201d answers without evidence",
        "sec_na": "Not-applicable answers",
        "sec_warnings": "Warnings",
        "sec_appendix": "Appendix: all answers",
        "sec_method": "How this was scored",
        "sec_parameters": "Parameters used",
        "chart_caption": ("Score per clause (0\u2013100). Dashed lines: {ready} (ready) and {nearly} "
                          "(nearly ready). A clause with no answered question has no bar (\u2014)."),
        "chart_alt": "Bar chart of the score of each clause",
        # columns
        "col_rank": "#",
        "col_clause": "Clause",
        "col_title": "Title",
        "col_score": "Score",
        "col_answered": "Answered",
        "col_completeness": "Completeness",
        "col_id": "ID",
        "col_question": "Requirement",
        "col_severity": "Severity",
        "col_answer": "Answer",
        "col_impact": "Impact",
        "col_evidence": "Evidence",
        "col_notes": "Notes",
        "col_action": "Recommended action",
        "col_recommended": "Recommended action",
        "col_finding": "Requirement and answer",
        "col_seen": "Evidence seen",
        "label_answer": "Answer:",
        "label_evidence": "Evidence seen:",
        "label_notes": "Notes:",
        "evidence_none": "none recorded",
        "reason_critical": "critical requirement not met",
        "reason_absent": "process absent",
        "reason_not_met": "requirement not met",
        "reason_partial": "partly met",
        "reason_practice": "good practice",
        "reason_kpi": "KPI target missed",
        "unsupported_count": "\u201cYes\u201d without evidence",
        "unsupported_note": "counted as met, evidence not named",
        "gaps_summary_kpi": "; plus {n} KPI {n:observation|observations} (not included)",
        "sec_office_documents": "The office's own documents",
        "office_documents_intro": ("Documents the office's profile expects (e.g. its procedures). ISO 9001 does "
                                   "not require them: a gap here is an observation, never a nonconformity."),
        "col_owner": "Owner",
        "col_due": "Due",
        "col_type": "Type",
        "col_status": "Status",
        "col_parameter": "Parameter",
        "col_value": "Value",
        # values
        "sev_major": "Major",
        "sev_minor": "Minor",
        "sev_observation": "Observation",
        "ans_yes": "Yes",
        "ans_partial": "Partial",
        "ans_no": "No",
        "ans_n/a": "N/A",
        "ans_blank": "\u2014",
        "ans_level": "Level {level}",
        "di_maintain": "Maintain (document)",
        "di_retain": "Retain (record)",
        "di_present": "Present",
        "di_partial": "Partial",
        "di_missing": "Missing",
        "di_unanswered": "Not assessed",
        "di_n/a": "N/A",
        "no_owner": "unassigned",
        "no_due": "no date",
        "overdue": "before the assessment date",
        "kpi_finding": "{name}: {value} against a target of {target}",
        "kpi_action": "Bring the indicator to its target and keep monitoring it (9.1).",
        "na_missing": "no justification given",
        "empty_gaps": "No gaps: every answered question is fully met.",
        "empty_unanswered": "Every applicable question is answered.",
        "empty_unsupported": "Every \u201cyes\u201d answer names its evidence.",
        "empty_na": "No question was answered \u201cnot applicable\u201d.",
        "empty_docinfo": "This checklist lists no mandatory documented information.",
        "empty_actions": "No actions: there are no gaps.",
        "gaps_summary": "{major} major, {minor} minor, {observation} {observation:observation|observations}",
        "gaps_intro": ("Ranked by severity, then by impact (the points the overall score gains when the gap "
                       "is closed), then by clause order."),
        "unsupported_intro": ("These answers are counted as met, but no evidence is recorded. An auditor will "
                              "ask to see it: record where the evidence is."),
        # method
        "method": (
            "<p>Each requirement is answered <b>yes</b> (1 point), <b>partial</b> (0.5) or <b>no</b> (0); "
            "<b>n/a</b> removes it from the calculation and blank means not yet answered.{maturity}</p>"
            "<p>A clause's score is 100 \u00d7 \u03a3 w\u00b7p / \u03a3 w over the answered, applicable "
            "requirements beneath it (w is the requirement's weight, p its points), so every requirement "
            "counts by its weight, not by the number of sub-clauses. The overall score is the same over the "
            "whole checklist. Completeness is the share of applicable requirements that are answered.</p>"
            "<p>A <b>gap</b> is an answered question that is not fully met, named as a certification body "
            "would: a question asking for good practice (not an ISO 9001 requirement) gives an <b>observation</b> "
            "(an opportunity for improvement). A requirement gives a <b>major</b> nonconformity when it is "
            "critical (its absence alone is a major, e.g. mandatory documented information, control of "
            "nonconforming outputs, corrective action) and not met at all, or when its whole process is absent "
            "(at least two answered requirements of the clause, none met at all); every other requirement gap, "
            "including one that is only partly met, is a <b>minor</b> nonconformity. A KPI that misses its "
            "target is an observation of 9.1, counted apart; it never changes a score.</p>"
            "<p>The verdict is checked from the top, first match wins: <b>ready</b> needs completeness 100%, "
            "every prerequisite (a complete internal audit cycle, a management review held, the system "
            "operating with records) answered yes, no major, at most {max_minor} minor nonconformities (each "
            "with a corrective-action plan before the audit), evidence named for every critical or "
            "prerequisite \u201cyes\u201d, and an overall score \u2265 {ready}; <b>nearly ready</b> needs "
            "completeness \u2265 90%, every prerequisite answered yes, at most {max_major} majors and overall "
            "\u2265 {nearly}; <b>developing</b> needs overall \u2265 {developing}; otherwise <b>early "
            "stage</b>. Scores are shown rounded to one decimal; thresholds are compared on exact values.</p>"),
        "method_maturity": " On the maturity scale, level 1\u20135 gives (level \u2212 1) / 4 points.",
        "param_responses": "Responses file",
        "param_sha256": "Responses file SHA-256",
        "param_checklist": "Checklist",
        "param_lang": "Language",
        "param_title": "Title override",
        "param_version": "qmskit version",
        "param_generated": "Generated",
        "param_rerun": "Re-run with",
        "footer": "Generated by qmskit {version} \u00b7 {generated}",
    },
    "zh": {
        "report_title": "ISO 9001 认证准备评估报告",
        "contents": "目录",
        "office": "单位",
        "scope": "认证范围",
        "sites": "场所",
        "exclusions": "不适用的要求及理由",
        "descriptive_title_note": "† 标准未给该子条款命名，此处为本清单的描述性标题，并非 GB/T 19001-2016 的条款标题。",
        "assessor": "评估人",
        "date": "评估日期",
        "checklist": "检查表",
        "language": "报告语言",
        "status": "状态",
        "draft": "草稿",
        "final": "定稿",
        "confidential_default": "保密：仅供上述单位使用，请勿外传。",
        "not_stated": "未说明",
        "none": "无",
        "lang_name": "中文",
        "verdict": "准备程度结论",
        "reasons": "依据",
        "overall": "总分",
        "completeness": "完成度",
        "answered_of": "适用问题 {applicable} 个，已回答 {answered} 个",
        "gap_counts": "差距",
        "band_ready": "具备认证条件",
        "band_nearly_ready": "基本具备",
        "band_developing": "建设中",
        "band_early_stage": "起步阶段",
        "band_not_started": "尚未开始",
        "band_hint_ready": "质量管理体系看来已可接受认证审核：未发现未关闭的不符合项，可以申请认证审核。",
        "band_hint_ready_minors": "每项未关闭的一般不符合项制定纠正措施计划后，质量管理体系即可接受认证审核；之后再申请审核。",
        "band_hint_nearly_ready": "尚不具备认证条件：请先关闭下列差距并确认结果，暂不宜申请认证审核。",
        "band_hint_developing": "主要要素已建立，审核前仍有较多工作。",
        "band_hint_early_stage": "质量管理体系尚处起步阶段，请制定系统的实施计划。",
        "band_hint_not_started": "尚未回答任何问题，因此没有结论。",
        "sec_summary": "概要",
        "sec_chart": "各条款得分",
        "sec_clauses": "条款得分表",
        "sec_gaps": "差距清单",
        "sec_actions": "整改计划",
        "sec_docinfo": "强制性成文信息",
        "sec_attention": "需关注的问题",
        "sec_unanswered": "未回答的问题",
        "sec_unsupported": "无证据的“是”",
        "sec_na": "“不适用”的回答",
        "sec_warnings": "警告",
        "sec_appendix": "附录：全部回答",
        "sec_method": "评分方法",
        "sec_parameters": "生成参数",
        "chart_caption": "各条款得分（0–100）。虚线：{ready}（具备）和 {nearly}（基本具备）。无已答问题的条款不显示柱形（—）。",
        "chart_alt": "各条款得分柱状图",
        "col_rank": "序号",
        "col_clause": "条款",
        "col_title": "标题",
        "col_score": "得分",
        "col_answered": "已回答",
        "col_completeness": "完成度",
        "col_id": "编号",
        "col_question": "要求",
        "col_severity": "严重程度",
        "col_answer": "回答",
        "col_impact": "影响",
        "col_evidence": "证据",
        "col_notes": "备注",
        "col_action": "建议措施",
        "col_recommended": "建议措施",
        "col_finding": "要求及回答",
        "col_seen": "所见证据",
        "label_answer": "回答：",
        "label_evidence": "所见证据：",
        "label_notes": "备注：",
        "evidence_none": "未记录",
        "reason_critical": "关键要求未满足",
        "reason_absent": "过程缺失",
        "reason_not_met": "要求未满足",
        "reason_partial": "部分满足",
        "reason_practice": "良好实践",
        "reason_kpi": "指标未达目标",
        "unsupported_count": "无证据的“是”",
        "unsupported_note": "按满足计分，但未注明证据",
        "gaps_summary_kpi": "；另有绩效指标观察项 {n} 项（未计入）",
        "sec_office_documents": "本单位自有文件",
        "office_documents_intro": "本单位规范要求的文件（如各项程序）。ISO 9001 并不要求：此处的差距为观察项，不构成不符合。",
        "col_owner": "负责人",
        "col_due": "完成期限",
        "col_type": "类型",
        "col_status": "状态",
        "col_parameter": "参数",
        "col_value": "值",
        "sev_major": "严重",
        "sev_minor": "一般",
        "sev_observation": "观察项",
        "ans_yes": "是",
        "ans_partial": "部分",
        "ans_no": "否",
        "ans_n/a": "不适用",
        "ans_blank": "—",
        "ans_level": "{level} 级",
        "di_maintain": "保持（文件）",
        "di_retain": "保留（记录）",
        "di_present": "具备",
        "di_partial": "部分具备",
        "di_missing": "缺失",
        "di_unanswered": "未评估",
        "di_n/a": "不适用",
        "no_owner": "未指定",
        "no_due": "无期限",
        "overdue": "早于评估日期",
        "kpi_finding": "{name}：实际 {value}，目标 {target}",
        "kpi_action": "使该指标达到目标并持续监视（9.1）。",
        "na_missing": "未说明理由",
        "empty_gaps": "无差距：所有已回答的要求均已完全满足。",
        "empty_unanswered": "所有适用问题均已回答。",
        "empty_unsupported": "所有回答“是”的问题均注明了证据。",
        "empty_na": "没有回答“不适用”的问题。",
        "empty_docinfo": "本检查表未列出强制性成文信息。",
        "empty_actions": "无需整改：没有差距。",
        "gaps_summary": "严重 {major} 项，一般 {minor} 项，观察项 {observation} 项",
        "gaps_intro": "按严重程度排序，其次按影响（关闭该差距后总分提高的分数），再按条款顺序。",
        "unsupported_intro": "这些回答按“满足”计分，但未记录证据。审核员会要求查看，请注明证据所在。",
        "method": (
            "<p>每项要求的回答为<b>是</b>（1 分）、<b>部分</b>（0.5 分）或<b>否</b>（0 分）；"
            "<b>不适用</b>不参与计算，空白表示尚未回答。{maturity}</p>"
            "<p>条款得分 = 100 × Σ w·p / Σ w，按该条款下所有已回答且适用的要求计算（w 为权重，p 为得分），"
            "因此每项要求按其权重计入，而不是按子条款个数平均。总分以整个检查表同样计算。"
            "完成度为已回答的适用要求所占比例。</p>"
            "<p><b>差距</b>是已回答但未完全满足的问题，按认证机构的方式判定：属于良好实践（非 ISO 9001 要求）的问题"
            "为<b>观察项</b>（改进机会）。对于标准要求：关键要求（仅其缺失即构成严重不符合，如强制性成文信息、"
            "不合格输出的控制、纠正措施）完全未满足，或该条款的整个过程缺失（该条款至少两项已回答的要求均完全未满足），"
            "为<b>严重</b>不符合；其他要求差距（包括部分满足）均为<b>一般</b>不符合。绩效指标未达目标为 9.1 的观察项，"
            "单独计数，不影响得分。</p>"
            "<p>结论自上而下判定，先满足者为准：<b>具备</b>需完成度 100%、全部前提条件（完整的一轮内部审核、"
            "已召开管理评审、体系运行并有记录）回答“是”、无严重不符合、一般不符合不超过 {max_minor} 项"
            "（审核前每项均有纠正措施计划）、关键或前提条件的“是”均注明证据，且总分 ≥ {ready}；"
            "<b>基本具备</b>需完成度 ≥ 90%、全部前提条件回答“是”、严重不符合不超过 {max_major} 项且总分 ≥ {nearly}；"
            "<b>建设中</b>需总分 ≥ {developing}；否则为<b>起步阶段</b>。分数显示保留一位小数，阈值按精确值比较。</p>"),
        "method_maturity": " 成熟度量表中，1–5 级得 (级别 − 1) / 4 分。",
        "param_responses": "回答文件",
        "param_sha256": "回答文件 SHA-256",
        "param_checklist": "检查表",
        "param_lang": "语言",
        "param_title": "自定义标题",
        "param_version": "qmskit 版本",
        "param_generated": "生成时间",
        "param_rerun": "重新生成命令",
        "footer": "由 qmskit {version} 生成 · {generated}",
    },
}


# How people write a language in a responses file (Office sheet "Report language", CSV/YAML "language").
LANGUAGE_NAMES = {
    "en": "en", "english": "en", "eng": "en", "英文": "en", "英语": "en", "en-us": "en", "en-gb": "en",
    "zh": "zh", "中文": "zh", "汉语": "zh", "简体中文": "zh", "chinese": "zh", "zh-cn": "zh", "zh_cn": "zh",
    "zh-hans": "zh", "cn": "zh",
}


def language_code(value) -> str | None:
    """``en``/``zh`` for a language as written in a file (``English``, ``中文``, ``zh-CN`` …); None if unknown."""
    return LANGUAGE_NAMES.get(str(value).strip().lower())


def check_lang(lang: str | None) -> str:
    """Return a supported language code; raise a one-line QmskitError otherwise."""
    from qmskit.errors import QmskitError
    if lang not in LANGS:
        raise QmskitError(f"unsupported language '{lang}' (allowed: {', '.join(LANGS)})")
    return lang


def t(key: str, lang: str = "en", **fields) -> str:
    """A string in ``lang`` (English, then the key, when missing); ``{n:one|other}`` picks a plural form."""
    text = STRINGS.get(lang, {}).get(key) or STRINGS["en"].get(key) or key
    return _FORMATTER.format(text, **fields) if fields else text


# ----------------------------------------------------------------------------- readiness reasons
# One catalog: a reason code (qmskit.core.model.ReasonCode) → a template per language. ``code.band`` entries
# override ``code`` for one band. Fields: the reason's values, numbers rounded for display, lists joined,
# ``n_clauses`` / ``n_ids`` (list lengths), ``band`` (the band's name in the sentence). ``{n:one|other}``
# picks a plural form by the number n, so a count always agrees with its noun and its list.
REASON_MESSAGES: dict[str, dict[str, str]] = {
    "completeness_below.ready": {
        "en": "completeness {value}% (ready needs 100%)",
        "zh": "完成度 {value}%（“具备”要求 100%）"},
    "completeness_below": {
        "en": "completeness {value}% ({band} needs ≥ {required}%)",
        "zh": "完成度 {value}%（“{band}”要求 ≥ {required}%）"},
    "prerequisites_missing": {
        "en": "{count} {count:prerequisite|prerequisites} not answered “yes”: {ids} ({band} needs every "
              "prerequisite done before the audit)",
        "zh": "{count} 项前提条件未回答“是”：{ids}（“{band}”要求审核前全部前提条件均已完成）"},
    "major_gaps.ready": {
        "en": "{count} major {count:gap|gaps} in {n_clauses} {n_clauses:clause|clauses}: {clauses} (ready needs none)",
        "zh": "严重差距 {count} 项，涉及 {n_clauses} 个条款：{clauses}（“具备”要求无严重差距）"},
    "major_gaps": {
        "en": "{count} major {count:gap|gaps} in {n_clauses} {n_clauses:clause|clauses}: {clauses} "
              "({band} allows at most {allowed})",
        "zh": "严重差距 {count} 项，涉及 {n_clauses} 个条款：{clauses}（“{band}”最多允许 {allowed} 项）"},
    "minor_gaps": {
        "en": "{count} minor {count:gap|gaps} in {n_clauses} {n_clauses:clause|clauses}: {clauses} "
              "({band} allows at most {allowed})",
        "zh": "一般差距 {count} 项，涉及 {n_clauses} 个条款：{clauses}（“{band}”最多允许 {allowed} 项）"},
    "unsupported_key": {
        "en": "{count} critical or prerequisite “yes” {count:answer has|answers have} no evidence recorded: {ids} "
              "({band} needs the evidence named)",
        "zh": "{count} 项关键或前提条件的“是”未记录证据：{ids}（“{band}”要求注明证据）"},
    "overall_below": {
        "en": "overall {value} ({band} needs ≥ {required})",
        "zh": "总分 {value}（“{band}”要求 ≥ {required}）"},
    "no_answers": {
        "en": "no answered questions ({band} needs an overall score ≥ {required})",
        "zh": "没有已回答的问题（“{band}”要求总分 ≥ {required}）"},
    "completeness_met": {
        "en": "completeness {value}%",
        "zh": "完成度 {value}%"},
    "no_major_gaps": {
        "en": "no major gaps",
        "zh": "无严重差距"},
    "minor_gaps_open": {
        "en": "{count} minor {count:gap|gaps} in {n_clauses} {n_clauses:clause|clauses}: {clauses}: each needs a "
              "corrective-action plan before the audit",
        "zh": "一般差距 {count} 项，涉及 {n_clauses} 个条款：{clauses}：审核前每项都需要纠正措施计划"},
    "overall_met": {
        "en": "overall {value} ≥ {required}",
        "zh": "总分 {value} ≥ {required}"},
    "unsupported_yes": {
        "en": "{count} “yes” {count:answer has|answers have} no evidence recorded",
        "zh": "{count} 项“是”未记录证据"},
}
# The band as it reads inside a reason ("ready needs …", "“基本具备”要求 …").
REASON_BAND = {
    "en": {"ready": "ready", "nearly_ready": "nearly ready", "developing": "developing", "early_stage": "early stage"},
    "zh": {"ready": "具备", "nearly_ready": "基本具备", "developing": "建设中", "early_stage": "起步阶段"},
}
LIST_LIMIT = 12  # longer lists show the first ones and "+N more" (the count stays the full count)
LIST_SEP = {"en": ", ", "zh": "、"}
LIST_MORE = {"en": " (+{n} more)", "zh": " 等（另 {n} 项）"}


class _CatalogFormatter(string.Formatter):
    """``str.format`` plus ``{n:one|other}`` plural selection (English: 1 → one, else other)."""

    def format_field(self, value, format_spec: str):
        if "|" in format_spec:
            one, other = format_spec.split("|", 1)
            return one if value == 1 else other
        return super().format_field(value, format_spec)


_FORMATTER = _CatalogFormatter()


def _display_list(items, lang: str) -> str:
    items = [str(i) for i in items]
    shown = LIST_SEP.get(lang, ", ").join(items[:LIST_LIMIT])
    if len(items) > LIST_LIMIT:
        shown += LIST_MORE.get(lang, LIST_MORE["en"]).format(n=len(items) - LIST_LIMIT)
    return shown


def reason_text(reason, lang: str = "en") -> str:
    """One readiness reason (a :class:`qmskit.core.model.Reason`, or its JSON dict) rendered in ``lang``."""
    from qmskit.core.model import Reason
    from qmskit.core.readiness import fmt_number
    if isinstance(reason, str):  # already text (e.g. a portfolio summary written by an older version)
        return reason
    if isinstance(reason, dict):
        reason = Reason.from_dict(reason)
    lang = lang if lang in LANGS else "en"
    values = dict(reason.values)
    band = values.get("band")
    entry = REASON_MESSAGES.get(f"{reason.code}.{band}") or REASON_MESSAGES[str(reason.code)]
    fields: dict = {}
    for key, value in values.items():
        if isinstance(value, (list, tuple)):
            fields[key] = _display_list(value, lang)
            fields[f"n_{key}"] = len(value)
        elif isinstance(value, float) or value is None:
            fields[key] = fmt_number(value)
        else:
            fields[key] = value
    if band:
        fields["band"] = REASON_BAND[lang].get(band, band)
    return _FORMATTER.format(entry.get(lang) or entry["en"], **fields)


def readiness_reason(reason, lang: str = "en") -> str:
    """Alias of :func:`reason_text` (kept for notebooks written against earlier versions)."""
    return reason_text(reason, lang)


def band_label(band: str, lang: str = "en") -> str:
    """A band as words ("Nearly ready", "基本具备"; ``not_started`` → "Not started"), never the raw key."""
    return t(f"band_{band}", lang)
