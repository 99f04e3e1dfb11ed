"""How people name a document: its kind (规划, 报告 …), short title and years, and which loaded document a question names."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .cues import ASKS_GOAL, ASKS_RESULT, DOCUMENT_KINDS, DOCUMENT_KINDS_EN, DOCUMENT_WORD, TITLE_NOISE

__all__ = ["Document", "describe", "named_in", "reviewed_in"]

_YEAR = re.compile(r"(?<![0-9])(19[5-9][0-9]|20[0-9]{2})(?![0-9])")
_FIVE_YEAR = re.compile(r"([一二三四五六七八九十]{1,3})五")
_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _cn_number(text: str) -> int:
    if text.startswith("十"):
        return 10 + (_CN.get(text[1:], 0) if len(text) > 1 else 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN.get(tens, 0) * 10 + _CN.get(ones, 0)
    return _CN.get(text, 0)


def five_year_period(text: str) -> tuple[int, int] | None:
    """十三五 -> (2016, 2020): the N-th five-year plan period (from the third, 1966-1970, they run on unbroken)."""
    m = _FIVE_YEAR.search(text)
    if not m:
        return None
    n = _cn_number(m.group(1))
    if n < 3:
        return None
    start = 1966 + 5 * (n - 3)
    return start, start + 4


@dataclass(frozen=True)
class Document:
    """A loaded document as people name it: "2016年政府工作报告", kind 报告 / report, the years it is about."""

    name: str  # the index's plan name (its file stem)
    title: str
    short: str  # the title without the issuer's full style: 2016年政府工作报告
    kind: str  # 规划, 报告, 纲要, 意见 … (the last of DOCUMENT_KINDS the title contains)
    years: tuple[int, ...]

    @property
    def kind_en(self) -> str:
        return DOCUMENT_KINDS_EN.get(self.kind, "document")

    def cite(self, section_id: str, english: bool = False) -> str:
        """How an answer names a section of this document among several: 《2016年政府工作报告》三(一)."""
        return f"{self.short} {section_id}" if english else f"《{self.short}》{section_id}"


def describe(name: str, title: str) -> Document:
    short = title
    for noise in TITLE_NOISE:
        short = short.replace(noise, "")
    short = short.strip() or name
    kind = next((k for k in DOCUMENT_KINDS if k in title), "")
    years = {int(y) for y in _YEAR.findall(title)}
    period = five_year_period(title)
    if period:
        years.update(range(period[0], period[1] + 1))
    return Document(name, title, short, kind or "文件", tuple(sorted(years)))


def named_in(question: str, documents: Iterable[Document]) -> Document | None:
    """The one loaded document a question names by its year and kind ("2017年政府工作报告…", "the 2021 report"),
    or by its short title; None when it names none, or several."""
    docs = list(documents)
    hits = [d for d in docs if d.short and d.short in question]
    if len(hits) == 1:
        return hits[0]
    if not DOCUMENT_WORD.search(question):
        return None
    years = {int(y) for y in _YEAR.findall(question)}
    if len(years) != 1:
        return None
    year = years.pop()
    hits = [d for d in docs if d.years and min(d.years) == year and len(d.years) == 1]  # a report of that year
    return hits[0] if len(hits) == 1 else None


def asks_result_of_a_year(question: str) -> bool:
    """Does the question ask a result (实际, 完成了, actual) and no goal, naming no document? Then a year it names is
    answered by the report reviewing that year, the next year's (`reviewed_in`, assistant/comparison.py)."""
    return bool(ASKS_RESULT.search(question)) and not ASKS_GOAL.search(question) and not DOCUMENT_WORD.search(question)


def reviewed_in(question: str, documents: Iterable[Document]) -> Document | None:
    """The report that gives the results of the one year a question asks about ("2017年全年城镇新增就业实际是多少？":
    the 2018 report, whose review tells 2017's results, where the 2017 report has only its goals), when the question
    names no document, asks a result (实际, 完成了, actual) and no goal, and a report of the next year is loaded."""
    if not asks_result_of_a_year(question):
        return None
    years = {int(y) for y in _YEAR.findall(question)}
    if len(years) != 1:
        return None
    year = years.pop()
    hits = [d for d in documents if d.years and len(d.years) == 1 and min(d.years) == year + 1]
    return hits[0] if len(hits) == 1 else None
