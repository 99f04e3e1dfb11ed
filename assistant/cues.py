"""What the answerer knows about wording: cue words, each list saying in a line what it decides."""
from __future__ import annotations

import re

# A question asks for a target or plan (今年要…, this year's goal): sentences that set targets answer it.
QUESTION_TARGET = re.compile(
    r"今年|目标|计划|预期|打算|准备|要(?:达到|建|新增|发|安排)|将|拟|力争|争取|定在|定的|定了|控制在|安排|"
    r"\bthis year\b|\btargets?\b|\bgoals?\b|\bplan(?:s|ned)?\b|\baim(?:s|ing)?\b|\bwill\b|\bexpect",
    re.I,
)
# A question asks for a result already achieved (去年实际…, last year): review sentences answer it.
QUESTION_OUTCOME = re.compile(
    r"去年|上一年|上年|前一年|实际|过去|完成了|已经|取得了?|回顾|五年来|这些年|成绩|成果|"
    r"\blast year\b|\bactual(?:ly)?\b|\bprevious\b|\bpast\b|\bachieved\b|\bdid\b|\bwas\b|\bwere\b|\brose\b|\bfell\b|\bgrew\b",
    re.I,
)
# A sentence sets a target or a plan: the words reports and plans put around this year's figures.
SENTENCE_TARGET = re.compile(r"预期目标|预期|目标|左右|以上|以内|力争|争取|拟|今年|要|将|计划|安排|到20[0-9]{2}年")
# A sentence reports a result: the words a review puts around last year's figures.
SENTENCE_OUTCOME = re.compile(r"去年|过去|上年|已经|实现了?|完成了?|增长了|下降了|取得|五年|累计|年均|达到了|超过")

# A how/measures question: sentences that start with a policy verb state a measure.
MEASURE_VERB = re.compile(
    r"^(?:加快|推进|推动|支持|鼓励|建立|建设|完善|加强|加大|实施|开展|引导|培育|打造|构建|提升|强化|探索|深化|落实|促进|发展|设立|举办|组建|"
    r"依托|围绕|利用|充分|积极|大力|着力|重点|争取|力争|引进|创建|扩大|提高|优化|整合|规划|坚持|保持|继续|稳定|降低|减轻|全面)"
)

# Where-questions ask for a place: a sentence answers only if it names one.
QUESTION_PLACE = re.compile(r"在哪里|在哪儿|在哪个(?:城市|地方|省)|哪个城市|在哪举办|在哪办|地点|\bwhere\b|\bwhich city\b", re.I)

# The document kinds a title ends with, most specific first: the answer calls a document by its kind.
DOCUMENT_KINDS = ("政府工作报告", "规划纲要", "纲要", "规划", "报告", "意见", "方案", "计划", "通知", "决定", "办法", "条例", "白皮书")
DOCUMENT_KINDS_EN = {
    "政府工作报告": "government work report", "规划纲要": "plan outline", "纲要": "outline", "规划": "plan",
    "报告": "report", "意见": "guideline", "方案": "programme", "计划": "programme", "通知": "notice",
    "决定": "decision", "办法": "measures", "条例": "regulations", "白皮书": "white paper",
}
# Words dropped from a title to make the short name people use ("2016年中华人民共和国国务院政府工作报告" -> 2016年政府工作报告).
TITLE_NOISE = ("中华人民共和国", "国务院")
