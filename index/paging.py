"""Reading and deleting Chroma records in pages: one call over more records than SQLite's variable limit fails."""
from __future__ import annotations

from typing import Iterator, Sequence

from chromadb.api import ClientAPI

GET_PAGE = 5000  # records per read when reading a whole collection or plan (see get_all)


def chunks(n: int, size: int) -> Iterator[slice]:
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


def delete_records(client: ClientAPI, col, ids: Sequence[str]) -> None:
    """Delete records by id, in batches of what the client takes in one call."""
    for part in chunks(len(ids), max(1, client.get_max_batch_size())):
        col.delete(ids=list(ids[part]))
