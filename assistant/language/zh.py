"""What the answerer knows about Chinese wording, as data: each cue says in a line what it decides (compiled in cues.py)."""

# A question asks for a target or plan (今年要…, this year's goal): sentences that set targets answer it.
QUESTION_TARGET = r"今年|目标|计划|预期|打算|准备|要(?:达到|建|新增|发|安排)|将|拟|力争|争取|定在|定的|定了|控制在|安排"

# A question asks for a result already achieved (去年实际…, last year): review sentences answer it.
QUESTION_OUTCOME = r"去年|上一年|上年|前一年|实际|过去|完成了|已经|取得了?|回顾|五年来|这些年|成绩|成果"

# A sentence sets a target or a plan: the words reports and plans put around this year's figures.
SENTENCE_TARGET = r"预期目标|预期|目标|左右|以上|以内|力争|争取|拟|今年|要|将|计划|安排|到20[0-9]{2}年"

# A sentence reports a result: the words a review puts around last year's figures.
SENTENCE_OUTCOME = r"去年|过去|上年|已经|实现了?|完成了?|增长了|下降了|取得|五年|累计|年均|达到了|超过"

# A how/measures question: sentences that start with a policy verb state a measure.
MEASURE_VERB = (
    r"^(?:加快|推进|推动|支持|鼓励|建立|建设|完善|加强|加大|实施|开展|引导|培育|打造|构建|提升|强化|探索|深化|落实|促进|发展|设立|举办|组建|依托|围绕|利用|充分|积极|大力|着力|重点|争取|力争|引进|创建|扩大|提高|优化|整合|规划|坚持|保持|继续|稳定|降低|减轻|全面)"
)

# Asks why: a sentence stating a cause or purpose answers it (为什么要调低？ -> "调低赤字率，主要是…").
ASKS_REASON = r"为什么|为何|原因|缘由|理由|出于什么"

# A sentence states a cause or a purpose.
STATES_REASON = r"主要是|因为|由于|考虑到|考虑了|为了|目的是|旨在|原因是|之所以|鉴于|面临|有利于|有助于"

# Where-questions ask for a place: a sentence answers only if it names one.
QUESTION_PLACE = r"在哪里|在哪儿|在哪个(?:城市|地方|省)|哪(?:个|些|几个)(?:城市|省份?|地区|国家)|在哪举办|在哪办|地点"

# The document kinds a title ends with, most specific first: the answer calls a document by its kind.
DOCUMENT_KINDS = ("政府工作报告", "规划纲要", "纲要", "规划", "报告", "意见", "方案", "计划", "通知", "决定", "办法", "条例", "白皮书")

# Words dropped from a title to make the short name people use ("2016年中华人民共和国国务院政府工作报告" -> 2016年政府工作报告).
TITLE_NOISE = ("中华人民共和国", "国务院")

# Asks for an amount of money (经费, 多少元, how much funding).
ASKS_MONEY = (
    r"多少钱|经费|预算|资金(?:是)?多少|多少资金|投资(?:是)?多少|多少投资|总投资|投入多少|补贴标准|补贴多少|票价|租金|(?<!消费)价格|费用|工资|薪酬|"
    r"多少(?:亿|万)?元"
)

# Asks for a share or rate (比例是多少, what percentage).
ASKS_PERCENT = r"(?:比重|比例|占比|百分|[^效频]率)(?:目标)?(?:是|为|要达到)?(?:多少|几)|(?:多少|几)个?百分点|几个点(?![位子])"

# Asks for a date or deadline (什么时候, by when).
ASKS_TIME = r"什么时候|何时|几时|哪一?年|哪一?天|几月|几号|什么日期|日期|时间表|多久"

# Asks for names of people, not "谁来…" / "who will…", which a role answers.
ASKS_PERSON = r"哪位|哪几位|哪些人的名字|姓名|名字叫|是谁[？?]?$"

# Asks where the document mentions something (哪些地方提到, which parts).
ASKS_LOCATIONS = r"哪些地方|哪里提到|哪儿提到|在哪些(?:条目|部分|地方|章节)|出现在哪|在哪几处|哪几处|几个地方|哪些条目|哪些部分|出现了几次"

# Asks for a number (多少, how many); 哪几项 asks which, not how many; "per 10,000 people": a rate is a number.
ASKS_COUNT = r"多少|(?<!哪)几(?:个|家|项|名|条|次|位|所|座|种|期|十|百|千|万|大|批|类|处|级|倍|岁|层|辆|台|套|户|艘|架|亩|吨|斤)|第几|数量|多大|密度"

# Asks how: measures answer it (怎么, 如何, what measures).
ASKS_HOW = r"怎么|怎样|如何|举措|措施|做法|办法|思路"

# Asks for several things (哪些, 分别, which).
ASKS_LIST = r"哪些|哪几|哪[一两三四五六七八九十]|分别|列出|有什么|包括什么|都是什么"

# Asks yes or no (是否, 吗, does …).
ASKS_YESNO = r"有没有|是否|能不能|会不会|可不可以|能否|需不需要|要不要|吗[？?]?$"

# A share noun after a money noun heads the measured phrase ("研发费用加计扣除比例…多少": a share, not money): the
# last noun of a Chinese noun phrase is what it measures. Checked on dev rb-017.
SHARE_AFTER_MONEY = r"(?:经费|预算|资金|投资|费用|价格|工资|薪酬)[^，。？?！!]{0,12}(?:比例|比重|占比|[^效频]率)[^，。？?！!]{0,6}(?:多少|几)"

# Interrogatives and function words: never key terms.
STOPWORDS_ZH = set(
    """的 了 是 在 和 与 及 或 有 要 会 能 将 把 被 对 为 从 向 以 等 上 下 中 里 这 那 这些 那些 这个 那个 其 其中 它 它们 之
    什么 哪些 哪个 哪里 哪儿 哪 几 多少 怎么 怎样 如何 吗 呢 吧 啊 么 谁 为什么 是否 有没有 能不能 会不会 可不可以 是不是
    请问 请 一下 说说 讲讲 介绍 介绍一下 具体 具体说说 分别 都 也 还 又 就 才 再 所 则 并 而 但 个 些 方面 问题 规划 规划里
    规划中 规划里面 里面 提到 提及 谈到 谈及 讲到 说到 说 讲 写 写的 讲的 讲什么 内容 一共 总共 有哪些 主要 哪几 哪几个 目标 一个 这部 部分 这一 打算
    准备 计划 想 需要 应该 可以 给 让 做 搞 干 呢 没有 另外 换个 话题 那么 那个 还有 以及 关于 对于 方面 之类 这类 那类 这种 那种
    这份 那份 有关 相关""".split()
)

# "换个问题，…" / "Different question - …": the asker says the topic changes, so nothing is carried over.
TOPIC_SWITCH = (
    r"换个(?:问题|话题|方向)|换一个(?:问题|话题)|另外问(?:一下|个问题|一个问题)?|另一个问题|顺便问(?:一下|一句)?|再问(?:一下|一个问题)|新问题|新的问题|"
    r"题外话|不相关的问题"
)

# "那…呢", "还有…呢", "And …?", "What about …?": the asker swaps one thing of the last question for another.
ELLIPSIS_ZH = (
    r"^(?:那么|那|还有|而|再看|另外)?\s*(?:关于|对于|至于|说到|在|和|跟|与|对)?\s*(?P<x>.+?)(?:又|的情况|方面的|方面)?\s*(?:呢|怎么样|如何|怎么说)\s*[？?。.!！]*$"
)

# "那…", "还有…": the turn continues the last one.
OPENER_ZH = r"^\s*(?:那么|那|还有|而|另外那)"

# References back into the last answer or question; a demonstrative with a measure word ("这笔钱", "这部分", "这次",
# "这几项") is how Chinese marks a thing already spoken of (dev ri-012: "这笔钱主要拿来干什么？" was searched alone).
BACK_REFERENCE_ZH = (
    r"其中|这(?:一)?(?:些|个|项|类|方面|笔|部分|次|种|批|条|块|份|样|几|两)|那些|那个|它们|它|他们|其他的|"
    r"该(?:项|类|计划|工程|机构|中心)|上述|以上|前者|后者|"
    r"第[一二三四五六七八九十0-9]+(?:个|项|点)"
)

# "具体…", "详细…" at the start: asks more about what was just answered.
BACK_REFERENCE_START_ZH = r"^\s*(?:具体|详细|那具体|再具体)"

# Question words and particles: a turn of nothing else ("有多少个？", "具体是什么？") is bare.
QUESTION_WORDS_ZH = r"多少|几|哪些|哪个|哪里|什么|怎么|如何|怎样|是否|有没有|吗|呢|呀|啊|请问|一下|具体|分别|是|有|要|的|了|说说|讲讲|[？?。.!！，,、\s]"

# Words too generic to be the thing a follow-up swaps (目标, 情况, 方面).
GENERIC_WORDS_ZH = r"哪|多少|什么|怎|如何|举措|措施|示范|目标|建设|情况|内容|方面|领域|问题|规划|计划|有|是|要|会|能"

# A Chinese question's topic, said first and marked: "智慧出行这块，…", "科技金融方面，…", "人才上，…". A "那X呢？"
# swaps that topic, whatever the comment after it holds (dev p-014: "物流方面呢？" had replaced 服务, not 智慧出行).
MARKED_TOPIC = r"^\s*(?:在|关于|对于|至于|说到)?(?P<topic>[^，,。？?！!、\s]{2,12}?)(?:这块|这一块|这方面|方面|这一领域|领域|上)?\s*[，,]"

# Words that say when or whether (今年 / 去年 / 目标 / 实际), and the verbs that set a target (控制在 / 按…安排 /
# 定在): the current turn sets them, the topic does not carry them ("今年物价涨幅控制在多少？" → "去年实际涨了多少？"
# is about 物价涨幅, not about 控制; dev ra-030, rb-039).
STANCE_WORD = r"今年|去年|明年|上年|全年|过去|实际|目标|预期|计划|规划|报告|完成|达到|涨|增长|控制|安排|拟|定|设定|按"

# Asks for a section's name or title (标题, 叫什么, what is … called).
ASKS_NAME = r"标题|名称|名字|叫什么|题目"

# Asks what a section contains (包括, 哪几项, what items).
ASKS_PARTS = r"下面|下设|分为|分了|包括|包含|哪几条|哪几项|几项|几条|有哪些内容|哪些方面|分别是|列了|每条|每项"

# Words about a section's place and parts (专栏, 第几条, 包括): not what a structure question is about.
STRUCTURE_WORDS_ZH = set(
    """专栏 条 项 章 节 讲 写 写的 讲的 内容 标题 名称 名字 题目 下面 下设 分为 分了 包括 包含 每条 每项 一共 总共 几项 几条 哪几条 哪几项 对应 什么 是什么 哪个 哪些 方面
    工程 分别 列了 都是 叫 叫什么 最后""".split()
)

# The interrogative tail of a Chinese question ("…是多少？", "…有哪些？"): cut to name what was asked.
ASKING_TAIL = (
    r"(?:(?:分别|一共|总共|大概|具体|到底|究竟)?(?:是|有|为|定在|定的|定了|控制在|达到|要达到|能|会|要|打算|准备|计划)?(?:多少|多大|几[个项条家名次年]?|哪些|哪几[个项条]?|哪个|哪里|哪儿|什么时候|何时|什么|怎么样|怎样|如何|怎么|吗|呢|是否|有没有).*|[？?。!！]+)$"
)

# The lead-in of a Chinese question ("请问规划中提到的…"): cut to name what was asked.
ASKING_HEAD = r"^(?:请问|那么|那|规划|报告|文件)(?:中|里|里面)?(?:提到|说|讲)?的?"

# Words that ask across every loaded document: "历年", "各年", "这几年", "over the years", "in each report".
ACROSS_DOCUMENTS_ZH = (
    r"历年|历次|历届|各年|逐年|每一年|每年分别|这几年|近几年|这些年|多年来|这几份|各份|每份|各(?:个)?(?:报告|文件|规划)|所有(?:的)?(?:报告|文件|规划)|"
    r"几份(?:报告|文件|规划)|(?:报告|文件|规划)之间|"
    # "哪些报告定了…目标": which of the documents, so all of them are asked (dev cmb-019)
    r"哪(?:些|几份|几年的?)(?:报告|文件|规划)"
)

# Words that ask how something changed; with no year named they ask across every loaded document, unless the
# question is about one document's own "this year vs last year" (今年比去年).
ASKS_CHANGE = r"变化|变动|走势|趋势|不同|差别|区别|差异|对比|比较|相比|调整了?|升降"

# 今年 / 去年 / this year: a year said relative to one document's own.
RELATIVE_YEAR = r"今年|去年|上年|明年|本年"

# A comparative question asks for a result that was reached: said outright (实际, 完成了), as a level reached (提高到了,
# dev cmp-094), or as the year before a report's own (上一年, 去年), which a report can only review (dev cmp-045).
# Not every 了: 定了 sets a goal (dev cmp-095), and 安排了多少 asks what was planned; 提到了 / 说到了 / 谈到了 say what a
# report mentions, not a level reached (dev cmb-007).
ASKS_RESULT = r"实际|实现了|完成了|增长了|下降了|涨了|减少了|(?<![提说谈讲])到了|结果|实绩|回顾|过去|上一年|去年|上年|前一年"

# A question about a figure over several years ("过去五年年均增长", "average annual") wants the period's figure.
ASKS_PERIOD_FIGURE = r"年均|年平均|五年"

# A comparison asks for a share (赤字占GDP的比例) or for an amount in money or a total (赤字规模, 多少钱): a row counted in the
# other kind of unit cannot answer it (dev cmb-001 had 财政赤字 2.18万亿元 for "财政赤字占GDP的比例").
ASKS_RATIO = r"比例|比重|占比|百分比|占[^，。？?]{1,12}的?比"
# An amount asked (赤字规模, 多少钱): rows in % cannot answer it.
ASKS_AMOUNT = r"多少钱|多少(?:亿|万)?元|总额|金额|数额|规模"

# Words of the question's form, not of its topic: left out when the topic is matched to a metric's subject.
FORM_WORDS_ZH = (
    r"目标|预期|计划|实际|报告|文件|规划|分别|多少|各是|是|的|了|有|什么|没有|不同|变化|变动|怎么|怎样|如何|哪些|几|各|和|与|跟|同|吗|呢|吧|里|中|上一年|"
    r"上年|去年|今年|当年|全年|设定|设了|定|提出|调整|数字|比较|相比|对比|一下|年份|这|那|都|也|还|说|回顾|过去|每年|"
    '[？?。，,、：:；;！!“”\\"\'（）()]'
)

# A comparative question about goals (目标, 预期, target): its documents' targets answer it.
ASKS_GOAL = r"目标|预期|预计|计划|定在|定为|拟"

# A question that asks for no figure ("在科技创新方面有什么不同") is answered from each document's best sentence.
ASKS_FIGURE = r"多少|几|多长|多大|多高|多快|多远|目标|指标|预期|计划|增速|增长|涨幅|比例|比重|率|规模|总额|额度|金额|数额|幅度|数量|产量|人数|\d+%"

# The question names several things (分别, 和, each, both): answers may need several sections.
SEVERAL_THINGS = r"分别|各自|各项|哪几|两个|两项|和|与|及|以及"

# "其中第二项 / 第2个 / 那第三条": the Nth of the things the previous answer listed (or of the section it cited).
ORDINAL_ZH = r"第\s*([0-9０-９]{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:项|个|条|点|块|部分|方面|大块|件)"

# "最后一项": the last of the things the previous answer listed.
LAST_ZH = r"最后(?:一|那)?(?:项|个|条|点|块|部分|方面)"

# "这个专栏 / 该专栏 / that box": the box the previous answer cited (or the box its item belongs to).
THIS_BOX = r"(?:这个|这一|该|那个|此)\s*专栏"

# "这部分 / 这一条 / this section": the section the previous answer cited.
THIS_SECTION = r"(?:这个|这一|这|该|那个|此)\s*(?:部分|条|项|节|章|工程|计划|方面)"

# An amount of money in a document's text (3亿元, ¥5).
FACT_MONEY = r"[0-9０-９.]+\s*(?:亿|万|千)?(?:元|美元|港元|欧元)|[$¥￥€]\s*[0-9]|[一二两三四五六七八九十百千万]+(?:亿|万)元"

# A share in a document's text (15%, 百分之, 比重).
FACT_PERCENT = r"[0-9０-９.]+\s*[%％]|百分之|个百分点|比重|占比"

# A date in a document's text (2020年, 年底, 季度).
FACT_TIME = r"[0-9０-９]{4}\s*年|[0-9０-９]{1,2}\s*月|年底|年内|年前|季度|[0-9]{4}[-/.][0-9]{1,2}"

# "多少辆 / 几家": the measure word the asker expects the number in (个 says nothing, 年 is usually a year).
ASKED_UNIT = r"(?:多少|几)\s*(辆|家|名|人|位|项|条|次|所|座|种|台|套|批|处|亿元|万元|元|平方米|平方公里|公里|吨|倍|天|个月|年)"

# Measure words that count the same things (人 / 名 / 位).
SAME_UNIT = {"人": "人名位", "名": "人名位", "位": "人名位", "元": "元", "亿元": "亿元", "万元": "万元"}

# "报告 / 规划 / report / plan" near a year: the question names a document, not just a year it covers. A key term
# that is one of these and a word of the asked document's title names the document, not what is asked of it.
DOCUMENT_WORD = r"报告|规划|纲要|计划|意见|方案"

# The report of the year after each named year ("次年的报告"): it tells those years' results in its review.
NEXT_YEARS_REPORT = r"(?:次年|下一年|第二年|后一年)(?:的)?(?:政府工作)?报告"

# A year that names a document ("2018年政府工作报告里", "2018年的报告"): it says which report, not which year the
# asked figure is of (the 2018 report's review covers 2013-2017). Checked on dev rc-059.
YEAR_NAMES_DOCUMENT = r"(?:19|20)[0-9]{2}\s*年(?:的|度)?(?:国务院)?(?:政府工作)?(?:报告|规划|纲要)"

# A sentence that announces the parts that follow ("做好八个方面工作", "主要有以下几项"): a list question gets the parts.
ANNOUNCES_PARTS = r"[一二三四五六七八九十两0-9]+\s*(?:个方面|方面|项|大任务|个领域|条)|以下|如下|几个方面"

# A question or sentence about the document's own year (a report's 今年): the year it was delivered.
THIS_YEAR = r"今年|本年度?"

# ... about the year before the document's own (去年实际增长): the year a report reviews. Not as the baseline of a
# comparison ("比去年增加2000亿元", "增幅明显高于去年": the sentence is about this year; dev ra-030, ra-086).
LAST_YEAR = r"(?<![比较于同])(?:去年|上年|上一年|前一年)"

# ... about the year after it.
NEXT_YEAR = r"明年|下一年"

# ... about the year after that ("那明年和后年分别还要发多少？"); not 今后年均, 前后年.
YEAR_AFTER_NEXT = r"(?<![今前])后年"

# ... about several years at once (过去五年, 年均, 累计): a five-year review or total, not one year's figure.
SEVERAL_YEARS = r"过去五年|五年(?:工作)?回顾|五年来|近五年|这五年|五年间|年均|累计|这些年|这几年|近几年|几年来|近年来|十[一二三四五六七八九]?五(?:期间|时期)"

# A heading of the part that reviews the past year ("2016年工作回顾", "过去一年和五年工作回顾").
REVIEW_HEADING = r"回顾|过去一年"

# A clause that asks something of its own: two of them make "去年降了多少，今年要降多少？" two questions
# (assistant/compound.py). 几 after 这/那/近/前 is no question ("这几年").
ASKS_SOMETHING_ZH = r"多少|多大|多高|多长|多久|(?<![这那近前好])几|哪|什么|啥|怎么|怎样|如何|为什么|为何|是否|有没有|能不能|吗|呢"

# A follow-up asking for more than the last answer quoted ("还有什么？", "还提了哪些措施？"): its sentences are left out.
ASKS_MORE_ZH = r"还有(?:什么|哪些|别的|其他|其它)|还(?:说|讲|提|写)了(?:什么|哪些|些什么)|别的(?:内容|措施|方面)|其[他它](?:内容|措施|方面)"

# A figure asked per unit ("每个孩子每月能扣多少", "分到每个省"): a near-miss often asks a per-unit figure of a total
# the document gives (the refusal signal missing_per).
ASKS_PER_ZH = r"每|人均|户均"

# A figure asked split by place or period ("在各省", "分到每个省", "第四季度"): a near-miss often asks a breakdown of a
# total the document gives (missing_per; stop 32, dev rh-060, ri-023, rh-039).
ASKS_SPLIT_ZH = r"各个?省|分省|每个?省|各个?地区|分地区|每个地区|各个?城市|季度|月度|按月"

# A sentence splitting a figure ("分别", "各省", a quarter's): what answers ASKS_SPLIT.
STATES_SPLIT_ZH = r"分别|各省|各地区|季度|月份"

# Asks how a total is shared out ("在各省是怎么分配的"): a split asked without a number word (missing_per).
ASKS_ALLOCATION_ZH = r"分配|分到|分给|怎么分|如何分"

# A sentence giving a figure per unit (每, 人均, 年均).
STATES_PER_ZH = r"每|均"

# The unit a figure is asked per: the character after 每 (每户, 每个孩子, 每亩) or before 均 (人均, 户均).
PER_UNIT_ZH = r"每(?:一个|个|位|名|一)?(?P<unit>[\u4e00-\u9fff])|(?P<before>[人户])均"

# Units whose per-unit figure a document states without 每 or in other words: its figures are yearly by default
# (每年 asks an annual figure, which "城镇新增就业1100万人以上" is); 每万人 counts per a number of people, written
# 每万名 or 万人; an occasion is named in its own word ("每次国家批设" is the plan's "每批新增", fixed-set q051).
NOT_A_UNIT_ZH = r"[年万千百十亿次批回期届]"
