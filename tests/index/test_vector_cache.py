"""The answerer's sentence vectors on disk: embedded once, read by the next process; damage costs re-embedding only."""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from index import vector_cache
from index.embedder import embed_passages
from index.vector_cache import VectorCache

TEXTS = ["组建十大诺贝尔奖科学家实验室：柔性引进10名以上诺贝尔奖科学家。", "深圳国家基因库：建设国家基因库二期。", "创客空间"]


class Counting:
    """The real model's passage vectors, counting how many texts it was asked to embed."""

    def __init__(self, model) -> None:
        self.model = model
        self.texts: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return embed_passages(self.model, texts)


@pytest.mark.slow
def test_embedded_once_then_read_by_the_next_process(model, tmp_path: Path) -> None:
    first = Counting(model)
    got = VectorCache(tmp_path, "m").embed(TEXTS, first)
    np.testing.assert_array_equal(got, embed_passages(model, TEXTS))
    assert first.texts == TEXTS
    again = Counting(model)
    cache = VectorCache(tmp_path, "m")  # as a new process would
    np.testing.assert_array_equal(cache.embed(TEXTS[::-1], again), got[::-1])
    assert again.texts == []
    more = cache.embed([TEXTS[0], "新的一句话。"], again)
    assert again.texts == ["新的一句话。"]  # only what no process embedded before
    np.testing.assert_array_equal(more[0], got[0])


@pytest.mark.slow
def test_another_model_or_precision_is_another_cache(model, tmp_path: Path) -> None:
    VectorCache(tmp_path, "model-a|fp32").embed(TEXTS, Counting(model))
    other = Counting(model)
    VectorCache(tmp_path, "model-a|int8").embed(TEXTS, other)
    assert other.texts == TEXTS
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 2  # one folder per key


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage"])
def test_damaged_segment_is_dropped_and_embedded_again(model, tmp_path: Path, caplog, damage: str) -> None:
    VectorCache(tmp_path, "m").embed(TEXTS, Counting(model))
    (segment,) = tmp_path.glob("*/*.npz")
    data = bytearray(segment.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01  # inside the vectors: the zip's CRC catches it
    elif damage == "truncate":
        del data[len(data) // 2 :]
    else:
        data = bytearray(b"garbage")
    segment.write_bytes(bytes(data))
    again = Counting(model)
    with caplog.at_level(logging.WARNING, logger="index.vector_cache"):
        got = VectorCache(tmp_path, "m").embed(TEXTS, again)
    assert again.texts == TEXTS
    assert "damaged" in caplog.text and not segment.exists()
    np.testing.assert_array_equal(got, embed_passages(model, TEXTS))


@pytest.mark.slow
def test_segments_are_merged(model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vector_cache, "MAX_SEGMENTS", 2)
    for i, text in enumerate(TEXTS):
        VectorCache(tmp_path, "m").embed([text], Counting(model))  # one process per text: one segment each
    assert len(list(tmp_path.glob("*/*.npz"))) <= 2
    counting = Counting(model)
    VectorCache(tmp_path, "m").embed(TEXTS, counting)
    assert counting.texts == []


def test_unwritable_cache_still_embeds(tmp_path: Path, caplog) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING, logger="index.vector_cache"):
        got = VectorCache(blocker, "m").embed(["a", "b"], lambda texts: np.ones((len(texts), 4), np.float32))
    assert got.shape == (2, 4)
    assert "cannot cache vectors" in caplog.text


@pytest.mark.slow
def test_answers_read_the_sentence_vectors_a_process_left(settings, plan_index, monkeypatch: pytest.MonkeyPatch) -> None:
    """An answerer over another PlanIndex of the same home (a new process's view) embeds none of the sentences
    an earlier answer scored, and answers the same."""
    from assistant import PlanAssistant
    from index import PlanIndex
    from index import plan_index as plan_index_module

    question = "深圳计划柔性引进多少名诺贝尔奖科学家？"
    first = PlanAssistant(plan_index).ask(question)
    fresh = PlanIndex.open(settings, preload=False)
    calls: list[list[str]] = []
    real = plan_index_module.embed_passages
    monkeypatch.setattr(plan_index_module, "embed_passages", lambda model, texts: calls.append(list(texts)) or real(model, texts))
    again = PlanAssistant(fresh).ask(question)
    assert calls == []
    assert again.text == first.text and again.citations == first.citations
