"""Figures of one plan: what each one measures, and whether it is a goal or last period's result, for a year or more."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .periods import Period, document_period, five_year_plan
from .sections import Plan, Section
from .targets import Target, section_targets

__all__ = [
    "Figure",
    "figures",
    "subject_of",
]

# -- what a figure is about ------------------------------------------------------------------------------------------
_CLAUSE_END = "，,；;。：:！!？?\n"
_SENTENCE_END = "。；;！!？?\n"
# Time and discourse words that open a clause without saying what is measured: "今年赤字率…", "其中减免社保费…".
_LEADING = re.compile(
    r"^(?:(?:今年|去年|明年|全年|年末|年初|年底|上年|当年|本年|近年来|同时|其中|并|并且|要|拟|将|力争|确保|预计|全国|"
    r"(?:19|20)\d{2}年|[一二三四五六七八九十]+是)\s*)+"
)
# Verbs and prepositions that join the subject to its number: "赤字率提高到3%", "粮食产量保持在…", "赤字率拟按3%".
_LINKING = re.compile(
    r"(?:拟按|按照|按|为|是|在|达|达到|到|至|约|近|超过|突破|不少于|不低于|不超过|不高于|低于|高于|分别|"
    r"(?:提高|提升|降低|下降|降|增加|增|减少|扩大|上升|回落|稳定|保持|控制|维持|设定|定)(?:到|在|至|为))+$"
)
# A clause whose subject is only a change ("…达到67.7万亿元，增长6.9%") shares the subject of the clause before it.
_BARE = re.compile(
    r"^(?:[一二三四五六七八九十]+年)?(?:年均|年平均)?(?:增长|下降|上涨|下调|上调|降低|提高|增加|减少|回落|上升|扩大|缩小|分别|为|达到|超过)?$"
)
# A change against an earlier figure, not a level: "比上年增加1800亿元", "同比增长".
_DELTA = re.compile(r"比(?:上年|去年|上一年|前一年|年初)|同比|较(?:上年|去年)|比上年|增幅|多\d")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _clause_start(text: str, pos: int) -> int:
    return max((text.rfind(c, 0, pos) for c in _CLAUSE_END), default=-1) + 1


def _sentence_start(text: str, pos: int) -> int:
    return max((text.rfind(c, 0, pos) for c in _SENTENCE_END), default=-1) + 1


def _trim(words: str) -> str:
    words = re.sub(r"\s+", "", words)
    words = re.sub(r"[“”\"'‘’《》（）()、—\-]", "", words)
    words = _LEADING.sub("", words)
    return _LINKING.sub("", words)


def subject_of(text: str, start: int, floor: int = 0) -> str:
    """The words a figure at `start` of `text` measures: its clause before the number, without time words and
    linking verbs ("今年赤字率拟按3%安排" -> "赤字率"); a bare change ("增长6.9%") takes the subject of the
    clause before it in the same sentence ("国内生产总值达到…，增长6.9%" -> "国内生产总值增长")."""
    c = max(_clause_start(text, start), floor)
    words = text[c:start]
    listed = bool(re.search(r"[0-9０-９]", words)) and "、" in words
    if listed:  # a 、-list of figures: "产能9000多万吨、水泥2.3亿吨" -> "水泥"
        words = words.rsplit("、", 1)[-1]
    subject = _trim(words)
    if _BARE.match(subject) and listed:
        return ""  # "…5.2%，十年增加近70万亿元、年均增长6.2%": whose growth, the list does not say
    if _BARE.match(subject):
        # The sentence, across line breaks inside it ("达到74.4\n万亿元，增长6.7%" in a transcribed report).
        s = max(max((text.rfind(ch, 0, start) for ch in "。；;！!？?"), default=-1) + 1, floor)
        if c - 1 > s:  # an earlier clause in the same sentence
            prev_c = max(max((text.rfind(ch, 0, c - 1) for ch in "，,；;。：:！!？?"), default=-1) + 1, s)
            head = re.sub(r"[\s\u200b\ufeff]+", "", text[prev_c : c - 1])
            head = _trim(re.split(r"[0-9０-９从由]", head)[0])
            head = re.sub(r"(?:增长|下降|上涨|降低|提高|增加|减少)$", "", head)
            if len(_CJK.findall(head)) >= 2:
                subject = head + subject
        if _BARE.match(subject):
            return ""
    if len(_CJK.findall(subject)) < 3:  # "完成1000万以上农村贫困人口脱贫任务", "新建1亿亩高标准农田": named after it
        end = min([i for i in (text.find(ch, start) for ch in _CLAUSE_END) if i != -1] or [len(text)])
        after = re.sub(r"^[0-9０-９.,，%％万亿千百余多以上下内左右]*[^\u4e00-\u9fff]*", "", text[start:end])
        after = re.sub(r"^(?:[万亿]?[个家名项所座条台套人元亩斤吨]|以上|以下|以内|左右)+", "", after)
        after = re.split(r"[0-9０-９、]", after)[0]
        if len(_CJK.findall(after)) >= 2:
            subject = subject + after
    return subject if len(_CJK.findall(subject)) >= 2 else ""


# -- goal or result, and over what span ----------------------------------------------------------------------------
# The time a report's text last named before a figure decides what the figure is: a report reviews the past year
# ("2015年工作回顾", "过去一年", "十三五时期…") with results, then sets this year's goals ("今年", "2016年重点工作").
_TIME = re.compile(
    r"(?P<past>(?<![比较])(?:去年|上年(?!度))|过去(?:一|五|十)?年|(?:一|五|十)年来|前(?:一|五)年|回顾)"
    r"|(?P<now>今年|本年|明年|到(?=(?:19|20)\d{2}年))"
    r"|(?P<span>过去五年|五年来|今后五年|(?:十[一二三四五六七八九]?|[一二三四五六七八九])五(?=[”\"’时规计期末以]))"
    r"|(?P<year>(?:19|20)\d{2})(?=年)"
)
# A time named as the baseline of a comparison ("投入强度高于“十三五”时期实际", "比2020年") does not move the text to
# that time: in 2021's mixed chapter the 十四五 goal 常住人口城镇化率提高到65% came after such a 十三五 and was read as
# a result.
_BASELINE = re.compile(r"(?:高于|低于|快于|慢于|好于|超过|相比|比|较)[“\"‘]?$")
_PERIOD_WORDS = re.compile(r"年均|年平均|五年|(?:十[一二三四五六七八九]?|[一二三四五六七八九])五[”\"’时规计期末]")
_LEVEL = re.compile(r"(?:到|至|达)$")
_FYP = re.compile(r"(十[一二三四五六七八九]?|[一二三四五六七八九])五")


def _fyp_years(token: str) -> tuple[int, int] | None:
    m = _FYP.match(token)
    if not m:
        return None
    digits = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    t = m[1]
    n = 10 + digits.get(t[1:], 0) if t.startswith("十") else digits[t]
    return five_year_plan(n)


def _time_of(match: re.Match[str], period: Period) -> tuple[str, bool]:
    """(past|now, multi-year?) for one time mention, relative to the document's first year."""
    if match["past"]:
        return "past", "五" in match["past"] or "十" in match["past"]
    if match["now"]:
        return "now", False
    if match["span"]:
        token = match["span"]
        if token in ("过去五年", "五年来"):
            return "past", True
        if token == "今后五年":
            return "now", True
        years = _fyp_years(token)
        if years and period.start is not None:
            return ("past" if years[1] < period.start else "now"), True
        return "now", True
    year = int(match["year"])
    if period.start is None:
        return "now", False
    return ("past" if year < period.start else "now"), year > (period.end or period.start)


@dataclass(frozen=True)
class Figure:
    """One quantity of one document, with what it measures and whether it is a goal or a result."""

    target: Target
    subject: str  # "国内生产总值增长", "城镇新增就业", "赤字率"; "" when the clause says nothing of its own
    kind: str  # "target" (a goal it sets) or "outcome" (a result it reports)
    horizon: str  # "year" or "period" (a goal or result over several years: 年均, 十四五, 过去五年)
    delta: bool  # a change against an earlier figure ("比上年增加1800亿元"), not a level
    family: str  # what the unit counts, without its magnitude: "%", "元", "人", "斤", "个百分点"
    scale: float  # the unit's magnitude: 万亿元 -> 1e12 (of 元)

    @property
    def plan(self) -> str:
        return self.target.plan

    @property
    def section_id(self) -> str:
        return self.target.section_id

    @property
    def key(self) -> tuple[float, float | None, str, str]:
        """Equal for two mentions of the same figure ("5%左右" stated twice)."""
        t = self.target
        return (t.value * self.scale, None if t.high is None else t.high * self.scale, self.family, t.bound)


_MAGNITUDES = (("万亿", 1e12), ("亿", 1e8), ("万", 1e4), ("千", 1e3))
_BASE_UNITS = {"千瓦", "千瓦时", "千米", "万千瓦"}  # units whose 千/万 is part of the unit's name


def unit_family(unit: str) -> tuple[str, float]:
    """"万亿元" -> ("元", 1e12), "%" -> ("%", 1.0), "千瓦" -> ("千瓦", 1.0)."""
    if unit in ("%", "‰"):
        return "%", 0.1 if unit == "‰" else 1.0
    if unit in ("个百分点", "百分点"):
        return "个百分点", 1.0
    if unit in _BASE_UNITS:
        return unit, 1.0
    if unit in ("万", "亿", "万亿"):  # a bare magnitude: "1000万以上" (people, implied by the sentence)
        return "", dict(_MAGNITUDES)[unit]
    for prefix, scale in _MAGNITUDES:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            rest = unit[len(prefix) :]
            family, inner = unit_family(rest)
            return family, scale * inner
    return unit, 1.0


# Headings say what a section is about: a review of a past period ("2015年工作回顾", "过去五年…", "…发展成就"), this
# period's work ("2016年重点工作", "…主要目标任务", "对今年政府工作的建议"), or both ("“十三五”时期发展成就和“十四五”时期
# 主要目标任务"): then the time the body last named before the figure decides.
_REVIEW_WORDS = re.compile(r"回顾|过去|成就|以来")
_PLAN_WORDS = re.compile(r"目标|任务|部署|建议|取向|要求|重点工作|今年")
# A figure that is the old level of a change ("从50%提高到75%") is not a level the document sets.
_FROM = re.compile(r"[从由][^，,；;。]*$")
_TO_AFTER = re.compile(r"^[^，,；;。]{0,4}?(?:提高|增加|降低|下降|降|增|扩大|减少|上调|下调|提升)(?:到|至)")


def _heading_time(headings: str, period: Period) -> str:
    """"past", "now", "mixed" or "" for a section's heading path."""
    past = bool(_REVIEW_WORDS.search(headings))
    now = bool(_PLAN_WORDS.search(headings))
    for m in _TIME.finditer(headings):
        when, _ = _time_of(m, period)
        past, now = past or when == "past", now or when == "now"
    return "mixed" if past and now else "past" if past else "now" if now else ""


def _section_figures(section: Section, headings: str, period: Period) -> list[Figure]:
    text = section.text
    own_heading = section.heading if not section.inline else ""
    role = _heading_time(headings + "\n" + own_heading, period)
    floor = len(section.marker) if text.startswith(section.marker) else 0
    out = []
    for t in section_targets(section):
        if not re.search(r"[0-9０-９]", t.text):
            continue  # "两个", "八项": counts in words are mostly names (“四个意识”), not figures a table compares
        clause_from = _clause_start(text, t.start)
        before = text[clause_from : t.start]
        context = headings + "\n" + text[: t.start]
        mentions = [m for m in _TIME.finditer(context) if not _BASELINE.search(context[max(0, m.start() - 3) : m.start()])]
        when, multi = _time_of(mentions[-1], period) if mentions else ("now", False)
        if role != "mixed":
            # Over several years when the heading path, the time the figure's paragraph opens with, or the figure's
            # own sentence last named a span of years; in a mixed chapter the mention that decided goal or result
            # decides that too. A paragraph that opens "五年来，" reviews five years in every sentence: 2018's
            # "城镇新增就业6600万人以上", two sentences on, was grouped with the 2016 and 2017 reports' one-year results
            # (dev cmb-022).
            sentence = text[_sentence_start(text, t.start) : t.start]
            opening = _TIME.match(text, text.rfind("\n", 0, t.start) + 1)
            mentions_here = [*_TIME.finditer(headings + "\n" + own_heading), *([opening] if opening else []),
                             *_TIME.finditer(sentence)]
            multi = bool(mentions_here) and _time_of(mentions_here[-1], period)[1]
        own = [_time_of(m, period)[0] for m in _TIME.finditer(before) if m["past"] or m["now"]]
        if own:  # "今年…", "去年…" in the figure's own clause
            when = own[-1]
        elif role in ("past", "now"):
            when = role
        kind = "outcome" if when == "past" else "target"
        # A level reached ("城镇化率提高到58.5%", "贡献率达到60%") is read at a point in time, not summed over a span:
        # five years' review of it still compares with one year's (dev cmp-087, cmp-094).
        level = bool(_LEVEL.search(before))
        horizon = "period" if (multi and not level) or t.rate in ("年均", "年平均") or _PERIOD_WORDS.search(before) else "year"
        family, scale = unit_family(t.unit)
        moved_from = bool(_TO_AFTER.match(text[t.end : t.end + 12]))
        subject = subject_of(text, t.start, floor)
        if _FROM.search(before):  # "比例从50%提高到75%": the figure's subject is what comes before 从
            subject = _trim(re.split(r"[从由][^，,；;。]*$", before)[0]) or subject
        if family == "" and "人" in subject:  # "农村贫困人口减少1240万": a bare 万 counting people
            family = "人"
        out.append(
            Figure(
                target=t,
                subject=subject if len(_CJK.findall(subject)) >= 2 else "",
                kind=kind,
                horizon=horizon,
                delta=bool(_DELTA.search(before)) or moved_from,
                family=family,
                scale=scale,
            )
        )
    return out


def figures(plan: Plan, period: Period | None = None) -> list[Figure]:
    """Every figure written in digits in a plan, in document order, classified (goal / result, year / period)."""
    period = period or document_period(plan.name, plan.title)
    by_id = {s.id: s for s in plan.sections}
    out: list[Figure] = []
    for s in plan.sections:
        ancestors: list[str] = []
        p = s
        while p.parent_id is not None and p.parent_id in by_id:
            p = by_id[p.parent_id]
            ancestors.insert(0, p.heading if not p.inline else "")
        out += _section_figures(s, "\n".join(ancestors), period)
    return out
