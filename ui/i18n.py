"""The web chat's labels in Chinese (default) and English."""
from __future__ import annotations

__all__ = ["LANGUAGES", "LABELS", "normalize_lang", "t"]

LANGUAGES = {"zh": "中文", "en": "English"}

LABELS: dict[str, dict[str, str]] = {
    "app_title": {"zh": "规划问答", "en": "Plan assistant"},
    "subtitle": {
        "zh": "问规划里的任何问题：每个回答都带着规划原文的章节编号，点击编号即可查看原文。",
        "en": "Ask anything about the plan: every answer cites the plan's own section numbers; click one to read the source.",
    },
    "language": {"zh": "界面语言", "en": "Language"},
    "plan": {"zh": "规划", "en": "Plan"},
    "all_plans": {"zh": "全部规划", "en": "All plans"},
    "mode": {"zh": "回答方式", "en": "Answer mode"},
    "mode_offline": {"zh": "默认（离线）", "en": "Default (offline)"},
    "mode_llm": {"zh": "大语言模型", "en": "LLM"},
    "tab_chat": {"zh": "对话", "en": "Chat"},
    "tab_outline": {"zh": "提纲", "en": "Outline"},
    "tab_targets": {"zh": "指标", "en": "Targets"},
    "chat": {"zh": "对话", "en": "Conversation"},
    "chat_placeholder": {
        "zh": "用中文或英文提问，例如下方的示例。回答中的章节编号可以点击。",
        "en": "Ask in Chinese or English, or start from an example below. Section numbers in answers are clickable.",
    },
    "question": {"zh": "问题", "en": "Question"},
    "question_placeholder": {"zh": "输入问题，按回车发送", "en": "Type a question and press Enter"},
    "send": {"zh": "发送", "en": "Send"},
    "clear": {"zh": "清空对话", "en": "Clear chat"},
    "examples": {"zh": "示例问题", "en": "Example questions"},
    "sources": {"zh": "出处", "en": "Sources"},
    "related": {"zh": "相关章节", "en": "Related sections"},
    "searched": {"zh": "实际检索的问题", "en": "Searched as"},
    "copy": {"zh": "复制", "en": "Copy"},
    "copy_title": {"zh": "复制回答及其出处（纯文本）", "en": "Copy the answer with its sources as plain text"},
    "thinking": {"zh": "正在检索规划……", "en": "Searching the plan…"},
    "error": {
        "zh": "抱歉，这个问题没能回答（{reason}）。请换个说法再试，或稍后重试。",
        "en": "Sorry, this question could not be answered ({reason}). Rephrase it or try again shortly.",
    },
    "error_internal": {"zh": "内部错误，详情见服务器日志", "en": "internal error, see the server log"},
    "source_panel": {"zh": "原文", "en": "Source"},
    "source_hint": {
        "zh": "点击回答中的章节编号、提纲中的节点或指标表中的编号，在这里查看规划原文。",
        "en": "Click a section number in an answer, a node in the outline or an ID in the targets table to read the plan's text here.",
    },
    "source_missing": {"zh": "找不到章节 {sid}。", "en": "No section {sid} in the loaded plans."},
    "parent": {"zh": "上级", "en": "Parent"},
    "children": {"zh": "下级", "en": "Contains"},
    "outline_hint": {"zh": "点击任一节点查看该章节原文。", "en": "Click any node to read that section."},
    "targets_search": {"zh": "搜索指标", "en": "Search targets"},
    "targets_placeholder": {"zh": "输入关键词或编号，如 创客、专栏12", "en": "A word or a section ID, e.g. 创客, 专栏12"},
    "targets_count": {"zh": "共 {n} 项指标", "en": "{n} targets"},
    "targets_none": {"zh": "没有匹配的指标。", "en": "No target matches."},
    "col_section": {"zh": "章节", "en": "Section"},
    "col_target": {"zh": "指标", "en": "Target"},
    "col_sentence": {"zh": "原文语句", "en": "Sentence in the plan"},
    "metrics_count": {
        "zh": "{n} 项指标在 {d} 份文件之间对照；点击数字查看原文。",
        "en": "{n} targets compared across {d} documents; click a figure to read its source.",
    },
    "metrics_none": {"zh": "这些文件没有共同的指标。", "en": "These documents share no target."},
    "metrics_chart": {"zh": "指标走势", "en": "Targets over the years"},
    "col_metric": {"zh": "指标", "en": "Target"},
    "col_unit": {"zh": "单位", "en": "Unit"},
    "bound_min": {"zh": "不低于", "en": "at least"},
    "bound_max": {"zh": "不超过", "en": "at most"},
    "bound_about": {"zh": "约", "en": "about"},
    "bound_range": {"zh": "区间", "en": "range"},
    "bound_exact": {"zh": "", "en": ""},
}


def normalize_lang(value: str | None, default: str = "zh") -> str:
    """"en", "EN", "en-US", "English" -> "en"; anything unknown -> the default."""
    text = (value or "").strip().lower()
    for code, name in LANGUAGES.items():
        if text.startswith(code) or text == name.lower():
            return code
    return default


def t(key: str, lang: str, **fields: object) -> str:
    """The label `key` in `lang`, with {fields} filled in."""
    text = LABELS[key].get(lang) or LABELS[key]["zh"]
    return text.format(**fields) if fields else text
