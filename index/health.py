"""Health checks of an embedded Chroma directory that Chroma 1.5 does not make itself.

Chroma keeps each collection's vectors in an HNSW folder named after the segment's UUID and replays
recent writes from a log in chroma.sqlite3. Once a segment has been flushed (the log purged), a
deleted or truncated folder is *not* an error to Chroma: it recreates an empty folder, `count()`
still reports every record, and queries silently return only the few vectors left in the log.
`check_vector_segments` finds that state before Chroma opens (and "heals") the directory.
"""
from __future__ import annotations

import logging
import sqlite3
import struct
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import CorruptIndexError

log = logging.getLogger(__name__)

HNSW_SEGMENT_TYPE = "urn:chroma:segment/vector/hnsw-local-persisted"
# Files a flushed HNSW segment always has (Chroma 1.5 / its hnswlib fork).
FLUSHED_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin", "index_metadata.pickle")
# header.bin: u32 version, u64 offset_level0, u64 max_elements, u64 cur_element_count, u64 size_per_element, ...
_HEADER = struct.Struct("<IQQQQ")
_HEADER_VERSION = 1


@dataclass(frozen=True)
class VectorSegment:
    """One collection's HNSW segment as chroma.sqlite3 records it."""

    id: str
    collection: str
    flushed_seq: int  # 0: never flushed, so Chroma can rebuild the folder from its log

    def folder(self, chroma_dir: Path) -> Path:
        return Path(chroma_dir) / self.id


def vector_segments(chroma_dir: Path) -> list[VectorSegment]:
    """The HNSW segments listed in chroma.sqlite3 (read-only; empty when there is no database yet)."""
    db = Path(chroma_dir) / "chroma.sqlite3"
    if not db.is_file() or db.stat().st_size == 0:
        return []
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error:
        return []  # check_sqlite reports unreadable databases
    try:
        rows = con.execute(
            "SELECT s.id, COALESCE(c.name, s.collection), COALESCE(m.seq_id, 0) FROM segments s "
            "LEFT JOIN collections c ON c.id = s.collection LEFT JOIN max_seq_id m ON m.segment_id = s.id "
            "WHERE s.type = ?",
            (HNSW_SEGMENT_TYPE,),
        ).fetchall()
    except sqlite3.Error as exc:  # a schema this check does not know: leave the verdict to Chroma
        log.debug("vector segment check skipped: %s", exc)
        return []
    finally:
        con.close()
    return [VectorSegment(i, name, int(seq) if isinstance(seq, int) else 0) for i, name, seq in rows]


def segment_problem(folder: Path) -> str | None:
    """Why a flushed HNSW folder cannot hold its vectors, or None when it looks whole."""
    if not folder.is_dir():
        return "its folder is missing"
    missing = [name for name in FLUSHED_FILES if not (folder / name).is_file()]
    if missing:
        return f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing"
    head = (folder / "header.bin").read_bytes()
    if len(head) < _HEADER.size:
        return "header.bin is truncated"
    version, _offset, max_elements, count, per_element = _HEADER.unpack_from(head)
    if version != _HEADER_VERSION:
        return None  # another hnswlib layout: the presence checks above are all we can say
    if count > max_elements or per_element == 0:
        return "header.bin is garbled"
    size = (folder / "data_level0.bin").stat().st_size
    if size < count * per_element:
        return f"data_level0.bin holds {size // per_element} of {count} vectors"
    return None


def check_vector_segments(chroma_dir: Path, *, retries: int = 2, pause: float = 0.5) -> None:
    """Raise CorruptIndexError naming `--rebuild` when a flushed collection lost its HNSW files."""
    problems: dict[str, str] = {}
    for attempt in range(retries + 1):
        problems = {}
        for seg in vector_segments(chroma_dir):
            if seg.flushed_seq <= 0:
                continue  # unflushed: every vector is still in the log and Chroma rebuilds the folder
            problem = segment_problem(seg.folder(chroma_dir))
            if problem:
                problems[seg.collection] = f"{seg.id}: {problem}"
        if not problems or attempt == retries:
            break
        time.sleep(pause)  # another process may be flushing this very segment; look again before judging
    if problems:
        detail = "; ".join(f"collection {name!r} ({why})" for name, why in sorted(problems.items()))
        raise CorruptIndexError(
            f"The index at {chroma_dir} lost vector files: {detail}. Searches would silently miss sections. "
            "Run `plan-assistant index --rebuild` to rebuild it from the plan files."
        )
