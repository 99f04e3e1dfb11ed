"""Questions asking several things at once (assistant/compound.py): where they split, and a joined answer citing each
part's section, on real report paragraphs through a real index."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.compound import split_question

REPORTS = Path(__file__).resolve().parents[1] / "data" / "corpora" / "gov-work-reports"


def test_a_shared_topic_is_said_in_every_part():
    assert split_question("单位GDP能耗：去年降了多少，今年要降多少？") == [
        "单位GDP能耗，去年降了多少？", "单位GDP能耗，今年要降多少？"]
    assert split_question("养老保险方面，去年做成了什么、今年要推进什么？") == [
        "养老保险方面，去年做成了什么？", "养老保险方面，今年要推进什么？"]


def test_a_later_part_that_leans_on_the_first_is_marked_as_a_follow_up():
    assert split_question("营改增今年要扩大到哪些行业？从什么时候开始？") == ["营改增今年要扩大到哪些行业？", "那从什么时候开始？"]
    assert split_question("How many new urban jobs were created over the period, and what is the target for 2021?") == [
        "How many new urban jobs were created over the period?", "And what is the target for 2021?"]


@pytest.mark.parametrize("question", [
    "深圳打算建几个诺奖科学家实验室？",
    "有没有跟怀孕、新生儿健康有关的内容？",  # one question word, an enumeration
    "“十三五”这五年，经济总量从多少涨到了多少？",  # two question words in one clause
    "进出口货物通关时间这几年缩短了多少？",  # 这几年 asks nothing
    "那人才方面呢？",
    "Which industries and which regions are prioritized?",  # a part of three words is a phrase, not a question
    "How big is the budget deficit this year?",
])
def test_a_question_asking_one_thing_is_not_split(question):
    assert split_question(question) == []


@pytest.fixture(scope="module")
def report(tmp_path_factory, settings, model):
    """The 2016 report's review paragraph (energy use fell 5.6%) and its targets paragraph (fall 3.4% or more)."""
    from assistant import PlanAssistant
    from index import PlanIndex

    lines = (REPORTS / "government-work-report-2016.txt").read_text(encoding="utf-8").splitlines()
    review = next(ln for ln in lines if "能耗下降5.6%" in ln)
    goals = next(ln for ln in lines if "能耗下降3.4%以上" in ln)
    folder = tmp_path_factory.mktemp("compound")
    (folder / "report-2016.txt").write_text(
        f"2016年政府工作报告\n一、2015年工作回顾\n{review}\n二、2016年重点工作\n{goals}\n", encoding="utf-8")
    pa = PlanAssistant(PlanIndex(settings.with_(home=folder / "home")))
    pa.index.build([folder / "report-2016.txt"])
    return pa


@pytest.mark.slow
def test_each_part_is_answered_from_its_own_section(report):
    answer = report.ask("单位GDP能耗：去年降了多少，今年要降多少？")
    assert answer.answerable
    assert {c.id for c in answer.citations} >= {"一", "二"}
    first, second = answer.text.split("\n\n（2）")
    assert first.startswith("（1）单位GDP能耗，去年降了多少？\n") and "5.6%" in first
    assert second.startswith("单位GDP能耗，今年要降多少？\n") and "3.4%以上" in second
    assert len({(c.plan, c.id) for c in answer.citations}) == len(answer.citations)  # one chip per section
    parts = answer.verification["offline"]["parts"]
    assert [p["answerable"] for p in parts] == [True, True]
