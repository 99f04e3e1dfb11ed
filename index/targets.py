"""Quantitative targets (2200家以上, 8-10家, 每年…40个, 30%) found in a plan's section text by general patterns."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from .sections import Section

__all__ = ["Target", "extract_targets", "section_targets"]


@dataclass(frozen=True)
class Target:
    """One quantity the plan commits to, with where it stands. Offsets index `Section.text`."""

    section_id: str
    plan: str
    text: str  # the quantity as written: "2200家以上", "8-10家", "40个", "30%"
    value: float  # the number (the lower end of a range), in the written unit
    high: float | None  # the upper end of a range, else None
    unit: str  # "家", "个", "名", "亿元", "%"
    bound: str  # "min" (以上/不少于…), "max" (以下/不超过…), "about" (约/左右), "range", "exact"
    rate: str  # "每年", "年均", "每批"… when the clause sets an amount per period, else ""
    clause: str  # the clause it sits in: "每年新增创客空间40个、新增创客服务平台10个"
    sentence: str  # the whole sentence it comes from
    start: int
    end: int

    def to_json(self) -> dict:
        return {
            "section_id": self.section_id, "plan": self.plan, "text": self.text, "value": self.value,
            "high": self.high, "unit": self.unit, "bound": self.bound, "rate": self.rate,
            "clause": self.clause, "sentence": self.sentence,
        }


# Units a count or amount is written with; longest first so "个百分点" wins over "个". A bare 万 / 亿 counts what the
# sentence names ("减少农村贫困人口1000万以上"). Years, months, days,
# ordinals and phases (年 月 日 号 期 级) are deliberately absent: "2020年", "二期" are no targets.
_UNITS = sorted(
    """
    亿美元 万美元 美元 亿港元 亿元 万元 千元 元
    平方公里 平方千米 万平方米 平方米 立方米 公顷 亩 公里 千米 米 万吨 吨 公斤 斤 千瓦时 万千瓦 千瓦 兆瓦 吉瓦
    个百分点 百分点 倍 个月 小时 天
    人次 万人 人 个 家 名 位 项 所 座 条 台 套 支 种 类 件 篇 部 间 处 栋 辆 艘 架 颗 批 户 场 次 门
    万 亿
    """.split(),
    key=len,
    reverse=True,
)
# Chinese numerals only count with plain measure words ("十个", "两家"); "三次产业", "五大工程" are no targets.
_CN_UNITS = "个 家 名 位 项 所 座 条 台 套 支 种 类 件 批 户".split()
_DIGITS = "0-9"
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
_CN = f"[{_CN_NUM}]+"
_DASH = r"\s*(?:-|—|–|~|～|至|到)\s*"
_MIN_BEFORE = ("不少于", "不低于", "不小于", "至少", "超过", "突破", "逾", "高于", "大于", "多于")
_MAX_BEFORE = ("不超过", "不高于", "不多于", "不大于", "低于", "少于", "控制在")
_ABOUT_BEFORE = ("约", "近", "大约")
_RATES = ("每年", "年均", "年平均", "每批", "每季度", "每月", "每届", "每周", "每天", "年增长", "年增")
_CLAUSE_END = "，,；;。：:！!？?\n"
_SENTENCE_END = "。；;！!？?\n"

# A range may repeat its unit before the dash ("6.5%－7%"): the first unit is then part of the range.
_ARABIC = re.compile(
    rf"(?<![A-Za-z{_DIGITS}.+\-/第每栏])(?P<num>{_NUM})(?:[%‰]?{_DASH}(?P<num2>{_NUM}))?"
    rf"\s*(?P<approx>余|多)?(?P<unit>(?:万亿|[万亿])?(?:{'|'.join(map(re.escape, _UNITS))})|[%‰])"
    rf"(?P<post>以上|以下|以内|左右|上下)?"
)
_CHINESE = re.compile(
    rf"(?<![{_CN_NUM}第每栏])(?P<num>{_CN})(?:{_DASH}(?P<num2>{_CN}))?(?P<approx>余|多)?"
    rf"(?P<unit>{'|'.join(_CN_UNITS)})(?P<post>以上|以下|以内|左右|上下)?"
)
# A count written in two magnitudes, "2万5千公里" (25,000 km) or "1亿5千万人": read as 2.5万公里, 1.5亿人.
_MIXED = re.compile(
    rf"(?<![A-Za-z{_DIGITS}.])(?P<num>\d+)(?:(?P<wan>万)(?P<sub>\d)千|(?P<yi>亿)(?P<sub2>\d)千万)(?P<approx>余|多)?"
    rf"(?P<unit>{'|'.join(map(re.escape, _UNITS))})(?P<post>以上|以下|以内|左右|上下)?"
)
_PERCENT_WORDS = re.compile(rf"百分之(?P<num>{_CN}(?:点[{_CN_NUM}]+)?)(?P<post>以上|以下|以内|左右)?")
# Full-width digits and signs map one-to-one to ASCII, so offsets into the normalised copy are offsets into the text.
_NORMALISE = str.maketrans("０１２３４５６７８９．，％－～", "0123456789.,%-~")


def _cn_value(text: str) -> float | None:
    """Chinese numerals to a number: "十" 10, "二十五" 25, "一百二十" 120, "两千" 2000, "三点五" 3.5."""
    if "点" in text:
        whole, frac = text.split("点", 1)
        w = _cn_value(whole)
        digits = [_CN_DIGITS.get(c) for c in frac]
        if w is None or None in digits:
            return None
        return w + float("0." + "".join(str(d) for d in digits))
    total, section, number = 0, 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            number = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (number or 1) * _CN_SMALL[ch]
            number = 0
        elif ch in _CN_BIG:
            total = (total + section + number) * _CN_BIG[ch]
            section = number = 0
        else:
            return None
    return float(total + section + number)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}


def _plausible_cn(token: str) -> bool:
    """"一个", "千家万户" are idioms, "十三五" a plan's name: a lone 一/千/万 or a digit run is no count."""
    if len(token) == 1:
        return token in "两二三四五六七八九十"
    # "十三五": consecutive digits without a 十/百/千 between them spell a name, not a number.
    return not re.search(f"[{''.join(_CN_DIGITS)}]{{2}}", token)


def _bound(before: str, post: str, approx: str, ranged: bool) -> str:
    if ranged:
        return "range"
    if post == "以上" or approx:
        return "min"
    if post in ("以下", "以内"):
        return "max"
    if post in ("左右", "上下"):
        return "about"
    # The longest qualifier wins: "不少于" is a minimum although it ends with the maximum "少于".
    words = [(w, b) for b, ws in (("min", _MIN_BEFORE), ("max", _MAX_BEFORE), ("about", _ABOUT_BEFORE)) for w in ws]
    matches = [(len(w), b) for w, b in words if before.endswith(w)]
    return max(matches)[1] if matches else "exact"


def _span(text: str, start: int, end: int, stops: str) -> tuple[int, int]:
    left = max((text.rfind(c, 0, start) for c in stops), default=-1) + 1
    rights = [i for i in (text.find(c, end) for c in stops) if i != -1]
    right = min(rights) + 1 if rights else len(text)
    return left, right


def section_targets(section: Section) -> list[Target]:
    """The targets in one section's own text (its heading and body, not its children's)."""
    text = section.text
    norm = text.translate(_NORMALISE)
    found: list[tuple[int, int, float, float | None, str, str, str, str]] = []
    taken: list[tuple[int, int]] = []

    def overlaps(a: int, b: int) -> bool:
        return any(a < y and x < b for x, y in taken)

    for m in _MIXED.finditer(norm):
        value = float(m["num"]) + float(m["sub"] or m["sub2"]) / 10
        found.append((m.start(), m.end(), value, None, (m["wan"] or m["yi"]) + m["unit"], m["post"] or "", m["approx"] or "", "num"))
        taken.append((m.start(), m.end()))
    for m in _ARABIC.finditer(norm):
        if overlaps(m.start(), m.end()):
            continue
        value = float(m["num"].replace(",", ""))
        high = float(m["num2"].replace(",", "")) if m["num2"] else None
        found.append((m.start(), m.end(), value, high, m["unit"], m["post"] or "", m["approx"] or "", "num"))
        taken.append((m.start(), m.end()))
    for m in _PERCENT_WORDS.finditer(norm):
        value = _cn_value(m["num"])
        if value is not None and not overlaps(m.start(), m.end()):
            found.append((m.start(), m.end(), value, None, "%", m["post"] or "", "", "cn"))
            taken.append((m.start(), m.end()))
    for m in _CHINESE.finditer(norm):
        if overlaps(m.start(), m.end()) or not _plausible_cn(m["num"]):
            continue
        if m["num2"] and not _plausible_cn(m["num2"]):
            continue
        value = _cn_value(m["num"])
        high = _cn_value(m["num2"]) if m["num2"] else None
        if value is None or (m["num2"] and high is None):
            continue
        found.append((m.start(), m.end(), value, high, m["unit"], m["post"] or "", m["approx"] or "", "cn"))
        taken.append((m.start(), m.end()))

    # The section's own numbering ("专栏16", "3.") is no quantity.
    skip = len(section.marker) if text.startswith(section.marker) else 0
    targets = []
    for start, end, value, high, unit, post, approx, _kind in sorted(found):
        if start < skip:
            continue
        c_start, c_end = _span(text, start, end, _CLAUSE_END)
        s_start, s_end = _span(text, start, end, _SENTENCE_END)
        before = norm[max(c_start, start - 4) : start]
        # A rate written earlier in the same clause carries over a 、-list: "每年新增A 40个、新增B 10个".
        rate = next((r for r in _RATES if r in text[c_start:start]), "")
        targets.append(
            Target(
                section_id=section.id,
                plan=section.plan,
                text=text[start:end],
                value=value,
                high=high,
                unit=unit,
                bound=_bound(before, post, approx, high is not None),
                rate=rate,
                clause=text[max(c_start, skip) : c_end].strip().rstrip(_CLAUSE_END),
                sentence=text[max(s_start, skip) : s_end].strip(),
                start=start,
                end=end,
            )
        )
    return targets


def extract_targets(sections: Iterable[Section]) -> list[Target]:
    """Every quantitative target in these sections, in document order."""
    return [t for s in sections for t in section_targets(s)]
