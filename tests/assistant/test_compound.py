"""Questions asking several things at once (assistant/compound.py): where they split, and a joined answer citing each
part's section, on real report paragraphs through a real index."""
from __future__ import annotations

import pytest

from assistant.compound import split_question


def test_a_shared_topic_is_said_in_every_part():
    assert split_question("单位GDP能耗：去年降了多少，今年要降多少？") == [
        "单位GDP能耗，去年降了多少？", "单位GDP能耗，今年要降多少？"]
    assert split_question("养老保险方面，去年做成了什么、今年要推进什么？") == [
        "养老保险方面，去年做成了什么？", "养老保险方面，今年要推进什么？"]


def test_a_later_part_that_leans_on_the_first_is_marked_as_a_follow_up():
    assert split_question("营改增今年要扩大到哪些行业？从什么时候开始？") == ["营改增今年要扩大到哪些行业？", "那从什么时候开始？"]
    assert split_question("How many new urban jobs were created over the period, and what is the target for 2021?") == [
        "How many new urban jobs were created over the period?", "And what is the target for 2021?"]


def test_an_english_topic_before_the_first_question_is_said_in_every_part():
    assert split_question("In the 2021 report, how many jobs were created last year, and what is the target for this year?") == [
        "In the 2021 report, how many jobs were created last year?", "In the 2021 report, what is the target for this year?"]


def test_things_joined_before_each_ask_the_rest_of_each():
    assert split_question("深圳规划里，诺奖科学家实验室和海外创新中心各要建多少个？") == [
        "深圳规划里，诺奖科学家实验室要建多少个？", "深圳规划里，海外创新中心要建多少个？"]
    assert split_question("北京、上海和深圳分别建几个中心？") == ["北京建几个中心？", "上海建几个中心？", "深圳建几个中心？"]


@pytest.mark.parametrize("question", [
    "深圳打算建几个诺奖科学家实验室？",
    "其中中央和地方各占多少？",  # points back at what the last answer gave: one question about it
    "2016年和2017年分别是多少？",  # years joined are documents to compare, or one document's years
    "那明年和后年分别还要发多少？",
    "那退休人员的基本养老金呢，涨几个点？",  # a clause asking by 呢 alone names the next question's topic
    "有没有跟怀孕、新生儿健康有关的内容？",  # one question word, an enumeration
    "“十三五”这五年，经济总量从多少涨到了多少？",  # two question words in one clause
    "进出口货物通关时间这几年缩短了多少？",  # 这几年 asks nothing
    "那人才方面呢？",
    "Which industries and which regions are prioritized?",  # a part of three words is a phrase, not a question
    "How big is the budget deficit this year?",
    "In the 2017 report, how many new pilot free trade zones had been set up in the previous year?",  # a topic, one ask
    # an auxiliary after a comma inverts the one question's subject and verb after a fronted phrase
    "How much tax relief, counting refunds, are businesses getting this year?",
    "Which existing universities in Shenzhen, such as SUSTech, does the plan want to grow stronger?",
])
def test_a_question_asking_one_thing_is_not_split(question):
    assert split_question(question) == []


@pytest.fixture(scope="module")
def report(compare_assistant):
    """Three real reports, cut (tests/conftest.py); the 2016 one's review (energy use fell 5.6%) is in 一, its
    targets (fall 3.4% or more) in 三. A two-paragraph index would not do: its word statistics are no report's."""
    return lambda question: compare_assistant.ask(question, plan="government-work-report-2016")


@pytest.mark.slow
def test_each_part_is_answered_from_its_own_section(report):
    answer = report("单位GDP能耗：去年降了多少，今年要降多少？")
    assert answer.answerable
    assert {c.id for c in answer.citations} >= {"government-work-report-2016:一", "government-work-report-2016:三"}
    first, second = answer.text.split("\n\n（2）")
    assert first.startswith("（1）单位GDP能耗，去年降了多少？\n") and "5.6%" in first
    assert second.startswith("单位GDP能耗，今年要降多少？\n") and "3.4%以上" in second
    assert len({(c.plan, c.id) for c in answer.citations}) == len(answer.citations)  # one chip per section
    parts = answer.verification["offline"]["parts"]
    assert [p["answerable"] for p in parts] == [True, True]


def test_each_thing_joined_is_answered_from_its_own_section(assistant):
    answer = assistant.ask("诺奖科学家实验室和海外创新中心各要建多少个？")
    first, second = answer.text.split("\n\n（2）")
    assert "10个以上科学实验室" in first or "十个科学实验室" in first, answer.text
    assert "海外创新中心" in second and "10个" in second, answer.text
    cited = {c.id.split(":")[-1] for c in answer.citations}
    assert cited & {"五(一)3", "专栏11.3"} and cited & {"五(三)9", "专栏13.1"}, cited
