"""Score fusion: dense and BM25 scores put on one scale per query, then mixed by a measured weight."""
from __future__ import annotations

import math
from typing import Hashable, Mapping, TypeVar

__all__ = ["FUSION_METHODS", "fuse", "minmax", "rrf", "zscore"]

K = TypeVar("K", bound=Hashable)


def minmax(scores: Mapping[K, float]) -> dict[K, float]:
    """Scores mapped onto [0, 1] for this query; all equal -> all 0 (the channel says nothing)."""
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    span = hi - lo
    return {k: (v - lo) / span if span > 0 else 0.0 for k, v in scores.items()}


def zscore(scores: Mapping[K, float]) -> dict[K, float]:
    """Standard scores for this query: how far each candidate stands out from the others."""
    if not scores:
        return {}
    n = len(scores)
    mean = sum(scores.values()) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in scores.values()) / n)
    return {k: (v - mean) / sd if sd > 0 else 0.0 for k, v in scores.items()}


def rrf(rankings: Mapping[str, Mapping[K, float]], k: int = 60) -> dict[K, float]:
    """Reciprocal rank fusion (Cormack et al. 2009), kept as a baseline: it ignores score gaps."""
    out: dict[K, float] = {}
    for scores in rankings.values():
        for rank, key in enumerate(sorted(scores, key=lambda x: -scores[x]), 1):
            out[key] = out.get(key, 0.0) + 1.0 / (k + rank)
    return out


_NORMALIZERS = {"zscore": zscore, "minmax": minmax}
FUSION_METHODS = ("zscore", "minmax", "rrf")


def fuse(channels: Mapping[str, Mapping[K, float]], weights: Mapping[str, float], method: str = "zscore") -> dict[K, float]:
    """Weighted sum of per-query normalized channel scores over the union of their candidates.

    A candidate one channel did not return gets that channel's lowest score: it was not among its best.
    Per-query normalization is what lets a cosine in 0.75-0.92 and an unbounded BM25 score be added at all.
    """
    if method not in FUSION_METHODS:
        raise ValueError(f"unknown fusion method {method!r}; choose one of {', '.join(FUSION_METHODS)}")
    keys = list(dict.fromkeys(k for scores in channels.values() for k in scores))
    if method == "rrf":
        return rrf(channels)
    fused = {k: 0.0 for k in keys}
    for name, scores in channels.items():
        weight = weights.get(name, 0.0)
        if not scores or weight == 0:
            continue
        floor = min(scores.values())
        normalized = _NORMALIZERS[method]({k: scores.get(k, floor) for k in keys})
        for k in keys:
            fused[k] += weight * normalized[k]
    return fused
