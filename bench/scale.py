"""How plan-assistant scales: indexing throughput, search/ask latency, memory and retrieval at 1k-100k sections.

Run: `python -m bench.scale --sizes 1000,10000,100000` (`--json FILE` keeps the figures). On 2 cores this
takes about 25 min, most of it writing 354k vectors of the 100k size into Chroma and that size's cold start.

Each corpus is the shipped plan plus synthetic plans (bench/corpus.py: the real plan's clauses recombined in its
numbering, 1000 sections per plan file) indexed with the real `PlanIndex.build`. Every size runs in three fresh
processes: one indexes (its peak RSS is the indexing memory), one opens the index cold and answers the questions
of tests/data/questions.yaml (its peak RSS is what an app worker needs), and one more opens it as the next worker
would, with the BM25 tokens the first one cached. Sizes above `--embed-limit` (default
1000) are not embedded by the model, which would take hours on 2 cores: the same build runs with `embed_passages` replaced by
vectors of the largest embedded corpus plus small noise (cosine ~0.9 to their source), so Chroma, the registry,
BM25 and the searches do the real work on real-looking vectors. The shipped plan is always embedded for real, so
"hit@5" (an expected section among the top 5, out of all the plans) stays meaningful at every size.

`python -m bench.scale --backends` instead compares embedding backends (torch fp32, torch int8 dynamic
quantization, ONNX Runtime fp32/int8 when `onnx` is importable) on speed and on retrieval quality.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "questions.yaml"
NOISE_SIGMA = 0.02  # per dimension, on 384-d unit vectors: cosine ~0.9 to the pooled source vector


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _cpu_s() -> float:
    """CPU seconds this process used: unlike wall time, barely moved by other work on the machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _questions(n: int) -> list[dict]:
    import yaml

    items = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return [q for q in items if not q.get("history")][:n]


def _settings(work: Path, chroma_url: str | None, size: int):
    from index import Settings

    # A vector cache of its own: indexing speed is the model's, and pooled stand-in vectors never reach the shared cache.
    return Settings.from_env({}, home=work / "home", chroma_url=chroma_url, collection=f"scale_{size}", cache_dir=work / "cache")


# --------------------------------------------------------------------------- one size, indexing
class PoolVectors:
    """Stands in for `embed_passages` on synthetic text: a pooled real vector chosen by the text's hash, plus noise.

    Text of the shipped plan is embedded by the real model, so questions about it are still answered honestly.
    """

    def __init__(self, pool, real_texts: set[str], embed) -> None:
        self.pool, self.real_texts, self.embed = pool, real_texts, embed
        self.faked = 0

    def __call__(self, model, texts, batch_size: int = 32):
        import hashlib

        import numpy as np

        texts = list(texts)
        out = np.zeros((len(texts), self.pool.shape[1]), dtype=np.float32)
        real = [i for i, t in enumerate(texts) if t in self.real_texts]
        real_set = set(real)
        if real:
            out[real] = self.embed(model, [texts[i] for i in real])
        for i, text in enumerate(texts):
            if i in real_set:
                continue
            seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
            rng = np.random.default_rng(seed)
            v = self.pool[seed % len(self.pool)] + rng.normal(0.0, NOISE_SIGMA, self.pool.shape[1])
            out[i] = v / np.linalg.norm(v)
            self.faked += 1
        return out


def index_size(size: int, work: Path, chroma_url: str | None, embed_limit: int, pool_path: Path) -> dict[str, Any]:
    import numpy as np

    import index.plan_index as plan_index
    from bench.corpus import write_corpus
    from index import DEFAULT_PLAN, PlanIndex, load_plan
    from index.records import embedding_units

    t0 = time.perf_counter()
    files = [DEFAULT_PLAN, *write_corpus(size - len(load_plan(DEFAULT_PLAN).sections), work / "plans")]
    corpus_s = time.perf_counter() - t0
    settings = _settings(work, chroma_url, size)
    idx = PlanIndex(settings)
    _ = idx.model  # model loading is not indexing
    precision = getattr(idx.model, "plan_assistant_precision", "fp32")
    mode = "model"
    fake = None
    if size > embed_limit:
        if not pool_path.exists():
            raise SystemExit(f"{pool_path} is missing: run a size <= --embed-limit first (sizes run in ascending order)")
        real = {u.text for u in embedding_units(load_plan(DEFAULT_PLAN))}
        fake = PoolVectors(np.load(pool_path), real, plan_index.embed_passages)
        plan_index.embed_passages = fake
        mode = "pooled vectors"
    t0, c0 = time.perf_counter(), _cpu_s()
    report = idx.build(files)
    index_s, index_cpu = time.perf_counter() - t0, _cpu_s() - c0
    vectors = idx.collection.count()
    if fake is None:  # keep this corpus's real vectors as the pool for larger sizes
        got = idx.collection.get(include=["embeddings"], limit=20000)
        np.save(pool_path, np.asarray(got["embeddings"], dtype=np.float32))
    disk = sum(f.stat().st_size for f in (work / "home").rglob("*") if f.is_file()) if not chroma_url else None
    return {
        "sections": sum(p["sections"] for p in report.plans.values()),
        "plans": len(report.plans),
        "vectors": vectors,
        "embedding": mode if fake else f"model ({precision})",
        "corpus_s": round(corpus_s, 1),
        "index_s": round(index_s, 1),
        "sections_per_s": round(size / index_s, 1),
        "vectors_per_s": round(vectors / index_s, 1),
        "index_cpu_s": round(index_cpu, 1),
        "sections_per_cpu_s": round(size / index_cpu, 2),
        "index_peak_rss_mb": round(_peak_rss_mb()),
        "disk_mb": round(disk / 2**20) if disk else None,
    }


# --------------------------------------------------------------------------- one size, querying
def query_size(size: int, work: Path, chroma_url: str | None, n_questions: int) -> dict[str, Any]:
    from assistant import PlanAssistant
    from index import DEFAULT_PLAN, PlanIndex

    questions = _questions(n_questions)
    settings = _settings(work, chroma_url, size)
    t0 = time.perf_counter()
    idx = PlanIndex.open(settings, build=False)
    idx.search(questions[0]["question"])  # cold: model load, plans parsed, BM25 built
    open_s = time.perf_counter() - t0
    open_rss = _peak_rss_mb()
    pa = PlanAssistant(idx)
    # One untimed pass first: the answerer builds per-process tables over every section on first need (sentence
    # vectors of the sections it quotes, term statistics), a one-time cost reported as `warm_s`, not as latency.
    t, c = time.perf_counter(), _cpu_s()
    for q in questions:
        pa.ask(q["question"], history=[])
    warm_s, warm_cpu = time.perf_counter() - t, _cpu_s() - c
    timings: dict[str, list[float]] = {"search": [], "dense": [], "bm25": [], "ask": []}
    cpu: dict[str, list[float]] = {"search": [], "ask": []}
    hits = answerable = 0
    for q in questions:
        t, c = time.perf_counter(), _cpu_s()
        found = idx.search(q["question"])
        timings["search"].append(time.perf_counter() - t)
        cpu["search"].append(_cpu_s() - c)
        t = time.perf_counter()
        idx.search(q["question"], retriever="dense")
        timings["dense"].append(time.perf_counter() - t)
        t = time.perf_counter()
        idx.lexical_scores(q["question"])  # BM25 over every section: the part of hybrid search that grows with N
        timings["bm25"].append(time.perf_counter() - t)
        t, c = time.perf_counter(), _cpu_s()
        pa.ask(q["question"], history=[])
        timings["ask"].append(time.perf_counter() - t)
        cpu["ask"].append(_cpu_s() - c)
        if q.get("expected"):
            answerable += 1
            top = {(h.section.plan, h.section.id) for h in found[:5]}
            hits += any((DEFAULT_PLAN.stem, e) in top for e in q["expected"])
    row: dict[str, Any] = {"open_s": round(open_s, 1), "open_rss_mb": round(open_rss), "warm_s": round(warm_s, 1),
                           "warm_cpu_s": round(warm_cpu, 1)}
    for name, values in timings.items():
        row[f"{name}_p50_ms"] = round(1000 * _percentile(values, 50), 1)
        row[f"{name}_p95_ms"] = round(1000 * _percentile(values, 95), 1)
    for name, values in cpu.items():  # CPU per query (all threads): the cost an idle machine would see
        row[f"{name}_cpu_mean_ms"] = round(1000 * statistics.mean(values), 1)
    row["hit5"] = round(hits / max(1, answerable), 3)
    row["queries"] = len(questions)
    row["query_peak_rss_mb"] = round(_peak_rss_mb())
    return row


def reopen_size(size: int, work: Path, chroma_url: str | None) -> dict[str, Any]:
    """A second worker's cold start: the first one left the BM25 tokens in HOME/tokens (index/token_cache.py)."""
    from index import PlanIndex

    t0 = time.perf_counter()
    idx = PlanIndex.open(_settings(work, chroma_url, size), build=False)
    idx.search(_questions(1)[0]["question"])
    return {"reopen_s": round(time.perf_counter() - t0, 1), "reopen_rss_mb": round(_peak_rss_mb())}


# --------------------------------------------------------------------------- embedding backends
def compare_backends(n_passages: int) -> list[dict[str, Any]]:
    """Embedding speed and dense retrieval quality of the current model under other CPU backends."""
    import numpy as np

    from index import DEFAULT_PLAN, load_plan
    from index.embedder import embed_passages, embed_queries
    from index.embedder_cache import get_embedder
    from index.records import embedding_units

    plan = load_plan(DEFAULT_PLAN)
    units = embedding_units(plan)
    passages = [u.text for u in units]
    bench_texts = (passages * (n_passages // len(passages) + 1))[:n_passages]
    questions = [q for q in _questions(10_000) if q.get("expected")]
    model = get_embedder(None, "fp32")

    def quality(p_vecs, q_vecs) -> float:
        hits = 0
        for q, qv in zip(questions, q_vecs):
            scores = p_vecs @ qv
            best: dict[str, float] = {}
            for u, s in zip(units, scores):
                best[u.section.id] = max(best.get(u.section.id, -1.0), float(s))
            top = sorted(best, key=lambda k: -best[k])[:5]
            hits += any(e in top for e in q["expected"])
        return hits / len(questions)

    def measure(name: str, enc_p, enc_q) -> dict[str, Any]:
        enc_p(bench_texts[:16])  # warm-up
        t, c = time.perf_counter(), _cpu_s()
        enc_p(bench_texts)
        secs, cpu = time.perf_counter() - t, _cpu_s() - c
        p_vecs, q_vecs = enc_p(passages), enc_q([q["question"] for q in questions])
        return {"backend": name, "passages_per_s": round(len(bench_texts) / secs, 1),
                "passages_per_cpu_s": round(len(bench_texts) / cpu, 2), "hit5": round(quality(p_vecs, q_vecs), 3),
                "cos_to_fp32": None, "_p": p_vecs}

    rows = [measure("torch fp32", lambda t: embed_passages(model, t), lambda t: embed_queries(model, t))]
    for precision in ("bf16", "int8"):  # PLAN_ASSISTANT_EMBED_PRECISION; "auto" is bf16 where the CPU has it natively
        other = get_embedder(None, precision)
        rows.append(measure(f"torch {precision} (PLAN_ASSISTANT_EMBED_PRECISION={precision})",
                            lambda t, m=other: embed_passages(m, t), lambda t, m=other: embed_queries(m, t)))
    try:
        rows += _onnx_rows(model, measure)
    except Exception as exc:  # an exporter problem must not lose the torch rows
        print(f"ONNX Runtime rows failed: {exc!r}", file=sys.stderr)
    base = rows[0]["_p"]
    for r in rows:
        r["cos_to_fp32"] = round(float(np.min(np.sum(r.pop("_p") * base, axis=1))), 4)
    return rows


def _onnx_rows(model, measure) -> list[dict[str, Any]]:
    """ONNX Runtime fp32 and int8: exported with torch.onnx, run with onnxruntime (installed with chromadb).

    sentence-transformers' own ONNX backend needs optimum-onnx, which requires transformers<4.58 (we use 5.x);
    exporting needs the `onnx` package, not part of the install: without it these rows are skipped.
    """
    try:
        import onnx  # noqa: F401
        import onnxruntime as ort
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        print(f"skipping ONNX Runtime backends ({exc}); `pip install onnx onnxscript` to measure them", file=sys.stderr)
        return []
    import numpy as np
    import torch

    hf = model[0].auto_model.eval()
    tok = model.tokenizer

    class Encoder(torch.nn.Module):  # keyword arguments only: the HF forward takes many optional positionals
        def __init__(self) -> None:
            super().__init__()
            self.hf = hf  # a registered submodule: its weights become ONNX initializers

        def forward(self, input_ids, attention_mask):
            return self.hf(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    tmp = Path(tempfile.mkdtemp(prefix="onnx-"))
    fp32, int8 = tmp / "model.onnx", tmp / "model.int8.onnx"
    sample = tok(["passage: 示例"], return_tensors="pt")
    with torch.no_grad():
        torch.onnx.export(
            Encoder(), (sample["input_ids"], sample["attention_mask"]), str(fp32), input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"], dynamic_axes={n: {0: "b", 1: "t"} for n in ["input_ids", "attention_mask", "last_hidden_state"]},
            opset_version=17, dynamo=False,
        )
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    prompts = model.prompts
    rows = []
    for name, path in (("onnxruntime fp32", fp32), ("onnxruntime int8 dynamic", int8)):
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = os.cpu_count() or 1
        if os.environ.get("OMP_WAIT_POLICY", "").upper() == "PASSIVE":  # the same no-spinning rule as torch's threads
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])

        def encode(texts, prefix, sess=sess):
            # Longest first, as sentence-transformers batches: like lengths together, little padding.
            order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
            out = np.zeros((len(texts), hf.config.hidden_size), dtype=np.float32)
            for i in range(0, len(texts), 32):
                rows = order[i : i + 32]
                batch = tok([prefix + texts[j] for j in rows], padding=True, truncation=True, max_length=512, return_tensors="np")
                hidden = sess.run(None, {"input_ids": batch["input_ids"].astype(np.int64), "attention_mask": batch["attention_mask"].astype(np.int64)})[0]
                mask = batch["attention_mask"][..., None].astype(np.float32)
                v = (hidden * mask).sum(1) / mask.sum(1)
                out[rows] = v / np.linalg.norm(v, axis=1, keepdims=True)
            return out

        p_prefix = prompts.get("passage") or prompts.get("document") or ""
        q_prefix = prompts.get("query") or ""
        rows.append(measure(name, lambda t, e=encode: e(t, p_prefix), lambda t, e=encode: e(t, q_prefix)))
    shutil.rmtree(tmp, ignore_errors=True)
    return rows


# --------------------------------------------------------------------------- driver
def _child(phase: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.scale", "--phase", phase, "--sizes", str(size), "--work", str(args.work),
           "--embed-limit", str(args.embed_limit), "--questions", str(args.questions)]
    if args.chroma_url:
        cmd += ["--chroma-url", args.chroma_url]
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{phase} {size} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


COLUMNS = [
    ("sections", "sections"), ("vectors", "vectors"), ("embedding", "vectors from"), ("sections_per_s", "index sections/s"),
    ("sections_per_cpu_s", "index sections/CPU-s"), ("index_peak_rss_mb", "index peak MB"), ("open_s", "cold open s"), ("reopen_s", "next worker's cold open s"), ("warm_s", "first-pass s"), ("search_p50_ms", "search p50 ms"),
    ("search_p95_ms", "search p95 ms"), ("dense_p95_ms", "dense-only p95 ms"), ("bm25_p95_ms", "BM25 scoring p95 ms"), ("ask_p50_ms", "ask p50 ms"),
    ("ask_p95_ms", "ask p95 ms"), ("search_cpu_mean_ms", "search CPU ms"), ("ask_cpu_mean_ms", "ask CPU ms"),
    ("query_peak_rss_mb", "worker peak MB"), ("hit5", "hit@5"),
]


def table(rows: list[dict[str, Any]], columns=COLUMNS) -> str:
    head = "| " + " | ".join(title for _, title in columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(str(r.get(key, "")) for key, _ in columns) + " |" for r in rows]
    return "\n".join([head, rule, *body])


def growth(rows: list[dict[str, Any]]) -> str:
    """How each cost grows per 10x more sections, from the first to the last size."""
    if len(rows) < 2:
        return ""
    a, b = rows[0], rows[-1]
    factor = b["sections"] / a["sections"]
    parts = [f"{key.replace('_', ' ')} x{b[key] / a[key]:.2f}" for key in ("search_p95_ms", "ask_p95_ms", "open_s", "reopen_s", "query_peak_rss_mb") if a.get(key)]
    return f"from {a['sections']} to {b['sections']} sections (x{factor:.0f}): " + ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated section counts")
    ap.add_argument("--embed-limit", type=int, default=1000, help="largest size embedded by the model (about 1 min per 1000 sections on 2 cores)")
    ap.add_argument("--questions", type=int, default=40, help="questions timed per size (from tests/data/questions.yaml)")
    ap.add_argument("--chroma-url", help="run against a Chroma server (`chroma run`) instead of the embedded client")
    ap.add_argument("--work", type=Path, help="working directory (default: a temporary one, removed afterwards)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--backends", action="store_true", help="compare embedding backends instead")
    ap.add_argument("--passages", type=int, default=512, help="passages embedded per backend with --backends")
    ap.add_argument("--phase", choices=["index", "query", "reopen"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    if args.backends:
        rows = compare_backends(args.passages)
        print(table(rows, [("backend", "backend"), ("passages_per_s", "passages/s"), ("passages_per_cpu_s", "passages/CPU-s"),
                           ("hit5", "dense hit@5"), ("cos_to_fp32", "min cosine to fp32")]))
        if args.json:
            args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0

    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.phase:  # a child process: one size, one phase, one JSON line out
        size = sizes[0]
        work = args.work / f"n{size}"
        work.mkdir(parents=True, exist_ok=True)
        if args.phase == "index":
            row = index_size(size, work, args.chroma_url, args.embed_limit, args.work / "pool.npy")
        elif args.phase == "query":
            row = query_size(size, work, args.chroma_url, args.questions)
        else:
            row = reopen_size(size, work, args.chroma_url)
        print(json.dumps(row))
        return 0

    own_work = args.work is None
    args.work = args.work or Path(tempfile.mkdtemp(prefix="plan-assistant-scale-"))
    rows = []
    started, load_before = time.perf_counter(), f"{os.getloadavg()[0]:.1f}"
    try:
        for size in sizes:
            t = time.perf_counter()
            row = {**_child("index", size, args), **_child("query", size, args), **_child("reopen", size, args)}
            rows.append(row)
            print(f"{size}: done in {time.perf_counter() - t:.0f}s: {json.dumps(row)}", file=sys.stderr, flush=True)
    finally:
        if own_work:
            shutil.rmtree(args.work, ignore_errors=True)
    print(table(rows))
    print()
    print(growth(rows))
    print(f"load average before/after: {load_before} / {os.getloadavg()[0]:.1f} (other work inflates wall times; CPU columns less so)")
    print(f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset: threads spin while waiting)')}")
    print(f"bench runtime: {time.perf_counter() - started:.0f}s on {os.cpu_count()} cores"
          + (f", Chroma server {args.chroma_url}" if args.chroma_url else ", embedded Chroma"))
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
