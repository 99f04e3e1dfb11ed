"""PlanIndex: plan files in, numbered sections embedded in Chroma, ranked hits out.

The facade over the steps, one module each: records.py (what is embedded and returned), building.py (writing
plans in), checking.py (is the stored index whole), views.py (which generation is read), reading.py (the plans
and sections it holds), retrieval_state.py and searching.py (ranking sections for a question).
"""
from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, ContextManager, Mapping, Sequence

import numpy as np
from chromadb.api import ClientAPI

from . import building, checking, reading, searching, views
from .building import Progress
from .embedder import embed_passages, model_identity, precision_identity
from .embedder_cache import get_embedder
from .embedder_cache import preload as preload_embedder
from .generations import Generations
from .lexical import ScoreArray
from .model_cache import expected_identity
from .records import BuildReport, Hit, PlanInfo, SectionKey
from .sections import Plan, Section
from .settings import Settings, cache_root
from .structure import Outline

if TYPE_CHECKING:
    from .metrics import Metric
    from .periods import Period
    from .targets import Target
from .store import PlanEmbeddingFunction, initialize_embedded, open_client, registry_collection, sections_collection
from .views import View, release_views

PLANS_RECHECK_SECONDS = 2.0  # how stale another process's plan changes may look to a long-running one
PHRASE_VECTORS_KEPT = 20_000  # e5 vectors of phrases and questions remembered (about 30 MB); then forgotten at once


class PlanIndex:
    """The searchable index of one or more plans. Use `PlanIndex.open()`.

    Embedded, every change is written to a new generation of the index and published whole (generations.py):
    a long-running reader keeps answering from the generation it has open and moves to a new one as soon as it
    is published, without a restart. `snapshot()` keeps one question on one generation.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._generations = None if settings.chroma_url else Generations(settings.chroma_dir, initialize_embedded)
        self._model = None
        self._identity: str | None = None
        self._retriever = None
        self._phrase_vectors: dict[str, np.ndarray] = {}  # see embed_phrases()
        self._metrics_cache: dict = {}  # see metrics()
        self._switching = threading.Lock()
        self._local = threading.local()  # .view: the view this thread is pinned to (a snapshot or a staging)
        self._latest: View | None = None
        if self._generations is None:
            self._latest = View(open_client(settings))  # an unreachable server is reported at once
        self._finalizer = weakref.finalize(self, release_views, self._generations, [])
        self._vector_cache = None  # see passage_vectors()

    # -- which state of the index is read (views.py) ---------------------------
    def _view(self) -> View:
        return views.current(self)

    def snapshot(self) -> ContextManager["PlanIndex"]:
        """Every read inside the block (in this thread) sees one state of the index, even if another process
        publishes a new one meanwhile: an answer never mixes the sections of one state with the search of another."""
        return views.snapshot(self)

    @property
    def client(self) -> ClientAPI:
        return self._view().client

    @property
    def generation(self) -> Path | None:
        """The directory of the generation this index reads (embedded), None with a Chroma server."""
        return self._view().path

    def close(self) -> None:
        """Let go of the opened generation now (otherwise when this object is garbage-collected)."""
        views.close(self)

    # -- opening, the model and the collections ------------------------------
    @classmethod
    def open(cls, settings: Settings | None = None, *, build: bool = True, preload: bool = True) -> "PlanIndex":
        """Open the index; on first use (nothing indexed yet) build it from `settings.plans`. `preload` starts
        loading the embedding model on another thread while the index opens (commands that never embed skip it)."""
        settings = settings or Settings.from_env()
        if preload:
            preload_embedder(settings.model_path, settings.embed_precision, settings.embed_runtime)
        idx = cls(settings)
        if build and not idx.plan_names():
            idx.build()
        idx.check()
        return idx

    @property
    def model(self):
        if self._model is None:
            s = self.settings
            self._model = get_embedder(s.model_path, s.embed_precision, s.embed_runtime)
        return self._model

    @property
    def identity(self) -> str:
        if self._identity is None:
            # The bundled model's identity is known without loading it: `plans` and `remove` stay quick.
            path = self.settings.model_path
            base = model_identity(path) if path else expected_identity()
            self._identity = precision_identity(base, self.settings.embed_precision)
        return self._identity

    def _embedding_function(self) -> PlanEmbeddingFunction:
        path = str(self.settings.model_path) if self.settings.model_path else None
        return PlanEmbeddingFunction(path, self.identity, self.settings.embed_precision, self.settings.embed_runtime)

    @property
    def collection(self):
        return sections_collection(self.client, self.settings.collection, self._embedding_function())

    @property
    def registry(self):
        return registry_collection(self.client, self.settings.collection)

    # -- writing (building.py) and checking (checking.py) ----------------------
    def build(
        self,
        plan_files: Sequence[Path | str] | None = None,
        *,
        names: Sequence[str | None] | None = None,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> BuildReport:
        """Index plan files, embedding only sections whose content changed; a new model rebuilds everything.

        Each plan is named after its file stem unless `names` gives a name per file. A name already indexed
        from another file is refused (two `plan.pdf` of different years must not replace each other).
        `rebuild=True` is `rebuild(plan_files)`: every plan the index holds is embedded again, these files too.
        """
        return building.build_plans(self, plan_files, names=names, rebuild=rebuild, progress=progress)

    def rebuild(
        self,
        plan_files: Sequence[Path | str] = (),
        *,
        names: Sequence[str | None] | None = None,
        progress: Progress | None = None,
    ) -> BuildReport:
        """Embed every plan the index holds again, into a new index, with `plan_files` added (or replacing the
        plan of their name). Each plan comes from the text stored in the index; where that is unreadable (a
        corrupt index), from its file at the path recorded when it was indexed. `BuildReport.origins` says where
        each plan came from and `BuildReport.lost` names the plans that could be recovered from neither.
        With nothing held and no files given, the default plans (`settings.plans`) are indexed."""
        return building.rebuild_plans(self, plan_files, names=names, progress=progress)

    @classmethod
    def wipe(cls, settings: Settings) -> None:
        """Start an embedded index over, empty: an empty generation is published and the old one is deleted once
        no process reads it. Prefer `rebuild()`, which keeps every plan."""
        if settings.chroma_url:
            raise ValueError("--rebuild on a Chroma server drops the collections instead; the directory is the server's")
        idx = cls(settings)
        with building.writing(idx, fresh=True, operation="wipe"):
            pass
        idx.close()

    def remove(self, name: str) -> int:
        """Remove one plan and its sections, leaving the others as they are; returns how many sections went."""
        return building.remove_plan(self, name)

    def require_plan(self, name: str | None) -> None:
        """Refuse a plan name that is not loaded, naming the ones that are (None means every plan)."""
        if name is not None and name not in self.plan_names():
            loaded = ", ".join(self.plan_names()) or "none"
            raise KeyError(f"No plan named {name!r} is indexed. Loaded: {loaded}. See `plan-assistant plans`.")

    def check(self) -> None:
        """Fail clearly when the stored index came from another model or lost its vectors."""
        checking.check(self)

    # -- reading (reading.py) ----------------------------------------------------
    def plan_names(self) -> list[str]:
        return reading.plan_names(self)

    def loaded_plans(self) -> dict[str, Plan]:
        """Plans re-parsed from the text stored in the index, so every process sees the same sections.

        Embedded, a published generation never changes: its registry is read once, and a new generation
        (another process indexed or removed a plan) is a new view. On a server another process may change the
        plans at any time: the registry's checksums are re-read every PLANS_RECHECK_SECONDS. Either way only
        plans whose checksum changed are parsed again.
        """
        return reading.loaded_plans(self, PLANS_RECHECK_SECONDS)

    def plans(self) -> list[PlanInfo]:
        return reading.plan_infos(self)

    def sections(self, plan: str | None = None) -> tuple[Section, ...]:
        """Every section (of `plan`, when given) in plan order: the same tuple while the plans stay the same, so
        callers can cache what they derive from it on its identity instead of re-reading 100k sections per question."""
        return reading.sections(self, plan)

    def targets(self, plan: str | None = None) -> list["Target"]:
        """Quantitative targets (2200家以上, 8-10家, 每年…40个, 30%) found in the sections' text, in order."""
        from .targets import extract_targets

        return extract_targets(self.sections(plan))

    def periods(self) -> list["Period"]:
        """The loaded documents in time order, each with the years it is about (from its title or name)."""
        from .periods import document_period, order_plans

        return order_plans(document_period(n, p.title) for n, p in self.loaded_plans().items())

    def embed_phrases(self, texts: Sequence[str]) -> np.ndarray:
        """e5 query vectors of short phrases (a figure's subject, a question), remembered: grouping metrics again
        after a plan is added embeds only the new phrases, and a question is embedded once for its search, its
        sentences and its metric rows."""
        from .embedder import embed_queries

        kept = self._phrase_vectors
        found = {t: v for t in dict.fromkeys(texts) if (v := kept.get(t)) is not None}  # local: another thread may clear
        new = [t for t in dict.fromkeys(texts) if t not in found]
        if new:
            if len(kept) + len(new) > PHRASE_VECTORS_KEPT:  # a server's questions would grow it forever
                kept.clear()
            for text, vec in zip(new, embed_queries(self.model, new)):
                kept[text] = found[text] = vec
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[t] for t in texts])

    def metrics(self, plans: Sequence[str] | None = None, *, kind: str = "target", shared: bool = True) -> list["Metric"]:
        """The documents' figures grouped into metrics across documents (经济增长, 赤字率…; index/metrics.py): one
        row per metric, one cell per document in time order. `plans`: only these documents (default: all);
        `kind`: "target" (goals the documents set) or "outcome" (results they report); `shared`: only metrics that
        at least two of the documents give."""
        from .metrics import group_metrics

        loaded = self.loaded_plans()
        names = list(plans) if plans else list(loaded)
        for name in names:
            if name not in loaded:  # checked against the plans just read: require_plan reads the registry again
                self.require_plan(name)
        key = (tuple((n, loaded[n].sha256) for n in sorted(set(names))), kind, shared)
        if key not in self._metrics_cache:
            if len(self._metrics_cache) > 32:  # a long-running server sees few plan sets; keep the cache small
                self._metrics_cache.clear()
            self._metrics_cache[key] = group_metrics(
                [loaded[n] for n in sorted(set(names))], self.embed_phrases, kind=kind, shared=shared
            )
        return self._metrics_cache[key]

    def get(self, section_id: str, plan: str | None = None) -> Section:
        """A section by the ID `citation_id` gives: `五(一)3`, or `PLAN:五(一)3` when several plans are loaded.

        An ID without its plan is accepted while only one loaded plan has it.
        """
        return reading.get(self, section_id, plan)

    def citation_id(self, section: Section) -> str:
        """The ID an answer cites: `五(一)3` with one plan loaded, `PLAN:五(一)3` when several are."""
        return reading.citation_id(self, section)

    # -- searching (searching.py) ------------------------------------------------
    def outline(self, plan: str | None = None) -> Outline:
        """Lookup tables over the numbering and titles of the loaded plans (or one): sections a text names."""
        self.require_plan(plan)
        return searching.retrieval_state(self).outline(plan)

    def translate(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """English phrases of `text` with the loaded plans' Chinese words they translate to (CC-CEDICT)."""
        return searching.retrieval_state(self).lexical.translate(text)

    def passage_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """e5 passage vectors of `texts` (what an index stores, the sentences an answer scores), read from
        CACHE/vectors when any process embedded them before, else embedded and added there (index/vector_cache.py)."""
        if self._vector_cache is None:
            from .vector_cache import VectorCache

            # Keyed like the index itself: by the model's identity, which int8 changes and bf16 does not (its
            # vectors stay within cosine 0.99999 of fp32); finding it imports no torch.
            self._vector_cache = VectorCache(cache_root(self.settings.cache_dir) / "vectors", self.identity)
        return self._vector_cache.embed(texts, lambda todo: embed_passages(self.model, todo))

    def embed_query(self, text: str) -> np.ndarray:
        """The e5 query vector of `text`: pass it to `search(query_vector=...)` when the caller needs it too."""
        return self.embed_phrases([text])[0]

    def dense_scores(
        self, query: str, n: int, plan: str | None = None, *, query_vector: np.ndarray | None = None
    ) -> dict[SectionKey, float]:
        """The n nearest sections by e5 cosine, each scored by its best vector (passage, sentence or outline)."""
        return searching.dense_scores(self, query, n, plan, query_vector=query_vector)

    def lexical_scores(self, query: str, plan: str | None = None) -> ScoreArray[SectionKey]:
        """BM25 score of every section for the query (0 for the sections of other plans than `plan`, when given)."""
        return searching.lexical_scores(self, query, plan)

    def dense_search(self, query: str, n: int, plan: str | None = None, *, query_vector: np.ndarray | None = None) -> list[Hit]:
        """Nearest sections by e5 cosine similarity (score = the best vector's 1 - cosine distance)."""
        return searching.dense_search(self, query, n, plan, query_vector=query_vector)

    def search(
        self,
        query: str,
        k: int | None = None,
        plan: str | None = None,
        *,
        retriever: str | None = None,
        query_vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """Ranked sections for a question; empty or whitespace queries are refused with a clear message.

        `retriever` (default: the setting) is "hybrid": e5 and BM25 fused, and a question that names the
        plan's structure ("专栏12有哪些内容", "item 18") answered by those sections first, all of them even
        beyond k; or "dense" / "bm25" alone, for comparison. `query_vector`: `embed_query(query)`, when the
        caller has it already (the answerer scores sentences with it too: one embedding instead of two).
        """
        return searching.search(self, query, k, plan, retriever=retriever, query_vector=query_vector)

    def rank(
        self,
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
        """Fuse the two channels' scores and put the sections a structural question names first.

        Separate from `search` so the fusion weight can be tuned on cached channel scores (bench.tune_fusion).
        """
        return searching.rank(
            self, query, dense, lexical, k, plan, dense_weight=dense_weight, method=method, routing=routing
        )

    def as_retriever(self, k: int | None = None, plan: str | None = None):
        """This index as a LangChain retriever, so chains compose with it."""
        from .retriever import PlanRetriever

        return PlanRetriever(index=self, k=k or self.settings.k, plan=plan)
