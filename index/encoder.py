"""The converted e5 run on torch and tokenizers alone: SentenceTransformer's vectors without importing transformers.

Importing sentence-transformers costs a fresh process about 3 s (transformers' model registry, scikit-learn,
scipy, pandas) on top of torch's 1 s, which made every CLI call and restarted worker slow to its first answer.
The converted model is a plain XLM-RoBERTa encoder with mean pooling and L2 normalization: this module runs the
very same modules of torch (nn.Linear, nn.LayerNorm, scaled_dot_product_attention, erf GELU) in the same order,
on the weights memory-mapped from the folder's model.safetensors, tokenized by the folder's tokenizer.json.
`tests/index/test_encoder.py` checks it against SentenceTransformer on the same folder. Folders of any other
shape are loaded by sentence-transformers as before (`supported`). Questions skip torch too: `E5Encoder.engine_for`
sends short batches to the numpy pass of index/encoder_numpy.py, and builds the torch modules on first need.
"""
from __future__ import annotations

import json
import mmap
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch
    from tokenizers import Tokenizer

__all__ = ["E5Encoder", "ENGINES", "NUMPY_BEFORE_TORCH_TOKENS", "NUMPY_MAX_TOKENS", "supported"]

# "torch": index/encoder.py's torch pass (bit for bit sentence-transformers); "numpy": index/encoder_numpy.py (no
# torch import); "auto": numpy where it costs less than torch (E5Encoder.engine_for), torch for the rest.
ENGINES = ("auto", "numpy", "torch")
# `python -m bench.engines` on the 2-core machine: numpy is as fast as torch for one question (17-35 tokens, ratio
# 0.97-1.01) and slower beyond (1.35x at 2 texts of 17 tokens, 2.2x at 16 texts of 131), ~0.8 ms per token.
NUMPY_MAX_TOKENS = 40
# Before torch is loaded, numpy also runs batches of up to this many padded tokens (~0.8 s): importing torch and
# building the model costs a new process 2.5-3 s, more than numpy spends on them. Indexing goes to torch.
NUMPY_BEFORE_TORCH_TOKENS = 1024
# Batches of up to this many characters are tokenized in Python (index/unigram.py, ~7 us a character) while
# tokenizers is not loaded: 20k characters cost ~0.15 s, a sixth of loading tokenizers (~0.9 s). Longer batches
# (indexing) load tokenizers, whose Rust code is faster from then on.
UNIGRAM_MAX_CHARS = 20_000

_POOLING = "sentence_transformers.sentence_transformer.modules.pooling.Pooling"
_NORMALIZE = "sentence_transformers.base.modules.normalize.Normalize"
_TRANSFORMER = "sentence_transformers.base.modules.transformer.Transformer"
_SAFETENSORS_DTYPES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}


_threads_configured = False


def configure_torch_threads() -> None:
    """Use every available core unless the user chose a thread count via OMP/MKL_NUM_THREADS."""
    global _threads_configured
    if _threads_configured or os.environ.get("OMP_NUM_THREADS") or os.environ.get("MKL_NUM_THREADS"):
        return
    import torch

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if torch.get_num_threads() < cores:
        torch.set_num_threads(cores)
    _threads_configured = True


def bf16_supported() -> bool:
    """Whether this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX); elsewhere bf16 is emulated and slower."""
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def supported(folder: Path) -> str | None:
    """Why this runtime cannot run `folder` (then sentence-transformers loads it), or None when it can:
    an XLM-RoBERTa Transformer, mean pooling over every token, then Normalize, with safetensors weights."""
    try:
        modules = _json(folder / "modules.json")
        types = [m.get("type") for m in modules]
        if types != [_TRANSFORMER, _POOLING, _NORMALIZE] or modules[0].get("path") not in ("", "."):
            return f"modules are {types}"
        config = _json(folder / "config.json")
        if config.get("model_type") != "xlm-roberta" or config.get("hidden_act") != "gelu":
            return f"model_type {config.get('model_type')!r}, hidden_act {config.get('hidden_act')!r}"
        if config.get("position_embedding_type", "absolute") != "absolute" or config.get("is_decoder"):
            return "not an absolute-position encoder"
        pooling = _json(folder / modules[1]["path"] / "config.json")
        if pooling.get("pooling_mode") != "mean" or pooling.get("include_prompt") is False:
            return f"pooling {pooling}"
        st = _json(folder / "sentence_bert_config.json")
        if st.get("do_lower_case") or st.get("module_output_name", "token_embeddings") != "token_embeddings":
            return f"sentence_bert_config {st}"
        tokenizer = _json(folder / "tokenizer_config.json")
        if tokenizer.get("model_input_names") != ["input_ids", "attention_mask"] or tokenizer.get("padding_side", "right") != "right":
            return f"tokenizer inputs {tokenizer.get('model_input_names')}"
        for name in ("model.safetensors", "tokenizer.json", "config_sentence_transformers.json"):
            if not (folder / name).is_file():
                return f"{name} is missing"
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        return f"unreadable configuration ({exc})"
    return None


def read_safetensors(path: Path) -> dict[str, "torch.Tensor"]:
    """Every tensor of a .safetensors file as a view into a private memory map: nothing is read until used, and
    pages stay shared with the page cache (and with other processes) until written."""
    import torch

    from .encoder_numpy import safetensors_entries

    mapped, entries = safetensors_entries(path, mmap.ACCESS_COPY)  # copy-on-write: writable for torch, file untouched
    tensors = {}
    for name, dtype_name, shape, offset, size in entries:
        dtype = getattr(torch, _SAFETENSORS_DTYPES[dtype_name])
        count = size // torch.empty((), dtype=dtype).element_size()
        flat = torch.frombuffer(mapped, dtype=dtype, count=count, offset=offset) if count else torch.empty(0, dtype=dtype)
        tensors[name] = flat.view(shape)
    return tensors


@dataclass(frozen=True)
class _Config:
    vocab: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    positions: int
    type_vocab: int
    eps: float
    pad: int


def _modules(config: _Config, state: dict[str, "torch.Tensor"]):
    """XLM-RoBERTa's module tree, named as transformers names it, holding the tensors of `state` (no copies)."""
    import torch
    from torch import nn

    def embedding(name: str, padding_idx: int | None = None) -> nn.Embedding:
        # Given its weight, an Embedding skips random init (which, on the meta device, would import torch._dynamo).
        weight = state[f"embeddings.{name}.weight"]
        return nn.Embedding(weight.shape[0], weight.shape[1], padding_idx=padding_idx, _weight=weight, _freeze=True)

    def linear(i: int, o: int) -> nn.Linear:
        return nn.Linear(i, o)

    def layer() -> nn.Module:
        attention = nn.Module()
        attention.self = nn.Module()
        attention.self.query, attention.self.key, attention.self.value = (linear(config.hidden, config.hidden) for _ in range(3))
        attention.output = nn.Module()
        attention.output.dense = linear(config.hidden, config.hidden)
        attention.output.LayerNorm = nn.LayerNorm(config.hidden, eps=config.eps)
        block = nn.Module()
        block.attention = attention
        block.intermediate = nn.Module()
        block.intermediate.dense = linear(config.hidden, config.ffn)
        block.output = nn.Module()
        block.output.dense = linear(config.ffn, config.hidden)
        block.output.LayerNorm = nn.LayerNorm(config.hidden, eps=config.eps)
        return block

    root = nn.Module()
    root.embeddings = nn.Module()
    root.embeddings.word_embeddings = embedding("word_embeddings", config.pad)
    root.embeddings.position_embeddings = embedding("position_embeddings", config.pad)
    root.embeddings.token_type_embeddings = embedding("token_type_embeddings")
    with torch.device("meta"):  # no random init of weights that are replaced right away
        root.embeddings.LayerNorm = nn.LayerNorm(config.hidden, eps=config.eps)
        root.encoder = nn.Module()
        root.encoder.layer = nn.ModuleList(layer() for _ in range(config.layers))
    root.load_state_dict(state, strict=True, assign=True)
    return root.eval().requires_grad_(False)


class E5Encoder:
    """A SentenceTransformer folder of the supported shape (see `supported`), ready to embed on the CPU.

    `encode` follows SentenceTransformer.encode step by step: texts sorted by length (longest first), batches
    padded to their longest text, the prompt put in front, truncation at max_seq_length tokens, the encoder,
    mean pooling over the attention mask, Normalize, and normalization again when asked, as ST does.
    """

    def __init__(self, folder: str | Path, engine: str = "torch") -> None:
        from .unigram import load_unigram

        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
        self.engine = engine
        self.folder = Path(folder)
        cfg = _json(self.folder / "config.json")
        self.config = _Config(
            vocab=cfg["vocab_size"], hidden=cfg["hidden_size"], layers=cfg["num_hidden_layers"],
            heads=cfg["num_attention_heads"], ffn=cfg["intermediate_size"], positions=cfg["max_position_embeddings"],
            type_vocab=cfg["type_vocab_size"], eps=float(cfg["layer_norm_eps"]), pad=cfg["pad_token_id"],
        )
        st = _json(self.folder / "sentence_bert_config.json")
        tok_cfg = _json(self.folder / "tokenizer_config.json")
        limits = [st.get("max_seq_length"), tok_cfg.get("model_max_length"), self.config.positions]
        self.max_seq_length = min(int(n) for n in limits if isinstance(n, (int, float)) and n > 0)
        st_config = _json(self.folder / "config_sentence_transformers.json")
        self.prompts: dict[str, str] = dict(st_config.get("prompts") or {})
        self.default_prompt_name: str | None = st_config.get("default_prompt_name")

        self._pad_token = tok_cfg.get("pad_token") or "<pad>"
        self._tokenizer: Tokenizer | None = None
        # Short batches are tokenized in Python from a cached piece table (index/unigram.py): tokenizers' own
        # loader costs a new process ~0.9 s. A tokenizer.json of another shape loads tokenizers right away.
        self._unigram = load_unigram(self.folder / "tokenizer.json")
        if self._unigram is None:
            self.tokenizer  # noqa: B018 - loaded now: its errors show at load time
        elif self._unigram.spec.pieces[self._unigram.pad] != self._pad_token:
            raise ValueError(f"{self.folder}: the pad token {self._pad_token!r} is not tokenizer.json's <pad>")
        self._heads = self.config.heads
        self._head_size = self.config.hidden // self.config.heads
        self._torch_model = None
        self._numpy_model = None
        if engine == "torch":
            self.model  # noqa: B018 - built now, as SentenceTransformer would: errors show at load time

    @property
    def tokenizer(self) -> "Tokenizer":
        """tokenizers' Tokenizer of the folder, loaded on first need, truncating and padding as ST does."""
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
            pad_id = tokenizer.token_to_id(self._pad_token)
            if pad_id is None:
                raise ValueError(f"{self.folder}: the pad token {self._pad_token!r} is not in tokenizer.json")
            tokenizer.enable_truncation(max_length=self.max_seq_length, strategy="longest_first", direction="right")
            tokenizer.enable_padding(direction="right", pad_id=pad_id, pad_token=self._pad_token)
            self._tokenizer = tokenizer
        return self._tokenizer

    def _token_batch(self, batch: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(ids, attention mask) of one batch, padded on the right to its longest text."""
        if self._tokenizer is None and self._unigram is not None and sum(map(len, batch)) <= UNIGRAM_MAX_CHARS:
            rows = [self._unigram.ids(text, self.max_seq_length) for text in batch]
            if all(row is not None for row in rows):
                width = max(len(row) for row in rows)
                ids = np.full((len(rows), width), self._unigram.pad, dtype=np.int64)
                mask = np.zeros((len(rows), width), dtype=np.int64)
                for r, row in enumerate(rows):
                    ids[r, : len(row)], mask[r, : len(row)] = row, 1
                return ids, mask
        encodings = self.tokenizer.encode_batch(batch, add_special_tokens=True)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        return ids, mask

    @property
    def model(self):
        """The torch modules (built on first use: a process that only embeds questions never imports torch)."""
        if self._torch_model is None:
            configure_torch_threads()
            state = read_safetensors(self.folder / "model.safetensors")
            state = {k: v for k, v in state.items() if not k.startswith("pooler.")}  # e5 never reads the pooler
            self._torch_model = _modules(self.config, state)
        return self._torch_model

    @property
    def numpy_model(self):
        """The numpy forward pass (index/encoder_numpy.py) on the same memory-mapped weights."""
        if self._numpy_model is None:
            from .encoder_numpy import NumpyE5, safetensors_arrays

            weights = safetensors_arrays(self.folder / "model.safetensors")
            c = self.config
            self._numpy_model = NumpyE5(weights, layers=c.layers, heads=c.heads, eps=c.eps, pad=c.pad)
        return self._numpy_model

    def engine_for(self, padded_tokens: int) -> str:
        """Which forward pass runs a batch of this many padded tokens (texts x longest): "auto" picks numpy up to
        NUMPY_MAX_TOKENS, and up to NUMPY_BEFORE_TORCH_TOKENS while torch is not loaded; bf16 and int8 need torch."""
        if getattr(self, "plan_assistant_precision", "fp32") not in ("fp32", "auto"):
            return "torch"
        if self.engine != "auto":
            return self.engine
        if padded_tokens <= NUMPY_MAX_TOKENS:
            return "numpy"
        return "numpy" if self._torch_model is None and padded_tokens <= NUMPY_BEFORE_TORCH_TOKENS else "torch"

    # -- the SentenceTransformer surface plan-assistant uses --------------------------------------------------
    def get_embedding_dimension(self) -> int:
        return self.config.hidden

    def encode(
        self,
        texts: Sequence[str],
        *,
        prompt_name: str | None = None,
        prompt: str | None = None,
        batch_size: int = 32,
        normalize_embeddings: bool = False,
        convert_to_numpy: bool = True,
        show_progress_bar: bool | None = None,
    ) -> np.ndarray:
        """(n, dim) float32 vectors, as SentenceTransformer.encode(texts, ...) gives them on the CPU."""
        del convert_to_numpy, show_progress_bar  # always numpy, never a bar
        if prompt is None:
            name = prompt_name or self.default_prompt_name
            prompt = self.prompts.get(name, "") if name else ""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.config.hidden), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts])  # ST's batching (same sort), so the same padding
        out: list[np.ndarray] = []
        for start in range(0, len(texts), batch_size):
            batch = [prompt + texts[i] for i in order[start : start + batch_size]]
            ids, mask = self._token_batch(batch)
            if self.engine_for(ids.size) == "numpy":
                vectors = self.numpy_model(ids, mask)
                if normalize_embeddings:  # ST normalizes again when asked, as F.normalize does
                    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), np.float32(1e-12))
            else:
                vectors = self._torch_batch(ids, mask, normalize_embeddings)
            out.extend(vectors)
        restored = [out[i] for i in np.argsort(order)]
        return np.stack(restored).astype(np.float32)

    def encode_query(self, texts: Sequence[str], **kwargs: Any) -> np.ndarray:
        kwargs.setdefault("prompt_name", "query" if "query" in self.prompts else None)
        return self.encode(texts, **kwargs)

    def encode_document(self, texts: Sequence[str], **kwargs: Any) -> np.ndarray:
        kwargs.setdefault("prompt_name", next((n for n in ("document", "passage", "corpus") if n in self.prompts), None))
        return self.encode(texts, **kwargs)

    # -- the network --------------------------------------------------------------------------------------
    def _torch_batch(self, ids: np.ndarray, mask: np.ndarray, normalize: bool) -> np.ndarray:
        import contextlib

        import torch

        self.model  # noqa: B018 - the torch modules, built (and torch's threads set) on first use
        precision = getattr(self, "plan_assistant_precision", "fp32")
        bf16 = precision == "bf16" or (precision == "auto" and bf16_supported())
        # bf16 matrix products, fp32 layer norms and pooling (as embedder._precision_context does for ST models)
        autocast = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
        with torch.inference_mode(), autocast:
            vectors = self._forward(torch.from_numpy(ids), torch.from_numpy(mask))
            if normalize:
                vectors = torch.nn.functional.normalize(vectors, p=2, dim=1)
            return vectors.float().numpy()

    def _forward(self, ids: "torch.Tensor", mask: "torch.Tensor") -> "torch.Tensor":
        """Sentence embeddings of one padded batch: transformers' XLMRobertaModel (sdpa attention), then
        sentence-transformers' mean Pooling and Normalize, operation for operation."""
        import torch
        from torch.nn import functional as F

        m, pad = self.model, self.config.pad
        emb = m.embeddings
        not_pad = ids.ne(pad).int()
        positions = (torch.cumsum(not_pad, dim=1).type_as(not_pad) * not_pad).long() + pad
        token_types = torch.zeros_like(ids)
        x = emb.word_embeddings(ids) + emb.token_type_embeddings(token_types)
        x = x + emb.position_embeddings(positions)
        x = emb.LayerNorm(x)
        b, s = ids.shape
        # A batch without padding attends everywhere: no mask, as transformers passes none then.
        attn_mask = None if bool(mask.all()) else mask.bool()[:, None, None, :].expand(b, 1, s, s)
        shape = (b, s, self._heads, self._head_size)
        scale = self._head_size**-0.5
        for block in m.encoder.layer:
            att = block.attention.self
            q = att.query(x).view(shape).transpose(1, 2)
            k = att.key(x).view(shape).transpose(1, 2)
            v = att.value(x).view(shape).transpose(1, 2)
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=0.0, scale=scale, is_causal=False)
            a = a.transpose(1, 2).contiguous().reshape(b, s, -1).contiguous()
            x = block.attention.output.LayerNorm(block.attention.output.dense(a) + x)
            h = F.gelu(block.intermediate.dense(x))
            x = block.output.LayerNorm(block.output.dense(h) + x)
        # sentence-transformers' Pooling(mean), then Normalize.
        weights = mask.unsqueeze(-1).to(x.dtype)
        accumulate = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
        total = (x * weights).sum(dim=1, dtype=accumulate)
        count = torch.clamp(weights.sum(dim=1, dtype=accumulate), min=1e-9)
        pooled = (total / count).to(x.dtype)
        return F.normalize(pooled, p=2, dim=-1)
