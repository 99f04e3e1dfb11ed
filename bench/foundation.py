"""Foundation figures: model conversion, cold index build, warm search latency, serve memory, venv size.

Run: `python -m bench.foundation [--queries tests/data/questions.yaml] [--json]`. Every step runs in a fresh
temporary directory (model cache and index), so the figures are first-run figures; nothing in ~/.cache is touched.
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
import urllib.request
from pathlib import Path

from bench.load import free_port, peak_rss_kb

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str, env: dict[str, str]) -> dict:
    """Run a snippet in a fresh interpreter (cold imports, cold caches) and return the JSON it prints."""
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def _questions(path: Path, n: int) -> list[str]:
    import yaml

    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [q["question"] for q in items][:n]


def measure_serve(env: dict[str, str], questions: list[str]) -> dict:
    """Start `plan-assistant serve`, time until the page answers, ask questions over the API, read peak RSS."""
    port = free_port()
    exe = str(Path(sys.executable).parent / "plan-assistant")
    started = time.perf_counter()
    proc = subprocess.Popen([exe, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - started > 300:
                    raise RuntimeError("serve did not come up")
                time.sleep(0.25)
        ready = time.perf_counter() - started
        from gradio_client import Client

        client = Client(url, verbose=False)
        api = client.view_api(return_format="dict", print_info=False)
        endpoint = next((name for name in api.get("named_endpoints", {}) if name.strip("/") in ("ask", "chat")), None)
        for q in questions:
            if endpoint == "/ask":
                client.predict(q, api_name="/ask")
            elif endpoint:
                client.predict(q, api_name=endpoint)
        return {"serve_ready_s": round(ready, 2), "serve_peak_rss_mb": round(peak_rss_kb(proc.pid) / 1024, 1),
                "serve_questions_asked": len(questions) if endpoint else 0}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", default=str(ROOT / "tests" / "data" / "questions.yaml"))
    parser.add_argument("--n", type=int, default=60, help="warm search queries (>= 50)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="pa-bench-"))
    env = {**os.environ, "PLAN_ASSISTANT_MODEL_CACHE": str(tmp / "model"), "PLAN_ASSISTANT_HOME": str(tmp / "home"),
           "PLAN_ASSISTANT_CACHE_DIR": str(tmp / "cache"),
           "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    figures: dict[str, float] = {}

    figures.update(_python(
        "import json,time; t=time.perf_counter(); from index.model_cache import ensure_model; ensure_model();"
        "print(json.dumps({'model_conversion_s': round(time.perf_counter()-t, 2)}))", env))
    figures.update(_python(
        "import json,time; t=time.perf_counter(); from index import PlanIndex; i=PlanIndex.open();"
        "print(json.dumps({'cold_index_build_s': round(time.perf_counter()-t, 2), 'sections': len(i.sections())}))", env))

    questions = _questions(Path(args.queries), args.n)
    from index import PlanIndex, Settings

    idx = PlanIndex.open(Settings.from_env(env))
    idx.search("warm up")
    latencies = []
    for q in questions:
        t = time.perf_counter()
        idx.search(q)
        latencies.append((time.perf_counter() - t) * 1000)
    figures.update({
        "warm_search_queries": len(latencies),
        "warm_search_p50_ms": round(statistics.median(latencies), 1),
        "warm_search_p95_ms": round(_percentile(latencies, 95), 1),
    })
    figures.update(measure_serve(env, questions[:20]))
    venv = Path(sys.prefix)
    figures["venv_size_mb"] = round(_dir_size(venv) / 1e6)
    figures["model_cache_mb"] = round(_dir_size(tmp / "model") / 1e6)

    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:28s} {value}")


if __name__ == "__main__":
    main()
