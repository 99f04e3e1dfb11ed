"""What a question asks: its language, the kind of answer it wants, its key terms and the sections it names."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from collections.abc import Callable, Sequence
from functools import lru_cache

__all__ = [
    "Question",
    "analyze",
    "clean_text",
    "content_terms",
    "is_english",
    "place_names",
    "tagging_runs",
    "quoted_terms",
    "SectionRef",
    "section_refs",
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

# Interrogatives and function words: never key terms.
_STOP_ZH = set(
    """的 了 是 在 和 与 及 或 有 要 会 能 将 把 被 对 为 从 向 以 等 上 下 中 里 这 那 这些 那些 这个 那个 其 其中 它 它们 之
    什么 哪些 哪个 哪里 哪儿 哪 几 多少 怎么 怎样 如何 吗 呢 吧 啊 么 谁 为什么 是否 有没有 能不能 会不会 可不可以 是不是
    请问 请 一下 说说 讲讲 介绍 介绍一下 具体 具体说说 分别 都 也 还 又 就 才 再 所 则 并 而 但 个 些 方面 问题 规划 规划里
    规划中 规划里面 里面 提到 提及 说 讲 写 写的 讲的 讲什么 内容 一共 总共 有哪些 主要 哪几 哪几个 目标 一个 这部 部分 这一 打算
    准备 计划 想 需要 应该 可以 给 让 做 搞 干 呢 没有 另外 换个 话题 那么 那个 还有 以及 关于 对于 方面 之类 这类 那类 这种 那种""".split()
)
_STOP_EN = set(
    """a an the of to in on for and or with by at from as is are was were be been being will would shall should can could
    may might must do does did has have had what which who whom whose when where why how many much that this these those
    it its they them their there here about into than then so such any some each every all both either plan plans
    shenzhen city say says said mention mentions mentioned mentioning talk talks discuss part parts chapter section
    want wants intend intends aim aims going me tell please also other another different unrelated question questions
    i you we our your he she his her s t don doesn isn aren won list name named called kind kinds type types way ways
    like just only more most over up out""".split()
)

_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\ud800-\udfff]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_QUOTED = re.compile(r"[“\"「『《]([^”\"」』》]{2,30})[”\"」』》]")


def clean_text(text: str) -> str:
    """Drop control, zero-width and lone-surrogate characters (they cannot be encoded) and collapse runs of whitespace (newlines kept as spaces)."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text.replace("\t", " ").replace("\r", "\n"))
    return re.sub(r"\s+", " ", text).strip()


def is_english(text: str) -> bool:
    """True when Latin words outweigh Chinese characters (a "What is in 专栏12?" question is English)."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN_WORD.findall(text))
    return latin > 0 and latin * 2 > cjk


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    from index.dictionary import import_posseg, initialize_jieba

    jieba.setLogLevel(60)
    initialize_jieba()  # jieba.initialize(), from a cache that loads ~4x faster
    return jieba, import_posseg()  # jieba.posseg, its part-of-speech table from a cache too


def content_terms(text: str) -> list[str]:
    """Key terms of a text in order, without interrogatives and function words: jieba words (with their
    sub-words, so "诺贝尔奖科学家" also matches "科学家") for Chinese, lower-cased words for English."""
    jieba, _ = _jieba()
    terms: list[str] = []
    for tok in jieba.lcut_for_search(text):
        tok = tok.strip()
        if not tok or tok in _STOP_ZH:
            continue
        if _CJK.search(tok):
            if len(tok) >= 2 or tok in "钱":
                terms.append(tok)
        elif re.fullmatch(r"[A-Za-z][A-Za-z'\-]*", tok):
            low = tok.lower().strip("'-")
            if low not in _STOP_EN and len(low) > 1:
                terms.append(low)
        elif re.fullmatch(r"[0-9][0-9.+\-]*[A-Za-z]?", tok):
            terms.append(tok)
    seen: set[str] = set()
    return [t for t in terms if not (t in seen or seen.add(t))]


def place_names(text: str, *, checked: bool = True) -> list[str]:
    """Place names in Chinese text: words jieba tags as places that CC-CEDICT also knows as proper names
    (jieba alone tags 上马 or 普及 as places); `checked=False` skips the dictionary (for the plan's own text)."""
    _, posseg = _jieba()
    words = [w.word for w in posseg.cut(text) if w.flag == "ns" and len(w.word) >= 2]
    if not checked or not words:
        return words
    named = _proper_headwords()
    return [w for w in words if w in named]


# jieba cuts and tags each run of these characters on its own (jieba.posseg's re_han_internal).
_TAGGED_RUN_CHAR = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._]")


def tagging_runs(text: str, part: str) -> list[str]:
    """The runs of `text` that jieba tags on its own and that contain `part`: tagging only these gives the
    words around `part` that tagging the whole text would, without tagging the whole text."""
    runs, pos = [], text.find(part) if part else -1
    while pos >= 0:
        start, end = pos, pos + len(part)
        while start > 0 and _TAGGED_RUN_CHAR.match(text[start - 1]):
            start -= 1
        while end < len(text) and _TAGGED_RUN_CHAR.match(text[end]):
            end += 1
        runs.append(text[start:end])
        pos = text.find(part, max(end, pos + 1))
    return runs


@lru_cache(maxsize=1)
def _proper_headwords() -> frozenset[str]:
    exact, lead = _proper_names()
    return frozenset(zh for table in (exact, lead) for names in table.values() for zh in names)


_PROPER = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,3}\b")


def _dictionary() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], frozenset[str]]:
    """From CC-CEDICT: proper names English -> simplified Chinese, as (names a gloss is, "Beijing, capital of…" ->
    北京; names a gloss starts with, "Shenzhen subprovincial city…" -> 深圳), and the set of every gloss word and
    two-word phrase, stemmed (is an English word a known concept at all?). Built once per package version and
    kept on disk by index/dictionary.py (issue 13: stemming every gloss took ~10 s of each new process)."""
    from index.dictionary import tables

    t = tables()
    return t.exact, t.lead, t.phrases


def _proper_names() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    exact, lead, _ = _dictionary()
    return exact, lead


def known_concept(phrase: str) -> bool:
    """Is an English word or two-word phrase (stemmed) a CC-CEDICT gloss?"""
    from index.lexical import english_terms

    key = " ".join(english_terms(phrase))
    return bool(key) and key in _dictionary()[2]


def english_places(text: str) -> list[str]:
    """Chinese names of the places an English question names ("Beijing's targets" -> 北京), via CC-CEDICT
    and jieba's place tag on the translation."""
    exact, lead = _proper_names()
    _, posseg = _jieba()

    def place(key: str) -> str | None:
        # "Chinese", "Israeli": a people or language is no place, unless a gloss is exactly that word.
        demonym = " " not in key and re.search(r"(?:ese|ish|ian|ean|an|i)$", key)
        for table in (exact,) if demonym else (exact, lead):
            for zh in table.get(key, ()):
                if any(w.flag == "ns" and w.word == zh for w in posseg.cut(zh)):
                    return zh
        return None

    found: list[str] = []
    for m in _PROPER.finditer(text):
        words = m.group().replace("-", " ").split()
        i = 0
        while i < len(words):  # longest known name first: "Hong Kong" before "Hong"
            for j in range(len(words), i, -1):
                key = " ".join(words[i:j])
                if key in exact or key in lead:
                    zh = place(key)
                    if zh:
                        found.append(zh)
                    i = j
                    break
            else:
                i += 1
    return list(dict.fromkeys(found))


def quoted_terms(text: str) -> list[str]:
    """Chinese terms the asker put in quotation or title marks: names they expect to find verbatim (an English
    word in quotes is no such name in a Chinese plan, nor is a quoted question like “几加几”)."""
    out = []
    for m in _QUOTED.finditer(text):
        term = m.group(1).strip()
        if term and _CJK.search(term) and not re.search(r"几|多少|什么|哪|怎", term):
            out.append(term)
    return out


# -- section references ---------------------------------------------------------------------------------------

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"[0-9０-９]{1,3}|[一二两三四五六七八九十百〇零]{1,4}"


def _to_int(token: str) -> int | None:
    token = token.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if token.isdigit():
        return int(token)
    total, current = 0, 0
    for ch in token:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            return None
    return total + current


def _cn(n: int) -> str:
    """10 -> 十, 13 -> 十三, 21 -> 二十一 (the numerals plan headings use)."""
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else digits[tens]}十{digits[ones] if ones else ''}"


@dataclass(frozen=True)
class SectionRef:
    """A section the question names by number: `kind` is box, item, project, chapter or id; `text` as written."""

    kind: str
    number: int | str
    item: int | None = None  # "专栏11第3项" -> box 11, item 3
    text: str = ""


_BOX_ITEM = re.compile(rf"专栏\s*({_NUM})\s*(?:的|中|里)?\s*第\s*({_NUM})\s*[项条点个]")
_BOX = re.compile(rf"专栏\s*({_NUM})(?![0-9０-９.])")
_BOX_DOTTED = re.compile(r"专栏\s*([0-9]{1,3})\.([0-9]{1,3})")
_EN_BOX_ITEM = re.compile(r"\bitem\s+([0-9]{1,3})\s+(?:in|of)\s+box\s+([0-9]{1,3})\b", re.I)
_EN_BOX_ITEM2 = re.compile(r"\bbox\s+([0-9]{1,3})\s*,?\s*item\s+([0-9]{1,3})\b", re.I)
_EN_BOX = re.compile(r"\bbox\s+([0-9]{1,3})\b", re.I)
_ITEM = re.compile(rf"第\s*({_NUM})\s*条")
_EN_ITEM = re.compile(r"\bitem\s+([0-9]{1,3})\b", re.I)
_PROJECT = re.compile(r"(?<![一二三四五六七八九十])[(（]([一二三四五六七八九十]{1,3})[)）]")
_CHAPTER = re.compile(rf"第\s*({_NUM})\s*[章部]")
_RELATIVE_ITEM = re.compile(rf"第\s*({_NUM})\s*[项点个]")
_EN_RELATIVE_ITEM = re.compile(r"\b(?:item|point|entry)\s+(?:no\.?\s*)?([0-9]{1,3})\b", re.I)
_PLAIN_ID = re.compile(r"(?<![一二三四五六七八九十])([一二三四五六七八九十]{1,3}[(（][一二三四五六七八九十]{1,3}[)）](?:[0-9]{1,3})?)")


def section_refs(text: str) -> list[SectionRef]:
    """Sections a question names by number ("专栏12", "专栏11第3项", "第18条", "五(三)", "box 14", "item 22")."""
    refs: list[SectionRef] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match, ref: SectionRef) -> None:
        if any(m.start() < e and s < m.end() for s, e in taken):
            return
        taken.append((m.start(), m.end()))
        refs.append(ref)

    for m in _PLAIN_ID.finditer(text):
        add(m, SectionRef("id", m.group(1), text=m.group(0)))
    for m in _BOX_DOTTED.finditer(text):
        add(m, SectionRef("box", int(m.group(1)), int(m.group(2)), m.group(0)))
    for m in _BOX_ITEM.finditer(text):
        box, item = _to_int(m.group(1)), _to_int(m.group(2))
        if box is not None and item is not None:
            add(m, SectionRef("box", box, item, m.group(0)))
    for pattern, box_group, item_group in ((_EN_BOX_ITEM, 2, 1), (_EN_BOX_ITEM2, 1, 2)):
        for m in pattern.finditer(text):
            add(m, SectionRef("box", int(m.group(box_group)), int(m.group(item_group)), m.group(0)))
    for pattern in (_BOX, _EN_BOX):
        for m in pattern.finditer(text):
            n = _to_int(m.group(1))
            if n is not None:
                add(m, SectionRef("box", n, None, m.group(0)))
    for pattern in (_ITEM, _EN_ITEM):
        for m in pattern.finditer(text):
            n = _to_int(m.group(1))
            if n is not None:
                add(m, SectionRef("item", n, None, m.group(0)))
    for m in _PROJECT.finditer(text):
        add(m, SectionRef("project", m.group(1), None, m.group(0)))
    for m in _CHAPTER.finditer(text):
        n = _to_int(m.group(1))
        if n is not None:
            add(m, SectionRef("chapter", n, None, m.group(0)))
    return refs


def relative_item(text: str) -> int | None:
    """The N of "第N项" / "item N" when it names no box of its own (a follow-up's "第4项具体是什么？")."""
    if _BOX.search(text) or _EN_BOX.search(text):
        return None
    m = _RELATIVE_ITEM.search(text) or _EN_RELATIVE_ITEM.search(text)
    return _to_int(m.group(1)) if m else None


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


Translate = Callable[[str], list[tuple[str, tuple[str, ...]]]]  # English text -> (phrase, plan words) pairs


_EN_NUMBER = re.compile(r"(?<![\w.,])[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![\w,])|(?<![\w.,])[0-9]+(?:\.[0-9]+)?(?![\w])")


def number_groups(text: str) -> list[tuple[str, ...]]:
    """The numbers of an English question as the ways a Chinese plan writes them: "10,000" -> 10000, 1万, 一万,
    每万 (as in "per 10,000" / 每万名), "2,200" -> 2200."""
    groups = []
    for m in _EN_NUMBER.finditer(text):
        digits = m.group().replace(",", "")
        forms = [digits]
        if "." not in digits and int(digits) >= 10_000 and int(digits) % 10_000 == 0:
            wan = int(digits) // 10_000
            forms += [f"{wan}万"] + ([f"{_cn(wan)}万"] if wan < 100 else []) + (["每万"] if wan == 1 else [])
        groups.append(tuple(forms))
    return groups


def term_groups(text: str, terms: Sequence[str], translate: Translate | None) -> list[tuple[str, ...]]:
    """Lexical groups for a text: its Chinese terms one by one, or its English phrases as their translations
    (plus numbers and Latin acronyms such as 5G, which plans write as they are)."""
    if not is_english(text):
        return [(t,) for t in terms]
    groups = [words for _, words in translate(text)] if translate else []
    groups += number_groups(text)
    # Numbers come whole from number_groups ("10,000" is one number, not "10" and "000"); 5G and 3D stay as they are.
    groups += [
        (t,) for t in terms
        if re.fullmatch(r"[0-9][0-9.+\-]*[A-Za-z]?|[a-z]?[0-9]+[a-z0-9]*", t) and not re.fullmatch(r"[0-9.]+", t)
    ]
    groups += [(m,) for m in re.findall(r"\b[A-Z][A-Z0-9&]{1,5}\b", text) if m not in ("I", "OK")]
    return [g for g in dict.fromkeys(tuple(g) for g in groups) if g]


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


def translated_share(text: str, translate: Translate) -> float | None:
    """Share of an English question's content words that some phrase translates into the plan's words;
    numbers and acronyms the plan writes as they are count as translated."""
    from index.lexical import english_terms

    words = english_terms(text)
    if not words:
        return None
    covered = {w for phrase, _ in translate(text) for w in phrase.split()}
    return sum(1 for w in words if w in covered or any(ch.isdigit() for ch in w)) / len(words)


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


def chinese_numeral(n: int) -> str:
    return _cn(n)
