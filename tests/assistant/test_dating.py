"""assistant/dating.py: the years a question asks about and a sentence speaks of, against the document's year."""
from __future__ import annotations

from assistant.dating import SEVERAL, asked_years, period_conflict, sentence_years

REVIEW = ["一、2020年工作回顾"]
PLAN = ["三、2021年重点工作"]
FIVE = ["一、过去一年和五年工作回顾", "（六）推动乡村振兴"]


def test_a_question_names_its_years_or_says_them_relatively() -> None:
    assert asked_years("去年实际增长多少？", 2021) == {2020}
    assert asked_years("今年经济增长目标是多少？", 2021) == {2021}
    assert asked_years("How much did consumer prices actually rise last year?", 2023) == {2022}
    assert asked_years("2020年的财政赤字率是多少？", 2021) == {2020}
    assert asked_years("过去五年粮食产量年均多少？", 2023) == {SEVERAL}
    assert asked_years("赤字率是多少？", 2021) == set()  # says no time: no conflict can be told
    assert asked_years("去年实际增长多少？", None) == set()  # a five-year plan has no 去年
    assert asked_years("那明年和后年分别还要发多少？", 2024) == {2025, 2026}
    assert asked_years("今后年均增长多少？", 2024) == {SEVERAL}  # 今后年均 is no 后年
    # A year naming a document says which report, not which year: the 2018 report's review covers 2013-2017.
    assert asked_years("By how many troops was the military downsized, according to the 2018 report?", 2018) == set()
    assert asked_years("2018年政府工作报告里，今年的增长目标是多少？", 2018) == {2018}
    assert asked_years("2017年的报告说前一年新设了几个自贸试验区？", 2017) == {2016}
    assert asked_years("2017年和2024年的赤字率目标有什么不同？", 2017) == {2017, 2024}  # years, no document named


def test_a_sentence_says_its_years_or_takes_its_headings() -> None:
    assert sentence_years("国内生产总值增长2.3％。", REVIEW, 2021) == {2020}
    assert sentence_years("居民消费价格涨幅3%左右；", PLAN, 2021) == {2021}
    assert sentence_years("今年赤字率拟按3.2%左右安排。", REVIEW, 2021) == {2021}  # its own words come first
    assert sentence_years("居民消费价格年均上涨2.1%。", FIVE, 2023) == {SEVERAL}
    assert sentence_years("建成高标准农田4.56亿亩。", FIVE, 2023) == {2022, SEVERAL}  # a review of the year and five
    assert sentence_years("增长3.5%。", ["三、重点工作"], 2021) == set()  # nothing says: unknown
    assert sentence_years("占比达到2.5%。", [], 2021) == set()  # 2.5 is no year
    # an amount of 2000 is no year
    assert sentence_years("今年财政赤字2.38万亿元，增加2000亿元。", ["二、2017年工作总体部署"], 2017) == {2017}
    assert sentence_years("2016—2020年新增2000多家。", [], 2017) == {2016, 2020}
    # 去年 as a comparison's baseline says nothing of the sentence's own year; asked, it still dates the question
    assert sentence_years("财政赤字2.38万亿元，比去年增加2000亿元。", ["二、2017年工作总体部署"], 2017) == {2017}
    assert sentence_years("对地方一般性转移支付增长7.8%、增幅明显高于去年。", PLAN, 2021) == {2021}
    assert sentence_years("Spending will be 5% higher than last year.", [], 2021) == set()
    assert asked_years("去年实际增长多少？", 2021) == {2020}


def test_conflict_only_when_every_sentence_speaks_of_other_years() -> None:
    def year_of(plan: str) -> int | None:
        return {"gwr-2021": 2021, "sti-plan": None}[plan]

    target = ("国内生产总值增长6%以上。", PLAN, "gwr-2021")
    outcome = ("国内生产总值增长2.3％。", REVIEW, "gwr-2021")
    assert period_conflict("去年实际增长多少？", [target], year_of)
    assert not period_conflict("去年实际增长多少？", [target, outcome], year_of)
    assert not period_conflict("今年增长目标是多少？", [target], year_of)
    assert not period_conflict("增长目标是多少？", [target], year_of)  # the question says no time
    assert not period_conflict("去年实际增长多少？", [], year_of)
    undated = ("研发投入增长10%。", ["五、重点工程"], "sti-plan")
    assert not period_conflict("2018年研发投入增长多少？", [undated], year_of)  # unknown years never conflict
    by_2020 = ("到2020年，国家级高新技术企业达到1万家。", ["五、重点工程"], "sti-plan")
    assert period_conflict("2018年国家级高新技术企业有多少家？", [by_2020], year_of)
