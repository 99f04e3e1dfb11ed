"""Comparative questions across documents: one cited line per document asked about, in time order, goals told apart
from results, the change computed; with three real (cut) government work reports, the real model and Chroma."""
from __future__ import annotations

import pytest

from assistant.compare import figure_difference
from assistant.comparison import detect_comparison
from index.figures import figures
from index.metrics import Cell
from index.periods import document_period

pytestmark = pytest.mark.slow

R16, R17, R24 = (f"government-work-report-{y}" for y in (2016, 2017, 2024))
PERIODS = [document_period(n) for n in (R16, R17, R24)]


def lines(answer) -> list[str]:
    return [line for line in answer.text.split("\n") if line.startswith("- ")]


def test_which_documents_a_question_asks_about():
    two = detect_comparison("2017年和2024年的赤字率目标有什么不同？", PERIODS)
    assert [p.plan for p in two.documents] == [R17, R24] and two.kind == "target"
    every = detect_comparison("How did the target for new urban jobs change over the years?", PERIODS)
    assert [p.plan for p in every.documents] == [R16, R17, R24] and every.english
    assert [p.plan for p in detect_comparison("历年的城镇新增就业目标是多少？", PERIODS).documents] == [R16, R17, R24]
    every_of = detect_comparison("Which jobs goal did each of these three work reports set?", PERIODS)
    assert [p.plan for p in every_of.documents] == [R16, R17, R24]
    ranged = detect_comparison("What grain output did the reports from 2017 to 2024 aim for?", PERIODS)
    assert [p.plan for p in ranged.documents] == [R17, R24] and ranged.kind == "target"
    span = detect_comparison("从2017年到2024年赤字率怎么变的？", PERIODS)
    assert [p.plan for p in span.documents] == [R17, R24]
    missing = detect_comparison("2019年和2024年的赤字率目标", PERIODS)
    assert missing.missing_years == [2019] and [p.plan for p in missing.documents] == [R24]
    # "the reports of the following years" / 次年的报告: each year is asked of the report that reviews it.
    following = detect_comparison("How much foreign investment was used in 2016 and 2023, according to the reports of the following years?", PERIODS)
    assert [p.plan for p in following.documents] == [R17, R24] and following.reviewed == {R17: 2016, R24: 2023}
    assert [p.plan for p in detect_comparison("按次年的报告，2016年和2023年的外资规模是多少？", PERIODS).documents] == [R17, R24]
    mixed = detect_comparison("2016年定的经济增长目标是多少？2017年的报告说实际增长了多少？", PERIODS)
    assert mixed.kinds == {R16: "target", R17: "outcome"}
    # Goal or result from how the question says it: a level reached (提高到了) is a result, 定了 sets a goal; in
    # English, "plan to" / "supposed to" / "demand" say a goal beside a result ("actually moved").
    assert detect_comparison("2017年和2024年的报告里，城镇化率分别提高到了多少？", PERIODS).kind == "outcome"
    assert detect_comparison("2016年和2017年各定了多少人的落户目标？", PERIODS).kind == "target"
    planned = detect_comparison(
        "How many people did the 2016 report plan to relocate, and how many does the 2017 report say were actually moved?",
        PERIODS,
    )
    assert planned.kinds == {R16: "target", R17: "outcome"}
    assert detect_comparison("How many migrants were supposed to settle in cities in 2017 and in 2024?", PERIODS).kind == "target"
    # "Which reports …" / 哪些报告 asks of every document; 预计 asks the plan's figure, beside 实际.
    assert len(detect_comparison("Which reports set a target for the surveyed urban unemployment rate?", PERIODS).documents) == 3
    assert len(detect_comparison("哪些报告给城镇调查失业率定了目标？", PERIODS).documents) == 3
    both = detect_comparison("How many people did the 2017 and the 2024 reports aim to settle in cities?", PERIODS)
    assert [p.plan for p in both.documents] == [R17, R24], "“the 2017 and the 2024 reports” names two reports"
    assert detect_comparison("城乡居民医保的补助，2016年和2017年报告分别提到了多少钱？", PERIODS).kind == "target", "提到了 mentions"
    expected = detect_comparison("2016年报告预计减税多少？2017年报告说实际减了多少？", PERIODS)
    assert expected.kinds == {R16: "target", R17: "outcome"}
    # The topic keeps "government" unless it names the documents ("government work reports").
    from assistant.metric_match import topic

    assert "government revenue" in topic(detect_comparison("How much did government revenue grow in 2017 and 2024?", PERIODS))
    assert topic(detect_comparison("What growth target did the 2017 and 2024 government work reports set?", PERIODS)) == "growth"
    # Not across documents: one year, or one report's own 今年 vs 去年.
    assert detect_comparison("2024年的经济增长目标是多少？", PERIODS) is None
    assert detect_comparison("今年的赤字率比去年有什么变化？", PERIODS) is None
    # A report named by its year is the one asked; the other year in that part is what is asked of it.
    assert detect_comparison("What was the actual deficit ratio in 2016, according to the 2017 report?", PERIODS) is None
    assert detect_comparison("2017年的报告里说，2016年全国市场主体总量有多少？", PERIODS) is None


def test_two_years_get_one_cited_line_each_and_the_computed_change(compare_assistant):
    answer = compare_assistant.ask("2017年和2024年的赤字率目标有什么不同？")
    assert [c.id for c in answer.citations] == [f"{R17}:二", f"{R24}:二"]
    got = lines(answer)
    assert len(got) == 2 and got[0].startswith("- 2017年：3%") and got[1].startswith("- 2024年：3%")
    assert all("赤字率" in c.quote for c in answer.citations)
    assert "持平" in answer.text


def test_over_the_years_every_document_in_time_order_with_its_growth_target(compare_assistant):
    answer = compare_assistant.ask("历年的经济增长预期目标分别是多少？")
    assert [c.id for c in answer.citations] == [f"{R16}:三", f"{R17}:二", f"{R24}:二"]
    got = lines(answer)
    assert [g.split("：")[1].split("——")[0] for g in got] == ["6.5%－7%", "6.5%左右", "5%左右"]
    assert "低1.5–2个百分点" in answer.text, "the change is computed from the range, not written by a model"


def test_english_question_over_the_years(compare_assistant):
    answer = compare_assistant.ask("How did the target for new urban jobs change over the years?")
    assert [c.id for c in answer.citations] == [f"{R16}:三", f"{R17}:二", f"{R24}:二"]
    for figure, line in zip(("1000万人以上", "1100万人以上", "1200万人以上"), lines(answer)):
        assert figure in line
    assert "up 200 万人" in answer.text


def test_last_years_result_is_not_this_years_goal(compare_assistant):
    answer = compare_assistant.ask("2017年和2024年的报告里，上一年实际经济增长分别是多少？")
    assert [c.id for c in answer.citations] == [f"{R17}:一", f"{R24}:一"]
    assert "6.7%" in lines(answer)[0] and "5.2%" in lines(answer)[1]
    goal = compare_assistant.ask("2017年和2024年的经济增长目标分别是多少？")
    assert "6.5%左右" in lines(goal)[0] and "5%左右" in lines(goal)[1]


def test_a_document_without_the_figure_says_so_on_its_own_line(compare_assistant):
    # The cut 2016 report keeps chapter 三's own text only; its deficit is in 三(一).
    answer = compare_assistant.ask("历年的赤字率目标是多少？")
    got = lines(answer)
    assert got[0].startswith("- 2016年") and "没有给出" in got[0]
    assert [c.id for c in answer.citations] == [f"{R17}:二", f"{R24}:二"]


def test_a_share_asked_takes_a_rate_and_an_amount_asked_takes_money(compare_assistant):
    # 2017 sets both in one sentence ("今年赤字率拟按3%安排，财政赤字2.38万亿元"), 2024 too (3%, 赤字规模4.06万亿元).
    share = compare_assistant.ask("2017年和2024年的政府工作报告，分别把财政赤字占GDP的比例定在多少？")
    assert [line.split("——")[0] for line in lines(share)] == ["- 2017年：3%", "- 2024年：3%"]
    amount = compare_assistant.ask("In absolute terms, how big was the planned fiscal deficit in yuan in the 2017 report compared with the 2024 report?")
    assert [line.split(" — ")[0] for line in lines(amount)] == ["- 2017: 2.38万亿元", "- 2024: 4.06万亿元"]


def test_a_question_about_one_document_takes_the_normal_path(compare_assistant):
    answer = compare_assistant.ask("2024年的经济增长目标是多少？")
    assert "compare" not in answer.verification
    assert answer.citations and answer.citations[0].id.startswith(R24)


def test_differences_in_points_and_in_the_later_unit(compare_assistant):
    plans = compare_assistant.index.loaded_plans()

    def cell(plan: str, text: str) -> Cell:
        f = next(f for f in figures(plans[plan]) if f.target.text == text)
        return Cell(plan, f.section_id, f.target.text, f.target.sentence, f)

    assert figure_difference(cell(R16, "6.5%－7%"), cell(R24, "5%左右")) == "低1.5–2个百分点"
    assert figure_difference(cell(R17, "2.38万亿元"), cell(R24, "4.06万亿元"), english=True) == "up 1.68 万亿元"
    assert figure_difference(cell(R24, "1800亿元"), cell(R24, "4.06万亿元")) == "高3.88万亿元"
    assert figure_difference(cell(R17, "6.5%左右"), cell(R24, "1800亿元")) is None, "no difference across units"


# Three short reports of the shape of the real ones: the 2018 one gives its shantytown goal in other words (开工 for
# 棚户区住房改造), and neither 2017 nor 2018 gives a surveyed unemployment goal, only the registered rate.
SHORT_REPORTS = {
    2016: "一、2015年工作回顾\n去年棚户区住房改造开工601万套。\n二、2016年重点工作\n（一）加大保障性安居工程建设。\n"
          "今年棚户区住房改造600万套，提高棚改货币化安置比例。城镇新增就业1000万人以上，城镇调查失业率5%以内。\n",
    2017: "一、2016年工作回顾\n棚户区住房改造600多万套。\n二、2017年重点工作\n（一）推进新型城镇化。\n"
          "今年再完成棚户区住房改造600万套，继续发展公租房等保障性住房。城镇新增就业1100万人以上，城镇登记失业率4.5%以内。\n",
    2018: "一、过去五年工作回顾\n棚户区住房改造2600多万套。\n二、2018年重点工作\n（一）提高保障和改善民生水平。\n"
          "启动新的三年棚改攻坚计划，今年开工580万套。城镇新增就业1100万人以上，城镇登记失业率4.5%以内。\n",
}


def _reports_assistant(tmp_path_factory, settings, name: str, reports: dict[int, str]):
    """An assistant over short reports written to files ("report-2016.txt", titled 2016年政府工作报告), indexed."""
    from assistant import PlanAssistant
    from index import PlanIndex

    folder = tmp_path_factory.mktemp(name)
    files = []
    for year, body in reports.items():
        path = folder / f"report-{year}.txt"
        path.write_text(f"{year}年政府工作报告\n\n{body}", encoding="utf-8")
        files.append(path)
    PlanIndex(settings.with_(home=folder / "home")).build(files)
    return PlanAssistant(PlanIndex.open(settings.with_(home=folder / "home")))


@pytest.fixture(scope="module")
def short_reports(tmp_path_factory, settings, model):
    return _reports_assistant(tmp_path_factory, settings, "short-reports", SHORT_REPORTS)


def test_a_figure_in_other_words_is_found_by_searching_that_document(short_reports):
    answer = short_reports.ask("2016年、2017年和2018年各计划改造多少套棚户区住房？")
    assert [c.id for c in answer.citations] == ["report-2016:二(一)", "report-2017:二(一)", "report-2018:二(一)"]
    assert "580万套" in lines(answer)[2], "2018's goal is worded 今年开工580万套"
    assert "601万套" not in answer.text and "2600" not in answer.text, "last year's results are no goals"


def test_a_figure_another_row_measures_is_no_stand_in(short_reports):
    answer = short_reports.ask("2016年、2017年和2018年的城镇调查失业率目标分别是多少？")
    got = lines(answer)
    assert "5%以内" in got[0]
    assert all("没有给出" in line for line in got[1:]), "城镇登记失业率 is another metric, not the surveyed rate"
    assert "4.5%" not in answer.text


def test_last_years_result_asked_of_one_report_is_quoted_from_its_review(compare_assistant):
    """The sentence ranker weighs the years a sentence speaks of (assistant/dating.py; its weights fitted by
    `bench.fit_answerer`): 去年 in the 2017 report is 2016, told in "2016年工作回顾", not this year's goal."""
    answer = compare_assistant.ask("去年居民消费价格实际涨了多少？", plan=R17)
    assert answer.citations[0].id.endswith(":一"), answer.text
    assert "居民消费价格上涨2%" in answer.text.split("另见")[0] and "3%左右" not in answer.text.split("另见")[0], answer.text
    jobs = compare_assistant.ask("去年城镇新增就业实际有多少？", plan=R24)
    assert [c.id.split(":")[-1] for c in jobs.citations] == ["一"], jobs.text



def test_an_english_topic_is_matched_to_a_subject_word_by_word():
    from assistant.metric_match import _coverage, _coverage_en, bigrams

    # What CC-CEDICT gives the seven reports' words for "What contribution of scientific and technological progress
    # to economic growth … what level …" (dev cmp-087): "level" alone brings eight words.
    translated = [
        ("contribut", ("贡献", "造就")), ("scientif", ("科学",)), ("technolog", ("技术",)), ("progress", ("进步", "逐步")),
        ("econom growth", ("经济增长",)), ("level", ("各级", "均等化", "层次", "层级", "层面", "水平", "程度", "级别")),
    ]
    science, gdp = "科技进步对经济增长的贡献率", "国内生产总值增长"
    worded = {s: _coverage_en(s, translated, 7) for s in (science, gdp)}
    assert worded[science] > 0.4 and worded[science] > 2 * worded[gdp], worded
    assert _coverage_en("常住人口城镇化率", translated, 7) == 0.0
    pooled = bigrams(" ".join(w for _, words in translated for w in words))
    assert _coverage(science, pooled) < 0.25, "pooled, every subject's recall is small and the wording barely counts"


INCOME_REPORTS = {
    2017: "一、2016年工作回顾\n全国居民人均可支配收入实际增长6.3%。\n二、2017年重点工作\n今年国内生产总值增长6.5%左右。\n",
    2018: "一、2017年工作回顾\n国内生产总值增长6.9%，居民收入增长7.3%。\n二、2018年重点工作\n今年国内生产总值增长6.5%左右。\n",
    2024: "一、2023年工作回顾\n居民人均可支配收入实际增长6.1%。脱贫地区农村居民收入增长8.4%。\n"
          "二、2024年重点工作\n今年国内生产总值增长5%左右。\n",
}



def test_a_row_meeting_the_metric_rules_out_only_its_own_wording():
    from assistant.metric_match import _shared_cells
    from index.metrics import Metric
    from index.sections import parse_plan

    found = {}
    for year, body in INCOME_REPORTS.items():
        plan = parse_plan(f"{year}年政府工作报告\n\n{body}", f"report-{year}")
        for f in figures(plan, document_period(plan.name, plan.title)):
            found[(year, f.target.text)] = Cell(plan.name, f.section_id, f.target.text, f.target.sentence, f)

    def row(*keys):
        cells = [found[k] for k in keys]
        return Metric(cells[0].figure.subject, "%", "outcome", "year", cells, tuple(c.figure.subject for c in cells))

    income = row((2017, "6.3%"), (2024, "6.1%"))
    # Clustering may join 2018's plain 居民收入增长 with 2024's 脱贫地区农村居民收入增长, which stands beside the
    # metric's own 2024 figure: that proves the poor areas' figure another measure, not 2018's (dev cmp-083).
    mixed = row((2018, "7.3%"), (2024, "8.4%"))
    excluded = {value for _, _, value in _shared_cells([income, mixed], income)}
    assert excluded == {"8.4%"}
    assert {v for _, _, v in _shared_cells([income, mixed], income, meeting=False)} == {"7.3%", "8.4%"}


THRESHOLD_REPORTS = {
    2021: "一、2020年工作回顾\n城镇新增就业1186万人。\n二、2021年重点工作\n"
          "将小规模纳税人增值税起征点从月销售额10万元提高到15万元。城镇新增就业1100万人以上。\n",
    2023: "一、过去五年工作回顾\n阶段性将小规模纳税人增值税起征点从月销售额3万元提高到15万元。城镇新增就业1206万人。\n"
          "二、2023年重点工作\n城镇新增就业1200万人左右。\n",
}


@pytest.fixture(scope="module")
def threshold_reports(tmp_path_factory, settings, model):
    return _reports_assistant(tmp_path_factory, settings, "threshold-reports", THRESHOLD_REPORTS)


def test_a_question_naming_no_stance_takes_the_other_kind_where_the_asked_one_is_missing(threshold_reports):
    answer = threshold_reports.ask("小规模纳税人增值税起征点，2021年和2023年的报告分别是怎么说的？")
    got = lines(answer)
    assert len(got) == 2 and "（目标）：15万元" in got[0] and "（实际）：15万元" in got[1], answer.text
    assert [c.id for c in answer.citations] == ["report-2021:二", "report-2023:一"]
    # Asked for goals, 2023's review gives none; nor does another measure stand in for a missing one.
    goals = lines(threshold_reports.ask("2021年和2023年小规模纳税人增值税起征点的目标分别是多少？"))
    assert "15万元" in goals[0] and "没有给出" in goals[1], goals


# Two short reports in the real ones' words: their goals (城镇新增就业, 城镇登记失业率 among them, whose 城镇 is all the
# dictionary makes of "urban") and the number of people to settle in towns (进城落户) under its own heading.
SETTLEMENT_REPORTS = {
    2017: "一、2016年工作回顾\n深化户籍制度改革，全面推行居住证制度，又有1600万人进城落户。\n二、2017年工作总体部署\n"
          "今年发展的主要预期目标是：国内生产总值增长6.5%左右，在实际工作中争取更好结果；居民消费价格涨幅3%左右；"
          "城镇新增就业1100万人以上，城镇登记失业率4.5%以内；进出口回稳向好，国际收支基本平衡；居民收入和经济增长基本同步；"
          "单位国内生产总值能耗下降3.4%以上，主要污染物排放量继续下降。\n三、2017年重点工作任务\n（一）推进新型城镇化。\n"
          "深化户籍制度改革，今年实现进城落户1300万人以上，加快居住证制度全覆盖。\n",
    2018: "一、过去五年工作回顾\n城镇新增就业6600万人以上。\n二、2018年经济社会发展总体要求和政策取向\n"
          "今年发展主要预期目标是：国内生产总值增长6.5%左右；居民消费价格涨幅3%左右；城镇新增就业1100万人以上，"
          "城镇调查失业率5.5%以内，城镇登记失业率4.5%以内；居民收入增长和经济增长基本同步；进出口稳中向好，国际收支基本平衡；"
          "单位国内生产总值能耗下降3%以上，主要污染物排放量继续下降。\n三、对2018年政府工作的建议\n（一）推进新型城镇化。\n"
          "今年再进城落户1300万人，加快农业转移人口市民化。\n",
}


@pytest.fixture(scope="module")
def settlement_reports(tmp_path_factory, settings, model):
    return _reports_assistant(tmp_path_factory, settings, "settlement-reports", SETTLEMENT_REPORTS)


def test_an_english_topic_is_matched_to_the_sentences_a_row_quotes(settlement_reports):
    """e5 compares the question with the sentences a row's figures come from, not only with its subject phrase:
    "再进城落户" alone is no nearer "urban household registration" than "城镇新增就业", whose 城镇 the dictionary gives."""
    answer = settlement_reports.ask("How many rural migrants were to get urban household registration in 2017 and in 2018?")
    assert [c.id for c in answer.citations] == ["report-2017:三(一)", "report-2018:三(一)"], answer.text
    assert "1300万人以上" in lines(answer)[0] and "1300万人" in lines(answer)[1], answer.text
    jobs = settlement_reports.ask("How many new urban jobs were targeted in 2017 and in 2018?")
    assert [c.id for c in jobs.citations] == ["report-2017:二", "report-2018:二"], jobs.text
