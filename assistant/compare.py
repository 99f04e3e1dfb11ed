"""Comparative questions across documents: one cited line per document asked about, in time order, and the change."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from index.figures import unit_family
from index.metrics import Cell, Metric
from index.periods import Period

from .comparison import Comparison, detect_comparison
from .cues import ASKS_FIGURE, ASKS_GOAL
from .metric_match import (
    NEAR_SUBJECT, bigrams, coverage_of, document_cell, lexical_text, rank_metrics, subject_aliases, subject_wording,
)
from .records import Answer, Citation

if TYPE_CHECKING:
    from index import PlanIndex, Section

__all__ = ["answer_comparison", "figure_difference"]


# -- the difference, computed ----------------------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def figure_difference(earlier: Cell, later: Cell, english: bool = False) -> str | None:
    """How the later figure differs from the earlier one, computed from their values when they share a unit
    family: percentages in percentage points, amounts in the later figure's unit. None when they cannot be compared."""
    a, b = earlier.figure, later.figure
    if a.family != b.family:
        return None
    ta, tb = a.target, b.target
    unit_b = tb.unit
    _, scale_b = unit_family(unit_b)
    lo_a, hi_a = ta.value * a.scale, (ta.high if ta.high is not None else ta.value) * a.scale
    lo_b, hi_b = tb.value * b.scale, (tb.high if tb.high is not None else tb.value) * b.scale
    diffs = sorted({round((lo_b - lo_a) / scale_b, 6), round((hi_b - hi_a) / scale_b, 6)}, key=abs)
    unit = ("percentage points" if english else "个百分点") if a.family == "%" else unit_b
    if all(d == 0 for d in diffs):
        return "unchanged" if english else "持平"
    if all(d > 0 for d in diffs) or all(d < 0 for d in diffs):
        size = "–".join(_fmt(abs(d)) for d in diffs)
        up = diffs[0] > 0
        if english:
            return f"{'up' if up else 'down'} {size} {unit}"
        return f"{'高' if up else '低'}{size}{unit}"
    size = "–".join(_fmt(d) for d in diffs)
    return f"changed by {size} {unit}" if english else f"变动{size}{unit}"


# -- the answer --------------------------------------------------------------------------------------------------------
def _label(period: Period, english: bool) -> str:
    if period.start is not None and period.start == period.end:
        return str(period.start) if english else f"{period.start}年"
    return period.label


def _name(comparison: Comparison, period: Period, english: bool) -> str:
    """A line's label: the document's year, or the earlier year whose results the question asks of it (its
    citation still names the document)."""
    year = comparison.reviewed.get(period.plan)
    if year is not None:
        return str(year) if english else f"{year}年"
    return _label(period, english)


def _quote(sentence: str, figure: str = "", limit: int = 120) -> str:
    """The sentence, or when it is long the clauses around the figure, marked as cut with "…"."""
    sentence = sentence.strip()
    if len(sentence) <= limit:
        return sentence
    at = sentence.find(figure) if figure else -1
    if at < 0:
        return sentence[: limit - 1] + "…"
    start = max(0, at - limit // 3)
    cut = max((sentence.rfind(c, 0, at) for c in "，,；;：:"), default=-1)
    if cut != -1 and cut + 1 >= start:
        start = cut + 1
    end = min(len(sentence), start + limit)
    return ("…" if start else "") + sentence[start:end] + ("…" if end < len(sentence) else "")


def _cite(index: "PlanIndex", plan: str, section_id: str, quote: str) -> Citation:
    from .documents import describe

    section = index.get(section_id, plan=plan)
    loaded = index.loaded_plans().get(plan)
    label = describe(plan, loaded.title).cite(section.id) if loaded is not None else ""
    return Citation(index.citation_id(section), section.title, quote, plan, label)


def _answer(comparison: Comparison, lines: list[str], citations: list[Citation], compare: dict) -> Answer:
    """The comparison's Answer: one line per document; `compare` goes into its verification with the documents."""
    return Answer(
        question=comparison.question,
        text="\n".join(lines),
        citations=citations,
        answerable=bool(citations),
        rewritten_question=comparison.question,
        mode="offline",
        verification={"compare": {"documents": [p.plan for p in comparison.documents], **compare}},
    )


def _same_thing(index: "PlanIndex", chosen: dict[str, tuple[float, Metric]], asked: set[str]) -> dict[str, tuple[float, Metric]]:
    """The asked kind's metric, with the other kind's only when it measures the same thing (a subject at least
    NEAR_SUBJECT alike): a 2022 result of 城镇新增就业 is no stand-in for a pension rise it does not give."""
    from index.metrics import subject_similarity

    mine = [k for k in chosen if k in asked]
    if not mine:
        return {}
    other = [k for k in chosen if k not in asked]
    if other:
        a, b = chosen[mine[0]][1].subjects, chosen[other[0]][1].subjects
        sim = subject_similarity([*a, *b], index.embed_phrases)
        if float(sim[: len(a), len(a) :].max()) < NEAR_SUBJECT:
            return {mine[0]: chosen[mine[0]]}
    return chosen


def _metric_answer(index: "PlanIndex", comparison: Comparison, chosen: dict[str, tuple[float, Metric]]) -> Answer:
    """One line per document with the chosen metric's figure (of the kind asked for that document), then the change."""
    en = comparison.english
    words = {"target": ("目标", "target"), "outcome": ("实际", "result")}
    found: list[tuple[Period, str, Cell | None]] = []
    for period in comparison.documents:
        kind = comparison.kind_of(period.plan)
        metric = chosen.get(kind, (0.0, None))[1]
        cell = document_cell(index, comparison, metric, period.plan, kind) if metric is not None else None
        other = "outcome" if kind == "target" else "target"
        if cell is None and not comparison.stance_asked and other in chosen:
            cell = document_cell(index, comparison, chosen[other][1], period.plan, other)
            kind = other if cell is not None else kind
        found.append((period, kind, cell))
    kinds = [k for k in ("target", "outcome") if any(kd == k for _, kd, c in found if c is not None)] or [
        k for k in ("target", "outcome") if k in chosen
    ][:1]
    label = chosen[kinds[0]][1].metric
    kind_text = "/".join(words[k][1 if en else 0] for k in kinds)
    lines = [f"“{label}” ({kind_text}) in each document:" if en else f"各文件的“{label}”（{kind_text}）："]
    citations: list[Citation] = []
    cells: list[tuple[Period, Cell]] = []
    for period, kind, cell in found:
        name = _name(comparison, period, en)
        if cell is None:
            what = words[kind][1 if en else 0]
            lines.append(
                f"- {name}: the document gives no figure for this ({what})." if en else f"- {name}：文件没有给出这一数字（{what}）。"
            )
            continue
        quote = _quote(cell.quote, cell.value)
        c = _cite(index, cell.plan, cell.section_id, quote)
        citations.append(c)
        cells.append((period, cell))
        tag = f" ({words[kind][1]})" if en and len(kinds) > 1 else f"（{words[kind][0]}）" if len(kinds) > 1 else ""
        lines.append(f"- {name}{tag}: {cell.value} — “{quote}” [{c.label or c.id}]" if en else f"- {name}{tag}：{cell.value}——“{quote}”[{c.label or c.id}]")
    reviewed = {p.start - 1 for p in comparison.documents if p.start is not None and comparison.kind_of(p.plan) == "outcome"}
    for year in comparison.missing_years:
        if year in reviewed:  # "2015年的实际增长, 据2016年的报告": the year a chosen report reviews
            continue
        lines.append(
            f"- {year}: no document of that year is loaded." if en else f"- {year}年：没有载入这一年的文件。"
        )
    if len(cells) >= 2:
        (p0, c0), (p1, c1) = cells[0], cells[-1]
        diff = figure_difference(c0, c1, en)
        if diff:
            lines.append(
                f"Change: {_name(comparison, p1, en)} ({c1.value}) against {_name(comparison, p0, en)} ({c0.value}): {diff}."
                if en
                else f"变化：{_name(comparison, p1, en)}（{c1.value}）比{_name(comparison, p0, en)}（{c0.value}）{diff}。"
            )
    metrics = {k: (m.metric, round(score, 4)) for k, (score, m) in chosen.items()}
    return _answer(comparison, lines, citations, {"metrics": metrics, **comparison.signals})


def _best_sentence(section: "Section", grams: set[str], wants_number: bool) -> str:
    parts = [x.strip() for x in re.split(r"(?<=[。；;！？!?])|\n", section.body or section.text) if len(x.strip()) >= 4]
    if not parts:
        return section.text[:120]

    def score(x: str) -> tuple[float, int]:
        return (coverage_of(grams, x) + (0.2 if wants_number and re.search(r"\d", x) else 0.0), -len(x))

    return max(parts, key=score)


def _search_answer(index: "PlanIndex", comparison: Comparison, signals: dict) -> Answer:
    """No grouped figure fits: each document is searched on its own and its best sentence quoted."""
    en = comparison.english
    lines = ["In each document:" if en else "各文件的相关内容："]
    citations: list[Citation] = []
    grams = bigrams(re.sub(r"[吗呢吧啊？?。，,！!]|什么|多少|哪些|怎么|如何|是否|有没有|分别", "", lexical_text(index, comparison)))
    wants_number = bool(re.search(r"多少|几|比例|率|how (?:much|many)|what (?:was|is) the", comparison.question, re.I))
    query = comparison.core or comparison.question
    qvec = index.embed_query(query)
    for period in comparison.documents:
        name = _name(comparison, period, en)
        hits = index.search(query, k=1, plan=period.plan, query_vector=qvec)
        if not hits:
            lines.append(f"- {name}: nothing found." if en else f"- {name}：没有找到相关内容。")
            continue
        section = hits[0].section
        sentence = _best_sentence(section, grams, wants_number)
        c = _cite(index, section.plan, section.id, sentence)
        citations.append(c)
        lines.append(f"- {name}: “{_quote(sentence)}” [{c.label or c.id}]" if en else f"- {name}：“{_quote(sentence)}”[{c.label or c.id}]")
    for year in comparison.missing_years:
        lines.append(f"- {year}: no document of that year is loaded." if en else f"- {year}年：没有载入这一年的文件。")
    return _answer(comparison, lines, citations, {"metric": None, **signals})



def answer_comparison(index: "PlanIndex", question: str, plan: str | None = None) -> Answer | None:
    """The answer to a question across documents, or None when the question is not one (the normal answerer
    takes it). Goals or results the documents share (index.metrics) give one line per document with its figure
    and quote, and the change computed from the figures; any other question gets each document's best sentence."""
    periods = index.periods()
    comparison = detect_comparison(question, periods, plan)
    if comparison is None:
        return None
    names = [p.plan for p in periods]
    chosen: dict[str, tuple[float, Metric]] = {}
    signals: dict[str, Any] = {}
    by_kind = {kind: index.metrics(names, kind=kind, shared=False) for kind in ("target", "outcome")}
    aliases = {kind: subject_aliases(metrics) for kind, metrics in by_kind.items()}
    asked = {comparison.kind_of(p.plan) for p in comparison.documents}
    # A question that names no stance ("起征点，2021年和2023年的报告分别是怎么说的？") takes, from a document that
    # gives no figure of the default kind, one of the other kind (dev cmp-098: 2023 reviews what 2021 set).
    wording = subject_wording(index, comparison)  # the same for both kinds: the question translated once
    for kind in sorted(asked if comparison.stance_asked else {"target", "outcome"}):
        other = "outcome" if kind == "target" else "target"
        ranked = rank_metrics(index, comparison, by_kind[kind], aliases[other], wording)
        signals[kind] = [(m.metric, round(score, 3)) for score, m in ranked[:3]]
        if ranked:
            chosen[kind] = ranked[0]
    comparison.signals = {"candidates": signals}
    if not comparison.stance_asked:
        chosen = _same_thing(index, chosen, asked)
    if chosen and (ASKS_FIGURE.search(question) or ASKS_GOAL.search(question)):
        return _metric_answer(index, comparison, chosen)
    return _search_answer(index, comparison, comparison.signals)
