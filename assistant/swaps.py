"""What a follow-up swaps into the last question: "那院士呢？" puts 院士 where the last question had its nearest phrase."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from .cues import (
    ASKS_EN,
    BACK_REFERENCE_START_ZH,
    BACK_REFERENCE_ZH,
    ELLIPSIS_ZH,
    GENERIC_WORDS_EN,
    GENERIC_WORDS_ZH,
    MARKED_TOPIC,
    OPENER_EN,
    QUESTION_WORDS_ZH,
)
from .terms import content_terms, is_english

__all__ = ["MIN_SWAP_SIMILARITY", "Similar", "ellipsis_target", "preposition", "substitute"]

# e5 cosine between the swapped-in thing and the phrase it replaces ("院士" ~ "诺贝尔奖科学家"); below it the
# follow-up is appended to the last question instead.
MIN_SWAP_SIMILARITY = 0.78
Similar = Callable[[str, Sequence[str]], np.ndarray]  # (text, candidates) -> cosine similarity per candidate


def _trim_en(x: str) -> str:
    # Articles and possessives: "their access to loans" swaps in "access to loans" (dev ra-090).
    x = re.sub(r"^(?:the|a|an|any|some|their|its|his|her|our|your)\s+", "", x.strip(), flags=re.I)
    x = re.sub(r"^(?:targets?|numbers?|figures?|plans?|goals?)\s+(?:for|of|on|about)\s+(?:the\s+)?", "", x, flags=re.I)
    return x.strip(" ,.;:?!")


def _trim_zh(x: str) -> str:
    x = re.sub(r"^(?:的|在|和|跟|与|对|关于|对于)", "", x.strip())
    x = re.sub(r"(?:方面的?|这块|领域的?|的情况|情况|的呢|呢)$", "", x)
    return x.strip(" ，,。？?")


def ellipsis_target(question: str) -> str | None:
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
    words = list(posseg.cut(text))
    starts = [0]
    for w in words:
        starts.append(starts[-1] + len(w.word))
    spans: list[tuple[int, int]] = []  # runs of noun-like words, as word indices [first, last + 1)
    first = None
    for i, w in enumerate([*words, None]):
        noun_like = w is not None and (w.flag[:1] in ("n", "j", "s", "a", "l") or w.flag in ("vn", "eng", "nz"))
        if noun_like and not GENERIC_WORDS_ZH.search(w.word):
            first = i if first is None else first
        elif first is not None:
            spans.append((first, i))
            first = None
    spans += _with_predicate(spans, words)
    return [(starts[a], starts[b]) for a, b in spans]


# What a question counts is often a noun and the verbs before its question word ("城镇新增就业多少": 就业 is a verb
# to jieba), so a run of nouns followed by verbs up to 多少 / 几 / 哪 is a candidate too: "那失业率呢？" after
# "去年城镇新增就业多少？" replaced 城镇 alone ("去年失业率新增就业多少？", dev rb-077).
_ASKING_ZH = re.compile(r"^(?:多少|几|哪)")


def _with_predicate(spans: list[tuple[int, int]], words: list) -> list[tuple[int, int]]:
    """Each run of nouns (word indices) extended over the verbs after it when a question word follows them."""
    out = []
    for first, end in spans:
        i = end
        while i < len(words) and words[i].flag in ("v", "vn", "vd") and not GENERIC_WORDS_ZH.search(words[i].word):
            i += 1
        if i > end and i < len(words) and _ASKING_ZH.match(words[i].word):
            out.append((first, i))
    return out


_YEAR = re.compile(r"(?:19|20)[0-9]{2}\s*年?")



def _topic_span(previous: str) -> tuple[int, int] | None:
    """The span of the previous question's marked topic (before a topic marker and a comma), None without one."""
    m = None if is_english(previous) else MARKED_TOPIC.match(previous)
    if m is None or re.search(r"多少|几|哪|什么|怎|如何|是否|请问|吗", m.group("topic")):
        return None
    return m.span("topic")


_PREPOSITION_EN = re.compile(r"^\s*(?:and|also|what about|how about)\s+(for|in|on|with)\s+", re.I)


def preposition(question: str) -> str:
    """The preposition an English follow-up puts before what it swaps in ("And for ports and airlines?" -> for)."""
    m = _PREPOSITION_EN.match(question) if is_english(question) else None
    return m.group(1).lower() if m else ""


def substitute(previous: str, target: str, similar: Similar | None, carried: str = "", after: str = "") -> str | None:
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
    if after and (found := list(re.finditer(rf"\b{after}\s+(?:the\s+)?", previous, re.I))):
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
