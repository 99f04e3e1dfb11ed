"""`index --rebuild` keeps every plan: from its stored text, from its file when that text is unreadable, and
names any plan it could recover from neither."""
from __future__ import annotations

import json
import shutil

import pytest

from index import PlanIndex
from index.health import vector_segments
from index.recovery import STORED, recover_plans
from index.store import release_embedded

pytestmark = pytest.mark.slow

CITY_A = "甲市科技创新规划\n一、重点任务\n（一）海洋经济\n1. 建设深海科考基地\n建设深海科考码头和海洋观测网。\n"
CITY_B = "乙市科技创新规划\n一、重点任务\n（一）航空航天\n1. 建设卫星制造基地\n建设商业卫星总装测试中心。\n"
REPORT = "2016年某市政府工作报告\n一、2015年工作回顾\n全市生产总值增长7%。\n二、2016年工作安排\n城镇新增就业10万人以上。\n"


@pytest.fixture
def three_plans(tmp_path, settings, model, run_cli):
    """An index of three plans added one at a time, as a user does: two cities and a report named r2016."""
    folder = tmp_path / "plans"
    folder.mkdir()
    files = {}
    for name, text in (("city_a", CITY_A), ("city_b", CITY_B), ("report", REPORT)):
        files[name] = folder / f"{name}.txt"
        files[name].write_text(text, encoding="utf-8")
    env = {"PLAN_ASSISTANT_HOME": str(tmp_path / "home")}
    for args in (["--plan", str(files["city_a"])], ["--plan", str(files["city_b"])], ["--plan", str(files["report"]), "--name", "r2016"]):
        out = run_cli("index", *args, env=env)
        assert out.returncode == 0, out.stderr
    return settings.with_(home=tmp_path / "home"), files, env


def names(settings) -> list[str]:
    release_embedded(settings.chroma_dir)
    return PlanIndex.open(settings, build=False).plan_names()


def test_rebuild_keeps_every_plan_and_says_where_each_came_from(three_plans, run_cli):
    settings, files, env = three_plans
    out = run_cli("index", "--rebuild", env=env)
    assert out.returncode == 0, out.stderr
    for name, n in (("city_a", 3), ("city_b", 3), ("r2016", 2)):
        assert f"{name}: {n} sections ({n} embedded, 0 unchanged, 0 removed), from the stored text" in out.stdout
    assert names(settings) == ["city_a", "city_b", "r2016"]
    # The plan files are not needed: the index holds the text.
    for f in files.values():
        f.unlink()
    out = run_cli("index", "--rebuild", env=env)
    assert out.returncode == 0, out.stderr
    assert names(settings) == ["city_a", "city_b", "r2016"]
    idx = PlanIndex.open(settings, build=False)
    assert idx.get("r2016:二").body.startswith("城镇新增就业")
    assert idx.search("卫星", k=1)[0].section.plan == "city_b"


def test_a_corrupt_index_is_rebuilt_from_the_recorded_files_and_a_lost_plan_is_named(three_plans, run_cli):
    settings, files, env = three_plans
    db = settings.chroma_dir / "chroma.sqlite3"
    release_embedded(settings.chroma_dir)
    db.write_bytes(b"garbage " * 100)
    files["city_b"].unlink()  # this one cannot come back
    out = run_cli("search", "卫星", env=env)
    assert out.returncode == 2 and "--rebuild" in out.stderr
    out = run_cli("index", "--rebuild", env=env)
    assert out.returncode == 1, "a plan that could not be recovered is an error"
    assert f"city_a: 3 sections (3 embedded, 0 unchanged, 0 removed), from {files['city_a'].resolve()}" in out.stdout
    assert f"r2016: 2 sections (2 embedded, 0 unchanged, 0 removed), from {files['report'].resolve()}" in out.stdout
    assert "city_b could not be recovered" in out.stderr and "--name city_b" in out.stderr
    assert "Traceback" not in out.stderr
    assert names(settings) == ["city_a", "r2016"]


def test_lost_vector_files_still_give_the_stored_text(tmp_path, settings, model, run_cli):
    from index import CorruptIndexError
    from index.store import PlanEmbeddingFunction

    settings = settings.with_(home=tmp_path / "home")
    files = []
    for name, text in (("city_a", CITY_A), ("city_b", CITY_B)):
        files.append(tmp_path / f"{name}.txt")
        files[-1].write_text(text, encoding="utf-8")
    idx = PlanIndex(settings)
    # A low sync threshold flushes the vectors to their HNSW folder at once, as a real plan's thousands would be.
    idx.client.create_collection(
        settings.collection,
        embedding_function=PlanEmbeddingFunction(None, idx.identity),
        configuration={"hnsw": {"space": "cosine", "sync_threshold": 4, "batch_size": 4}},
    )
    idx.build(files)
    idx.close()
    generation = PlanIndex(settings).generation
    segment = next(s for s in vector_segments(generation) if s.collection == settings.collection)
    assert segment.flushed_seq > 0
    release_embedded(settings.chroma_dir)
    shutil.rmtree(segment.folder(generation))
    with pytest.raises(CorruptIndexError):
        PlanIndex.open(settings, build=False)
    # The registry's rows are read straight from SQLite: the stored text survives the lost vectors.
    recovery = recover_plans(PlanIndex(settings))
    assert {r.name: r.origin for r in recovery.plans} == {"city_a": STORED, "city_b": STORED}
    for f in files:
        f.unlink()
    out = run_cli("index", "--rebuild", env={"PLAN_ASSISTANT_HOME": str(settings.home)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("from the stored text") == 2
    assert names(settings) == ["city_a", "city_b"]


def test_a_plan_given_to_rebuild_replaces_its_namesake_only_from_the_same_file(three_plans, run_cli, tmp_path):
    settings, files, env = three_plans
    files["city_a"].write_text(CITY_A.replace("深海科考码头", "深海科考母港"), encoding="utf-8")
    out = run_cli("index", "--rebuild", "--plan", str(files["city_a"]), env=env)
    assert out.returncode == 0, out.stderr
    assert f"city_a: 3 sections (3 embedded, 0 unchanged, 0 removed), from {files['city_a']}" in out.stdout
    assert "母港" in PlanIndex.open(settings, build=False).get("city_a:一(一)1").text
    other = tmp_path / "elsewhere" / "city_a.txt"
    other.parent.mkdir()
    other.write_text(CITY_A, encoding="utf-8")
    out = run_cli("index", "--rebuild", "--plan", str(other), env=env)
    assert out.returncode == 2 and "already indexed from" in out.stderr and "--name NAME" in out.stderr
    assert names(settings) == ["city_a", "city_b", "r2016"]


def test_plans_json_lists_what_each_generation_held(three_plans):
    settings, files, _ = three_plans
    manifest = json.loads((settings.chroma_dir / "plans.json").read_text(encoding="utf-8"))
    assert [(m["name"], m["source"]) for m in manifest] == [
        ("city_a", str(files["city_a"].resolve())), ("city_b", str(files["city_b"].resolve())),
        ("r2016", str(files["report"].resolve())),
    ]
