"""PlanIndex: plan files in, numbered sections embedded in Chroma, ranked hits out."""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from filelock import FileLock, Timeout

from .embedder import embed_passages, model_identity
from .embedder_cache import get_embedder
from .sections import Plan, Section, load_plan, parse_plan
from .settings import Settings
from .store import (
    SCHEMA_VERSION,
    CorruptIndexError,
    IndexBusyError,
    ModelMismatchError,
    PlanEmbeddingFunction,
    collection_exists,
    open_client,
    registry_collection,
    release_embedded,
    sections_collection,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    """A retrieved section with its fused relevance score (higher is better) and the parts it came from."""

    section: Section
    score: float
    dense: float | None = None
    lexical: float | None = None


@dataclass
class BuildReport:
    """What one `index` run did, per plan: the basis of incremental indexing's proof."""

    plans: dict[str, dict[str, int]] = field(default_factory=dict)
    rebuilt: bool = False
    seconds: float = 0.0

    @property
    def embedded(self) -> int:
        return sum(p["embedded"] for p in self.plans.values())


@dataclass(frozen=True)
class PlanInfo:
    name: str
    title: str
    sections: int
    indexed_at: str
    sha256: str
    source: str


def passage_text(section: Section) -> str:
    """What is embedded: the heading path gives context (a box item carries its box's title)."""
    context = " > ".join(section.path[:-1])
    return f"{context}\n{section.text}" if context else section.text


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_id(plan: str, section_id: str) -> str:
    return f"{plan}::{section_id}"


class PlanIndex:
    """The searchable index of one or more plans. Use `PlanIndex.open()`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = open_client(settings)
        self._model = None
        self._identity: str | None = None
        self._plans: dict[str, Plan] | None = None
        self._retriever = None

    # -- opening and building -------------------------------------------------
    @classmethod
    def open(cls, settings: Settings | None = None, *, build: bool = True) -> "PlanIndex":
        """Open the index; on first use (nothing indexed yet) build it from `settings.plans`."""
        idx = cls(settings or Settings.from_env())
        if build and not idx.plan_names():
            idx.build()
        idx.check()
        return idx

    @property
    def model(self):
        if self._model is None:
            self._model = get_embedder(self.settings.model_path)
        return self._model

    @property
    def identity(self) -> str:
        if self._identity is None:
            self._identity = model_identity(self.settings.model_path or self.model)
        return self._identity

    def _embedding_function(self) -> PlanEmbeddingFunction:
        path = str(self.settings.model_path) if self.settings.model_path else None
        return PlanEmbeddingFunction(path, self.identity)

    @property
    def collection(self):
        return sections_collection(self.client, self.settings.collection, self._embedding_function())

    @property
    def registry(self):
        return registry_collection(self.client, self.settings.collection)

    def _lock(self) -> FileLock | None:
        if self.settings.chroma_url:
            return None  # the server serialises writes itself
        self.settings.home.mkdir(parents=True, exist_ok=True)
        return FileLock(str(Path(self.settings.home) / "index.lock"))

    def build(self, plan_files: Sequence[Path | str] | None = None, *, rebuild: bool = False) -> BuildReport:
        """Index plan files, embedding only sections whose content changed; a new model rebuilds everything."""
        started = time.perf_counter()
        lock = self._lock()
        try:
            if lock is not None:
                lock.acquire(timeout=0)
        except Timeout:
            raise IndexBusyError(
                f"Another plan-assistant process is indexing {self.settings.home} right now. "
                "Wait for it to finish, then run the command again."
            ) from None
        try:
            plans = [load_plan(Path(p)) for p in (plan_files or self.settings.plans)]
            report = BuildReport()
            if rebuild or self._stored_identity() not in (None, self.identity):
                self._drop_all()
                report.rebuilt = True
            col = self.collection
            col.modify(metadata={"model": self.identity, "schema": SCHEMA_VERSION})
            for plan in plans:
                report.plans[plan.name] = self._index_plan(col, plan)
            self._plans = None
            report.seconds = time.perf_counter() - started
            return report
        finally:
            if lock is not None:
                lock.release()

    def _index_plan(self, col, plan: Plan) -> dict[str, int]:
        existing = col.get(where={"plan": plan.name}, include=["metadatas"])
        old_hash = {i: m.get("hash") for i, m in zip(existing["ids"], existing["metadatas"])}
        ids, docs, metas = [], [], []
        for order, s in enumerate(plan.sections):
            doc = passage_text(s)
            ids.append(record_id(plan.name, s.id))
            docs.append(doc)
            metas.append(
                {
                    "plan": plan.name,
                    "section_id": s.id,
                    "title": s.title,
                    "kind": s.kind,
                    "path": json.dumps(list(s.path), ensure_ascii=False),
                    "order": order,
                    "hash": content_hash(doc),
                }
            )
        changed = [i for i, (rid, m) in enumerate(zip(ids, metas)) if old_hash.get(rid) != m["hash"]]
        if changed:
            vectors = embed_passages(self.model, [docs[i] for i in changed])
            col.upsert(
                ids=[ids[i] for i in changed],
                documents=[docs[i] for i in changed],
                metadatas=[metas[i] for i in changed],
                embeddings=[v.tolist() for v in vectors],
            )
        changed_set = set(changed)
        unchanged = [i for i in range(len(ids)) if i not in changed_set]
        if unchanged:  # order may shift when sections are inserted before them
            col.update(ids=[ids[i] for i in unchanged], metadatas=[metas[i] for i in unchanged])
        removed = sorted(set(old_hash) - set(ids))
        if removed:
            col.delete(ids=removed)
        # The registry is written last: a build killed before this point leaves the old plan text in charge.
        self.registry.upsert(
            ids=[plan.name],
            documents=[plan.text],
            embeddings=[[0.0]],
            metadatas=[
                {
                    "title": plan.title,
                    "sha256": plan.sha256,
                    "sections": len(plan.sections),
                    "indexed_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    "source": str(plan.path or ""),
                }
            ],
        )
        return {"sections": len(ids), "embedded": len(changed), "unchanged": len(unchanged), "removed": len(removed)}

    def _stored_identity(self) -> str | None:
        if not collection_exists(self.client, self.settings.collection):
            return None
        meta = self.client.get_collection(self.settings.collection).metadata or {}
        return meta.get("model")

    def _drop_all(self) -> None:
        for name in (self.settings.collection, f"{self.settings.collection}__plans"):
            if collection_exists(self.client, name):
                self.client.delete_collection(name)
        self._plans = None

    @classmethod
    def wipe(cls, settings: Settings) -> None:
        """Delete an embedded index directory outright (the way out of a corrupt one)."""
        if settings.chroma_url:
            raise ValueError("--rebuild on a Chroma server drops the collections instead; the directory is the server's")
        release_embedded(settings.chroma_dir)
        shutil.rmtree(settings.chroma_dir, ignore_errors=True)

    def remove(self, name: str) -> int:
        """Remove one plan and its sections; returns how many sections went."""
        if name not in self.plan_names():
            raise KeyError(f"No plan named {name!r} is indexed. Loaded: {', '.join(self.plan_names()) or 'none'}")
        col = self.collection
        n = len(col.get(where={"plan": name}, include=[])["ids"])
        col.delete(where={"plan": name})
        self.registry.delete(ids=[name])
        self._plans = None
        return n

    def check(self) -> None:
        """Fail clearly when the stored index came from another model or lost its vectors."""
        stored = self._stored_identity()
        if stored is not None and stored != self.identity:
            raise ModelMismatchError(
                f"The index at {self.settings.home} was built with model {stored}, but the current model is "
                f"{self.identity}. Run `plan-assistant index --rebuild` to re-embed the plans."
            )
        expected = sum(len(p.sections) for p in self.loaded_plans().values())
        try:
            actual = self.collection.count()
        except Exception as exc:
            raise CorruptIndexError(f"The index cannot be read ({exc}). Run `plan-assistant index --rebuild`.") from None
        if actual != expected:
            raise CorruptIndexError(
                f"The index holds {actual} sections where its plans have {expected}: a build was interrupted or "
                "files were lost. Run `plan-assistant index` (or `--rebuild`) to repair it."
            )

    # -- reading --------------------------------------------------------------
    def plan_names(self) -> list[str]:
        if not collection_exists(self.client, f"{self.settings.collection}__plans"):
            return []
        return sorted(self.registry.get(include=[])["ids"])

    def loaded_plans(self) -> dict[str, Plan]:
        """Plans re-parsed from the text stored in the index, so every process sees the same sections."""
        if self._plans is None:
            got = self.registry.get(include=["documents", "metadatas"]) if self.plan_names() else None
            plans: dict[str, Plan] = {}
            if got:
                for name, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                    plans[name] = parse_plan(text, name=name, path=meta.get("source") or None)
            self._plans = plans
        return self._plans

    def plans(self) -> list[PlanInfo]:
        got = self.registry.get(include=["metadatas"]) if self.plan_names() else {"ids": [], "metadatas": []}
        return [
            PlanInfo(i, m.get("title", ""), int(m.get("sections", 0)), m.get("indexed_at", ""), m.get("sha256", ""), m.get("source", ""))
            for i, m in zip(got["ids"], got["metadatas"])
        ]

    def sections(self, plan: str | None = None) -> list[Section]:
        return [s for name, p in self.loaded_plans().items() if plan in (None, name) for s in p.sections]

    def get(self, section_id: str, plan: str | None = None) -> Section:
        """A section by its ID (`五(一)3`), or `PLAN:ID` when several plans are loaded."""
        if plan is None and ":" in section_id and not section_id.startswith("专栏"):
            plan, section_id = section_id.split(":", 1)
        for name, p in self.loaded_plans().items():
            if plan in (None, name):
                s = p.get(section_id)
                if s is not None:
                    return s
        raise KeyError(f"No section {section_id!r}. See `plan-assistant sections` for the outline.")

    def citation_id(self, section: Section) -> str:
        """The ID an answer cites: `五(一)3` with one plan loaded, `PLAN:五(一)3` when several are."""
        return section.id if len(self.loaded_plans()) <= 1 else f"{section.plan}:{section.id}"

    def _section(self, plan: str, section_id: str) -> Section | None:
        p = self.loaded_plans().get(plan)
        return p.get(section_id) if p else None

    def dense_search(self, query: str, n: int, plan: str | None = None) -> list[Hit]:
        """Nearest sections by e5 cosine similarity (score = 1 - cosine distance)."""
        from .embedder import embed_queries

        vec = embed_queries(self.model, [query])[0]
        total = self.collection.count()
        if total == 0:
            return []
        res = self.collection.query(
            query_embeddings=[vec.tolist()],
            n_results=min(n, total),
            where={"plan": plan} if plan else None,
            include=["metadatas", "distances"],
        )
        hits = []
        for meta, dist in zip(res["metadatas"][0], res["distances"][0]):
            s = self._section(meta["plan"], meta["section_id"])
            if s is not None:
                hits.append(Hit(s, 1.0 - float(dist), dense=1.0 - float(dist)))
        return hits

    def search(self, query: str, k: int | None = None, plan: str | None = None) -> list[Hit]:
        """Ranked sections for a question; empty or whitespace queries are refused with a clear message."""
        query = (query or "").strip()
        if not query:
            raise ValueError("The question is empty: type a question about the plan.")
        k = k or self.settings.k
        return self.dense_search(query, k, plan)

    def as_retriever(self, k: int | None = None, plan: str | None = None):
        """This index as a LangChain retriever, so chains compose with it."""
        from .retriever import PlanRetriever

        return PlanRetriever(index=self, k=k or self.settings.k, plan=plan)
