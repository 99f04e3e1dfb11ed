"""The retrieval state: per set of loaded plans, which stored vectors count for which section, and the BM25 index."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from .lexical import LexicalIndex, tokenize
from .records import SectionKey, Unit, embedding_units, passage_text
from .sections import Plan
from .structure import Outline
from .token_cache import TokenCache


@dataclass
class RetrievalState:
    """What searching needs beyond Chroma, derived from the loaded plans: which stored vectors are valid
    for which section, and the in-memory BM25 index (70 sections index in well under a second)."""

    signature: tuple[tuple[str, str], ...]
    keys: list[SectionKey]
    units: dict[str, Unit]
    shadowed: set[str]  # bare-heading vectors of sections that have an outline vector: not scored
    lexical: LexicalIndex
    position: dict[SectionKey, int]  # key -> its row in `keys` (and in every BM25 score array)
    plan_slices: dict[str, tuple[int, int]]  # each plan's rows: its sections are contiguous in `keys`
    plans: Mapping[str, Plan]
    outlines: dict[str | None, Outline] = field(default_factory=dict)  # per plan filter, built on first use

    def outline(self, plan: str | None) -> Outline:
        """Numbering and title tables of every plan, or of one: what structural questions are routed by."""
        if plan not in self.outlines:
            self.outlines[plan] = Outline({n: p for n, p in self.plans.items() if plan in (None, n)})
        return self.outlines[plan]

    @classmethod
    def build(
        cls, signature: tuple[tuple[str, str], ...], plans: Mapping[str, Plan], tokens: TokenCache | None = None
    ) -> "RetrievalState":
        tokens = tokens or TokenCache(None)
        sections = [s for p in plans.values() for s in p.sections]
        units = {u.record_id: u for p in plans.values() for u in embedding_units(p)}
        outlined = {(u.section.plan, u.section.id) for u in units.values() if u.unit == "outline"}
        shadowed = {
            rid for rid, u in units.items() if u.unit == "section" and (u.section.plan, u.section.id) in outlined
        }
        keys = [(s.plan, s.id) for s in sections]
        texts: list[str] = []
        words: list[list[str]] = []
        slices: dict[str, tuple[int, int]] = {}
        for name, p in plans.items():  # BM25 tokens per plan, from the cache when an earlier process made them
            slices[name] = (len(texts), len(texts) + len(p.sections))
            plan_texts = [passage_text(s) for s in p.sections]
            texts += plan_texts
            words += tokens.tokens(p.sha256, plan_texts, tokenize)
        return cls(
            signature,
            keys,
            units,
            shadowed,
            LexicalIndex(sections, texts, tokens=words),
            {key: i for i, key in enumerate(keys)},
            slices,
            plans,
        )
