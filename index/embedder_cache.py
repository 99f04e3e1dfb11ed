"""One loaded embedding model per process, shared by the index, Chroma's embedding function and the UI."""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

_lock = threading.Lock()


@lru_cache(maxsize=4)
def _load(model_path: Path | None, precision: str) -> Any:
    from transformers.utils import logging as hf_logging

    from .embedder import load_embedder

    hf_logging.disable_progress_bar()  # a weight-loading bar on every CLI call is noise
    return load_embedder(model_path, precision=precision)


def get_embedder(model_path: Path | None = None, precision: str | None = None) -> Any:
    """The process's model for a folder (None: the bundled e5) at a precision (None: "auto", see embedder.PRECISIONS)."""
    from .embedder import resolve_precision

    # Loading takes seconds; the lock keeps two threads of a server from loading it twice.
    with _lock:
        return _load(Path(model_path) if model_path else None, resolve_precision(precision))
