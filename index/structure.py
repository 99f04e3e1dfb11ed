"""Questions that name the plan's structure ("专栏12有哪些内容", "第18条", "item 5 in box 11") go to those sections."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from .sections import BOX, BOX_ITEM, KINDS, Plan, Section

__all__ = ["EN_ORDINAL", "Outline", "Route", "cn_number", "en_number", "route", "section_number"]

# -- numbers ---------------------------------------------------------------------------------------
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100}
_CARDINALS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth")
_EN_NUMBERS = {w: i for words in (_CARDINALS, _ORDINALS) for i, w in enumerate(words, 1)}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_WIDE = str.maketrans("０１２３４５６７８９（）．：，", "0123456789().:,")
_NUM = r"(?:\d{1,3}|[〇零一二两三四五六七八九十百]{1,5})"
_EN_NUM = r"\d{1,3}|" + "|".join(sorted(_EN_NUMBERS, key=len, reverse=True))
# A year leading a title ("2024年政府工作任务", "对2018年政府工作的建议"): people name such a section without it
# ("今年的政府工作任务有哪几项？"), so the rest of the title is a second name for it.
_YEAR_LEAD = re.compile(r"^(?:对)?(?:(?:19|20)\d{2}|今|明)年(?:的)?")


def cn_number(text: str) -> int | None:
    """An integer written in digits or Chinese numerals (numbering never goes past the hundreds): 十八 -> 18."""
    text = text.strip().translate(_WIDE)
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch] if digit is None else digit * 10 + _CN_DIGITS[ch]  # 二〇 style
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + (digit or 0)


def en_number(text: str) -> int | None:
    """"third" / "3rd" / "three" / "iii" -> 3."""
    text = re.sub(r"(?<=\d)(st|nd|rd|th)$", "", text.lower())
    if text.isdigit():
        return int(text)
    return _EN_NUMBERS.get(text, _ROMAN.get(text))


def section_number(section: Section) -> int | None:
    """The number a section's own marker gives it: "（三）" -> 3, "18." -> 18, "专栏12" -> 12, "第二节" -> 2."""
    marker = section.marker.translate(_WIDE)
    digits = re.sub(r"[()（）.、第章节专栏\s]", "", marker)
    return cn_number(digits) if digits else None


# -- what a question can name ----------------------------------------------------------------------------
_LEVEL = {"章": "part", "节": "section"}
_ZH_BOX = re.compile(rf"专栏\s*({_NUM})(?:\s*(?:的|中|里|里面)?\s*(?:第\s*({_NUM})\s*[项条个点]|\.\s*(\d{{1,3}})))?")
_ZH_LEVEL = re.compile(rf"第\s*({_NUM})\s*([章节])")
_ZH_ITEM = re.compile(rf"第\s*({_NUM})\s*[条项点]")
_ZH_PAREN = re.compile(r"\(\s*([一二三四五六七八九十]{1,3})\s*\)")
_ZH_COUNT = re.compile(r"([一二两三四五六七八九十]{1,3}|\d{1,2})\s*大\s*([\u4e00-\u9fff]{1,4})")
_EN_BOX = re.compile(
    rf"\bbox(?:es)?\s*(?:no\.?\s*)?(\d{{1,3}})(?:\s*[.,]?\s*(?:item|point|entry|no\.?|number|#)\s*({_EN_NUM})\b|\.(\d{{1,3}}))?", re.I
)
_EN_ITEM_IN_BOX = re.compile(rf"\b(?:item|point|entry)\s*(?:no\.?\s*)?({_EN_NUM})\s+(?:in|of|from)\s+box\s*(\d{{1,3}})", re.I)
_EN_ORDINAL_IN_BOX = re.compile(rf"\b(?:the\s+)?({_EN_NUM})\s+(?:item|point|entry)\s+(?:in|of|from)\s+box\s*(\d{{1,3}})", re.I)
_EN_ITEM = re.compile(rf"\b(?:item|point|article|paragraph)\s*(?:no\.?\s*|number\s*|#\s*)?({_EN_NUM})\b", re.I)
_EN_LEVEL = re.compile(r"\b(chapter|part|section|project|programme|program)\s*(?:no\.?\s*)?(\d{1,3}|[ivx]{1,4})\b", re.I)
EN_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)|" + "|".join(_ORDINALS)
_EN_ORDINAL_LEVEL = re.compile(rf"\b({EN_ORDINAL})\s+(chapter|part|section|project|programme|program|item|box)\b", re.I)
_EN_COUNT = re.compile(
    rf"\b({_EN_NUM})\s+(?:(?:major|main|key|big|great|core)\s+)?(projects|programmes|programs|items|boxes|chapters|parts|sections)\b", re.I
)
_EN_KIND = {
    "chapter": ("chapter", "part"), "part": ("part", "chapter"), "section": ("section",), "project": ("project",),
    "programme": ("project",), "program": ("project",), "item": ("item",), "box": (BOX,),
    "projects": ("project",), "programmes": ("project",), "programs": ("project",), "items": ("item",),
    "boxes": (BOX,), "chapters": ("chapter", "part"), "parts": ("part", "chapter"), "sections": ("section",),
}
# A question that asks for the parts of what it names: the answer is the outline under it, not one passage.
_OUTLINE_ZH = re.compile(r"哪些内容|有哪些|包括|包含|哪几|几项|几条|几个|分别|列出|列了|都是|一共|下面|下设|分了|分为|由哪|内容")
_OUTLINE_EN = re.compile(r"\b(what is in|what's in|contain|contains|include|includes|consist|list|lists|items|parts|each)\b", re.I)
_WHICH_BOX = re.compile(r"哪(?:一)?个专栏|哪些专栏|什么专栏|\bwhich\s+box(?:es)?\b|\bwhat\s+box\b", re.I)
_ASK_ITEMS = re.compile(r"[条]|\bitems?\b|\bpoints?\b", re.I)


@dataclass
class Route:
    """Sections a structural question names (`named`), and outline sections to answer with (`members`).

    `rank_members` says the order should come from relevance (a set named by its size, "五大工程", with the
    parent that lists them); otherwise `sections` keeps the named sections, then their members, in plan order.
    """

    named: list[Section] = field(default_factory=list)
    members: list[Section] = field(default_factory=list)
    reason: str = ""
    which_kind: str | None = None  # "box" for "哪个专栏 / which box": choose the best one of that kind
    rank_members: bool = False
    members_first: bool = False  # "X下面分了哪几条": the parts answer it, X itself is context

    @property
    def sections(self) -> list[Section]:
        seen: dict[tuple[str, str], Section] = {}
        ordered = [*self.members, *self.named] if self.members_first else [*self.named, *self.members]
        for s in ordered:
            seen.setdefault((s.plan, s.id), s)
        return list(seen.values())

    def __bool__(self) -> bool:
        return bool(self.named or self.members or self.which_kind)


def _common_suffix(texts: Sequence[str]) -> str:
    first = texts[0]
    n = len(first)
    for t in texts[1:]:
        n = min(n, len(t))
        while n and t[len(t) - n :] != first[len(first) - n :]:
            n -= 1
    return first[len(first) - n :] if n else ""


_SUFFIX_MAX = 4  # "五大工程": the word after 大 is 1-4 characters (_ZH_COUNT)


class Outline:
    """Lookup tables over the plans' numbering and titles, built once per set of plans.

    Routing a question then costs about its own length, not the number of sections: at 100k sections a scan
    of every section per question took ~130 ms. Every answer is what a scan in plan order would give.
    """

    def __init__(self, plans: Mapping[str, Plan]) -> None:
        self.plans = dict(plans)
        self.kinds: set[str] = set()
        self._order: dict[tuple[str, str], int] = {}
        self._by_number: dict[tuple[str, int], list[Section]] = {}
        self._by_kind: dict[str, list[Section]] = {}
        self._by_id: dict[str, list[Section]] = {}  # only IDs a question could type: with (, digit or .
        self._by_title: dict[str, list[Section]] = {}  # titles of 4+ characters
        # The same without a leading year (_YEAR_LEAD), kept only where it names one section: "政府工作任务" is 2022's
        # and 2024's when both reports are loaded, and the question's year or scope has to choose.
        self._by_bare_title: dict[str, list[Section]] = {}
        # "N大X": first sibling group (in plan order) of N members, by kind or by the members' title suffix.
        self._groups_by_kind: dict[tuple[str, int], tuple[int, list[Section]]] = {}
        self._groups_by_suffix: dict[tuple[str, int], tuple[int, list[Section]]] = {}
        groups: list[tuple[Plan, str | None, list[Section]]] = []
        for plan in self.plans.values():
            siblings: dict[tuple[str | None, str], list[Section]] = {}
            for s in plan.sections:
                self._order[(s.plan, s.id)] = len(self._order)
                self.kinds.add(s.kind)
                self._by_kind.setdefault(s.kind, []).append(s)
                number = section_number(s)
                if number is not None:
                    self._by_number.setdefault((s.kind, number), []).append(s)
                if re.search(r"[()\d.]", s.id):
                    self._by_id.setdefault(s.id, []).append(s)
                if len(s.title) >= 4:
                    self._by_title.setdefault(s.title, []).append(s)
                bare = _YEAR_LEAD.sub("", s.title)
                if bare != s.title and len(bare) >= 4:
                    self._by_bare_title.setdefault(bare, []).append(s)
                siblings.setdefault((s.parent_id, s.kind), []).append(s)
            groups.extend((plan, parent_id, members) for (parent_id, _), members in siblings.items())
        for rank, (plan, parent_id, members) in enumerate(groups):
            parent = plan.get(parent_id) if parent_id else None
            head = [parent] if parent else []  # the answer lists the parent first, then the members
            self._groups_by_kind.setdefault((members[0].kind, len(members)), (rank, head + members))
            counts: dict[str, list[Section]] = {}
            for m in members:
                for size in range(1, min(_SUFFIX_MAX, len(m.title)) + 1):
                    counts.setdefault(m.title[-size:], []).append(m)
            for suffix, ms in counts.items():
                self._groups_by_suffix.setdefault((suffix, len(ms)), (rank, head + ms))
        self._id_lengths = sorted({len(i) for i in self._by_id}, reverse=True)
        self._title_lengths = sorted({len(t) for t in self._by_title}, reverse=True)
        self._by_bare_title = {t: ss for t, ss in self._by_bare_title.items() if len(ss) == 1}
        self._bare_lengths = sorted({len(t) for t in self._by_bare_title}, reverse=True)
        self._title_suffix = {
            kind: _common_suffix([s.title for s in ss]) for kind, ss in self._by_kind.items() if len(ss) > 1
        }

    def _in_order(self, sections: Iterable[Section]) -> list[Section]:
        return sorted(sections, key=lambda s: self._order[(s.plan, s.id)])

    def of_kind(self, kind: str) -> list[Section]:
        return list(self._by_kind.get(kind, ()))

    def by_kind_number(self, kinds: Sequence[str], number: int) -> list[Section]:
        found = [s for kind in dict.fromkeys(kinds) for s in self._by_number.get((kind, number), ())]
        return found if len(kinds) == 1 else self._in_order(found)

    def box_items(self, box: Section) -> list[Section]:
        return [s for s in self.plans[box.plan].children(box.id) if s.kind == BOX_ITEM]

    def top_kind(self) -> tuple[str, ...]:
        """What "chapter N" means in these plans: 第X章 parts when a plan has them, else its 一、 chapters."""
        return ("part",) if "part" in self.kinds else ("chapter",)

    def count_members(self, count: int, suffix: str | None, kinds: Sequence[str] | None) -> list[Section]:
        """Siblings of one kind under one parent numbering exactly `count` (titles ending in `suffix` when given):
        "五大工程" -> the five projects whose titles end in 工程; "the five major projects" -> the five projects."""
        if suffix:
            found = self._groups_by_suffix.get((suffix, count))
            return list(found[1]) if found else []
        firsts = [g for kind in kinds or () if (g := self._groups_by_kind.get((kind, count)))]
        return list(min(firsts, key=lambda g: g[0])[1]) if firsts else []

    def kind_by_title_word(self, following: str) -> tuple[str, ...] | None:
        """The kind whose sections' titles all end in the word after "第N项" ("工程" -> project), if one does."""
        for size in range(len(following), 1, -1):
            word = following[:size]
            for kind in KINDS.values():
                if self._title_suffix.get(kind, "").endswith(word):
                    return (kind,)
        return None

    def _substrings(self, text: str, table: Mapping[str, list[Section]], lengths: Sequence[int]) -> list[Section]:
        keys = {text[i : i + n] for n in lengths for i in range(len(text) - n + 1)}
        return self._in_order(s for key in keys if key in table for s in table[key])

    def titles_in(self, text: str) -> list[Section]:
        """Sections whose full title (4+ characters) the text quotes, in plan order; a title inside a longer
        quoted title is no mention of its own ("创新载体" inside "创新载体建设")."""
        found = self._substrings(text, self._by_title, self._title_lengths)
        bare = [s for s in self._substrings(text, self._by_bare_title, self._bare_lengths) if s not in found]
        found = self._in_order([*found, *bare])
        titles = {s.title for s in found}
        inner = {t for t in titles if any(t != o and t in o for o in titles)}
        return [s for s in found if s.title not in inner]

    def mentioned_titles(self, question: str) -> list[Section]:
        """`titles_in`, longest title first."""
        return sorted(self.titles_in(question), key=lambda s: -len(s.title))

    def literal_ids(self, question: str) -> list[Section]:
        """Section IDs typed as such ("五(三)", "专栏11.3", "五(一)3"); a bare numeral like "五" is too common to count."""
        compact = re.sub(r"\s+", "", question.translate(_WIDE))
        found = self._substrings(compact, self._by_id, self._id_lengths)
        ids = {s.id for s in found}
        # "五(一)3" also contains "五(一)": keep the longest IDs only.
        inner = {i for i in ids if any(i != o and i in o for o in ids)}
        return [s for s in found if s.id not in inner]

    def attached_boxes(self, section: Section) -> list[Section]:
        """Boxes printed right after a section, before its next sibling: the box that details it."""
        plan = self.plans[section.plan]
        siblings = [s for s in plan.children(section.parent_id) if s.kind == section.kind]
        later = [s.start for s in siblings if s.start > section.start]
        end = min(later) if later else None
        return [
            s for s in self._by_kind.get(BOX, ())
            if s.plan == plan.name and s.start > section.start and (end is None or s.start < end)
        ]

    def route(self, question: str) -> "Route":
        return _route(question, self)


def route(question: str, plans: Mapping[str, Plan] | Outline) -> Route:
    """The sections a question names by its structure, in any plan of `plans`; empty when it names none.

    Pass an `Outline` of the plans when routing many questions: building its tables is the costly part.
    """
    return _route(question, plans if isinstance(plans, Outline) else Outline(plans))


def _route(question: str, outline: Outline) -> Route:
    q = question.translate(_WIDE)
    plans = outline.plans
    result = Route()
    asks_outline = bool(_OUTLINE_ZH.search(q) or _OUTLINE_EN.search(q))

    def add_box(number: int, item: int | None) -> None:
        for box in outline.by_kind_number((BOX,), number):
            items = outline.box_items(box)
            if item is None:
                result.named.append(box)
                result.members.extend(items)  # a box's own text is its title: its items are its content
            else:
                result.named.extend(s for s in items if section_number(s) == item)

    boxes_named = False
    for m in _ZH_BOX.finditer(q):
        item = m.group(2) or m.group(3)
        add_box(cn_number(m.group(1)) or -1, cn_number(item) if item else None)
        boxes_named = True
    for m in _EN_ITEM_IN_BOX.finditer(q):
        add_box(int(m.group(2)), en_number(m.group(1)))
        boxes_named = True
    for m in _EN_ORDINAL_IN_BOX.finditer(q):
        add_box(int(m.group(2)), en_number(m.group(1)))
        boxes_named = True
    if not boxes_named:
        for m in _EN_BOX.finditer(q):
            item = m.group(2) or m.group(3)
            add_box(int(m.group(1)), en_number(item) if item else None)
            boxes_named = True

    rest = _ZH_BOX.sub(" ", q)
    for m in _ZH_LEVEL.finditer(rest):
        kinds = (_LEVEL[m.group(2)],) if m.group(2) == "节" else outline.top_kind()
        result.named.extend(outline.by_kind_number(kinds, cn_number(m.group(1)) or -1))
    if not boxes_named:
        for m in _ZH_ITEM.finditer(rest):
            kinds = outline.kind_by_title_word(rest[m.end() : m.end() + 4]) or ("item",)  # "第三项工程" is a project
            result.named.extend(outline.by_kind_number(kinds, cn_number(m.group(1)) or -1))
        for m in _EN_ITEM.finditer(q):
            result.named.extend(outline.by_kind_number(("item",), en_number(m.group(1)) or -1))
    for m in _EN_LEVEL.finditer(q):
        kinds = _EN_KIND[m.group(1).lower()]
        if kinds[0] in ("chapter", "part"):
            kinds = outline.top_kind()
        result.named.extend(outline.by_kind_number(kinds, en_number(m.group(2)) or -1))
    for m in _EN_ORDINAL_LEVEL.finditer(q):  # "the third project", "the 2nd chapter"
        kind = m.group(2).lower()
        kinds = outline.top_kind() if kind in ("chapter", "part") else _EN_KIND[kind]
        if kind != "box" and not (kind == "item" and boxes_named):
            result.named.extend(outline.by_kind_number(kinds, en_number(m.group(1)) or -1))
    literal = [s for s in outline.literal_ids(q) if not (boxes_named and s.kind in (BOX, BOX_ITEM))]
    result.named.extend(literal)
    if not literal:
        for m in _ZH_PAREN.finditer(rest):
            result.named.extend(outline.by_kind_number(("project",), cn_number(m.group(1)) or -1))

    # "五大工程", "the five major projects": a set named by its size.
    for m in _ZH_COUNT.finditer(rest):
        count = cn_number(m.group(1)) or 0
        for size in range(len(m.group(2)), 0, -1):
            members = outline.count_members(count, m.group(2)[:size], None)
            if members:
                result.members.extend(members)
                result.rank_members = True
                break
    for m in _EN_COUNT.finditer(q):
        members = outline.count_members(en_number(m.group(1)) or 0, None, _EN_KIND[m.group(2).lower()])
        if members:
            result.members.extend(members)
            result.rank_members = True

    # A title quoted with an outline question: "协同创新促进工程下面分了哪几条？"
    if asks_outline and not result.named and not result.members:
        titled = outline.mentioned_titles(q)
        if titled:
            target = titled[0]
            children = plans[target.plan].children(target.id)
            if _ASK_ITEMS.search(q):
                children = [s for s in children if s.kind in KINDS.values() and s.kind != BOX] or children
            result.named.append(target)
            result.members.extend(children)
            result.members_first = bool(children)
    elif asks_outline:
        for s in list(result.named):
            if s.kind not in (BOX, BOX_ITEM):
                children = plans[s.plan].children(s.id)
                if _ASK_ITEMS.search(q):
                    children = [c for c in children if c.kind != BOX] or children
                result.members.extend(children)
                result.members_first = result.members_first or bool(children)

    if _WHICH_BOX.search(q):
        attached = [b for s in result.named if s.kind not in (BOX, BOX_ITEM) for b in outline.attached_boxes(s)]
        if attached:
            result.named = attached
            result.members = [i for b in attached for i in outline.box_items(b)]
        elif not boxes_named:
            result.which_kind = BOX
    result.reason = "outline" if result else ""
    return result

