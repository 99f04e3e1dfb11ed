"""Which years, five-year-plan periods and documents a question names, against what the loaded plans cover.

A question about a document that is not loaded ("2018年城镇新增就业目标？" with only the 2016 report indexed)
must not be answered from one that is: the nearest sentence of another year reads like an answer. So before
any search, the years (2018年, by 2020, 二〇一八年), periods (十四五, the 13th Five-Year Plan), document kinds
(政府工作报告, government work report) and quoted titles (《…》) a question names are compared with what each
loaded document covers; when none covers anything the question names, the answer is a refusal that lists the
loaded documents.

What a document covers is read from the document itself, generously (a missed refusal is left to the answerer,
a false one is not):
- years: every year its text or title names (a 2016 report names 2015 in its review and 2020 in its targets),
  and every year of a period or range its title names (a 十三五 plan covers 2016-2020 whatever years its text uses);
- periods: those its title or text names (第十四个五年规划 counts as 十四五), and those its title years fall in;
- kinds and titles: its title, and for a quoted title also its text (a report that cites 《中国制造2025》 covers it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .cues import PERIOD_ORDINALS_EN, WEAK_YEAR_CUES_EN, YEAR_CUE_EN

__all__ = ["Coverage", "Named", "coverage_of", "named_in", "out_of_scope"]

_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}
_CN_ORDINAL = {c: i for i, c in enumerate("一二三四五六七八九", 1)}

YEAR_MIN, YEAR_MAX = 1949, 2100  # a four-digit number outside these is a quantity, not a year
MAX_RANGE = 30  # years a named range expands to at most ("2016-2020年" is five)

# 2018年, 2016-2020年 / 2016—2020年 / 2016至2020年 (the range's first year has no 年 of its own)
_CN_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:\s*(?:-|—|–|~|～|至|到)\s*((?:19|20)\d\d))?\s*年(?!代)")
_CN_NUMERAL_YEAR = re.compile(r"([〇零○一二三四五六七八九]{4})年")
_EN_RANGE = re.compile(r"(?<![\w\u4e00-\u9fff])((?:19|20)\d\d)\s*(?:-|–|—)\s*((?:19|20)\d\d)(?![\w\u4e00-\u9fff%])")
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")  # in a document's text: any year-like number counts
# 十三五 / “十四五” / 第十四个五年规划 / the 14th Five-Year Plan
_CN_PERIOD = re.compile(r"十([一二三四五六七八九])五|第十([一二三四五六七八九])个五年")
_EN_PERIOD = re.compile(
    r"\b(?:(1[1-9])(?:st|nd|rd|th)|(" + "|".join(PERIOD_ORDINALS_EN) + r"))\s+five[- ]year\s+plan", re.IGNORECASE
)
_QUOTED_TITLE = re.compile(r"《([^《》]{2,60})》")
# Years naming documents: "2020年的政府工作报告", "2017年和2018年的报告", "the 2022 and (the) 2024 reports": their own years,
# every year of the list before the document word.
_Y = r"(?:19|20)\d\d"
_DOCUMENT_YEARS = re.compile(
    rf"({_Y}(?:\s*年?\s*(?:、|，|,|和|与|及|至|到|-|—)\s*{_Y})*)\s*年(?:的|度)?\s*(?:政府)?(?:工作)?(?:报告|规划|纲要)"
    rf"|\b({_Y}(?:(?:\s*,\s*|\s+and\s+|\s*-\s*|\s+to\s+)(?:and\s+)?(?:the\s+)?{_Y})*)\s+(?:government\s+)?(?:work\s+)?"
    r"(?:reports?|plans?|outlines?)\b",
    re.IGNORECASE,
)

# Kinds of document named by a fixed term; matched against titles. Only terms that name one kind of document
# are listed: 规划 / 计划 / plan are what every user calls any loaded document, so they never refuse.
DOCUMENT_KINDS: dict[str, tuple[str, ...]] = {
    "政府工作报告": ("政府工作报告", "government work report", "government work reports"),
    "统计公报": ("统计公报", "statistical communique", "statistical communiqué", "statistical bulletin"),
    "白皮书": ("白皮书", "white paper"),
}
TITLE_OVERLAP = 0.6  # share of a quoted title's character pairs a loaded title must contain to be that document


def period_years(n: int) -> range:
    """Years of the n-th five-year plan: the 3rd began in 1966 and they have followed each other since."""
    start = 1966 + 5 * (n - 3)
    return range(start, start + 5)


def period_name(n: int, english: bool) -> str:
    cn = "十" + "一二三四五六七八九"[n - 11] + "五" if 11 <= n <= 19 else str(n)
    return f"the {n}th Five-Year Plan" if english else f"“{cn}”"


@dataclass(frozen=True)
class Named:
    """What a question names: years, five-year-plan periods (by number), document kinds and quoted titles."""

    years: frozenset[int] = frozenset()
    periods: frozenset[int] = frozenset()
    kinds: frozenset[str] = frozenset()
    titles: tuple[str, ...] = ()
    # Years that name a document ("2020年的政府工作报告", "the 2025 report"): its own year, not one it mentions.
    document_years: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.years or self.periods or self.kinds or self.titles)


@dataclass
class Coverage:
    """What one loaded document covers (see the module docstring)."""

    name: str
    title: str
    years: set[int] = field(default_factory=set)
    span: tuple[int, int] | None = None  # the years its title names, first to last, for the refusal's list
    periods: set[int] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    text: str = ""

    def label(self, english: bool) -> str:
        if self.span and self.span[0] != self.span[1]:
            return f"{self.title} ({self.span[0]}-{self.span[1]})" if english else f"{self.title}（{self.span[0]}—{self.span[1]}年）"
        return self.title


def _years_in(text: str, *, english: bool) -> set[int]:
    years: set[int] = set()
    for m in _CN_YEAR.finditer(text):
        years |= _span(int(m.group(1)), int(m.group(2) or m.group(1)))
    for m in _CN_NUMERAL_YEAR.finditer(text):
        years.add(int("".join(_CN_DIGITS[c] for c in m.group(1))))
    if english:
        for m in YEAR_CUE_EN.finditer(text):
            cue, first, last = (m.group(1) or m.group(2) or "").lower(), m.group(3), m.group(4)
            if last is None and cue in WEAK_YEAR_CUES_EN and first.endswith("00"):
                continue
            years |= _span(int(first), int(last or first))
        for m in _EN_RANGE.finditer(text):
            years |= _span(int(m.group(1)), int(m.group(2)))
    return {y for y in years if YEAR_MIN <= y <= YEAR_MAX}


def _span(first: int, last: int) -> set[int]:
    if last < first or last - first > MAX_RANGE:
        return {first, last}
    return set(range(first, last + 1))


def _periods_in(text: str) -> set[int]:
    found = {10 + _CN_ORDINAL[a or b] for a, b in _CN_PERIOD.findall(text)}
    for digits, word in _EN_PERIOD.findall(text):
        found.add(int(digits) if digits else PERIOD_ORDINALS_EN[word.lower()])
    return found


def named_in(question: str) -> Named:
    """The years, periods, document kinds and quoted titles a question names."""
    lowered = question.lower()
    kinds = {kind for kind, terms in DOCUMENT_KINDS.items() if any(t in lowered for t in terms)}
    return Named(
        years=frozenset(_years_in(question, english=True)),
        periods=frozenset(_periods_in(question)),
        kinds=frozenset(kinds),
        titles=tuple(dict.fromkeys(t.strip() for t in _QUOTED_TITLE.findall(question) if t.strip())),
        document_years=frozenset(int(y) for m in _DOCUMENT_YEARS.findall(question) for y in re.findall(_Y, m[0] or m[1])),
    )


def coverage_of(name: str, title: str, text: str) -> Coverage:
    """What a document covers, from its title and text."""
    title_years = _years_in(title, english=True)
    title_periods = _periods_in(title)
    years = {int(y) for y in _ANY_YEAR.findall(text)} | {int(y) for y in _ANY_YEAR.findall(title)} | title_years
    for n in title_periods:
        years |= set(period_years(n))
    spanned = title_years | {y for n in title_periods for y in period_years(n)}
    periods = title_periods | _periods_in(text)
    periods |= {n for n in range(11, 20) if spanned & set(period_years(n))}
    lowered = title.lower()
    kinds = {kind for kind, terms in DOCUMENT_KINDS.items() if any(t in lowered for t in terms)}
    span = (min(spanned), max(spanned)) if spanned else None
    return Coverage(name, title, {y for y in years if YEAR_MIN <= y <= YEAR_MAX}, span, periods, kinds, text)


def _pairs(text: str) -> set[str]:
    text = re.sub(r"[\s“”\"'‘’《》()（）]", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _has_title(doc: Coverage, quoted: str) -> bool:
    if quoted in doc.title or quoted in doc.text:
        return True
    pairs = _pairs(quoted)
    return bool(pairs) and len(pairs & _pairs(doc.title)) / len(pairs) >= TITLE_OVERLAP


def covers(doc: Coverage, named: Named) -> bool:
    """Whether the document covers what the question names: each kind of thing named (years, periods, kinds,
    titles) must be matched by at least one of its items; kinds of thing not named do not count."""
    if named.years and not named.years & doc.years:
        return False
    if named.periods and not named.periods & doc.periods:
        return False
    if named.kinds and not named.kinds & doc.kinds:
        return False
    if named.titles and not any(_has_title(doc, t) for t in named.titles):
        return False
    # A document named by its year is the one of that year: the 2021 report reviews 2020 but is not the 2020 report.
    if named.document_years and doc.span and not any(doc.span[0] <= y <= doc.span[1] for y in named.document_years):
        return False
    return True


_COVERAGE: dict[tuple[str, str], Coverage] = {}  # (name, sha256) -> Coverage: computed once per plan text


def loaded_coverage(plans: Mapping[str, object]) -> list[Coverage]:
    """Coverage of each loaded plan (index.Plan: name, title, text, sha256), cached by its checksum."""
    out = []
    for name, plan in plans.items():
        key = (name, getattr(plan, "sha256", ""))
        if key not in _COVERAGE:
            if len(_COVERAGE) > 256:
                _COVERAGE.clear()
            _COVERAGE[key] = coverage_of(name, getattr(plan, "title", "") or name, getattr(plan, "text", ""))
        out.append(_COVERAGE[key])
    return out


def describe(named: Named, english: bool) -> str:
    """What the question named, as the refusal says it."""
    years = [str(y) if english else f"{y}年" for y in sorted(named.years)]
    kinds = [DOCUMENT_KINDS[k][1] if english else k for k in sorted(named.kinds)]
    if years and kinds:  # "the 2018 government work report" / "2018年政府工作报告"
        joined = ", ".join(years) if english else "、".join(years)
        years, kinds = [], [f"the {joined} {k}" if english else f"{joined}{k}" for k in kinds]
    parts = [*kinds, *(f"《{t}》" for t in named.titles), *(period_name(n, english) for n in sorted(named.periods)), *years]
    return (", " if english else "、").join(parts)


def refusal_text(named: Named, docs: Iterable[Coverage], english: bool) -> str:
    labels = [d.label(english) for d in docs]
    asked = describe(named, english)
    if english:
        listing = "; ".join(labels) or "none"
        return (
            f"None of the loaded documents covers {asked}, so this cannot be answered from them. "
            f"Loaded: {listing}. To ask about another document, index it first (`plan-assistant index --plan FILE`)."
        )
    listing = "；".join(labels) or "无"
    return (
        f"已加载的文档都不涉及{asked}，无法据此回答。已加载：{listing}。"
        "如需查询其他文档，请先将其加入索引（`plan-assistant index --plan 文件`）。"
    )


def out_of_scope(question: str, plans: Mapping[str, object], *, english: bool) -> str | None:
    """The refusal text when the question names years, periods, kinds or titles no loaded plan covers, else None."""
    named = named_in(question)
    if not named or not plans:
        return None
    docs = loaded_coverage(plans)
    if any(covers(doc, named) for doc in docs):
        return None
    return refusal_text(named, docs, english)
