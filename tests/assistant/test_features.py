"""The signals the fitted answerer weighs (assistant/features.py), on real question analysis (jieba, the dictionary)."""
from __future__ import annotations

from assistant.cues import ASKS_REASON, QUESTION_PLACE, STATES_REASON
from assistant.features import _answer_places, _clause_stance, stance, stated_facts
from assistant.question import PERCENT, TIME, analyze, question_kinds


def _idf(rare: dict[str, float]):
    return lambda term: rare.get(term, 1.0)


def _subject_fact(q, texts, idf) -> bool | None:
    stated = stated_facts(q, texts, idf)
    return None if stated is None else bool(stated)


def test_an_interrogative_or_a_relative_year_is_not_what_a_figure_is_about() -> None:
    # "几家" and "去年" are the rarest terms here; neither names what the figure counts, so the clause naming
    # 世界500强 with its number answers, and one without the subject does not.
    q = analyze("到2020年深圳争取有几家企业进入世界500强？")
    idf = _idf({"几家": 9.0, "世界": 5.0})
    assert _subject_fact(q, ["到2020年,争取进入世界500强企业数量达到8-10家。"], idf) is True
    assert _subject_fact(q, ["重点实验室等达到2200家以上。"], idf) is False
    q = analyze("去年城镇新增就业多少？")
    idf = _idf({"去年": 9.0, "新增": 3.0})
    assert _subject_fact(q, ["城镇新增就业1244万人，城镇调查失业率平均为5.2%。"], idf) is True


def test_a_clause_keeps_its_lead_in() -> None:
    # The figure follows a colon: "物价方面的预期目标是：居民消费价格涨幅3%左右" is one clause about 物价.
    q = analyze("今年物价的预期目标定了多少？")
    idf = _idf({"物价": 9.0, "预期": 9.5})  # 预期 says a target is asked, not what it is about
    assert _subject_fact(q, ["物价方面的预期目标是：居民消费价格涨幅3%左右；"], idf) is True
    assert _subject_fact(q, ["物价总体平稳，预期目标是：居民生活得到保障。"], idf) is False


def test_no_fact_asked_no_verdict() -> None:
    assert _subject_fact(analyze("如何推进对外开放？"), ["扩大高水平对外开放。"], _idf({})) is None


def test_a_target_is_told_from_a_result_clause_by_clause() -> None:
    # The clause's own words first ("预期增长" sets a target), else its sentence's ("去年末…增长" reports one).
    assert _clause_stance("广义货币M2预期增长12%左右", "今年广义货币M2预期增长12%左右，社融预期增长12%左右。") == (True, False)
    assert _clause_stance("广义货币M2增长8.1%", "去年末广义货币M2增长8.1%。") == (False, True)
    assert stance("2017年的M2实际增长了多少？") == (False, True)


def test_which_cities_or_provinces_ask_for_a_place() -> None:
    assert QUESTION_PLACE.search("今年准备在哪些城市建未来产业先导区？")
    assert QUESTION_PLACE.search("Which provinces are they?")
    assert QUESTION_PLACE.search("自由贸易港打算建在哪里？")
    assert not QUESTION_PLACE.search("今年要重点做好哪几个方面的工作？")


def test_a_why_question_prefers_a_sentence_giving_a_cause() -> None:
    assert ASKS_REASON.search("赤字率为什么要调低？") and ASKS_REASON.search("Why was it set up?")
    assert not ASKS_REASON.search("赤字率调低了多少？")
    assert STATES_REASON.search("调低赤字率，主要是我国经济稳中向好、财政增收有基础。")
    assert not STATES_REASON.search("今年赤字率拟按2.6%安排，比去年预算低0.4个百分点。")


def test_percentage_points_and_days_are_kinds_of_fact() -> None:
    # A number of points is a share: a sentence with only an amount ("提高20元") does not give it.
    assert PERCENT in question_kinds("那退休职工的基本养老金涨几个百分点？")
    assert PERCENT in question_kinds("去年两次全面降准一共降了多少个百分点？")
    assert PERCENT in question_kinds("那基本养老金呢，涨几个点？")
    assert TIME in question_kinds("深港通具体哪天开通？")


def test_a_place_the_question_names_or_a_common_noun_is_not_where() -> None:
    q = analyze("首届中国国际消费品博览会在哪里举办？")
    assert _answer_places(q, "办好进博会、广交会、服贸会及首届中国国际消费品博览会等重大展会。") == []
    assert _answer_places(q, "启动首批碳达峰试点城市和园区建设。") == []  # jieba tags 城市 as a place
    assert _answer_places(q, "首届博览会在海南举办。") == ["海南"]


def test_an_english_subject_is_only_a_translation_the_documents_use() -> None:
    # The rarest translation (上市, which these documents never use) would be taken for the subject, and no clause
    # would ever name it; among the translations the documents use, 企业 is.
    from assistant.features import _subject_forms

    words = {"listed": ("上市",), "enterprises": ("企业",)}
    translate = lambda text: [(w, words[w]) for w in words if w in text]  # noqa: E731
    q = analyze("How many enterprises will be listed?", translate=translate)
    idf = _idf({"上市": 9.0, "企业": 2.0})
    assert _subject_forms(q, idf) == ["上市"]
    assert _subject_forms(q, idf, in_scope=lambda t: t != "上市") == ["企业"]
