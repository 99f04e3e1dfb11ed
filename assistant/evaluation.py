"""Scores plan-assistant on a question set: search hit@k and MRR, cited answers, refusals, facts, follow-ups, latency."""
from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import yaml

__all__ = [
    "DEFAULT_SET",
    "SUITE",
    "Suite",
    "column",
    "load_suite",
    "open_suite_index",
    "render_columns",
    "EvalQuestion",
    "EvalReport",
    "QuestionResult",
    "evaluate",
    "load_questions",
    "ranking_metrics",
    "render_table",
]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "tests" / "data" / "questions.yaml"  # the fixed set: one plan, a regression floor
SUITE = ROOT / "tests" / "data" / "eval" / "suite.yaml"  # the generalization suite: documents + split question sets
HIT_AT = (1, 3, 5)
SEARCH_DEPTH = 10  # hits searched per question: MRR is MRR@10
TAGS = ("direct", "paraphrase", "fact", "multi", "structure", "unanswerable", "followup", "compare")


@dataclass(frozen=True)
class EvalQuestion:
    """One entry of a question set (schema: tests/data/README.md)."""

    id: str
    question: str
    lang: str
    tags: tuple[str, ...]
    expected: tuple[str, ...]
    match: str
    answerable: bool
    fact: str | None = None
    history: tuple[str, ...] = ()
    note: str = ""
    facts: tuple[str, ...] = ()  # every string a correct answer holds (`fact` as a list: one per needed section)
    plan: str | None = None  # the plan the asker selected (search and answer are limited to it)
    split: str = ""  # "dev" (tuned on) or "test" (reported only); "" in sets without a split
    conv: str = ""  # the conversation a turn belongs to

    @property
    def groups(self) -> list[str]:
        """The breakdown rows this question counts in: its tags and its language."""
        return [*self.tags, f"lang:{self.lang}"]


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Read and check a question set; a malformed entry is named with what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"No question set at {path}. Pass one with --set FILE (schema: tests/data/README.md).")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{path} must be a YAML list of questions (schema: tests/data/README.md).")
    questions, seen = [], set()
    for n, entry in enumerate(raw, 1):
        where = f"{path}: entry {n} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            raise ValueError(f"{where} is not a mapping")
        missing = [k for k in ("id", "question", "lang", "tags", "expected", "match", "answerable") if k not in entry]
        if missing:
            raise ValueError(f"{where} lacks {', '.join(missing)}")
        if entry["match"] not in ("any", "all"):
            raise ValueError(f"{where}: match must be any or all, not {entry['match']!r}")
        if entry["id"] in seen:
            raise ValueError(f"{where}: the id {entry['id']} is used twice")
        seen.add(entry["id"])
        questions.append(
            EvalQuestion(
                id=str(entry["id"]),
                question=str(entry["question"]),
                lang=str(entry["lang"]),
                tags=tuple(entry["tags"] or ()),
                expected=tuple(str(x) for x in entry["expected"] or ()),
                match=entry["match"],
                answerable=bool(entry["answerable"]),
                fact=_facts(entry)[0] if _facts(entry) else None,
                history=tuple(str(x) for x in entry.get("history") or ()),
                note=str(entry.get("note") or ""),
                facts=_facts(entry),
                plan=str(entry["plan"]) if entry.get("plan") else None,
                split=str(entry.get("split") or ""),
                conv=str(entry.get("conv") or ""),
            )
        )
    return questions


def _facts(entry: dict) -> tuple[str, ...]:
    fact = entry.get("fact")
    if fact is None:
        return ()
    return tuple(str(f) for f in fact) if isinstance(fact, list) else (str(fact),)


@dataclass(frozen=True)
class Suite:
    """A generalization suite: the documents indexed together, and question sets split once into dev and test."""

    path: Path
    documents: tuple[Path, ...]
    sets: tuple[Path, ...]

    def questions(self) -> list[EvalQuestion]:
        out: list[EvalQuestion] = []
        for path in self.sets:
            out.extend(load_questions(path))
        ids = [q.id for q in out]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.path}: question ids repeat across its sets")
        return out


SUITE_COLLECTION = "eval_suite"  # the suite's documents are indexed apart from the user's own plans


def open_suite_index(settings: Any, suite: Suite, progress: Callable[[str, int, int], None] | None = None) -> Any:
    """The suite's documents indexed together in their own collection (incremental: only changes are embedded;
    an interrupted build is finished)."""
    from index import PlanIndex

    idx = PlanIndex(settings.with_(collection=SUITE_COLLECTION))
    idx.build([str(d) for d in suite.documents], progress=progress)
    return idx


def load_suite(path: str | Path = SUITE) -> Suite:
    """Read a suite file: `documents` (plan files, relative to the repository) and `sets` (beside the suite)."""
    path = Path(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or "documents" not in raw or "sets" not in raw:
        raise ValueError(f"{path} must be a mapping with `documents` and `sets` (see tests/data/README.md).")
    docs = tuple((ROOT / d).resolve() for d in raw["documents"])
    missing = [str(d) for d in docs if not d.is_file()]
    if missing:
        raise ValueError(f"{path}: documents not found: {', '.join(missing)}")
    return Suite(path, docs, tuple((path.parent / s).resolve() for s in raw["sets"]))


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


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


METRICS = (
    ("n", "n"),
    ("searched", "searched"),
    ("hit@1", "hit@1"),
    ("hit@3", "hit@3"),
    ("hit@5", "hit@5"),
    ("mrr", "MRR"),
    ("citation_precision", "cite P"),
    ("citation_recall", "cite R"),
    ("cited_any", "cited"),
    ("complete", "all cited"),
    ("refusal_accuracy", "refuse"),
    ("false_refusal_rate", "false ref"),
    ("fact_accuracy", "fact"),
    ("followup_accuracy", "follow-up"),
)


def _summary(results: Sequence[QuestionResult], questions: dict[str, EvalQuestion]) -> dict[str, Any]:
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
    overall = _summary(results, by_id)
    groups = {}
    for name in [*TAGS, *sorted({f"lang:{q.lang}" for q in questions})]:
        members = [r for r in results if name in by_id[r.id].groups]
        if members:
            groups[name] = _summary(members, by_id)
    search_ms = [r.search_ms for r in results if r.search_ms is not None]
    ask_ms = [r.ask_ms for r in results if r.ask_ms is not None]
    latency = {
        "search_p50": _percentile(search_ms, 50),
        "search_p95": _percentile(search_ms, 95),
        "ask_p50": _percentile(ask_ms, 50),
        "ask_p95": _percentile(ask_ms, 95),
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


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}"


def render_table(report: EvalReport) -> str:
    """The report as a fixed-width table: one row overall, one per tag and language."""
    columns = [(key, title) for key, title in METRICS if key in report.overall]
    rows = [("all", report.overall), *report.groups.items()]
    width = max(len(name) for name, _ in rows)
    lines = [
        f"question set: {report.question_set}   retriever: {report.retriever}"
        + ("   (search only)" if report.search_only else ""),
        "",
        f"{'':<{width}}  " + "  ".join(f"{title:>9}" for _, title in columns),
    ]
    for name, row in rows:
        lines.append(f"{name:<{width}}  " + "  ".join(f"{_cell(row.get(key)):>9}" for key, _ in columns))
    lines.append("")
    lat = report.latency_ms
    parts = [f"{k.replace('_', ' ')} {v:.0f} ms" for k, v in lat.items()]
    lines.append("latency: " + (", ".join(parts) if parts else "–"))
    lines.append(
        "search figures: answerable questions (hit@k, MRR@10); cite P/R, refusals, facts, follow-ups: answers"
    )
    lines.extend(f"note: {n}" for n in report.notes)
    return "\n".join(lines)


# -- a suite: dev and test side by side ----------------------------------------------------------------------------

# (row label, which questions, metric): the figures the generalization issue tracks, one row each.
SUITE_ROWS: tuple[tuple[str, Callable[[EvalQuestion], bool], str], ...] = (
    ("unanswerable questions refused", lambda q: not q.answerable, "refusal_accuracy"),
    ("answerable questions refused", lambda q: q.answerable, "false_refusal_rate"),
    ("an expected section cited", lambda q: q.answerable, "cited_any"),
    ("the asked-for fact in the answer", lambda q: q.answerable, "fact_accuracy"),
    ("multi-section: every section cited", lambda q: q.answerable and "multi" in q.tags and "compare" not in q.tags, "complete"),
    ("comparisons: every document cited", lambda q: "compare" in q.tags, "complete"),
    ("follow-up turns right", lambda q: "followup" in q.tags, "followup_accuracy"),
    ("Chinese: an expected section cited", lambda q: q.answerable and q.lang == "zh", "cited_any"),
    ("English: an expected section cited", lambda q: q.answerable and q.lang == "en", "cited_any"),
    ("search hit@5 (answerable, not follow-ups)", lambda q: q.answerable and not q.history, "hit@5"),
)


def column(report: EvalReport, questions: Sequence[EvalQuestion], keep: Callable[[EvalQuestion], bool]) -> dict[str, Any]:
    """The suite rows over the questions `keep` admits (a split), each as {"value", "n"}."""
    by_id = {q.id: q for q in questions}
    chosen = [r for r in report.results if keep(by_id[r.id])]
    out: dict[str, Any] = {}
    for label, admits, metric in SUITE_ROWS:
        members = [r for r in chosen if admits(by_id[r.id])]
        summary = _summary(members, by_id) if members else {}
        out[label] = {"value": summary.get(metric), "n": len(members)}
    ask_ms = [r.ask_ms for r in chosen if r.ask_ms is not None]
    out["ask p95 ms"] = {"value": _percentile(ask_ms, 95), "n": len(ask_ms)}
    return out


def render_columns(columns: dict[str, dict[str, Any]], title: str = "") -> str:
    """Rows of the suite, one column per question set or split ("fixed", "dev", "test"), each cell value (n)."""
    labels = [label for label, _, _ in SUITE_ROWS] + ["ask p95 ms"]
    width = max(len(label) for label in labels)

    def cell(c: dict[str, Any]) -> str:
        v = c.get("value")
        if v is None:
            return "–"
        return f"{v:.0f} ({c['n']})" if isinstance(v, float) and v > 1.5 else f"{v:.3f} ({c['n']})"

    lines = [title] if title else []
    lines.append(f"{'':<{width}}  " + "  ".join(f"{name:>13}" for name in columns))
    for label in labels:
        lines.append(f"{label:<{width}}  " + "  ".join(f"{cell(col.get(label, {})):>13}" for col in columns.values()))
    return "\n".join(lines)
