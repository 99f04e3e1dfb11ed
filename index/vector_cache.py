"""e5 passage vectors kept on disk by model, precision and text: each text is embedded once per machine."""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

__all__ = ["VECTORS_VERSION", "VectorCache"]

log = logging.getLogger(__name__)

VECTORS_VERSION = 1  # bump when what is stored changes
MAX_SEGMENTS = 32  # more segment files than this are merged into one by the next writer
MAX_VECTORS = 200_000  # ~300 MB at 384 dimensions: beyond it the cache starts over
_DIGEST = 16  # bytes of sha256 kept per text


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()[:_DIGEST]


class VectorCache:
    """CACHE/vectors/KEY/*.npz: unit vectors of texts embedded by one model at one precision (KEY), by each text's
    sha256. `PlanIndex.passage_vectors` goes through it, for what an index stores and for the sentences the
    answerer scores, so re-indexing a plan (another home, `--rebuild`) and a new process's first answers read
    what was embedded before instead of running the model.

    Each process that embeds new texts adds one segment file, written atomically; the next writer merges them
    once there are more than MAX_SEGMENTS, and a key past MAX_VECTORS starts over. A segment that is damaged (its
    zip checksums fail) or unreadable is skipped and removed; a missing or unwritable cache only costs embedding.
    """

    def __init__(self, folder: Path | None, key: str) -> None:
        safe = hashlib.sha256(f"v{VECTORS_VERSION}:{key}".encode()).hexdigest()[:24]
        self.folder = folder / safe if folder is not None else None
        self._vectors: dict[bytes, np.ndarray] | None = None
        self._segments: set[Path] = set()
        self._lock = threading.Lock()  # a server answers on several threads; the embedding itself runs unlocked

    def cached(self, texts: Sequence[str]) -> int:
        """How many of `texts` are in the cache."""
        if self.folder is None:
            return 0
        with self._lock:
            known = self._load()
            return sum(1 for t in texts if _digest(t) in known)

    def embed(self, texts: Sequence[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Vectors of `texts` in order: cached ones read, the others computed (in one call) and stored."""
        texts = list(texts)
        if self.folder is None or not texts:
            return np.asarray(compute(texts), dtype=np.float32)
        digests = [_digest(t) for t in texts]
        with self._lock:
            known = self._load()
            todo = {d: t for d, t in zip(digests, texts) if d not in known}
        if todo:
            fresh = np.asarray(compute(list(todo.values())), dtype=np.float32)
            added = dict(zip(todo, fresh))
            with self._lock:
                known.update(added)
                self._write(added)
        return np.stack([known[d] for d in digests])

    # -- disk -------------------------------------------------------------------------------------------------
    def _load(self) -> dict[bytes, np.ndarray]:
        if self._vectors is not None:
            return self._vectors
        assert self.folder is not None
        self._vectors = {}
        for path in sorted(self.folder.glob("*.npz")) if self.folder.is_dir() else []:
            got = self._read(path)
            if got is not None:
                self._vectors.update(got)
                self._segments.add(path)
        return self._vectors

    def _read(self, path: Path) -> dict[bytes, np.ndarray] | None:
        try:
            with np.load(path, allow_pickle=False) as data:
                digests, vectors = data["digests"], data["vectors"]
            if digests.dtype != np.uint8 or digests.ndim != 2 or digests.shape[1] != _DIGEST or vectors.ndim != 2:
                raise ValueError("unexpected arrays")
            if len(digests) != len(vectors) or vectors.dtype != np.float32:
                raise ValueError("digests and vectors do not match")
        except FileNotFoundError:  # merged away by another process meanwhile
            return None
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            log.warning("cached vectors %s are damaged (%s); they will be embedded again", path, exc)
            path.unlink(missing_ok=True)
            return None
        return {bytes(d): v for d, v in zip(digests, vectors)}

    def _write(self, added: dict[bytes, np.ndarray]) -> None:
        assert self.folder is not None and self._vectors is not None
        merge = len(self._segments) >= MAX_SEGMENTS
        if len(self._vectors) > MAX_VECTORS:  # texts of plans long gone pile up: start over
            self._clear()
            merge = False
            added = dict(added)
            self._vectors = dict(added)
        payload = self._vectors if merge else added
        if not payload:
            return
        tmp: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, digests=np.frombuffer(b"".join(payload), dtype=np.uint8).reshape(-1, _DIGEST),
                         vectors=np.stack(list(payload.values())).astype(np.float32, copy=False))
            path = self.folder / f"{os.getpid()}-{os.urandom(6).hex()}.npz"
            os.replace(tmp, path)  # readers see the whole segment or none
            tmp = None
            if merge:
                for old in self._segments:
                    old.unlink(missing_ok=True)
                self._segments = set()
            self._segments.add(path)
        except OSError as exc:
            log.warning("cannot cache vectors in %s (%s); a new process will embed them again", self.folder, exc)
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)

    def _clear(self) -> None:
        for old in self._segments:
            old.unlink(missing_ok=True)
        self._segments = set()
