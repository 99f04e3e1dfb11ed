"""Checking the stored index before it is read or published: built by this model, and no plan missing vectors."""
from __future__ import annotations

import logging
from typing import Any, Protocol

from chromadb.api import ClientAPI

from .errors import CorruptIndexError, ModelMismatchError
from .paging import get_all
from .reading import registry_of
from .records import PlanInfo, embedding_units
from .sections import Plan
from .settings import Settings
from .store import collection_exists
from .views import View

log = logging.getLogger(__name__)


class Checked(Protocol):
    """What checking reads of a PlanIndex."""

    settings: Settings

    @property
    def identity(self) -> str: ...

    @property
    def client(self) -> ClientAPI: ...

    @property
    def collection(self) -> Any: ...

    def _view(self) -> View: ...

    def loaded_plans(self) -> dict[str, Plan]: ...

    def plans(self) -> list[PlanInfo]: ...


def _unreadable(exc: Exception) -> CorruptIndexError:
    return CorruptIndexError(f"The index cannot be read ({exc}). Run `plan-assistant index --rebuild`.")


def stored_identity(idx: Checked) -> str | None:
    client = idx.client
    if not collection_exists(client, idx.settings.collection):
        return None
    meta = client.get_collection(idx.settings.collection).metadata or {}
    return meta.get("model")


def check(idx: Checked) -> None:
    """`PlanIndex.check`: fail clearly when the stored index came from another model or lost its vectors."""
    stored = stored_identity(idx)
    if stored is not None and stored != idx.identity:
        raise ModelMismatchError(
            f"The index at {idx.settings.home} was built with model {stored}, but the current model is "
            f"{idx.identity}. Run `plan-assistant index --rebuild` to re-embed the plans."
        )
    # Every registered text needs its vectors; extra records (left by a build killed before its registry
    # write) are harmless: searches skip them and the next build deletes them. Reading every record's hash
    # takes seconds at 100k sections, so only suspect plans are read: all of them when records are missing
    # by count, else those a build was changing when it stopped (flagged in the registry).
    try:
        expected = expected_vectors(idx)
        if not expected and not collection_exists(idx.client, idx.settings.collection):
            return  # nothing indexed yet (and a reader does not create collections)
        col = idx.collection
        count = col.count()
    except Exception as exc:
        raise _unreadable(exc) from None
    total = sum(n for n, _ in expected.values())
    suspects = sorted(expected) if count < total else sorted(name for name, (_, building) in expected.items() if building)
    missing: dict[str, int] = {}
    plans = idx.loaded_plans()
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
        sources = {info.name: info.source for info in idx.plans()}
        fixes = "; ".join(
            f"{name} lacks {n} vectors: run `plan-assistant index --plan {sources.get(name) or 'FILE'}` "
            f"again or `plan-assistant remove {name}`"
            for name, n in sorted(missing.items())
        )
        raise CorruptIndexError(
            f"The index at {idx.settings.home} is incomplete (a build was interrupted or files were lost): "
            f"{fixes}. `plan-assistant index --rebuild` rebuilds everything."
        )
    extra = count - total
    if extra > 0:
        log.info("%d records left by an interrupted build are ignored; the next `plan-assistant index` drops them", extra)


def expected_vectors(idx: Checked) -> dict[str, tuple[int, bool]]:
    """Per registered plan: how many records its text needs, and whether a build was changing it."""
    registry = registry_of(idx._view(), idx.settings.collection)
    if registry is None:
        return {}
    got = registry.get(include=["metadatas"])
    out: dict[str, tuple[int, bool]] = {}
    for name, meta in zip(got["ids"], got["metadatas"]):
        meta = meta or {}
        n = meta.get("vectors")
        if n is None:  # registered before the count was recorded: count from the text
            plan = idx.loaded_plans().get(name)
            n = len(embedding_units(plan)) if plan else 0
        out[name] = (int(n), bool(meta.get("building")))
    return out
