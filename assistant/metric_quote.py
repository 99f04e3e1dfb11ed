"""The sentence a figure question's best-matching metric row quotes in a chosen section, added to the answer's quote."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Sequence

from .comparison import Comparison
from .cues import ASKS_REASON
from .features import stance
from .metric_match import rank_metrics, subject_aliases, subject_wording, worded
from .passages import Passage
from .question import COUNT, LIST, LOCATE, MONEY, PERCENT, WHAT, Question
from .quotes import Ranked

if TYPE_CHECKING:
    from index import PlanIndex

__all__ = ["metric_quotes", "with_metric_quote"]


def metric_quotes(index: "PlanIndex", q: Question, plans: Sequence[str]) -> dict[str, str]:
    """plan -> the sentence that plan's cell of the best-matching metric row quotes (index.metrics, matched as a
    comparison matches them): the document's own wording of the asked figure ("国内生产总值增长3%" for "经济增长了
    多少"), which the question's words often miss. Goals when the question asks a goal, results when it asks a
    result, else the better match of the two. Only a row whose subjects share wording with the question counts: e5
    alone ranks some row first for any question, and on dev a row with none was another figure (RCEP, urbanization
    and clean-heating questions got the growth or jobs target: re-045, rf-031, ri-053)."""
    periods = [p for p in index.periods() if p.plan in plans]
    if not periods:
        return {}
    by_kind = {kind: index.metrics(kind=kind, shared=False) for kind in ("target", "outcome")}
    wants_target, wants_outcome = stance(q.text)
    kinds = ["target"] if wants_target and not wants_outcome else ["outcome"] if wants_outcome and not wants_target else [
        "target", "outcome"]
    best = None
    wording = None  # the question's wording, the same for both kinds: translated (English) once
    for kind in kinds:
        aliases = subject_aliases(by_kind["outcome" if kind == "target" else "target"])
        comparison = Comparison(q.text, periods, [], kind, q.text, q.english)
        wording = wording or subject_wording(index, comparison)
        ranked = rank_metrics(index, comparison, by_kind[kind], aliases, wording)
        if ranked and (best is None or ranked[0][0] > best[0]):
            best = (ranked[0][0], ranked[0][1], worded(wording, ranked[0][1], aliases))
    if best is None or best[2] <= 0.0:
        return {}
    return {c.plan: c.quote for c in best[1].cells if c.plan in plans}


def with_metric_quote(index: "PlanIndex", q: Question, ranked: Ranked, passages: list[Passage]) -> list[Passage]:
    """The passages, with the matched metric's sentence added to the quote of the chosen section that holds it
    (a question asking a figure or what something is, not why). The sentence scorer weighs the question's words;
    a synonym the dictionary lacks (经济增长 for 国内生产总值增长, loans for 贷款) leaves the sentence stating the
    figure behind one that shares a word (dev rh-065, ra-090). Added, never swapped in: a wrong row costs a longer
    quote, not the right sentence."""
    if (not passages or not any(q.wants(k) for k in (COUNT, MONEY, PERCENT, WHAT)) or q.wants(LOCATE) or q.wants(LIST)
            or ASKS_REASON.search(q.text)):
        return passages
    chosen = {p.evidence.cite_id: n for n, p in enumerate(passages)}
    quotes = metric_quotes(index, q, sorted({p.evidence.section.plan for p in passages}))
    if not quotes:
        return passages
    out = list(passages)
    for u in ranked.units:
        n = chosen.get(u.evidence.cite_id)
        quote = quotes.get(u.evidence.section.plan)
        text = u.span.text.strip()
        # The sentence holding the quote, or most of it (a quote may run over a sentence split): not a fragment.
        if n is None or not quote or not (quote in text or (text in quote and 2 * len(text) >= len(quote))):
            continue
        p = out[n]
        if any(s < u.span.end and u.span.start < e for s, e in [(p.start, p.end), *p.more]):
            continue  # already quoted
        out[n] = replace(p, more=(*p.more, (u.span.start, u.span.end)))
    return out
