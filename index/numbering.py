"""The numbering grammar of Chinese plans: which line starts a section (第X章, 一、, (一), 1., (1), 专栏N)."""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["HEADING_MAX", "SENTENCE_END", "TO_ASCII", "Marker", "classify", "heading_like"]

_CN = "〇零一二三四五六七八九十百"
_DIG = "0-9０-９"
_MARKERS = [
    ("zhang", re.compile(rf"(第([{_CN}{_DIG}]{{1,5}})章)[\s:：、.．]*(.*)")),
    ("jie", re.compile(rf"(第([{_CN}{_DIG}]{{1,5}})节)[\s:：、.．]*(.*)")),
    # "一、二、三产业…" enumerates numbers, it is no heading.
    ("cn", re.compile(rf"(([{_CN}]{{1,4}})、)(?![{_CN}]{{1,4}}、)\s*(.*)")),
    ("cn_paren", re.compile(rf"([(（]([{_CN}]{{1,4}})[)）])\s*(.*)")),
    # A digit right after the dot is a decimal or a list ("1.5亿元", "1、2号线"), not a heading.
    ("num", re.compile(rf"(([{_DIG}]{{1,3}})[.．、])(?![{_DIG}])\s*(.*)")),
    ("num_paren", re.compile(rf"([(（]([{_DIG}]{{1,3}})[)）])\s*(.*)")),
    ("box", re.compile(rf"(专栏\s*([{_DIG}]{{1,3}}|[{_CN}]{{1,4}}))(?![{_DIG}])[\s:：、.．]*(.*)")),
]
TO_ASCII = str.maketrans("０１２３４５６７８９（）．", "0123456789().")
HEADING_MAX = 40  # a heading line longer than this is a paragraph
SENTENCE_END = re.compile(r"[。；;！!？?]")


@dataclass
class Marker:
    """A numbering marker at the start of a line, and what follows it."""

    style: str  # a KINDS key or "box"
    marker: str  # as written: "3." "（一）" "专栏11"
    number: str  # normalized: "3" "一" "11"
    rest: str  # the text after the marker

    @property
    def token(self) -> str:
        """This level's part of an ID."""
        if self.style in ("zhang", "jie"):
            return self.marker.translate(TO_ASCII)
        if self.style in ("cn_paren", "num_paren"):
            return f"({self.number})"
        return f"专栏{self.number}" if self.style == "box" else self.number


def heading_like(rest: str) -> bool:
    """Short, and no sentence ends in it: a heading, not a paragraph."""
    return len(rest) <= HEADING_MAX and not SENTENCE_END.search(rest)


def classify(line: str) -> Marker | None:
    """The numbering marker a line starts with, or None for a line of body text."""
    line = re.sub(r"^#{1,6}\s*", "", line)  # Markdown headings
    for style, pattern in _MARKERS:
        m = pattern.match(line)
        if m:
            marker = Marker(style, m.group(1), m.group(2).translate(TO_ASCII), m.group(3).strip())
            # "专栏5所列项目，…" is a sentence about a box, not its heading.
            if style == "box" and not (heading_like(marker.rest) and not re.search("[，,]", marker.rest)):
                return None
            return marker
    return None
