"""Sentence splitting, question analysis and the composer: quotes are verbatim and cite only given sections."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.passages import Evidence, quotable_sentences
from assistant.quotes import rank, select
from assistant.refusal import judge
from assistant.rendering import Draft, render, render_refusal
from assistant.sentence_scorer import SentenceScorer
from assistant.structure_questions import find_referenced, lead_passage
from assistant.evidence import asked_unit, counts_in, has_evidence
from assistant.plan_assistant import has_words
from assistant.question import analyze
from assistant.section_refs import section_refs
from assistant.terms import clean_text, is_english, number_groups
from assistant.sentences import split_clauses, split_sentences
from index import DEFAULT_PLAN, Section, load_plan


@pytest.fixture(scope="module")
def plan():
    return load_plan(DEFAULT_PLAN)


def section(sid: str, body: str, title: str = "标题", heading: str | None = None) -> Section:
    heading = heading or f"1. {title}"
    return Section(id=sid, kind="item", title=title, heading=heading, body=body, path=[heading], parent_id=None,
                   plan="p", start=0, end=0, marker="1.")


# -- sentences ------------------------------------------------------------------------------------------------


def test_sentences_keep_their_end_punctuation_and_exact_spans():
    text = "  第一句话，有逗号。第二句话；第三句！English here. And “quoted。” Last"
    spans = split_sentences(text)
    assert [s.text for s in spans] == ["第一句话，有逗号。", "第二句话；", "第三句！", "English here.", "And “quoted。”", "Last"]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_decimals_list_markers_and_newlines():
    text = "1. 建设1.5万个基站\n2. 达到8-10家。"
    assert [s.text for s in split_sentences(text)] == ["1. 建设1.5万个基站", "2. 达到8-10家。"]


def test_a_line_break_inside_brackets_ends_no_sentence():
    # The 2017 and 2022 reports, as transcribed, break "细颗粒物（PM2.5）" over three lines.
    text = "细颗粒物（PM\n2.5\n）平均浓度下降9.1%。第一批国家公园正式设立。\n一行（未闭合\n下一段。"
    assert [s.text for s in split_sentences(text)] == [
        "细颗粒物（PM\n2.5\n）平均浓度下降9.1%。", "第一批国家公园正式设立。", "一行（未闭合", "下一段。"]


def test_clauses_split_on_commas_but_not_thousands():
    text = "引进院士100名,团队10,000个，培养博士1000名。"
    sentence = split_sentences(text)[0]
    assert [c.text for c in split_clauses(text, sentence)] == ["引进院士100名,", "团队10,000个，", "培养博士1000名。"]


def test_quotable_sentences_skip_the_heading_and_an_inline_label(plan):
    item = plan.get("五(一)3")
    spans = quotable_sentences(item)
    assert spans[0].text.startswith("充分发挥诺贝尔奖科学家")
    box_item = plan.get("专栏12.1")  # "1. 人才载体。举办…": the label alone is no answer
    assert quotable_sentences(box_item)[0].text.startswith("举办中国国际人才交流大会")
    box = plan.get("专栏17")  # a box heading has no body: its heading line is what can be quoted
    assert quotable_sentences(box)[0].text == "专栏17 智慧交通运输服务计划"


def test_every_sentence_of_the_plan_is_verbatim(plan):
    for s in plan.sections:
        for span in quotable_sentences(s):
            assert s.text[span.start : span.end] == span.text


# -- question analysis ------------------------------------------------------------------------------------------


def test_question_kinds_and_language():
    assert analyze("深圳计划柔性引进多少名诺贝尔奖科学家？").kind == "count"
    assert analyze("如何提升和建设一批科技创新载体？").kind == "how"
    assert analyze("深圳国家基因库(二期)总投资是多少亿元？").wants("money")
    assert analyze("When will the museum open?").wants("time")
    assert analyze("规划中哪些地方提到了国家基因库？").wants("locate")
    assert is_english("What is in 专栏12?") and not is_english("专栏12讲什么？")


def test_a_rate_asks_for_a_number_and_english_numbers_stay_whole():
    assert analyze("What R&D density is the plan targeting, i.e. researchers per 10,000 people?").wants("count")
    assert analyze("What ratio of graduates stay in the city?").wants("count")
    assert number_groups("per 10,000 people by 2020, 2,200 labs, 5G") == [("10000", "1万", "一万", "每万"), ("2020",), ("2200",)]
    groups = analyze("How many labs per 10,000 people?").groups
    assert ("10000", "1万", "一万", "每万") in groups and ("10",) not in groups and ("000",) not in groups


def test_the_documents_own_name_is_not_what_a_figure_counts():
    """"2018年政府工作报告里…": 报告 names the document. A report's body seldom says 报告, so it was the question's
    rarest key term, no clause held it beside the amount, and `no_subject_fact` fired on an answerable question."""
    from assistant.subjects import stated_facts

    q = analyze("2018年政府工作报告里中央预算内投资安排了多少？")
    idf = {"报告": 5.0, "预算内": 3.0, "中央": 1.0, "投资": 1.0, "安排": 1.0, "政府": 2.0, "工作": 1.0}.get
    texts = ["中央预算内投资安排5376亿元，比去年增加300亿元。"]
    assert stated_facts(q, texts, lambda t: idf(t, 0.5)) == []  # 报告 taken for the subject
    q.title_terms = ("政府", "工作", "报告")  # what PlanAssistant sets from the loaded titles
    assert stated_facts(q, texts, lambda t: idf(t, 0.5)) == [("中央预算内投资安排5376亿元", 0)]


def test_the_word_naming_the_document_is_no_key_term():
    """"报告里关于住房的内容": 报告 is rare in a report's text, so as a key term it outweighed 住房 and a sentence
    saying 报告 was quoted (dev ra-069). Words of the title that name a kind of document are dropped; other title
    words (工作) and a question of nothing else keep theirs."""
    from assistant.question import naming_the_document

    q = naming_the_document(analyze("报告里关于住房的内容都有哪些？"), ("报告",))
    assert q.groups == [("住房",)] and "报告" not in q.terms
    dictionary = lambda text: [("report", ("反映", "报告", "申报")), ("housing", ("住房", "房屋"))]  # noqa: E731
    en = naming_the_document(analyze("What does the report say about housing?", translate=dictionary), ("报告", "工作"))
    assert en.groups and not any("报告" in g for g in en.groups) and any("住房" in g for g in en.groups)
    assert naming_the_document(analyze("报告讲了什么？"), ("报告",)).groups  # nothing else to look for: kept
    jobs = naming_the_document(analyze("工作报告里就业目标是多少？"), ("工作", "报告"))
    assert any("工作" in g for g in jobs.groups)  # 工作 is no kind of document


def test_a_share_of_money_asks_for_a_share_not_an_amount():
    """The measured phrase's last noun decides: 研发费用…比例 is a share; 研发经费 alone is money."""
    assert analyze("科技型中小企业研发费用加计扣除比例今年提到多少？").kinds[:1] == ["percent"]
    assert not analyze("科技型中小企业研发费用加计扣除比例今年提到多少？").wants("money")
    assert analyze("研发经费投入多少？").wants("money")
    # English puts the share first: "what share of …" heads the phrase whatever money word follows.
    assert analyze("What share of GDP did research and development spending reach in 2016?").kinds[:1] == ["percent"]
    assert analyze("How much spending on research is planned?").wants("money")


@pytest.mark.parametrize("text, words", [("？？？", False), ("!!!", False), ("。。", False), ("…… 😀", False), ("5G?", True), ("什么？", True)])
def test_punctuation_is_no_question(text, words):
    assert has_words(text) is words


def test_clean_text_drops_control_characters():
    assert clean_text("深圳\x00要\u200b建设\x1b什么？\r\n ") == "深圳要建设什么？"


@pytest.mark.parametrize(
    "question, ids",
    [
        ("专栏12有哪些内容？", ["专栏12"]),
        ("专栏11第3项写的是什么？", ["专栏11.3"]),
        ("第18条讲什么？", ["五(五)18"]),
        ("五(三)讲什么？", ["五(三)"]),
        ("重点工程的第(四)项工程叫什么名字？", ["五(四)"]),
        ("What is item 5 in box 11 about?", ["专栏11.5"]),
        ("What is in box 14?", ["专栏14"]),
        ("第1条和第2条分别讲什么？", ["五(一)1", "五(一)2"]),
        ("专栏11最后一项讲的是什么？", ["专栏11.6"]),
        ("What is the last item in box 12?", ["专栏12.2"]),
        ("What does the second item of box 17 say?", ["专栏17.2"]),
    ],
)
def test_numbered_references_find_their_sections(plan, question, ids):
    found, unknown = find_referenced(section_refs(question), plan.sections)
    assert [s.id for s in found] == ids and not unknown


def test_an_unknown_reference_is_reported(plan):
    found, unknown = find_referenced(section_refs("专栏99讲什么？"), plan.sections)
    assert not found and unknown[0].text == "专栏99"


def test_fact_evidence_patterns():
    assert asked_unit("深圳新能源汽车的数量目标是多少辆？") == "辆"
    assert counts_in("家", "到2020年,争取进入世界500强企业数量达到8-10家。")
    assert counts_in("人", "引进海内外院士100名")
    assert not counts_in("年", "到2020年,争取进入世界500强")
    assert has_evidence("money", "总投资12.5亿元") and not has_evidence("money", "建设10个科学实验室")
    assert has_evidence("time", "力争到2020年") and not has_evidence("time", "加快推进深圳科技馆(新馆)建设")


# -- the composer -----------------------------------------------------------------------------------------------


def test_term_statistics_count_what_a_scan_of_every_section_counts(plan):
    """idf and in_corpus search one joined string (fast at 100k sections); they must agree with a plain scan."""
    import math

    scorer = SentenceScorer(None, lambda: plan.sections)
    texts = [s.text.lower() for s in plan.sections]
    last = plan.sections[-1].text[-6:]  # a term that only the last section holds, at its very end
    for term in ["深圳", "诺贝尔奖", "5G", "石墨烯", "Nobel", "不存在的词", "。", last, plan.sections[0].text[:5]]:
        df = sum(1 for t in texts if term.lower() in t)
        assert scorer.in_corpus(term) == (df > 0), term
        assert scorer.idf(term) == pytest.approx(math.log((len(texts) + 1) / (df + 0.5))), term


def test_composer_quotes_the_sentence_with_the_number(plan):
    scorer = SentenceScorer(None, lambda: plan.sections)
    q = analyze("深圳计划柔性引进多少名诺贝尔奖科学家？")
    evidence = [Evidence(plan.get(i), i, r) for r, i in enumerate(["五(一)3", "专栏11.3", "五(二)8"])]
    ranked = rank(q, evidence, scorer, None)
    passages = select(q, ranked, scorer)
    assert passages[0].evidence.cite_id == "五(一)3"
    assert "柔性引进10名以上诺贝尔奖科学家" in passages[0].quote
    assert passages[0].quote in plan.get("五(一)3").text
    lines = render(q, passages)
    assert lines[0].startswith("关于数量") and lines[1].endswith("[五(一)3]")


def test_a_section_whose_title_the_question_restates_wins_a_tie():
    overview = section("A", "以平台建设为依托,推进体制改革。", "总体要求")
    item = section("B", "以示范区为平台,推进体制改革。", "推进体制改革")
    scorer = SentenceScorer(None, lambda: [overview, item])
    q = analyze("体制改革以哪些平台推进？")
    ranked = rank(q, [Evidence(overview, "A", 0), Evidence(item, "B", 0)], scorer, None)
    assert ranked.top.evidence.cite_id == "B"


def test_a_part_that_answers_as_well_as_its_overview_comes_first():
    overview = section("P", "以平台建设为依托,推进体制改革。", "总体要求")
    part = Section(id="P1", kind="item", title="主要任务", heading="1. 主要任务", body="以示范区为平台,推进体制改革。",
                   path=["1. 主要任务"], parent_id="P", plan="p", start=0, end=0, marker="1.")
    scorer = SentenceScorer(None, lambda: [overview, part])
    q = analyze("体制改革以哪些平台推进？")
    ranked = rank(q, [Evidence(overview, "P", 0), Evidence(part, "P1", 0)], scorer, None)
    assert [u.evidence.cite_id for u in ranked.best] == ["P1", "P"]


def test_refusal_offers_related_sections_without_brackets(plan):
    from assistant.passages import Passage
    from assistant.refusal import Verdict

    q = analyze("深圳地铁票价多少？")
    p = Passage(Evidence(plan.get("专栏17.1"), "专栏17.1"), 0, 5, 0.0)
    lines = render_refusal(q, Verdict(False, "missing:money", "money"), [p])
    assert "没有给出“深圳地铁票价”的具体金额" in lines[0] and "专栏17.1" in lines[-1] and "[" not in "".join(lines)


def test_a_period_refusal_says_the_passages_speak_of_other_years(plan):
    from assistant.passages import Passage
    from assistant.refusal import Verdict

    p = Passage(Evidence(plan.get("专栏17.1"), "专栏17.1"), 0, 5, 0.0)
    zh = render_refusal(analyze("2018年地铁里程是多少？"), Verdict(False, "period"), [p])
    assert "其他年份" in zh[0] and "2018年地铁里程" in zh[0] and "专栏17.1" in zh[-1]
    en = render_refusal(analyze("How long was the metro network in 2018?"), Verdict(False, "period"), [p])
    assert "other years" in en[0]


def test_outline_opening_is_verbatim(plan):
    p = lead_passage(Evidence(plan.get("专栏12.2"), "专栏12.2"))
    assert p.quote in plan.get("专栏12.2").text and p.display.endswith("……")


_cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80)
_piece = st.text(alphabet=st.one_of(_cjk, st.sampled_from(list("abc XYZ0123456789"))), min_size=0, max_size=25)
_punct = st.sampled_from(["。", "，", "；", "！", "？", ". ", ",", "\n", "、", "：", "”", "“", ""])
_body = st.lists(st.tuples(_piece, _punct), min_size=0, max_size=12).map(lambda xs: "".join(a + b for a, b in xs))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bodies=st.lists(_body, min_size=1, max_size=4),
    titles=st.lists(st.text(alphabet=_cjk, min_size=1, max_size=6), min_size=4, max_size=4),
    question=st.one_of(_body, st.sampled_from(["有多少个？", "哪些地方提到了一？", "How many?", "怎么做？", "what is it"])),
)
def test_property_every_quote_is_verbatim_and_every_cited_id_was_given(bodies, titles, question):
    sections = [section(f"S{i}", body, titles[i]) for i, body in enumerate(bodies)]
    scorer = SentenceScorer(None, lambda: sections)
    q = analyze(question or "？")
    evidence = [Evidence(s, s.id, i) for i, s in enumerate(sections)]
    ranked = rank(q, evidence, scorer, None)
    passages = select(q, ranked, scorer)
    verdict = judge(q, ranked, scorer)
    draft = Draft(render(q, passages), passages)
    given_ids = {s.id for s in sections}
    by_id = {s.id: s for s in sections}
    for c in draft.citations():
        assert c.id in given_ids
        # "……" stands between stretches quoted apart (Passage.more); each stretch is verbatim
        assert c.quote and all(part in by_id[c.id].text for part in c.quote.split("……") if part)
    for p in passages:
        assert p.quote in p.evidence.section.text
    assert verdict.answerable in (True, False)


def test_sentences_apart_in_one_section_are_quoted_with_an_ellipsis(plan):
    from assistant.passages import Composition, Passage

    item = next(s for s in plan.sections if len(quotable_sentences(s)) >= 3)
    first, _, third = quotable_sentences(item)[:3]
    p = Passage(Evidence(item, item.id), first.start, first.end, 1.0, more=((third.start, third.end),))
    assert p.display == f"{first.text}……{third.text}"
    quote = Composition([p]).citations()[0].quote
    assert quote == p.display and all(part in item.text for part in quote.split("……"))
