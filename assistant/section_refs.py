"""Sections a question names by number ("专栏12", "专栏11第3项", "第18条", "五(三)", "box 14") and the numerals they use."""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.structure import EN_ORDINAL, en_number

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"[0-9０-９]{1,3}|[一二两三四五六七八九十百〇零]{1,4}"


def numeral_value(token: str) -> int | None:
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
# "the second item", "the 3rd point"; "the last item", "最后一项": the last one, told as LAST.
_EN_ORDINAL_ITEM = re.compile(rf"\b({EN_ORDINAL}|last)\s+(?:item|point|entry|one|project|measure)\b", re.I)
_LAST_ITEM = re.compile(r"最后(?:一)?[项点个条]")
_ITEM_PHRASES = (_LAST_ITEM, _RELATIVE_ITEM, _EN_RELATIVE_ITEM, _EN_ORDINAL_ITEM)
LAST = -1
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
        box, item = numeral_value(m.group(1)), numeral_value(m.group(2))
        if box is not None and item is not None:
            add(m, SectionRef("box", box, item, m.group(0)))
    for pattern, box_group, item_group in ((_EN_BOX_ITEM, 2, 1), (_EN_BOX_ITEM2, 1, 2)):
        for m in pattern.finditer(text):
            add(m, SectionRef("box", int(m.group(box_group)), int(m.group(item_group)), m.group(0)))
    item = item_number(text)  # "专栏11最后一项", "the second item … (box 11)": an item of the box named
    for pattern in (_BOX, _EN_BOX):
        for m in pattern.finditer(text):
            n = numeral_value(m.group(1))
            if n is not None:
                add(m, SectionRef("box", n, item, m.group(0)))
    for pattern in (_ITEM, _EN_ITEM):
        for m in pattern.finditer(text):
            n = numeral_value(m.group(1))
            if n is not None:
                add(m, SectionRef("item", n, None, m.group(0)))
    for m in _PROJECT.finditer(text):
        add(m, SectionRef("project", m.group(1), None, m.group(0)))
    for m in _CHAPTER.finditer(text):
        n = numeral_value(m.group(1))
        if n is not None:
            add(m, SectionRef("chapter", n, None, m.group(0)))
    return refs


def relative_item(text: str) -> int | None:
    """The N of "第N项" / "item N" / "the second item" when it names no box of its own (a follow-up's "第4项具体是
    什么？"); LAST for "最后一项" / "the last item"."""
    if _BOX.search(text) or _EN_BOX.search(text):
        return None
    return item_number(text)


def item_number(text: str) -> int | None:
    if _LAST_ITEM.search(text):
        return LAST
    m = _RELATIVE_ITEM.search(text) or _EN_RELATIVE_ITEM.search(text)
    if m:
        return numeral_value(m.group(1))
    m = _EN_ORDINAL_ITEM.search(text)
    if not m:
        return None
    return LAST if m.group(1).lower() == "last" else en_number(m.group(1))


def without_items(text: str) -> str:
    """The text without the phrases that pick an item by position ("第二项", "最后一项", "the last item"): they say
    which item, not what the question is about."""
    for pattern in _ITEM_PHRASES:
        text = pattern.sub(" ", text)
    return text


def nth_of(items: list, nth: int | None):
    """The nth item (1-based; LAST the last one), or None when there is no such item."""
    if nth == LAST:
        return items[-1] if items else None
    return items[nth - 1] if nth is not None and 0 < nth <= len(items) else None


def chinese_numeral(n: int) -> str:
    return _cn(n)
