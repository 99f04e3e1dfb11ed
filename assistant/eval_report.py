"""The evaluation's figures as text: one report's table, and a suite's dev and test splits side by side."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from .eval_questions import EvalQuestion
from .evaluation import EvalReport, percentile, summarize

__all__ = [
    "column",
    "render_columns",
    "render_table",
]


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
        summary = summarize(members, by_id) if members else {}
        out[label] = {"value": summary.get(metric), "n": len(members)}
    ask_ms = [r.ask_ms for r in chosen if r.ask_ms is not None]
    out["ask p95 ms"] = {"value": percentile(ask_ms, 95), "n": len(ask_ms)}
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
