"""PlanIndex against the real model and a real embedded Chroma."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import DEFAULT_PLAN, CorruptIndexError, IndexBusyError, ModelMismatchError, PlanIndex

pytestmark = pytest.mark.slow


def test_default_plan_is_indexed_once_with_all_sections(plan_index):
    assert plan_index.plan_names() == [DEFAULT_PLAN.stem]
    # One passage vector per section, plus sentence and outline vectors (index.records.embedding_units).
    sections = plan_index.collection.get(where={"unit": "section"}, include=[])["ids"]
    assert len(sections) == 70 and plan_index.collection.count() > 70
    assert len(plan_index.sections()) == 70


def test_search_ranks_the_section_that_answers(plan_index):
    hits = plan_index.search("诺贝尔奖科学家实验室", k=5)
    assert hits[0].section.id in {"五(一)3", "专栏11.3"}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_english_query_finds_chinese_section(plan_index):
    ids = [h.section.id for h in plan_index.search("gene bank and supercomputing center", k=5)]
    assert {"五(一)1", "专栏11.1"} & set(ids)


def test_empty_query_is_refused_clearly(plan_index):
    with pytest.raises(ValueError, match="empty"):
        plan_index.search("   ")


def test_get_by_id(plan_index):
    assert plan_index.get("专栏11.6").title.startswith("创新企业集群")
    with pytest.raises(KeyError):
        plan_index.get("九(九)99")


def test_langchain_retriever_returns_cited_documents(plan_index):
    docs = plan_index.as_retriever(k=3).invoke("深圳国家基因库")
    assert len(docs) == 3
    assert all(d.metadata["id"] and d.page_content for d in docs)


def test_reindex_embeds_only_changed_sections(fresh_settings, model, tmp_path):
    plan = tmp_path / "plan.txt"
    shutil.copy(DEFAULT_PLAN, plan)
    idx = PlanIndex(fresh_settings)
    first = idx.build([plan])
    assert first.plans["plan"]["embedded"] == 70
    again = idx.build([plan])
    assert again.plans["plan"] == {"sections": 70, "embedded": 0, "unchanged": 70, "removed": 0}
    text = plan.read_text(encoding="utf-8").replace("柔性引进10名以上诺贝尔奖科学家", "柔性引进20名以上诺贝尔奖科学家")
    plan.write_text(text, encoding="utf-8")
    changed = idx.build([plan])
    assert changed.plans["plan"]["embedded"] == 1
    assert "20名以上" in PlanIndex(fresh_settings).get("五(一)3").text


def test_index_from_another_model_names_rebuild(fresh_settings, model):
    idx = PlanIndex.open(fresh_settings)
    idx.collection.modify(metadata={"model": "some-other-model", "schema": "1"})
    with pytest.raises(ModelMismatchError, match="--rebuild"):
        PlanIndex.open(fresh_settings)


@pytest.mark.parametrize("content", [b"", b"this is not a database at all" * 10])
def test_corrupt_sqlite_is_detected(fresh_settings, model, content):
    PlanIndex.open(fresh_settings)
    (fresh_settings.chroma_dir / "chroma.sqlite3").write_bytes(content)
    with pytest.raises(CorruptIndexError, match="--rebuild"):
        PlanIndex.open(fresh_settings)
    PlanIndex.wipe(fresh_settings)
    assert len(PlanIndex.open(fresh_settings).collection.get(where={"unit": "section"}, include=[])["ids"]) == 70


def test_second_writer_gets_a_clear_message(fresh_settings, model):
    from filelock import FileLock

    idx = PlanIndex(fresh_settings)
    with FileLock(str(Path(fresh_settings.home) / "index.lock")):
        with pytest.raises(IndexBusyError, match="Another plan-assistant process"):
            idx.build()
