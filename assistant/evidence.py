"""Whether a text holds the kind of fact a question asks for: a number, an amount, a share, a date, a name, a count."""
from __future__ import annotations

import re

from .cues import ASKED_UNIT, FACT_MONEY, FACT_PERCENT, FACT_TIME, SAME_UNIT
from .question import MONEY, PERCENT, PERSON, TIME

__all__ = ["NUMBER", "asked_unit", "counts_in", "has_evidence"]

# Evidence of the fact kinds some questions need (see question.NEEDS_EVIDENCE).
# Not the digits of a name (M2, PM2.5, G20) nor an ordinal (第七次): "广义货币M2增速呈下降趋势" states no figure of M2
# (dev rc-026), "做好第七次全国人口普查" none of the census (rc-066).
NUMBER = re.compile(
    r"(?<![A-Za-z0-9.])[0-9０-９]+(?:[.,][0-9]+)?|(?<![第一二两三四五六七八九十百千万])[一二两三四五六七八九十百千万]+"
    r"(?=[个家名项条次位所座种期大批类处亿万元年倍%]|以上)"
)
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


