"""Embeddings: loads the converted e5 (or another sentence-transformers folder) and embeds questions and passages."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .encoder import bf16_supported, configure_torch_threads
from .errors import EmbedderError
from .model_cache import file_sizes, cache_problem, discard_folder, ensure_model, expected_identity, weights_problem

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from .encoder import E5Encoder

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 16


# --------------------------------------------------------------------------- loading & identity


PRECISIONS = ("auto", "fp32", "bf16", "int8")


def resolve_precision(precision: str | None, runtime: str | None = "torch") -> str:
    """fp32, bf16 or int8; "auto" (the default) is bf16 where the CPU has native bf16, else fp32. Under the
    runtimes that embed on numpy ("auto", "numpy") "auto" stays "auto": numpy batches are fp32, and torch batches
    decide when torch is loaded (E5Encoder), since asking the CPU now would import torch."""
    precision = (precision or "auto").strip().lower()
    if precision not in PRECISIONS:
        raise EmbedderError(
            f"Unknown embedding precision {precision!r}: set PLAN_ASSISTANT_EMBED_PRECISION to one of {', '.join(PRECISIONS)}."
        )
    if precision == "auto":
        if resolve_runtime(runtime) in ("auto", "numpy"):
            return "auto"
        return "bf16" if bf16_supported() else "fp32"
    return precision


def precision_identity(identity: str, precision: str | None) -> str:
    """The model identity an index records. int8 weights move vectors (cosine ~0.97 to fp32): a model of its own,
    so switching rebuilds the index. bf16 products keep vectors within cosine 0.99999 of fp32: the same model.
    Decided without resolving "auto" (never int8), which would import torch just to open an index."""
    choice = (precision or "auto").strip().lower()
    if choice not in PRECISIONS:
        resolve_precision(choice)  # raises the error that names the setting
    return f"{identity}+int8" if choice == "int8" else identity


RUNTIMES = ("auto", "numpy", "torch", "sentence-transformers")


def resolve_runtime(runtime: str | None) -> str:
    """How the bundled model is run (one of RUNTIMES): "auto" (the default) embeds questions with numpy
    (index/encoder_numpy.py, no torch import) and long batches with torch (index/encoder.py); "numpy" or
    "torch" alone; or "sentence-transformers"."""
    runtime = (runtime or "auto").strip().lower()
    if runtime not in RUNTIMES:
        raise EmbedderError(
            f"Unknown embedding runtime {runtime!r}: set PLAN_ASSISTANT_EMBED_RUNTIME to one of {', '.join(RUNTIMES)}."
        )
    return runtime


class _WeightsCheck:
    """weights_problem(folder) on a thread of its own: hashlib releases the GIL, so the 470 MB digest is computed
    on another core while the model loads, instead of before it."""

    def __init__(self, folder: Path) -> None:
        import threading

        self._problem: str | None = None
        self._thread = threading.Thread(target=self._run, args=(folder,), name="plan-assistant-weights-check", daemon=True)
        self._thread.start()

    def _run(self, folder: Path) -> None:
        try:
            self._problem = weights_problem(folder)
        except Exception as exc:  # noqa: BLE001 - reported as a problem, so the cache is rebuilt
            self._problem = f"the weights cannot be checked ({exc})"

    def result(self) -> str | None:
        self._thread.join()
        return self._problem


def load_embedder(
    model_path: str | Path | None = None,
    device: str = "cpu",
    cache_dir: Path | None = None,
    precision: str | None = "fp32",
    runtime: str | None = "sentence-transformers",
) -> SentenceTransformer | E5Encoder:
    """Load the converted e5 (model_path None) or any local sentence-transformers model folder.

    `precision` (one of PRECISIONS) is how the CPU computes: fp32; bf16 matrix products with fp32 layer norms
    (torch autocast); or int8 dynamic quantization of every Linear layer (both run on torch). `runtime` (one of
    RUNTIMES): "auto", "numpy" and "torch" run the converted e5 with index/encoder.py (no transformers import; see
    resolve_runtime); other folders, and "sentence-transformers", load a SentenceTransformer.
    """
    runtime = resolve_runtime(runtime)
    if model_path is not None:
        configure_torch_threads()
        precision = resolve_precision(precision, "sentence-transformers")
        folder = Path(model_path).expanduser().resolve()
        if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
            raise EmbedderError(
                f"{folder} is not a sentence-transformers model folder (no modules.json or config.json). "
                "Point PLAN_ASSISTANT_MODEL at a folder saved with SentenceTransformer.save(), "
                "or unset it to use the bundled multilingual-e5-small."
            )
        return _load_folder(folder, device, model_identity(folder), precision)
    folder = ensure_model(cache_dir)
    check = _WeightsCheck(folder)  # started first: the digest overlaps all of the loading
    precision = resolve_precision(precision, runtime)
    try:
        model = _load_folder(folder, device, expected_identity(), precision, runtime)
    except Exception as exc:  # a cache that passes the size checks can still be corrupt
        check.result()
        log.warning("Cached embedding model %s failed to load (%s); reconverting", folder, exc)
        discard_folder(folder)
        return _load_folder(ensure_model(cache_dir), device, expected_identity(), precision, runtime)
    if (problem := check.result()) is not None:
        log.warning("Embedding model cache %s is damaged (%s); reconverting it", folder, problem)
        discard_folder(folder)
        folder = ensure_model(cache_dir)
        model = _load_folder(folder, device, expected_identity(), precision, runtime)
    return model


def _load_folder(
    folder: Path, device: str, identity: str, precision: str = "fp32", runtime: str = "sentence-transformers"
) -> SentenceTransformer | E5Encoder:
    from .encoder import E5Encoder, supported

    model: SentenceTransformer | E5Encoder
    if runtime != "sentence-transformers" and device == "cpu" and (why := supported(folder)) is None:
        # bf16 and int8 run on torch, whatever the runtime
        model = E5Encoder(folder, engine=runtime if precision in ("fp32", "auto") else "torch")
    else:
        if runtime != "sentence-transformers":
            log.info("%s is run by sentence-transformers: %s", folder, why if device == "cpu" else f"device {device}")
        configure_torch_threads()
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(folder), device=device, local_files_only=True)
    if precision == "int8":
        _quantize_int8(model)
    model.plan_assistant_precision = precision
    model.plan_assistant_identity = precision_identity(identity, precision)  # model_identity() needs no re-hashing
    return model


def _quantize_int8(model: SentenceTransformer | E5Encoder) -> None:
    """Replace every Linear layer by torch's dynamically quantized int8 one, in place."""
    import warnings

    import torch

    from .encoder import E5Encoder

    module = model.model if isinstance(model, E5Encoder) else model
    with warnings.catch_warnings():  # torch.ao.quantization is deprecated in favour of torchao (not installed)
        warnings.simplefilter("ignore")
        torch.ao.quantization.quantize_dynamic(module, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


def _precision_context(model: SentenceTransformer):
    """bf16 autocast for a bf16 SentenceTransformer: matrix products in bf16, layer norms and pooling kept in fp32.
    An E5Encoder sets it per batch itself (only its torch batches run in bf16)."""
    import contextlib

    from .encoder import E5Encoder

    if isinstance(model, E5Encoder) or getattr(model, "plan_assistant_precision", "fp32") != "bf16":
        return contextlib.nullcontext()
    import torch

    return torch.autocast("cpu", dtype=torch.bfloat16)


def model_identity(model: SentenceTransformer | str | Path) -> str:
    """Stable id of the embedding model, stored with an index to detect one built by another model."""
    if isinstance(model, (str, Path)):
        folder = Path(model).expanduser().resolve()
        return expected_identity() if cache_problem(folder) is None else _folder_identity(folder)
    if identity := getattr(model, "plan_assistant_identity", None):
        return identity
    name = getattr(getattr(model, "transformers_model", None), "name_or_path", "") or ""
    if name and Path(name).is_dir():
        return model_identity(name)
    return f"unknown:{type(model).__name__}:{name}"


def _folder_identity(folder: Path) -> str:
    """Path plus a hash of the folder's small config files and every file's size."""
    digest = hashlib.sha256()
    for name, size in file_sizes(folder).items():
        digest.update(f"{name}\0{size}\0".encode())
        if name.endswith(".json") and size < 1 << 20 and not name.endswith("tokenizer.json"):
            digest.update((folder / name).read_bytes())
    return f"{folder}#{digest.hexdigest()[:12]}"


# --------------------------------------------------------------------------- embedding


def _prompt_name(model: SentenceTransformer, candidates: Sequence[str]) -> str | None:
    """First candidate with a non-empty prompt; None means the model is used without prefixes."""
    prompts = getattr(model, "prompts", None) or {}
    return next((name for name in candidates if prompts.get(name)), None)


def _embed(model: SentenceTransformer, texts: Sequence[str], query: bool, batch_size: int) -> np.ndarray:
    if isinstance(texts, str):
        raise TypeError("Pass a list of strings; wrap a single text as [text].")
    texts = list(texts)
    if not texts:
        return np.zeros((0, model.get_embedding_dimension() or 0), dtype=np.float32)
    if query:
        encode, name = model.encode_query, _prompt_name(model, ["query"])
    else:  # ST checks "document" first even when only "passage"/"corpus" is set, hence our own pick
        encode, name = model.encode_document, _prompt_name(model, ["document", "passage", "corpus"])
    with _precision_context(model):
        vectors = encode(
            texts,
            prompt_name=name,
            prompt=None if name else "",
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def embed_queries(
    model: SentenceTransformer, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE
) -> np.ndarray:
    """(n, dim) float32 unit vectors for search questions (adds the model's query prompt)."""
    return _embed(model, texts, True, batch_size)


def embed_passages(
    model: SentenceTransformer, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE
) -> np.ndarray:
    """(n, dim) float32 unit vectors for indexed passages (adds the model's document prompt)."""
    return _embed(model, texts, False, batch_size)
