"""What an asked figure is about and the clauses stating it (assistant/subjects.py), on real question analysis."""
from __future__ import annotations

from assistant.question import analyze
from assistant.subjects import answer_places, stated_among, stated_facts, subject_clauses, subject_forms


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
    # An ordinal numbers an occasion, not what is counted: the share asked is of 老人.
    q = analyze("第七次人口普查查出来60岁以上老人占多少？")
    forms = subject_forms(q, _idf({"第七": 9.0, "七次": 9.0, "第七次": 9.0, "老人": 6.0}))
    assert forms == ["老人"]
    q = analyze("去年城镇新增就业多少？")
    idf = _idf({"去年": 9.0, "新增": 3.0})
    assert _subject_fact(q, ["城镇新增就业1244万人，城镇调查失业率平均为5.2%。"], idf) is True


def test_a_clause_keeps_its_lead_in() -> None:
    # The figure follows a colon: "物价方面的预期目标是：居民消费价格涨幅3%左右" is one clause about 物价.
    q = analyze("今年物价的预期目标定了多少？")
    idf = _idf({"物价": 9.0, "预期": 9.5})  # 预期 says a target is asked, not what it is about
    assert _subject_fact(q, ["物价方面的预期目标是：居民消费价格涨幅3%左右；"], idf) is True
    assert _subject_fact(q, ["物价总体平稳，预期目标是：居民生活得到保障。"], idf) is False


def test_a_latin_name_is_matched_whole() -> None:
    # M2 is not PM2.5: the clause about fine particles states no figure of the money supply.
    texts = ["重点地区细颗粒物（PM2.5）平均浓度下降30%以上。", "广义货币M2增速呈下降趋势。"]
    assert subject_clauses(["m2"], texts) == [("广义货币M2增速呈下降趋势", 1)]
    q = analyze("2017年的M2实际增长了多少？")
    assert _subject_fact(q, texts, _idf({"M2": 9.0})) is False


def test_no_fact_asked_no_verdict() -> None:
    assert _subject_fact(analyze("如何推进对外开放？"), ["扩大高水平对外开放。"], _idf({})) is None


def test_a_place_the_question_names_or_a_common_noun_is_not_where() -> None:
    q = analyze("首届中国国际消费品博览会在哪里举办？")
    assert answer_places(q, "办好进博会、广交会、服贸会及首届中国国际消费品博览会等重大展会。") == []
    assert answer_places(q, "启动首批碳达峰试点城市和园区建设。") == []  # jieba tags 城市 as a place
    assert answer_places(q, "首届博览会在海南举办。") == ["海南"]


def test_an_english_subject_is_the_counted_thing_or_a_translation_the_documents_use() -> None:
    # A stand-in for the index's translator: stemmed English phrases to the documents' words.
    words = {"list": ("上市",), "enterpris": ("企业",), "hope": ("希望",), "have": ("拥有",)}
    translate = lambda text: [(w, words[w]) for w in words if w in text.lower()]  # noqa: E731
    idf = _idf({"上市": 9.0, "拥有": 8.0, "企业": 2.0})
    # "How many X": the counted thing's head word is the subject, however common; the rarest translation was often
    # a verb's ("have" -> 拥有), which no clause stating the figure names.
    q = analyze("How many enterprises does Shenzhen hope to have listed?", translate=translate)
    # The head word first, then every other translation the documents use (the clause may use any of them); "have"
    # is a word no question is about (STOPWORDS_EN), so it is not translated at all.
    assert subject_forms(q, idf) == ["企业", "上市", "希望"]
    # Nothing counted: every translation the documents use (上市 is not, here).
    q = analyze("How much money did listed enterprises raise?", translate=translate)
    assert subject_forms(q, idf) == ["上市", "企业"]
    assert subject_forms(q, idf, in_scope=lambda t: t != "上市") == ["企业"]
    # A counted head with no translation in the documents' words ("provinces"; they say 省): the subject is unknown,
    # not handed to another word (the rarest, 上市, names no clause stating the count).
    q = analyze("How many provinces have listed enterprises?", translate=translate)
    assert subject_forms(q, idf) == []


def test_only_words_the_documents_use_name_the_subject() -> None:
    # jieba cuts "赤字率定的多少" into 赤字 / 率定; the documents never say 率定, so the figure is about 赤字 and the
    # clause stating the deficit ratio answers.
    q = analyze("今年赤字率定的多少？")
    forms = subject_forms(q, _idf({"率定": 9.0, "赤字": 4.0}), in_scope=lambda term: term in {"赤字", "今年"})
    assert forms == ["赤字"]
    texts = ["今年赤字率拟按2.6%安排，比去年预算低0.4个百分点；"]
    assert stated_among(q, forms, subject_clauses(forms, texts)) == [("今年赤字率拟按2.6%安排", 0)]
    # The asker's 物价, which the report calls 居民消费价格: its 涨幅 is what the clause states.
    q = analyze("今年物价涨幅控制在多少？")
    forms = subject_forms(q, _idf({"物价": 9.0, "涨幅": 5.0}), in_scope=lambda term: term != "物价")
    assert forms == ["涨幅"]
    assert stated_among(q, forms, subject_clauses(forms, ["居民消费价格涨幅3%左右；"]))
    # 什么时候 leaves 时候, which names no subject even where the documents use it.
    q = analyze("小微企业的存量留抵税额什么时候退完？")
    assert subject_forms(q, _idf({"时候": 9.0, "税额": 6.0}), in_scope=lambda term: True) == ["税额"]


def test_an_english_figure_is_stated_where_any_of_its_terms_translations_stands() -> None:
    # The dictionary gives 粮食 for "grain" and 丰收 for "harvest"; the report says 粮食产量. The rarest translation
    # (丰收) names no clause, but the clause with 粮食 states the asked figure: an English question's subject is
    # any translation the documents use, since which one the clause uses cannot be known.
    words = {"grain": ("粮食",), "harvest": ("丰收",)}
    translate = lambda text: [(w, words[w]) for w in words if w in text.lower()]  # noqa: E731
    q = analyze("What is this year's target for the grain harvest?", translate=translate)
    assert q.counted == "the grain harvest"
    idf = _idf({"丰收": 9.0, "粮食": 4.0})
    assert _subject_fact(q, ["粮食产量保持在1.3万亿斤以上。"], idf) is True
    assert _subject_fact(q, ["居民消费价格涨幅3%左右。"], idf) is False
