"""Faults: killed builds, corrupt or lost index files, a broken model cache, two writers, a failing LLM."""
from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from index import CorruptIndexError, PlanIndex
from index.generations import Generations
from index.health import vector_segments
from index.records import embedding_units
from index.store import PlanEmbeddingFunction, release_embedded

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parent.parent / "data"
SMALL_PLAN = DATA / "plans" / "chapters.txt"
EXE = str(Path(sys.executable).parent / "plan-assistant")


def cn_numeral(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def synthetic_plan(path: Path, sections: int) -> Path:
    """A plan of about `sections` one-sentence sections (chapters of 2 projects x 10 items): one vector each."""
    lines = ["某市测试规划", ""]
    for c in range(1, sections // 23 + 2):
        lines += [f"{cn_numeral(c)}、第{c}领域发展", f"推进第{c}领域的整体建设。", ""]
        for p in (1, 2):
            lines += [f"（{cn_numeral(p)}）第{c}领域第{p}项工程", f"实施第{c}领域第{p}项工程。", ""]
            lines += [f"{i}. 第{c}领域第{p}工程第{i}项任务，建设{c * 100 + p * 10 + i}个服务平台。" for i in range(1, 11)]
            lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAN_ASSISTANT_")}
    return {**env, "PLAN_ASSISTANT_HOME": str(home), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", **extra}


def records_of(chroma_dir: Path, plan: str) -> int:
    """Section records of `plan` as the database holds them now (read-only, while another process writes)."""
    try:
        con = sqlite3.connect(f"file:{chroma_dir / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute(
                "SELECT count(*) FROM embedding_metadata WHERE key = 'plan' AND string_value = ?", (plan,)
            ).fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def staged_records(settings, plan: str) -> int:
    """Records of `plan` in the generation a build is writing (not yet published)."""
    return sum(records_of(path, plan) for path in Generations(settings.chroma_dir).stagings())


def holds_lock(pid: int, lock_file: Path) -> bool:
    """Whether process `pid` holds a flock on lock_file (Linux /proc/locks)."""
    try:
        inode = lock_file.stat().st_ino
    except OSError:
        return False
    for line in Path("/proc/locks").read_text().splitlines():
        cols = line.split()
        if len(cols) > 5 and cols[4] == str(pid) and cols[5].rsplit(":", 1)[-1] == str(inode):
            return True
    return False


def wait_for(condition, proc: subprocess.Popen, what: str, timeout: float = 600) -> None:
    started = time.monotonic()
    while not condition():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the process ended (rc {proc.returncode}) before {what}:\n{out}\n{err}")
        if time.monotonic() - started > timeout:
            proc.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def vectors(idx: PlanIndex) -> int:
    """How many records a whole index of the loaded plans holds (sections may have sentence vectors too)."""
    return sum(len(embedding_units(p)) for p in idx.loaded_plans().values())


def answers_from_every_vector(idx: PlanIndex) -> bool:
    """Whether the HNSW index returns every stored record for a query asking for all of them."""
    n = idx.collection.count()
    probe = idx.collection.get(limit=1, include=["embeddings"])["embeddings"][0]
    return len(idx.collection.query(query_embeddings=[list(probe)], n_results=n, include=[])["ids"][0]) == n


def reopen(settings) -> PlanIndex:
    """A PlanIndex that reads what is on disk now, not this process's cached Chroma system."""
    release_embedded(settings.chroma_dir)
    return PlanIndex.open(settings, build=False)


@pytest.fixture
def small_index(fresh_settings, model):
    idx = PlanIndex(fresh_settings)
    idx.build([SMALL_PLAN])
    return idx


# --------------------------------------------------------------------------- interrupted builds


def test_build_killed_midway_keeps_previous_index_and_next_run_repairs(small_index, fresh_settings, run_cli, tmp_path):
    from index.building import EMBED_BATCH

    small_ids = {s.id for s in small_index.sections()}
    big = synthetic_plan(tmp_path / "big.txt", EMBED_BATCH + 60)  # at least two write batches
    env = cli_env(fresh_settings.home)
    proc = subprocess.Popen([EXE, "index", "--plan", str(big)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Kill -9 once the first batch of vectors is written and before the plan is registered.
    wait_for(lambda: staged_records(fresh_settings, "big") > 0, proc, "the first batch was written")
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    after = reopen(fresh_settings)  # the half-written plan is in an unpublished generation: never read
    assert after.plan_names() == ["chapters"]
    assert after.collection.count() == vectors(after)
    assert staged_records(fresh_settings, "big") > 0, "the kill should have left half-written records"

    # Search still works on the previous content and never serves the half-written plan.
    out = run_cli("search", "第3领域第2工程第5项任务", "--k", "10", "--json", env=env)
    assert out.returncode == 0, out.stderr
    ids = {r["id"] for r in json.loads(out.stdout)["results"]}
    assert ids and ids <= small_ids

    # The next run resumes (finished batches are kept) and leaves a whole, consistent index.
    out = run_cli("index", "--plan", str(big), env=env)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    kept = int(out.stdout.split(" embedded, ")[1].split(" unchanged")[0])
    assert kept > 0
    repaired = reopen(fresh_settings)
    assert repaired.plan_names() == ["big", "chapters"]
    assert repaired.collection.count() == vectors(repaired)
    hits = repaired.search("第3领域第2工程第5项任务", k=5)
    assert any(h.section.plan == "big" and h.section.id == "三(二)5" for h in hits)


class _Killed(BaseException):
    """Stands for the process dying right before the plan's registry record is written."""


def _build_dies_before_registry(idx: PlanIndex, monkeypatch, plan: Path) -> None:
    real = PlanIndex.registry.fget

    class DyingRegistry:
        def __init__(self, col):
            self._col = col

        def __getattr__(self, name):
            return getattr(self._col, name)

        def upsert(self, *args, **kwargs):
            raise _Killed()

    with monkeypatch.context() as m:
        m.setattr(PlanIndex, "registry", property(lambda self: DyingRegistry(real(self))))
        with pytest.raises(_Killed):
            idx.build([plan])


def test_half_written_records_are_never_served(small_index, fresh_settings, monkeypatch, tmp_path):
    trap = DATA / "plans" / "trap.txt"
    _build_dies_before_registry(small_index, monkeypatch, trap)
    idx = PlanIndex.open(fresh_settings, build=False)
    assert idx.plan_names() == ["chapters"]
    assert idx.collection.count() == vectors(idx)  # the published index holds none of the dead build's vectors:
    assert staged_records(fresh_settings, "trap") > 0  # they wait in its unpublished generation
    hits = idx.search("专栏", k=18)
    assert hits and {h.section.plan for h in hits} == {"chapters"}
    # Building another plan starts from a fresh copy (the dead build's generation goes); building the dead plan
    # again continues in its generation.
    idx.build([DATA / "plans" / "box_last.txt"])
    assert staged_records(fresh_settings, "trap") == 0
    assert idx.collection.count() == vectors(idx)
    _build_dies_before_registry(idx, monkeypatch, trap)
    report = idx.build([trap])
    assert report.plans["trap"]["embedded"] == 0  # the vectors written before the "kill" are reused
    assert PlanIndex.open(fresh_settings, build=False).collection.count() == vectors(idx)


def test_update_killed_before_registry_leaves_the_published_index_whole(small_index, fresh_settings, monkeypatch, tmp_path):
    plan = tmp_path / "chapters.txt"
    plan.write_text(SMALL_PLAN.read_text(encoding="utf-8").replace("建成一批实验室", "建成两批实验室"), encoding="utf-8")
    small_index.remove("chapters")
    small_index.build([plan])
    plan.write_text(plan.read_text(encoding="utf-8").replace("两批", "三批"), encoding="utf-8")
    _build_dies_before_registry(small_index, monkeypatch, plan)
    # The update died before it was published: readers keep the old text with its own vectors, never a mix.
    idx = PlanIndex.open(fresh_settings, build=False)
    section = idx.get("第一章第一节一(一)1")
    assert "两批" in section.text
    assert idx.search("建成两批实验室", k=1, retriever="dense")[0].section.id == section.id
    small_index.build([plan])
    repaired = PlanIndex.open(fresh_settings, build=False)
    assert "三批" in repaired.get("第一章第一节一(一)1").text


# --------------------------------------------------------------------------- damaged index files


def test_corrupt_sqlite_through_the_cli_names_rebuild_and_rebuild_repairs(small_index, fresh_settings, run_cli):
    env = cli_env(fresh_settings.home)
    db = fresh_settings.chroma_dir / "chroma.sqlite3"
    release_embedded(fresh_settings.chroma_dir)
    for content in (b"", b"not a database " * 100):
        db.write_bytes(content)
        out = run_cli("search", "实验室", env=env)
        assert out.returncode == 2, out.stderr
        assert "--rebuild" in out.stderr and "Traceback" not in out.stderr
    out = run_cli("index", "--rebuild", "--plan", str(SMALL_PLAN), env=env)
    assert out.returncode == 0, out.stderr
    assert reopen(fresh_settings).search("实验室", k=1)[0].section.plan == "chapters"


def test_deleted_hnsw_folder_is_detected_with_a_way_out(fresh_settings, model, run_cli):
    # Chroma flushes a collection's HNSW folder after `sync_threshold` writes; a low threshold makes the
    # small plan's segment a flushed one, as a real plan of a few thousand sections would be.
    idx = PlanIndex(fresh_settings)
    idx.client.create_collection(
        fresh_settings.collection,
        embedding_function=PlanEmbeddingFunction(None, idx.identity),
        configuration={"hnsw": {"space": "cosine", "sync_threshold": 4, "batch_size": 4}},
    )
    idx.build([SMALL_PLAN])
    seg = next(s for s in vector_segments(fresh_settings.chroma_dir) if s.collection == fresh_settings.collection)
    assert seg.flushed_seq > 0
    release_embedded(fresh_settings.chroma_dir)
    shutil.rmtree(seg.folder(fresh_settings.chroma_dir))
    with pytest.raises(CorruptIndexError, match="--rebuild"):
        PlanIndex.open(fresh_settings, build=False)
    # Why: Chroma alone reopens it silently, recreates the folder, and answers from the few vectors left in its log.
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    raw = chromadb.PersistentClient(path=str(fresh_settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False))
    col = raw.get_collection(fresh_settings.collection)
    n = col.count()
    assert len(col.query(query_embeddings=[[0.05] * 384], n_results=n, include=[])["ids"][0]) < n
    release_embedded(fresh_settings.chroma_dir)
    assert seg.folder(fresh_settings.chroma_dir).is_dir()  # "healed" into an incomplete index: still refused
    with pytest.raises(CorruptIndexError, match="--rebuild"):
        PlanIndex.open(fresh_settings, build=False)
    out = run_cli("search", "实验室", env=cli_env(fresh_settings.home))
    assert out.returncode == 2 and "--rebuild" in out.stderr and "Traceback" not in out.stderr
    PlanIndex.wipe(fresh_settings)
    PlanIndex(fresh_settings).build([SMALL_PLAN])
    assert answers_from_every_vector(PlanIndex.open(fresh_settings, build=False))


def test_deleted_unflushed_hnsw_folder_is_rebuilt_by_chroma(small_index, fresh_settings):
    """A segment never flushed still has every vector in Chroma's log: Chroma rebuilds it, nothing is lost."""
    seg = next(s for s in vector_segments(fresh_settings.chroma_dir) if s.collection == fresh_settings.collection)
    assert seg.flushed_seq == 0
    release_embedded(fresh_settings.chroma_dir)
    shutil.rmtree(seg.folder(fresh_settings.chroma_dir), ignore_errors=True)
    assert answers_from_every_vector(PlanIndex.open(fresh_settings, build=False))


def _flip_word_embedding_bytes(weights: Path, count: int = 4096) -> None:
    """Replace `weights` by a copy whose word-embedding table has `count` low mantissa bytes flipped: the file
    stays a valid safetensors file of the same size, and every value stays a finite float."""
    import struct

    data = bytearray(weights.read_bytes())
    header_len = struct.unpack_from("<Q", data)[0]
    header = json.loads(data[8 : 8 + header_len])
    begin, end = header["embeddings.word_embeddings.weight"]["data_offsets"]
    start = 8 + header_len + (begin + end) // 2 // 4 * 4
    for i in range(count):
        data[start + 4 * i] ^= 0x5A  # byte 0 of a little-endian float32: the lowest mantissa bits
    weights.unlink()  # a hard link to the shared cache: replace it, never write into it
    weights.write_bytes(bytes(data))


def test_tampered_model_cache_is_detected_and_reconverted_through_the_cli(model, plan_index, run_cli, tmp_path):
    from safetensors import safe_open

    from index.model_cache import MARKER_NAME, cache_problem, default_cache_dir, weights_problem

    shared = default_cache_dir()
    assert cache_problem(shared) is None
    shared_weights = (shared / "model.safetensors").stat()
    cache = tmp_path / "model"

    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)  # no second 470 MB copy; the tampering below replaces files, never writes into them
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(shared, cache, copy_function=link_or_copy)
    weights = cache / "model.safetensors"
    assert weights_problem(cache) is None
    _flip_word_embedding_bytes(weights)
    assert cache_problem(cache) is None  # passes the cheap checks (sizes, marker) ...
    with safe_open(str(weights), "np") as fh:  # ... and still loads: nothing but the digest can tell
        table = fh.get_tensor("embeddings.word_embeddings.weight")
        assert table.shape[1] == 384 and bool(np.isfinite(table).all())
    assert "sha256" in (weights_problem(cache) or "")

    out = run_cli("search", "深圳国家基因库", "--k", "3", "--json", env={"PLAN_ASSISTANT_MODEL_CACHE": str(cache)})
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert "damaged" in out.stderr and "reconverting" in out.stderr  # it says what it found and what it did
    assert {r["id"] for r in json.loads(out.stdout)["results"]} & {"五(一)1", "专栏11.1"}
    assert cache_problem(cache) is None and weights_problem(cache) is None and (cache / MARKER_NAME).is_file()
    assert (cache / "model.safetensors").stat().st_ino != shared_weights.st_ino
    assert (shared / "model.safetensors").stat().st_mtime == shared_weights.st_mtime  # the shared cache untouched


# --------------------------------------------------------------------------- two writers


def test_two_concurrent_indexers_do_not_corrupt_the_index(fresh_settings, model, tmp_path):
    plan = synthetic_plan(tmp_path / "plan.txt", 400)  # the lock is held long enough for the second to reach it
    # An empty vector cache: vectors of an earlier test's identical plan would make the first indexer finish at once.
    env = cli_env(fresh_settings.home, PLAN_ASSISTANT_CACHE_DIR=str(tmp_path / "cache"))
    lock_file = Path(fresh_settings.home) / "index.lock"
    first = subprocess.Popen([EXE, "index", "--plan", str(plan)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: holds_lock(first.pid, lock_file), first, "the first indexer took the lock")
        second = subprocess.run([EXE, "index", "--plan", str(plan)], env=env, capture_output=True, text=True, timeout=600)
        out, err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    assert second.returncode == 2, second.stderr
    assert "Another plan-assistant process is indexing" in second.stderr and "Traceback" not in second.stderr
    idx = reopen(fresh_settings)  # check() passes
    assert idx.plan_names() == ["plan"]
    assert idx.collection.count() == vectors(idx) and len(idx.sections()) > 100


# --------------------------------------------------------------------------- a failing LLM


class _LLMHandler(http.server.BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that misbehaves as `behaviour` says."""

    behaviour = "garbage"
    delay = 0.0

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        try:
            self._respond()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout): that is the point of the slow case

    def _respond(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        if self.behaviour == "slow":
            time.sleep(self.delay)
        if self.behaviour == "error":
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "internal"}}')
            return
        if self.behaviour == "garbage":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream" if body.get("stream") else "application/json")
            self.end_headers()
            self.wfile.write(b"\x00\xffthis is not JSON {{{ <html>\n\n")
            return
        # "slow": after the delay, a well-formed answer; it must arrive too late to be used.
        text = "深圳将建设国家基因库。[五(一)1]"
        if body.get("stream"):
            chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
                     "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": None}]}
            payload = f"data: {json.dumps(chunk, ensure_ascii=False)}\n\ndata: [DONE]\n\n".encode()
            ctype = "text/event-stream"
        else:
            payload = json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                                  "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                               "finish_reason": "stop"}]}).encode()
            ctype = "application/json"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def llm_server():
    """Start a misbehaving local LLM endpoint; yields a function behaviour -> base URL."""
    servers = []

    def start(behaviour: str, delay: float = 0.0) -> str:
        handler = type("Handler", (_LLMHandler,), {"behaviour": behaviour, "delay": delay})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/v1"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


# (An endpoint that is down is covered in tests/assistant/test_llm.py.)
@pytest.mark.parametrize("behaviour", ["slow", "garbage", "error"])
def test_failing_llm_falls_back_to_the_offline_answer_and_says_so(plan_index, settings, llm_server, behaviour):
    from assistant import PlanAssistant

    timeout = 2.0
    url = llm_server(behaviour, delay=4 * timeout)
    llm_settings = settings.with_(llm_base_url=url, llm_model="m", llm_api_key="sk-test-SECRET", llm_timeout=timeout)
    pa = PlanAssistant(PlanIndex(llm_settings))
    answer = pa.ask("深圳国家基因库要建成什么？", mode="llm")
    assert answer.mode == "offline-fallback"
    assert answer.citations and answer.text.strip()
    assert answer.notes and "offline" in answer.notes[0]
    assert "sk-test-SECRET" not in json.dumps(answer.to_json(), ensure_ascii=False)
