"""Targets of several documents grouped into metrics (经济增长, 赤字率…): one row per measure, one cell per document."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from .figures import Figure, figures
from .periods import document_period, order_plans
from .sections import Plan

__all__ = [
    "Cell",
    "Metric",
    "group_metrics",
    "metrics_json",
]

Embed = Callable[[Sequence[str]], np.ndarray]  # texts -> unit-norm vectors, one row per text


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
    "国内生产总值增长5%左右", in 2023 and 2024) says nothing new: it is folded into that row, which keeps its wording
    as a subject. Only a row of several documents is a restatement: in one document, one value under two subjects is
    as often two measures that happen to agree (2016's 科技进步贡献率 and 常住人口城镇化率, both 60%; of the ten
    single-document folds in the seven reports, eight joined two measures; dev cmp-080, cmp-087)."""
    kept: list[Metric] = []
    owner: dict[tuple, Metric] = {}
    for m in metrics:
        keys = [(c.plan, c.section_id, c.figure.key) for c in m.cells]
        if kept and len(keys) >= 2 and all(k in owner for k in keys):
            into = owner[keys[0]]
            into.subjects = tuple(dict.fromkeys([*into.subjects, *m.subjects]))
            continue
        kept.append(m)
        for k in keys:
            owner.setdefault(k, m)
    return kept
