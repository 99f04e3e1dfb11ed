"""The `plan-assistant` console script, run as a real subprocess against the session's index."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _index_ready(plan_index):
    """The session index is built in-process first; the subprocesses only read it."""


def test_search_json_contract(run_cli):
    out = run_cli("search", "深圳国家基因库", "--k", "3", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["query"] == "深圳国家基因库"
    assert len(data["results"]) == 3
    assert set(data["results"][0]) == {"id", "title", "score", "text"}


def test_ask_json_contract(run_cli):
    out = run_cli("ask", "深圳计划柔性引进多少名诺贝尔奖科学家？", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"question", "rewritten_question", "answer", "answerable", "citations"} <= set(data)
    assert data["citations"] and set(data["citations"][0]) >= {"id", "title", "quote"}
    assert any(c["id"] in {"五(一)3", "专栏11.3"} for c in data["citations"])


def _imported(stderr: str) -> set[str]:
    """Top-level packages a process imported, from Python's own -X importtime report on stderr."""
    return {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_a_fresh_ask_imports_only_what_it_needs(run_cli):
    """The offline `ask` needs neither the web chat nor the LLM chain, and the bundled model embeds its question
    without torch, transformers or sentence-transformers (index/encoder_numpy.py), tokenized without tokenizers
    (index/unigram.py): each costs a new process seconds (issue 13)."""
    out = run_cli("ask", "深圳计划柔性引进多少名诺贝尔奖科学家？", "--json", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout)["citations"]
    imported = _imported(out.stderr)
    assert {"chromadb", "jieba", "scipy"} <= imported  # the report is complete enough to trust
    assert not imported & {"tokenizers", "gradio", "gradio_client", "langchain", "langchain_core", "langchain_openai",
                           "langchain_huggingface", "transformers", "sentence_transformers", "sklearn", "torch"}


def test_sections_json_lists_the_outline(run_cli):
    out = run_cli("sections", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert len(data) == 70
    assert data[0]["id"] == "五" and set(data[0]) == {"id", "title", "path", "text"}


def test_sections_text_is_an_indented_outline(run_cli):
    out = run_cli("sections")
    assert out.returncode == 0, out.stderr
    assert "  五(一)  创新基础提升工程" in out.stdout


def test_bad_input_gives_one_clear_line_not_a_traceback(run_cli, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    for args in (["search", "   "], ["index", "--plan", str(empty)], ["index", "--plan", str(tmp_path / "missing.txt")]):
        out = run_cli(*args, env={"PLAN_ASSISTANT_HOME": str(tmp_path / "h")})
        assert out.returncode == 2, (args, out.stderr)
        assert "Traceback" not in out.stderr
        assert out.stderr.startswith("plan-assistant: error:")
