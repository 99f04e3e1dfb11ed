"""Cold start: a fresh process's first answer, side by side with `python -c "import torch"`, with peak memory.

Run: `python -m bench.cold_start [--runs 3] [--only torch,ask,python,serve,index] [--json]`. The bundled plan is
indexed into a fresh temporary home first, and one `ask` is run untimed, so the page cache and the on-disk caches
are filled (the model cache is the usual one, or PLAN_ASSISTANT_MODEL_CACHE). Then, `--runs` times each, every
run in a new process, `torch` and `ask` interleaved so they see the same machine load:

- torch:  `python -c "import torch"`, the yardstick;
- ask:    `plan-assistant ask QUESTION` (the goal: at most 3x torch);
- python: `PlanAssistant.open()`, then the first and a second `.ask(QUESTION)` (goal: first answer within 3 s);
- serve:  `plan-assistant serve`, from the start of the process to its first answer on the `/ask` API (goal: 5 s);
- index:  `plan-assistant index` of the bundled plan into an empty home (goal: 5 s); its vectors come from the
          vector cache (PLAN_ASSISTANT_CACHE_DIR/vectors) the setup filled, as for any plan indexed before;
- index_cold: the same with an empty vector cache, as the first index of a plan on a machine.

Each figure is the median wall time, with min and max, and the process's peak RSS (the kernel's ru_maxrss).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.load import free_port, peak_rss_kb

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "深圳计划柔性引进多少名诺贝尔奖科学家？"
STEPS = ("torch", "ask", "python", "serve", "index", "index_cold")
GOALS = {"ask_vs_torch": 3.0, "python_first_answer_s": 3.0, "serve_first_answer_s": 5.0, "index_s": 5.0}

# The first answer in a fresh interpreter, timed from before the first import of the project.
_PYTHON_SNIPPET = """
import json, sys, time
t0 = time.perf_counter()
from assistant import PlanAssistant
t1 = time.perf_counter()
pa = PlanAssistant.open()
t2 = time.perf_counter()
first = pa.ask(sys.argv[1])
t3 = time.perf_counter()
pa.ask(sys.argv[1])
t4 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "open_s": t2 - t1, "first_ask_s": t3 - t2, "second_ask_s": t4 - t3,
                  "first_answer_s": t3 - t0, "answer": first.text}))
"""


def _exe(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """Run cmd to completion: (wall seconds, peak RSS in MB of that process, stdout, CPU seconds it used)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not every child's maximum
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.read().decode()[-2000:]}")
        return wall, usage.ru_maxrss / 1024, out.read().decode(), usage.ru_utime + usage.ru_stime


def _serve_first_answer(env: dict[str, str], question: str) -> tuple[float, float, str]:
    """Start `serve`, ask over the API as soon as it accepts a connection: (seconds to the answer, peak MB, answer)."""
    from gradio_client import Client  # imported before the clock starts

    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [_exe("plan-assistant"), "serve", "--port", str(port)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                break
            except Exception:  # noqa: BLE001 - not listening yet
                if proc.poll() is not None or time.perf_counter() - started > 300:
                    raise RuntimeError("serve did not come up") from None
                time.sleep(0.05)
        answer = client.predict(question, [], api_name="/ask")
        seconds = time.perf_counter() - started
        return seconds, peak_rss_kb(proc.pid) / 1024, answer["answer"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _summary(walls: list[float], peaks: list[float], cpus: list[float]) -> dict:
    summary = {
        "median_s": round(statistics.median(walls), 2),
        "min_s": round(min(walls), 2),
        "max_s": round(max(walls), 2),
        "peak_mb": round(max(peaks)),
        "runs": len(walls),
    }
    if cpus:  # CPU seconds are steadier than wall time on a busy machine
        summary["cpu_s"] = round(statistics.median(cpus), 2)
    return summary


def run(steps: list[str], runs: int, question: str, home: Path) -> dict:
    env = {
        **os.environ,
        "PLAN_ASSISTANT_HOME": str(home / "home"),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("PLAN_ASSISTANT_CHROMA_URL", None)
    pa = _exe("plan-assistant")
    _run([pa, "index"], env)  # untimed: the index, and any model conversion
    _run([pa, "ask", question], env)  # untimed: page cache and on-disk caches filled
    walls: dict[str, list[float]] = {s: [] for s in STEPS}
    peaks: dict[str, list[float]] = {s: [] for s in STEPS}
    cpus: dict[str, list[float]] = {s: [] for s in STEPS}
    extra: dict[str, list[dict]] = {"python": []}
    answers: dict[str, str] = {}
    for i in range(runs):
        if "torch" in steps:
            w, m, _, c = _run([sys.executable, "-c", "import torch"], env)
            walls["torch"].append(w), peaks["torch"].append(m), cpus["torch"].append(c)
        if "ask" in steps:
            w, m, out, c = _run([pa, "ask", question], env)
            walls["ask"].append(w), peaks["ask"].append(m), cpus["ask"].append(c)
            answers["ask"] = out.strip()
        if "python" in steps:
            w, m, out, c = _run([sys.executable, "-c", _PYTHON_SNIPPET, question], env)
            got = json.loads(out.strip().splitlines()[-1])
            answers["python"] = got.pop("answer")
            extra["python"].append(got)
            walls["python"].append(got["first_answer_s"]), peaks["python"].append(m), cpus["python"].append(c)
        if "serve" in steps:
            w, m, answer = _serve_first_answer(env, question)
            walls["serve"].append(w), peaks["serve"].append(m)
            answers["serve"] = answer
        if "index" in steps:
            fresh = dict(env, PLAN_ASSISTANT_HOME=str(home / f"index-{i}"))
            w, m, _, c = _run([pa, "index"], fresh)
            walls["index"].append(w), peaks["index"].append(m), cpus["index"].append(c)
        if "index_cold" in steps:
            fresh = dict(env, PLAN_ASSISTANT_HOME=str(home / f"cold-{i}"), PLAN_ASSISTANT_CACHE_DIR=str(home / f"cache-{i}"))
            w, m, _, c = _run([pa, "index"], fresh)
            walls["index_cold"].append(w), peaks["index_cold"].append(m), cpus["index_cold"].append(c)
    figures: dict = {name: _summary(walls[name], peaks[name], cpus[name]) for name in STEPS if walls[name]}
    if extra["python"]:
        figures["python"].update(
            {key: round(statistics.median(r[key] for r in extra["python"]), 2)
             for key in ("import_s", "open_s", "first_ask_s", "second_ask_s")}
        )
    checks = {}
    if "torch" in figures and "ask" in figures:
        checks["ask_vs_torch"] = round(figures["ask"]["median_s"] / figures["torch"]["median_s"], 2)
        figures["ask_vs_torch_cpu"] = round(figures["ask"]["cpu_s"] / figures["torch"]["cpu_s"], 2)
    for name, key in (("python", "python_first_answer_s"), ("serve", "serve_first_answer_s"), ("index", "index_s")):
        if name in figures:
            checks[key] = figures[name]["median_s"]
    figures["goals"] = {key: {"value": value, "goal": GOALS[key], "met": value <= GOALS[key]} for key, value in checks.items()}
    figures["answers"] = answers
    figures["question"] = question
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    figures["cpu_count"] = os.cpu_count()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per figure (median reported)")
    parser.add_argument("--only", default=",".join(STEPS), help=f"comma-separated subset of {','.join(STEPS)}")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    steps = [s.strip() for s in args.only.split(",") if s.strip()]
    if unknown := set(steps) - set(STEPS):
        parser.error(f"unknown step(s) {', '.join(sorted(unknown))}; choose from {', '.join(STEPS)}")
    with tempfile.TemporaryDirectory(prefix="pa-cold-") as tmp:
        figures = run(steps, args.runs, args.question, Path(tmp))
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    for name in STEPS:
        if name in figures:
            f = figures[name]
            detail = ""
            if name == "python":
                detail = (f"  (import {f['import_s']} s, open {f['open_s']} s, first ask {f['first_ask_s']} s,"
                          f" second ask {f['second_ask_s']} s)")
            cpu = f" ({f['cpu_s']} CPU-s)" if "cpu_s" in f else ""
            print(f"{name:10s} {f['median_s']:6.2f} s median ({f['min_s']}-{f['max_s']}){cpu}, peak {f['peak_mb']} MB{detail}")
    for key, g in figures["goals"].items():
        print(f"{key:22s} {g['value']:6.2f}  goal <= {g['goal']}  {'met' if g['met'] else 'NOT met'}")
    if "ask_vs_torch_cpu" in figures:
        print(f"ask_vs_torch in CPU seconds: {figures['ask_vs_torch_cpu']}")
    print(f"load average {figures['load_average']}, {figures['cpu_count']} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
