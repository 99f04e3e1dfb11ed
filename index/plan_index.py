"""PlanIndex: plan files in, numbered sections embedded in Chroma, ranked hits out."""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, Sequence

import numpy as np
from chromadb.api import ClientAPI
from filelock import FileLock, Timeout

from .embedder import embed_passages, model_identity, precision_identity
from .embedder_cache import get_embedder
from .embedder_cache import preload as preload_embedder
from .fusion import fuse
from .generations import Generations
from .lexical import LexicalIndex, ScoreArray, has_words, tokenize, top_scores
from .model_cache import expected_identity
from .sections import Plan, Section, load_plan, parse_plan
from .settings import Settings, cache_root
from .structure import Outline

if TYPE_CHECKING:
    from .metrics import Metric
    from .periods import Period
from .token_cache import TokenCache
from .store import (
    SCHEMA_VERSION,
    CorruptIndexError,
    IndexBusyError,
    IndexError_,
    ModelMismatchError,
    PlanEmbeddingFunction,
    collection_exists,
    initialize_embedded,
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
    score: float  # fused, relative within one query: use `dense` for how close the section is in absolute terms
    dense: float | None = None  # e5 cosine of the section's best vector (its passage, a sentence or its outline)
    lexical: float | None = None  # BM25 score
    route: str = ""  # "outline" when the question named this section by its structure (专栏12, 第18条)


@dataclass
class BuildReport:
    """What one `index` run did, per plan: the basis of incremental indexing's proof."""

    plans: dict[str, dict[str, int]] = field(default_factory=dict)
    rebuilt: bool = False
    seconds: float = 0.0
    origins: dict[str, str] = field(default_factory=dict)  # rebuild: plan -> "stored text" or the file it was read from
    lost: list = field(default_factory=list)  # rebuild: recovery.Recovered of plans found in neither
    unknown: str = ""  # rebuild: why the list of plans the index held could not be read, when it could not

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


_SENTENCE_END = re.compile(r"(?<=[。；;！？!?])|\n")
SENTENCE_MIN = 4  # shorter fragments ("。", "(3+2)") carry no meaning of their own


@dataclass(frozen=True)
class Unit:
    """One stored vector: a section's passage, one of its sentences, or the outline of a heading without text."""

    record_id: str
    section: Section
    text: str
    unit: str  # "section" | "sentence" | "outline"

    @property
    def hash(self) -> str:
        return content_hash(self.text)


def embedding_units(plan: Plan) -> list[Unit]:
    """Every vector a plan gets, section by section, each carrying its heading path as context.

    Mean pooling over a long body dilutes the one sentence a question is about, so a section of several
    sentences also gets one vector per sentence, and is scored by its best one. A heading with no text of
    its own (a box) gets one vector of its heading with its items' headings, its outline. Sentence and
    outline records are named by their content hash: a changed sentence re-embeds that sentence only.
    """
    units: list[Unit] = []
    for s in plan.sections:
        rid = record_id(plan.name, s.id)
        units.append(Unit(rid, s, passage_text(s), "section"))
        context = " > ".join(s.path)
        sentences = [x.strip() for x in _SENTENCE_END.split(s.body)]
        sentences = list(dict.fromkeys(x for x in sentences if len(x) >= SENTENCE_MIN))
        extra = [(f"{context}\n{x}", "sentence") for x in sentences] if len(sentences) > 1 else []
        if not s.body.strip():
            children = plan.children(s.id)
            if children:
                extra.append((passage_text(s) + "\n" + "\n".join(c.heading for c in children), "outline"))
        for text, kind in extra:
            units.append(Unit(f"{rid}::{content_hash(text)[:16]}", s, text, kind))
    return units


SectionKey = tuple[str, str]  # (plan name, section ID)
RETRIEVERS = ("hybrid", "dense", "bm25")


@dataclass
class _RetrievalState:
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
    ) -> "_RetrievalState":
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


PLANS_RECHECK_SECONDS = 2.0  # how stale another process's plan changes may look to a long-running one
GET_PAGE = 5000  # records per read when reading a whole collection or plan (see get_all)
EMBED_BATCH = 256  # sections embedded (and written) per step: progress is reported and kept after each
Progress = Callable[[str, int, int], None]  # (plan name, sections embedded so far, sections to embed)


def check_plan_name(name: str) -> str:
    """A plan name prefixes citations (`NAME:五(一)3`), so it cannot contain a colon or be blank."""
    if not name or name != name.strip() or ":" in name or "：" in name:
        raise ValueError(
            f"{name!r} cannot be a plan name: it prefixes citations as NAME:ID, so it must be non-blank, without "
            "a colon or surrounding spaces. Rename the file or pass another name (`plan-assistant index --plan FILE --name NAME`)."
        )
    return name


def _unreadable(exc: Exception) -> CorruptIndexError:
    return CorruptIndexError(f"The index cannot be read ({exc}). Run `plan-assistant index --rebuild`.")


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def get_all(col, *, where: dict | None = None, include: Sequence[str] = ("metadatas",)) -> dict[str, list]:
    """`col.get` in pages: one get of more records than SQLite's variable limit (~32k) fails in Chroma."""
    out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    page = GET_PAGE
    offset = 0
    while True:
        got = col.get(where=where, include=list(include), limit=page, offset=offset)
        out["ids"] += got["ids"]
        for key in include:
            out[key] += list(got[key] if got[key] is not None else [])
        if len(got["ids"]) < page:
            return out
        offset += page


def _same_file(a: str, b: str) -> bool:
    return bool(a) and bool(b) and Path(a).expanduser().resolve() == Path(b).expanduser().resolve()


def _close_view(gens: Generations | None, view: "_View", stop: bool = True) -> None:
    """Let go of a published generation: give back this view's hold on it and, when no view of this process holds
    it any more, stop its Chroma system and delete it if it is no longer published and no process holds it."""
    if gens is None or view.path is None or view.token is None or view.closed:
        return
    view.closed = True
    if gens.release(view.path) == 0 and stop:
        release_embedded(view.path)
        gens.retire(view.path)


def _release_views(gens: Generations | None, views: list) -> None:
    """A PlanIndex was garbage-collected: give its holds back, but leave Chroma's system running, since a
    collection object taken from it (`PlanIndex.open().collection`) may still be in use."""
    for view in views:
        _close_view(gens, view, stop=False)


@dataclass(eq=False)
class _View:
    """One opened state of the index: a Chroma client on one generation (or on the server) and what was read
    from it. Every read of one question goes through one view, so it never mixes two states of the index."""

    client: ClientAPI
    path: Path | None = None  # the generation directory (embedded); None for a server
    token: str | None = None  # the published generation's name this view opened; None for a staging or a server
    frozen: bool = False  # a published generation never changes: its plans are read once
    plans: dict[str, Plan] | None = None
    plans_seen: tuple[float, dict[str, str]] = (0.0, {})  # (when checked, name -> sha256) of `plans`
    retrieval: _RetrievalState | None = None
    sections_cache: dict = field(default_factory=dict)  # see sections()
    pins: int = 0  # questions being answered from this view (see PlanIndex.snapshot)
    retired: bool = False  # a newer generation was published; closed once the last pin goes
    closed: bool = False

    def carry(self, old: "_View | None") -> "_View":
        """Start from what `old` read: plans whose checksum did not change are not parsed again, and when none
        changed the caches built on them (sections, BM25, outline tables) stay as they are."""
        if old is not None and old.plans is not None:
            self.plans, self.plans_seen = old.plans, (0.0, old.plans_seen[1])
            self.retrieval, self.sections_cache = old.retrieval, dict(old.sections_cache)
        return self


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
        self._latest: _View | None = None
        if self._generations is None:
            self._latest = _View(open_client(settings))  # an unreachable server is reported at once
        self._finalizer = weakref.finalize(self, _release_views, self._generations, [])
        self._vector_cache = None  # see passage_vectors()

    # -- which state of the index is read -------------------------------------
    def _view(self) -> _View:
        pinned = getattr(self._local, "view", None)
        return pinned if pinned is not None else self._sync()

    def _sync(self, pin: bool = False) -> _View:
        """The latest state: when another process published a new generation, open it (and retire the old one)."""
        gens = self._generations
        view = self._latest
        if gens is not None and (view is None or view.token != gens.token()):
            old = None
            with self._switching:
                view = self._latest
                if view is None or view.token != gens.token():
                    old, view = view, self._open_published(view)
                    self._latest = view
                    self._finalizer.detach()
                    self._finalizer = weakref.finalize(self, _release_views, gens, [view])
            if old is not None:
                self._retire(old)
        assert view is not None
        if pin:
            with self._switching:
                if not view.retired:
                    view.pins += 1
                    return view
            return self._sync(pin=True)  # retired between the check and here: take the newest
        return view

    def _open_published(self, old: _View | None) -> _View:
        gens = self._generations
        assert gens is not None
        for _ in range(10):
            path = gens.ensure()
            if not gens.hold(path):
                continue  # deleted between reading the link and holding it: the link has moved on
            try:
                client = open_client(self.settings, path)
            except BaseException:
                gens.release(path)
                raise
            return _View(client, path, path.name, frozen=True).carry(old)
        raise IndexBusyError(f"The index at {self.settings.home} kept changing while it was opened: try again.")

    def _retire(self, view: _View) -> None:
        with self._switching:
            view.retired = True
            idle = view.pins == 0
        if idle:
            _close_view(self._generations, view)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator["PlanIndex"]:
        """Every read inside the block (in this thread) sees one state of the index, even if another process
        publishes a new one meanwhile: an answer never mixes the sections of one state with the search of another."""
        if getattr(self._local, "view", None) is not None:
            yield self
            return
        view = self._sync(pin=True)
        self._local.view = view
        try:
            yield self
        finally:
            self._local.view = None
            with self._switching:
                view.pins -= 1
                done = view.retired and view.pins == 0
            if done:
                _close_view(self._generations, view)

    @property
    def client(self) -> ClientAPI:
        return self._view().client

    @property
    def generation(self) -> Path | None:
        """The directory of the generation this index reads (embedded), None with a Chroma server."""
        return self._view().path

    def close(self) -> None:
        """Let go of the opened generation now (otherwise when this object is garbage-collected)."""
        with self._switching:
            view, self._latest = self._latest, None
        if view is not None and self._generations is not None:
            self._retire(view)

    # -- opening and building -------------------------------------------------
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

    def _lock(self) -> FileLock | None:
        if self.settings.chroma_url:
            return None  # the server serialises writes itself; several workers share it by design
        self.settings.home.mkdir(parents=True, exist_ok=True)
        return FileLock(str(Path(self.settings.home) / "index.lock"))

    @contextlib.contextmanager
    def _writing(self, *, fresh: bool = False, plans: Sequence[str] = (), operation: str = "build") -> Iterator[None]:
        """One writer at a time; a second one is told to wait, not blocked.

        Embedded, the writes go to a new generation (a copy of the published one, or an empty one when `fresh`),
        which is checked and then published whole: readers never see it half-written. A writer that dies leaves
        the generation unpublished, and the next run of the same build continues in it. On a server the writes
        go to the server's collections directly (`fresh` drops the vectors first, never the plans' registry).
        """
        lock = self._lock()
        try:
            if lock is not None:
                lock.acquire(timeout=0)
        except Timeout:
            raise IndexBusyError(
                f"Another plan-assistant process is indexing {self.settings.home} right now. "
                "Wait for it to finish, then run the command again."
            ) from None
        outer = getattr(self._local, "view", None)
        try:
            gens = self._generations
            if gens is None:
                view = self._sync()
                self._local.view = view
                try:
                    if fresh:
                        self._drop_vectors()
                    yield
                finally:
                    view.plans_seen = (0.0, view.plans_seen[1])  # re-read the registry on next use
                return
            staging = gens.begin(fresh=fresh, plans=plans, operation=operation)
            try:
                published = self._sync()
            except IndexError_:  # a corrupt published generation (the reason for a rebuild): nothing to carry
                published = None
            self._local.view = _View(open_client(self.settings, staging.path), staging.path).carry(published)
            try:
                yield
                self.check()  # the new generation is whole before anyone reads it
                manifest = [info.__dict__ for info in self.plans()]
            finally:
                self._local.view = outer
                release_embedded(staging.path)
            gens.publish(staging, manifest)
        finally:
            self._local.view = outer
            if lock is not None:
                lock.release()

    def _load_files(self, plan_files: Sequence[Path | str], names: Sequence[str | None] | None = None) -> list[Plan]:
        files = [Path(p) for p in plan_files]
        if names is not None and len(names) != len(files):
            raise ValueError(f"{len(names)} names were given for {len(files)} plan files; give one name per file")
        return [load_plan(f, check_plan_name(n) if n else None) for f, n in zip(files, names or [None] * len(files))]

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
        if rebuild:
            return self.rebuild(plan_files or (), names=names, progress=progress)
        started = time.perf_counter()
        plans = self._load_files(plan_files or self.settings.plans, names)
        self._check_names(plans)
        report = BuildReport()
        if self._stored_identity() not in (None, self.identity):
            # Another model: every plan already loaded is embedded again, from its stored text.
            new = {p.name for p in plans}
            plans = [p for n, p in self.loaded_plans().items() if n not in new] + plans
            report.rebuilt = True
        return self._write_plans(plans, report, fresh=report.rebuilt, progress=progress, started=started)

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
        from .recovery import recover_plans

        started = time.perf_counter()
        given = self._load_files(plan_files, names)
        self._check_names(given, against=False)
        recovery = recover_plans(self)
        given_names = {p.name for p in given}
        for held in recovery.plans:
            if held.name in given_names and held.source:
                new = next(p for p in given if p.name == held.name)
                if new.path and not _same_file(held.source, new.path):
                    raise ValueError(
                        f"A plan named {held.name!r} is already indexed from {held.source}. To add {new.path} as another "
                        f"plan, give it its own name: `plan-assistant index --rebuild --plan {new.path} --name NAME`."
                    )
        report = BuildReport(rebuilt=True, lost=[r for r in recovery.plans if r.plan is None and r.name not in given_names])
        report.unknown = recovery.unknown
        plans = list(given)
        for held in recovery.plans:
            if held.plan is not None and held.name not in given_names:
                plans.append(held.plan)
                report.origins[held.name] = held.origin
        for plan in given:
            report.origins[plan.name] = str(plan.path or "")
        if not plans and not report.lost:
            plans = self._load_files(self.settings.plans)
            report.origins.update({p.name: str(p.path or "") for p in plans})
        return self._write_plans(plans, report, fresh=True, progress=progress, started=started)

    def _write_plans(
        self, plans: list[Plan], report: BuildReport, *, fresh: bool, progress: Progress | None, started: float
    ) -> BuildReport:
        with self._writing(fresh=fresh, plans=[p.name for p in plans]):
            col = self.collection
            col.modify(metadata={"model": self.identity, "schema": SCHEMA_VERSION})
            for plan in plans:
                report.plans[plan.name] = self._index_plan(col, plan, progress)
            self._drop_orphans(col)
        report.seconds = time.perf_counter() - started
        return report

    def _drop_orphans(self, col) -> int:
        """Delete records of plans the registry does not know: what a build killed before its registry write left."""
        if self.settings.chroma_url:
            return 0  # no lock on a server: another worker's build in progress would look orphaned
        expected = self._expected_vectors()
        if col.count() <= sum(n for n, _ in expected.values()):
            return 0  # no more records than the registered plans need: nothing to drop, no full scan
        known = set(expected)
        got = get_all(col)
        orphans = [i for i, m in zip(got["ids"], got["metadatas"]) if (m or {}).get("plan") not in known]
        self._delete(col, orphans)
        if orphans:
            log.info("dropped %d records left by an interrupted build", len(orphans))
        return len(orphans)

    def _check_names(self, plans: list[Plan], against: bool = True) -> None:
        """Plan names must be unique among `plans`, and (`against`) not taken in the index by another file."""
        seen: dict[str, str] = {}
        for plan in plans:
            check_plan_name(plan.name)
            if plan.name in seen:
                raise ValueError(
                    f"Two plan files are both named {plan.name!r} ({seen[plan.name]} and {plan.path}): give each its "
                    "own name, e.g. index them one at a time with `--name NAME`, or rename one file."
                )
            seen[plan.name] = str(plan.path)
        if not against:
            return
        sources = {info.name: info.source for info in self.plans()} if self.plan_names() else {}
        for plan in plans:
            old = sources.get(plan.name)
            if old and plan.path and not _same_file(old, plan.path):
                raise ValueError(
                    f"A plan named {plan.name!r} is already indexed from {old}. To add {plan.path} as another plan, "
                    f"give it its own name: `plan-assistant index --plan {plan.path} --name NAME`; to replace the "
                    f"indexed one, run `plan-assistant remove {plan.name}` first."
                )

    def _index_plan(self, col, plan: Plan, progress: Progress | None = None) -> dict[str, int]:
        existing = get_all(col, where={"plan": plan.name})
        old_meta = dict(zip(existing["ids"], existing["metadatas"]))
        ids, docs, metas = [], [], []
        order = {s.id: i for i, s in enumerate(plan.sections)}
        for unit in embedding_units(plan):
            s = unit.section
            ids.append(unit.record_id)
            docs.append(unit.text)
            metas.append(
                {
                    "plan": plan.name,
                    "section_id": s.id,
                    "title": s.title,
                    "kind": s.kind,
                    "path": json.dumps(list(s.path), ensure_ascii=False),
                    "order": order[s.id],
                    "hash": unit.hash,
                    "unit": unit.unit,
                }
            )
        changed = [i for i, (rid, m) in enumerate(zip(ids, metas)) if (old_meta.get(rid) or {}).get("hash") != m["hash"]]
        if (changed or set(old_meta) - set(ids)) and plan.name in self.plan_names():
            # Until the registry is rewritten below, the plan's stored text and its vectors may disagree:
            # flag it, so `check` compares its records one by one (it only counts the other plans').
            meta = self.registry.get(ids=[plan.name], include=["metadatas"])["metadatas"][0] or {}
            self.registry.update(ids=[plan.name], metadatas=[{**meta, "building": True}])
        # Chroma caps one write; embedding and writing batch by batch also keeps finished work if interrupted.
        step = max(1, min(EMBED_BATCH, self.client.get_max_batch_size()))
        # Texts of like length embed together: a model batch is padded to its longest text, and a plan mixes
        # one-line sentences with long passages.
        todo = sorted(changed, key=lambda i: len(docs[i]))
        left = Counter(metas[i]["section_id"] for i in changed)  # unembedded units per section
        for part in _chunks(len(todo), step):
            batch = todo[part]
            vectors = self.passage_vectors([docs[i] for i in batch])  # the model runs only for texts never embedded
            col.upsert(
                ids=[ids[i] for i in batch],
                documents=[docs[i] for i in batch],
                metadatas=[metas[i] for i in batch],
                embeddings=[v.tolist() for v in vectors],
            )
            left.subtract(metas[i]["section_id"] for i in batch)
            if progress is not None:  # counted in sections: one is done when its passage and sentences are
                progress(plan.name, sum(1 for n in left.values() if n == 0), len(left))
        changed_set = set(changed)
        unchanged = [i for i in range(len(ids)) if i not in changed_set]
        # Unchanged text can still move (a section inserted before it shifts `order`): rewrite only those.
        moved = [i for i in unchanged if old_meta.get(ids[i]) != metas[i]]
        for part in _chunks(len(moved), step):
            col.update(ids=[ids[i] for i in moved[part]], metadatas=[metas[i] for i in moved[part]])
        removed = sorted(set(old_meta) - set(ids))
        self._delete(col, removed)
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
                    "indexed_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                    "source": str(Path(plan.path).expanduser().resolve()) if plan.path else "",
                    "vectors": len(ids),
                    "building": False,
                }
            ],
        )
        # Counted in sections: a section counts as embedded when any of its vectors was.
        embedded = {metas[i]["section_id"] for i in changed}
        gone = {(old_meta[r] or {}).get("section_id") for r in removed} - {s.id for s in plan.sections}
        return {
            "sections": len(plan.sections),
            "embedded": len(embedded),
            "unchanged": len(plan.sections) - len(embedded),
            "removed": len(gone),
        }

    def _stored_identity(self) -> str | None:
        client = self.client
        if not collection_exists(client, self.settings.collection):
            return None
        meta = client.get_collection(self.settings.collection).metadata or {}
        return meta.get("model")

    def _drop_vectors(self) -> None:
        """Drop the vectors (a rebuild on a server embeds everything again), keeping the registry: the plans'
        text stays stored, so a rebuild killed half-way loses no plan and the next one finds them all."""
        if collection_exists(self.client, self.settings.collection):
            self.client.delete_collection(self.settings.collection)

    @classmethod
    def wipe(cls, settings: Settings) -> None:
        """Start an embedded index over, empty: an empty generation is published and the old one is deleted once
        no process reads it. Prefer `rebuild()`, which keeps every plan."""
        if settings.chroma_url:
            raise ValueError("--rebuild on a Chroma server drops the collections instead; the directory is the server's")
        idx = cls(settings)
        with idx._writing(fresh=True, operation="wipe"):
            pass
        idx.close()

    def remove(self, name: str) -> int:
        """Remove one plan and its sections, leaving the others as they are; returns how many sections went."""
        self.require_plan(name)
        with self._writing(plans=[name], operation="remove"):
            col = self.collection
            got = get_all(col, where={"plan": name})
            n = len({(m or {}).get("section_id") for m in got["metadatas"]})  # sentence vectors are no sections
            # Registry first: a removal killed half-way leaves orphan records, never served, not a plan without vectors.
            self.registry.delete(ids=[name])
            self._delete(col, got["ids"])  # by id: one delete(where=plan) of a large plan exceeds SQLite's variable limit
            return n

    def require_plan(self, name: str | None) -> None:
        """Refuse a plan name that is not loaded, naming the ones that are (None means every plan)."""
        if name is not None and name not in self.plan_names():
            loaded = ", ".join(self.plan_names()) or "none"
            raise KeyError(f"No plan named {name!r} is indexed. Loaded: {loaded}. See `plan-assistant plans`.")

    def check(self) -> None:
        """Fail clearly when the stored index came from another model or lost its vectors."""
        stored = self._stored_identity()
        if stored is not None and stored != self.identity:
            raise ModelMismatchError(
                f"The index at {self.settings.home} was built with model {stored}, but the current model is "
                f"{self.identity}. Run `plan-assistant index --rebuild` to re-embed the plans."
            )
        # Every registered text needs its vectors; extra records (left by a build killed before its registry
        # write) are harmless: searches skip them and the next build deletes them. Reading every record's hash
        # takes seconds at 100k sections, so only suspect plans are read: all of them when records are missing
        # by count, else those a build was changing when it stopped (flagged in the registry).
        try:
            expected = self._expected_vectors()
            if not expected and not collection_exists(self.client, self.settings.collection):
                return  # nothing indexed yet (and a reader does not create collections)
            col = self.collection
            count = col.count()
        except Exception as exc:
            raise _unreadable(exc) from None
        total = sum(n for n, _ in expected.values())
        suspects = sorted(expected) if count < total else sorted(name for name, (_, building) in expected.items() if building)
        missing: dict[str, int] = {}
        plans = self.loaded_plans()
        for name in suspects:
            if name not in plans:
                continue
            try:
                got = get_all(col, where={"plan": name})
            except Exception as exc:
                raise _unreadable(exc) from None
            have = {i: (m or {}).get("hash") for i, m in zip(got["ids"], got["metadatas"])}
            lacking = sum(have.get(u.record_id) != u.hash for u in embedding_units(plans[name]))
            if lacking:
                missing[name] = lacking
        if missing:
            sources = {info.name: info.source for info in self.plans()}
            fixes = "; ".join(
                f"{name} lacks {n} vectors: run `plan-assistant index --plan {sources.get(name) or 'FILE'}` "
                f"again or `plan-assistant remove {name}`"
                for name, n in sorted(missing.items())
            )
            raise CorruptIndexError(
                f"The index at {self.settings.home} is incomplete (a build was interrupted or files were lost): "
                f"{fixes}. `plan-assistant index --rebuild` rebuilds everything."
            )
        extra = count - total
        if extra > 0:
            log.info("%d records left by an interrupted build are ignored; the next `plan-assistant index` drops them", extra)

    def _delete(self, col, ids: Sequence[str]) -> None:
        """Delete records by id, in batches of what the client takes in one call."""
        for part in _chunks(len(ids), max(1, self.client.get_max_batch_size())):
            col.delete(ids=list(ids[part]))

    def _expected_vectors(self) -> dict[str, tuple[int, bool]]:
        """Per registered plan: how many records its text needs, and whether a build was changing it."""
        registry = self._registry_of(self._view())
        if registry is None:
            return {}
        got = registry.get(include=["metadatas"])
        out: dict[str, tuple[int, bool]] = {}
        for name, meta in zip(got["ids"], got["metadatas"]):
            meta = meta or {}
            n = meta.get("vectors")
            if n is None:  # registered before the count was recorded: count from the text
                plan = self.loaded_plans().get(name)
                n = len(embedding_units(plan)) if plan else 0
            out[name] = (int(n), bool(meta.get("building")))
        return out

    # -- reading --------------------------------------------------------------
    def _registry_of(self, view: _View):
        """The view's plan registry, or None when nothing was ever indexed there (a reader never creates it)."""
        if not collection_exists(view.client, f"{self.settings.collection}__plans"):
            return None
        return registry_collection(view.client, self.settings.collection)

    def plan_names(self) -> list[str]:
        registry = self._registry_of(self._view())
        return sorted(registry.get(include=[])["ids"]) if registry is not None else []

    def loaded_plans(self) -> dict[str, Plan]:
        """Plans re-parsed from the text stored in the index, so every process sees the same sections.

        Embedded, a published generation never changes: its registry is read once, and a new generation
        (another process indexed or removed a plan) is a new view. On a server another process may change the
        plans at any time: the registry's checksums are re-read every PLANS_RECHECK_SECONDS. Either way only
        plans whose checksum changed are parsed again.
        """
        v = self._view()
        checked, shas = v.plans_seen
        if v.plans is not None and checked > 0 and (v.frozen or time.monotonic() - checked < PLANS_RECHECK_SECONDS):
            return v.plans
        registry = self._registry_of(v)
        got = registry.get(include=["metadatas"]) if registry is not None else {"ids": [], "metadatas": []}
        current = {name: meta.get("sha256", "") for name, meta in zip(got["ids"], got["metadatas"])}
        if v.plans is None or current != shas:
            old = v.plans or {}
            stale = sorted(n for n in current if n not in old or shas.get(n) != current[n])
            fresh = registry.get(ids=stale, include=["documents", "metadatas"]) if stale and registry else {"ids": []}
            plans = {n: p for n, p in old.items() if n in current and n not in stale}
            for name, text, meta in zip(fresh["ids"], fresh.get("documents") or [], fresh.get("metadatas") or []):
                plans[name] = parse_plan(text, name=name, path=meta.get("source") or None)
            current = {n: current[n] for n in plans}  # a plan written between the two reads is picked up next time
            v.plans = dict(sorted(plans.items()))
        v.plans_seen = (time.monotonic(), current)
        return v.plans

    def plans(self) -> list[PlanInfo]:
        registry = self._registry_of(self._view())
        got = registry.get(include=["metadatas"]) if registry is not None else {"ids": [], "metadatas": []}
        return [
            PlanInfo(i, m.get("title", ""), int(m.get("sections", 0)), m.get("indexed_at", ""), m.get("sha256", ""), m.get("source", ""))
            for i, m in sorted(zip(got["ids"], got["metadatas"]))
        ]

    def sections(self, plan: str | None = None) -> tuple[Section, ...]:
        """Every section (of `plan`, when given) in plan order: the same tuple while the plans stay the same, so
        callers can cache what they derive from it on its identity instead of re-reading 100k sections per question."""
        self.require_plan(plan)
        v = self._view()
        plans = self.loaded_plans()
        cache = v.sections_cache
        if cache.get("plans") is not plans:  # loaded_plans() builds a new dict whenever a plan changes
            cache.clear()
            cache["plans"] = plans
        if (plan,) not in cache:
            cache[(plan,)] = tuple(s for name, p in plans.items() if plan in (None, name) for s in p.sections)
        return cache[(plan,)]

    def targets(self, plan: str | None = None) -> list["Target"]:
        """Quantitative targets (2200家以上, 8-10家, 每年…40个, 30%) found in the sections' text, in order."""
        from .targets import extract_targets

        return extract_targets(self.sections(plan))

    def periods(self) -> list["Period"]:
        """The loaded documents in time order, each with the years it is about (from its title or name)."""
        from .periods import document_period, order_plans

        return order_plans(document_period(n, p.title) for n, p in self.loaded_plans().items())

    def embed_phrases(self, texts: Sequence[str]) -> np.ndarray:
        """e5 vectors of short phrases (a figure's subject, a question), remembered: grouping metrics again after a
        plan is added embeds only the new phrases."""
        from .embedder import embed_queries

        new = [t for t in dict.fromkeys(texts) if t not in self._phrase_vectors]
        if new:
            for text, vec in zip(new, embed_queries(self.model, new)):
                self._phrase_vectors[text] = vec
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._phrase_vectors[t] for t in texts])

    def metrics(self, plans: Sequence[str] | None = None, *, kind: str = "target", shared: bool = True) -> list["Metric"]:
        """The documents' figures grouped into metrics across documents (经济增长, 赤字率…; index/metrics.py): one
        row per metric, one cell per document in time order. `plans`: only these documents (default: all);
        `kind`: "target" (goals the documents set) or "outcome" (results they report); `shared`: only metrics that
        at least two of the documents give."""
        from .metrics import group_metrics

        loaded = self.loaded_plans()
        names = list(plans) if plans else list(loaded)
        for name in names:
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
        section_id = section_id.strip().replace("：", ":")  # a Chinese keyboard types the full-width colon
        if ":" in section_id:
            named, rest = (part.strip() for part in section_id.split(":", 1))
            if plan in (None, named):  # "PLAN:ID" within that same plan is the same section
                plan, section_id = named, rest
        self.require_plan(plan)
        found = [s for name, p in self.loaded_plans().items() if plan in (None, name) if (s := p.get(section_id))]
        if len(found) > 1:
            options = ", ".join(self.citation_id(s) for s in found)
            raise KeyError(f"Section {section_id!r} is in several plans; name the plan: {options}.")
        if not found:
            raise KeyError(f"No section {section_id!r}. See `plan-assistant sections` for the outline.")
        return found[0]

    def citation_id(self, section: Section) -> str:
        """The ID an answer cites: `五(一)3` with one plan loaded, `PLAN:五(一)3` when several are."""
        return section.id if len(self.loaded_plans()) <= 1 else f"{section.plan}:{section.id}"

    def _section(self, plan: str, section_id: str) -> Section | None:
        p = self.loaded_plans().get(plan)
        return p.get(section_id) if p else None

    # -- searching ------------------------------------------------------------
    def _retrieval_state(self) -> _RetrievalState:
        """Stored-vector bookkeeping and the BM25 index for the loaded plans, rebuilt when the plans change."""
        v = self._view()
        plans = self.loaded_plans()
        signature = tuple((name, p.sha256) for name, p in plans.items())
        state = v.retrieval
        if state is None or state.signature != signature:
            cache = TokenCache(Path(self.settings.home) / "tokens" / self.settings.collection)  # pruned per index
            state = v.retrieval = _RetrievalState.build(signature, plans, cache)
            cache.keep([sha for _, sha in signature])
        return state

    def outline(self, plan: str | None = None) -> Outline:
        """Lookup tables over the numbering and titles of the loaded plans (or one): sections a text names."""
        self.require_plan(plan)
        return self._retrieval_state().outline(plan)

    def translate(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """English phrases of `text` with the loaded plans' Chinese words they translate to (CC-CEDICT)."""
        return self._retrieval_state().lexical.translate(text)

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
        from .embedder import embed_queries

        return embed_queries(self.model, [text])[0]

    def dense_scores(
        self, query: str, n: int, plan: str | None = None, *, query_vector: np.ndarray | None = None
    ) -> dict[SectionKey, float]:
        """The n nearest sections by e5 cosine, each scored by its best vector (passage, sentence or outline)."""
        state = self._retrieval_state()
        if n <= 0 or not state.keys:
            return {}
        vec = (self.embed_query(query) if query_vector is None else query_vector).tolist()
        # A section has several vectors (its passage, sentences, outline): fetch that many per wanted section.
        # Records an interrupted build left behind are skipped below; only when they crowd out sections is the
        # query repeated wider (counting the collection instead costs ~30 ms per query at 100k sections).
        fetch = n * max(1, round(len(state.units) / len(state.keys)))
        while True:
            res = self.collection.query(
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

    def lexical_scores(self, query: str, plan: str | None = None) -> ScoreArray[SectionKey]:
        """BM25 score of every section for the query (0 for the sections of other plans than `plan`, when given)."""
        state = self._retrieval_state()
        scores = state.lexical.scores(query)
        if plan is not None and len(state.plan_slices) > 1:
            start, stop = state.plan_slices.get(plan, (0, 0))
            scores[:start] = 0.0
            scores[stop:] = 0.0
        return ScoreArray(state.keys, state.position, scores)

    def dense_search(self, query: str, n: int, plan: str | None = None, *, query_vector: np.ndarray | None = None) -> list[Hit]:
        """Nearest sections by e5 cosine similarity (score = the best vector's 1 - cosine distance)."""
        return [
            Hit(s, score, dense=score)
            for key, score in self.dense_scores(query, n, plan, query_vector=query_vector).items()
            if (s := self._section(*key)) is not None
        ]

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
        query = (query or "").strip()
        if not query:
            raise ValueError("The question is empty: type a question about the plan.")
        if not has_words(query):  # "？？？", "!!!": nothing a section could match
            raise ValueError("The question has no words, only punctuation or symbols: type a question about the plan.")
        self.require_plan(plan)
        k = k or self.settings.k
        retriever = retriever or self.settings.retriever
        if retriever not in RETRIEVERS:
            raise ValueError(f"Unknown retriever {retriever!r}: choose one of {', '.join(RETRIEVERS)}.")
        if retriever == "dense":
            return self.dense_search(query, k, plan, query_vector=query_vector)
        lexical = self.lexical_scores(query, plan)
        if retriever == "bm25":
            ranked = top_scores(lexical, k)
            return [Hit(s, v, lexical=v) for key, v in ranked if (s := self._section(*key)) is not None]
        dense = self.dense_scores(query, self.settings.candidates, plan, query_vector=query_vector)
        return self.rank(query, dense, lexical, k, plan)

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
        w = self.settings.dense_weight if dense_weight is None else dense_weight
        top_lexical = top_scores(lexical, self.settings.candidates)
        keys = list(dict.fromkeys([*dense, *(key for key, _ in top_lexical)]))
        channels = {"dense": dict(dense), "bm25": {key: lexical.get(key, 0.0) for key in keys}}
        fused = fuse(channels, {"dense": w, "bm25": 1.0 - w}, method or self.settings.fusion)
        order = sorted(fused, key=lambda key: -fused[key])
        routed: list[SectionKey] = []
        if routing:
            routed = self._route(query, self._retrieval_state().outline(plan), fused, lexical)
        hits: list[Hit] = []
        top = fused[order[0]] if order else 0.0
        for i, key in enumerate(routed):
            s = self._section(*key)
            if s is not None:
                hits.append(Hit(s, top + len(routed) - i, dense.get(key), lexical.get(key), route="outline"))
        taken = set(routed)
        for key in order:
            if len(hits) >= max(k, len(routed)):
                break
            if key not in taken and (s := self._section(*key)) is not None:
                hits.append(Hit(s, fused[key], dense.get(key), lexical.get(key)))
        return hits

    @staticmethod
    def _route(
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

    def as_retriever(self, k: int | None = None, plan: str | None = None):
        """This index as a LangChain retriever, so chains compose with it."""
        from .retriever import PlanRetriever

        return PlanRetriever(index=self, k=k or self.settings.k, plan=plan)
