"""What the answerer knows about English wording, as data: each cue says in a line what it decides (compiled in cues.py)."""

# A question asks for a target or plan (今年要…, this year's goal): sentences that set targets answer it.
QUESTION_TARGET = (
    r"\bthis year\b|\btargets?\b|\bgoals?\b|\bplan(?:s|ned)?\b|\baim(?:s|ing)?\b|\bwill\b|"
    r"\bexpect"
)

# A question asks for a result already achieved (去年实际…, last year): review sentences answer it.
QUESTION_OUTCOME = (
    r"\blast year\b|\bactual(?:ly)?\b|\bprevious\b|\bpast\b|\bachieved\b|\bdid\b|\bwas\b|"
    r"\bwere\b|\brose\b|\bfell\b|\bgrew\b"
)

# Where-questions ask for a place: a sentence answers only if it names one.
QUESTION_PLACE = r"\bwhere\b|\bwhich (?:cit(?:y|ies)|provinces?|regions?|countries|country)\b"

# The English name of each document kind, for English answers.
DOCUMENT_KINDS_EN = {
    "政府工作报告": "government work report", "规划纲要": "plan outline", "纲要": "outline", "规划": "plan",
    "报告": "report", "意见": "guideline", "方案": "programme", "计划": "programme", "通知": "notice",
    "决定": "decision", "办法": "measures", "条例": "regulations", "白皮书": "white paper",
}

# Asks for an amount of money (经费, 多少元, how much funding). A "budget deficit" asks no amount: reports set it as
# a ratio (赤字率) as often as in yuan, and the 2023 one gives only the ratio (dev rh-024 was refused).
ASKS_MONEY = (
    # "How much X … is that going to cost", "How much X, …, are businesses getting": what is got, spent or cost
    # after any words and any auxiliary (dev ri-025, rh-012); "how much cheaper / more … get" asks a change, not an
    # amount (dev ra-077).
    r"\bhow much (?:money|funding|(?!\w+er\b|more\b|less\b)[^?]{0,40}?\b(?:will|does|did|would|is|are|was|were|do|has|have)"
    r" .{0,40}(?:cost|spend|receive|get))|\bfunding\b|\bbudget(?! deficit)|"
    # "cost" asks an amount only as "how much … cost" or "what is the cost": "cut costs for trucks" asks how
    # (dev re-050, re-051).
    r"\bwhat (?:is|was|will be) the (?:total )?cost\b|"
    r"(?<!consumer )\bprices?\b(?! (?:index|level|growth|rise|increase|inflation))|\bfares?\b|"
    # Spending asks an amount only with one ("how much … spend", "total spending"): "What tax breaks are companies
    # getting for R&D spending?" asks which measures (dev ri-024 quoted an amount of the wrong section).
    r"\bwage|\bsalar|\bhow much\b[^?]{0,40}\bspend|\b(?:total|amount of) spending\b|\bsubsid|"
    # "…, in yuan?", "how many yuan": a currency asks an amount of money, as 多少元 does.
    r"\bin (?:yuan|rmb|renminbi|(?:us )?dollars)\b|\bhow many (?:yuan|dollars)\b|"
    # "investment" asks an amount only with one ("how much investment", "total investment"), as 投资多少 does:
    # "open up to foreign investment" asks how (dev ra-051, rb-047).
    r"\bhow much (?:\w+ ){0,3}investment\b|\b(?:total|amount of) investment\b|\binvestment (?:amount|total)s?\b"
)

# Asks for a share or rate (比例是多少, what percentage).
ASKS_PERCENT = (
    r"\bpercent|\bshare of\b|\bproportion\b|\bhow many points\b|"
    r"\b(?:growth|success|rate)\b.{0,20}\b(?:rate|percentage)\b|"
    # "What was the youth unemployment rate…", "What R&D-to-GDP ratio…": a rate asked with what is a figure, as
    # 失业率是多少 is; read as a bare what-question, no sign of a missing figure could fire (dev rf-031, ri-053).
    r"\bwhat(?:'s|\s+is|\s+was|\s+will\s+be|\s+are|\s+were)?\s+(?:the\s+)?(?:[\w&-]+\s+){0,4}?(?:rate|ratio)s?\b"
)

# In English the share comes first and heads the asked phrase ("What share of GDP did R&D spending reach?"): a share,
# not money, whatever money word follows. Checked on dev rd-039.
SHARE_BEFORE_MONEY = r"\b(?:what|which)\s+(?:share|percentage|proportion|percent)\b"

# Asks for a date or deadline (什么时候, by when).
ASKS_TIME = (
    r"^\s*(?:and\s+|so\s+)?when\b|\bby when\b|\bwhat year\b|\bwhat date\b|\bwhich day\b|\bdeadline\b|"
    r"\bscheduled\b|\bhow long\b"
)

# Asks for names of people, not "谁来…" / "who will…", which a role answers.
ASKS_PERSON = r"\bwho are the\b|\bnames of (?:the )?(?:people|persons|scientists|laureates|experts)\b"

# Asks where the document mentions something (哪些地方提到, which parts).
ASKS_LOCATIONS = (
    r"\bwhere (?:does|do|is|are) (?:the plan|it)\b.{0,40}\b(?:mention|talk|discuss|refer|say)|"
    r"\bwhich parts\b|\bwhere in the plan\b|\bevery (?:target|way|place|mention)\b|"
    r"\bcollect every\b|\blist every\b"
)

# Asks for a number (多少, how many); 哪几项 asks which, not how many; "per 10,000 people": a rate is a number.
ASKS_COUNT = (
    # "How far did urbanization advance", "How fast did trade grow": a figure of change, as 提高了多少 / 增长了多少.
    r"\bhow many\b|\bhow much\b|\bnumber of\b|\btarget(?:s|ed|ing)?\b|\bhow large\b|\bhow big\b|\bhow (?:far|fast|quickly)\b|"
    r"\bper [0-9]|\bdensity\b|\bratio\b"
)

# Asks why: a sentence stating a cause or purpose answers it.
ASKS_REASON = r"\bwhy\b|\breasons?\b|\bwhat for\b"

# A sentence states a cause or a purpose.
STATES_REASON = r"\bbecause\b|\bdue to\b|\bso (?:as|that)\b|\bin order to\b|\bgiven\b|\baims? to\b"

# Asks how: measures answer it (怎么, 如何, what measures).
ASKS_HOW = r"\bhow (?:does|do|will|would|should|can|to|is|are)\b|\bmeasures?\b|\bin what way"

# Asks for several things (哪些, 分别, which).
ASKS_LIST = r"\bwhich\b|\bwhat (?:are|kinds?|types?)\b|\blist\b|\bname the\b"

# Asks yes or no (是否, 吗, does …).
ASKS_YESNO = r"^(?:is|are|will|does|do|can|could|should|has|have)\b"

# What an English question counts or sets a target for: "how many X will…", "targets for X".
COUNTED_THING = (
    r"\bhow many (?P<a>.+?)(?=\s+(?:will|would|does|do|did|should|shall|can|could|are|is|has|have|were|was|in|by|to|for|per|each|from|at|on|with|does|currently|now|already)\b|[?.,;]|$)|"
    r"\btargets? (?:for|of) (?P<b>.+?)(?=\s+(?:in|by|to|at|on|with|and)\b|[?.,;]|$)"
)

# "the X targets", "Beijing's X target": X is what the target is for.
TARGETED_THING = r"(?:'s|\bthe|\bis|\bare)\s+(?P<c>(?:[\w&-]+\s+){0,2}[\w&-]+)\s+targets?\b"

# Where the counted thing's head noun ends: a preposition, relative or participle starts its modifier.
NOT_HEAD = (
    r"\(|"
    r"\b(?:from|around|of|with|that|which|who|in|at|for|on|by|[a-z]+ed|built|made|run|set|held|led|known|given)\b.*$"
)

# Interrogatives, function words and words about the document itself: never key terms.
STOPWORDS_EN = set(
    """a an the of to in on for and or with by at from as is are was were be been being will would shall should can could
    may might must do does did has have had what which who whom whose when where why how many much that this these those
    it its they them their there here about into than then so such any some each every all both either plan plans
    shenzhen city say says said mention mentions mentioned mentioning talk talks discuss part parts chapter section
    want wants intend intends aim aims going me tell please also other another different unrelated question questions
    i you we our your he she his her s t don doesn isn aren won list name named called kind kinds type types way ways
    like just only more most over up out else""".split()
)

# "换个问题，…" / "Different question - …": the asker says the topic changes, so nothing is carried over.
TOPIC_SWITCH = (
    r"(?:a\s+)?(?:different|unrelated|another|new|separate|other)\s+(?:question|topic|subject)|"
    r"changing the subject|on (?:a|another) (?:note|topic)|by the way|separately"
)

# "And …?", "What about …?": the asker swaps one thing of the last question for another.
ELLIPSIS_EN = (
    r"^\s*(?:and|what|how|also|then|so|ok|okay)?\s*(?:about|regarding|for|in|on|with)?\s*(?:about|regarding)?\s*(?P<x>.+?)\s*[?？.!]*$"
)

# "And …", "What about …": the turn continues the last one.
OPENER_EN = (
    r"^\s*(?:and|what about|how about|and what about|and how about|also|what of|and in|and for|and on)\b"
)

# "it", "these", "of them": references back into the last answer or question.
BACK_REFERENCE_EN = (
    r"\b(?:it|its|they|them|their|these|those|this one|that one|of them|of these|of those|the same|such)\b"
    # "Why was that much support needed?", "that part of the report": the last answer's figure or section.
    r"|\b(?:that|so) (?:much|many)\b|\bthat (?:part|section|chapter|paragraph)\b"
)

# "What does it say about…": "it" is the plan, not the last topic.
IT_IS_THE_DOCUMENT = (
    r"\b(?:does|did|do|will|would|can)\s+it\s+(?:say|mention|talk|cover|discuss|state|plan|propose)\b"
)

# A question word inside what "What about …" names: the turn asks a question of its own, it swaps nothing.
ASKS_EN = r"\b(?:how (?:much|many|far|long|will|does|do|is|are)|what|which|when|where|why|who)\b"

# Words too generic to be the thing a follow-up swaps (plan, target, number).
GENERIC_WORDS_EN = {"plan", "say", "mention", "targets", "target", "number", "want", "attract", "build", "set", "does", "will"}

# Words that say when or whether (今年 / 去年 / 目标 / 实际), and the verbs that set a target (控制在 / 按…安排 /
# 定在): the current turn sets them, the topic does not carry them ("今年物价涨幅控制在多少？" → "去年实际涨了多少？"
# is about 物价涨幅, not about 控制; dev ra-030, rb-039).
STANCE_WORD = (
    r"this|last|year|years|target|targets|actual|actually|plan|planned|planning|set|report|goal|"
    r"goals"
)

# Asks for a section's name or title (标题, 叫什么, what is … called).
ASKS_NAME = r"\btitled?\b|\bcalled\b|\bwhat is .{0,20}\bnamed\b"

# Asks what a section contains (包括, 哪几项, what items).
ASKS_PARTS = r"\bitems?\b|\bcontains?\b|\bsub-?sections?\b|\bwhat(?:'s| is) in\b|\bconsist"

# Words about a section's place and parts (box, item, contains): not what a structure question is about.
STRUCTURE_WORDS_EN = set(
    """box boxes item items chapter chapters section sections cover covers covered about called title
    titled contain contains consist consists deal deals key projects project part
    first second third fourth fifth last next previous""".split()
)

# "over the years", "in each report": the question asks across every loaded document.
ACROSS_DOCUMENTS_EN = (
    # Not "each year" / "every year": those ask for a rate ("How many maker spaces each year?", like 每年).
    r"over the years|year by year|year on year|year to year|"
    r"across (?:the )?years|over time|"
    # "each report", "each of the seven government work reports", "all the plans", "across all documents"
    r"\b(?:each|every|all|across)(?: of| all)?(?: the| these| those)?(?: [\w-]+){0,3}? (?:reports?|plans?|documents?)\b|"
    # "Which reports set a target for …": which of the documents, so all of them are asked (dev cmb-019)
    r"\bwhich(?: of the)?(?: [\w-]+){0,3}? (?:reports|plans|documents)\b"
)

# Words that ask how something changed; with no year named they ask across every loaded document, unless the
# question is about one document's own "this year vs last year" (今年比去年).
ASKS_CHANGE = r"\bchanged?\b|\bdiffer|\btrend|\bcompare|\bevolv"

# 今年 / 去年 / this year: a year said relative to one document's own.
RELATIVE_YEAR = r"this year|last year|next year"

# A comparative question asks for a result that was reached: said outright (actual, achieved) or as the year before
# a report's own (the previous year), which a report can only review (dev cmp-046), or as its review (回顾; cmp-053).
ASKS_RESULT = (
    r"\bactual|\bachieved|\boutcome|\bresult|\bgrew\b|\breached\b|\bprevious year\b|\blast year\b|\bthe year before\b|"
    r"\breview(?:s|ed)?\b|\bpast (?:year|five years)\b|"
    r"\bdid\b[^?？]*\b(?:fall|rise|grow|drop|increase|decrease)"
)

# A question about a figure over several years ("过去五年年均增长", "average annual") wants the period's figure.
ASKS_PERIOD_FIGURE = r"average annual|annual average|five[- ]year"

# A comparison asks for a share ("deficit-to-GDP ratio") or for an amount ("in yuan", "in absolute terms").
ASKS_RATIO = r"\bratios?\b|\bshares? of\b|\bpercentage\b|\bproportion\b|%\s*of\b|-to-GDP\b"
# An amount asked ("in yuan", "in absolute terms"): rows in % cannot answer it.
ASKS_AMOUNT = r"\bin yuan\b|\bhow much money\b|\babsolute\b|\bamount of money\b"

# English words of a comparative question's form, not its topic: left out when matching the topic to a metric.
FORM_WORDS_EN = (
    r"\b(?:how|what|which|did|does|do|was|were|is|are|the|a|an|of|in|on|for|to|and|or|with|between|from|by|each|every|years?|reports?|documents?|plans?|targets?|goals?|outcomes?|results?|actual|changed?|compare|comparison|set|both|numerical|figures?|much|many|according|against|over|time|this|that|it|its|their|they|vs|versus|than|met|say|says|said|give|gave|given)\b|\bgovernment work\b|"
    '[?,.;:!\\"\'()]'
)

# A comparative question about goals (目标, 预期, target): its documents' targets answer it. Besides the nouns, the
# ways English says a thing is intended: "plan to relocate", "were supposed to", "was to be", "demand", "ask for"
# (dev cmp-073, cmp-074, cmp-081, cmp-082).
ASKS_GOAL = (
    r"\btarget|\bgoal|\baim|\bplann?ed|\bplans? to\b|\bexpected|\bset\b|\bsupposed to\b|\b(?:was|were) to be\b|"
    r"\bdemand|\bintend|\bask(?:s|ed)? for\b"
)

# A question that asks for no figure ("在科技创新方面有什么不同") is answered from each document's best sentence.
ASKS_FIGURE = (
    r"how (?:much|many|fast|high|long|big|large|far|low|small)|target|goal|rate|growth|percent|figure|number|amount|size|"
    r"total|ratio"
)

# The question names several things (分别, 和, each, both): answers may need several sections.
SEVERAL_THINGS = r"\beach\b|\bboth\b|\band\b"

# "the second one", "item 3": the Nth of the things the previous answer listed.
ORDINAL_EN = (
    r"\b(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final)\s+(?:one|item|point|task|area|part|project|entry|of (?:them|these|those))\b|"
    r"\b(?:item|point|number|no\.)\s*([0-9]{1,2})\b"
)

# English ordinal words and their numbers.
ORDINAL_WORDS_EN = {w: i for i, w in enumerate(
    ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"), 1)}

# "这个专栏 / 该专栏 / that box": the box the previous answer cited (or the box its item belongs to).
THIS_BOX = r"\b(?:this|that|the same)\s+box\b"

# "这部分 / 这一条 / this section": the section the previous answer cited.
THIS_SECTION = r"\b(?:this|that)\s+(?:section|part|item|project)\b"

# "报告 / 规划 / report / plan" near a year: the question names a document, not just a year it covers.
DOCUMENT_WORD = r"\breports?\b|\bplans?\b|\boutlines?\b"

# The report of the year after each named year ("the reports of the following years", "the next year's report").
NEXT_YEARS_REPORT = r"\breports? (?:of|from) the (?:following|next|subsequent) years?\b|\b(?:following|next|subsequent) years?'s? reports?\b"

# A year that names a document ("according to the 2018 report"): it says which report, not which year the asked
# figure is of. Checked on dev rc-059.
YEAR_NAMES_DOCUMENT = r"\b(?:19|20)[0-9]{2}(?:'s)?\s+(?:government\s+work\s+)?(?:reports?|plans?|outlines?)\b"

# "the thirteenth Five-Year Plan": ordinal words that number a five-year plan.
PERIOD_ORDINALS_EN = {
    "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
}

# English: a four-digit number is a year after a word that introduces one ("by 2020", "in 2018", "the 2016 report",
# "Shenzhen's 2020 target"), or in a range ("2016-2020"); a bare one may be a quantity ("2000 enterprises"), and
# one glued to Chinese is part of a name (中国制造2025).
YEAR_CUE_EN = (
    r"(?:\b(in|by|since|before|after|until|till|through|during|year|fy|from|of|for|the)\s+|('s)\s+)((?:19|20)\d\d)(?:\s*(?:-|–|—|to)\s*((?:19|20)\d\d))?(?![\w\u4e00-\u9fff%])"
)

# After these a round number is more likely a count ("the 2000 overseas talents") than a year.
WEAK_YEAR_CUES_EN = {"from", "of", "for", "the", "'s"}

# English function words a generated sentence's support is not judged on.
STOPWORDS_VERIFY_EN = frozenset(
    "the and for with that this from are was were will its their into has have had which what how also than "
    "shall should would can could been being more most such other these those over under about plan".split()
)

# A question about the document's own year (a report's 今年): the year it was delivered.
THIS_YEAR = r"\bthis year\b|\bthe coming year\b|\bthe year ahead\b"

# ... about the year before the document's own (去年实际增长): the year a report reviews.
LAST_YEAR = (  # not as a comparison's baseline ("higher than last year", "up over last year")
    r"(?<!than )(?<!over )(?<!from )\blast year\b|\bthe previous year\b|\bthe past year\b|\bthe year before\b|\bprior year\b"
)

# ... about the year after it.
NEXT_YEAR = r"\bnext year\b"

# ... about the year after that.
YEAR_AFTER_NEXT = r"\bthe year after next\b"

# ... about several years at once (过去五年, 年均, 累计): a five-year review or total, not one year's figure.
# As zh.SEVERAL_YEARS: "average annual" is 年均, "the 13th Five-Year Plan period" is 十三五期间.
SEVERAL_YEARS = (r"\b(?:past|last|previous)\s+five\s+years\b|\bfive-year (?:total|average)\b|\bon average\b|\bcumulative(?:ly)?\b"
                 r"|\bin total\b|\baverage annual\b|\bannual average\b"
                 r"|\b(?:1[0-9]th|eleventh|twelfth|thirteenth|fourteenth|fifteenth)\s+five-year\s+plan\s+period\b")

# Where an English question starts asking a second thing: ", and how many …", "; what …", ", what …", "? When …"
# (assistant/compound.py). An auxiliary right after a bare comma continues the same question, its subject and verb
# inverted after a fronted phrase ("How much tax relief, counting refunds, are businesses getting…?", dev rh-012;
# "Which universities, such as SUSTech, does the plan want…?", fixed q042): it starts a second one only after
# "and" or a semicolon.
NEXT_QUESTION_EN = (
    r"(?:,\s*and\s+|;\s*(?:and\s+)?|\s+and\s+)(?=(?:how|what|which|when|where|why|who|is|are|does|do|did|will|can)\b)"
    r"|,\s*(?=(?:how|what|which|when|where|why|who)\b)"
    r"|(?<=\?)\s+(?=\w)"
)

# A piece of a question that asks something starts with a question word or an auxiliary ("how many …", "and what
# is …", "does it …"); "In the 2017 report" asks nothing and is the topic of what follows.
STARTS_QUESTION_EN = r"(?:and\s+|but\s+|so\s+)?(?:how|what(?:'s)?|which|when|where|why|who|is|are|was|were|does|do|did|will|would|can|could|should|has|have)\b"

# A follow-up asking for more than the last answer quoted ("What else …?"): its sentences are left out.
ASKS_MORE_EN = r"\bwhat else\b|\banything else\b|\bwhat other\b|\b(?:apart from|besides) (?:that|this|these|those)\b"

# A figure asked per unit ("each household", "per capita"; the refusal signal missing_per).
ASKS_PER_EN = r"\bper\b|\beach\b|\bevery\b"

# A figure asked split by place or period ("among the provinces", "each province", "the fourth quarter"; missing_per).
ASKS_SPLIT_EN = (
    r"\b(?:by|among|across|each|every|per)(?: the)? (?:provinces?|regions?|cities|city|months?|quarters?)\b|"
    r"\bbreakdown\b|\bquarter\b|\bmonthly\b"
)

# A sentence splitting a figure: what answers ASKS_SPLIT.
STATES_SPLIT_EN = r"\brespectively\b"

# Asks how a total is shared out ("How is that quota divided up among the provinces?"; missing_per).
ASKS_ALLOCATION_EN = r"\bdivided\b|\ballocated\b|\bdistributed\b|\bsplit\b|\bshared out\b|\bbreakdown\b"

# A sentence giving a figure per unit.
STATES_PER_EN = r"\bper\b|\beach\b|\baverage\b"

# The unit a figure is asked per ("each household", "per mu"). "every" is not read: it mostly says which things are
# asked ("every target in the plan", fixed-set q160, q181), not what a figure is counted per.
PER_UNIT_EN = r"\b(?:per|each)\s+(?:single\s+)?(?P<unit>[a-z]+)"

# "per capita" / "per head" is per person (人均).
PER_CAPITA_EN = r"\bper\s+capita\b|\bper\s+head\b"

# Words after per / each that name no unit a sentence would write after 每: "each of the reports", "each year" (a
# document's figures are yearly by default), "per unit of GDP" (单位国内生产总值), "each one".
NOT_A_UNIT_EN = r"year|years|annum|unit|of|one|other|time|reports?|documents?|plans?|the|an?|capita|head"
