"""Follow-ups are made standalone from the history; new, complete questions are left alone."""
from __future__ import annotations

import pytest

from assistant.followup import cited_ids_in, message_text, resolve, strip_switch_marker


@pytest.fixture(scope="module")
def similar(model):
    from index.embedder import embed_queries

    def similar(text, candidates):
        vectors = embed_queries(model, [text, *candidates])
        return vectors[1:] @ vectors[0]

    return similar


def user(*turns: str) -> list[dict]:
    return [{"role": "user", "content": t} for t in turns]


def test_message_text_reads_strings_and_gradio_content_lists():
    assert message_text("问题") == "问题"
    assert message_text([{"type": "text", "text": "那院士"}, {"type": "text", "text": "呢？"}]) == "那院士 呢？"
    assert message_text({"text": "hello"}) == "hello"
    assert message_text(None) == "" and message_text([{"type": "file", "path": "/x.png"}]) == ""


def test_switch_markers_are_stripped():
    assert strip_switch_marker("换个问题，用过的动力电池以后怎么处理？") == ("用过的动力电池以后怎么处理？", True)
    assert strip_switch_marker("Different question - how will the city deal with dengue fever?") == (
        "how will the city deal with dengue fever?",
        True,
    )
    assert strip_switch_marker("换个问题") == ("换个问题", False)  # nothing after it: keep the text


def test_no_history_means_no_rewrite():
    r = resolve("那院士呢？", [])
    assert r.rewritten == "那院士呢？" and not r.followup


def test_a_complete_new_question_is_not_rewritten(similar):
    r = resolve("深圳要在海外建设多少个创新中心？", user("深圳要引进多少诺贝尔奖科学家？"), similar)
    assert not r.followup and r.rewritten == "深圳要在海外建设多少个创新中心？"


def test_a_topic_switch_is_not_polluted(similar):
    r = resolve("换个话题，国家基因库二期规划里是怎么写的？", user("深圳要引进多少海外高层次人才？"), similar)
    assert r.switched and not r.followup
    assert "人才" not in r.rewritten and r.rewritten.startswith("国家基因库")


def test_ellipsis_swaps_the_thing_asked_about(similar):
    r = resolve("那院士呢？", user("深圳要引进多少诺贝尔奖科学家？"), similar)
    assert r.followup and r.how == "substituted"
    assert r.rewritten == "深圳要引进多少院士？"


def test_english_ellipsis(similar):
    r = resolve("And about robots?", user("What does the plan say about smart manufacturing?"), similar)
    assert r.rewritten == "What does the plan say about robots?"


def test_a_bare_number_question_takes_the_last_topic(similar):
    r = resolve("有多少个？", user("规划里提到的海外创新中心准备建在哪些地方？"), similar)
    assert r.followup and "海外创新中心" in r.rewritten and r.rewritten.endswith("有多少个？")


def test_references_carry_the_last_topic(similar):
    r = resolve("它们当中哪些是从外面引进来建设的？", user("深圳要建哪些重大科技基础设施？"), similar)
    assert r.followup and "重大科技基础设施" in r.rewritten
    r = resolve("Which of them has to do with money or finance?", user("What are the ten basic research institutions?"), similar)
    assert r.followup and "basic research institutions" in r.rewritten


def test_an_item_number_follows_the_box_asked_about(similar):
    r = resolve("第4项具体是什么？", user("专栏18有哪些内容？"), similar)
    assert r.rewritten == "专栏18第4项具体是什么？"


def test_it_meaning_the_plan_is_no_reference(similar):
    r = resolve("What does it say about military-civilian integration?", user("What does the plan say about Hong Kong?"), similar)
    assert not r.followup


def test_followups_chain_through_earlier_turns(similar):
    history = user("深圳要引进多少诺贝尔奖科学家？", "那院士呢？")
    r = resolve("有多少个？", history, similar)
    assert "院士" in r.rewritten


def test_the_last_answers_citations_are_remembered(similar):
    history = [
        {"role": "user", "content": "专栏16讲了哪些健康技术？"},
        {"role": "assistant", "content": [{"type": "text", "text": "专栏16「人口健康技术应用计划」下设5项：\n…[专栏16.3]"}]},
    ]
    r = resolve("其中第三方医学检测机构要引进几家？", history, similar)
    assert r.followup and r.previous_ids == ["专栏16.3"]
    assert cited_ids_in("……10名以上。[五(一)3]\n另见[专栏11.3]") == ["五(一)3", "专栏11.3"]


def test_a_swap_replaces_the_marked_topic(similar):
    """"X这块，…" / "X方面，…" says its topic first: "那Y方面呢？" swaps that topic, not the closest word after it."""
    r = resolve("物流方面呢？", user("智慧出行这块，市民能得到什么样的服务？"), similar)
    assert r.how == "substituted" and r.rewritten == "物流这块，市民能得到什么样的服务？"
    r = resolve("那人才方面呢？", user("科技金融方面，深圳有什么新办法？"), similar)
    assert r.rewritten == "人才方面，深圳有什么新办法？"
    # "请问，" is no topic: the swap goes to the most similar phrase as before
    r = resolve("那院士呢？", user("请问，深圳计划柔性引进多少名诺贝尔奖科学家？"), similar)
    assert r.rewritten == "请问，深圳计划柔性引进多少名院士？"


def test_a_swap_replaces_what_is_counted_with_the_verbs_before_the_question_word(similar):
    """jieba reads 就业 of "城镇新增就业" as a verb: the thing counted runs up to 多少, and the swap replaces all of it."""
    r = resolve("失业率呢？", user("去年城镇新增就业多少？"), similar)
    assert r.how == "substituted" and r.rewritten == "去年失业率多少？"
    # a noun the question word counts is still swapped alone
    assert resolve("那院士呢？", user("深圳计划柔性引进多少名诺贝尔奖科学家？"), similar).rewritten == "深圳计划柔性引进多少名院士？"


def test_english_swaps_drop_possessives_and_questions_are_not_swapped(similar):
    r = resolve("And what about their access to loans?", user("What tax relief do small businesses get this year?"), similar)
    assert r.how == "substituted" and "their" not in r.rewritten and "access to loans" in r.rewritten
    r = resolve(
        "What about energy use per unit of GDP—by how much should it fall this year?",
        user("What's this year's inflation target?"),
        similar,
    )
    assert r.how != "substituted" and "What about energy use per unit of GDP—by how much should it fall this year?" in r.rewritten


def test_an_outcome_follow_up_keeps_the_topic_not_the_target_verb(similar):
    """"今年X控制在多少？" → "去年实际涨了多少？": the topic carried over is X; 控制 / 安排 set a target, which the
    current turn replaces with an outcome."""
    r = resolve("去年实际涨了多少？", user("今年物价涨幅控制在多少？"), similar)
    assert r.rewritten == "物价涨幅：去年实际涨了多少？"
    r = resolve("去年实际完成了多少？", user("今年赤字率按多少安排？"), similar)
    assert "安排" not in r.rewritten and r.rewritten.startswith("赤字率")


def test_a_follow_up_naming_its_own_topic_is_searched_alone(similar):
    # Three nouns of its own (中央, 预算内, 投资): the last question's 赤字率 would pull the search back to it.
    r = resolve("那今年中央预算内投资安排了多少？", user("今年赤字率定的多少？"), similar)
    assert r.followup and r.how == "own topic" and r.rewritten == "那今年中央预算内投资安排了多少？"


def test_a_follow_up_about_the_same_figure_searches_the_documents_words(similar):
    # The user said 物价; the answer quoted 居民消费价格涨幅, which is what the report's review says too.
    history = [
        {"role": "user", "content": "今年物价涨幅控制在多少？"},
        {"role": "assistant", "content": "据《2017年政府工作报告》二「2017年工作总体部署」：\n居民消费价格涨幅3%左右。[《2017年政府工作报告》二]"},
    ]
    r = resolve("去年实际涨了多少？", history, similar)
    assert r.followup and "居民消费价格涨幅" in r.rewritten and r.rewritten.endswith("去年实际涨了多少？")
    assert r.previous_ids == ["《2017年政府工作报告》二"]
    # A refusal quotes no figure: nothing is added.
    refused = [history[0], {"role": "assistant", "content": "报告没有给出“物价”的具体数据。\n以下章节最接近：\n- 《2017年政府工作报告》一「2016年工作回顾」"}]
    assert "居民消费价格" not in resolve("去年实际涨了多少？", refused, similar).rewritten


def test_a_figure_the_last_quote_counts_of_something_else_is_no_topic(similar):
    # The quote's first figure (13个) counts e-commerce zones; what was asked (通关时间) is stated without digits.
    history = [
        {"role": "user", "content": "进出口货物通关时间这几年缩短了多少？"},
        {"role": "assistant", "content": "据《2018年政府工作报告》一(五)「…」：\n设立13个跨境电商综合试验区，国际贸易“单一窗口”覆盖全国，"
                                         "货物通关时间平均缩短一半以上。[《2018年政府工作报告》一(五)]"},
    ]
    r = resolve("今年还要再压多少？", history, similar)
    assert r.followup and "通关时间" in r.rewritten and "跨境电商" not in r.rewritten


def test_a_swap_replaces_the_whole_topic_a_follow_up_carried(similar):
    """"去年实际涨了多少？" carries the last topic ("今年物价涨幅…"); "那失业率呢？" then replaces all of it, so the
    search is for the unemployment rate, not prices and the unemployment rate."""
    history = user("今年物价涨幅控制在多少？", "去年实际涨了多少？")
    carried = resolve("去年实际涨了多少？", user("今年物价涨幅控制在多少？"), similar)
    assert carried.topic and carried.rewritten.startswith(carried.topic + "：")
    r = resolve("那失业率呢？", history, similar)
    assert r.how == "substituted" and r.rewritten == "失业率：去年实际涨了多少？"
    r = resolve("And the deficit?", user("What is the growth target this year?", "What about last year's actual figure?"), similar)
    assert "deficit" in r.rewritten


def test_a_how_follow_up_does_not_take_the_last_figure_as_its_topic(similar):
    """"怎么防止再返贫？" asks for measures: what the last quote's figure counted (农村贫困人口…) is not its topic."""
    history = [
        {"role": "user", "content": "过去五年脱贫攻坚取得了什么成果？"},
        {"role": "assistant", "content": "据《2023年政府工作报告》一「过去一年和五年工作回顾」：\n——脱贫攻坚任务胜利完成。经过八年持续努力，近1亿农村贫困人口实现脱贫。[《2023年政府工作报告》一]"},
    ]
    r = resolve("脱贫以后怎么防止再返贫？", history, similar)
    assert r.followup and "贫困人口" not in r.rewritten and "努力" not in r.rewritten
    assert r.rewritten.endswith("脱贫以后怎么防止再返贫？")


def test_a_swap_after_a_preposition_replaces_what_followed_it(similar):
    r = resolve("And for ports and airlines?", user("What does the 2021 report do to cut costs for trucks using the highways?"), similar)
    assert r.rewritten == "What does the 2021 report do to cut costs for ports and airlines?"


def test_that_much_points_at_the_last_figure(similar):
    r = resolve("Why was that much support needed?", user("How much VAT credit was refunded to businesses in 2022?"), similar)
    assert r.followup and "VAT credit" in r.rewritten


def test_asking_for_more_continues_the_last_topic(similar):
    history = [{"role": "user", "content": "规划对科技金融有什么安排？"}, {"role": "assistant", "content": "据五(五)18：……"}]
    r = resolve("还提了哪些措施？", history, similar)
    assert r.followup and "科技金融" in r.rewritten and r.reply == "据五(五)18：……"
    assert resolve("What else does it say?", user("What does the plan say about technology finance?"), similar).followup


@pytest.mark.slow
def test_a_follow_up_asking_for_more_quotes_other_sentences(assistant):
    first = assistant.ask("规划对科技金融有什么安排？")
    history = [{"role": "user", "content": "规划对科技金融有什么安排？"}, {"role": "assistant", "content": first.text}]
    more = assistant.ask("还提了哪些措施？", history=history)
    assert more.answerable and more.citations
    said = "".join(first.text.split())
    for c in more.citations:
        assert all("".join(part.split()) not in said for part in c.quote.split("……") if part.strip())


def test_a_demonstrative_with_a_measure_word_points_back(similar):
    # "这笔钱" is the money just asked about: the turn is a follow-up, searched with the bonds it refers to.
    r = resolve("这笔钱主要拿来干什么？", user("今年超长期特别国债准备发多少？"), similar)
    assert r.followup and "超长期特别国债" in r.rewritten
    # A complete question with no demonstrative stays as it is.
    assert not resolve("今年中央预算内投资安排多少？", user("今年超长期特别国债准备发多少？"), similar).followup


def test_a_demonstrative_before_a_noun_points_at_the_last_turn(similar):
    # "that investment" is the last turn's, however many words of its own the turn has
    r = resolve("Which countries received most of that investment?",
                user("How much did Chinese companies invest abroad in 2015, excluding the financial sector?"), similar)
    assert r.followup and "invest abroad" in r.rewritten
    r = resolve("How much do those companies currently spend on R&D each year?",
                user("Which big companies does the plan single out for support?"), similar)
    assert r.followup and r.how != "own topic" and r.rewritten.startswith("How much do those companies")
    # "that" after a noun opens a relative clause: a complete question of its own stays as it is
    alone = resolve("Which companies that invest abroad does the 2016 report mention?",
                    user("How many new urban jobs were created in 2015?"), similar)
    assert not alone.followup and alone.rewritten == "Which companies that invest abroad does the 2016 report mention?"


def test_a_follow_up_naming_its_own_time_drops_the_earlier_turns_time(similar):
    english = resolve("And what are they aiming for this year?",
                      user("What was the average annual growth rate of the economy over the past five years?"), similar)
    # "average annual" is 年均, a span of years, as "the 13th Five-Year Plan period" is 十三五期间
    assert english.rewritten == "And what are they aiming for this year? (growth rate, economy)"
    assert "Five-Year" not in resolve("And what is the target for 2021?",
                                      user("How many new urban jobs were created over the 13th Five-Year Plan period?"), similar).rewritten
    assert "几年" not in resolve("那今年还要再压多少？", user("进出口货物通关时间这几年缩短了多少？"), similar).rewritten
    chinese = resolve("那今年在开放方面还有什么新打算？", user("过去五年我国的平均关税水平降到了多少？"), similar)
    assert "过去五年" not in chinese.rewritten and "五年" not in chinese.rewritten and "平均关税水平" in chinese.rewritten
    # A follow-up naming no time keeps the earlier turn's: "那失业率呢？" still asks about 去年.
    kept = resolve("那失业率呢？", user("去年城镇新增就业多少？"), similar)
    assert "去年" in kept.rewritten


def test_a_follow_up_naming_no_time_keeps_the_last_turns(similar):
    # "这次补贴" is this year's: without 今年 the search reached the 2021 review's one-off 200亿元 subsidy (dev rk-058).
    r = resolve("这次补贴总共多少钱？", user("今年对种粮农民有什么补贴？"), similar)
    assert r.followup and "今年" in r.rewritten and "种粮农民" in r.rewritten
    english = resolve("How much of it will go to Guangdong?", user("How big is the tax cut and refund package this year?"), similar)
    assert "this year" in english.rewritten and "tax cut" in english.rewritten
    own = resolve("那去年这笔补贴发了多少？", user("今年对种粮农民有什么补贴？"), similar)  # its own time replaces the last one's
    assert "今年" not in own.rewritten


def test_a_part_of_what_was_named_before_points_at_the_last_turn(similar):
    # "How much of that…" names a part of the last turn's thing, however many words of its own follow (dev rk-043
    # was searched alone and refused).
    r = resolve("How much of it is refunded to small and micro businesses?", user("How big is the tax cut package this year?"),
                similar)
    assert r.followup and "tax cut" in r.rewritten
