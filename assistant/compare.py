"""Comparative questions across documents: one cited line per document asked about, in time order, and the change."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from index.metrics import Cell, Metric, unit_family
from index.periods import Period, named_periods

from .records import Answer, Citation

if TYPE_CHECKING:
    from index import PlanIndex, Section

__all__ = ["Comparison", "answer_comparison", "detect_comparison", "figure_difference"]

# Words that ask across every loaded document: "历年", "各年", "这几年", "over the years", "in each report".
_ALL_ZH = re.compile(
    r"历年|历次|历届|各年|逐年|每一年|每年分别|这几年|近几年|这些年|多年来|这几份|各份|每份|各(?:个)?(?:报告|文件|规划)|"
    r"所有(?:的)?(?:报告|文件|规划)|几份(?:报告|文件|规划)|(?:报告|文件|规划)之间"
)
_ALL_EN = re.compile(
    r"over the years|each year|every year|year by year|year on year|year to year|across (?:the )?years|over time|"
    r"(?:each|every|all (?:the )?|across (?:all )?(?:the )?)(?:reports?|plans?|documents?)",
    re.I,
)
# Words that ask how something changed; with no year named they ask across every loaded document, unless the
# question is about one document's own "this year vs last year" (今年比去年).
_CHANGE = re.compile(r"变化|变动|走势|趋势|不同|差别|区别|差异|对比|比较|相比|调整了?|升降|\bchanged?\b|\bdiffer|\btrend|\bcompare|\bevolv", re.I)
_RELATIVE = re.compile(r"今年|去年|上年|明年|本年|this year|last year|next year", re.I)
# What the question asks for: a goal, or a result that was reached.
_OUTCOME = re.compile(r"实际|实现了|完成了|增长了|达到了|结果|实绩|\bactual|\bachieved|\boutcome|\bresult|\bgrew\b|\breached\b", re.I)
_TARGET = re.compile(r"目标|预期|计划|定在|定为|拟|\btarget|\bgoal|\baim|\bplann?ed|\bexpected|\bset\b", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")

# Question-side metric matching: e5 cosine of the question and a metric's subject, mixed with how much of the
# subject's wording the question (or its English words' dictionary translations) contains.
MATCH_DENSE_WEIGHT = 0.5
MATCH_FLOOR = 0.45  # below this the question is about no grouped figure: each document is searched instead
# A document that misses the chosen metric may still give the figure under other wording: a figure of the same
# unit and kind whose subject is at least this similar to the metric's is taken (with its own citation).
NEAR_SUBJECT = 0.7


def _english(text: str) -> bool:
    return len(_LATIN.findall(text)) > len(_CJK.findall(text)) / 2


@dataclass
class Comparison:
    """A question that asks about several documents: which, in time order, and whether about goals or results."""

    question: str
    documents: list[Period]  # time order
    missing_years: list[int]  # named years no loaded document is about
    kind: str  # "target" or "outcome"
    core: str  # the question without the years and document words that chose the documents
    english: bool
    all_documents: bool = False
    signals: dict[str, Any] = field(default_factory=dict)


def _documents_for(year: int, periods: Sequence[Period]) -> list[Period]:
    """The documents about one year: an annual one of that year if loaded, else those whose span covers it."""
    exact = [p for p in periods if p.start == year and p.end == year]
    return exact or [p for p in periods if p.contains(year)]


def detect_comparison(question: str, periods: Sequence[Period], plan: str | None = None) -> Comparison | None:
    """Is this a question across documents? It is when it names two or more documents' years (2016年和2024年,
    2016到2024年, 十三五), or asks across all of them (历年, over the years; a change word without a year counts too
    when no document is selected and the question is not about one document's 今年 vs 去年). None otherwise."""
    if len(periods) < 2 and not named_periods(question).any:
        return None
    named = named_periods(question)
    chosen: list[Period] = []
    missing: list[int] = []
    for year in named.years:
        docs = _documents_for(year, periods)
        chosen += docs
        if not docs:
            missing.append(year)
    for start, end in named.spans:
        chosen += [p for p in periods if p.start is not None and start <= p.start <= end] or [
            p for p in periods if p.overlaps(start, end)
        ]
    across = bool(_ALL_ZH.search(question) or _ALL_EN.search(question))
    if not across and not named.any and plan is None and _CHANGE.search(question) and not _RELATIVE.search(question):
        across = True
    documents = list(dict.fromkeys(chosen))
    if across and len(documents) < 2:
        documents = [p for p in periods if p.start is not None] or list(periods)
    if len(documents) + len(missing) < 2 or not documents:
        return None
    core = question
    for text in sorted(named.found, key=len, reverse=True):
        core = re.sub(re.escape(text) + r"\s*(?:年度?)?(?:的)?", " ", core)
    core = _ALL_ZH.sub(" ", _ALL_EN.sub(" ", core))
    kind = "outcome" if _OUTCOME.search(question) and not _TARGET.search(question) else "target"
    order = {p.plan: i for i, p in enumerate(periods)}
    return Comparison(
        question=question,
        documents=sorted(documents, key=lambda p: order.get(p.plan, 0)),
        missing_years=missing,
        kind=kind,
        core=re.sub(r"\s+", " ", core).strip(),
        english=_english(question),
        all_documents=across,
    )


# -- which metric ----------------------------------------------------------------------------------------------------
def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _coverage(subject: str, grams: set[str]) -> float:
    """Share of the subject's character bigrams that the question contains."""
    own = _bigrams(subject)
    return len(own & grams) / len(own) if own else 0.0


def _lexical_text(index: "PlanIndex", comparison: Comparison) -> str:
    """The question's words, plus the Chinese words its English words translate to (CC-CEDICT)."""
    text = comparison.core
    if comparison.english:
        text += " " + " ".join(w for _, words in index.translate(comparison.core) for w in words)
    return text


def _rank_metrics(index: "PlanIndex", comparison: Comparison, metrics: Sequence[Metric]) -> list[tuple[float, Metric]]:
    wanted = {p.plan for p in comparison.documents}
    candidates = [m for m in metrics if wanted & set(m.plans)]
    if not candidates:
        return []
    subjects = sorted({s for m in candidates for s in m.subjects})
    vectors = index.embed_phrases([comparison.core, *subjects])
    dense = dict(zip(subjects, np.clip(vectors[1:] @ vectors[0], 0.0, 1.0).tolist()))
    grams = _bigrams(_lexical_text(index, comparison))
    scored = []
    for m in candidates:
        best = max(MATCH_DENSE_WEIGHT * dense[s] + (1 - MATCH_DENSE_WEIGHT) * _coverage(s, grams) for s in m.subjects)
        covered = len(wanted & set(m.plans)) / len(wanted)
        scored.append((best + 0.05 * covered, m))  # of two equally apt rows, the one more documents give
    return sorted(scored, key=lambda x: -x[0])


def _near_cell(index: "PlanIndex", metric: Metric, plan: str, kind: str) -> Cell | None:
    """A document's figure the grouping left out of `metric` (other wording, another span) that still measures it."""
    from index.metrics import figures, subject_similarity

    loaded = index.loaded_plans().get(plan)
    if loaded is None:
        return None
    family = metric.cells[0].figure.family
    own = [f for f in figures(loaded) if f.kind == kind and f.family == family and f.subject and not f.delta]
    if not own:
        return None
    subjects = list(metric.subjects)
    sim = subject_similarity([*subjects, *[f.subject for f in own]], index.embed_phrases)
    n = len(subjects)
    best_i, best = max(((i, float(sim[:n, n + i].max())) for i in range(len(own))), key=lambda x: x[1])
    if best < NEAR_SUBJECT:
        return None
    f = own[best_i]
    return Cell(plan, f.section_id, f.target.text, f.target.sentence, f)


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


def _quote(sentence: str, limit: int = 120) -> str:
    sentence = sentence.strip()
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def _cite(index: "PlanIndex", plan: str, section_id: str, quote: str) -> Citation:
    section = index.get(section_id, plan=plan)
    return Citation(index.citation_id(section), section.title, quote, plan)


def _metric_answer(index: "PlanIndex", comparison: Comparison, metric: Metric, score: float) -> Answer:
    en = comparison.english
    kind_word = {"target": ("目标", "target"), "outcome": ("实际", "result")}[comparison.kind][1 if en else 0]
    lines = [
        f"“{metric.metric}” ({kind_word}) in each document:" if en else f"各文件的“{metric.metric}”（{kind_word}）："
    ]
    citations: list[Citation] = []
    cells: list[tuple[Period, Cell]] = []
    for period in comparison.documents:
        cell = metric.cell(period.plan) or _near_cell(index, metric, period.plan, comparison.kind)
        name = _label(period, en)
        if cell is None:
            lines.append(
                f"- {name}: the document gives no figure for this." if en else f"- {name}：文件没有给出这一数字。"
            )
            continue
        c = _cite(index, cell.plan, cell.section_id, cell.quote)
        citations.append(c)
        cells.append((period, cell))
        quote = _quote(cell.quote)
        lines.append(f"- {name}: {cell.value} — “{quote}” [{c.id}]" if en else f"- {name}：{cell.value}——“{quote}”[{c.id}]")
    for year in comparison.missing_years:
        lines.append(
            f"- {year}: no document of that year is loaded." if en else f"- {year}年：没有载入这一年的文件。"
        )
    if len(cells) >= 2:
        (p0, c0), (p1, c1) = cells[0], cells[-1]
        diff = figure_difference(c0, c1, en)
        if diff:
            lines.append(
                f"Change: {_label(p1, en)} ({c1.value}) against {_label(p0, en)} ({c0.value}): {diff}."
                if en
                else f"变化：{_label(p1, en)}（{c1.value}）比{_label(p0, en)}（{c0.value}）{diff}。"
            )
    return Answer(
        question=comparison.question,
        text="\n".join(lines),
        citations=citations,
        answerable=bool(citations),
        rewritten_question=comparison.question,
        mode="offline",
        verification={
            "compare": {
                "metric": metric.metric,
                "kind": comparison.kind,
                "score": round(score, 4),
                "documents": [p.plan for p in comparison.documents],
                **comparison.signals,
            }
        },
    )


def _best_sentence(section: "Section", grams: set[str], wants_number: bool) -> str:
    parts = [x.strip() for x in re.split(r"(?<=[。；;！？!?])|\n", section.body or section.text) if len(x.strip()) >= 4]
    if not parts:
        return section.text[:120]

    def score(x: str) -> tuple[float, int]:
        return (_coverage_of(grams, x) + (0.2 if wants_number and re.search(r"\d", x) else 0.0), -len(x))

    return max(parts, key=score)


def _coverage_of(grams: set[str], text: str) -> float:
    return len(grams & _bigrams(text)) / len(grams) if grams else 0.0


def _search_answer(index: "PlanIndex", comparison: Comparison, signals: dict) -> Answer:
    """No grouped figure fits: each document is searched on its own and its best sentence quoted."""
    en = comparison.english
    lines = ["In each document:" if en else "各文件的相关内容："]
    citations: list[Citation] = []
    grams = _bigrams(re.sub(r"[吗呢吧啊？?。，,！!]|什么|多少|哪些|怎么|如何|是否|有没有|分别", "", _lexical_text(index, comparison)))
    wants_number = bool(re.search(r"多少|几|比例|率|how (?:much|many)|what (?:was|is) the", comparison.question, re.I))
    query = comparison.core or comparison.question
    qvec = index.embed_query(query)
    for period in comparison.documents:
        name = _label(period, en)
        hits = index.search(query, k=1, plan=period.plan, query_vector=qvec)
        if not hits:
            lines.append(f"- {name}: nothing found." if en else f"- {name}：没有找到相关内容。")
            continue
        section = hits[0].section
        sentence = _best_sentence(section, grams, wants_number)
        c = _cite(index, section.plan, section.id, sentence)
        citations.append(c)
        lines.append(f"- {name}: “{_quote(sentence)}” [{c.id}]" if en else f"- {name}：“{_quote(sentence)}”[{c.id}]")
    for year in comparison.missing_years:
        lines.append(f"- {year}: no document of that year is loaded." if en else f"- {year}年：没有载入这一年的文件。")
    return Answer(
        question=comparison.question,
        text="\n".join(lines),
        citations=citations,
        answerable=bool(citations),
        rewritten_question=comparison.question,
        mode="offline",
        verification={"compare": {"metric": None, "documents": [p.plan for p in comparison.documents], **signals}},
    )


def answer_comparison(index: "PlanIndex", question: str, plan: str | None = None) -> Answer | None:
    """The answer to a question across documents, or None when the question is not one (the normal answerer
    takes it). Goals or results the documents share (index.metrics) give one line per document with its figure
    and quote, and the change computed from the figures; any other question gets each document's best sentence."""
    periods = index.periods()
    comparison = detect_comparison(question, periods, plan)
    if comparison is None:
        return None
    metrics = index.metrics([p.plan for p in periods], kind=comparison.kind, shared=False)
    ranked = _rank_metrics(index, comparison, metrics)
    signals = {"candidates": [(m.metric, round(s, 3)) for s, m in ranked[:3]]}
    comparison.signals = signals
    if ranked and ranked[0][0] >= MATCH_FLOOR:
        return _metric_answer(index, comparison, ranked[0][1], ranked[0][0])
    return _search_answer(index, comparison, signals)
