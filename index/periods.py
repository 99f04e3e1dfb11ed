"""The years a document is about (2016, 十三五 = 2016–2020), read from its title or name, and years a text names."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

__all__ = ["Period", "document_period", "five_year_plan", "named_periods", "order_plans"]

_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# "十三五", "十四五", "十五": China's Nth five-year plan is written as N followed by 五.
_FIVE_YEAR = re.compile(r"(十[一二三四五六七八九]?|[一二三四五六七八九])五(?=[”\"’'」』]|规划|计划|时期|期间|末|以来|$)")
_YEAR = re.compile(r"(?<![0-9０-９])((?:19|20)[0-9]{2})(?![0-9０-９])")
# "2016到2024年", "2016-2018", "from 2021 to 2024", "2016 through 2018"; "between 2016 and 2024" stays two years.
_YEAR_SPAN = re.compile(
    r"((?:19|20)[0-9]{2})\s*(?:年)?\s*(?:-|－|—|–|~|～|至|到|\bto\b|\bthrough\b|\bthru\b|\buntil\b|\btill\b)\s*((?:19|20)[0-9]{2})",
    re.I,
)


def _cn_number(text: str) -> int:
    if text.startswith("十"):
        return 10 + _CN_DIGIT.get(text[1:], 0)
    return _CN_DIGIT[text]


def five_year_plan(n: int) -> tuple[int, int]:
    """The years of China's nth five-year plan: 1 is 1953–1957; 1963–1965 were no plan, so 3 is 1966–1970."""
    start = 1953 + 5 * (n - 1) if n <= 2 else 1966 + 5 * (n - 3)
    return start, start + 4


@dataclass(frozen=True)
class Period:
    """The years one document is about: an annual report's year, or a plan's span. `label` names it for a reader."""

    plan: str
    start: int | None  # None: the title and name give no year
    end: int | None
    label: str  # "2016", "十三五（2016–2020）", or the plan's name when no year is known

    def contains(self, year: int) -> bool:
        return self.start is not None and self.end is not None and self.start <= year <= self.end

    def overlaps(self, start: int, end: int) -> bool:
        return self.start is not None and self.end is not None and self.start <= end and start <= self.end

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (0 if self.start is not None else 1, self.start or 0, self.plan)


def _from_text(text: str) -> tuple[int, int, str] | None:
    text = text or ""
    if m := _YEAR_SPAN.search(text):
        a, b = int(m[1]), int(m[2])
        if a <= b:
            return a, b, f"{a}–{b}"
    if m := _FIVE_YEAR.search(text):
        start, end = five_year_plan(_cn_number(m[1]))
        return start, end, f"{m[1]}五（{start}–{end}）"
    if m := _YEAR.search(text):
        return int(m[1]), int(m[1]), m[1]
    return None


def document_period(plan: str, title: str = "") -> Period:
    """A document's years from its title ("2016年…政府工作报告", "…“十三五”规划"), else from its name
    ("government-work-report-2016"); a document with neither gets no years and sorts after those that have them."""
    found = _from_text(title) or _from_text(plan.replace("_", "-"))
    if found is None:
        return Period(plan, None, None, plan)
    return Period(plan, found[0], found[1], found[2])


def order_plans(periods: Iterable[Period]) -> list[Period]:
    """Documents in time order (their first year, then name); those without a year last."""
    return sorted(periods, key=lambda p: p.sort_key)


@dataclass(frozen=True)
class NamedYears:
    """What a question says about time: single years ("2017年"), spans ("2016到2024年", "十三五") and where."""

    years: tuple[int, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    found: tuple[str, ...] = ()  # the text of each mention, so a caller can take them out of the question

    @property
    def any(self) -> bool:
        return bool(self.years or self.spans)


def named_periods(text: str) -> NamedYears:
    """Years and spans a text names. A span is written with a dash or 到/至 between two years, or as a five-year
    plan's name; two years joined by 和/与/and stay two single years."""
    text = text or ""
    years: list[int] = []
    spans: list[tuple[int, int]] = []
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for m in _YEAR_SPAN.finditer(text):
        a, b = int(m[1]), int(m[2])
        if a <= b:
            spans.append((a, b))
            found.append(m[0])
            taken.append(m.span())
    for m in _FIVE_YEAR.finditer(text):
        spans.append(five_year_plan(_cn_number(m[1])))
        found.append(m[0])
    for m in _YEAR.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        years.append(int(m[1]))
        found.append(m[0])
    return NamedYears(tuple(dict.fromkeys(years)), tuple(dict.fromkeys(spans)), tuple(found))
