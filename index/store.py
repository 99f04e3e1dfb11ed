"""The Chroma side of the index: client, collections, our registered embedding function, health checks."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function

from .errors import CorruptIndexError, IndexBusyError, IndexError_, ModelMismatchError  # noqa: F401 (their old home)
from .health import check_vector_segments
from .settings import Settings

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"
SQLITE_MAGIC = b"SQLite format 3\x00"




@register_embedding_function
class PlanEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma embedding function over our sentence-transformers model; registered so other processes can reopen it."""

    def __init__(
        self, model_path: str | None = None, identity: str = "", precision: str | None = None, runtime: str | None = None
    ) -> None:
        self.model_path = model_path
        self.identity = identity
        self.precision = precision
        self.runtime = runtime  # not in get_config: it changes how the model runs, never its vectors

    def _model(self) -> Any:
        from .embedder_cache import get_embedder

        return get_embedder(Path(self.model_path) if self.model_path else None, self.precision, self.runtime)

    def __call__(self, input: Documents) -> Embeddings:
        from .embedder import embed_passages

        return list(embed_passages(self._model(), list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        from .embedder import embed_queries

        return list(embed_queries(self._model(), list(input)))

    @staticmethod
    def name() -> str:
        return "plan_assistant_sentence_transformer"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]
        return ["cosine"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "PlanEmbeddingFunction":
        return PlanEmbeddingFunction(config.get("model_path"), config.get("identity", ""), config.get("precision"))

    def get_config(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "identity": self.identity, "precision": self.precision}


def check_sqlite(chroma_dir: Path) -> None:
    """Chroma 1.5 opens a zero-byte or garbage chroma.sqlite3 silently as an empty index: refuse instead."""
    db = chroma_dir / "chroma.sqlite3"
    if not db.exists():
        return
    with db.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head != SQLITE_MAGIC:
        raise CorruptIndexError(
            f"The index at {chroma_dir} is corrupt ({db.name} is {'empty' if not head else 'not a SQLite file'}). "
            "Run `plan-assistant index --rebuild` to rebuild it from the plan files."
        )


def open_client(settings: Settings, directory: Path | None = None) -> ClientAPI:
    """An HttpClient when a Chroma server URL is set, otherwise an embedded PersistentClient on `directory`
    (one generation of the index, see generations.py; default: `settings.chroma_dir`)."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"Chroma URL {settings.chroma_url!r} must look like http://HOST:PORT")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise IndexError_(
                f"Cannot reach the Chroma server at {settings.chroma_url} ({exc}). "
                "Start it with `chroma run --path DIR --host 127.0.0.1 --port PORT` or unset PLAN_ASSISTANT_CHROMA_URL."
            ) from None
    directory = Path(directory or settings.chroma_dir)
    directory.mkdir(parents=True, exist_ok=True)
    directory = directory.resolve()  # Chroma caches one system per path string: always the same string
    check_sqlite(directory)
    check_vector_segments(directory)  # before Chroma silently recreates a lost HNSW folder
    try:
        return chromadb.PersistentClient(path=str(directory), settings=chroma_settings)
    except Exception as exc:
        raise CorruptIndexError(
            f"Cannot open the index at {directory} ({exc}). Run `plan-assistant index --rebuild`."
        ) from None


def initialize_embedded(directory: Path) -> None:
    """Make an empty directory an empty index (Chroma creates its database), then let it go again."""
    chromadb.PersistentClient(path=str(Path(directory).resolve()), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))
    release_embedded(directory)


def release_embedded(chroma_dir: Path) -> None:
    """Forget this process's cached Chroma system for a directory, so a wiped index can be reopened.

    Chroma keeps one System per persist directory for the life of the process; after the directory is
    deleted that System points at a database that no longer exists. A link (HOME/chroma) is followed.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(Path(chroma_dir).resolve())  # clients are opened on the generation the link points to
    system = SharedSystemClient._identifier_to_system.pop(key, None)
    SharedSystemClient._identifier_to_refcount.pop(key, None)
    if system is not None:
        try:
            system.stop()
        except Exception:  # a half-broken system may fail to stop; it is discarded either way
            log.debug("stopping the old Chroma system failed", exc_info=True)


def sections_collection(client: ClientAPI, name: str, ef: PlanEmbeddingFunction) -> Collection:
    return client.get_or_create_collection(
        name, embedding_function=ef, configuration={"hnsw": {"space": "cosine"}}
    )


def registry_collection(client: ClientAPI, name: str) -> Collection:
    """One record per plan: its full text (the source of truth for sections) and bookkeeping metadata."""
    # A 1-d placeholder vector: this collection is only read by id, never searched.
    return client.get_or_create_collection(f"{name}__plans", embedding_function=None)


def collection_exists(client: ClientAPI, name: str) -> bool:
    return name in {c.name for c in client.list_collections()}
