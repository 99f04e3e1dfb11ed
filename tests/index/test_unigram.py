"""index/unigram.py against tokenizers on the converted e5's tokenizer.json: the same ids for every text it takes."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from index import unigram
from index.model_cache import ensure_model

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]
MAX = 512


@pytest.fixture(scope="module")
def folder() -> Path:
    return ensure_model()


@pytest.fixture(scope="module")
def reference(folder: Path):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX, strategy="longest_first", direction="right")
    return tok


def _texts() -> list[str]:
    """Every line of the bundled plan, the seven reports and the question files, and the questions as queries."""
    files = [ROOT / "index" / "plans" / "shenzhen-sti-13th-five-year-plan-E.txt"]
    files += sorted((DATA / "corpora" / "gov-work-reports").glob("*.txt"))
    files += sorted((DATA / "eval").glob("*.yaml")) + [DATA / "questions.yaml"]
    lines = [line for f in files for line in f.read_text(encoding="utf-8").splitlines()]
    odd = [
        "", " ", "  leading and trailing  ", "a  b\t\tc\nd", "\u2581\u2581a\u2581b", "x\u200by\ufeffz",
        "２０１６～２０２０年，ＰＭ２.５浓度下降１５％。", "～🈻", "ﬁ ① ㈱ ¼ e\u0301", "\x01\x07control",
        "𠀀𠀁𠀂 rare han", "🙂🙃 emoji", "深圳" * 700,  # past 512 tokens: truncated
    ]
    return lines + ["query: " + line for line in lines if "？" in line or "?" in line] + odd


def test_same_ids_as_tokenizers(folder: Path, reference) -> None:
    """Over ~10k texts (Chinese, English, full-width, controls, rare and unknown characters, a truncated one), the
    ids equal tokenizers' own: the cached piece table stands in for tokenizer.json without changing a vector."""
    tok = unigram.load_unigram(folder / "tokenizer.json")
    assert tok is not None
    texts = _texts()
    assert len(texts) > 9_000
    differ = [t for t in texts if tok.ids(t, MAX) != reference.encode(t).ids]
    assert not differ, differ[:5]


def test_added_tokens_are_left_to_tokenizers(folder: Path) -> None:
    tok = unigram.load_unigram(folder / "tokenizer.json")
    assert tok.ids("what is <mask> here", MAX) is None
    assert tok.ids("<s>", MAX) is None
    assert tok.ids("s mask", MAX) is not None


def test_pieces_are_read_from_the_cache_then(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first load parses tokenizer.json and writes the cache; a new process reads the cache alone; a damaged
    cache is parsed again."""
    monkeypatch.setenv("PLAN_ASSISTANT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(unigram, "_loaded", {})
    first = unigram.load_unigram(folder / "tokenizer.json")
    [cached] = (tmp_path / "dictionary").glob("unigram-*.pickle")

    monkeypatch.setattr(unigram, "_loaded", {})
    monkeypatch.setattr(unigram, "_spec", lambda path: pytest.fail("parsed tokenizer.json again"))
    again = unigram.load_unigram(folder / "tokenizer.json")
    assert again.ids("深圳的科技创新", MAX) == first.ids("深圳的科技创新", MAX)

    cached.write_bytes(cached.read_bytes()[:-10])
    monkeypatch.undo()
    monkeypatch.setenv("PLAN_ASSISTANT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(unigram, "_loaded", {})
    assert unigram.load_unigram(folder / "tokenizer.json").ids("深圳", MAX) == first.ids("深圳", MAX)


def test_another_tokenizer_shape_loads_tokenizers(folder: Path, tmp_path: Path) -> None:
    """A tokenizer.json this module does not reproduce (here: another pre-tokenizer) gives None, and E5Encoder
    then loads tokenizers at once, as before."""
    from index.encoder import E5Encoder

    other = tmp_path / "other"
    shutil.copytree(folder, other, copy_function=os.link)
    spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    spec["pre_tokenizer"] = {"type": "Whitespace"}
    (other / "tokenizer.json").unlink()
    (other / "tokenizer.json").write_text(json.dumps(spec), encoding="utf-8")
    assert unigram.load_unigram(other / "tokenizer.json") is None
    encoder = E5Encoder(other, engine="numpy")
    assert encoder._tokenizer is not None


def test_encoder_embeds_questions_without_loading_tokenizers(folder: Path) -> None:
    """A new E5Encoder embeds questions from the piece table; with tokenizers loaded, the vectors are the same."""
    from index.embedder import embed_queries
    from index.encoder import E5Encoder

    questions = ["深圳计划柔性引进多少名诺贝尔奖科学家？", "How many Nobel laureates will Shenzhen bring in?", "那人才方面呢？"]
    encoder = E5Encoder(folder, engine="numpy")
    light = embed_queries(encoder, questions)
    assert encoder._tokenizer is None
    encoder.tokenizer  # noqa: B018 - loaded: from now on every batch goes to tokenizers
    np.testing.assert_array_equal(embed_queries(encoder, questions), light)
