"""Rewrites a follow-up ("那人才方面呢？", "And in Hong Kong?", "其中…", "有多少个？") into a standalone question."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .cues import (
    ASKS_EN,
    ASKS_MORE,
    ASKS_HOW,
    BACK_REFERENCE_EN,
    BACK_REFERENCE_START_ZH,
    BACK_REFERENCE_ZH,
    ELLIPSIS_ZH,
    GENERIC_WORDS_EN,
    GENERIC_WORDS_ZH,
    IT_IS_THE_DOCUMENT,
    MARKED_TOPIC,
    OPENER_EN,
    OPENER_ZH,
    QUESTION_WORDS_ZH,
    STANCE_WORD,
    STRUCTURE_WORDS,
    TOPIC_SWITCH,
)
from .section_refs import relative_item, section_refs, without_items
from .terms import clean_text, content_terms, is_english

__all__ = ["Resolved", "message_text", "resolve", "strip_switch_marker", "cited_ids_in"]

# e5 cosine between the swapped-in thing and the phrase it replaces ("院士" ~ "诺贝尔奖科学家"); below it the
# follow-up is appended to the last question instead.
MIN_SWAP_SIMILARITY = 0.78
Similar = Callable[[str, Sequence[str]], np.ndarray]  # (text, candidates) -> cosine similarity per candidate

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


def measured_in(reply: str) -> str:
    """What the first figure the reply quotes measures, in the document's words ("居民消费价格涨幅" of "居民消费价格
    涨幅3%左右"), or "". A follow-up asking about the same figure ("去年实际涨了多少？" after "今年物价涨幅控制在多少？")
    searches these words too: the user's word (物价) is often not the document's (dev ra-030, ra-086)."""
    from index.figures import subject_of

    text = _FRAME.sub(" ", reply or "")
    for n, m in enumerate(_FIGURE.finditer(text)):
        if n >= 3:
            break
        subject = subject_of(text, m.start())
        if subject:
            return subject
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


def _is_followup(question: str) -> bool:
    if _bare(question) or _topicless(question) or _nounless(question) or ASKS_MORE.search(question):
        return True  # "还提了哪些措施？", "What else does it say?": more of the last topic
    if is_english(question):
        probe = IT_IS_THE_DOCUMENT.sub(" ", question)
        return bool(OPENER_EN.match(question) or BACK_REFERENCE_EN.search(probe) or relative_item(question))
    return bool(
        OPENER_ZH.match(question)
        or re.search(r"呢\s*[？?]?\s*$", question)
        or BACK_REFERENCE_ZH.search(question)
        or BACK_REFERENCE_START_ZH.match(question)
        or relative_item(question)
    )



def _trim_en(x: str) -> str:
    # Articles and possessives: "their access to loans" swaps in "access to loans" (dev ra-090).
    x = re.sub(r"^(?:the|a|an|any|some|their|its|his|her|our|your)\s+", "", x.strip(), flags=re.I)
    x = re.sub(r"^(?:targets?|numbers?|figures?|plans?|goals?)\s+(?:for|of|on|about)\s+(?:the\s+)?", "", x, flags=re.I)
    return x.strip(" ,.;:?!")


def _trim_zh(x: str) -> str:
    x = re.sub(r"^(?:的|在|和|跟|与|对|关于|对于)", "", x.strip())
    x = re.sub(r"(?:方面的?|这块|领域的?|的情况|情况|的呢|呢)$", "", x)
    return x.strip(" ，,。？?")


def _ellipsis_target(question: str) -> str | None:
    """The thing the follow-up swaps in: "那院士呢？" -> "院士", "And about robots?" -> "robots"."""
    if is_english(question):
        if not OPENER_EN.match(question):
            return None
        body = re.sub(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+|^\s*and\s+(?:also\s+)?|^\s*also\s+|^\s*what of\s+", "", question, flags=re.I)
        body = re.sub(r"^(?:about|regarding|for|in|on|with)\s+", "", body.strip(), flags=re.I)
        if re.match(r"^(?:how|what|which|who|when|where|why|is|are|does|do|will|can)\b", body, re.I):
            return None  # "And how many…?" is a new question about the same topic, not a swap
        x = _trim_en(body)
        if ASKS_EN.search(x):
            return None  # "What about energy use—by how much should it fall?" asks anew (dev rb-051)
        return x or None
    m = ELLIPSIS_ZH.match(question)
    if BACK_REFERENCE_START_ZH.match(question) or BACK_REFERENCE_ZH.search(question):
        return None  # "具体在医疗行业呢？" narrows the last topic rather than swapping it
    if not m or not re.search(r"呢|怎么样|如何|怎么说", question):
        return None
    x = _trim_zh(m.group("x"))
    if not x or QUESTION_WORDS_ZH.sub("", x) == "" or re.search(r"多少|几|哪些|什么|怎么|如何", x):
        return None
    return x



def _chunks(text: str) -> list[tuple[int, int]]:
    """Spans of the question a swapped-in thing could replace: maximal runs of adjacent noun-like words."""
    runs: list[tuple[int, int]] = []
    if is_english(text):
        keep = set(content_terms(text)) - GENERIC_WORDS_EN
        start = end = None
        for m in re.finditer(r"[A-Za-z][A-Za-z\-']*|[^A-Za-z\s]+", text):
            parts = [p for p in re.split(r"[-']", m.group().lower()) if p]
            if parts and any(p in keep for p in parts):
                start = m.start() if start is None else start
                end = m.end()
            elif start is not None:
                runs.append((start, end))
                start = None
        if start is not None:
            runs.append((start, end))
        return runs
    from .terms import load_jieba

    _, posseg = load_jieba()
    pos, start = 0, None
    for w in posseg.cut(text):
        noun_like = w.flag[:1] in ("n", "j", "s", "a", "l") or w.flag in ("vn", "eng", "nz")
        if noun_like and not GENERIC_WORDS_ZH.search(w.word):
            start = pos if start is None else start
        elif start is not None:
            runs.append((start, pos))
            start = None
        pos += len(w.word)
    if start is not None:
        runs.append((start, pos))
    return runs


_YEAR = re.compile(r"(?:19|20)[0-9]{2}\s*年?")



def _topic_span(previous: str) -> tuple[int, int] | None:
    """The span of the previous question's marked topic (before a topic marker and a comma), None without one."""
    m = None if is_english(previous) else MARKED_TOPIC.match(previous)
    if m is None or re.search(r"多少|几|哪|什么|怎|如何|是否|请问|吗", m.group("topic")):
        return None
    return m.span("topic")


_PREPOSITION_EN = re.compile(r"^\s*(?:and|also|what about|how about)\s+(for|in|on|with)\s+", re.I)


def _preposition(question: str) -> str:
    """The preposition an English follow-up puts before what it swaps in ("And for ports and airlines?" -> for)."""
    m = _PREPOSITION_EN.match(question) if is_english(question) else None
    return m.group(1).lower() if m else ""


def _substitute(previous: str, target: str, similar: Similar | None, carried: str = "", preposition: str = "") -> str | None:
    """The previous question with its most similar key phrase replaced by `target`, or None when nothing fits;
    a year replaces the year ("那2021年呢？"). `carried`: the topic the previous rewrite carried from an earlier
    turn, which the target replaces whole ("物价涨幅、居民消费价格涨幅：去年实际涨了多少？" + "那失业率呢？" ->
    "失业率：去年实际涨了多少？"; replacing one of its phrases kept 物价涨幅 in the search: dev ra-031)."""
    if _YEAR.fullmatch(target.strip()) and _YEAR.search(previous):
        year = target.strip().rstrip("年")
        return _YEAR.sub(lambda m: year + ("年" if m.group().rstrip().endswith("年") else ""), previous, count=1)
    if carried and previous.startswith(f"{carried}："):  # _join's Chinese form, "topic：question"
        return target + previous[len(carried):]
    if carried and previous.endswith(f"({carried})"):  # its English form, "question (topic)"
        return f"{previous[: -len(carried) - 2]}({target})"
    if preposition and (found := list(re.finditer(rf"\b{preposition}\s+(?:the\s+)?", previous, re.I))):
        # "And for ports and airlines?" after "…cut costs for trucks using the highways?": what followed the same
        # preposition, to the end of the question, is what the turn replaces (dev re-051); a nearest noun alone
        # ("highways") left "for trucks using the ports and airlines".
        start, end = found[-1].end(), len(previous.rstrip(" ?？.!"))
        return f"{previous[:start]}{target}{previous[end:]}"
    spans = _chunks(previous)
    if not spans or similar is None:
        return None
    if (topic := _topic_span(previous)) is not None:
        s, e = topic
        return f"{previous[:s]}{target}{previous[e:]}"
    texts = [previous[s:e] for s, e in spans]
    sims = np.asarray(similar(target, texts), dtype=float)
    best = int(np.argmax(sims))
    if sims[best] < MIN_SWAP_SIMILARITY:
        return None
    s, e = spans[best]
    sep = " " if is_english(previous) else ""
    return f"{previous[:s]}{sep if s and previous[s-1] != ' ' else ''}{target}{previous[e:]}".replace("  ", " ")



def topic_of(previous: str, question: str) -> str:
    """What the earlier turn was about that the follow-up leaves unsaid: its runs of key words (jieba's precise
    cut, adjacent key words joined: "海外创新中心") that the follow-up lacks."""
    from .cues import STOPWORDS_EN, STOPWORDS_ZH
    from .terms import load_jieba

    own = set(content_terms(question))
    english = is_english(previous)
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


def _join(previous: str, question: str, measured: str = "") -> tuple[str, str]:
    """The follow-up made readable on its own: the earlier topic first (with what the last answer's figure measured,
    when the follow-up names no topic of its own), then the follow-up's own words; and that topic ("" if none)."""
    topic = topic_of(previous, question)
    if measured and measured not in previous and measured not in topic:
        topic = (", " if is_english(question) else "、").join(t for t in (topic, measured) if t)
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
    target = _ellipsis_target(stripped)
    if item is not None and box is not None:
        out.rewritten, out.how = f"{box.text}{stripped}" if not is_english(stripped) else f"{stripped} (box {box.number})", "item"
    elif target is not None and (swapped := _substitute(base, target, similar, prev.topic, _preposition(stripped))) is not None:
        out.rewritten, out.how = swapped, "substituted"
    elif item is None and len(_own_topic(stripped)) >= OWN_TOPIC_TERMS:
        # "And which big companies does the plan single out for support?", "那今年中央预算内投资安排了多少？": the turn
        # says its own topic, so the last one's words would only pull the search back to it (and its refusal
        # signals to the last topic's figures: dev rb-040, rc-121); the sections cited last stay candidates.
        # Chinese follow-ups that only name a topic ("那X呢？") are swapped into the last question above.
        out.rewritten, out.how = stripped, "own topic"
    else:
        # What the last answer's figure measures is no topic of a follow-up asking how, which asks for measures
        # ("脱贫以后怎么防止再返贫？" after a quote of "近1亿农村贫困人口实现脱贫", dev rb-058).
        same_figure = (_topicless(stripped) or _nounless(stripped)) and not ASKS_HOW.search(stripped)
        out.rewritten, out.topic = _join(base, stripped, measured_in(reply) if same_figure else "")
        out.how = "appended" if _bare(stripped) else "referenced"
    if out.how != "substituted":  # a swapped question already says everything it keeps from the last one
        current = set(content_terms(stripped))
        out.context_terms = [t for t in content_terms(base) if t not in current]
    return out
