"""Generations of the embedded index: built beside the published one, switched whole, deleted once nobody reads them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings

from index.generations import BUILDING, Generations, copy_generation, read_manifest
from index.store import initialize_embedded, release_embedded


def gens_in(home: Path) -> Generations:
    return Generations(home / "chroma", initialize_embedded)


def write_records(path: Path, n: int) -> None:
    """Put n records in a Chroma directory (what a build does), then let the directory go."""
    client = chromadb.PersistentClient(path=str(path.resolve()), settings=ChromaSettings(anonymized_telemetry=False))
    col = client.get_or_create_collection("records", embedding_function=None)
    col.add(ids=[f"r{i}" for i in range(n)], embeddings=[[float(i), 1.0, 0.5] for i in range(n)])
    release_embedded(path)


def count_records(path: Path) -> int:
    client = chromadb.PersistentClient(path=str(path.resolve()), settings=ChromaSettings(anonymized_telemetry=False))
    try:
        return client.get_collection("records").count()
    finally:
        release_embedded(path)


def test_first_use_publishes_an_empty_generation_behind_the_link(tmp_path):
    gens = gens_in(tmp_path)
    assert gens.current() is None
    first = gens.ensure()
    assert (tmp_path / "chroma").is_symlink() and first.name == "g000001"
    assert (first / "chroma.sqlite3").is_file()  # a valid empty index: readers never create one
    assert gens.ensure() == first and gens.token() == "g000001"


def test_an_index_from_before_generations_becomes_the_first_one(tmp_path):
    legacy = tmp_path / "chroma"
    legacy.mkdir()
    write_records(legacy, 3)
    gens = gens_in(tmp_path)
    first = gens.ensure()
    assert (tmp_path / "chroma").is_symlink() and count_records(first) == 3
    assert count_records(tmp_path / "chroma") == 3  # old paths lead to the same files


def test_a_write_is_published_whole_and_the_old_generation_goes_when_unheld(tmp_path):
    gens = gens_in(tmp_path)
    first = gens.ensure()
    write_records(first, 2)
    assert gens.hold(first)  # a reader has the published generation open
    staging = gens.begin(fresh=False, plans=["a"], operation="build")
    assert staging.path != first and not staging.resumed and gens.current() == first
    assert count_records(staging.path) == 2  # a copy of the published one
    write_records(staging.path, 5)
    gens.publish(staging, [{"name": "a", "source": "/plans/a.txt"}])
    assert gens.current() == staging.path and not (staging.path / BUILDING).exists()
    assert read_manifest(staging.path) == [{"name": "a", "source": "/plans/a.txt"}]
    assert first.is_dir(), "a generation a reader holds is kept"
    assert gens.release(first) == 0
    gens.retire(first)  # what a reader does when it lets the old generation go
    assert not first.exists() and sorted(p.name for p in gens.root.iterdir()) == ["g000002"]


def test_a_generation_another_process_holds_is_not_deleted(tmp_path):
    gens = gens_in(tmp_path)
    first = gens.ensure()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from index.generations import Generations; "
         f"g = Generations(Path({str(tmp_path / 'chroma')!r})); assert g.hold(g.current()); print('held', flush=True); "
         "sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        gens.publish(gens.begin(fresh=True, plans=[], operation="wipe"), [])
        gens.collect()
        assert first.is_dir(), "another process reads it"
    finally:
        holder.communicate("", timeout=30)
    gens.collect()
    assert not first.exists()


def test_a_killed_build_is_continued_by_the_same_build_and_dropped_by_another(tmp_path):
    gens = gens_in(tmp_path)
    gens.ensure()
    killed = gens.begin(fresh=False, plans=["a"], operation="build")
    write_records(killed.path, 4)  # written before the "kill": never published
    again = gens.begin(fresh=False, plans=["a", "b"], operation="build")
    assert again.resumed and again.path == killed.path and count_records(again.path) == 4
    other = gens.begin(fresh=False, plans=["c"], operation="build")  # another build starts over
    assert not other.resumed and other.path != killed.path and not killed.path.exists()
    removal = gens.begin(fresh=False, plans=["c"], operation="remove")  # a removal never continues anything
    assert not removal.resumed and not other.path.exists()


def test_a_half_copied_staging_is_never_continued(tmp_path):
    gens = gens_in(tmp_path)
    first = gens.ensure()
    write_records(first, 2)
    half = gens.root / "g000005"
    half.mkdir()
    (half / "chroma.sqlite3").write_bytes(b"")  # a copy killed before its marker was written
    staging = gens.begin(fresh=False, plans=["a"], operation="build")
    assert not staging.resumed and not half.exists() and count_records(staging.path) == 2


def test_hold_fails_on_a_generation_deleted_meanwhile(tmp_path):
    gens = gens_in(tmp_path)
    first = gens.ensure()
    gens.publish(gens.begin(fresh=True, plans=[], operation="wipe"), [])
    assert not first.exists()  # nobody held it
    assert gens.hold(first) is False


def test_copy_is_consistent_while_a_reader_opens_the_source(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    write_records(src, 50)
    reader = subprocess.Popen(
        [sys.executable, "-c",
         "import chromadb, sys; from chromadb.config import Settings; "
         f"c = chromadb.PersistentClient(path={str(src.resolve())!r}, settings=Settings(anonymized_telemetry=False)); "
         "print(c.get_collection('records').count(), flush=True)"],
        stdout=subprocess.PIPE, text=True,
    )
    copy_generation(src, tmp_path / "dst")
    assert reader.communicate(timeout=60)[0].strip() == "50"
    assert count_records(tmp_path / "dst") == 50
