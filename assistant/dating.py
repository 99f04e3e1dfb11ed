"""Which years a question asks about and which years a sentence speaks of, relative to its document's own year.

A report delivered in 2021 sets 2021's targets (今年) and reviews 2020 (去年) and the five years before (过去五年).
"去年实际增长多少？" is not answered by this year's target, nor "今年要新建多少亩高标准农田？" by a five-year total:
`period_conflict` tells when every close sentence with a number speaks of other years than the question asks
about, a signal the fitted refusal model weighs (assistant/features.py).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from . import cues

__all__ = ["SEVERAL", "YEAR", "asked_years", "no_year", "period_conflict", "sentence_years"]

SEVERAL = 0  # stands for "several years at once" (a five-year review, an average, a total) among the years
# A year: four digits not part of a longer number or a share, and not counting something ("2000亿元", "2000多家"):
# in Chinese a year is followed by 年 or joins a range or list (2016—2020年, 2016、2017和2018年), if by a character.
YEAR = re.compile(r"(?<![0-9０-９.])((?:19|20)[0-9]{2})(?![0-9０-９.%％])(?!(?![年至到和与及、])[\u4e00-\u9fff])")


def no_year(plan: str) -> None:
    """`year_of` for callers that know no document's year: relative words (今年, 去年) then date nothing."""
    return None


def _relative(text: str, year: int | None) -> set[int]:
    found: set[int] = set()
    if cues.SEVERAL_YEARS.search(text):
        found.add(SEVERAL)
    if year is not None:
        for cue, offset in ((cues.THIS_YEAR, 0), (cues.LAST_YEAR, -1), (cues.NEXT_YEAR, 1), (cues.YEAR_AFTER_NEXT, 2)):
            if cue.search(text):
                found.add(year + offset)
    return found


def asked_years(question: str, year: int | None) -> set[int]:
    """The years a question asks about: those it names, and 今年 / 去年 / 明年 read against the document's year;
    SEVERAL for 过去五年 / 年均 / 累计. Empty: the question does not say. A year naming a document ("according to
    the 2018 report") is not asked about: that report's review speaks of the years before it."""
    question = cues.YEAR_NAMES_DOCUMENT.sub(" ", question)
    return {int(y) for y in YEAR.findall(question)} | _relative(question, year)


def sentence_years(text: str, path: Sequence[str], year: int | None) -> set[int]:
    """The years a sentence speaks of: those it names or says relatively; else those of the nearest heading above
    it that says (a year in it, or a review of the past year). Empty: neither says."""
    found = {int(y) for y in YEAR.findall(text)} | _relative(text, year)
    if found:
        return found
    for heading in reversed(path):
        found = {int(y) for y in YEAR.findall(heading)} | _relative(heading, year)
        if year is not None and cues.REVIEW_HEADING.search(heading):
            found.add(year - 1)
        if found:
            return found
    return set()


def period_conflict(question: str, sentences: Iterable[tuple[str, Sequence[str], str]],
                    year_of: Callable[[str], int | None]) -> bool:
    """Does every sentence (text, heading path, document) speak of other years than the question asks about?
    False when the question names no time, or some sentence's years are unknown or shared with it."""
    sentences = list(sentences)
    if not sentences:
        return False
    for text, path, plan in sentences:
        year = year_of(plan)
        asked = asked_years(question, year)
        said = sentence_years(text, path, year)
        if not asked or not said or asked & said:
            return False
    return True
