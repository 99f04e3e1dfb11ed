"""Whether a text holds the kind of fact a question asks for: a number, an amount, a share, a date, a name, a count."""
from __future__ import annotations

import re
from collections.abc import Sequence

from .cues import ASKED_UNIT, FACT_MONEY, FACT_PERCENT, FACT_TIME, SAME_UNIT
from .question import MONEY, PERCENT, PERSON, TIME

__all__ = ["NUMBER", "asked_unit", "counted_unit", "counts_in", "has_evidence", "has_figure"]

# Evidence of the fact kinds some questions need (see question.NEEDS_EVIDENCE).
# Not the digits of a name (M2, PM2.5, G20) nor an ordinal (第七次): "广义货币M2增速呈下降趋势" states no figure of M2
# (dev rc-026), "做好第七次全国人口普查" none of the census (rc-066).
NUMBER = re.compile(
    r"(?<![A-Za-z0-9.])[0-9０-９]+(?:[.,][0-9]+)?|(?<![第一二两三四五六七八九十百千万])[一二两三四五六七八九十百千万]+"
    r"(?=[个家名项条次位所座种期大批类处亿万元年倍%]|以上)"
)
# A year or a span of years ("2020年", "近两年", "2016"): says when, not how many or how much.
_YEARS_AFTER = re.compile(r"\s*(?:多)?年")
_YEAR_DIGITS = re.compile(r"(?:19|20)[0-9]{2}")


def has_figure(text: str) -> bool:
    """Does `text` state a figure a 多少 / how many question could be answered by: a number that is not a year nor
    a number of years ("近两年平均经济增速" states none, dev rb-001)?"""
    return any(not _YEARS_AFTER.match(text, m.end()) and not _YEAR_DIGITS.fullmatch(m.group())
               for m in NUMBER.finditer(text))


_EVIDENCE = {
    MONEY: FACT_MONEY,
    PERCENT: FACT_PERCENT,
    TIME: FACT_TIME,
    PERSON: re.compile(r"(?!x)x"),  # filled in by jieba's person-name tags, see _has_person
}

def _has_person(text: str) -> bool:
    from .terms import load_jieba

    _, posseg = load_jieba()
    return any(w.flag == "nr" and len(w.word) >= 2 for w in posseg.cut(text))


_COUNT_NUMBER = r"(?:[0-9０-９]+(?:[.,][0-9]+)?|[一二两三四五六七八九十百千万]+)(?:\s*[-~～至到]\s*(?:[0-9０-９]+|[一二两三四五六七八九十百千万]+))?\s*(?:余|多)?"


def asked_unit(text: str) -> str | None:
    m = ASKED_UNIT.search(text)
    return m.group(1) if m else None


# A counted thing's Chinese word that is itself a measure, with 万 / 亿 before it as dictionaries list it ("households":
# 万户, "people": 万人): the unit an English "how many …" expects the number in.
_MEASURE_WORD = re.compile(r"[万亿]?([户辆家名人位项条所座台套吨亩艘架])")


def counted_unit(groups: Sequence[Sequence[str]]) -> str | None:
    """The measure word an English "how many X" expects, from the documents' words for X (its `subject_groups`):
    "How many households …" -> 户, as "多少户" says it in Chinese."""
    for group in groups:
        for word in group:
            m = _MEASURE_WORD.fullmatch(word)
            if m:
                return m.group(1)
    return None


def counts_in(unit: str, text: str) -> bool:
    """Does `text` count something in `unit` ("2200家", "8-10家"; for 年 a number of years, not 2020年)?"""
    units = SAME_UNIT.get(unit, unit)
    alternatives = "|".join(re.escape(u) for u in ([unit] if len(unit) > 1 else list(units)))
    if unit == "年":
        return bool(re.search(r"(?<![0-9])(?:[0-9]{1,2}|[一二两三四五六七八九十]+)\s*(?:多)?年", text))
    return bool(re.search(rf"{_COUNT_NUMBER}(?:{alternatives})", text))


def has_evidence(kind: str, text: str) -> bool:
    """Does `text` hold the kind of fact a MONEY/PERCENT/TIME/PERSON question asks for?"""
    if kind == PERSON:
        return _has_person(text)
    pattern = _EVIDENCE.get(kind)
    return bool(pattern and pattern.search(text))


