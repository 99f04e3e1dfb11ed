"""Writing plans into the index: build, rebuild and remove, each written whole and then published."""
from __future__ import annotations

import contextlib
import json
import logging
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Sequence

import numpy as np
from filelock import FileLock, Timeout

from .checking import Checked, expected_vectors, stored_identity
from .errors import IndexBusyError, IndexError_
from .paging import chunks, delete_records, get_all
from .records import BuildReport, embedding_units
from .sections import Plan, load_plan
from .store import SCHEMA_VERSION, collection_exists, open_client, release_embedded
from .views import View, Viewed, sync

log = logging.getLogger(__name__)

EMBED_BATCH = 256  # sections embedded (and written) per step: progress is reported and kept after each
Progress = Callable[[str, int, int], None]  # (plan name, sections embedded so far, sections to embed)


class Built(Checked, Viewed, Protocol):
    """What building uses of a PlanIndex, beyond what checking reads and the views it keeps."""

    @property
    def registry(self) -> Any: ...

    def check(self) -> None: ...

    def plan_names(self) -> list[str]: ...

    def require_plan(self, name: str | None) -> None: ...

    def passage_vectors(self, texts: Sequence[str]) -> np.ndarray: ...


def check_plan_name(name: str) -> str:
    """A plan name prefixes citations (`NAME:五(一)3`), so it cannot contain a colon or be blank."""
    if not name or name != name.strip() or ":" in name or "：" in name:
        raise ValueError(
            f"{name!r} cannot be a plan name: it prefixes citations as NAME:ID, so it must be non-blank, without "
            "a colon or surrounding spaces. Rename the file or pass another name (`plan-assistant index --plan FILE --name NAME`)."
        )
    return name


def _same_file(a: str, b: str) -> bool:
    return bool(a) and bool(b) and Path(a).expanduser().resolve() == Path(b).expanduser().resolve()


def write_lock(idx: Built) -> FileLock | None:
    if idx.settings.chroma_url:
        return None  # the server serialises writes itself; several workers share it by design
    idx.settings.home.mkdir(parents=True, exist_ok=True)
    return FileLock(str(Path(idx.settings.home) / "index.lock"))


@contextlib.contextmanager
def writing(idx: Built, *, fresh: bool = False, plans: Sequence[str] = (), operation: str = "build") -> Iterator[None]:
    """One writer at a time; a second one is told to wait, not blocked.

    Embedded, the writes go to a new generation (a copy of the published one, or an empty one when `fresh`),
    which is checked and then published whole: readers never see it half-written. A writer that dies leaves
    the generation unpublished, and the next run of the same build continues in it. On a server the writes
    go to the server's collections directly (`fresh` drops the vectors first, never the plans' registry).
    """
    lock = write_lock(idx)
    try:
        if lock is not None:
            lock.acquire(timeout=0)
    except Timeout:
        raise IndexBusyError(
            f"Another plan-assistant process is indexing {idx.settings.home} right now. "
            "Wait for it to finish, then run the command again."
        ) from None
    outer = getattr(idx._local, "view", None)
    try:
        gens = idx._generations
        if gens is None:
            view = sync(idx)
            idx._local.view = view
            try:
                if fresh:
                    drop_vectors(idx)
                yield
            finally:
                view.plans_seen = (0.0, view.plans_seen[1])  # re-read the registry on next use
            return
        staging = gens.begin(fresh=fresh, plans=plans, operation=operation)
        try:
            published = sync(idx)
        except IndexError_:  # a corrupt published generation (the reason for a rebuild): nothing to carry
            published = None
        idx._local.view = View(open_client(idx.settings, staging.path), staging.path).carry(published)
        try:
            yield
            idx.check()  # the new generation is whole before anyone reads it
            manifest = [info.__dict__ for info in idx.plans()]
        finally:
            idx._local.view = outer
            release_embedded(staging.path)
        gens.publish(staging, manifest)
    finally:
        idx._local.view = outer
        if lock is not None:
            lock.release()


def load_files(plan_files: Sequence[Path | str], names: Sequence[str | None] | None = None) -> list[Plan]:
    files = [Path(p) for p in plan_files]
    if names is not None and len(names) != len(files):
        raise ValueError(f"{len(names)} names were given for {len(files)} plan files; give one name per file")
    return [load_plan(f, check_plan_name(n) if n else None) for f, n in zip(files, names or [None] * len(files))]


def build_plans(
    idx: Built,
    plan_files: Sequence[Path | str] | None = None,
    *,
    names: Sequence[str | None] | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> BuildReport:
    """`PlanIndex.build`: index plan files, embedding only sections whose content changed."""
    if rebuild:
        return rebuild_plans(idx, plan_files or (), names=names, progress=progress)
    started = time.perf_counter()
    plans = load_files(plan_files or idx.settings.plans, names)
    check_names(idx, plans)
    report = BuildReport()
    if stored_identity(idx) not in (None, idx.identity):
        # Another model: every plan already loaded is embedded again, from its stored text.
        new = {p.name for p in plans}
        plans = [p for n, p in idx.loaded_plans().items() if n not in new] + plans
        report.rebuilt = True
    return write_plans(idx, plans, report, fresh=report.rebuilt, progress=progress, started=started)


def rebuild_plans(
    idx: Built,
    plan_files: Sequence[Path | str] = (),
    *,
    names: Sequence[str | None] | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """`PlanIndex.rebuild`: embed every plan the index holds again, into a new index, with `plan_files` added."""
    from .recovery import recover_plans

    started = time.perf_counter()
    given = load_files(plan_files, names)
    check_names(idx, given, against=False)
    recovery = recover_plans(idx)
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
        plans = load_files(idx.settings.plans)
        report.origins.update({p.name: str(p.path or "") for p in plans})
    return write_plans(idx, plans, report, fresh=True, progress=progress, started=started)


def write_plans(
    idx: Built, plans: list[Plan], report: BuildReport, *, fresh: bool, progress: Progress | None, started: float
) -> BuildReport:
    with writing(idx, fresh=fresh, plans=[p.name for p in plans]):
        col = idx.collection
        col.modify(metadata={"model": idx.identity, "schema": SCHEMA_VERSION})
        for plan in plans:
            report.plans[plan.name] = index_plan(idx, col, plan, progress)
        drop_orphans(idx, col)
    report.seconds = time.perf_counter() - started
    return report


def drop_orphans(idx: Built, col) -> int:
    """Delete records of plans the registry does not know: what a build killed before its registry write left."""
    if idx.settings.chroma_url:
        return 0  # no lock on a server: another worker's build in progress would look orphaned
    expected = expected_vectors(idx)
    if col.count() <= sum(n for n, _ in expected.values()):
        return 0  # no more records than the registered plans need: nothing to drop, no full scan
    known = set(expected)
    got = get_all(col)
    orphans = [i for i, m in zip(got["ids"], got["metadatas"]) if (m or {}).get("plan") not in known]
    delete_records(idx.client, col, orphans)
    if orphans:
        log.info("dropped %d records left by an interrupted build", len(orphans))
    return len(orphans)


def check_names(idx: Built, plans: list[Plan], against: bool = True) -> None:
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
    sources = {info.name: info.source for info in idx.plans()} if idx.plan_names() else {}
    for plan in plans:
        old = sources.get(plan.name)
        if old and plan.path and not _same_file(old, plan.path):
            raise ValueError(
                f"A plan named {plan.name!r} is already indexed from {old}. To add {plan.path} as another plan, "
                f"give it its own name: `plan-assistant index --plan {plan.path} --name NAME`; to replace the "
                f"indexed one, run `plan-assistant remove {plan.name}` first."
            )


def index_plan(idx: Built, col, plan: Plan, progress: Progress | None = None) -> dict[str, int]:
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
    if (changed or set(old_meta) - set(ids)) and plan.name in idx.plan_names():
        # Until the registry is rewritten below, the plan's stored text and its vectors may disagree:
        # flag it, so `check` compares its records one by one (it only counts the other plans').
        meta = idx.registry.get(ids=[plan.name], include=["metadatas"])["metadatas"][0] or {}
        idx.registry.update(ids=[plan.name], metadatas=[{**meta, "building": True}])
    # Chroma caps one write; embedding and writing batch by batch also keeps finished work if interrupted.
    step = max(1, min(EMBED_BATCH, idx.client.get_max_batch_size()))
    # Texts of like length embed together: a model batch is padded to its longest text, and a plan mixes
    # one-line sentences with long passages.
    todo = sorted(changed, key=lambda i: len(docs[i]))
    left = Counter(metas[i]["section_id"] for i in changed)  # unembedded units per section
    for part in chunks(len(todo), step):
        batch = todo[part]
        vectors = idx.passage_vectors([docs[i] for i in batch])  # the model runs only for texts never embedded
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
    for part in chunks(len(moved), step):
        col.update(ids=[ids[i] for i in moved[part]], metadatas=[metas[i] for i in moved[part]])
    removed = sorted(set(old_meta) - set(ids))
    delete_records(idx.client, col, removed)
    # The registry is written last: a build killed before this point leaves the old plan text in charge.
    idx.registry.upsert(
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


def drop_vectors(idx: Built) -> None:
    """Drop the vectors (a rebuild on a server embeds everything again), keeping the registry: the plans'
    text stays stored, so a rebuild killed half-way loses no plan and the next one finds them all."""
    if collection_exists(idx.client, idx.settings.collection):
        idx.client.delete_collection(idx.settings.collection)


def remove_plan(idx: Built, name: str) -> int:
    """`PlanIndex.remove`: remove one plan and its sections, leaving the others; returns how many sections went."""
    idx.require_plan(name)
    with writing(idx, plans=[name], operation="remove"):
        col = idx.collection
        got = get_all(col, where={"plan": name})
        n = len({(m or {}).get("section_id") for m in got["metadatas"]})  # sentence vectors are no sections
        # Registry first: a removal killed half-way leaves orphan records, never served, not a plan without vectors.
        idx.registry.delete(ids=[name])
        delete_records(idx.client, col, got["ids"])  # by id: one delete(where=plan) of a large plan exceeds SQLite's variable limit
        return n
