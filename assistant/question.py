"""What a question asks: its language, the kind of answer it wants, its key terms and the sections it names."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "Question", "Translate", "analyze", "count_subject", "question_kinds", "subject_head_groups",
    "COUNT", "MONEY", "PERCENT", "TIME", "PERSON", "LOCATE", "LIST", "HOW", "YESNO", "WHAT", "NEEDS_EVIDENCE",
]

# Answer kinds. A question of kind MONEY/PERCENT/TIME/PERSON is only answered by a sentence holding that kind
# of fact; COUNT prefers sentences with numbers; LIST, HOW and LOCATE shape which sentences are picked.
COUNT, MONEY, PERCENT, TIME, PERSON, LOCATE, LIST, HOW, YESNO, WHAT = (
    "count", "money", "percent", "time", "person", "locate", "list", "how", "yesno", "what",
)
NEEDS_EVIDENCE = (MONEY, PERCENT, TIME, PERSON)

_KIND_CUES: list[tuple[str, re.Pattern]] = [
    (MONEY, re.compile(
        r"多少钱|经费|预算|资金(?:是)?多少|多少资金|投资(?:是)?多少|多少投资|总投资|投入多少|补贴标准|补贴多少|票价|租金|(?<!消费)价格|费用|"
        r"工资|薪酬|多少(?:亿|万)?元|"
        r"\bhow much (?:money|funding|will .{0,40}(?:cost|spend|receive|get))|\bfunding\b|\bbudget|\bcost\b|\bcosts\b|"
        r"(?<!consumer )\bprices?\b(?! (?:index|level|growth|rise|increase|inflation))|\bfares?\b|\bwage|\bsalar|\bspend|\binvestment\b|\bsubsid", re.I)),
    (PERCENT, re.compile(
        r"(?:比重|比例|占比|百分|[^效频]率)(?:目标)?(?:是|为|要达到)?(?:多少|几)|"
        r"\bpercent|\bshare of\b|\bproportion\b|\b(?:growth|success|rate)\b.{0,20}\b(?:rate|percentage)\b", re.I)),
    (TIME, re.compile(
        r"什么时候|何时|哪一?年|几月|几号|什么日期|日期|时间表|多久|"
        r"^\s*(?:and\s+|so\s+)?when\b|\bby when\b|\bwhat year\b|\bwhat date\b|\bdeadline\b|\bscheduled\b|\bhow long\b", re.I)),
    # Names of people, not "谁来…" / "who will…", which a role answers.
    (PERSON, re.compile(r"哪位|哪几位|哪些人的名字|姓名|名字叫|是谁[？?]?$|\bwho are the\b|\bnames of (?:the )?(?:people|persons|scientists|laureates|experts)\b", re.I)),
    (LOCATE, re.compile(
        r"哪些地方|哪里提到|哪儿提到|在哪些(?:条目|部分|地方|章节)|出现在哪|在哪几处|哪几处|几个地方|哪些条目|哪些部分|出现了几次|"
        r"\bwhere (?:does|do|is|are) (?:the plan|it)\b.{0,40}\b(?:mention|talk|discuss|refer|say)|\bwhich parts\b|"
        r"\bwhere in the plan\b|\bevery (?:target|way|place|mention)\b|\bcollect every\b|\blist every\b", re.I)),
    (COUNT, re.compile(
        r"多少|(?<!哪)几(?:个|家|项|名|条|次|位|所|座|种|期|十|百|千|万|大|批|类|处)|第几|数量|多大|密度|"  # 哪几项 asks which, not how many
        r"\bhow many\b|\bhow much\b|\bnumber of\b|\btarget(?:s|ed|ing)?\b|\bhow large\b|\bhow big\b|"
        r"\bper [0-9]|\bdensity\b|\bratio\b", re.I)),  # "researchers per 10,000 people": a rate is a number
    (HOW, re.compile(
        r"怎么|怎样|如何|举措|措施|做法|办法|思路|"
        r"\bhow (?:does|do|will|would|should|can|to|is|are)\b|\bmeasures?\b|\bin what way", re.I)),
    (LIST, re.compile(
        r"哪些|哪几|哪[一两三四五六七八九十]|分别|列出|有什么|包括什么|都是什么|"
        r"\bwhich\b|\bwhat (?:are|kinds?|types?)\b|\blist\b|\bname the\b", re.I)),
    (YESNO, re.compile(
        r"有没有|是否|能不能|会不会|可不可以|能否|需不需要|要不要|吗[？?]?$|"
        r"^(?:is|are|will|does|do|can|could|should|has|have)\b", re.I)),
]

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
    # English "how many X" / "X targets": the plan's words for X's head word; the answer's sentence needs one.
    subject_groups: list[tuple[str, ...]] = field(default_factory=list)
    # Key terms that are words of the asked documents' titles ("2018年政府工作报告里…": 报告, 工作): they say which
    # document is asked, not what a figure counts (set by PlanAssistant, which knows the titles).
    title_terms: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return self.kinds[0] if self.kinds else WHAT

    def wants(self, kind: str) -> bool:
        return kind in self.kinds


# A share noun after a money noun heads the measured phrase ("研发费用加计扣除比例…多少": a share, not money): the
# last noun of a Chinese noun phrase is what it measures. Checked on dev rb-017.
_SHARE_AFTER_MONEY = re.compile(r"(?:经费|预算|资金|投资|费用|价格|工资|薪酬)[^，。？?！!]{0,12}(?:比例|比重|占比|[^效频]率)[^，。？?！!]{0,6}(?:多少|几)")


def question_kinds(text: str) -> list[str]:
    """Every answer kind the question's wording cues, most specific first."""
    kinds = [kind for kind, pattern in _KIND_CUES if pattern.search(text)]
    if MONEY in kinds and _SHARE_AFTER_MONEY.search(text):
        kinds = [PERCENT if k == MONEY else k for k in kinds if k != PERCENT]
    return kinds or [WHAT]


_SUBJECT = re.compile(
    r"\bhow many (?P<a>.+?)(?=\s+(?:will|would|does|do|did|should|shall|can|could|are|is|has|have|were|was|in|by|to|for|per|"
    r"each|from|at|on|with|does|currently|now|already)\b|[?.,;]|$)|\btargets? (?:for|of) (?P<b>.+?)(?=\s+(?:in|by|to|at|on|with|"
    r"and)\b|[?.,;]|$)",
    re.I,
)


_SUBJECT_C = re.compile(r"(?:'s|\bthe|\bis|\bare)\s+(?P<c>(?:[\w&-]+\s+){0,2}[\w&-]+)\s+targets?\b", re.I)
_NOT_HEAD = re.compile(
    r"\(|\b(?:from|around|of|with|that|which|who|in|at|for|on|by|[a-z]+ed|built|made|run|set|held|led|known|given)\b.*$", re.I
)


def count_subject(text: str) -> str | None:
    """What an English question counts or sets a target for: "How many 5G base stations will…" -> "5G base stations"."""
    m = _SUBJECT.search(text)
    if m:
        subject = m.group("a") or m.group("b")
    else:
        m = _SUBJECT_C.search(text)
        if not m:
            return None
        subject = m.group("c")
    subject = re.split(r"\s+[-–—]\s+|\s+versus\s+|\s+vs\.?\s+", subject.strip())[0]
    subject = _NOT_HEAD.sub("", subject).strip()  # "laboratories built around…" -> "laboratories"
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
    terms = content_terms(text)
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
        subject_groups=subject_groups,
        kinds=kinds,
        terms=terms,
        refs=section_refs(text),
        places=english_places(text) if english else place_names(text),
        quoted=quoted_terms(text),
        context_terms=list(context_terms),
        groups=term_groups(text, terms, translate),
        context_groups=context_groups,
    )
