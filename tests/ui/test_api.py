"""The chat's answers over Gradio's API: `gradio_client` calls the named endpoint /ask and gets the answer JSON."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(web_url):
    from gradio_client import Client

    return Client(web_url, verbose=False)


def test_ask_endpoint_is_named_and_documented(client):
    info = client.view_api(print_info=False, return_format="dict")
    assert "/ask" in info["named_endpoints"]
    params = [p["parameter_name"] for p in info["named_endpoints"]["/ask"]["parameters"]]
    assert params[:2] == ["question", "history"]


def test_ask_returns_the_answer_with_citations(client, plan_index):
    data = client.predict("深圳要引进多少诺贝尔奖科学家？", api_name="/ask")
    assert {"question", "rewritten_question", "answer", "answerable", "citations"} <= set(data)
    assert data["answer"].strip() and data["citations"]
    ids = {s.id for s in plan_index.sections()}
    for c in data["citations"]:
        assert set(c) >= {"id", "title", "quote"} and c["id"] in ids
        assert c["quote"].replace("……", "")[:4] in plan_index.get(c["id"]).text


def test_ask_takes_the_history_of_a_follow_up(client):
    history = [
        {"role": "user", "content": "深圳要引进多少诺贝尔奖科学家？"},
        {"role": "assistant", "content": "柔性引进10名以上诺贝尔奖科学家。[五(一)3]"},
    ]
    data = client.predict("那院士呢？", history, api_name="/ask")
    assert data["question"] == "那院士呢？"
    assert data["rewritten_question"] != "那院士呢？", "the follow-up is searched with its context"


def test_empty_question_is_a_friendly_answer_not_an_error(client):
    data = client.predict("   ", api_name="/ask")
    assert data["answerable"] is False and data["answer"].strip()
