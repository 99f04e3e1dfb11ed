"""Copy-on-write generations of the embedded index: writers build beside the published one, readers switch whole.

Chroma's embedded client is not process-safe. A reader process keeps each collection's HNSW graph in memory
and never sees vectors another process adds (its counts and metadata, read from SQLite, do change), and a
directory deleted and recreated under it (`--rebuild`) leaves it with collection IDs that no longer exist. So
the embedded index is never written where anyone reads it:

    HOME/chroma                -> chroma.generations/g000007      (a symlink, switched by one atomic rename)
    HOME/chroma.generations/g000007/          the published generation: complete, never written again
    HOME/chroma.generations/g000008/          a writer's staging: a copy of g000007 being changed
    HOME/chroma.generations/g000007.lock      readers hold a shared flock on the generation they have open

A writer (holding HOME/index.lock) copies the published generation, changes the copy, checks it and switches
the link. Readers compare the link with the generation they have open before every read and reopen when it
moved, so they answer from the old state until the new one is complete, then from the new one. A generation
is deleted once it is not the published one and nobody holds its lock. A writer that dies leaves its staging
with a `building.json` marker; the next run of the same build continues in it instead of starting over.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from filelock import FileLock

log = logging.getLogger(__name__)

BUILDING = "building.json"  # in a staging directory until it is published
MANIFEST = "plans.json"  # the published plans' names and files: what `--rebuild` falls back on
_NAME = re.compile(r"^g(\d{6,})$")
SWITCH_WAIT = 60.0  # seconds to wait for another process's switch (it holds the lock for milliseconds)


@dataclass(frozen=True)
class Staging:
    """A writer's generation directory before it is published."""

    path: Path
    base: str | None  # the generation it was copied from; None when it started empty
    resumed: bool  # continues a staging a killed build left behind


class Generations:
    """The generation directories behind one embedded index link (`Settings.chroma_dir`)."""

    def __init__(self, link: Path, initialize: Callable[[Path], None] | None = None) -> None:
        self.link = Path(link)
        self.root = self.link.parent / f"{self.link.name}.generations"
        self._initialize = initialize  # makes an empty directory a valid empty index (creates chroma.sqlite3)

    # -- reading the published generation ------------------------------------------------------------------
    def token(self) -> str | None:
        """The published generation's name, from one readlink: cheap enough to call before every read."""
        try:
            return Path(os.readlink(self.link)).name
        except OSError:  # no link yet, or a directory of the layout before generations
            return None

    def current(self) -> Path | None:
        token = self.token()
        return self.root / token if token else None

    def ensure(self) -> Path:
        """The published generation; the first call makes one (empty, or the pre-generations directory)."""
        path = self.current()
        if path is not None and path.is_dir():
            return path
        with self._switch():
            path = self.current()
            if path is not None:
                if path.is_dir():
                    return path
                from .errors import CorruptIndexError

                raise CorruptIndexError(
                    f"{self.link} points to {path}, which is missing. Run `plan-assistant index --rebuild` to rebuild "
                    "the index from the plan files."
                )
            self.root.mkdir(parents=True, exist_ok=True)
            target = self._next_path()
            if self.link.is_dir() and not self.link.is_symlink():
                # An index made before generations: it becomes the first one. Processes that have it open keep
                # working, their paths now lead through the link to the same files.
                os.rename(self.link, target)
            else:
                target.mkdir()
                if self._initialize is not None:
                    self._initialize(target)
            self._point(target)
            return target

    # -- writing a new generation --------------------------------------------------------------------------
    def begin(self, *, fresh: bool, plans: Sequence[str], operation: str) -> Staging:
        """A staging directory for a writer that holds the index lock: a copy of the published generation (or
        empty when `fresh`), or the staging a killed run of the same build left, which it then continues."""
        base = self.ensure()
        wanted = {"base": base.name, "fresh": fresh, "operation": operation}
        resumed: Path | None = None
        left = self._stagings()
        for path in left:
            info = _read_json(path / BUILDING) or {}
            same = all(info.get(k) == v for k, v in wanted.items()) and set(info.get("plans", [])) <= set(plans)
            if same and operation == "build" and _healthy(path):
                resumed = path
                break
        path = resumed
        if path is None:
            with self._switch():  # numbered before the old stagings go: a name is never used twice
                path = self._next_path()
                path.mkdir()
        for old in left:
            if old != resumed:
                log.info("dropping the unfinished index build in %s", old)
                self._delete(old)
        self.collect()
        if resumed is not None:
            _write_json(resumed / BUILDING, {**wanted, "plans": sorted(plans)})
            return Staging(resumed, None if fresh else base.name, True)
        if fresh:
            if self._initialize is not None:
                self._initialize(path)
        else:
            with self.holding(base):
                copy_generation(base, path)
        _write_json(path / BUILDING, {**wanted, "plans": sorted(plans)})  # last: a half-made copy is never resumed
        return Staging(path, None if fresh else base.name, False)

    def publish(self, staging: Staging, manifest: list[dict]) -> None:
        """Make a finished staging the published generation (one atomic rename of the link)."""
        _write_json(staging.path / MANIFEST, manifest)
        with self._switch():
            self._point(staging.path)
        with contextlib.suppress(FileNotFoundError):
            (staging.path / BUILDING).unlink()
        self.collect()

    def collect(self) -> None:
        """Delete generations nobody uses: not published, not a staging, no process holding their lock."""
        current = self.current()
        if not self.root.is_dir():
            return
        for path in sorted(self.root.iterdir()):
            if not path.is_dir() or not _NAME.match(path.name) or path == current:
                continue
            if (path / BUILDING).exists():
                continue  # a staging: `begin` decides whether it is continued or dropped
            self._delete(path)
        for lock in self.root.glob("g*.lock"):
            if not (self.root / lock.stem).exists():
                self._delete(self.root / lock.stem)

    def retire(self, path: Path) -> None:
        """A reader closed `path`: delete it if it is no longer published and no other process holds it."""
        if path != self.current() and path.is_dir() and not (path / BUILDING).exists():
            self._delete(path)

    def stagings(self) -> list[Path]:
        """Unpublished generation directories (a build in progress, or one that was killed)."""
        return self._stagings()

    # -- holding a generation open -------------------------------------------------------------------------
    def hold(self, path: Path) -> bool:
        """Take a shared lock that keeps `path` from being deleted; False when it was deleted meanwhile."""
        return _HOLDS.acquire(self._lock_file(path), path)

    def release(self, path: Path) -> int:
        """Give one hold back; returns how many this process still has on `path`."""
        return _HOLDS.release(self._lock_file(path))

    @contextlib.contextmanager
    def holding(self, path: Path) -> Iterator[None]:
        if not self.hold(path):
            raise FileNotFoundError(path)
        try:
            yield
        finally:
            self.release(path)

    # -- internals -----------------------------------------------------------------------------------------
    def _lock_file(self, path: Path) -> Path:
        return self.root / f"{path.name}.lock"

    @contextlib.contextmanager
    def _switch(self) -> Iterator[None]:
        """Serialises the moments the link or the numbering changes (held for milliseconds, not a whole build)."""
        self.link.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.link.parent / f"{self.link.name}.switch.lock"), timeout=SWITCH_WAIT):
            yield

    def _point(self, target: Path) -> None:
        tmp = self.link.parent / f".{self.link.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(os.path.relpath(target, self.link.parent), tmp)
        os.replace(tmp, self.link)

    def _next_path(self) -> Path:
        numbers = [int(m.group(1)) for p in self.root.iterdir() if (m := _NAME.match(p.name.removesuffix(".lock")))]
        return self.root / f"g{max(numbers, default=0) + 1:06d}"

    def _stagings(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        current = self.current()
        return sorted(
            p for p in self.root.iterdir() if _NAME.match(p.name) and p != current and (p / BUILDING).is_file()
        )

    def _delete(self, path: Path) -> bool:
        """Delete a generation unless a process holds it (an exclusive flock that fails while any shared one exists)."""
        lock = self._lock_file(path)
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return False
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # a reader has it open: a later collect deletes it
            shutil.rmtree(path, ignore_errors=True)
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()  # a reader that opened this lock file meanwhile finds the directory gone and retries
            return True
        finally:
            os.close(fd)


class _Holds:
    """This process's shared flocks on generation lock files, counted: one lock per file however many views."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[Path, list[int]] = {}  # lock file -> [fd, count]

    def acquire(self, lock: Path, directory: Path) -> bool:
        with self._lock:
            entry = self._held.get(lock)
            if entry is not None:
                entry[1] += 1
                return True
            lock.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a collector deletes this very generation
            if not directory.is_dir() or (directory / BUILDING).exists() and not _is_published(directory):
                os.close(fd)
                return False
            self._held[lock] = [fd, 1]
            return True

    def release(self, lock: Path) -> int:
        with self._lock:
            entry = self._held.get(lock)
            if entry is None:
                return 0
            entry[1] -= 1
            if entry[1] > 0:
                return entry[1]
            del self._held[lock]
            os.close(entry[0])
            return 0


_HOLDS = _Holds()


def _is_published(directory: Path) -> bool:
    """Whether the link points at `directory` (a publish removes the staging marker right after switching)."""
    link = directory.parent.parent / directory.parent.name.removesuffix(".generations")
    try:
        return Path(os.readlink(link)).name == directory.name
    except OSError:
        return False


def copy_generation(src: Path, dst: Path) -> None:
    """Copy an index directory: SQLite through its backup API (a consistent snapshot even while a reader opening
    it writes its bookkeeping row), the HNSW folders as files (readers never write those)."""
    dst.mkdir(parents=True, exist_ok=True)
    for entry in sorted(src.iterdir()):
        target = dst / entry.name
        if entry.name == "chroma.sqlite3":
            source = sqlite3.connect(f"file:{entry}?mode=ro", uri=True, timeout=30)
            copy = sqlite3.connect(str(target))
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        elif entry.is_dir():
            shutil.copytree(entry, target)
        elif entry.name in (BUILDING, MANIFEST) or entry.name.startswith("chroma.sqlite3-"):
            continue  # written anew for the copy; SQLite's journals belong to the original
        else:
            shutil.copy2(entry, target)


def read_manifest(path: Path) -> list[dict]:
    """The plans a generation held when it was published (name, source file, sha256, title, sections)."""
    data = _read_json(path / MANIFEST)
    return [p for p in data if isinstance(p, dict) and p.get("name")] if isinstance(data, list) else []


def _healthy(path: Path) -> bool:
    from .health import check_vector_segments
    from .store import check_sqlite

    try:
        check_sqlite(path)
        check_vector_segments(path, retries=0)
    except Exception:  # noqa: BLE001 - any damage means starting that build over
        return False
    return (path / "chroma.sqlite3").is_file()


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
