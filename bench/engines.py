"""The e5 forward pass on numpy against torch, batch shape by batch shape: where "auto" should switch engines.

Run: `python -m bench.engines [--repeats 15] [--json]`. For batches of 1-16 texts, each text a question (~20
tokens) or a plan paragraph cut to 32, 64 or 128 tokens, both engines embed the same batch `--repeats` times
(after one untimed pass each) and the median wall time of each is reported with their ratio, and the largest
vector difference. index/encoder.py's NUMPY_MAX_TOKENS is the padded batch size (texts x tokens) up to which
numpy is no slower than torch (within 2%: timing noise) in the measured shapes; the bench prints what its figures
support, and the per-token cost behind NUMPY_BEFORE_TORCH_TOKENS.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "index" / "plans" / "shenzhen-sti-13th-five-year-plan-E.txt"
QUESTIONS = ["深圳计划柔性引进多少名诺贝尔奖科学家？", "How will military and civilian technology be integrated?"]


def _median_seconds(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(repeats: int) -> dict:
    from index.model_cache import ensure_model
    from index.encoder import NUMPY_BEFORE_TORCH_TOKENS, NUMPY_MAX_TOKENS, E5Encoder

    encoder = E5Encoder(ensure_model(), engine="auto")
    paragraphs = [line.strip() for line in PLAN.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 60]
    rows = []
    for length in (0, 32, 64, 128):  # 0: whole questions
        for batch in (1, 2, 4, 8, 16):
            if length:
                texts = [encoder.tokenizer.decode(encoder.tokenizer.encode(p).ids[1 : length - 1]) for p in paragraphs[:batch]]
            else:
                texts = [QUESTIONS[i % len(QUESTIONS)] for i in range(batch)]
            enc = encoder.tokenizer.encode_batch(["query: " + t for t in texts])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            numpy_s = _median_seconds(lambda: encoder.numpy_model(ids, mask), repeats)
            torch_s = _median_seconds(lambda: encoder._torch_batch(ids, mask, False), repeats)
            diff = float(np.abs(encoder.numpy_model(ids, mask) - encoder._torch_batch(ids, mask, False)).max())
            rows.append({"texts": batch, "tokens": int(ids.shape[1]), "padded_tokens": int(ids.size),
                         "numpy_ms": round(numpy_s * 1000, 2), "torch_ms": round(torch_s * 1000, 2),
                         "numpy_over_torch": round(numpy_s / torch_s, 2), "max_abs_diff": diff})
    slower = [r["padded_tokens"] for r in rows if r["numpy_over_torch"] > 1.02]
    supported = max((r["padded_tokens"] for r in rows if r["padded_tokens"] < min(slower, default=10**9)), default=0)
    per_token = statistics.median(r["numpy_ms"] / r["padded_tokens"] for r in rows if r["padded_tokens"] >= 64)
    return {"rows": rows, "numpy_no_slower_up_to": supported, "numpy_ms_per_token": round(per_token, 3),
            "NUMPY_MAX_TOKENS": NUMPY_MAX_TOKENS, "NUMPY_BEFORE_TORCH_TOKENS": NUMPY_BEFORE_TORCH_TOKENS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engines", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = run(args.repeats)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{'texts':>5} {'tokens':>6} {'padded':>6} {'numpy ms':>9} {'torch ms':>9} {'ratio':>6} {'max |diff|':>10}")
    for r in figures["rows"]:
        print(f"{r['texts']:5d} {r['tokens']:6d} {r['padded_tokens']:6d} {r['numpy_ms']:9.2f} {r['torch_ms']:9.2f}"
              f" {r['numpy_over_torch']:6.2f} {r['max_abs_diff']:10.2e}")
    print(f"numpy no slower than torch up to {figures['numpy_no_slower_up_to']} padded tokens;"
          f" NUMPY_MAX_TOKENS is {figures['NUMPY_MAX_TOKENS']}")
    print(f"numpy costs {figures['numpy_ms_per_token']} ms per padded token (batches of 64+): NUMPY_BEFORE_TORCH_TOKENS"
          f" {figures['NUMPY_BEFORE_TORCH_TOKENS']} is {figures['numpy_ms_per_token'] * figures['NUMPY_BEFORE_TORCH_TOKENS'] / 1000:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
