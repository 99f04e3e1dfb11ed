"""Questions that name a year, period or document no loaded document covers are refused, naming the loaded ones."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.terms import is_english
from assistant.scope import coverage_of, named_in, out_of_scope
from index import DEFAULT_PLAN, load_plan

DATA = Path(__file__).resolve().parents[1] / "data"
REPORTS = DATA / "corpora" / "gov-work-reports"


def report(year: int):
    return load_plan(REPORTS / f"government-work-report-{year}.txt", f"r{year}")


@pytest.fixture(scope="module")
def docs() -> dict:
    plans = {year: report(year) for year in (2016, 2017, 2018, 2021, 2022, 2023, 2024)}
    plans["bundled"] = load_plan(DEFAULT_PLAN)
    return plans


def refused(question: str, plans: list) -> str | None:
    return out_of_scope(question, {p.name: p for p in plans}, english=is_english(question))


def test_what_a_question_names():
    assert named_in("2018年城镇新增就业目标？").years == {2018}
    assert named_in("二〇一八年政府工作报告").years == {2018} and named_in("二〇一八年政府工作报告").kinds == {"政府工作报告"}
    assert named_in("“十四五”时期的主要目标").periods == {14}
    assert named_in("What does the 14th Five-Year Plan aim for?").periods == {14}
    assert named_in("What was the 2018 GDP growth target?").years == {2018}
    assert named_in("2016-2020年研发投入").years == {2016, 2017, 2018, 2019, 2020}
    assert named_in("《中国制造2025》提出了什么？").titles == ("中国制造2025",)
    # Numbers that are not years: a name, quantities.
    assert not named_in("落实“中国制造2025”的城市角色是什么？")
    assert not named_in("海外高层次人才引进2000名的目标在哪一条？")
    assert not named_in("How many of the 2000 overseas talents are scientists?")
    # A document named by its year, however the kind is said: the other years are what is asked of it.
    assert named_in("According to the 2024 work report, how fast did income grow in 2023?").document_years == {2024}
    assert named_in("2024年的工作报告说2023年居民收入增长多少？").document_years == {2024}
    assert named_in("the 2016 and 2017 government work reports").document_years == {2016, 2017}


def test_what_a_document_covers(docs):
    bundled = coverage_of(docs["bundled"].name, docs["bundled"].title, docs["bundled"].text)
    assert set(range(2016, 2021)) <= bundled.years and 13 in bundled.periods and 14 not in bundled.periods
    r2016 = coverage_of("r2016", docs[2016].title, docs[2016].text)
    assert {2015, 2016, 2020} <= r2016.years and 2018 not in r2016.years  # reviews 2015, targets to 2020
    assert "政府工作报告" in r2016.kinds and 13 in r2016.periods
    r2021 = coverage_of("r2021", docs[2021].title, docs[2021].text)
    assert 14 in r2021.periods  # 第十四个五年规划


@pytest.mark.parametrize(
    "loaded, question, refuse",
    [
        # Two reports: a third year is refused, their own years and what they review are not.
        ((2016, 2017), "2018年城镇新增就业目标？", True),
        ((2016, 2017), "2017年城镇新增就业目标是多少？", False),
        ((2016, 2017), "2015年经济增长了多少？", False),
        ((2016, 2017), "What is the 2018 GDP growth target?", True),
        ((2016, 2017), "“十四五”时期的主要目标是什么？", True),
        ((2016, 2017), "十三五时期的发展目标是什么？", False),
        ((2016, 2017), "2018年政府工作报告提出的赤字率是多少？", True),
        ((2016, 2017), "政府工作报告提出了哪些任务？", False),
        # A document named by its year is that year's, not one that mentions the year.
        ((2021,), "2020年的政府工作报告定的城镇新增就业目标是多少？", True),
        ((2021, 2022), "What jobs target did the 2020 report set?", True),
        ((2016, 2017), "2017年的政府工作报告提出的赤字率是多少？", False),
        ((2022, 2024), "Did the 2022 and 2024 reports both set a numerical target for cutting energy use?", False),
        ((2016, 2017), "2016年和2017年的政府工作报告各定了多少赤字率？", False),
        ((2016, 2017, 2018), "2016、2017和2018年的报告里赤字率分别是多少？", False),
        ((2021,), "2020年经济实际增长了多少？", False),
        # The bundled plan: its period and the years it spans are answerable; other periods and kinds are not.
        (("bundled",), "到2020年深圳要建成多少家企业技术中心？", False),
        (("bundled",), "十三五期间深圳要引进多少名诺贝尔奖科学家？", False),
        (("bundled",), "深圳“十四五”规划的重点工程有哪些？", True),
        (("bundled",), "政府工作报告提出了哪些任务？", True),
        (("bundled",), "What does the 14th Five-Year Plan aim for?", True),
        (("bundled",), "《中国制造2025》提出了什么？", False),  # the plan cites it
        # The plan with the 2018 report: the report answers for 2018, the plan for its period.
        (("bundled", 2018), "2018年政府工作报告提出的赤字率是多少？", False),
        (("bundled", 2018), "2016年深圳的创新目标", False),
        (("bundled", 2018), "2024年经济增长预期目标是多少？", True),
        # Recent reports.
        ((2021, 2022), "“十四五”时期的主要目标是什么？", False),
        ((2021, 2022), "2035年远景目标是什么？", False),
        ((2021, 2022), "2016年国内生产总值增长目标", True),
        ((2023, 2024), "2024年经济增长预期目标是多少？", False),
        ((2023, 2024), "十三五时期的发展目标", True),
    ],
)
def test_refusals_across_loaded_sets(docs, loaded, question, refuse):
    text = refused(question, [docs[k] for k in loaded])
    assert (text is not None) == refuse, text
    if refuse:
        for k in loaded:
            assert docs[k].title in text, "the refusal names every loaded document"
        assert ("Loaded:" in text) == is_english(question)


def test_refusal_names_what_was_asked_and_the_way_out(docs):
    text = refused("2018年政府工作报告提出的赤字率是多少？", [docs[2016], docs[2017]])
    assert "2018年政府工作报告" in text and "plan-assistant index --plan" in text
    text = refused("What is the 2018 GDP growth target?", [docs["bundled"], docs[2016]])
    assert text is None  # the bundled plan spans 2016-2020
    text = refused("What does the 14th Five-Year Plan aim for?", [docs["bundled"]])
    assert "14th Five-Year Plan" in text and "(2016-2020)" in text


def test_no_answerable_question_of_the_fixed_sets_is_refused(docs):
    """The bundled plan's own question sets: only questions about another period or document are out of scope."""
    for path in (DATA / "questions.yaml", Path(__file__).resolve().parents[2] / "bench" / "holdout_questions.yaml"):
        for q in yaml.safe_load(path.read_text(encoding="utf-8")):
            for turn in [*(q.get("history") or []), q["question"]]:
                text = refused(turn, [docs["bundled"]])
                assert text is None or not q["answerable"], (q["id"], turn, text)


@pytest.mark.slow
def test_the_assistant_refuses_out_of_scope_questions_before_searching(tmp_path, settings, model):
    """Through PlanAssistant, on a real index of two small reports: the refusal names both, in the question's language."""
    from assistant import PlanAssistant
    from index import PlanIndex

    files = []
    for year, jobs in ((2016, 1000), (2017, 1100)):
        path = tmp_path / f"report-{year}.txt"
        path.write_text(
            f"{year}年某市政府工作报告\n一、{year - 1}年工作回顾\n全市生产总值增长7%。\n"
            f"二、{year}年工作安排\n城镇新增就业{jobs}万人以上。\n",
            encoding="utf-8",
        )
        files.append(path)
    pa = PlanAssistant(PlanIndex(settings.with_(home=tmp_path / "home")))
    pa.index.build(files)
    answer = pa.ask("2018年城镇新增就业目标是多少？")
    assert not answer.answerable and not answer.citations
    assert "2016年某市政府工作报告" in answer.text and "2017年某市政府工作报告" in answer.text
    assert answer.verification["offline"]["reason"] == "out_of_scope"
    english = pa.ask("What was the 2018 target for new urban jobs?")
    assert not english.answerable and "None of the loaded documents covers 2018" in english.text
    ok = pa.ask("2017年城镇新增就业目标是多少？")
    assert ok.verification["offline"].get("reason") != "out_of_scope"
    assert ok.answerable and "1100万人" in ok.text
    # Asked of one plan only, the other's years do not count.
    only = pa.ask("2017年城镇新增就业目标是多少？", plan="report-2016")
    assert not only.answerable and "2017" in only.text and "2016年某市政府工作报告" in only.text
