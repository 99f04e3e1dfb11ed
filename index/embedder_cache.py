"""One loaded embedding model per process, shared by the index, Chroma's embedding function and the UI."""
from __future__ import annotations

import atexit
import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_lock = threading.Lock()


@lru_cache(maxsize=4)
def _load(model_path: Path | None, precision: str, runtime: str) -> Any:
    from .embedder import load_embedder

    if model_path is not None or runtime == "sentence-transformers":  # ST loads it: no weight-loading bar
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a weight-loading bar on every CLI call is noise
    return load_embedder(model_path, precision=precision, runtime=runtime)


def get_embedder(model_path: Path | None = None, precision: str | None = None, runtime: str | None = None) -> Any:
    """The process's model for a folder (None: the bundled e5) at a precision (None: "auto", see embedder.PRECISIONS),
    run by a runtime (None: "auto", see embedder.RUNTIMES)."""
    from .embedder import resolve_precision, resolve_runtime

    runtime = resolve_runtime(runtime)
    precision = resolve_precision(precision, "sentence-transformers" if model_path else runtime)
    # Loading takes seconds; the lock keeps two threads of a server from loading it twice.
    with _lock:
        return _load(Path(model_path) if model_path else None, precision, runtime)


def preload(model_path: Path | None = None, precision: str | None = None, runtime: str | None = None) -> threading.Thread:
    """Start loading the model on a thread of its own and return at once: opening the index, reading the plans and
    building BM25 go on meanwhile, and the first `get_embedder` call waits for the load instead of starting it."""

    def run() -> None:
        try:
            model = get_embedder(model_path, precision, runtime)
            from .embedder import embed_queries

            embed_queries(model, ["预热 warm-up"])  # the first pass pages in the weights (torch: sets up its kernels)
        except Exception:  # noqa: BLE001 - the caller's own get_embedder call loads again and reports the error
            log.debug("preloading the embedding model failed", exc_info=True)

    thread = threading.Thread(target=run, name="plan-assistant-model-preload", daemon=True)
    thread.start()
    # A daemon thread still inside torch's warm-up pass when the interpreter finalizes aborts the process
    # ("terminate called without an active exception", exit -6) after the command's output: wait for it at exit.
    atexit.register(thread.join, 120)
    return thread
