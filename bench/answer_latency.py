"""Offline answer latency: p50/p95 of PlanAssistant.ask over a question set, warm, after one cold answer.

Run: `python -m bench.answer_latency [--set tests/data/questions.yaml] [--home DIR] [--json]`. Without --home the
default plan is indexed into a fresh temporary directory first (not timed), so nothing in ~/.local is touched.
Follow-ups are asked after their earlier turns (not timed), with those answers in the history.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def run(question_set: Path, home: Path) -> dict:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from assistant import PlanAssistant
    from assistant.eval_questions import load_questions
    from index import Settings

    questions = load_questions(question_set)
    settings = Settings.from_env({k: v for k, v in os.environ.items() if k != "PLAN_ASSISTANT_HOME"}, home=home)
    started = time.perf_counter()
    pa = PlanAssistant.open(settings)
    open_s = time.perf_counter() - started
    started = time.perf_counter()
    pa.ask(questions[0].question)  # cold: loads jieba, embeds the sentences of the sections it touches
    cold_s = time.perf_counter() - started
    times: dict[str, list[float]] = {"all": [], "zh": [], "en": [], "followup": [], "refused": []}
    for q in questions:
        history: list[dict] = []
        for turn in q.history:
            earlier = pa.ask(turn, history=list(history))
            history += [{"role": "user", "content": turn}, {"role": "assistant", "content": earlier.text}]
        t0 = time.perf_counter()
        answer = pa.ask(q.question, history=history)
        ms = (time.perf_counter() - t0) * 1000
        times["all"].append(ms)
        times[q.lang if q.lang in ("zh", "en") else "zh"].append(ms)
        if q.history:
            times["followup"].append(ms)
        if not answer.answerable:
            times["refused"].append(ms)
    summary = {
        name: {"n": len(v), "p50_ms": round(_percentile(v, 50), 1), "p95_ms": round(_percentile(v, 95), 1), "max_ms": round(max(v), 1)}
        for name, v in times.items()
        if v
    }
    return {
        "question_set": str(question_set),
        "open_index_s": round(open_s, 2),
        "cold_first_answer_s": round(cold_s, 2),
        "warm": summary,
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.answer_latency", description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=ROOT / "tests" / "data" / "questions.yaml", help="question set (YAML)")
    parser.add_argument("--home", type=Path, help="an existing plan-assistant home to use (default: a fresh temporary one)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.home:
        result = run(args.set, args.home)
    else:
        with tempfile.TemporaryDirectory(prefix="pa-latency-") as tmp:
            result = run(args.set, Path(tmp))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"question set: {result['question_set']}")
    print(f"open index: {result['open_index_s']} s   cold first answer: {result['cold_first_answer_s']} s")
    for name, row in result["warm"].items():
        print(f"warm {name:<9} n={row['n']:<4} p50 {row['p50_ms']:>7.1f} ms   p95 {row['p95_ms']:>7.1f} ms   max {row['max_ms']:>7.1f} ms")
    print(f"({result['cpu_count']} CPUs, load average {result['load_average']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
