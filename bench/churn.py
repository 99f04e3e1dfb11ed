"""Churn: the chat's answers while other processes change its embedded index (index, --rebuild, remove, kills).

Run: `python -m bench.churn [--clients 10] [--questions 200] [--seed 0]`. It indexes the bundled plan in a
temporary home, starts `plan-assistant serve` there, and asks every answerable question of the fixed set (no
follow-ups) once to learn which ones the chat answers right when nothing changes. Then `--clients` gradio_client
users ask those questions (restricted to the bundled plan, so other plans coming and going do not change what a
right answer is) until at least `--questions` were answered and all ten index operations are done:

     1. add plan farm            2. add plan water              3. remove farm
     4. index --rebuild          5. add plan big, SIGKILL'd half-way
     6. add big (continues 5)    7. remove big                  8. add big, SIGINT half-way
     9. index --rebuild         10. remove water

Reported: answers, errors (an exception or an error message), false refusals (a question answered right before
the churn is refused), wrong answers (its fact is missing), answer latency p50/p95/max, the longest time the chat
was unavailable (merged spans of failed requests) and the longest gap between two answers, and per operation how
long it ran and how long after it ended the chat answered from the new state (a probe asks for each plan by name
that the operation changed, from when the probe is sent; its answer waits in the same queue as the users'). Exits 1
on any error, false refusal, or lost plan. Traffic goes to the loopback address only.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import _percentile, rss_kb, start_server

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "questions.yaml"
BUNDLED = "shenzhen-sti-13th-five-year-plan-E"
EXE = str(Path(sys.executable).parent / "plan-assistant")


def _plan_text(title: str, topic: str, unit: str, sections: int) -> str:
    """A plan of about `sections` one-sentence items on a topic far from the bundled plan's."""
    lines = [title, ""]
    chapter = 0
    while len(lines) < sections + 2:
        chapter += 1
        lines += [f"{'一二三四五六七八九'[(chapter - 1) % 9]}、第{chapter}片区{topic}", f"推进第{chapter}片区{topic}。"]
        lines += [f"{i}. 第{chapter}片区第{i}项{topic}工程，完成{chapter * 100 + i}{unit}。" for i in range(1, 31)]
        lines.append("")
    return "\n".join(lines)


@dataclass
class Op:
    label: str
    args: list[str]
    after: set[str]  # the plans the index holds when the operation is over
    interrupt: int | None = None  # signal sent once its first batch is written (SIGKILL / SIGINT)
    started: float = 0.0
    ended: float = 0.0
    returncode: int | None = None
    new_state: float | None = None  # seconds after `ended` until a question sent then saw the new state
    probe_rtt: float | None = None  # how long that probe's answer took (it queues behind the users' questions)
    output: str = ""


@dataclass
class Asked:
    question: str
    started: float
    ended: float
    outcome: str  # ok | error | false_refusal | wrong
    detail: str = ""


@dataclass
class Churn:
    asked: list[Asked] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, item: Asked) -> None:
        with self.lock:
            self.asked.append(item)


def staged_records(home: Path, plan: str) -> int:
    """Records of `plan` in an unpublished generation of the index (a build in progress)."""
    from index.generations import Generations

    total = 0
    for staging in Generations(home / "chroma").stagings():
        try:
            con = sqlite3.connect(f"file:{staging / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=1)
            try:
                total += con.execute(
                    "SELECT count(*) FROM embedding_metadata WHERE key = 'plan' AND string_value = ?", (plan,)
                ).fetchone()[0]
            finally:
                con.close()
        except sqlite3.Error:
            pass
    return total


def _judge(data: dict | None, error: Exception | None, fact: str) -> tuple[str, str]:
    if error is not None:
        return "error", repr(error)[:300]
    answer = data.get("answer", "")
    if "出错" in answer or "went wrong" in answer:
        return "error", answer[:300]
    if not data.get("answerable"):
        return "false_refusal", answer[:300]
    if fact and fact.lower() not in answer.lower():
        return "wrong", answer[:300]
    return "ok", ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--questions", type=int, default=200, help="answers to collect at least (all during the churn)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    import yaml
    from gradio_client import Client

    from index.building import EMBED_BATCH

    home = Path(tempfile.mkdtemp(prefix="pa-churn-"))
    env = {**os.environ, "PLAN_ASSISTANT_HOME": str(home), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    env = {k: v for k, v in env.items() if k != "PLAN_ASSISTANT_CHROMA_URL"}
    plans_dir = home / "plans"
    plans_dir.mkdir()
    files = {
        "farm": _plan_text("某县农业发展规划", "农田建设", "亩", 40),
        "water": _plan_text("某县水利发展规划", "水利设施", "米", 40),
        "big": _plan_text("某县交通发展规划", "道路建设", "公里", EMBED_BATCH + 60),  # two batches: killable
    }
    for name, text in files.items():
        (plans_dir / f"{name}.txt").write_text(text, encoding="utf-8")
    path = {name: str(plans_dir / f"{name}.txt") for name in files}
    ops = [
        Op("add farm", ["index", "--plan", path["farm"]], {BUNDLED, "farm"}),
        Op("add water", ["index", "--plan", path["water"]], {BUNDLED, "farm", "water"}),
        Op("remove farm", ["remove", "farm"], {BUNDLED, "water"}),
        Op("rebuild", ["index", "--rebuild"], {BUNDLED, "water"}),
        Op("add big, SIGKILL", ["index", "--plan", path["big"]], {BUNDLED, "water"}, interrupt=signal.SIGKILL),
        Op("add big (resumes)", ["index", "--plan", path["big"]], {BUNDLED, "water", "big"}),
        Op("remove big", ["remove", "big"], {BUNDLED, "water"}),
        Op("add big, SIGINT", ["index", "--plan", path["big"]], {BUNDLED, "water"}, interrupt=signal.SIGINT),
        Op("rebuild", ["index", "--rebuild"], {BUNDLED, "water"}),
        Op("remove water", ["remove", "water"], {BUNDLED}),
    ]

    print(f"indexing the bundled plan in {home} ...", file=sys.stderr)
    subprocess.run([EXE, "index"], env=env, check=True, capture_output=True)
    server = start_server(home, env={"PLAN_ASSISTANT_HOME": str(home)})
    try:
        items = [q for q in yaml.safe_load(QUESTIONS.read_text(encoding="utf-8")) if q["answerable"] and not q.get("history")]
        client = Client(server.url, verbose=False)
        pool: list[tuple[str, str]] = []
        print(f"baseline: {len(items)} questions ...", file=sys.stderr)
        for q in items:
            try:
                data, error = client.predict(q["question"], [], BUNDLED, api_name="/ask"), None
            except Exception as exc:  # noqa: BLE001
                data, error = None, exc
            if _judge(data, error, str(q.get("fact") or ""))[0] == "ok":
                pool.append((q["question"], str(q.get("fact") or "")))
        rng = random.Random(args.seed)
        churn = Churn()
        ops_done = threading.Event()
        counter = {"n": 0}
        counter_lock = threading.Lock()

        def user(i: int) -> None:
            c = Client(server.url, verbose=False)
            mine = random.Random(args.seed * 1000 + i)
            while True:
                with counter_lock:
                    if counter["n"] >= args.questions and ops_done.is_set():
                        return
                    counter["n"] += 1
                question, fact = mine.choice(pool)
                t0 = time.monotonic()
                try:
                    data, error = c.predict(question, [], BUNDLED, api_name="/ask"), None
                except Exception as exc:  # noqa: BLE001 - every outcome is recorded
                    data, error = None, exc
                outcome, detail = _judge(data, error, fact)
                churn.add(Asked(question, t0, time.monotonic(), outcome, detail))

        def knows(c, plan: str) -> bool:
            try:
                c.predict("建设", [], plan, api_name="/ask")
                return True
            except Exception:  # noqa: BLE001 - "No plan named ..." comes back as an AppError
                return False

        def run_ops() -> None:
            probe = Client(server.url, verbose=False)
            before = {BUNDLED}
            for op in ops:
                op.started = time.monotonic()
                proc = subprocess.Popen([EXE, *op.args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                if op.interrupt is not None:
                    while staged_records(home, "big") == 0 and proc.poll() is None:
                        time.sleep(0.05)
                    proc.send_signal(op.interrupt)
                out, err = proc.communicate()
                op.ended, op.returncode, op.output = time.monotonic(), proc.returncode, (out + err)[-2000:]
                # The plans the operation changed (or, when it changed none, all it left): a question about each,
                # asked after the operation ended, must see the new state. Timed from when the probe was sent:
                # its answer waits in the users' queue, which is not the index's doing.
                check = (before ^ op.after) | ({"big"} if op.interrupt else set()) or set(op.after)
                while time.monotonic() - op.ended < 120:
                    sent = time.monotonic()
                    if all(knows(probe, p) == (p in op.after) for p in sorted(check)):
                        op.new_state, op.probe_rtt = max(0.0, sent - op.ended), time.monotonic() - sent
                        break
                before = set(op.after)
                time.sleep(rng.uniform(0.5, 2.0))  # users keep asking between two operations
            ops_done.set()

        rss_before = rss_kb(server.pid)
        started = time.monotonic()
        users = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(args.clients)]
        operator = threading.Thread(target=run_ops, daemon=True)
        operator.start()
        for t in users:
            t.start()
        operator.join()
        for t in users:
            t.join()
        elapsed = time.monotonic() - started
        rss_after = rss_kb(server.pid)
        final = subprocess.run([EXE, "plans", "--json"], env=env, capture_output=True, text=True)
        held = {p["name"] for p in json.loads(final.stdout or "[]")}
    finally:
        server.stop()

    report = summarize(churn.asked, ops, held, elapsed, len(pool), started)
    report["serve_rss_mb"] = [round(rss_before / 1024), round(rss_after / 1024)]
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(render(report))
    bad = report["errors"] or report["false_refusals"] or report["lost_plans"] or report["ops_never_seen"]
    return 1 if bad else 0


def summarize(asked: list[Asked], ops: list[Op], held: set[str], elapsed: float, pool: int, t0: float) -> dict:
    ok = [a for a in asked if a.outcome == "ok"]
    latencies = [a.ended - a.started for a in asked if a.outcome != "error"]
    failed = sorted((a.started, a.ended) for a in asked if a.outcome in ("error", "false_refusal"))
    longest_down = 0.0
    span: tuple[float, float] | None = None
    for start, end in failed:  # merge overlapping failed requests into spans of unavailability
        if span is None or start > span[1]:
            span = (start, end)
        else:
            span = (span[0], max(span[1], end))
        longest_down = max(longest_down, span[1] - span[0])
    ends = sorted(a.ended for a in ok)
    gap = max((b - a for a, b in zip(ends, ends[1:])), default=0.0)
    return {
        "answers": len(asked),
        "pool": pool,
        "ok": len(ok),
        "errors": sum(a.outcome == "error" for a in asked),
        "false_refusals": sum(a.outcome == "false_refusal" for a in asked),
        "wrong": sum(a.outcome == "wrong" for a in asked),
        "examples": [f"{a.outcome}: {a.question} -> {a.detail}" for a in asked if a.outcome != "ok"][:5],
        "latency_p50": round(_percentile(latencies, 50), 3),
        "latency_p95": round(_percentile(latencies, 95), 3),
        "latency_max": round(max(latencies, default=float("nan")), 3),
        "longest_unavailable": round(longest_down, 3),
        "longest_gap_between_answers": round(gap, 3),
        "seconds": round(elapsed, 1),
        "ops": [
            {
                "op": op.label, "rc": op.returncode, "ran_s": round(op.ended - op.started, 1),
                "at_s": round(op.started - t0, 1),
                "new_state_s": None if op.new_state is None else round(op.new_state, 2),
                "probe_rtt_s": None if op.probe_rtt is None else round(op.probe_rtt, 2),
                "answers_during": sum(1 for a in asked if a.started < op.ended and a.ended > op.started),
            }
            for op in ops
        ],
        "max_new_state_s": round(max((op.new_state for op in ops if op.new_state is not None), default=float("nan")), 2),
        "max_probe_rtt_s": round(max((op.probe_rtt for op in ops if op.probe_rtt is not None), default=float("nan")), 2),
        "ops_never_seen": [op.label for op in ops if op.new_state is None],
        "held_at_end": sorted(held),
        "lost_plans": sorted(ops[-1].after - held) if ops else [],
        "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def render(r: dict) -> str:
    lines = [
        f"{r['answers']} answers from the {r['pool']} questions answered right without churn, over {r['seconds']}s"
        f" (load {r['load']:.1f}):",
        f"  errors {r['errors']}, false refusals {r['false_refusals']}, wrong {r['wrong']}",
        f"  latency p50 {r['latency_p50']}s, p95 {r['latency_p95']}s, max {r['latency_max']}s",
        f"  longest unavailable {r['longest_unavailable']}s; longest gap between two answers {r['longest_gap_between_answers']}s",
        "",
        "| operation | exit | ran s | answers during | new state for questions sent after s | that probe's answer s |",
        "|---|---|---|---|---|---|",
    ]
    for op in r["ops"]:
        lines.append(
            f"| {op['op']} | {op['rc']} | {op['ran_s']} | {op['answers_during']} | {op['new_state_s']} | {op['probe_rtt_s']} |"
        )
    lines.append("")
    lines.append(
        f"a question sent {r['max_new_state_s']}s after a change (at most) got the new state, answered within "
        f"{r['max_probe_rtt_s']}s; never seen: {r['ops_never_seen'] or 'none'}"
    )
    lines.append(f"plans at the end: {', '.join(r['held_at_end'])}; lost: {r['lost_plans'] or 'none'}")
    if "serve_rss_mb" in r:
        lines.append(f"serve RSS before / after the churn: {r['serve_rss_mb'][0]} / {r['serve_rss_mb'][1]} MB")
    for example in r["examples"]:
        lines.append(f"  {example}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
