"""Whether a text holds the kind of fact a question asks for: a number, an amount, a share, a date, a name, a count."""
from __future__ import annotations

import re

from .question import MONEY, PERCENT, PERSON, TIME

__all__ = ["NUMBER", "asked_unit", "counts_in", "has_evidence"]

# Evidence of the fact kinds some questions need (see question.NEEDS_EVIDENCE).
NUMBER = re.compile(r"[0-9０-９]+(?:[.,][0-9]+)?|[一二两三四五六七八九十百千万]+(?=[个家名项条次位所座种期大批类处亿万元年倍%]|以上)")
_EVIDENCE = {
    MONEY: re.compile(r"[0-9０-９.]+\s*(?:亿|万|千)?(?:元|美元|港元|欧元)|[$¥￥€]\s*[0-9]|[一二两三四五六七八九十百千万]+(?:亿|万)元"),
    PERCENT: re.compile(r"[0-9０-９.]+\s*[%％]|百分之|个百分点|比重|占比"),
    TIME: re.compile(r"[0-9０-９]{4}\s*年|[0-9０-９]{1,2}\s*月|年底|年内|年前|季度|[0-9]{4}[-/.][0-9]{1,2}"),
    PERSON: re.compile(r"(?!x)x"),  # filled in by jieba's person-name tags, see _has_person
}

def _has_person(text: str) -> bool:
    from .terms import load_jieba

    _, posseg = load_jieba()
    return any(w.flag == "nr" and len(w.word) >= 2 for w in posseg.cut(text))


# "多少辆 / 几家": the measure word the asker expects the number in (个 says nothing, 年 is usually a year).
_ASKED_UNIT = re.compile(r"(?:多少|几)\s*(辆|家|名|人|位|项|条|次|所|座|种|台|套|批|处|亿元|万元|元|平方米|平方公里|公里|吨|倍|天|个月|年)")
_SAME_UNIT = {"人": "人名位", "名": "人名位", "位": "人名位", "元": "元", "亿元": "亿元", "万元": "万元"}
_COUNT_NUMBER = r"(?:[0-9０-９]+(?:[.,][0-9]+)?|[一二两三四五六七八九十百千万]+)(?:\s*[-~～至到]\s*(?:[0-9０-９]+|[一二两三四五六七八九十百千万]+))?\s*(?:余|多)?"


def asked_unit(text: str) -> str | None:
    m = _ASKED_UNIT.search(text)
    return m.group(1) if m else None


def counts_in(unit: str, text: str) -> bool:
    """Does `text` count something in `unit` ("2200家", "8-10家"; for 年 a number of years, not 2020年)?"""
    units = _SAME_UNIT.get(unit, unit)
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


