"""A document's years come from its title or name (2016, 十三五); a question's years and spans are read the same way."""
from __future__ import annotations

from index.periods import document_period, five_year_plan, named_periods, order_plans


def test_five_year_plans_count_from_1953_with_the_gap_of_1963_to_1965():
    assert five_year_plan(1) == (1953, 1957)
    assert five_year_plan(3) == (1966, 1970)
    assert five_year_plan(13) == (2016, 2020)
    assert five_year_plan(14) == (2021, 2025)


def test_a_documents_years_come_from_its_title_then_its_name():
    assert document_period("x", "2016年中华人民共和国国务院政府工作报告").start == 2016
    assert document_period("government-work-report-2024").start == 2024  # no title: the name
    plan = document_period("sz", "深圳市科技创新“十三五”规划(E)")
    assert (plan.start, plan.end) == (2016, 2020) and "十三五" in plan.label
    span = document_period("p", "某市2021-2025年发展规划")
    assert (span.start, span.end) == (2021, 2025)
    assert document_period("notes", "会议纪要").start is None


def test_documents_sort_by_year_and_those_without_one_come_last():
    periods = [document_period(n) for n in ("report-2024", "notes", "report-2016", "report-2021")]
    assert [p.plan for p in order_plans(periods)] == ["report-2016", "report-2021", "report-2024", "notes"]


def test_questions_name_single_years_spans_and_five_year_plans():
    two = named_periods("2017年和2024年的赤字率目标有什么不同？")
    assert two.years == (2017, 2024) and not two.spans
    span = named_periods("从2016年到2024年经济增长目标怎么变的")
    assert span.spans == ((2016, 2024),) and not span.years
    assert named_periods("How did the growth target change between 2016 and 2024?").years == (2016, 2024)
    assert named_periods("What grain output did the reports from 2021 to 2024 aim for?").spans == ((2021, 2024),)
    assert named_periods("the targets of 2016 through 2018").spans == ((2016, 2018),)
    assert named_periods("十三五时期的就业目标").spans == ((2016, 2020),)
    assert not named_periods("十五个城市").any, "a count is no plan name"
    assert not named_periods("今年的目标是多少").any
