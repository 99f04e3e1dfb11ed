"""The converted e5's forward pass in numpy: a fresh process embeds its question without importing torch.

Importing torch costs a new process 2-3 s on a 2-core machine, longer than answering. A question is a few dozen
tokens, where numpy (OpenBLAS) is as fast as torch (`python -m bench.engines` measures both). This is
index/encoder.py's torch pass, operation for operation in float32, on the same memory-mapped weights; its vectors
are within 1e-6 of torch's (tests/index/test_encoder.py). Long batches, such as indexing, go to torch.
"""
from __future__ import annotations

import json
import mmap
import struct
from pathlib import Path

import numpy as np

__all__ = ["NumpyE5", "safetensors_arrays", "safetensors_entries"]

_NUMPY_DTYPES = {"F32": np.float32, "F16": np.float16}


def safetensors_entries(path: Path, access: int = mmap.ACCESS_READ):
    """The memory map of a .safetensors file and, per tensor, (name, dtype as written, shape, byte offset, bytes):
    the header both passes read their weights by (torch's in index/encoder.py, numpy's here)."""
    with path.open("rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=access)
    (header_len,) = struct.unpack_from("<Q", mapped, 0)
    header = json.loads(mapped[8 : 8 + header_len])
    base = 8 + header_len
    entries = [
        (name, info["dtype"], info["shape"], base + info["data_offsets"][0], info["data_offsets"][1] - info["data_offsets"][0])
        for name, info in header.items()
        if name != "__metadata__"
    ]
    return mapped, entries


def safetensors_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a .safetensors file as a read-only view into a memory map: only the rows and layers a text
    touches are read, and pages stay shared with the page cache and with other processes."""
    mapped, entries = safetensors_entries(path)
    arrays = {}
    for name, dtype_name, shape, offset, size in entries:
        if dtype_name not in _NUMPY_DTYPES:
            raise ValueError(f"{path}: tensor {name} is {dtype_name}, which numpy cannot read")
        dtype = np.dtype(_NUMPY_DTYPES[dtype_name])
        arrays[name] = np.frombuffer(mapped, dtype=dtype, count=size // dtype.itemsize, offset=offset).reshape(shape)
    return arrays


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU, as XLM-RoBERTa's "gelu" and torch's F.gelu compute it."""
    from scipy.special import erf  # float32 in, float32 out; scipy is already loaded by bm25s

    return 0.5 * x * (1.0 + erf(x * np.float32(2**-0.5)))


class NumpyE5:
    """XLM-RoBERTa's encoder, then sentence-transformers' mean Pooling and Normalize, on float32 arrays."""

    def __init__(self, weights: dict[str, np.ndarray], *, layers: int, heads: int, eps: float, pad: int) -> None:
        self.w = {k: v if v.dtype == np.float32 else v.astype(np.float32) for k, v in weights.items()}
        self.layers, self.heads, self.eps, self.pad = layers, heads, np.float32(eps), pad

    def _layer_norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        centered = x - mean
        var = (centered * centered).mean(axis=-1, keepdims=True)
        return centered / np.sqrt(var + self.eps) * self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        # One GEMM over every token of the batch: numpy would run one per text for a 3-D operand.
        flat = x.reshape(-1, x.shape[-1]) @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], -1)

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """(batch, hidden) unit vectors of one padded batch of token ids and its attention mask."""
        w = self.w
        not_pad = (ids != self.pad).astype(np.int64)
        positions = np.cumsum(not_pad, axis=1) * not_pad + self.pad  # XLM-RoBERTa counts positions after pad
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.token_type_embeddings.weight"][0]
        x = x + w["embeddings.position_embeddings.weight"][positions]
        x = self._layer_norm(x, "embeddings.LayerNorm")
        b, s, hidden = x.shape
        size = hidden // self.heads
        # Padded keys get -inf before the softmax (torch's boolean sdpa mask); a batch without padding has none.
        bias = None if mask.all() else np.where(mask[:, None, None, :] > 0, 0.0, -np.inf).astype(np.float32)
        scale = np.float32(size**-0.5)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q, k, v = (
                self._linear(x, p + f"attention.self.{n}").reshape(b, s, self.heads, size).transpose(0, 2, 1, 3)
                for n in ("query", "key", "value")
            )
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale
            if bias is not None:
                scores = scores + bias
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(b, s, hidden)
            x = self._layer_norm(self._linear(attended, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            h = _gelu(self._linear(x, p + "intermediate.dense"))
            x = self._layer_norm(self._linear(h, p + "output.dense") + x, p + "output.LayerNorm")
        weights = mask[..., None].astype(np.float32)
        pooled = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), np.float32(1e-9))
        norms = np.maximum(np.linalg.norm(pooled, axis=-1, keepdims=True), np.float32(1e-12))  # F.normalize's eps
        return (pooled / norms).astype(np.float32)
