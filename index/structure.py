"""Questions that name the plan's structure ("专栏12有哪些内容", "第18条", "item 5 in box 11") go to those sections."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from .sections import BOX, BOX_ITEM, KINDS, Plan, Section

__all__ = ["Route", "cn_number", "route", "section_number"]

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


def _en_number(text: str) -> int | None:
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
_EN_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)|" + "|".join(_ORDINALS)
_EN_ORDINAL_LEVEL = re.compile(rf"\b({_EN_ORDINAL})\s+(chapter|part|section|project|programme|program|item|box)\b", re.I)
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


def _by_kind_number(plans: Iterable[Plan], kinds: Sequence[str], number: int) -> list[Section]:
    return [s for p in plans for s in p.sections if s.kind in kinds and section_number(s) == number]


def _box_items(plan_of: Mapping[str, Plan], box: Section) -> list[Section]:
    return [s for s in plan_of[box.plan].children(box.id) if s.kind == BOX_ITEM]


def _top_kind(plans: Iterable[Plan]) -> tuple[str, ...]:
    """What "chapter N" means in these plans: 第X章 parts when a plan has them, else its 一、 chapters."""
    kinds = {s.kind for p in plans for s in p.sections}
    return ("part",) if "part" in kinds else ("chapter",)


def _count_members(plans: Iterable[Plan], count: int, suffix: str | None, kinds: Sequence[str] | None) -> list[Section]:
    """Siblings of one kind under one parent numbering exactly `count` (titles ending in `suffix` when given):
    "五大工程" -> the five projects whose titles end in 工程; "the five major projects" -> the five projects."""
    for plan in plans:
        groups: dict[tuple[str | None, str], list[Section]] = {}
        for s in plan.sections:
            if kinds is None or s.kind in kinds:
                groups.setdefault((s.parent_id, s.kind), []).append(s)
        for (parent_id, _), members in groups.items():
            if suffix:
                members = [s for s in members if s.title.endswith(suffix)]
            if len(members) == count:
                parent = plan.get(parent_id) if parent_id else None
                return ([parent] if parent else []) + members
    return []


def _kind_by_title_word(plans: Iterable[Plan], following: str) -> tuple[str, ...] | None:
    """The kind whose sections' titles all end in the word after "第N项" ("工程" -> project), if one does."""
    for size in range(len(following), 1, -1):
        word = following[:size]
        for kind in KINDS.values():
            titles = [s.title for p in plans for s in p.sections if s.kind == kind]
            if len(titles) > 1 and all(title.endswith(word) for title in titles):
                return (kind,)
    return None


def _mentioned_titles(question: str, plans: Iterable[Plan]) -> list[Section]:
    """Sections whose full title (4+ characters) the question quotes, longest title first."""
    found = [s for p in plans for s in p.sections if len(s.title) >= 4 and s.title in question]
    found.sort(key=lambda s: -len(s.title))
    # A title inside a longer quoted title is no mention of its own ("创新载体" inside "创新载体建设").
    return [s for i, s in enumerate(found) if not any(s.title in o.title and s.title != o.title for o in found[:i])]


def _literal_ids(question: str, plans: Iterable[Plan]) -> list[Section]:
    """Section IDs typed as such ("五(三)", "专栏11.3", "五(一)3"); a bare numeral like "五" is too common to count."""
    compact = re.sub(r"\s+", "", question.translate(_WIDE))
    found = [s for p in plans for s in p.sections if re.search(r"[()\d.]", s.id) and s.id in compact]
    # "五(一)3" also contains "五(一)": keep the longest IDs only.
    return [s for s in found if not any(s.id != o.id and s.id in o.id and o.id in compact for o in found)]


def route(question: str, plans: Mapping[str, Plan]) -> Route:
    """The sections a question names by its structure, in any plan of `plans`; empty when it names none."""
    q = question.translate(_WIDE)
    plist = list(plans.values())
    result = Route()
    outline = bool(_OUTLINE_ZH.search(q) or _OUTLINE_EN.search(q))

    def add_box(number: int, item: int | None) -> None:
        for box in _by_kind_number(plist, (BOX,), number):
            items = _box_items(plans, box)
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
        add_box(int(m.group(2)), _en_number(m.group(1)))
        boxes_named = True
    for m in _EN_ORDINAL_IN_BOX.finditer(q):
        add_box(int(m.group(2)), _en_number(m.group(1)))
        boxes_named = True
    if not boxes_named:
        for m in _EN_BOX.finditer(q):
            item = m.group(2) or m.group(3)
            add_box(int(m.group(1)), _en_number(item) if item else None)
            boxes_named = True

    rest = _ZH_BOX.sub(" ", q)
    for m in _ZH_LEVEL.finditer(rest):
        kinds = (_LEVEL[m.group(2)],) if m.group(2) == "节" else _top_kind(plist)
        result.named.extend(_by_kind_number(plist, kinds, cn_number(m.group(1)) or -1))
    if not boxes_named:
        for m in _ZH_ITEM.finditer(rest):
            kinds = _kind_by_title_word(plist, rest[m.end() : m.end() + 4]) or ("item",)  # "第三项工程" is a project
            result.named.extend(_by_kind_number(plist, kinds, cn_number(m.group(1)) or -1))
        for m in _EN_ITEM.finditer(q):
            result.named.extend(_by_kind_number(plist, ("item",), _en_number(m.group(1)) or -1))
    for m in _EN_LEVEL.finditer(q):
        kinds = _EN_KIND[m.group(1).lower()]
        if kinds[0] in ("chapter", "part"):
            kinds = _top_kind(plist)
        result.named.extend(_by_kind_number(plist, kinds, _en_number(m.group(2)) or -1))
    for m in _EN_ORDINAL_LEVEL.finditer(q):  # "the third project", "the 2nd chapter"
        kind = m.group(2).lower()
        kinds = _top_kind(plist) if kind in ("chapter", "part") else _EN_KIND[kind]
        if kind != "box" and not (kind == "item" and boxes_named):
            result.named.extend(_by_kind_number(plist, kinds, _en_number(m.group(1)) or -1))
    literal = [s for s in _literal_ids(q, plist) if not (boxes_named and s.kind in (BOX, BOX_ITEM))]
    result.named.extend(literal)
    if not literal:
        for m in _ZH_PAREN.finditer(rest):
            result.named.extend(_by_kind_number(plist, ("project",), cn_number(m.group(1)) or -1))

    # "五大工程", "the five major projects": a set named by its size.
    for m in _ZH_COUNT.finditer(rest):
        count = cn_number(m.group(1)) or 0
        for size in range(len(m.group(2)), 0, -1):
            members = _count_members(plist, count, m.group(2)[:size], None)
            if members:
                result.members.extend(members)
                result.rank_members = True
                break
    for m in _EN_COUNT.finditer(q):
        members = _count_members(plist, _en_number(m.group(1)) or 0, None, _EN_KIND[m.group(2).lower()])
        if members:
            result.members.extend(members)
            result.rank_members = True

    # A title quoted with an outline question: "协同创新促进工程下面分了哪几条？"
    if outline and not result.named and not result.members:
        titled = _mentioned_titles(q, plist)
        if titled:
            target = titled[0]
            children = plans[target.plan].children(target.id)
            if _ASK_ITEMS.search(q):
                children = [s for s in children if s.kind in KINDS.values() and s.kind != BOX] or children
            result.named.append(target)
            result.members.extend(children)
            result.members_first = bool(children)
    elif outline:
        for s in list(result.named):
            if s.kind not in (BOX, BOX_ITEM):
                children = plans[s.plan].children(s.id)
                if _ASK_ITEMS.search(q):
                    children = [c for c in children if c.kind != BOX] or children
                result.members.extend(children)
                result.members_first = result.members_first or bool(children)

    if _WHICH_BOX.search(q):
        attached = [b for s in result.named if s.kind not in (BOX, BOX_ITEM) for b in _attached_boxes(plans[s.plan], s)]
        if attached:
            result.named = attached
            result.members = [i for b in attached for i in _box_items(plans, b)]
        elif not boxes_named:
            result.which_kind = BOX
    result.reason = "outline" if result else ""
    return result


def _attached_boxes(plan: Plan, section: Section) -> list[Section]:
    """Boxes printed right after a section, before its next sibling: the box that details it."""
    siblings = [s for s in plan.sections if s.parent_id == section.parent_id and s.kind == section.kind]
    later = [s.start for s in siblings if s.start > section.start]
    end = min(later) if later else None
    return [
        s for s in plan.sections
        if s.kind == BOX and s.start > section.start and (end is None or s.start < end)
    ]
