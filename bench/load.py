"""Load test: concurrent gradio_client users against a running `plan-assistant serve`; latency, errors, memory.

Run: `python -m bench.load --users 20 --questions 20` (starts `serve` on a free port with a temporary home,
indexes the default plan there, then stops it), or `--url http://127.0.0.1:7860/ [--pid PID]` for a server
already running. Every user has its own `gradio_client.Client` and asks its questions one after another over
the app's named API (`/ask`, else `/chat`). The server's RSS is read from /proc/PID/status every
`--sample-every` answers; `--users 20 --questions 50` gives the 1,000-question memory figure. The first
`--warmup` answers fill the server's caches and its thread arenas, so the memory slope is fitted after them.
Exits 1 on any error.
Traffic goes to the loopback address only, and the run is bounded by users x questions and `--deadline`.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "questions.yaml"
LOOPBACK = "127.0.0.1"

__all__ = ["Server", "free_port", "listening_addresses", "peak_rss_kb", "rss_kb", "run_load", "start_server"]


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """The process and its descendants: `serve` answers in a worker process of its own (ui/worker.py)."""
    pids, i = [pid], 0
    while i < len(pids):
        for task in Path(f"/proc/{pids[i]}/task").glob("*/children"):
            try:
                pids += [int(c) for c in task.read_text().split()]
            except OSError:
                pass
        i += 1
    return pids


def _status_kb(pid: int, field: str) -> int:
    """A /proc/PID/status memory field (VmRSS, VmHWM) in kB, summed over the process and its descendants."""
    total = 0
    for p in _tree(pid):
        try:
            lines = Path(f"/proc/{p}/status").read_text().splitlines()
        except OSError:  # exited meanwhile
            continue
        total += next((int(line.split()[1]) for line in lines if line.startswith(f"{field}:")), 0)
    return total


def rss_kb(pid: int) -> int:
    """Current resident set size of a process and its descendants (VmRSS), in kB."""
    return _status_kb(pid, "VmRSS")


def peak_rss_kb(pid: int) -> int:
    """The peak resident set sizes the kernel recorded (VmHWM) of a process and its descendants, in kB: the
    processes' peaks need not coincide, so this bounds their sum from above."""
    return _status_kb(pid, "VmHWM")


def listening_addresses(port: int) -> list[str]:
    """Local addresses with a TCP socket listening on `port` (from /proc/net/tcp and tcp6), e.g. ['127.0.0.1']."""
    found = []
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            local, state = cols[1], cols[3]
            addr_hex, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A = LISTEN
                continue
            raw = bytes.fromhex(addr_hex)
            if v6:  # four little-endian 32-bit words
                raw = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                found.append(socket.inet_ntop(socket.AF_INET6, raw))
            else:
                found.append(socket.inet_ntoa(raw[::-1]))
    return found


@dataclass
class Server:
    """A `plan-assistant serve` subprocess this process started (and stops)."""

    proc: subprocess.Popen
    url: str
    port: int
    log: Path
    home: Path | None = None
    owns_home: bool = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        if self.owns_home and self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)


def start_server(
    home: Path | None = None,
    *,
    host: str = LOOPBACK,
    port: int | None = None,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    timeout: float = 900,
) -> Server:
    """Start `plan-assistant serve` and wait until its page answers; the first start also builds the index."""
    owns = home is None
    home = Path(home or tempfile.mkdtemp(prefix="pa-load-"))
    port = port or free_port(host)
    log = home / f"serve-{port}.log"
    exe = str(Path(sys.executable).parent / "plan-assistant")
    full_env = {
        **os.environ,
        "PLAN_ASSISTANT_HOME": str(home),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        **(env or {}),
    }
    home.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [exe, "serve", "--host", host, "--port", str(port), *args],
            env=full_env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    server = Server(proc, f"http://{host}:{port}/", port, log, home, owns)
    started = time.monotonic()
    while True:
        try:
            urllib.request.urlopen(server.url, timeout=5).read()
            return server
        except OSError:
            if proc.poll() is not None:
                out_text = server.output()
                server.stop()
                raise RuntimeError(f"serve exited with {proc.returncode} before answering:\n{out_text[-3000:]}")
            if time.monotonic() - started > timeout:
                server.stop()
                raise RuntimeError(f"serve did not answer within {timeout:.0f}s")
            time.sleep(0.5)


def _questions(n: int, seed: int) -> list[str]:
    import yaml

    items = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    texts = [q["question"] for q in items]
    rng = random.Random(seed)
    return [rng.choice(texts) for _ in range(n)]


def _endpoint(client: Any) -> str:
    api = client.view_api(return_format="dict", print_info=False)
    names = list(api.get("named_endpoints", {}))
    for wanted in ("/ask", "/chat"):
        if wanted in names:
            return wanted
    raise RuntimeError(f"the app exposes no /ask or /chat endpoint (it has: {', '.join(names) or 'none'})")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class _Run:
    pid: int | None
    sample_every: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss: list[tuple[int, int]] = field(default_factory=list)  # (answers done, kB)

    def sample(self) -> None:
        if self.pid is not None:
            try:
                self.rss.append((self.done, rss_kb(self.pid)))
            except OSError:
                pass

    def record(self, seconds: float | None, error: str | None) -> None:
        with self.lock:
            self.done += 1
            if error is None:
                self.latencies.append(seconds or 0.0)
            else:
                self.errors.append(error)
            if self.done % self.sample_every == 0:
                self.sample()


def _user(url: str, endpoint: str | None, questions: list[str], run: _Run, deadline: float, start: threading.Barrier) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False)
        endpoint = endpoint or _endpoint(client)
    except Exception as exc:  # noqa: BLE001 - a user that cannot connect counts every question as failed
        start.wait()
        for _ in questions:
            run.record(None, f"connect: {type(exc).__name__}: {exc}")
        return
    start.wait()
    for q in questions:
        if time.monotonic() > deadline:
            run.record(None, "deadline reached before the question was asked")
            continue
        t = time.perf_counter()
        try:
            result = client.predict(q, api_name=endpoint) if endpoint != "/ask" else client.predict(question=q, api_name="/ask")
            answer = result.get("answer") if isinstance(result, dict) else result
            error = None if isinstance(answer, str) and answer.strip() else f"empty answer: {str(result)[:200]}"
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
            error = f"{type(exc).__name__}: {str(exc)[:200]}"
        run.record(time.perf_counter() - t, error)
    client.close() if hasattr(client, "close") else None


def _slope(points: list[tuple[int, int]]) -> float:
    """Least-squares kB per answer through (answers, kB) points."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    if len(set(xs)) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def run_load(
    url: str, *, users: int, questions: int, pid: int | None, sample_every: int, seed: int, deadline_s: float,
    warmup: int = 100,
) -> dict:
    """Ask users x questions over the API; return the figures (errors, latency percentiles, RSS samples)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gradio_client import Client

    probe = Client(url, verbose=False)
    endpoint = _endpoint(probe)
    probe.predict(question="深圳国家基因库", api_name="/ask") if endpoint == "/ask" else probe.predict("深圳国家基因库", api_name=endpoint)
    run = _Run(pid, max(1, sample_every))
    run.sample()  # after warm-up: the baseline
    start = threading.Barrier(users + 1)
    deadline = time.monotonic() + deadline_s
    threads = [
        threading.Thread(target=_user, args=(url, endpoint, _questions(questions, seed + u), run, deadline, start), daemon=True)
        for u in range(users)
    ]
    for th in threads:
        th.start()
    start.wait()
    began = time.perf_counter()
    for th in threads:
        th.join(timeout=max(1.0, deadline - time.monotonic() + 60))
    wall = time.perf_counter() - began
    if run.rss and run.rss[-1][0] != run.done:
        run.sample()
    lat = run.latencies
    figures: dict[str, Any] = {
        "url": url,
        "endpoint": endpoint,
        "users": users,
        "questions_per_user": questions,
        "answers": len(lat),
        "errors": len(run.errors),
        "error_examples": sorted(set(run.errors))[:5],
        "wall_s": round(wall, 1),
        "throughput_qps": round(len(lat) / wall, 2) if wall else 0.0,
        "latency_p50_s": round(_percentile(lat, 50), 3),
        "latency_p95_s": round(_percentile(lat, 95), 3),
        "latency_p99_s": round(_percentile(lat, 99), 3),
        "latency_max_s": round(max(lat), 3) if lat else None,
        "latency_mean_s": round(statistics.fmean(lat), 3) if lat else None,
    }
    if run.rss:
        kb = [v for _, v in run.rss]
        warm = [(x, v) for x, v in run.rss if x >= warmup]
        figures.update(
            {
                "rss_samples": len(kb),
                "rss_first_mb": round(kb[0] / 1024, 1),
                "rss_last_mb": round(kb[-1] / 1024, 1),
                "rss_max_mb": round(max(kb) / 1024, 1),
                "rss_slope_mb_per_100_answers": round(_slope(run.rss) * 100 / 1024, 3),
            }
        )
        if len(warm) > 1:
            figures.update(
                {
                    f"rss_growth_after_{warmup}_answers_mb": round((warm[-1][1] - warm[0][1]) / 1024, 1),
                    f"rss_slope_after_{warmup}_answers_mb_per_100": round(_slope(warm) * 100 / 1024, 3),
                }
            )
        figures["rss_series_mb"] = [[x, round(v / 1024, 1)] for x, v in run.rss]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent gradio_client users (default 20)")
    parser.add_argument("--questions", type=int, default=20, help="questions each user asks (default 20)")
    parser.add_argument("--url", help="a running server (default: start `plan-assistant serve` on a free port)")
    parser.add_argument("--pid", type=int, help="with --url: the server's PID, to sample its memory")
    parser.add_argument("--home", help="data directory for the started server (default: a temporary one)")
    parser.add_argument("--sample-every", type=int, default=50, help="answers between two RSS samples")
    parser.add_argument("--warmup", type=int, default=100, help="answers before the memory slope is fitted (default 100)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--deadline", type=float, default=3600, help="seconds after which no new question is asked")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args(argv)
    if args.users < 1 or args.questions < 1:
        parser.error("--users and --questions must be at least 1")

    server = None
    if args.url:
        url, pid = args.url, args.pid
    else:
        started = time.perf_counter()
        server = start_server(Path(args.home) if args.home else None)
        url, pid = server.url, server.pid
        if not args.json:
            print(f"serve up at {url} (pid {pid}) in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    try:
        figures = run_load(
            url, users=args.users, questions=args.questions, pid=pid, sample_every=args.sample_every,
            seed=args.seed, deadline_s=args.deadline, warmup=args.warmup,
        )
    finally:
        if server is not None:
            server.stop()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        for key, value in figures.items():
            if key != "rss_series_mb":
                print(f"{key:32s} {value}")
        if "rss_series_mb" in figures:
            print(f"{'rss_series_mb (answers, MB)':32s} {figures['rss_series_mb']}")
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
