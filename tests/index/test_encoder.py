"""index/encoder.py against sentence-transformers on the same converted folder: the same vectors, bit for bit."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.embedder import embed_passages, embed_queries, load_embedder, model_identity
from index.encoder import E5Encoder, supported
from index.model_cache import ensure_model

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "index" / "plans" / "shenzhen-sti-13th-five-year-plan-E.txt"


def _texts() -> list[str]:
    lines = [line.strip() for line in PLAN.read_text(encoding="utf-8").splitlines() if line.strip()]
    odd = [
        "  leading and trailing spaces  ",
        "Hello world",
        "２０１６～２０２０年，ＰＭ２.５浓度下降１５％。",
        "深圳" * 700,  # past 512 tokens: truncated
        "",
    ]
    return lines[::12] + odd  # 15 plan lines of all lengths: two padded batches, one truncated text


@pytest.fixture(scope="module")
def folder() -> Path:
    return ensure_model()  # the shared converted model (conftest's `model` loads it too)


@pytest.fixture(scope="module")
def reference(folder: Path):
    return load_embedder(cache_dir=folder, runtime="sentence-transformers")


@pytest.fixture(scope="module")
def fast(folder: Path):
    return load_embedder(cache_dir=folder, runtime="torch")


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_same_vectors_as_sentence_transformers(folder: Path, reference, fast, precision: str) -> None:
    """Every vector equal to the last bit, queries and passages, short, padded and truncated texts alike."""
    assert isinstance(fast, E5Encoder) and not isinstance(reference, E5Encoder)
    # bf16 is emulated (slowly) where the CPU lacks it: a short sample is enough to compare the two there.
    texts = _texts() if precision == "fp32" else _texts()[:12]
    for model in (reference, fast):
        model.plan_assistant_precision = precision  # what load_embedder(precision=...) sets
    try:
        for embed in (embed_queries, embed_passages):
            np.testing.assert_array_equal(embed(fast, texts), embed(reference, texts))
    finally:
        for model in (reference, fast):
            model.plan_assistant_precision = "fp32"


@pytest.fixture(scope="module")
def numpy_only(folder: Path):
    return load_embedder(cache_dir=folder, runtime="numpy")


@pytest.mark.slow
def test_numpy_engine_gives_the_torch_vectors(fast, numpy_only) -> None:
    """index/encoder_numpy.py runs the same float32 operations as the torch pass: every component within 1e-6,
    queries and passages, short, padded and truncated texts alike (float32 sums in another order differ ~1e-7)."""
    assert numpy_only.engine == "numpy"
    texts = _texts()
    for embed in (embed_queries, embed_passages):
        for batch in (texts[:1], texts[-5:], texts):  # one text (no padding), a padded batch with "", all
            ours, torch_vectors = embed(numpy_only, batch), embed(fast, batch)
            assert ours.dtype == np.float32 and ours.shape == torch_vectors.shape
            np.testing.assert_allclose(ours, torch_vectors, atol=1e-6, rtol=0)
            np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-6)


@pytest.mark.slow
def test_auto_engine_runs_questions_on_numpy_and_long_batches_on_torch(folder: Path) -> None:
    from index.encoder import NUMPY_BEFORE_TORCH_TOKENS, NUMPY_MAX_TOKENS

    auto = load_embedder(cache_dir=folder, runtime="auto")
    assert auto.engine == "auto" and auto._torch_model is None  # torch is not even built until a batch needs it
    assert auto.engine_for(NUMPY_MAX_TOKENS) == "numpy"
    assert auto.engine_for(NUMPY_BEFORE_TORCH_TOKENS) == "numpy"  # before torch is loaded: cheaper than loading it
    assert auto.engine_for(NUMPY_BEFORE_TORCH_TOKENS + 1) == "torch"
    embed_queries(auto, ["深圳"])
    assert auto._torch_model is None
    embed_passages(auto, _texts())  # 15 lines and a truncated text: past NUMPY_BEFORE_TORCH_TOKENS, on torch
    assert auto._torch_model is not None
    assert auto.engine_for(NUMPY_MAX_TOKENS) == "numpy" and auto.engine_for(NUMPY_MAX_TOKENS + 1) == "torch"
    auto.plan_assistant_precision = "bf16"  # bf16 and int8 are torch's
    try:
        assert auto.engine_for(1) == "torch"
    finally:
        auto.plan_assistant_precision = "fp32"


@pytest.mark.slow
def test_int8_matches_sentence_transformers_int8(folder: Path) -> None:
    texts = _texts()[:12]
    ours = load_embedder(cache_dir=folder, precision="int8", runtime="torch")
    theirs = load_embedder(cache_dir=folder, precision="int8", runtime="sentence-transformers")
    assert isinstance(ours, E5Encoder)
    cos = (embed_passages(ours, texts) * embed_passages(theirs, texts)).sum(axis=1)
    assert cos.min() >= 0.9999
    assert model_identity(ours) == model_identity(theirs)


@pytest.mark.slow
def test_same_identity_and_shape(reference, fast) -> None:
    assert model_identity(fast) == model_identity(reference)
    assert fast.get_embedding_dimension() == reference.get_embedding_dimension() == 384
    assert fast.max_seq_length == reference.max_seq_length == 512
    assert fast.prompts == {"query": "query: ", "document": "passage: "}
    assert embed_queries(fast, []).shape == (0, 384)


@pytest.mark.slow
def test_other_shapes_go_to_sentence_transformers(folder: Path, tmp_path: Path) -> None:
    """A folder this runtime does not know is refused by `supported`, and a PLAN_ASSISTANT_MODEL folder is always
    run by sentence-transformers, whatever the runtime setting."""
    assert supported(folder) is None
    custom = tmp_path / "cls-pooled"
    shutil.copytree(folder, custom, copy_function=os.link)
    pooling = custom / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.unlink()
    pooling.write_text(json.dumps({**config, "pooling_mode": "cls"}))
    assert "pooling" in (supported(custom) or "")
    assert not isinstance(load_embedder(custom, runtime="torch"), E5Encoder)


def test_unknown_runtime_names_the_setting() -> None:
    from index.embedder import resolve_runtime
    from index.errors import EmbedderError

    with pytest.raises(EmbedderError, match="PLAN_ASSISTANT_EMBED_RUNTIME"):
        resolve_runtime("onnx")


@pytest.mark.slow
def test_loading_imports_neither_transformers_nor_sentence_transformers(folder: Path) -> None:
    """The default runtime embeds a question without importing torch, transformers or sentence-transformers."""
    code = (
        "import sys, json; from index.embedder_cache import get_embedder; from index.embedder import embed_queries;"
        "m = get_embedder(None); v = embed_queries(m, ['深圳', '深圳计划柔性引进多少名诺贝尔奖科学家？']);"
        "print(json.dumps([type(m).__name__, sorted(n for n in sys.modules if n.split('.')[0] in"
        " ('transformers', 'sentence_transformers', 'sklearn', 'torch'))]))"
    )
    env = {**os.environ, "PLAN_ASSISTANT_MODEL_CACHE": str(folder)}
    env.pop("PLAN_ASSISTANT_EMBED_RUNTIME", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    kind, heavy = json.loads(out.stdout.strip().splitlines()[-1])
    assert kind == "E5Encoder" and heavy == []
