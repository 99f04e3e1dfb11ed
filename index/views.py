"""Which state of the index is read: one view per published generation, kept by a question until it is answered."""
from __future__ import annotations

import contextlib
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Protocol, TypeVar

from chromadb.api import ClientAPI

from .errors import IndexBusyError
from .generations import Generations
from .retrieval_state import RetrievalState
from .sections import Plan
from .settings import Settings
from .store import open_client, release_embedded


def close_view(gens: Generations | None, view: "View", stop: bool = True) -> None:
    """Let go of a published generation: give back this view's hold on it and, when no view of this process holds
    it any more, stop its Chroma system and delete it if it is no longer published and no process holds it."""
    if gens is None or view.path is None or view.token is None or view.closed:
        return
    view.closed = True
    if gens.release(view.path) == 0 and stop:
        release_embedded(view.path)
        gens.retire(view.path)


def release_views(gens: Generations | None, views: list) -> None:
    """A PlanIndex was garbage-collected: give its holds back, but leave Chroma's system running, since a
    collection object taken from it (`PlanIndex.open().collection`) may still be in use."""
    for view in views:
        close_view(gens, view, stop=False)


@dataclass(eq=False)
class View:
    """One opened state of the index: a Chroma client on one generation (or on the server) and what was read
    from it. Every read of one question goes through one view, so it never mixes two states of the index."""

    client: ClientAPI
    path: Path | None = None  # the generation directory (embedded); None for a server
    token: str | None = None  # the published generation's name this view opened; None for a staging or a server
    frozen: bool = False  # a published generation never changes: its plans are read once
    plans: dict[str, Plan] | None = None
    plans_seen: tuple[float, dict[str, str]] = (0.0, {})  # (when checked, name -> sha256) of `plans`
    retrieval: RetrievalState | None = None
    sections_cache: dict = field(default_factory=dict)  # see PlanIndex.sections()
    pins: int = 0  # questions being answered from this view (see PlanIndex.snapshot)
    retired: bool = False  # a newer generation was published; closed once the last pin goes
    closed: bool = False

    def carry(self, old: "View | None") -> "View":
        """Start from what `old` read: plans whose checksum did not change are not parsed again, and when none
        changed the caches built on them (sections, BM25, outline tables) stay as they are."""
        if old is not None and old.plans is not None:
            self.plans, self.plans_seen = old.plans, (0.0, old.plans_seen[1])
            self.retrieval, self.sections_cache = old.retrieval, dict(old.sections_cache)
        return self


class Viewed(Protocol):
    """What the views are kept on: a PlanIndex's settings, its generations and the views it has open."""

    settings: Settings
    _generations: Generations | None
    _switching: threading.Lock
    _local: threading.local  # .view: the view this thread is pinned to (a snapshot or a staging)
    _latest: View | None
    _finalizer: weakref.finalize


V = TypeVar("V", bound=Viewed)


def current(idx: Viewed) -> View:
    """The view this thread reads: the one it is pinned to, else the latest."""
    pinned = getattr(idx._local, "view", None)
    return pinned if pinned is not None else sync(idx)


def sync(idx: Viewed, pin: bool = False) -> View:
    """The latest state: when another process published a new generation, open it (and retire the old one)."""
    gens = idx._generations
    view = idx._latest
    if gens is not None and (view is None or view.token != gens.token()):
        old = None
        with idx._switching:
            view = idx._latest
            if view is None or view.token != gens.token():
                old, view = view, open_published(idx, view)
                idx._latest = view
                idx._finalizer.detach()
                idx._finalizer = weakref.finalize(idx, release_views, gens, [view])
        if old is not None:
            retire(idx, old)
    assert view is not None
    if pin:
        with idx._switching:
            if not view.retired:
                view.pins += 1
                return view
        return sync(idx, pin=True)  # retired between the check and here: take the newest
    return view


def open_published(idx: Viewed, old: View | None) -> View:
    gens = idx._generations
    assert gens is not None
    for _ in range(10):
        path = gens.ensure()
        if not gens.hold(path):
            continue  # deleted between reading the link and holding it: the link has moved on
        try:
            client = open_client(idx.settings, path)
        except BaseException:
            gens.release(path)
            raise
        return View(client, path, path.name, frozen=True).carry(old)
    raise IndexBusyError(f"The index at {idx.settings.home} kept changing while it was opened: try again.")


def retire(idx: Viewed, view: View) -> None:
    with idx._switching:
        view.retired = True
        idle = view.pins == 0
    if idle:
        close_view(idx._generations, view)


@contextlib.contextmanager
def snapshot(idx: V) -> Iterator[V]:
    """`PlanIndex.snapshot`: every read inside the block (in this thread) sees one state of the index."""
    if getattr(idx._local, "view", None) is not None:
        yield idx
        return
    view = sync(idx, pin=True)
    idx._local.view = view
    try:
        yield idx
    finally:
        idx._local.view = None
        with idx._switching:
            view.pins -= 1
            done = view.retired and view.pins == 0
        if done:
            close_view(idx._generations, view)


def close(idx: Viewed) -> None:
    """`PlanIndex.close`: let go of the opened generation now (otherwise when the index is garbage-collected)."""
    with idx._switching:
        view, idx._latest = idx._latest, None
    if view is not None and idx._generations is not None:
        retire(idx, view)
