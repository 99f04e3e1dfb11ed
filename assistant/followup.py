"""Rewrites a follow-up ("那人才方面呢？", "And in Hong Kong?", "其中…", "有多少个？") into a standalone question."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import cues
from .cues import (
    ASKS_HOW,
    ASKS_MORE,
    BACK_REFERENCE_EN,
    BACK_REFERENCE_START_ZH,
    BACK_REFERENCE_ZH,
    GENERIC_WORDS_ZH,
    IT_IS_THE_DOCUMENT,
    OPENER_EN,
    OPENER_ZH,
    QUESTION_WORDS_ZH,
    STANCE_WORD,
    STRUCTURE_WORDS,
    TOPIC_SWITCH,
)
from .dating import YEAR, asked_years
from .section_refs import relative_item, section_refs, without_items
from .swaps import Similar, ellipsis_target, preposition, substitute
from .terms import clean_text, content_terms, is_english

__all__ = ["Resolved", "message_text", "resolve", "strip_switch_marker", "cited_ids_in"]


_CITED = re.compile(r"\[([^\[\]\n]{1,40})\]")


def message_text(content: Any) -> str:
    """The text of a chat message's content: a str, a Gradio 6 content list/dict ({"type": "text", "text": …}), or None."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        for key in ("text", "content", "value"):
            if key in content:
                return message_text(content[key])
        return ""
    if isinstance(content, (list, tuple)):
        return " ".join(t for t in (message_text(c) for c in content) if t)
    return ""


def cited_ids_in(text: str) -> list[str]:
    """Section IDs cited as [ID] in an earlier answer."""
    return list(dict.fromkeys(m.group(1).strip() for m in _CITED.finditer(text)))


def strip_switch_marker(question: str) -> tuple[str, bool]:
    """The question without a leading "换个问题，" / "Different question -"; True when one was there."""
    m = TOPIC_SWITCH.match(question)
    if m and question[m.end() :].strip():
        return question[m.end() :].strip(), True
    return question, False


@dataclass
class Resolved:
    """A question made standalone: `rewritten` is what is searched, `context_terms` come from the earlier turn."""

    question: str
    rewritten: str
    followup: bool = False
    switched: bool = False
    previous: str = ""
    previous_ids: list[str] = field(default_factory=list)
    context_terms: list[str] = field(default_factory=list)
    how: str = ""  # "substituted", "referenced", "appended", "item" — how the rewrite was made
    topic: str = ""  # the earlier topic a "referenced" rewrite carries ("物价涨幅、居民消费价格涨幅" of "…：去年实际涨了多少？")
    reply: str = ""  # the text of the last answer, which a follow-up asking for more ("还有什么？") must not repeat


def _user_turns(history: Sequence[Any] | None) -> list[tuple[str, str]]:
    """Earlier user questions in order, each with the text of the assistant's reply to it ("" before a reply)."""
    turns: list[tuple[str, str]] = []
    for msg in history or []:
        if isinstance(msg, dict):
            role, text = msg.get("role"), message_text(msg.get("content"))
        elif isinstance(msg, (list, tuple)) and len(msg) == 2:  # Gradio's old (user, assistant) pairs
            turns.append((clean_text(message_text(msg[0])), message_text(msg[1])))
            continue
        else:
            continue
        text = clean_text(text)
        if role == "user" and text:
            turns.append((text, ""))
        elif role == "assistant" and turns:
            turns[-1] = (turns[-1][0], text)
    return turns


# A figure in a reply: digits with a unit, not a year ("6.5%左右", "1000万以上", not "2017年").
_FIGURE = re.compile(r"[0-9０-９]+(?:\.[0-9]+)?\s*(?:[%％‰]|[万亿]|[个家名项条所座台套人元亩斤吨倍])")


# What a reply's frame adds around its quotes: a document's name with the section ID after it (《…》三(一)), a
# heading 「…」, a citation […]. The ID's numerals would read as a figure's subject ("据三", dev ra-086).
_FRAME = re.compile(r"《[^》]*》[^\s「:：\[]*|「[^」]*」|\[[^\]]*\]")


def measured_in(reply: str, asked: str = "") -> str:
    """What the first figure the reply quotes measures, in the document's words ("居民消费价格涨幅" of "居民消费价格
    涨幅3%左右"), or "". A follow-up asking about the same figure ("去年实际涨了多少？" after "今年物价涨幅控制在多少？")
    searches these words too: the user's word (物价) is often not the document's (dev ra-030, ra-086).
    When the quote names words of the question it answered (`asked`) and the figure's subject shares none, the
    figure is another thing the sentence counts, not the answer: "设立13个跨境电商综合试验区" quoted for
    "进出口货物通关时间这几年缩短了多少？" (its answer, "缩短一半以上", has no digits) pulled "今年还要再压多少？" back
    to the review (dev re-020)."""
    from index.figures import subject_of

    text = _FRAME.sub(" ", reply or "")
    words = [t for t in content_terms(asked) if len(t) >= 2 and t in text] if asked else []
    for n, m in enumerate(_FIGURE.finditer(text)):
        if n >= 3:
            break
        subject = subject_of(text, m.start())
        if subject:
            return "" if words and not any(t in subject for t in words) else subject
    return ""


def _bare(question: str) -> bool:
    """Nothing but question words ("有多少个？", "具体是什么？", "How many?")."""
    if is_english(question):
        return not content_terms(question)
    return len(QUESTION_WORDS_ZH.sub("", question)) <= 2


def _topicless(question: str) -> bool:
    """Only words of when and whether ("去年实际涨了多少？", "What about this year?"): the topic is the last turn's."""
    return not [t for t in content_terms(question) if not STANCE_WORD.match(t)]


def _nounless(question: str) -> bool:
    """A Chinese question with no noun at all ("主要用来干什么？", "为什么要调低？"): what it asks about is the last turn's."""
    if is_english(question):
        return False
    from .terms import load_jieba

    _, posseg = load_jieba()
    return not any(w.flag[:1] == "n" or w.flag in ("j", "vn", "eng") for w in posseg.cut(question))


# A follow-up with this many words of its own topic (not structure, time or stance words) is searched by its own
# words alone. Checked on the suite's dev follow-ups (`plan-assistant eval`).
OWN_TOPIC_TERMS = 3


def _own_topic(question: str) -> list[str]:
    """The follow-up's own topic words. English: content terms that are not structure words ("box", "其中") nor
    stance words. Chinese: the nouns jieba finds (not generic, structure or stance words), since its content terms
    come with their sub-words ("养老金", "养老", "老金") and so overcount."""
    if is_english(question):
        return [t for t in content_terms(without_items(question)) if t not in STRUCTURE_WORDS and not STANCE_WORD.match(t)]
    from .terms import load_jieba

    _, posseg = load_jieba()
    return [w.word for w in posseg.cut(without_items(question))
            if (w.flag[:1] in ("n", "j", "l") or w.flag in ("vn", "eng")) and w.word not in STRUCTURE_WORDS
            and not GENERIC_WORDS_ZH.search(w.word) and not STANCE_WORD.match(w.word)
            and not QUESTION_WORDS_ZH.search(w.word)]


# "those companies", "of that investment": a demonstrative before a noun names a thing of the last turn. Not a
# pronoun ("it" may point inside the turn: "energy use … by how much should it fall", dev rb-051) nor "that" after
# a noun (a relative clause: "companies that invest").
_POINTING_EN = re.compile(
    r"\b(?:those|these)\s+(?!are\b|were\b)[a-z]"
    r"|\b(?:of|for|on|in|to|from|with|by|about|does|do|did|will|is|was|would)\s+(?:that|this)\s+(?!is\b|was\b|one\b)[a-z]"
    # A part of something named before ("How much of that is VAT credit refunds?"): nothing earlier in the same
    # turn can be what "that" is (dev rk-043 was searched alone and refused).
    r"|\bhow (?:much|many) of (?:that|this|it|them|those|these)\b",
    re.I)


def _points_back(question: str) -> bool:
    """Does an English turn name something by pointing at the last one ("those companies")? Then its words, however
    many, are about what the last turn was about. (Chinese turns pointing back with a noun of their own, "你刚才提到的
    那个跨太平洋的协定", mostly point at the last answer, not the last question: dev rh-032, p-022.)"""
    return is_english(question) and bool(_POINTING_EN.search(question))


def _is_followup(question: str) -> bool:
    if _bare(question) or _topicless(question) or _nounless(question) or ASKS_MORE.search(question):
        return True  # "还提了哪些措施？", "What else does it say?": more of the last topic
    if is_english(question):
        probe = IT_IS_THE_DOCUMENT.sub(" ", question)
        return bool(OPENER_EN.match(question) or BACK_REFERENCE_EN.search(probe) or _POINTING_EN.search(question)
                    or relative_item(question))
    return bool(
        OPENER_ZH.match(question)
        or re.search(r"呢\s*[？?]?\s*$", question)
        or BACK_REFERENCE_ZH.search(question)
        or BACK_REFERENCE_START_ZH.match(question)
        or relative_item(question)
    )


# The times a turn names: years (2016年), 今年 / 去年 / 明年 and their English, spans (过去五年, past five years).
_WHEN = re.compile("|".join(c.pattern for c in (cues.SEVERAL_YEARS, cues.THIS_YEAR, cues.LAST_YEAR, cues.NEXT_YEAR,
                                                cues.YEAR_AFTER_NEXT)) + f"|(?:{YEAR.pattern})年?", re.I)


def _says_when(question: str) -> bool:
    """Does the turn name a time? (Any document year dates its 今年 / 去年: only whether one is named matters.)"""
    return bool(asked_years(question, 2000))


def topic_of(previous: str, question: str) -> str:
    """What the earlier turn was about that the follow-up leaves unsaid: its runs of key words (jieba's precise
    cut, adjacent key words joined: "海外创新中心") that the follow-up lacks."""
    from .cues import STOPWORDS_EN, STOPWORDS_ZH
    from .terms import load_jieba

    own = set(content_terms(question))
    english = is_english(previous)
    if _says_when(question):  # the follow-up's own time replaces the earlier turn's ("this year" after "past five years")
        previous = _WHEN.sub(" ", previous)
    if english:
        tokens = re.findall(r"[A-Za-z][A-Za-z'\-]*|[0-9][0-9.,%]*|\S", previous)
    else:
        jieba, _ = load_jieba()
        tokens = jieba.lcut(previous)
    runs, current = [], []
    for tok in tokens:
        word = tok.strip()
        key = re.sub(r"'(?:s|re|ll|ve|d|t)$", "", word.lower())  # "What's" is "what"
        keep = bool(word) and key not in STOPWORDS_ZH and key not in STOPWORDS_EN and not STANCE_WORD.match(word) and (
            re.search(r"[\u3400-\u9fffA-Za-z0-9]", word) is not None) and not QUESTION_WORDS_ZH.fullmatch(word)
        if keep:
            current.append(word)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    sep = " " if english else ""
    phrases = [sep.join(r) for r in runs]
    phrases = [p for p in phrases if len(p) >= 2 and not any(w in own for w in content_terms(p))]
    return (", " if english else "、").join(dict.fromkeys(phrases))


# A turn asking what comes later names its own time: "…for last year, and what does it want to happen next?" asks
# its second part of no year past (dev re-045).
_LATER = re.compile(r"\bnext\b|\bfuture\b|\bfrom now on\b|\bgoing forward\b|下一步|今后|接下来|未来", re.I)


def time_of(previous: str, question: str, topic: str = "") -> str:
    """The times the earlier turn names, when the follow-up names none (and the topic holds none of them): "这次补贴总共
    多少钱？" after "今年对种粮农民有什么补贴？" asks about this year's, and without 今年 it was answered with the 2021
    review's 200亿元 (dev rk-058)."""
    if _says_when(question) or _LATER.search(question):
        return ""
    times = dict.fromkeys(m.group().strip() for m in _WHEN.finditer(previous))
    return (", " if is_english(question) else "、").join(t for t in times if t and t not in topic)


def _join(previous: str, question: str, measured: str = "") -> tuple[str, str]:
    """The follow-up made readable on its own: the earlier topic first (with the earlier turn's time when the
    follow-up names none, and what the last answer's figure measured when it names no topic of its own), then the
    follow-up's own words; and that topic ("" if none)."""
    topic = topic_of(previous, question)
    sep = ", " if is_english(question) else "、"
    if measured and measured not in previous and measured not in topic:
        topic = sep.join(t for t in (topic, measured) if t)
    if topic and (when := time_of(previous, question, topic)):
        topic = sep.join((when, topic))
    if not topic:
        prev = previous if previous.rstrip()[-1:] in "?.!？。" else previous + ("?" if is_english(previous) else "？")
        return (f"{prev} {question}" if is_english(question) else f"{prev}{question}"), ""
    if is_english(question):
        return f"{question} ({topic})", topic
    return f"{topic}：{question}", topic


def resolve(question: str, history: Sequence[Any] | None = None, similar: Similar | None = None) -> Resolved:
    """Make `question` standalone using the earlier user turns; a complete, new question is left as it is."""
    question = clean_text(question)
    stripped, switched = strip_switch_marker(question)
    turns = _user_turns(history)
    if switched or not turns:
        return Resolved(question, stripped, switched=switched)
    # Earlier turns may be follow-ups too: resolve them in order so "那院士呢？" → "那博士呢？" chains work.
    context: Resolved | None = None
    reply = ""
    for text, answer in turns:
        context = _resolve_one(text, context, similar, reply)
        reply = answer
    assert context is not None
    return _resolve_one(question, context, similar, reply)


def _resolve_one(question: str, prev: Resolved | None, similar: Similar | None, reply: str) -> Resolved:
    """Resolve one turn against the previous (resolved) one; `reply` is the assistant's answer to that one."""
    reply_ids = cited_ids_in(reply)
    stripped, switched = strip_switch_marker(question)
    if prev is None or switched or not _is_followup(stripped):
        return Resolved(question, stripped, switched=switched)
    base = prev.rewritten
    out = Resolved(question, stripped, followup=True, previous=base, previous_ids=list(reply_ids), reply=reply)
    item = relative_item(stripped)
    box = next((ref for ref in section_refs(base) if ref.kind == "box" and ref.item is None), None)
    target = ellipsis_target(stripped)
    if item is not None and box is not None:
        out.rewritten, out.how = f"{box.text}{stripped}" if not is_english(stripped) else f"{stripped} (box {box.number})", "item"
    elif target is not None and (swapped := substitute(base, target, similar, prev.topic, preposition(stripped))) is not None:
        out.rewritten, out.how = swapped, "substituted"
    elif item is None and len(_own_topic(stripped)) >= OWN_TOPIC_TERMS and not _points_back(stripped):
        # "And which big companies does the plan single out for support?", "那今年中央预算内投资安排了多少？": the turn
        # says its own topic, so the last one's words would only pull the search back to it (and its refusal
        # signals to the last topic's figures: dev rb-040, rc-121); the sections cited last stay candidates.
        # Chinese follow-ups that only name a topic ("那X呢？") are swapped into the last question above.
        out.rewritten, out.how = stripped, "own topic"
    else:
        # What the last answer's figure measures is no topic of a follow-up asking how, which asks for measures
        # ("脱贫以后怎么防止再返贫？" after a quote of "近1亿农村贫困人口实现脱贫", dev rb-058).
        same_figure = (_topicless(stripped) or _nounless(stripped)) and not ASKS_HOW.search(stripped)
        out.rewritten, out.topic = _join(base, stripped, measured_in(reply, base) if same_figure else "")
        out.how = "appended" if _bare(stripped) else "referenced"
    if out.how != "substituted":  # a swapped question already says everything it keeps from the last one
        current = set(content_terms(stripped))
        out.context_terms = [t for t in content_terms(base) if t not in current]
    return out
