"""The on-disk BM25 token cache: read back instead of re-tokenized, rebuilt when unreadable, pruned with its plan."""
from __future__ import annotations

import json

import pytest

from index import DEFAULT_PLAN, load_plan
from index.lexical import LexicalIndex, tokenize
from index.records import passage_text
from index.token_cache import TokenCache


def _counting():
    calls: list[str] = []

    def counted(text: str) -> list[str]:
        calls.append(text)
        return tokenize(text)

    return counted, calls


def test_tokens_are_made_once_then_read_back(tmp_path):
    plan = load_plan(DEFAULT_PLAN)
    texts = [passage_text(s) for s in plan.sections]
    cache = TokenCache(tmp_path / "tokens")
    counted, calls = _counting()
    first = cache.tokens(plan.sha256, texts, counted)
    assert len(calls) == len(texts) and first == [tokenize(t) for t in texts]
    again = TokenCache(tmp_path / "tokens").tokens(plan.sha256, texts, counted)  # as a new process would
    assert again == first and len(calls) == len(texts)  # nothing tokenized the second time
    # BM25 built from the cached tokens ranks exactly as one that tokenizes itself
    query = "重大科技基础设施"
    assert list(LexicalIndex(plan.sections, texts, tokens=again).scores(query)) == list(LexicalIndex(plan.sections, texts).scores(query))


def test_a_damaged_or_mismatched_file_is_made_again(tmp_path):
    plan = load_plan(DEFAULT_PLAN)
    texts = [passage_text(s) for s in plan.sections]
    cache = TokenCache(tmp_path)
    cache.tokens(plan.sha256, texts, tokenize)
    (path,) = tmp_path.glob("*.json")
    for damage in ["{not json", json.dumps([["x"]])]:  # truncated, and the wrong number of sections
        path.write_text(damage, encoding="utf-8")
        counted, calls = _counting()
        assert cache.tokens(plan.sha256, texts, counted) == [tokenize(t) for t in texts]
        assert len(calls) == len(texts)


def test_an_unwritable_folder_only_costs_time(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert TokenCache(blocker / "tokens").tokens("ab" * 32, ["深圳建设科技基础设施"], tokenize) == [tokenize("深圳建设科技基础设施")]


def test_files_of_plans_no_longer_loaded_are_pruned(tmp_path):
    cache = TokenCache(tmp_path)
    cache.tokens("a" * 64, ["一"], tokenize)
    cache.tokens("b" * 64, ["二"], tokenize)
    cache.keep(["b" * 64])
    assert [p.name[:1] for p in tmp_path.glob("*.json")] == ["b"]


@pytest.mark.slow
def test_a_search_leaves_the_tokens_for_the_next_process(plan_index):
    plan_index.search("深圳要建设哪些重大科技基础设施？")
    files = list((plan_index.settings.home / "tokens" / plan_index.settings.collection).glob("*.json"))
    assert len(files) == len(plan_index.loaded_plans())
    sections = plan_index.loaded_plans()[DEFAULT_PLAN.stem].sections
    assert len(json.loads(files[0].read_text(encoding="utf-8"))) == len(sections)
