"""Index and embedding-model problems the user can fix, importable without Chroma (the CLI needs them before it opens anything)."""
from __future__ import annotations

__all__ = ["CorruptIndexError", "EmbedderError", "IndexBusyError", "IndexError_", "ModelMismatchError"]


class IndexError_(RuntimeError):
    """Base for index problems the user can fix; the message says how."""


class CorruptIndexError(IndexError_):
    pass


class ModelMismatchError(IndexError_):
    pass


class IndexBusyError(IndexError_):
    pass


class EmbedderError(RuntimeError):
    """The embedding model cannot be prepared or loaded; the message says how to fix it."""
