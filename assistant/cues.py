"""The answerer's cue words, compiled: each pattern joins the Chinese (language/zh.py) and English (language/en.py)
words for one decision, and says in a line what it decides."""
from __future__ import annotations

import re

from .language import en, zh

# A question asks for a target or plan (今年要…, this year's goal): sentences that set targets answer it.
QUESTION_TARGET = re.compile(zh.QUESTION_TARGET + "|" + en.QUESTION_TARGET, re.I)

# A question asks for a result already achieved (去年实际…, last year): review sentences answer it.
QUESTION_OUTCOME = re.compile(zh.QUESTION_OUTCOME + "|" + en.QUESTION_OUTCOME, re.I)

# A sentence sets a target or a plan: the words reports and plans put around this year's figures.
SENTENCE_TARGET = re.compile(zh.SENTENCE_TARGET)

# A sentence reports a result: the words a review puts around last year's figures.
SENTENCE_OUTCOME = re.compile(zh.SENTENCE_OUTCOME)

# A how/measures question: sentences that start with a policy verb state a measure.
MEASURE_VERB = re.compile(zh.MEASURE_VERB)

# Where-questions ask for a place: a sentence answers only if it names one.
QUESTION_PLACE = re.compile(zh.QUESTION_PLACE + "|" + en.QUESTION_PLACE, re.I)

# The document kinds a title ends with, most specific first: the answer calls a document by its kind.
DOCUMENT_KINDS = zh.DOCUMENT_KINDS

# The English name of each document kind, for English answers.
DOCUMENT_KINDS_EN = en.DOCUMENT_KINDS_EN

# Words dropped from a title to make the short name people use ("2016年中华人民共和国国务院政府工作报告" -> 2016年政府工作报告).
TITLE_NOISE = zh.TITLE_NOISE

# Asks for an amount of money (经费, 多少元, how much funding).
ASKS_MONEY = re.compile(zh.ASKS_MONEY + "|" + en.ASKS_MONEY, re.I)

# Asks for a share or rate (比例是多少, what percentage).
ASKS_PERCENT = re.compile(zh.ASKS_PERCENT + "|" + en.ASKS_PERCENT, re.I)

# Asks for a date or deadline (什么时候, by when).
ASKS_TIME = re.compile(zh.ASKS_TIME + "|" + en.ASKS_TIME, re.I)

# Asks for names of people, not "谁来…" / "who will…", which a role answers.
ASKS_PERSON = re.compile(zh.ASKS_PERSON + "|" + en.ASKS_PERSON, re.I)

# Asks where the document mentions something (哪些地方提到, which parts).
ASKS_LOCATIONS = re.compile(zh.ASKS_LOCATIONS + "|" + en.ASKS_LOCATIONS, re.I)

# Asks for a number (多少, how many); 哪几项 asks which, not how many; "per 10,000 people": a rate is a number.
ASKS_COUNT = re.compile(zh.ASKS_COUNT + "|" + en.ASKS_COUNT, re.I)

# Asks how: measures answer it (怎么, 如何, what measures).
ASKS_HOW = re.compile(zh.ASKS_HOW + "|" + en.ASKS_HOW, re.I)

# Asks why, and a sentence giving a cause or purpose (为什么 / 主要是, why / because).
ASKS_REASON = re.compile(zh.ASKS_REASON + "|" + en.ASKS_REASON, re.I)
STATES_REASON = re.compile(zh.STATES_REASON + "|" + en.STATES_REASON, re.I)

# Asks for several things (哪些, 分别, which).
ASKS_LIST = re.compile(zh.ASKS_LIST + "|" + en.ASKS_LIST, re.I)

# Asks yes or no (是否, 吗, does …).
ASKS_YESNO = re.compile(zh.ASKS_YESNO + "|" + en.ASKS_YESNO, re.I)

# A share noun after a money noun heads the measured phrase ("研发费用加计扣除比例…多少": a share, not money): the
# last noun of a Chinese noun phrase is what it measures, and "what share of …" heads an English one. Checked on dev
# rb-017 and rd-039.
SHARE_AFTER_MONEY = re.compile(zh.SHARE_AFTER_MONEY + "|" + en.SHARE_BEFORE_MONEY, re.I)

# What an English question counts or sets a target for: "how many X will…", "targets for X".
COUNTED_THING = re.compile(en.COUNTED_THING, re.I)

# "the X targets", "Beijing's X target": X is what the target is for.
TARGETED_THING = re.compile(en.TARGETED_THING, re.I)

# Where the counted thing's head noun ends: a preposition, relative or participle starts its modifier.
NOT_HEAD = re.compile(en.NOT_HEAD, re.I)

# Interrogatives and function words: never key terms.
STOPWORDS_ZH = zh.STOPWORDS_ZH

# Interrogatives, function words and words about the document itself: never key terms.
STOPWORDS_EN = en.STOPWORDS_EN

# "换个问题，…" / "Different question - …": the asker says the topic changes, so nothing is carried over.
TOPIC_SWITCH = re.compile(r"^\s*(?:" + zh.TOPIC_SWITCH + "|" + en.TOPIC_SWITCH + r")\s*(?:[,，:：;；.。!！?？\-—–]+\s*)", re.I)

# "那…呢", "还有…呢", "And …?", "What about …?": the asker swaps one thing of the last question for another.
ELLIPSIS_ZH = re.compile(zh.ELLIPSIS_ZH)

# "And …?", "What about …?": the asker swaps one thing of the last question for another.
ELLIPSIS_EN = re.compile(en.ELLIPSIS_EN, re.I)

# "And …", "What about …": the turn continues the last one.
OPENER_EN = re.compile(en.OPENER_EN, re.I)

# "那…", "还有…": the turn continues the last one.
OPENER_ZH = re.compile(zh.OPENER_ZH)

# References back into the last answer or question.
BACK_REFERENCE_ZH = re.compile(zh.BACK_REFERENCE_ZH)

# "具体…", "详细…" at the start: asks more about what was just answered.
BACK_REFERENCE_START_ZH = re.compile(zh.BACK_REFERENCE_START_ZH)

# "it", "these", "of them": references back into the last answer or question.
BACK_REFERENCE_EN = re.compile(en.BACK_REFERENCE_EN, re.I)

# "What does it say about…": "it" is the plan, not the last topic.
IT_IS_THE_DOCUMENT = re.compile(en.IT_IS_THE_DOCUMENT, re.I)

# Question words and particles: a turn of nothing else ("有多少个？", "具体是什么？") is bare.
QUESTION_WORDS_ZH = re.compile(zh.QUESTION_WORDS_ZH)

# A question word inside what "What about …" names: the turn asks a question of its own, it swaps nothing.
ASKS_EN = re.compile(en.ASKS_EN, re.I)

# Words too generic to be the thing a follow-up swaps (目标, 情况, 方面).
GENERIC_WORDS_ZH = re.compile(zh.GENERIC_WORDS_ZH)

# Words too generic to be the thing a follow-up swaps (plan, target, number).
GENERIC_WORDS_EN = en.GENERIC_WORDS_EN

# A Chinese question's topic, said first and marked: "智慧出行这块，…", "科技金融方面，…", "人才上，…". A "那X呢？"
# swaps that topic, whatever the comment after it holds (dev p-014: "物流方面呢？" had replaced 服务, not 智慧出行).
MARKED_TOPIC = re.compile(zh.MARKED_TOPIC)

# Words that say when or whether (今年 / 去年 / 目标 / 实际), and the verbs that set a target (控制在 / 按…安排 /
# 定在): the current turn sets them, the topic does not carry them ("今年物价涨幅控制在多少？" → "去年实际涨了多少？"
# is about 物价涨幅, not about 控制; dev ra-030, rb-039).
STANCE_WORD = re.compile(r"^(?:" + zh.STANCE_WORD + "|" + en.STANCE_WORD + r")$", re.I)

# Asks for a section's name or title (标题, 叫什么, what is … called).
ASKS_NAME = re.compile(zh.ASKS_NAME + "|" + en.ASKS_NAME, re.I)

# Asks what a section contains (包括, 哪几项, what items).
ASKS_PARTS = re.compile(zh.ASKS_PARTS + "|" + en.ASKS_PARTS, re.I)

# Words about a section's place and parts (专栏, 第几条, 包括; box, item, contains): not what a question is about.
STRUCTURE_WORDS = frozenset(zh.STRUCTURE_WORDS_ZH | en.STRUCTURE_WORDS_EN)

# The interrogative tail of a Chinese question ("…是多少？", "…有哪些？"): cut to name what was asked.
ASKING_TAIL = re.compile(zh.ASKING_TAIL)

# The lead-in of a Chinese question ("请问规划中提到的…"): cut to name what was asked.
ASKING_HEAD = re.compile(zh.ASKING_HEAD)

# Words that ask across every loaded document: "历年", "各年", "这几年", "over the years", "in each report".
ACROSS_DOCUMENTS_ZH = re.compile(zh.ACROSS_DOCUMENTS_ZH)

# "over the years", "in each report": the question asks across every loaded document.
ACROSS_DOCUMENTS_EN = re.compile(en.ACROSS_DOCUMENTS_EN, re.I)

# Words that ask how something changed; with no year named they ask across every loaded document, unless the
# question is about one document's own "this year vs last year" (今年比去年).
ASKS_CHANGE = re.compile(zh.ASKS_CHANGE + "|" + en.ASKS_CHANGE, re.I)

# 今年 / 去年 / this year: a year said relative to one document's own.
RELATIVE_YEAR = re.compile(zh.RELATIVE_YEAR + "|" + en.RELATIVE_YEAR, re.I)

# What the question asks for: a goal, or a result that was reached.
ASKS_RESULT = re.compile(zh.ASKS_RESULT + "|" + en.ASKS_RESULT, re.I)

# A question about a figure over several years ("过去五年年均增长", "average annual") wants the period's figure.
ASKS_PERIOD_FIGURE = re.compile(zh.ASKS_PERIOD_FIGURE + "|" + en.ASKS_PERIOD_FIGURE, re.I)

# A comparison that asks a share, or an amount: rows counted in the other kind of unit are no answer.
ASKS_RATIO = re.compile(zh.ASKS_RATIO + "|" + en.ASKS_RATIO, re.I)
ASKS_AMOUNT = re.compile(zh.ASKS_AMOUNT + "|" + en.ASKS_AMOUNT, re.I)

# Words of the question's form, not of its topic: left out when the topic is matched to a metric's subject.
FORM_WORDS_ZH = re.compile(zh.FORM_WORDS_ZH)

# English words of a comparative question's form, not its topic: left out when matching the topic to a metric.
FORM_WORDS_EN = re.compile(en.FORM_WORDS_EN, re.I)

# A comparative question about goals (目标, 预期, target): its documents' targets answer it.
ASKS_GOAL = re.compile(zh.ASKS_GOAL + "|" + en.ASKS_GOAL, re.I)

# A question that asks for no figure ("在科技创新方面有什么不同") is answered from each document's best sentence.
ASKS_FIGURE = re.compile(zh.ASKS_FIGURE + "|" + en.ASKS_FIGURE, re.I)

# The question names several things (分别, 和, each, both): answers may need several sections.
SEVERAL_THINGS = re.compile(zh.SEVERAL_THINGS + "|" + en.SEVERAL_THINGS, re.I)

# "其中第二项 / 第2个 / 那第三条": the Nth of the things the previous answer listed (or of the section it cited).
ORDINAL_ZH = re.compile(zh.ORDINAL_ZH)

# "最后一项": the last of the things the previous answer listed.
LAST_ZH = re.compile(zh.LAST_ZH)

# "the second one", "item 3": the Nth of the things the previous answer listed.
ORDINAL_EN = re.compile(en.ORDINAL_EN, re.I)

# English ordinal words and their numbers.
ORDINAL_WORDS_EN = en.ORDINAL_WORDS_EN

# "这个专栏 / 该专栏 / that box": the box the previous answer cited (or the box its item belongs to).
THIS_BOX = re.compile(zh.THIS_BOX + "|" + en.THIS_BOX, re.I)

# "这部分 / 这一条 / this section": the section the previous answer cited.
THIS_SECTION = re.compile(zh.THIS_SECTION + "|" + en.THIS_SECTION, re.I)

# An amount of money in a document's text (3亿元, ¥5).
FACT_MONEY = re.compile(zh.FACT_MONEY)

# A share in a document's text (15%, 百分之, 比重).
FACT_PERCENT = re.compile(zh.FACT_PERCENT)

# A date in a document's text (2020年, 年底, 季度).
FACT_TIME = re.compile(zh.FACT_TIME)

# "多少辆 / 几家": the measure word the asker expects the number in (个 says nothing, 年 is usually a year).
ASKED_UNIT = re.compile(zh.ASKED_UNIT)

# Measure words that count the same things (人 / 名 / 位).
SAME_UNIT = zh.SAME_UNIT

# "报告 / 规划 / report / plan" near a year: the question names a document, not just a year it covers.
DOCUMENT_WORD = re.compile(zh.DOCUMENT_WORD + "|" + en.DOCUMENT_WORD, re.I)

# "次年的报告 / the reports of the following years": each named year is asked of the report after it.
NEXT_YEARS_REPORT = re.compile(zh.NEXT_YEARS_REPORT + "|" + en.NEXT_YEARS_REPORT, re.I)

# "2018年政府工作报告 / the 2018 report": a year naming a document, not the year a figure is asked of.
YEAR_NAMES_DOCUMENT = re.compile(zh.YEAR_NAMES_DOCUMENT + "|" + en.YEAR_NAMES_DOCUMENT, re.I)

# "the thirteenth Five-Year Plan": ordinal words that number a five-year plan.
PERIOD_ORDINALS_EN = en.PERIOD_ORDINALS_EN

# English: a four-digit number is a year after a word that introduces one ("by 2020", "in 2018", "the 2016 report",
# "Shenzhen's 2020 target"), or in a range ("2016-2020"); a bare one may be a quantity ("2000 enterprises"), and
# one glued to Chinese is part of a name (中国制造2025).
YEAR_CUE_EN = re.compile(en.YEAR_CUE_EN, re.IGNORECASE)

# After these a round number is more likely a count ("the 2000 overseas talents") than a year.
WEAK_YEAR_CUES_EN = en.WEAK_YEAR_CUES_EN

# English function words a generated sentence's support is not judged on.
STOPWORDS_VERIFY_EN = en.STOPWORDS_VERIFY_EN

# A sentence that announces the parts that follow ("做好八个方面工作"): a list question gets the parts.
ANNOUNCES_PARTS = re.compile(zh.ANNOUNCES_PARTS)

# The years a question or a sentence speaks of, relative to its document's own year (assistant/dating.py).
THIS_YEAR = re.compile(zh.THIS_YEAR + "|" + en.THIS_YEAR, re.I)
LAST_YEAR = re.compile(zh.LAST_YEAR + "|" + en.LAST_YEAR, re.I)
NEXT_YEAR = re.compile(zh.NEXT_YEAR + "|" + en.NEXT_YEAR, re.I)
YEAR_AFTER_NEXT = re.compile(zh.YEAR_AFTER_NEXT + "|" + en.YEAR_AFTER_NEXT, re.I)
SEVERAL_YEARS = re.compile(zh.SEVERAL_YEARS + "|" + en.SEVERAL_YEARS, re.I)
REVIEW_HEADING = re.compile(zh.REVIEW_HEADING)

# A clause asking something of its own, and where an English question asks a second thing (assistant/compound.py).
ASKS_SOMETHING_ZH = re.compile(zh.ASKS_SOMETHING_ZH)
NEXT_QUESTION_EN = re.compile(en.NEXT_QUESTION_EN, re.I)
STARTS_QUESTION_EN = re.compile(en.STARTS_QUESTION_EN, re.I)
ASKS_MORE = re.compile(zh.ASKS_MORE_ZH + "|" + en.ASKS_MORE_EN, re.I)
ASKS_PER = re.compile(zh.ASKS_PER_ZH + "|" + en.ASKS_PER_EN, re.I)
ASKS_ALLOCATION = re.compile(zh.ASKS_ALLOCATION_ZH + "|" + en.ASKS_ALLOCATION_EN, re.I)
ASKS_SPLIT = re.compile(zh.ASKS_SPLIT_ZH + "|" + en.ASKS_SPLIT_EN, re.I)
STATES_SPLIT = re.compile(zh.STATES_SPLIT_ZH + "|" + en.STATES_SPLIT_EN, re.I)
STATES_PER = re.compile(zh.STATES_PER_ZH + "|" + en.STATES_PER_EN, re.I)
PER_UNIT_ZH = re.compile(zh.PER_UNIT_ZH)
PER_UNIT_EN = re.compile(en.PER_UNIT_EN, re.I)
PER_CAPITA_EN = re.compile(en.PER_CAPITA_EN, re.I)
NOT_A_UNIT = re.compile(f"(?:{zh.NOT_A_UNIT_ZH}|{en.NOT_A_UNIT_EN})", re.I)
