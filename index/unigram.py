"""SentencePiece-Unigram tokenizing in pure Python: a new process's question ids without parsing tokenizer.json.

`tokenizers.Tokenizer.from_file` spends ~0.9 s of every new process, holding the GIL, building its Unigram
lattice tables from tokenizer.json's 250k pieces. A question is a few dozen characters: Viterbi over them in
Python takes well under a millisecond, on a piece table read from a cache file in ~0.05 s. This reproduces, for
the one shape the converted e5 has (a Sequence of Replace and NFKC normalizers, the Metaspace pre-tokenizer,
a Unigram model, `<s> $A </s>`), what tokenizers' Rust code does step by step; a text it cannot vouch for (an
added token such as "<mask>" written in it, a character this Python's Unicode tables do not know) is left to
tokenizers (`ids` returns None). tests/index/test_unigram.py checks the ids against tokenizers on every
section and question of the test corpora.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .cache_file import read_checked, write_checked
from .settings import cache_root

__all__ = ["UNIGRAM_VERSION", "UnigramTokenizer", "load_unigram"]

# Bump when what the cache holds or how it is read changes: older files are then never read.
UNIGRAM_VERSION = 1
# tokenizers' Unigram scores a character no piece covers as the lowest piece score minus this (kUnkPenalty).
_UNK_PENALTY = 10.0
_METASPACE = "\u2581"


@dataclass(frozen=True)
class _Spec:
    """What tokenizer.json says, reduced to the parts this module runs; plain data, so it caches as a pickle."""

    pieces: list[str]
    scores: list[float]
    unk: int
    bos: int
    eos: int
    pad: int
    added: tuple[str, ...]  # added tokens' contents: a text holding one goes to tokenizers
    normalizer: tuple[tuple[str, str, str], ...]  # ("regex" | "string", pattern, replacement) or ("nfkc", "", "")


def _normalizer_steps(spec: dict) -> tuple[tuple[str, str, str], ...] | None:
    steps = spec.get("normalizers") if spec.get("type") == "Sequence" else [spec]
    out = []
    for step in steps or []:
        kind = step.get("type")
        if kind == "NFKC":
            out.append(("nfkc", "", ""))
        elif kind == "Replace" and isinstance(step.get("pattern"), dict) and len(step["pattern"]) == 1:
            (how, pattern), = step["pattern"].items()
            if how not in ("Regex", "String") or not isinstance(step.get("content"), str):
                return None
            out.append((how.lower(), pattern, step["content"]))
        else:
            return None
    return tuple(out)


def _spec(path: Path) -> _Spec | None:
    """The parts of tokenizer.json this module reproduces, or None when the file has any other shape."""
    data = json.loads(path.read_text(encoding="utf-8"))
    model, pre, post = data.get("model") or {}, data.get("pre_tokenizer") or {}, data.get("post_processor") or {}
    if model.get("type") != "Unigram" or model.get("byte_fallback") or not isinstance(model.get("unk_id"), int):
        return None
    if pre != {"type": "Metaspace", "replacement": _METASPACE, "prepend_scheme": "always", "split": True}:
        return None
    normalizer = _normalizer_steps(data.get("normalizer") or {"type": "Sequence", "normalizers": []})
    if normalizer is None:
        return None
    pieces = [p for p, _ in model["vocab"]]
    ids = {p: i for i, p in enumerate(pieces)}
    single = post.get("single") if post.get("type") == "TemplateProcessing" else None
    if not single or len(single) != 3 or "Sequence" not in single[1]:
        return None
    bos, eos = (single[0].get("SpecialToken", {}).get("id"), single[2].get("SpecialToken", {}).get("id"))
    if bos not in ids or eos not in ids or "<pad>" not in ids:
        return None
    added = data.get("added_tokens") or []
    if any(t.get("id") != ids.get(t.get("content")) for t in added):  # an added token outside the vocabulary
        return None
    return _Spec(
        pieces=pieces, scores=[float(s) for _, s in model["vocab"]], unk=model["unk_id"], bos=ids[bos], eos=ids[eos],
        pad=ids["<pad>"], added=tuple(t["content"] for t in added), normalizer=normalizer,
    )


class UnigramTokenizer:
    """`ids(text)`: the token ids tokenizers gives `text` (with <s> … </s>), or None when it must be asked."""

    def __init__(self, spec: _Spec) -> None:
        self.spec = spec
        self.pad = spec.pad
        self._index = {piece: i for i, piece in enumerate(spec.pieces)}
        self._scores = spec.scores
        self._unk_score = min(spec.scores) - _UNK_PENALTY
        self._longest = max(len(p) for p in spec.pieces)
        self._normalize = [self._step(*step) for step in spec.normalizer]

    @staticmethod
    def _step(kind: str, pattern: str, content: str) -> Callable[[str], str]:
        if kind == "nfkc":
            return lambda text: unicodedata.normalize("NFKC", text)
        if kind == "string":
            return lambda text: text.replace(pattern, content)
        compiled = re.compile(pattern)
        return lambda text: compiled.sub(lambda _: content, text)  # the content literally, as onig's replace

    def _vouched(self, text: str) -> bool:
        # An added token is cut out before normalizing (tokenizers' AddedVocabulary); a character unassigned in
        # this Python's Unicode tables may normalize otherwise in tokenizers' newer ones.
        if any(token in text for token in self.spec.added):
            return False
        return not any(unicodedata.category(ch) == "Cn" for ch in text)

    def _words(self, text: str) -> list[str]:
        """Normalizers in order, then Metaspace: spaces become ▁, one ▁ in front, split before each ▁."""
        for step in self._normalize:
            text = step(text)
        if not text:
            return []
        text = text.replace(" ", _METASPACE)
        if not text.startswith(_METASPACE):
            text = _METASPACE + text
        words, start = [], 0
        for i in range(1, len(text)):
            if text[i] == _METASPACE:
                words.append(text[start:i])
                start = i
        words.append(text[start:])
        return words

    def _viterbi(self, word: str) -> list[int]:
        """tokenizers' Unigram.encode_optimized: the best-scoring split, pieces tried shortest first at each start,
        a strictly better score replacing; a character no piece covers is <unk>, and runs of them fuse."""
        n, index, scores = len(word), self._index, self._scores
        best = [0.0] * (n + 1)
        start_of = [-1] * (n + 1)
        piece_of = [0] * (n + 1)
        start_of[0] = 0
        for s in range(n):
            here = best[s]
            single = False
            for e in range(s + 1, min(n, s + self._longest) + 1):
                i = index.get(word[s:e])
                if i is None:
                    continue
                score = here + scores[i]
                if start_of[e] < 0 or score > best[e]:
                    best[e], start_of[e], piece_of[e] = score, s, i
                single = single or e == s + 1
            if not single:
                score = here + self._unk_score
                if start_of[s + 1] < 0 or score > best[s + 1]:
                    best[s + 1], start_of[s + 1], piece_of[s + 1] = score, s, self.spec.unk
        out: list[int] = []
        end, fused_unk = n, False
        while end > 0:
            i = piece_of[end]
            # Consecutive <unk> pieces fuse into one token, whose text is in no piece: <unk> again.
            if not (i == self.spec.unk and fused_unk):
                out.append(i)
            fused_unk = i == self.spec.unk
            end = start_of[end]
        out.reverse()
        return out

    def ids(self, text: str, max_length: int) -> list[int] | None:
        """<s>, the text's pieces (cut to max_length - 2, as tokenizers truncates), </s>; None: ask tokenizers."""
        if not self._vouched(text):
            return None
        pieces = [i for word in self._words(text) for i in self._viterbi(word)]
        return [self.spec.bos, *pieces[: max(max_length - 2, 0)], self.spec.eos]


_lock = threading.Lock()
_loaded: dict[Path, UnigramTokenizer | None] = {}


def _cache_path(tokenizer_json: Path) -> Path:
    digest = hashlib.sha256(tokenizer_json.read_bytes()).hexdigest()[:32]
    return cache_root() / "dictionary" / f"unigram-v{UNIGRAM_VERSION}-{digest}.pickle"


def load_unigram(tokenizer_json: Path) -> UnigramTokenizer | None:
    """The tokenizer of this tokenizer.json (its pieces cached by the file's hash), or None for another shape."""
    tokenizer_json = tokenizer_json.resolve()
    with _lock:
        if tokenizer_json not in _loaded:
            path = _cache_path(tokenizer_json)
            got = read_checked(path, "unigram pieces")
            if isinstance(got, tuple) and len(got) == len(_Spec.__dataclass_fields__):
                spec: _Spec | None = _Spec(*got)
            else:
                spec = _spec(tokenizer_json)
                if spec is not None:
                    write_checked(path, tuple(getattr(spec, f) for f in _Spec.__dataclass_fields__), "unigram pieces")
            _loaded[tokenizer_json] = UnigramTokenizer(spec) if spec is not None else None
        return _loaded[tokenizer_json]
