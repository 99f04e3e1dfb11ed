"""What a follow-up points at in the previous answer: "其中第二项", "the last one", "这个专栏", "this section"."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .section_refs import numeral_value

__all__ = ["Pointer", "find_pointer"]

# "其中第二项 / 第2个 / 那第三条": the Nth of the things the previous answer listed (or of the section it cited).
_ORDINAL_ZH = re.compile(r"第\s*([0-9０-９]{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:项|个|条|点|块|部分|方面|大块|件)")
_LAST_ZH = re.compile(r"最后(?:一|那)?(?:项|个|条|点|块|部分|方面)")
_ORDINAL_EN = re.compile(
    r"\b(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final)\s+"
    r"(?:one|item|point|task|area|part|project|entry|of (?:them|these|those))\b|\b(?:item|point|number|no\.)\s*([0-9]{1,2})\b",
    re.I,
)
_EN_ORDINALS = {w: i for i, w in enumerate(
    ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"), 1)}
# "这个专栏 / 该专栏 / that box": the box the previous answer cited (or the box its item belongs to).
_THIS_BOX = re.compile(r"(?:这个|这一|该|那个|此)\s*专栏|\b(?:this|that|the same)\s+box\b", re.I)
# "这部分 / 这一条 / this section": the section the previous answer cited.
_THIS_SECTION = re.compile(r"(?:这个|这一|这|该|那个|此)\s*(?:部分|条|项|节|章|工程|计划|方面)|\b(?:this|that)\s+(?:section|part|item|project)\b", re.I)


@dataclass(frozen=True)
class Pointer:
    """`kind` is "ordinal" (the `number`-th; -1 for the last), "box" or "section"; `text` is the words that point."""

    kind: str
    number: int = 0
    text: str = ""


def find_pointer(question: str) -> Pointer | None:
    """The reference back into the previous answer a follow-up makes, if any."""
    m = _ORDINAL_ZH.search(question)
    if m:
        n = numeral_value(m.group(1))
        if n:
            return Pointer("ordinal", n, m.group(0))
    m = _LAST_ZH.search(question)
    if m:
        return Pointer("ordinal", -1, m.group(0))
    m = _ORDINAL_EN.search(question)
    if m:
        word = (m.group(1) or "").lower()
        n = -1 if word in ("last", "final") else _EN_ORDINALS.get(word) or int(m.group(2) or 0)
        if n:
            return Pointer("ordinal", n, m.group(0))
    m = _THIS_BOX.search(question)
    if m:
        return Pointer("box", 0, m.group(0))
    m = _THIS_SECTION.search(question)
    if m:
        return Pointer("section", 0, m.group(0))
    return None
