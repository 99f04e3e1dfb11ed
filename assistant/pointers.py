"""What a follow-up points at in the previous answer: "其中第二项", "the last one", "这个专栏", "this section"."""
from __future__ import annotations

from dataclasses import dataclass

from .cues import LAST_ZH, ORDINAL_EN, ORDINAL_WORDS_EN, ORDINAL_ZH, THIS_BOX, THIS_SECTION
from .section_refs import numeral_value

__all__ = ["Pointer", "find_pointer"]


@dataclass(frozen=True)
class Pointer:
    """`kind` is "ordinal" (the `number`-th; -1 for the last), "box" or "section"; `text` is the words that point."""

    kind: str
    number: int = 0
    text: str = ""


def find_pointer(question: str) -> Pointer | None:
    """The reference back into the previous answer a follow-up makes, if any."""
    m = ORDINAL_ZH.search(question)
    if m:
        n = numeral_value(m.group(1))
        if n:
            return Pointer("ordinal", n, m.group(0))
    m = LAST_ZH.search(question)
    if m:
        return Pointer("ordinal", -1, m.group(0))
    m = ORDINAL_EN.search(question)
    if m:
        word = (m.group(1) or "").lower()
        n = -1 if word in ("last", "final") else ORDINAL_WORDS_EN.get(word) or int(m.group(2) or 0)
        if n:
            return Pointer("ordinal", n, m.group(0))
    m = THIS_BOX.search(question)
    if m:
        return Pointer("box", 0, m.group(0))
    m = THIS_SECTION.search(question)
    if m:
        return Pointer("section", 0, m.group(0))
    return None
