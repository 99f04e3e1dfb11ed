"""Targets of several documents grouped into metrics (经济增长, 赤字率…): what each document's figure is about, and
whether it is a goal or last period's result."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from .periods import Period, document_period, five_year_plan, order_plans
from .sections import Plan, Section
from .targets import Target, section_targets

__all__ = [
    "Cell",
    "Figure",
    "Metric",
    "figures",
    "group_metrics",
    "metrics_json",
    "subject_of",
]

Embed = Callable[[Sequence[str]], np.ndarray]  # texts -> unit-norm vectors, one row per text

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
_PERIOD_WORDS = re.compile(r"年均|年平均|五年|(?:十[一二三四五六七八九]?|[一二三四五六七八九])五[”\"’时规计期末]")
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
        mentions = list(_TIME.finditer(headings + "\n" + text[: t.start]))
        when, multi = _time_of(mentions[-1], period) if mentions else ("now", False)
        if role != "mixed":
            # Over several years when the heading path or the figure's own sentence last named a span of years;
            # in a mixed chapter the mention that decided goal or result decides that too.
            sentence = text[_sentence_start(text, t.start) : t.start]
            spans = [_time_of(m, period)[1] for m in _TIME.finditer(headings + "\n" + own_heading + "\n" + sentence)]
            multi = bool(spans) and spans[-1]
        own = [_time_of(m, period)[0] for m in _TIME.finditer(before) if m["past"] or m["now"]]
        if own:  # "今年…", "去年…" in the figure's own clause
            when = own[-1]
        elif role in ("past", "now"):
            when = role
        kind = "outcome" if when == "past" else "target"
        horizon = "period" if multi or t.rate in ("年均", "年平均") or _PERIOD_WORDS.search(before) else "year"
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


# -- grouping across documents -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    """One document's figure in a metric row."""

    plan: str
    section_id: str
    value: str  # as written: "6.5%－7%", "5%左右"
    quote: str  # the sentence it comes from
    figure: Figure

    def to_json(self) -> dict:
        return {"plan": self.plan, "id": self.section_id, "value": self.value, "quote": self.quote}


@dataclass
class Metric:
    """Figures of several documents that measure the same thing, one cell per document, in time order."""

    metric: str  # a label: the subject most cells share, "国内生产总值增长"
    unit: str  # the unit most cells are written in: "%", "万人", "万亿元"
    kind: str  # "target" or "outcome"
    horizon: str  # "year" or "period"
    cells: list[Cell]
    subjects: tuple[str, ...] = field(default=())  # every subject its figures were found with

    @property
    def plans(self) -> list[str]:
        return [c.plan for c in self.cells]

    def cell(self, plan: str) -> Cell | None:
        return next((c for c in self.cells if c.plan == plan), None)

    def to_json(self) -> dict:
        return {"metric": self.metric, "unit": self.unit, "cells": [c.to_json() for c in self.cells]}


def metrics_json(metrics: Iterable[Metric]) -> dict:
    """The `targets --json` contract: {"metrics": [{"metric", "unit", "cells": [{"plan", "id", "value", "quote"}]}]}."""
    return {"metrics": [m.to_json() for m in metrics]}


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


# How the subjects' similarity mixes its two signals, and the distance (1 - similarity) under which complete
# linkage still joins two groups: every pair of a group's figures must be this close. Set by reading the rows of
# the seven government work reports (`plan-assistant targets`): at 0.22 each headline target is one row over the
# seven years, while 城镇登记 / 城镇调查失业率 and 财政赤字 / 中央财政赤字 stay apart (tests/index/test_metrics.py).
DENSE_WEIGHT = 0.5
LINK_DISTANCE = 0.22


def subject_similarity(subjects: Sequence[str], embed: Embed) -> np.ndarray:
    """Pairwise similarity of subjects: e5 cosine and character-bigram Dice, mixed by DENSE_WEIGHT."""
    if not subjects:
        return np.zeros((0, 0))
    vectors = np.asarray(embed(list(subjects)), dtype=np.float32)
    dense = np.clip(vectors @ vectors.T, 0.0, 1.0)
    grams = [_bigrams(s) for s in subjects]
    lexical = np.array([[_dice(a, b) for b in grams] for a in grams], dtype=np.float32)
    return DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * lexical


def group_metrics(
    plans: Mapping[str, Plan] | Sequence[Plan],
    embed: Embed,
    *,
    kind: str = "target",
    shared: bool = True,
    link_distance: float = LINK_DISTANCE,
) -> list[Metric]:
    """Group the documents' figures of one kind into metrics: figures whose subjects are alike (e5 + bigrams),
    in the same unit family and over the same span (a year's goal never joins a five-year one), by complete-linkage
    clustering. Two different figures of one document never share a metric; the same figure stated twice may.
    `shared`: only metrics that at least two documents give (with a single document, every figure is kept).
    Rows come most-documents first, then in the order of their first cell; cells in the documents' time order."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    plan_list = list(plans.values()) if isinstance(plans, Mapping) else list(plans)
    periods = {p.name: document_period(p.name, p.title) for p in plan_list}
    order = {per.plan: i for i, per in enumerate(order_plans(periods.values()))}
    items = [
        f for p in plan_list for f in figures(p, periods[p.name]) if f.kind == kind and f.subject and not f.delta
    ]
    if not items:
        return []
    subjects = sorted({f.subject for f in items})
    index = {s: i for i, s in enumerate(subjects)}
    sim = subject_similarity(subjects, embed)
    rows = np.array([index[f.subject] for f in items])
    dist = 1.0 - sim[np.ix_(rows, rows)]
    plan_of = np.array([f.plan for f in items])
    family = np.array([f"{f.family}|{f.horizon}|{f.target.rate}" for f in items])
    keys = [f.key for f in items]
    same_plan = plan_of[:, None] == plan_of[None, :]
    same_figure = np.array([[a == b for b in keys] for a in keys])
    forbidden = (family[:, None] != family[None, :]) | (same_plan & ~same_figure)
    dist = np.where(forbidden, 2.0, np.clip(dist, 0.0, 2.0))
    np.fill_diagonal(dist, 0.0)
    if len(items) == 1:
        labels = np.array([1])
    else:
        tree = linkage(squareform(dist, checks=False), method="complete")
        labels = fcluster(tree, t=link_distance, criterion="distance")

    multi = len(plan_list) > 1
    metrics: list[tuple[int, int, Metric]] = []
    for label in sorted(set(labels.tolist())):
        members = [i for i in range(len(items)) if labels[i] == label]
        by_plan: dict[str, list[int]] = {}
        for i in members:
            by_plan.setdefault(items[i].plan, []).append(i)
        if shared and multi and len(by_plan) < 2:
            continue
        cells = []
        for plan in sorted(by_plan, key=lambda n: order[n]):
            mine = by_plan[plan]
            others = [j for j in members if items[j].plan != plan]
            # The mention most like the other documents' figures; the earliest on a tie.
            best = max(mine, key=lambda i: (float(np.mean([1 - dist[i, j] for j in others])) if others else 0.0, -i))
            f = items[best]
            cells.append(Cell(plan, f.section_id, f.target.text, f.target.sentence, f))
        names = Counter(items[i].subject for i in members)
        label_text = min(names, key=lambda s: (-names[s], len(s), s))
        units = Counter(c.figure.target.unit for c in cells)
        first = min(members)
        metrics.append(
            (
                -len(by_plan),
                first,
                Metric(
                    metric=label_text,
                    unit=units.most_common(1)[0][0],
                    kind=kind,
                    horizon=items[first].horizon,
                    cells=cells,
                    subjects=tuple(names),
                ),
            )
        )
    metrics.sort(key=lambda x: (x[0], x[1]))
    return _fold_restatements([m for _, _, m in metrics])


def _fold_restatements(metrics: list[Metric]) -> list[Metric]:
    """A row whose every figure repeats, in the same section, a figure of a fuller row ("经济增长预期目标为5%左右" after
    "国内生产总值增长5%左右") says nothing new: it is folded into that row, which keeps its wording as a subject."""
    kept: list[Metric] = []
    owner: dict[tuple, Metric] = {}
    for m in metrics:
        keys = [(c.plan, c.section_id, c.figure.key) for c in m.cells]
        if kept and all(k in owner for k in keys):
            into = owner[keys[0]]
            into.subjects = tuple(dict.fromkeys([*into.subjects, *m.subjects]))
            continue
        kept.append(m)
        for k in keys:
            owner.setdefault(k, m)
    return kept
