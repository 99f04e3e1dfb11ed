"""Scores plan-assistant on a question set: search hit@k and MRR, cited answers, refusals, facts, follow-ups, latency."""
from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Sequence

from .eval_questions import EvalQuestion

__all__ = [
    "EvalReport",
    "QuestionResult",
    "evaluate",
    "ranking_metrics",
]


HIT_AT = (1, 3, 5)
SEARCH_DEPTH = 10  # hits searched per question: MRR is MRR@10
TAGS = ("direct", "paraphrase", "fact", "multi", "structure", "unanswerable", "followup", "compare")


@dataclass
class QuestionResult:
    """What the system did with one question, and how that scores."""

    id: str
    searched: str | None = None  # the query searched: the question, or the answer's rewritten question
    ranked: list[str] = field(default_factory=list)  # section IDs, best first
    search_ms: float | None = None
    answer: str | None = None
    answerable: bool | None = None
    cited: list[str] = field(default_factory=list)
    rewritten: str | None = None
    ask_ms: float | None = None
    citation_precision: float | None = None
    citation_recall: float | None = None
    cited_any: bool | None = None  # answerable questions: at least one expected section cited
    complete: bool | None = None  # match-all questions: every needed section cited
    refused_correctly: bool | None = None  # unanswerable questions
    refused_wrongly: bool | None = None  # answerable questions
    fact_found: bool | None = None
    followup_correct: bool | None = None
    error: str | None = None


def ranking_metrics(results: Sequence[QuestionResult], questions: dict[str, EvalQuestion]) -> dict[str, float]:
    """hit@1/3/5 and MRR@10 of ranked section IDs, by sentence-transformers' InformationRetrievalEvaluator.

    Our search is hybrid (e5 + BM25 + structure routes), so the evaluator cannot run the retrieval itself; its
    `compute_metrics` takes any ranked lists, which keeps the metric definitions those of the library.
    """
    from sentence_transformers.evaluation import InformationRetrievalEvaluator

    scored = [r for r in results if r.searched is not None and questions[r.id].expected]
    if not scored:
        return {}
    corpus = {sid: "" for r in scored for sid in [*r.ranked, *questions[r.id].expected]}
    evaluator = InformationRetrievalEvaluator(
        queries={r.id: r.searched or "" for r in scored},
        corpus=corpus,
        relevant_docs={r.id: set(questions[r.id].expected) for r in scored},
        mrr_at_k=[SEARCH_DEPTH],
        ndcg_at_k=[SEARCH_DEPTH],
        accuracy_at_k=list(HIT_AT),
        precision_recall_at_k=[SEARCH_DEPTH],
        map_at_k=[SEARCH_DEPTH],
        write_csv=False,
    )
    by_id = {r.id: r for r in scored}
    # The evaluator re-sorts by score (ties by ID): decreasing scores keep our order.
    lists = [
        [{"corpus_id": sid, "score": float(len(by_id[qid].ranked) - rank)} for rank, sid in enumerate(by_id[qid].ranked)]
        for qid in evaluator.queries_ids
    ]
    m = evaluator.compute_metrics(lists)
    out = {f"hit@{k}": float(m["accuracy@k"][k]) for k in HIT_AT}
    out["mrr"] = float(m["mrr@k"][SEARCH_DEPTH])
    return out


def _mean(values: Iterable[float | bool | None]) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summarize(results: Sequence[QuestionResult], questions: dict[str, EvalQuestion]) -> dict[str, Any]:
    row: dict[str, Any] = {"n": len(results)}
    searched = [r for r in results if r.searched is not None and questions[r.id].expected]
    if searched:
        row["searched"] = len(searched)
        row.update(ranking_metrics(searched, questions))
    row["citation_precision"] = _mean(r.citation_precision for r in results)
    row["citation_recall"] = _mean(r.citation_recall for r in results)
    row["cited_any"] = _mean(r.cited_any for r in results)
    row["complete"] = _mean(r.complete for r in results)
    row["refusal_accuracy"] = _mean(r.refused_correctly for r in results)
    row["false_refusal_rate"] = _mean(r.refused_wrongly for r in results)
    row["fact_accuracy"] = _mean(r.fact_found for r in results)
    row["followup_accuracy"] = _mean(r.followup_correct for r in results)
    return {k: v for k, v in row.items() if v is not None}


@dataclass
class EvalReport:
    """Overall figures, the same broken down by tag and language, latency, and every question's result."""

    question_set: str
    retriever: str
    search_only: bool
    overall: dict[str, Any]
    groups: dict[str, dict[str, Any]]
    latency_ms: dict[str, float | None]
    results: list[QuestionResult]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "question_set": self.question_set,
            "retriever": self.retriever,
            "search_only": self.search_only,
            "overall": self.overall,
            "groups": self.groups,
            "latency_ms": self.latency_ms,
            "notes": self.notes,
            "results": [asdict(r) for r in self.results],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)


def _plain_id(citation_id: str) -> str:
    """`PLAN:五(一)3` -> `五(一)3`: the fixed set names sections without their plan."""
    return citation_id.split(":", 1)[1] if ":" in citation_id and not citation_id.startswith("专栏") else citation_id


def _section_key(plan: str, section_id: str, qualified: bool) -> str:
    """How a question set names a section: `PLAN:ID` in suites of several documents, the bare ID in the fixed set."""
    bare = _plain_id(section_id)
    return f"{plan}:{bare}" if qualified else bare


def _fact_in(fact: str, text: str) -> bool:
    """The fact string appears in the answer; for a bare number, also when written with thousands separators."""
    squeeze = lambda s: "".join(s.split())  # noqa: E731 - spacing differs between answer styles
    text_n = squeeze(text)
    return squeeze(fact) in text_n or squeeze(fact) in text_n.replace(",", "").replace("，", "")


def _score_answer(result: QuestionResult, q: EvalQuestion) -> None:
    """Fill the answer metrics of one result from what the answerer returned."""
    cited = list(dict.fromkeys(result.cited))
    expected = set(q.expected)
    if q.answerable:
        result.refused_wrongly = result.answerable is False
        if cited:
            result.citation_precision = sum(c in expected for c in cited) / len(cited)
        if q.match == "all":
            result.citation_recall = len(expected & set(cited)) / len(expected) if expected else None
        else:
            result.citation_recall = 1.0 if expected & set(cited) else 0.0
        result.cited_any = bool(expected & set(cited))
        if q.match == "all" and expected:
            result.complete = expected <= set(cited)
        if q.facts:
            result.fact_found = bool(result.answer) and all(_fact_in(f, result.answer or "") for f in q.facts)
    else:
        result.refused_correctly = result.answerable is False
    if "followup" in q.tags:
        if not q.answerable:
            result.followup_correct = result.refused_correctly
        else:
            covered = bool(expected & set(cited)) if q.match == "any" else expected <= set(cited)
            result.followup_correct = bool(
                result.answerable and covered and (q.fact is None or result.fact_found)
            )


def evaluate(
    index: Any,
    questions: Sequence[EvalQuestion],
    *,
    assistant: Any | None = None,
    retriever: str | None = None,
    question_set: str = "",
    progress: Callable[[int, int, str], None] | None = None,
) -> EvalReport:
    """Run every question through `index.search` and, when `assistant` is given, `assistant.ask`.

    A follow-up is asked after its earlier user turns, each answered by the system itself, with the history
    passed as [{"role", "content"}] turns; its search uses the answer's rewritten question. Without an
    assistant (search only), follow-ups have no rewritten question and are left out of the search figures.
    """
    retriever = retriever or index.settings.retriever
    by_id = {q.id: q for q in questions}
    qualified = any(":" in e for q in questions for e in q.expected)  # suites name sections as PLAN:ID
    notes: list[str] = []
    if questions:  # warm-up: the first search loads the model and builds BM25; latency is measured warm
        index.search(questions[0].question, k=SEARCH_DEPTH, retriever=retriever)
    results = []
    for n, q in enumerate(questions, 1):
        if progress is not None:
            progress(n, len(questions), q.id)
        result = QuestionResult(q.id)
        try:
            if assistant is not None:
                history: list[dict[str, str]] = []
                for turn in q.history:
                    earlier = assistant.ask(turn, history=list(history), plan=q.plan)
                    history += [{"role": "user", "content": turn}, {"role": "assistant", "content": earlier.text}]
                started = time.perf_counter()
                answer = assistant.ask(q.question, history=list(history), plan=q.plan)
                result.ask_ms = (time.perf_counter() - started) * 1000
                result.answer = answer.text
                result.answerable = bool(answer.answerable)
                result.cited = [_section_key(c.plan, c.id, qualified) for c in answer.citations]
                result.rewritten = answer.rewritten_question or q.question
                _score_answer(result, q)
            if q.history:
                result.searched = result.rewritten  # None in search-only mode: nothing fair to search
            else:
                result.searched = q.question
            if result.searched is not None:
                started = time.perf_counter()
                hits = index.search(result.searched, k=SEARCH_DEPTH, retriever=retriever, plan=q.plan)
                result.search_ms = (time.perf_counter() - started) * 1000
                result.ranked = [_section_key(h.section.plan, h.section.id, qualified) for h in hits]
        except Exception as exc:  # one broken question must not hide the others' figures
            result.error = f"{type(exc).__name__}: {exc}"
        results.append(result)
    if assistant is None and any(q.history for q in questions):
        notes.append("search only: follow-up questions need the answerer's rewritten question and are not searched")
    errors = [r for r in results if r.error]
    if errors:
        notes.append(f"{len(errors)} questions failed: " + "; ".join(f"{r.id}: {r.error}" for r in errors[:5]))
    # Search figures count answerable questions only: an unanswerable one has no right section.
    overall = summarize(results, by_id)
    groups = {}
    for name in [*TAGS, *sorted({f"lang:{q.lang}" for q in questions})]:
        members = [r for r in results if name in by_id[r.id].groups]
        if members:
            groups[name] = summarize(members, by_id)
    search_ms = [r.search_ms for r in results if r.search_ms is not None]
    ask_ms = [r.ask_ms for r in results if r.ask_ms is not None]
    latency = {
        "search_p50": percentile(search_ms, 50),
        "search_p95": percentile(search_ms, 95),
        "ask_p50": percentile(ask_ms, 50),
        "ask_p95": percentile(ask_ms, 95),
    }
    return EvalReport(
        question_set=question_set,
        retriever=retriever,
        search_only=assistant is None,
        overall=overall,
        groups=groups,
        latency_ms={k: v for k, v in latency.items() if v is not None},
        results=results,
        notes=notes,
    )
