"""BM25 tokens of each plan kept on disk by the plan's checksum, so a new worker does not re-run jieba."""
from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Callable, Collection, Sequence

__all__ = ["TOKENS_VERSION", "TokenCache"]

log = logging.getLogger(__name__)

# Bump when tokenize() or the text it is given (passage_text) changes: older files are then never read.
TOKENS_VERSION = 1


def _tools() -> str:
    import jieba

    return f"v{TOKENS_VERSION}-jieba{getattr(jieba, '__version__', '')}"


class TokenCache:
    """HOME/tokens/COLLECTION/SHA-vN-jiebaX.json: one plan's token lists, section by section.

    Tokenizing costs ~1 ms per section (jieba twice, plus dictionary lookups): 100k sections took ~100 s of
    every worker's cold start. The file is written atomically by whichever process tokenizes first; a missing,
    unreadable or unwritable cache only costs that time again.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _path(self, sha256: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{sha256[:32]}-{_tools()}.json"

    def tokens(self, sha256: str, texts: Sequence[str], tokenize: Callable[[str], list[str]]) -> list[list[str]]:
        """The tokens of `texts` (one plan's, in order), read from the cache or made and written to it."""
        if self.folder is None or not sha256:
            return [tokenize(t) for t in texts]
        path = self._path(sha256)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, list) and len(data) == len(texts) and all(isinstance(d, list) for d in data):
                return data
            log.warning("%s does not match its plan; tokenizing again", path)
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            log.warning("cannot read %s (%s); tokenizing again", path, exc)
        made = [tokenize(t) for t in texts]
        tmp: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(made, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)  # readers see the whole file or none
        except OSError as exc:
            if tmp is not None:  # a full disk must not leave half-written files behind
                Path(tmp).unlink(missing_ok=True)
            log.warning("cannot cache tokens in %s (%s); each new process will tokenize again", self.folder, exc)
        return made

    def keep(self, sha256s: Collection[str]) -> None:
        """Delete the files of plans no longer loaded (or made by another tokenizer version)."""
        if self.folder is None or not self.folder.is_dir():
            return
        wanted = {self._path(s).name for s in sha256s if s}
        for f in self.folder.iterdir():
            if f.name not in wanted and f.suffix == ".json":  # a .tmp may be another process's write
                try:
                    f.unlink()
                except OSError:
                    pass
