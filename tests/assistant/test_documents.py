"""Documents named as people name them, and the follow-up pointers into an earlier answer."""
from __future__ import annotations

import pytest

from assistant.documents import describe, five_year_period, named_in, reviewed_in
from assistant.pointers import find_pointer


def test_a_report_is_named_by_its_short_title_kind_and_year():
    d = describe("government-work-report-2016", "2016年中华人民共和国国务院政府工作报告")
    assert (d.short, d.kind, d.kind_en, d.years) == ("2016年政府工作报告", "政府工作报告", "government work report", (2016,))
    assert d.cite("三(一)") == "《2016年政府工作报告》三(一)"


def test_a_plan_covers_its_five_year_period():
    d = describe("shenzhen-sti-13th-five-year-plan-E", "深圳市科技创新“十三五”规划(E)")
    assert d.kind == "规划" and d.years == tuple(range(2016, 2021))
    assert five_year_period("“十四五”规划") == (2021, 2025) and five_year_period("十一五") == (2006, 2010)


@pytest.mark.parametrize(
    "question, expected",
    [
        ("2017年政府工作报告定的城镇新增就业目标是多少？", "r2017"),
        ("In the 2021 report, what is the deficit ratio?", "r2021"),
        ("2017年全年城镇新增就业实际是多少？", None),  # a year, no document: the 2018 report reviews 2017
        ("2016年和2017年两份报告的专项债券分别是多少？", None),  # two documents: a comparison, not a scope
        ("2019年政府工作报告的增长目标？", None),  # not loaded
    ],
)
def test_the_document_a_question_names(question, expected):
    docs = [describe(f"r{y}", f"{y}年中华人民共和国国务院政府工作报告") for y in (2016, 2017, 2018, 2021)]
    doc = named_in(question, docs)
    assert (doc.name if doc else None) == expected


@pytest.mark.parametrize(
    "question, expected",
    [
        ("2017年全年城镇新增就业实际是多少？", "r2018"),  # 2017's results are in the 2018 report's review
        ("How many new urban jobs were actually created in 2016?", "r2017"),
        ("2017年城镇新增就业目标是多少？", None),  # a goal: the 2017 report's own
        ("2017年政府工作报告说实际增长了多少？", None),  # names its document
        ("2021年实际增长了多少？", None),  # no 2022 report loaded
    ],
)
def test_the_report_that_reviews_the_year_asked_about(question, expected):
    docs = [describe(f"r{y}", f"{y}年中华人民共和国国务院政府工作报告") for y in (2016, 2017, 2018, 2021)]
    doc = reviewed_in(question, docs)
    assert (doc.name if doc else None) == expected


@pytest.mark.parametrize(
    "question, kind, number",
    [
        ("其中第二项是什么？", "ordinal", 2),
        ("那第三条呢？", "ordinal", 3),
        ("What about the fourth one?", "ordinal", 4),
        ("What about the last item in that box?", "ordinal", -1),
        ("最后一项讲的是什么？", "ordinal", -1),
        ("这个专栏里还有什么？", "box", 0),
        ("这部分具体怎么做？", "section", 0),
    ],
)
def test_pointers_back_into_the_last_answer(question, kind, number):
    p = find_pointer(question)
    assert p is not None and (p.kind, p.number) == (kind, number)


def test_a_question_that_points_at_nothing():
    assert find_pointer("深圳计划柔性引进多少名诺贝尔奖科学家？") is None


def test_documents_of_two_kinds_are_named_as_one_set_in_english(tmp_path, settings, model):
    from assistant import PlanAssistant
    from index import PlanIndex

    files = {"city-plan.txt": "某市科技创新规划\n\n一、总体目标\n到2020年，建设10个创新中心。\n",
             "work-report.txt": "2017年政府工作报告\n\n一、2016年工作回顾\n城镇新增就业1314万人。\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    home = settings.with_(home=tmp_path / "home")
    PlanIndex(home).build([tmp_path / n for n in files])
    answer = PlanAssistant(PlanIndex.open(home)).ask("How many Nobel laureates will the city bring in?")
    assert not answer.answerable
    assert answer.text.startswith("The set of loaded documents "), answer.text
    assert "The the" not in answer.text
