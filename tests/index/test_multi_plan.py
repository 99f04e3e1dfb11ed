"""Several plans in one index: separate sections, PLAN:ID citations, per-plan filters, incremental adds and removes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from index import DEFAULT_PLAN, PlanIndex

pytestmark = pytest.mark.slow

# Two small plans of different cities that share section numbers (一, 一(一), 一(一)1 ...), as real plans do.
CITY_A = """甲市科技创新规划
一、重点任务
（一）海洋经济
1. 建设深海科考基地
建设深海科考码头和海洋观测网，发展深海探测装备。
2. 培育海洋生物医药
支持海洋生物医药企业开展新药研发。
"""
CITY_B = """乙市科技创新规划
一、重点任务
（一）航空航天
1. 建设卫星制造基地
建设商业卫星总装测试中心，发展卫星导航和遥感应用。
2. 发展通用航空
支持无人机和通用飞机研发制造。
"""


def stored_sections(idx: PlanIndex) -> set[tuple[str, str]]:
    """(plan, section ID) of every record in Chroma (a section may have several vectors: passage, sentences)."""
    metas = idx.collection.get(include=["metadatas"])["metadatas"]
    return {(m["plan"], m["section_id"]) for m in metas}


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory, settings, model):
    """An index holding city_a, then city_b added by a second build: with the reports of both builds."""
    folder = tmp_path_factory.mktemp("plans")
    a, b = write(folder, "city_a.txt", CITY_A), write(folder, "city_b.md", CITY_B)
    idx = PlanIndex(settings.with_(home=tmp_path_factory.mktemp("multi")))
    first = idx.build([a])
    assert idx.citation_id(idx.get("一(一)1")) == "一(一)1"  # one plan: IDs stay bare
    second = idx.build([b])
    return idx, a, b, first, second


def test_adding_a_plan_does_not_re_embed_the_others(two_plans):
    idx, a, b, first, second = two_plans
    assert first.plans == {"city_a": {"sections": 4, "embedded": 4, "unchanged": 0, "removed": 0}}
    assert second.plans == {"city_b": {"sections": 4, "embedded": 4, "unchanged": 0, "removed": 0}}
    again = idx.build([a, b])
    assert again.embedded == 0 and again.plans["city_a"]["unchanged"] == 4 and again.plans["city_b"]["unchanged"] == 4
    assert idx.plan_names() == ["city_a", "city_b"]
    assert stored_sections(idx) == {("city_a", s.id) for s in idx.sections("city_a")} | {
        ("city_b", s.id) for s in idx.sections("city_b")
    }


def test_citations_name_their_plan_and_get_reads_them_back(two_plans):
    idx = two_plans[0]
    a1, b1 = idx.get("city_a:一(一)1"), idx.get("city_b：一(一)1")  # the full-width colon of a Chinese keyboard
    assert a1.title == "建设深海科考基地" and b1.title == "建设卫星制造基地"
    assert idx.citation_id(a1) == "city_a:一(一)1" and idx.citation_id(b1) == "city_b:一(一)1"
    assert idx.get("一(一)1", plan="city_b") is b1
    with pytest.raises(KeyError, match="several plans.*city_a:一\\(一\\)1, city_b:一\\(一\\)1"):
        idx.get("一(一)1")
    with pytest.raises(KeyError, match="No plan named 'city_c'.*city_a, city_b"):
        idx.get("city_c:一")


def test_search_covers_every_plan_and_filters_to_one(two_plans):
    idx = two_plans[0]
    hits = idx.search("卫星导航遥感", k=8)
    assert {h.section.plan for h in hits} == {"city_a", "city_b"}
    assert hits[0].section.plan == "city_b" and hits[0].section.id == "一(一)1"
    only_a = idx.search("卫星导航遥感", k=8, plan="city_a")
    assert only_a and {h.section.plan for h in only_a} == {"city_a"}
    for h in hits:  # every hit's citation resolves to that very section
        assert idx.get(idx.citation_id(h.section)) is h.section
    docs = idx.as_retriever(k=3, plan="city_b").invoke("卫星")
    assert {d.metadata["plan"] for d in docs} == {"city_b"}
    with pytest.raises(KeyError, match="No plan named 'nowhere'"):
        idx.search("卫星", plan="nowhere")


def test_plans_lists_counts_and_index_times(two_plans):
    idx, a, b = two_plans[:3]
    infos = {p.name: p for p in idx.plans()}
    assert [infos[n].sections for n in ("city_a", "city_b")] == [4, 4]
    assert infos["city_b"].title == "乙市科技创新规划"
    assert infos["city_a"].indexed_at[:4].isdigit() and "T" in infos["city_a"].indexed_at
    assert Path(infos["city_b"].source) == b.resolve()


def test_same_file_stem_is_refused_with_the_way_out(two_plans, tmp_path):
    idx, a = two_plans[:2]
    other_a = write(tmp_path / "2021", "city_a.txt", CITY_A.replace("甲市", "甲市2021年"))
    with pytest.raises(ValueError, match="already indexed from .*city_a.txt.*--name NAME.*remove city_a"):
        idx.build([other_a])
    twin = write(tmp_path / "docs", "city_a.md", CITY_A)
    with pytest.raises(ValueError, match="Two plan files are both named 'city_a'"):
        idx.build([other_a, twin])
    with pytest.raises(ValueError, match="cannot be a plan name"):
        idx.build([other_a], names=["bad:name"])
    assert idx.plan_names() == ["city_a", "city_b"]


def test_a_second_process_sees_plans_added_and_removed(two_plans, tmp_path, monkeypatch):
    """A long-running reader (an app worker) notices plans another process adds or removes."""
    import index.plan_index as plan_index_module

    idx = two_plans[0]
    reader = PlanIndex(idx.settings)
    assert sorted(reader.loaded_plans()) == ["city_a", "city_b"]
    c = write(tmp_path, "city_c.txt", CITY_A.replace("甲市", "丙市").replace("深海", "极地"))
    idx.build([c])
    old = plan_index_module.PLANS_RECHECK_SECONDS
    plan_index_module.PLANS_RECHECK_SECONDS = 0.0
    try:
        assert sorted(reader.loaded_plans()) == ["city_a", "city_b", "city_c"]
        assert reader.get("city_c:一(一)1").body.startswith("建设极地科考码头")
        # Records are deleted by id in batches of the client's limit (a large plan would exceed SQLite's).
        # (on the client class: the removal writes through its own client, on a new generation of the index)
        monkeypatch.setattr(type(idx.client), "get_max_batch_size", lambda self: 3)
        assert idx.remove("city_c") == 4
        assert {plan for plan, _ in stored_sections(idx)} == {"city_a", "city_b"}
        assert sorted(reader.loaded_plans()) == ["city_a", "city_b"]
    finally:
        plan_index_module.PLANS_RECHECK_SECONDS = old


def test_cli_lists_filters_and_removes_plans(two_plans, run_cli, tmp_path):
    """Runs last in this module: it removes city_b and checks city_a is left exactly as it was."""
    idx = two_plans[0]
    env = {"PLAN_ASSISTANT_HOME": str(idx.settings.home)}
    listed = json.loads(run_cli("plans", "--json", env=env).stdout)
    assert [(p["name"], p["sections"]) for p in listed] == [("city_a", 4), ("city_b", 4)]
    out = run_cli("ask", "卫星导航", "--plan", "city_b", "--json", env=env)
    assert out.returncode == 0, out.stderr
    cited = [c["id"] for c in json.loads(out.stdout)["citations"]]
    assert cited and all(c.startswith("city_b:") for c in cited)
    assert "city_b:一(一)1" in cited
    before = idx.collection.get(where={"plan": "city_a"}, include=["embeddings", "documents"])
    out = run_cli("remove", "city_b", env=env)
    assert out.returncode == 0 and "removed city_b (4 sections)" in out.stdout, out.stderr
    after = idx.collection.get(where={"plan": "city_a"}, include=["embeddings", "documents"])
    assert after["ids"] == before["ids"] and after["documents"] == before["documents"]
    assert (after["embeddings"] == before["embeddings"]).all()
    out = run_cli("search", "卫星导航", "--k", "2", "--json", env=env)
    assert out.returncode == 0, out.stderr
    # One plan left: citations are bare IDs again, as with the default single plan.
    assert [r["id"] for r in json.loads(out.stdout)["results"]][0] in {"一(一)1", "一(一)2", "一(一)", "一"}
    out = run_cli("remove", "city_b", env=env)
    assert out.returncode == 2 and "No plan named 'city_b'" in out.stderr


def test_cli_name_gives_a_second_plan_of_the_same_stem_its_own_name(run_cli, tmp_path, settings):
    home = tmp_path / "home"
    first = write(tmp_path / "2016", "plan.txt", CITY_A)
    second = write(tmp_path / "2021", "plan.txt", CITY_B)
    env = {"PLAN_ASSISTANT_HOME": str(home)}
    assert run_cli("index", "--plan", str(first), env=env).returncode == 0
    clash = run_cli("index", "--plan", str(second), env=env)
    assert clash.returncode == 2 and "--name NAME" in clash.stderr and "Traceback" not in clash.stderr
    named = run_cli("index", "--plan", str(second), "--name", "plan-2021", env=env)
    assert named.returncode == 0, named.stderr
    assert "plan-2021: 4 sections (4 embedded" in named.stdout
    idx = PlanIndex(settings.with_(home=home))
    assert idx.plan_names() == ["plan", "plan-2021"]
    assert idx.get("plan-2021:一(一)1").title == "建设卫星制造基地"


def test_a_lost_record_is_found_by_count_and_named(tmp_path, settings, model):
    """Opening counts records instead of reading them all; a count short of the plans' needs names the plan."""
    from index import CorruptIndexError

    idx = PlanIndex(settings.with_(home=tmp_path / "home"))
    idx.build([write(tmp_path, "city_a.txt", CITY_A)])
    PlanIndex.open(idx.settings, build=False)  # whole: passes
    idx.collection.delete(ids=[idx.collection.get(limit=1)["ids"][0]])
    with pytest.raises(CorruptIndexError, match=r"city_a lacks 1 vectors: run `plan-assistant index --plan .*city_a\.txt"):
        PlanIndex.open(idx.settings, build=False)


def test_default_plan_ids_stay_bare(plan_index):
    assert plan_index.plan_names() == [DEFAULT_PLAN.stem]
    hit = plan_index.search("诺贝尔奖科学家实验室", k=1)[0]
    assert plan_index.citation_id(hit.section) == hit.section.id and ":" not in hit.section.id
