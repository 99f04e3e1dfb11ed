"""What a question's asked figure is about (its subject term) and the clauses of the evidence that state it."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from . import cues
from .evidence import NUMBER, has_evidence
from .question import COUNT, MONEY, PERCENT, TIME, Question

__all__ = ["answer_places", "specific_terms", "stated_among", "stated_facts", "subject_clauses", "subject_forms", "subject_groups", "term_near_number"]

_NEAR = 14  # characters between a key term and the number it counts


def _is_subject(term: str) -> bool:
    """Can the term be what a figure counts? A year or a number cannot, nor a single character."""
    return len(term) >= 2 and not term.isdigit()


def subject_groups(q: Question) -> list[tuple[str, ...]]:
    """The question's key-term groups that can be what a figure counts: neither a year, a number nor a single
    character (`_is_subject`), nor a word of the asked documents' titles (q.title_terms: "报告" of "2018年政府工作报告
    里…" names the document; a report's body seldom says 报告, so it looked like the rarest subject. Dev ra-082)."""
    naming = set(q.title_terms)
    return [g for g in q.groups if not naming.intersection(g) and any(_is_subject(t) for t in g)]


def specific_terms(groups: Sequence[Sequence[str]], idf: Callable[[str], float]) -> list[str]:
    """The question's specific key terms (not common words) that can name what a figure counts, lower-cased; once
    per question, for `term_near_number` on every candidate sentence."""
    terms = [t for g in groups for t in g if _is_subject(t) and _fact_subject(t)]
    # "Specific" is relative to the question: a term as common as 就业 in every loaded report still counts when the
    # question has nothing rarer, so a small or uniform corpus does not make every number question unanswerable.
    floor = min(1.0, max((idf(t) for t in terms), default=0.0))
    return [t.lower() for t in terms if idf(t) >= floor]


def term_near_number(terms: Sequence[str], text: str) -> bool:
    """One of the `specific_terms` followed within a few characters by a number."""
    low = text.lower()
    for t in terms:
        pos = low.find(t)
        while pos >= 0:
            if NUMBER.search(text[pos + len(t) : pos + len(t) + _NEAR]):
                return True
            pos = low.find(t, pos + 1)
    return False


_CLAUSE = re.compile(r"[，,；;。！？!?]")  # a clause keeps its lead-in ("预期目标是：国内生产总值增长6.5%左右")
# Never what a figure counts (see _fact_subject): interrogatives; 时候, what jieba leaves of 什么时候; 全年, which says
# the span a figure covers as 今年 says the year; ordinals, which number an occasion ("第七次人口普查…60岁以上老人
# 占多少？" asks about 老人, dev rc-066).
_NOT_SUBJECT = re.compile(r"几|多[少大高长久远]|哪|什么|怎|^时候$|^全年$|^第[一二三四五六七八九十百0-9]+|^[一二三四五六七八九十百0-9]+次$")


def _fact_subject(term: str) -> bool:
    """Can the term name what an asked figure is about? Not an interrogative ("几家", "多大"), a relative year
    ("今年", "去年") nor a word saying whether a target or a result is asked ("实际", "目标", "争取"): each was the
    rarest term of a question no fact clause says it of (dev ra-004, q034, rb-075; "去年居民消费价格实际涨了多少？")."""
    return not (_NOT_SUBJECT.search(term) or any(
        cue.fullmatch(term) for cue in (cues.THIS_YEAR, cues.LAST_YEAR, cues.NEXT_YEAR, cues.SEVERAL_YEARS,
                                        cues.QUESTION_TARGET, cues.QUESTION_OUTCOME)))


def subject_forms(q: Question, idf: Callable[[str], float], in_scope: Callable[[str], bool] | None = None) -> list[str]:
    """The forms of the question's most specific key term that can name what an asked figure is about (not a year,
    number, interrogative or relative year: `_fact_subject`); empty when it has none. An English question's are every
    translation of its key terms (`_english_forms`), the rarest being no better a guess. Only terms the documents use
    count (`in_scope`): a word they never use cannot be looked for in their clauses, whether the asker's own (物价
    where they say 居民消费价格), a slip of jieba's cut (率定 of "赤字率定的多少") or a dictionary translation of an
    English word. Stop 26, refit and run on dev: answerable questions it fired on 31 -> 18 of 329, unanswerable
    ones 57 -> 47 of 86; missing_rare tells the absent term apart."""
    groups = [g for g in subject_groups(q) if any(_fact_subject(t) for t in g)]
    if in_scope is not None:
        groups = [kept for g in groups if (kept := tuple(t for t in g if in_scope(t)))]
    if q.english:
        return _english_forms(q, groups, in_scope)
    if not groups:
        return []
    rarest = max(groups, key=lambda g: max(idf(t) for t in g))
    return [t.lower() for t in rarest if len(t) >= 2]


def _english_forms(q: Question, groups: Sequence[Sequence[str]], in_scope: Callable[[str], bool] | None) -> list[str]:
    """An English question's subject: every translation the documents use of any of its key terms, the counted
    thing's head word first. A dictionary reaches the document's word for one term and not another ("grain
    harvest": 粮食, not 产量; "average annual growth": 年均), so no single translation can be trusted to be the one
    the clause stating the figure uses; the rarest was often a verb's ("registered" -> 注册). Stop 32, on the fixed
    set and dev (`bench.fit_answerer --save-features`): no_subject_fact fired on 9.3% of the English answerable
    questions and 43% of the unanswerable ones with the rarest translation, 2.5% and 28% with any.
    A counted head with no translation in the documents' words ("provinces": they say 省) leaves the subject
    unknown rather than handing it to the other words (dev rc-038)."""
    head: list[str] = []
    if q.counted:
        head = [t for g in q.subject_groups for t in g if in_scope is None or in_scope(t)]
        if not head:
            return []
    forms = [*head, *(t for g in groups for t in g)]
    return list(dict.fromkeys(t.lower() for t in forms if len(t) >= 2))


def subject_clauses(forms: Sequence[str], texts: Sequence[str]) -> list[tuple[str, int]]:
    """(clause, index of its text) for every clause of the texts naming the subject; a clause keeps its lead-in
    (dev ra-064 "预期目标是：国内生产总值增长6.5%左右")."""
    if not forms:
        return []
    # A Latin form is matched as a whole word: m2 is not in "pm2.5" (dev rc-026).
    naming = re.compile("|".join(rf"(?<![a-z0-9]){re.escape(f)}(?![a-z0-9])" if f.isascii() else re.escape(f) for f in forms))
    return [(clause, i) for i, text in enumerate(texts) for clause in _CLAUSE.split(text) if naming.search(clause.lower())]


def _fact_kinds(q: Question) -> list[str] | None:
    """The kinds of fact a number question asks for ([] for a bare count); None when it asks no number or date."""
    kinds = [k for k in (MONEY, PERCENT, TIME) if q.wants(k)]
    return kinds if kinds or q.wants(COUNT) else None


def stated_among(q: Question, forms: Sequence[str], clauses: Sequence[tuple[str, int]]) -> list[tuple[str, int]] | None:
    """Those of the subject's `clauses` that state the asked kind of fact; None when the question asks no number or
    date, or has no term naming its subject (`forms`)."""
    kinds = _fact_kinds(q)
    if kinds is None or not forms:
        return None
    return [(c, i) for c, i in clauses if any(has_evidence(k, c) for k in kinds) or (not kinds and NUMBER.search(c))]


def stated_facts(q: Question, texts: Sequence[str], idf: Callable[[str], float]) -> list[tuple[str, int]] | None:
    """The clauses of the texts stating the asked kind of fact (a number, amount, share or date) together with the
    question's most specific key term (`subject_forms`, every term counting: the refusal signal in
    assistant/features.py passes the documents' words as `in_scope`), with the index of their text. None when the
    question asks no such fact or has no such term."""
    forms = subject_forms(q, idf)
    return stated_among(q, forms, subject_clauses(forms, texts))


def answer_places(q: Question, text: str) -> list[str]:
    """The places in `text` that could say where something asked happens. Not a place the question names itself
    ("首届中国国际消费品博览会在哪里举办？" is not answered by 中国, dev ra-109), and a two-character word only when
    CC-CEDICT knows it as a proper name: jieba tags 城市, 城镇 and 海洋 as places (dev rc-106); longer tagged words
    (粤港澳, 积石山) are kept unchecked, as the dictionary lacks many of a plan's own place names."""
    from .terms import is_proper_name, place_names

    named = q.text + "".join(t for g in q.groups for t in g)
    return [place for place in place_names(text, checked=False)
            if place not in named and (len(place) > 2 or is_proper_name(place))]
