"""Searching the index: e5 and BM25 scores of the sections, fused, with sections a question names by structure first."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Protocol

import numpy as np

from .fusion import fuse
from .lexical import ScoreArray, has_words, top_scores
from .records import Hit, SectionKey
from .retrieval_state import RetrievalState
from .sections import Plan, Section
from .settings import Settings
from .structure import Outline
from .token_cache import TokenCache
from .views import View

RETRIEVERS = ("hybrid", "dense", "bm25")


class Searched(Protocol):
    """What searching uses of a PlanIndex."""

    settings: Settings

    @property
    def collection(self): ...

    def _view(self) -> View: ...

    def loaded_plans(self) -> dict[str, Plan]: ...

    def require_plan(self, name: str | None) -> None: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def dense_scores(
        self, query: str, n: int, plan: str | None = None, *, query_vector: np.ndarray | None = None
    ) -> dict[SectionKey, float]: ...

    def lexical_scores(self, query: str, plan: str | None = None) -> ScoreArray[SectionKey]: ...

    def dense_search(
        self, query: str, n: int, plan: str | None = None, *, query_vector: np.ndarray | None = None
    ) -> list[Hit]: ...

    def rank(
        self,
        query: str,
        dense: Mapping[SectionKey, float],
        lexical: Mapping[SectionKey, float],
        k: int,
        plan: str | None = None,
    ) -> list[Hit]: ...


def _section(idx: Searched, plan: str, section_id: str) -> Section | None:
    p = idx.loaded_plans().get(plan)
    return p.get(section_id) if p else None


def retrieval_state(idx: Searched) -> RetrievalState:
    """Stored-vector bookkeeping and the BM25 index for the loaded plans, rebuilt when the plans change."""
    v = idx._view()
    plans = idx.loaded_plans()
    signature = tuple((name, p.sha256) for name, p in plans.items())
    state = v.retrieval
    if state is None or state.signature != signature:
        cache = TokenCache(Path(idx.settings.home) / "tokens" / idx.settings.collection)  # pruned per index
        state = v.retrieval = RetrievalState.build(signature, plans, cache)
        cache.keep([sha for _, sha in signature])
    return state


def dense_scores(
    idx: Searched, query: str, n: int, plan: str | None = None, *, query_vector: np.ndarray | None = None
) -> dict[SectionKey, float]:
    """`PlanIndex.dense_scores`: the n nearest sections by e5 cosine, each scored by its best vector."""
    state = retrieval_state(idx)
    if n <= 0 or not state.keys:
        return {}
    vec = (idx.embed_query(query) if query_vector is None else query_vector).tolist()
    # A section has several vectors (its passage, sentences, outline): fetch that many per wanted section.
    # Records an interrupted build left behind are skipped below; only when they crowd out sections is the
    # query repeated wider (counting the collection instead costs ~30 ms per query at 100k sections).
    fetch = n * max(1, round(len(state.units) / len(state.keys)))
    while True:
        res = idx.collection.query(
            query_embeddings=[vec],
            n_results=fetch,
            where={"plan": plan} if plan else None,
            include=["metadatas", "distances"],
        )
        best: dict[SectionKey, float] = {}
        skipped = 0
        for rid, meta, dist in zip(res["ids"][0], res["metadatas"][0], res["distances"][0]):
            unit = state.units.get(rid)
            if unit is None or unit.hash != (meta or {}).get("hash"):
                skipped += 1  # not a vector of the registered text
                continue
            if rid in state.shadowed:
                continue  # a bare heading that has its outline vector
            key = (unit.section.plan, unit.section.id)
            best[key] = max(best.get(key, -1.0), 1.0 - float(dist))
        if not skipped or len(best) >= n or len(res["ids"][0]) < fetch:
            break
        fetch *= 4
    return dict(sorted(best.items(), key=lambda kv: -kv[1])[:n])


def lexical_scores(idx: Searched, query: str, plan: str | None = None) -> ScoreArray[SectionKey]:
    """`PlanIndex.lexical_scores`: BM25 score of every section (0 for other plans than `plan`)."""
    state = retrieval_state(idx)
    scores = state.lexical.scores(query)
    if plan is not None and len(state.plan_slices) > 1:
        start, stop = state.plan_slices.get(plan, (0, 0))
        scores[:start] = 0.0
        scores[stop:] = 0.0
    return ScoreArray(state.keys, state.position, scores)


def dense_search(idx: Searched, query: str, n: int, plan: str | None = None, *, query_vector: np.ndarray | None = None) -> list[Hit]:
    """`PlanIndex.dense_search`: nearest sections by e5 cosine similarity."""
    return [
        Hit(s, score, dense=score)
        for key, score in idx.dense_scores(query, n, plan, query_vector=query_vector).items()
        if (s := _section(idx, *key)) is not None
    ]


def search(
    idx: Searched,
    query: str,
    k: int | None = None,
    plan: str | None = None,
    *,
    retriever: str | None = None,
    query_vector: np.ndarray | None = None,
) -> list[Hit]:
    """`PlanIndex.search`: ranked sections for a question by the retriever asked for (default: the setting)."""
    query = (query or "").strip()
    if not query:
        raise ValueError("The question is empty: type a question about the plan.")
    if not has_words(query):  # "？？？", "!!!": nothing a section could match
        raise ValueError("The question has no words, only punctuation or symbols: type a question about the plan.")
    idx.require_plan(plan)
    k = k or idx.settings.k
    retriever = retriever or idx.settings.retriever
    if retriever not in RETRIEVERS:
        raise ValueError(f"Unknown retriever {retriever!r}: choose one of {', '.join(RETRIEVERS)}.")
    if retriever == "dense":
        return idx.dense_search(query, k, plan, query_vector=query_vector)
    lexical = idx.lexical_scores(query, plan)
    if retriever == "bm25":
        ranked = top_scores(lexical, k)
        return [Hit(s, v, lexical=v) for key, v in ranked if (s := _section(idx, *key)) is not None]
    dense = idx.dense_scores(query, idx.settings.candidates, plan, query_vector=query_vector)
    return idx.rank(query, dense, lexical, k, plan)


def rank(
    idx: Searched,
    query: str,
    dense: Mapping[SectionKey, float],
    lexical: Mapping[SectionKey, float],
    k: int,
    plan: str | None = None,
    *,
    dense_weight: float | None = None,
    method: str | None = None,
    routing: bool = True,
) -> list[Hit]:
    """`PlanIndex.rank`: fuse the two channels' scores and put the sections a structural question names first."""
    w = idx.settings.dense_weight if dense_weight is None else dense_weight
    top_lexical = top_scores(lexical, idx.settings.candidates)
    keys = list(dict.fromkeys([*dense, *(key for key, _ in top_lexical)]))
    channels = {"dense": dict(dense), "bm25": {key: lexical.get(key, 0.0) for key in keys}}
    fused = fuse(channels, {"dense": w, "bm25": 1.0 - w}, method or idx.settings.fusion)
    order = sorted(fused, key=lambda key: -fused[key])
    routed: list[SectionKey] = []
    if routing:
        routed = route(query, retrieval_state(idx).outline(plan), fused, lexical)
    hits: list[Hit] = []
    top = fused[order[0]] if order else 0.0
    for i, key in enumerate(routed):
        s = _section(idx, *key)
        if s is not None:
            hits.append(Hit(s, top + len(routed) - i, dense.get(key), lexical.get(key), route="outline"))
    taken = set(routed)
    for key in order:
        if len(hits) >= max(k, len(routed)):
            break
        if key not in taken and (s := _section(idx, *key)) is not None:
            hits.append(Hit(s, fused[key], dense.get(key), lexical.get(key)))
    return hits


def route(
    query: str, outline: Outline, fused: Mapping[SectionKey, float], lexical: Mapping[SectionKey, float]
) -> list[SectionKey]:
    """Sections the question names by structure, in answer order; relevance orders what the route leaves open."""
    found = outline.route(query)
    plans = outline.plans
    if not found:
        return []
    floor = min(fused.values(), default=0.0) - 1.0

    def relevance(s: Section) -> tuple[float, float]:
        key = (s.plan, s.id)
        return fused.get(key, floor), lexical.get(key, 0.0)

    if found.which_kind:  # "哪个专栏 / which box": the box whose own or items' text fits best, with its items
        boxes = outline.of_kind(found.which_kind)
        if not boxes:
            return []
        box = max(boxes, key=lambda b: max(relevance(x) for x in [b, *plans[b.plan].children(b.id)]))
        return [(box.plan, box.id)] + [(c.plan, c.id) for c in plans[box.plan].children(box.id)]
    sections = found.sections
    if found.rank_members:
        sections = sorted(sections, key=relevance, reverse=True)
    return [(s.plan, s.id) for s in sections]
