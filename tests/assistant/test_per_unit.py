"""The unit a figure is asked per, and whether a sentence gives one per it (assistant/per_unit.py)."""
from __future__ import annotations

import pytest

from assistant.per_unit import asked_units, missing, states_per


def test_the_unit_is_read_after_mei_or_before_jun() -> None:
    assert asked_units("每户家庭能领多少补贴？") == [("户",)]
    assert asked_units("每个孩子每月能扣多少？") == [("孩",), ("月",)]
    assert asked_units("人均补助提高了多少？") == [("人",)]
    # Yearly figures and per-10,000 counts are stated without 每: the older test (any 每 / 均) decides those.
    assert asked_units("每年新增多少就业？") is None
    assert asked_units("每万人发明专利拥有量是多少？") is None


def test_a_sentence_gives_a_figure_per_the_asked_unit_or_not() -> None:
    sentence = "城乡居民医保财政补助由每人每年420元提高到450元。"
    assert states_per(sentence, ("人",)) and states_per("人均财政补助标准再提高30元。", ("人",))
    assert not states_per(sentence, ("户",))  # per person is not per household (dev rd-038)
    assert states_per("日均新登记企业1.2万户。", ("日", "日子", "每天"))
    assert missing("每户能拿多少？", [("户",)], [sentence])
    assert not missing("每人能拿多少？", [("人",)], [sentence])
    assert missing("每年能存多少？", None, ["个人养老金制度全面实施。"])  # no unit read: any 每 / 均 counts


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    "居民医保的财政补助，今年每户家庭能拿到多少钱？",
    "How much will resident medical insurance pay each household this year?",
    "种粮农民今年每亩地能领多少补贴？",
])
def test_a_figure_per_a_unit_the_report_never_counts_by_is_refused(report_2022, question) -> None:
    # The 2022 report gives the insurance subsidy per person (人均…提高30元) and the farmers' subsidy as a total:
    # no figure per household or per mu.
    answer = report_2022.ask(question)
    assert not answer.answerable
    assert answer.verification["offline"]["reason"] == "missing:per"


@pytest.mark.slow
def test_a_figure_per_the_unit_the_report_counts_by_is_answered(report_2022) -> None:
    answer = report_2022.ask("居民医保的财政补助，今年每人再提高多少？")
    assert answer.answerable and "30元" in answer.text
