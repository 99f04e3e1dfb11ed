"""What a question asks: its language, the kind of answer it wants, its key terms and the sections it names."""
from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from .cues import (
    ASKS_COUNT,
    ASKS_HOW,
    ASKS_LIST,
    ASKS_LOCATIONS,
    ASKS_MONEY,
    ASKS_PERCENT,
    ASKS_PERSON,
    ASKS_TIME,
    ASKS_YESNO,
    COUNTED_THING,
    DOCUMENT_WORD,
    NOT_HEAD,
    SHARE_AFTER_MONEY,
    TARGETED_THING,
)
from .per_unit import asked_units
from .section_refs import SectionRef, section_refs
from .terms import (
    Translate,
    content_terms,
    english_places,
    is_english,
    known_concept,
    place_names,
    quoted_terms,
    term_groups,
    translated_share,
)

__all__ = [
    "Question", "Translate", "analyze", "count_subject", "naming_the_document", "question_kinds", "subject_head_groups",
    "COUNT", "MONEY", "PERCENT", "TIME", "PERSON", "LOCATE", "LIST", "HOW", "YESNO", "WHAT", "NEEDS_EVIDENCE",
]

# Answer kinds. A question of kind MONEY/PERCENT/TIME/PERSON is only answered by a sentence holding that kind
# of fact; COUNT prefers sentences with numbers; LIST, HOW and LOCATE shape which sentences are picked.
COUNT, MONEY, PERCENT, TIME, PERSON, LOCATE, LIST, HOW, YESNO, WHAT = (
    "count", "money", "percent", "time", "person", "locate", "list", "how", "yesno", "what",
)
NEEDS_EVIDENCE = (MONEY, PERCENT, TIME, PERSON)

# Which answer kind each cue asks for, most specific first (question_kinds keeps them all).
_KIND_CUES: list[tuple[str, re.Pattern]] = [
    (MONEY, ASKS_MONEY),
    (PERCENT, ASKS_PERCENT),
    (TIME, ASKS_TIME),
    (PERSON, ASKS_PERSON),
    (LOCATE, ASKS_LOCATIONS),
    (COUNT, ASKS_COUNT),
    (HOW, ASKS_HOW),
    (LIST, ASKS_LIST),
    (YESNO, ASKS_YESNO),
]


# -- the analysed question --------------------------------------------------------------------------------------


@dataclass
class Question:
    """A cleaned question and what it asks for."""

    text: str
    english: bool
    kinds: list[str]
    terms: list[str]
    refs: list[SectionRef] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    context_terms: list[str] = field(default_factory=list)  # from the earlier turn a follow-up leans on
    # What lexical matching looks for in the plan: each group is one term's alternatives. A Chinese term is its
    # own group; an English phrase's group holds the plan's Chinese words it translates to.
    groups: list[tuple[str, ...]] = field(default_factory=list)
    context_groups: list[tuple[str, ...]] = field(default_factory=list)
    # English only: share of the question's content words that translate to words of the plan (None: not known).
    translated_share: float | None = None
    # English "how many X" / "X targets": X as written (`count_subject`), and the plan's words for its head word;
    # the answer's sentence needs one.
    counted: str | None = None
    subject_groups: list[tuple[str, ...]] = field(default_factory=list)
    # Key terms that are words of the asked documents' titles ("2018年政府工作报告里…": 报告, 工作): they say which
    # document is asked, not what a figure counts (set by PlanAssistant, which knows the titles).
    title_terms: tuple[str, ...] = ()
    # The words that say what is asked: a follow-up's own ("那今年还要再压多少？"), not the earlier topic its rewrite
    # carries ("…几年缩短：…" would ask for a count of years); "" when it is `text`.
    asking: str = ""
    # The units a figure is asked per ("每户", "each household"), each as the documents' words for it; None when
    # none is asked or can be read (assistant/per_unit.py).
    per_units: list[tuple[str, ...]] | None = None

    @property
    def kind(self) -> str:
        return self.kinds[0] if self.kinds else WHAT

    def wants(self, kind: str) -> bool:
        return kind in self.kinds

    def alternatives(self, term: str) -> tuple[str, ...]:
        """A key term with the words its lexical group adds: in a Chinese question an acronym's spelled-out words
        (GDP: 国内生产总值, `terms.term_groups`); else the term alone."""
        return next((g for g in self.groups if g and g[0] == term), (term,))



def question_kinds(text: str) -> list[str]:
    """Every answer kind the question's wording cues, most specific first."""
    kinds = [kind for kind, pattern in _KIND_CUES if pattern.search(text)]
    if MONEY in kinds and SHARE_AFTER_MONEY.search(text):
        kinds = [PERCENT if k == MONEY else k for k in kinds if k != PERCENT]
    return kinds or [WHAT]



def count_subject(text: str) -> str | None:
    """What an English question counts or sets a target for: "How many 5G base stations will…" -> "5G base stations"."""
    m = COUNTED_THING.search(text)
    if m:
        subject = m.group("a") or m.group("b")
    else:
        m = TARGETED_THING.search(text)
        if not m:
            return None
        subject = m.group("c")
    subject = re.split(r"\s+[-–—]\s+|\s+versus\s+|\s+vs\.?\s+", subject.strip())[0]
    subject = NOT_HEAD.sub("", subject).strip()  # "laboratories built around…" -> "laboratories"
    return " ".join(subject.split()[-3:]) or None


def subject_head_groups(subject: str, translate: Translate | None) -> list[tuple[str, ...]]:
    """The groups the counted thing's head word needs: "maker spaces" -> the plan's words for "space" (空间); an
    acronym head ("GDP") stands for itself. A head the dictionary knows but the plan has no word for ("base
    stations") gets an empty group: no sentence can hold it. Empty list: the head is unknown, nothing to check."""
    words = subject.split()
    if not words:
        return []
    head = words[-1]
    if re.fullmatch(r"[A-Z][A-Z0-9&]{1,5}", head):
        return [(head,)]
    if translate is None:
        return []
    from index.lexical import english_terms

    stem = english_terms(head)
    found = translate(" ".join(words[-2:]))
    if not stem:
        return []
    if found and stem[-1] in found[-1][0].split():
        return [found[-1][1]]
    if len(words) >= 2 and known_concept(" ".join(words[-2:])):
        return [()]  # "base station": a thing the dictionary knows and the plan never names
    return []


def analyze(
    text: str,
    *,
    kinds_from: str | None = None,
    context_terms: Sequence[str] = (),
    translate: Translate | None = None,
) -> Question:
    """Analyse a (standalone) question; `kinds_from` is the text whose wording sets the answer kind (a follow-up's
    own words: "有多少个？" asks for a number whatever the earlier question asked); `context_terms` are what a
    follow-up carries over from the earlier turn; `translate` maps English phrases to the plan's words."""
    kinds = question_kinds(kinds_from) if kinds_from else [WHAT]
    if kinds == [WHAT]:
        kinds = question_kinds(text)
    # "哪些地方谈到…" says how to answer (every place), not what about: its 地方 is no topic (地方政府专项债券 is).
    # Chinese only: the English patterns span topic words ("where does the plan … mention").
    terms = content_terms(text if is_english(text) else ASKS_LOCATIONS.sub(" ", text))
    own = set(terms)
    joined = " ".join(context_terms)
    if joined and is_english(joined):
        context_groups = term_groups(joined, list(context_terms), translate)
    else:
        context_groups = [(t,) for t in context_terms if t not in own]
    english = is_english(text)
    share = translated_share(text, translate) if english and translate else None
    subject = count_subject(text) if english else None
    subject_groups = subject_head_groups(subject, translate) if subject else []
    return Question(
        text=text,
        english=english,
        translated_share=share,
        counted=subject,
        subject_groups=subject_groups,
        kinds=kinds,
        terms=terms,
        refs=section_refs(text),
        places=english_places(text) if english else place_names(text),
        quoted=quoted_terms(text),
        context_terms=list(context_terms),
        asking=kinds_from if kinds_from and kinds_from != text else "",
        groups=term_groups(text, terms, translate),
        context_groups=context_groups,
        per_units=asked_units(text, translate),
    )


def document_name_words(text: str, titles: Sequence[str]) -> set[str]:
    """The key terms inside the document's name as the question writes it: the longest stretch ending in a kind word
    (报告, 规划…) that some loaded title holds ("政府工作报告" of "2023年的政府工作报告里…" gives 政府, 工作). They say
    which document, like the kind word; elsewhere in the question a title's word is a topic (科技创新 of the
    Shenzhen plan's title)."""
    words: set[str] = set()
    for m in DOCUMENT_WORD.finditer(text):
        start = m.start()
        # "2023年的政府工作报告": a 的 inside the name is the asker's, not the title's.
        while start > 0 and any(text[start - 1 : m.end()].replace("的", "") in title for title in titles):
            start -= 1
        if start < m.start():
            words.update(content_terms(text[start : m.end()]))
    return words


def naming_the_document(q: Question, title_terms: Sequence[str], named: Collection[str] = ()) -> Question:
    """The question without the key terms that only say which document is asked ("报告里…", "the report", "规划中…"):
    words of the asked documents' titles (`title_terms`) that name a kind of document, and those of the name the
    question writes (`named`, from `document_name_words`). Weighed as key terms, they
    made a sentence with the word (报告 is rare in a report's text) outrank the asked topic: "报告里关于住房的内容"
    quoted "向全国人大常委会报告国有资产管理情况" (dev ra-069). A question of nothing else keeps them."""
    kind_words = {t for t in title_terms if DOCUMENT_WORD.fullmatch(t)} | (set(named) & set(title_terms))
    if not kind_words:
        return q
    groups = [g for g in q.groups if not kind_words.intersection(g)]
    if not groups:
        return q
    q.groups = groups
    q.terms = [t for t in q.terms if t not in kind_words]
    return q
