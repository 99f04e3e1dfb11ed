"""The items a sentence announces ("突出了以下六个方面。"), told by their heads: each item's first sentence."""
from __future__ import annotations

import re

from index import Section

from .sentences import split_sentences

__all__ = ["item_heads", "starts_paragraph"]

# How an item of a list written out in the text begins: a dash (——), 一是 / 第一, or a bracketed or dotted number.
# (一) items that are sections of their own are listed from the outline instead.
_ITEM_START = re.compile(r"(?:——|—|[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，、,]|[（(][一二三四五六七八九十0-9]+[）)]|[0-9]+[.、．])")
MAX_ITEMS = 10


def item_heads(section: Section, after: int, limit: int = MAX_ITEMS) -> list[tuple[int, int]]:
    """Spans of `section.text` heading the items of the list that begins at `after` (the end of the announcing
    sentence): the first sentence of each, in order, up to the first paragraph that is no item. [] when no item
    follows."""
    text = section.text
    heads: list[tuple[int, int]] = []
    for span in split_sentences(text, after):
        if _ITEM_START.match(span.text):
            heads.append((span.start, span.end))
            if len(heads) >= limit:
                break
        elif not heads or starts_paragraph(text, span.start):
            break  # the text goes on with no item, or a paragraph after the items is no item
    return heads


def starts_paragraph(text: str, pos: int) -> bool:
    """Is only a line break (and spaces) before `pos`?"""
    line = text.rfind("\n", 0, pos)
    return line >= 0 and not text[line + 1 : pos].strip(" \t")
