"""Whether a question compares documents: which ones, in time order, and whether it asks for goals or results."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from index.periods import Period, named_periods

from .cues import (
    ACROSS_DOCUMENTS_EN,
    ACROSS_DOCUMENTS_ZH,
    ASKS_CHANGE,
    ASKS_GOAL,
    ASKS_RESULT,
    LAST_YEAR,
    NEXT_YEARS_REPORT,
    RELATIVE_YEAR,
)
from .documents import asks_result_of_a_year
from .scope import named_in

if TYPE_CHECKING:
    pass

__all__ = ["Comparison", "detect_comparison"]

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")


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
    kinds: dict[str, str] = field(default_factory=dict)  # plan -> "target" | "outcome", when the question mixes them
    signals: dict[str, Any] = field(default_factory=dict)
    reviewed: dict[str, int] = field(default_factory=dict)  # plan -> the earlier year whose results it is asked for
    stance_asked: bool = True  # the question says goal or result; "分别是怎么说的" says neither

    def kind_of(self, plan: str) -> str:
        return self.kinds.get(plan, self.kind)


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
    # "2016年和2017年城镇新增就业实际是多少？" names years, not reports: a year's results are told by the next year's
    # report, in its review. Not when a document is named ("2017年的报告说…") or the year is the report's 上一年.
    # "…in 2015, 2016 and 2017, according to the reports of the following years" says so outright.
    results_of_years = (asks_result_of_a_year(question) and not LAST_YEAR.search(question)) or bool(
        NEXT_YEARS_REPORT.search(question)
    )
    reviewed: dict[str, int] = {}  # plan -> the year whose results the question asks of it
    for year in _document_choosing_years(question, named.years):
        docs = _documents_for(year, periods)
        nxt = [p for p in periods if p.start == year + 1 == p.end] if results_of_years else []
        if nxt:
            docs = nxt
            reviewed.update({p.plan: year for p in nxt})
        chosen += docs
        if not docs:
            missing.append(year)
    annual = [p for p in periods if p.start is not None and p.start == p.end]
    for start, end in named.spans:
        # A span of years means the yearly documents in it when there are some (2016到2024年: the annual reports,
        # not a five-year plan that starts in 2016); else the documents about those years (十三五: its plan).
        same = [p for p in periods if (p.start, p.end) == (start, end)]
        chosen += same or [p for p in annual if start <= p.start <= end] or [p for p in periods if p.overlaps(start, end)]
    dated = [p for p in periods if p.start is not None]
    # "Over the years" needs documents with years: plans without one are never compared by a word alone; and a
    # question asked of one chosen document compares only the documents it names by year.
    across = plan is None and len(dated) >= 2 and bool(ACROSS_DOCUMENTS_ZH.search(question) or ACROSS_DOCUMENTS_EN.search(question))
    if len(dated) >= 2 and not across and not named.any and plan is None:
        across = bool(ASKS_CHANGE.search(question)) and not RELATIVE_YEAR.search(question)
    documents = list(dict.fromkeys(chosen))
    if across and len(documents) < 2:
        documents = annual if len(annual) >= 2 else dated
    if len(documents) + len(missing) < 2 or not documents:
        return None
    core = question
    for text in sorted(named.found, key=len, reverse=True):
        core = re.sub(re.escape(text) + r"\s*(?:年度?)?(?:的)?", " ", core)
    core = ACROSS_DOCUMENTS_ZH.sub(" ", ACROSS_DOCUMENTS_EN.sub(" ", core))
    kind = "outcome" if ASKS_RESULT.search(question) and not ASKS_GOAL.search(question) else "target"
    order = {p.plan: i for i, p in enumerate(periods)}
    documents = sorted(documents, key=lambda p: order.get(p.plan, 0))
    return Comparison(
        question=question,
        documents=documents,
        missing_years=missing,
        kind=kind,
        core=re.sub(r"\s+", " ", core).strip(),
        english=_english(question),
        all_documents=across,
        kinds=_kinds_by_document(question, documents, kind),
        reviewed=reviewed,
        stance_asked=bool(ASKS_RESULT.search(question) or ASKS_GOAL.search(question)),
    )


def _document_choosing_years(question: str, years: Sequence[int]) -> list[int]:
    """The named years that choose documents. In a part of the question (up to ？。；) that names a document by its
    year ("according to the 2022 report", "2022年的报告说"), only that year does: the part's other years are what it
    asks of that document (dev rc-080: "the actual deficit ratio in 2021, according to the 2022 report" asks one
    report). A part naming no document keeps all its years (dev cmp-039: "2022年定的目标是多少？2023年的报告说2022年
    实际增长了多少？" asks the 2022 and the 2023 reports)."""
    chosen: list[int] = []
    for part in re.split(r"(?<=[？?。；;！!])", question):
        in_part = [y for y in years if str(y) in part]
        by_document = named_in(part).document_years
        chosen += [y for y in in_part if y in by_document] if by_document else in_part
    return list(dict.fromkeys(chosen))


def _kinds_by_document(question: str, documents: Sequence[Period], default: str) -> dict[str, str]:
    """Goal or result per document, when the question asks both ("2022年定的目标是多少？2023年的报告说实际增长了多少？",
    "the target in the 2023 report with the outcome in the 2024 report"): the cue nearest to where the question
    first names the document's year, within the same sentence; else the question's overall kind."""
    cues = [(m.start(), "outcome") for m in ASKS_RESULT.finditer(question)] + [
        (m.start(), "target") for m in ASKS_GOAL.finditer(question)
    ]
    if not {k for _, k in cues} >= {"outcome", "target"}:
        return {p.plan: default for p in documents}
    stops = [m.start() for m in re.finditer(r"[？?。；;！!]", question)]

    def part(pos: int) -> int:
        return sum(1 for s in stops if s < pos)

    kinds = {}
    for p in documents:
        where = [m.start() for y in range(p.start or 0, (p.end or 0) + 1) for m in re.finditer(str(y), question)]
        if not where:
            kinds[p.plan] = default
            continue
        pos = min(where)
        near = [(abs(c - pos), k) for c, k in cues if part(c) == part(pos)]
        kinds[p.plan] = min(near)[1] if near else default
    return kinds
