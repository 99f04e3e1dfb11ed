"""Cache files of plain data: a magic line, the payload's sha256, then the pickle; read back only if intact."""
from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import tempfile
from pathlib import Path

__all__ = ["MAGIC", "read_checked", "write_checked"]

log = logging.getLogger(__name__)

MAGIC = b"plan-assistant-dictionary\n"
_DIGEST = 32  # sha256 of the payload, right after the magic line
_PROTOCOL = 5


class _DataOnly(pickle.Unpickler):
    """Plain data only (dicts, tuples, sets, strings, numbers): a cache file can never name code to run."""

    def find_class(self, module: str, name: str):  # noqa: ANN201
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def read_checked(path: Path, what: str) -> object | None:
    """The object in `path`, or None when the file is missing, cut short, altered or of another format."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("cannot read %s (%s); building the %s again", path, exc, what)
        return None
    head = len(MAGIC) + _DIGEST
    payload = data[head:]
    if not data.startswith(MAGIC) or hashlib.sha256(payload).digest() != data[len(MAGIC) : head]:
        log.warning("%s is damaged (checksum mismatch); building the %s again", path, what)
        return None
    try:
        return _DataOnly(io.BytesIO(payload)).load()
    except (pickle.UnpicklingError, ValueError, EOFError, TypeError) as exc:
        log.warning("%s cannot be loaded (%s); building the %s again", path, exc, what)
        return None


def write_checked(path: Path, obj: object, what: str) -> None:
    """Atomically: readers see the whole file or none. Failing to write only costs the next process the build."""
    payload = pickle.dumps(obj, protocol=_PROTOCOL)
    tmp: str | None = None
    prefix = path.name.split("-", 1)[0]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, path)
        tmp = None
        for old in path.parent.glob(f"{prefix}-*"):  # other versions' files: never read again
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("cannot cache the %s in %s (%s); each new process will build them again", what, path.parent, exc)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
