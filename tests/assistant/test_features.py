"""The signals the fitted answerer weighs (assistant/features.py), on real question analysis (jieba, the dictionary)."""
from __future__ import annotations

import pytest

from assistant.cues import ASKS_REASON, QUESTION_PLACE, STATES_REASON
from assistant.features import REFUSAL_FEATURES, _clause_stance, stance
from assistant.question import COUNT, MONEY, PERCENT, TIME, question_kinds


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


def test_investment_asks_an_amount_only_with_one() -> None:
    # "open up to foreign investment" asks how, as 扩大利用外资 would; "how much investment" asks an amount.
    assert MONEY not in question_kinds("How will China open up further to foreign investment this year?")
    assert MONEY in question_kinds("How much central government investment is planned this year?")
    assert COUNT in question_kinds("甘肃积石山地震是几级？")


def test_english_amounts_changes_and_deficits_are_read_as_asked() -> None:
    # what is got or cost after any words and auxiliary is money; a comparative asks a change, not money
    assert MONEY in question_kinds("How much tax relief, counting refunds, are businesses getting this year?")
    assert MONEY in question_kinds("How much tax revenue is that going to cost the government?")
    assert MONEY not in question_kinds("How much cheaper will mobile data get this year?")
    # a budget deficit is set as a ratio as often as in yuan
    assert MONEY not in question_kinds("And the budget deficit?")
    assert MONEY in question_kinds("How much central budget investment is planned this year?")
    # how far / how fast ask a figure of change, as 提高了多少 does
    assert COUNT in question_kinds("How fast did sales of new energy vehicles grow last year?")
    assert COUNT in question_kinds("How far did urbanization advance over the past five years?")
    # a rate or ratio asked with "what" is a figure, as 失业率是多少 is; a rate named in passing is not
    assert PERCENT in question_kinds("What was the youth unemployment rate last year?")
    assert PERCENT in question_kinds("What's the registered jobless rate target?")
    assert PERCENT not in question_kinds("What does the report say about keeping the exchange rate stable?")
    # a currency asks an amount of money, as 多少元 does
    assert MONEY in question_kinds("How much is the basic pension per month, in yuan?")
    assert MONEY in question_kinds("How many yuan does each household receive?")
    # spending asks an amount only with one: a tax break "for R&D spending" asks which measures
    assert MONEY not in question_kinds("Which tax breaks do firms get for their research spending?")
    assert MONEY in question_kinds("How much will the central government spend on education?")


def test_the_share_of_named_places_the_plan_never_names(assistant) -> None:
    from assistant.question import analyze

    # A place signal counts each named place: "深圳和广州" against a Shenzhen plan is half absent, not present.
    assert assistant.place_absent(analyze("深圳和广州要建设哪些大科学装置？"), None) == 0.5
    assert assistant.place_absent(analyze("上海要建设哪些大科学装置？"), None) == 1.0
    assert assistant.place_absent(analyze("深圳要建设哪些大科学装置？"), None) == 0.0


def test_fact_gap_measures_how_far_the_closest_figure_trails() -> None:
    from types import SimpleNamespace

    from assistant.features import FACT_GAP_CAP, _fact_gap
    from assistant.question import analyze

    def unit(text: str, dense: float):
        return SimpleNamespace(span=SimpleNamespace(text=text), dense=dense)

    q = analyze("今年专项债券安排多少？")
    units = [unit("适当扩大专项债券使用范围。", 0.90), unit("拟安排地方政府专项债券3.9万亿元。", 0.86)]
    assert abs(_fact_gap(q, units, [MONEY], True) - 0.04) < 1e-6
    assert _fact_gap(q, units[:1], [MONEY], True) == FACT_GAP_CAP  # no sentence states an amount
    assert _fact_gap(analyze("专项债券怎么用？"), units, [], False) == 0.0  # no figure asked


def test_the_best_sentence_in_the_asked_stance_and_year_agrees() -> None:
    from types import SimpleNamespace

    from assistant.features import _top_agrees

    def top(text: str, heading: str):
        section = SimpleNamespace(path=(heading,), plan="report-2017")
        return SimpleNamespace(span=SimpleNamespace(text=text), evidence=SimpleNamespace(section=section))

    year_of = lambda plan: 2017  # noqa: E731 - the report's own year dates its 去年
    review = top("居民消费价格上涨2%。", "一、2016年工作回顾")  # a result by its heading, no cue word
    assert _top_agrees(review, False, True, "去年实际涨了多少？", year_of)
    assert not _top_agrees(review, True, False, "今年物价涨幅目标是多少？", year_of)  # a result, a target asked
    assert not _top_agrees(top("居民消费价格涨幅3%左右。", "二、2017年工作总体部署"), False, True, "去年实际涨了多少？", year_of)


def test_the_quoted_sentence_must_state_the_asked_kind_of_figure() -> None:
    # rc-047's near-miss: the fund is named, its size is not; a close sentence with another fund's amount does not
    # make the quoted one answer.
    from assistant.features import _lacks_figure

    assert _lacks_figure("设立国家融资担保基金，支持优质创新型企业上市融资。", [MONEY], True)
    assert not _lacks_figure("中央预算内投资安排6100亿元。", [MONEY], True)
    assert _lacks_figure("到2020年建成国家实验室。", [], True)  # a year is not a figure a 多少 question asks for
    assert not _lacks_figure("设立国家融资担保基金。", [], False)  # no figure asked: nothing is missing


@pytest.mark.slow
def test_a_figure_asked_per_unit_needs_a_sentence_giving_one(assistant) -> None:
    from assistant.refusal import refusal_features

    def missing_per(question: str) -> float:
        assistant.trace = []
        try:
            assistant.ask(question)
            t = assistant.trace[-1]
        finally:
            assistant.trace = None
        x = refusal_features(t["question"], t["ranked"], assistant.scorer, t["in_scope"], t["place_absent"], t["year_of"])
        return float(x[REFUSAL_FEATURES.index("missing_per")])

    assert missing_per("每个诺贝尔奖科学家实验室能拿到多少经费？") == 1.0  # the plan gives no amount per laboratory
    assert missing_per("How much funding will each Nobel laureate laboratory get?") == 1.0
    assert missing_per("每万名就业人员中研发人员要达到多少？") == 0.0  # "每万名就业人员中研发人员" is there


def test_a_clause_is_dated_by_the_words_up_to_its_end() -> None:
    # rd-042's fact: the 2016 review's clause, followed in its sentence by "年均浓度", which reads as several years.
    from assistant.dating import period_conflict
    from assistant.features import _up_to

    sentence = "强化大气污染治理，二氧化硫、氮氧化物排放量分别下降5.6%和4%，74个重点城市细颗粒物年均浓度下降9.1%。"
    clause = "二氧化硫、氮氧化物排放量分别下降5.6%和4%"
    review = ("一、2016年工作回顾",)
    year_of = lambda plan: 2017  # noqa: E731 - the report's own year dates its 去年
    assert _up_to(clause, sentence) == "强化大气污染治理，" + clause
    assert period_conflict("去年二氧化硫排放减了多少？", [(sentence, review, "r")], year_of)  # the whole sentence misleads
    assert not period_conflict("去年二氧化硫排放减了多少？", [(_up_to(clause, sentence), review, "r")], year_of)
    assert _up_to("别的分句", sentence) == sentence  # a clause not in the sentence: the sentence


def test_a_follow_up_asks_for_the_unit_its_own_words_ask_for() -> None:
    # re-020: the rewrite carries the last question's "这几年"; "那今年还要再压多少？" asks no count of years.
    from assistant.features import _asked_unit
    from assistant.question import analyze

    own = "那今年还要再压多少？"
    q = analyze("进出口货物通关时间、几年缩短：" + own, kinds_from=own)
    assert q.asking == own and _asked_unit(q) is None
    assert _asked_unit(analyze("进出口货物通关时间这几年缩短了多少？")) == "年"  # the rewrite alone asks for years
    assert _asked_unit(analyze("那今年要新增多少辆？", kinds_from="那今年要新增多少辆？")) == "辆"


@pytest.mark.slow
def test_a_question_asking_no_figure_is_dated_by_every_close_sentence(report_2022) -> None:
    # The close sentences with a number were all the 2021 review's "对种粮农民一次性发放200亿元补贴", so a question
    # about this year that asks no figure was refused as speaking of other years; this year's measure (三(六),
    # "给种粮农民再次发放农资补贴") states no number.
    answer = report_2022.ask("今年给种粮农民哪些支持？")
    assert answer.answerable
    assert "三(六)" in [c.id for c in answer.citations] and "再次发放农资补贴" in answer.text
