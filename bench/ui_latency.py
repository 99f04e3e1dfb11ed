"""Web chat latency in a real Chromium: seconds from `serve` to a page that answers, and from Enter to answer text.

Run: `python -m bench.ui_latency [--home DIR] [--questions N] [--json]`. Without --home the default plan is indexed
first (not timed) in a temporary home. Then `plan-assistant serve` starts on a free port and the clock runs until
(1) the server answers HTTP 200 and (2) Chromium shows the chat's input box. Each question is typed and Enter
pressed; the browser's own clock records when the first answer text and the finished answer (with its chips)
appear. The first question includes warm-up and is reported apart from the median of the rest.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# Records, in the page's clock, when Enter is pressed and when the next answer first shows text and finishes.
_WATCH = """
() => {
  const chat = document.querySelector('#pa-chat');
  const finals = () => document.querySelectorAll('.pa-answer.pa-final, .pa-answer.pa-error').length;
  const base = finals();
  const bubbles = document.querySelectorAll('.pa-answer').length;
  window.__paT = {enter: null, first: null, done: null};
  document.querySelector('#pa-input textarea').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && window.__paT.enter === null) window.__paT.enter = performance.now();
  }, {once: true, capture: true});
  const obs = new MutationObserver(() => {
    const t = window.__paT, now = performance.now();
    if (t.enter === null) return;
    const all = document.querySelectorAll('.pa-answer');
    const last = all.length > bubbles ? all[all.length - 1] : null;  // the new bubble, not the previous answer
    const text = last && last.querySelector('.pa-text');
    if (t.first === null && text && text.textContent.trim()) t.first = now;
    if (finals() > base) { t.done = now; if (t.first === null) t.first = now; obs.disconnect(); }
  });
  obs.observe(chat, {subtree: true, childList: true, characterData: true});
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _exe() -> str:
    return str(Path(sys.executable).parent / "plan-assistant")


def _questions(n: int) -> list[str]:
    """Direct, English and unanswerable questions from the fixed set, alternating, without follow-ups."""
    data = yaml.safe_load((ROOT / "tests" / "data" / "questions.yaml").read_text(encoding="utf-8"))
    pools = [
        [q["question"] for q in data if q["lang"] == "zh" and q["answerable"] and not q.get("history")],
        [q["question"] for q in data if q["lang"] == "en" and not q.get("history")],
        [q["question"] for q in data if not q["answerable"] and not q.get("history")],
    ]
    out: list[str] = []
    i = 0
    while len(out) < n:
        pool = pools[i % len(pools)]
        out.append(pool[(i // len(pools)) % len(pool)])
        i += 1
    return out


def run(home: Path, n_questions: int) -> dict:
    from playwright.sync_api import sync_playwright

    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAN_ASSISTANT_")}
    env.update(PLAN_ASSISTANT_HOME=str(home), HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False",
               ANONYMIZED_TELEMETRY="False")
    subprocess.run([_exe(), "index"], env=env, check=True, capture_output=True)

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(home / "serve.log", "wb")
    started = time.perf_counter()
    proc = subprocess.Popen([_exe(), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    result: dict = {"questions": []}
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"serve exited with {proc.returncode}; see {home / 'serve.log'}")
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        result["serve_to_http_s"] = time.perf_counter() - started
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url, wait_until="load")
            page.wait_for_selector("#pa-input textarea", timeout=120_000)
            result["serve_to_page_s"] = time.perf_counter() - started
            for question in _questions(n_questions):
                page.evaluate(_WATCH)
                page.fill("#pa-input textarea", question)
                page.press("#pa-input textarea", "Enter")
                page.wait_for_function("() => window.__paT.done !== null", timeout=300_000)
                t = page.evaluate("() => window.__paT")
                result["questions"].append(
                    {"question": question, "first_text_s": (t["first"] - t["enter"]) / 1000,
                     "answer_s": (t["done"] - t["enter"]) / 1000}
                )
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    rest = result["questions"][1:] or result["questions"]
    result["first_question"] = result["questions"][0]
    result["median_first_text_s"] = statistics.median(q["first_text_s"] for q in rest)
    result["median_answer_s"] = statistics.median(q["answer_s"] for q in rest)
    result["max_answer_s"] = max(q["answer_s"] for q in rest)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_latency", description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="a PLAN_ASSISTANT_HOME to use (indexed first if needed); default: a temporary one")
    parser.add_argument("--questions", type=int, default=7, help="questions to ask (the first one warms up)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pa-ui-bench-") as tmp:
        home = Path(args.home) if args.home else Path(tmp)
        home.mkdir(parents=True, exist_ok=True)
        result = run(home, max(1, args.questions))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"serve -> HTTP 200:            {result['serve_to_http_s']:.1f} s")
    print(f"serve -> chat page ready:     {result['serve_to_page_s']:.1f} s")
    first = result["first_question"]
    print(f"first question (warm-up):     first text {first['first_text_s']:.2f} s, answer {first['answer_s']:.2f} s")
    n = len(result["questions"]) - 1
    print(f"Enter -> first answer text:   median {result['median_first_text_s']:.2f} s over {n} questions")
    print(f"Enter -> finished answer:     median {result['median_answer_s']:.2f} s, max {result['max_answer_s']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
