"""LLM mode figures: time to first streamed token, answer latency p50/p95, and eval scores on a sample of the set.

Run: `python -m bench.llm_latency [--n 12] [--model qwen2.5-coder-0.5b] [--home DIR] [--offline] [--json]`.
Starts the packaged local model (`make llm-install`) on a free 127.0.0.1 port, unless PLAN_ASSISTANT_LLM_BASE_URL
points at another endpoint. The sample takes every k-th question of tests/data/questions.yaml, so every tag is in
it; follow-ups are asked after their earlier turns (counted in latency). Scores come from assistant.evaluation:
fact strings, citation precision, refusals; plus how often the LLM answer survived verification (mode "llm") and
what verification did. `--offline` scores the offline answerer on the same sample for comparison.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _percentile(values: list[float], q: int) -> float | None:
    if not values:
        return None
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamingProbe:
    """Looks like PlanAssistant to assistant.evaluation, answers with mode="llm" and records each stream's timing."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self.records: list[dict[str, Any]] = []

    def ask(self, question: str, history: Any = None) -> Any:
        started = time.perf_counter()
        first = None
        answer = None
        partials = 0
        for _text, answer in self.assistant.stream(question, history, mode="llm"):
            if answer is None:
                partials += 1
                if first is None:
                    first = time.perf_counter() - started
        total = time.perf_counter() - started
        v = answer.verification
        llm = (v.get("llm") or {}).get("verification") or {}  # after a fallback, what verification did is nested
        self.records.append(
            {
                "question": question,
                "mode": answer.mode,
                "answerable": answer.answerable,
                "first_partial_s": first,
                "total_s": total,
                "partials": partials,
                "kept": v.get("kept", llm.get("kept")),
                "dropped": v.get("dropped", llm.get("dropped")),
                "marked": v.get("marked", llm.get("marked")),
                "ids_removed": len(v.get("ids_removed", llm.get("ids_removed", []))),
                "refused_by_llm": bool(llm.get("refused")),
                "notes": answer.notes[:1],
            }
        )
        return answer


def sample(questions: list, n: int) -> list:
    step = max(1, len(questions) // n)
    return questions[::step][:n]


def _scores(report: Any) -> dict[str, Any]:
    o = report.overall
    keys = ("n", "citation_precision", "citation_recall", "refusal_accuracy", "false_refusal_rate", "fact_accuracy")
    return {k: (round(o[k], 3) if isinstance(o.get(k), float) else o.get(k)) for k in keys if k in o}


def run(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from assistant import PlanAssistant
    from assistant.eval_questions import load_questions
    from assistant.evaluation import evaluate
    from assistant.local_llm import LocalServer
    from index import Settings

    env = {k: v for k, v in os.environ.items() if k != "PLAN_ASSISTANT_HOME"}
    settings = Settings.from_env(env, home=home)
    server = None
    started = time.perf_counter()
    if not settings.llm_base_url:
        server = LocalServer(args.model or settings.llm_local_model, port=_free_port(), n_ctx=4096)
        settings = settings.with_(llm_base_url=server.base_url, llm_api_key=None)
    server_s = time.perf_counter() - started
    settings = settings.with_(llm_timeout=args.timeout, **({"llm_max_tokens": args.max_tokens} if args.max_tokens else {}))
    pa = PlanAssistant.open(settings)
    questions = sample(load_questions(args.set), args.n)
    pa.ask(questions[0].question)  # warm the offline path (model, jieba) so the LLM timings do not include it
    probe = StreamingProbe(pa)
    probe.ask("这份规划的主要内容是什么？")  # warm the LLM (the first request also reads the fixed prompt prefix)
    probe.records.clear()
    report = evaluate(pa.index, questions, assistant=probe, question_set=str(args.set))
    recs = probe.records
    firsts = [r["first_partial_s"] for r in recs if r["mode"] == "llm" and r["first_partial_s"] is not None]
    totals = [r["total_s"] for r in recs]
    result: dict[str, Any] = {
        "model": (args.model or settings.llm_local_model) if server else (settings.llm_model or "(endpoint)"),
        "endpoint": "local xllamacpp" if server else "PLAN_ASSISTANT_LLM_BASE_URL",
        "server_start_s": round(server_s, 1) if server else None,
        "questions": len(questions),
        "answers": len(recs),
        "modes": {m: sum(r["mode"] == m for r in recs) for m in sorted({r["mode"] for r in recs})},
        "refused_by_llm": sum(r["refused_by_llm"] for r in recs),
        "sentences_kept_dropped_marked": [sum(r[k] or 0 for r in recs) for k in ("kept", "dropped", "marked")],
        "first_token_s": {"p50": _percentile(firsts, 50), "p95": _percentile(firsts, 95), "n": len(firsts)},
        "answer_s": {"p50": _percentile(totals, 50), "p95": _percentile(totals, 95), "max": max(totals) if totals else None},
        "scores_llm_mode": _scores(report),
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "records": recs if args.json else None,
    }
    if args.offline:
        result["scores_offline_same_sample"] = _scores(evaluate(pa.index, questions, assistant=pa, question_set=str(args.set)))
    if server:
        server.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.llm_latency", description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=ROOT / "tests" / "data" / "questions.yaml", help="question set (YAML)")
    parser.add_argument("--n", type=int, default=12, help="questions in the sample (default 12)")
    parser.add_argument("--model", help="packaged model to serve (default: $PLAN_ASSISTANT_LLM_LOCAL_MODEL)")
    parser.add_argument("--max-tokens", type=int, default=None, help="override PLAN_ASSISTANT_LLM_MAX_TOKENS")
    parser.add_argument("--timeout", type=float, default=600.0, help="LLM timeout in seconds (default 600: measure, not fall back)")
    parser.add_argument("--home", type=Path, help="an existing plan-assistant home (default: a fresh temporary one)")
    parser.add_argument("--offline", action="store_true", help="also score the offline answerer on the same sample")
    parser.add_argument("--json", action="store_true", help="print the figures (and every answer's record) as JSON")
    args = parser.parse_args(argv)
    if args.home:
        result = run(args, args.home)
    else:
        with tempfile.TemporaryDirectory(prefix="pa-llm-latency-") as tmp:
            result = run(args, Path(tmp))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    result.pop("records")
    for key, value in result.items():
        print(f"{key:<32} {json.dumps(value, ensure_ascii=False)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
