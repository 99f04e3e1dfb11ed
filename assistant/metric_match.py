"""Which grouped metric a comparative question asks about, and each document's cell of it (or a stand-in)."""
from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from index.metrics import Cell, Metric

from .comparison import Comparison
from .cues import ASKS_AMOUNT, ASKS_PERIOD_FIGURE, ASKS_RATIO, FORM_WORDS_EN, FORM_WORDS_ZH
from .terms import load_jieba

if TYPE_CHECKING:
    from index import PlanIndex

__all__ = ["bigrams", "coverage_of", "document_cell", "lexical_text", "rank_metrics", "subject_aliases", "subject_wording", "topic",
           "worded"]

# Question-side metric matching: e5 cosine of the question and a metric's subject, mixed with how much of the
# subject's wording the question (or its English words' dictionary translations) contains.
# The two thresholds were set on the dev half of tests/data/eval/compare.yaml (`python -m bench.compare --split dev`).
MATCH_DENSE_WEIGHT = 0.5
# An English topic's wording goes through dictionary translations ("urban" -> 城镇化 only, "registration" -> none), so
# e5 weighs more there. Set on the dev half of the comparison sets with MATCH_SENTENCE_SHARE (`python -m bench.compare
# --split dev`): English 0.893 right at 0.5 / phrase cosines alone, 0.946 at 0.6-0.7 with sentences; 0.7 sits inside
# that plateau on both sides.
MATCH_DENSE_WEIGHT_EN = 0.7
# e5 compares the question with a row's subjects (short phrases, crowded cosines) and, with this share, with the
# sentences its asked documents' figures come from: a sentence says more than "再进城落户" of what is counted ("rural
# migrants … urban household registration", dev cmp-081). Dev: 0.25 changed nothing, 0.75 lost cmb-023 and cmp-087.
MATCH_SENTENCE_SHARE = 0.5
# The rows whose sentences are compared (the best by subject and wording; the rest score 0 there), so the work stays
# bounded as documents add rows. Dev: 0.911 at 10, 0.921 at 20, 0.931 at 40, as with every row.
SENTENCE_SHORTLIST = 40
MATCH_FLOOR = 0.4  # below this (unscaled) the question is about no grouped figure: each document is searched instead
# A Chinese question whose topic shares no character pair with any of a metric's subjects names that metric only if
# e5 finds them this alike (物价 ~ 居民消费价格上涨, 0.925). On the dev half of compare.yaml every such match below it
# was wrong (学生营养改善计划 ~ 把中国人的饭碗…, 0.87; 高职扩招 ~ 城镇新增就业人数, 0.90); the question's documents are
# then searched instead. English topics are compared through dictionary translations, too sparse for this rule.
UNWORDED_COSINE = 0.92
# A document that misses the chosen metric may still give the figure under other wording: a figure of the same
# unit and kind whose subject is at least this similar to the metric's is taken (with its own citation). At 0.7
# 赤字规模 (0.64 to 财政赤字) was missed; no dev question got a wrong stand-in at 0.6.
NEAR_SUBJECT = 0.6
# A document the metric lacks is searched (_searched_cell): its figures in this many best sections are candidates.
SEARCHED_SECTIONS = 3
# How far a candidate's sentence may fall short of the least likely sentence the metric quotes (e5 cosine to the
# question). On dev, right stand-ins came within 0.003, wrong ones 0.009-0.055 short.
SEARCHED_MARGIN = 0.005
# A character pair the subjects of this share of all rows hold (增长, 国内) is no sign a sentence names a subject.
GENERIC_SHARE = 0.05


_CJK = re.compile(r"[\u4e00-\u9fff]")


# -- which metric ----------------------------------------------------------------------------------------------------
def bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _coverage(subject: str, grams: set[str]) -> float:
    """How much wording the subject and the question's topic share: the F1 of their character bigrams (a short
    subject such as "规模" inside a longer topic counts little)."""
    own = bigrams(subject)
    both = len(own & grams)
    if not own or not grams or not both:
        return 0.0
    p, r = both / len(own), both / len(grams)
    return 2 * p * r / (p + r)


def _coverage_en(subject: str, translated: Sequence[tuple[str, tuple[str, ...]]], words: int) -> float:
    """`_coverage` for an English topic, word by word: the share of the subject's bigrams that some English word's
    translation holds, and the share of the topic's content words whose translation shares a bigram with the subject.
    All translations pooled into one bag (as `_coverage` would take them) make every subject's recall tiny: "level"
    alone brings eight words (dev cmp-087 chose 国内生产总值增长 over 科技进步对经济增长的贡献率)."""
    own = bigrams(subject)
    if not own or not words:
        return 0.0
    covered: set[str] = set()
    hit = 0
    for phrase, options in translated:
        shared = own & set().union(*(bigrams(w) for w in options))
        if shared:
            covered |= shared
            hit += len(phrase.split())
    if not covered:
        return 0.0
    p, r = len(covered) / len(own), min(1.0, hit / words)
    return 2 * p * r / (p + r)


def topic(comparison: Comparison) -> str:
    """What the question is about: its core without the words of its form ("目标", "分别是多少", "how did … change").
    Chinese form words go only as whole jieba words, so the 里 of "里程" and the 中 of "中央" stay."""
    if comparison.english:
        text = FORM_WORDS_EN.sub(" ", comparison.core)
    else:
        jieba, _ = load_jieba()
        text = " ".join(FORM_WORDS_ZH.sub(" ", w) if FORM_WORDS_ZH.fullmatch(w) or not _CJK.search(w) else w
                        for w in jieba.lcut(comparison.core))
    return re.sub(r"\s+", " ", text).strip() or comparison.core


def lexical_text(index: "PlanIndex", comparison: Comparison) -> str:
    """The question's topic, plus the Chinese words its English words translate to (CC-CEDICT)."""
    text = topic(comparison)
    if comparison.english:
        text += " " + " ".join(w for _, words in index.translate(text) for w in words)
    return text


def rank_metrics(
    index: "PlanIndex", comparison: Comparison, metrics: Sequence[Metric], aliases: dict[str, set[str]] | None = None,
    wording: Callable[[str], float] | None = None,
) -> list[tuple[float, Metric]]:
    """Metrics that give any of the asked documents, best match first; only those whose e5 + wording match of the
    question's topic reaches MATCH_FLOOR. e5 compares the topic with a row's subjects and the question with the
    sentences the row quotes from the asked documents. `wording`: `subject_wording` of the comparison, when the
    caller has it already."""
    aliases = aliases or {}
    wanted = {p.plan for p in comparison.documents}
    share = _share_asked(comparison.question)
    candidates = [m for m in metrics if wanted & set(m.plans) and (share is None or _is_share(m) == share)]
    if not candidates:
        return []
    horizon = "period" if ASKS_PERIOD_FIGURE.search(comparison.question) else "year"
    names = {id(m): _names(m, aliases) for m in candidates}
    subjects = sorted({s for m in candidates for s in names[id(m)]})
    vectors = index.embed_phrases([topic(comparison), *subjects])
    raw = dict(zip(subjects, np.clip(vectors[1:] @ vectors[0], 0.0, 1.0).tolist()))
    # e5 cosines of short phrases crowd together (0.8-0.95): rescaled over the candidates, the best is 1.
    dense = _rescaled(raw)
    weight = MATCH_DENSE_WEIGHT_EN if comparison.english else MATCH_DENSE_WEIGHT
    wording = wording or subject_wording(index, comparison)
    worded_of = {id(m): {s: wording(s) for s in names[id(m)]} for m in candidates}
    in_sentences = _sentence_match(index, comparison, candidates, wanted, {
        id(m): max(weight * dense[s] + (1 - weight) * c for s, c in worded_of[id(m)].items()) for m in candidates})
    scored = []
    loaded = max(1, len(index.loaded_plans()))
    for m in candidates:
        worded = worded_of[id(m)]
        sentences = MATCH_SENTENCE_SHARE * in_sentences.get(id(m), 0.0)
        best = max((weight * ((1 - MATCH_SENTENCE_SHARE) * dense[s] + sentences) + (1 - weight) * c, raw[s], c)
                   for s, c in worded.items())
        if not comparison.english and not any(worded.values()) and max(raw[s] for s in worded) < UNWORDED_COSINE:
            continue
        covered = len(wanted & set(m.plans)) / len(wanted)
        # Of two about equally apt rows: the one that gives more of the asked documents, that more documents give
        # (a figure many documents report is likelier what a question across them is about), and over the span
        # asked (a year, unless the question says 年均 / five years).
        prior = 0.05 * covered + 0.05 * len(m.cells) / loaded - (0.1 if m.horizon != horizon else 0.0)
        absolute = MATCH_DENSE_WEIGHT * best[1] + (1 - MATCH_DENSE_WEIGHT) * best[2]
        scored.append((best[0] + prior, absolute, m))
    scored.sort(key=lambda x: -x[0])
    return [(score, m) for score, absolute, m in scored if absolute >= MATCH_FLOOR]


def subject_wording(index: "PlanIndex", comparison: Comparison) -> Callable[[str], float]:
    """How much wording a metric subject shares with the question's topic (0..1): character bigrams for Chinese
    (`_coverage`), the English words' dictionary translations word by word (`_coverage_en`)."""
    if not comparison.english:
        grams = bigrams(lexical_text(index, comparison))
        return lambda subject: _coverage(subject, grams)
    from index.lexical import english_terms

    translated = index.translate(topic(comparison))
    n_words = len(english_terms(topic(comparison)))
    return lambda subject: _coverage_en(subject, translated, n_words)


def subject_aliases(rows: Sequence[Metric]) -> dict[str, set[str]]:
    """subject -> every subject of the rows that hold it: one kind's rows, given to `rank_metrics` as the aliases of
    the other kind's (a goal row's 经济增长 names the result row 国内生产总值增长)."""
    aliases: dict[str, set[str]] = {}
    for m in rows:
        for s in m.subjects:
            aliases.setdefault(s, set()).update(m.subjects)
    return aliases


def worded(wording: Callable[[str], float], metric: Metric, aliases: dict[str, set[str]]) -> float:
    """The most wording any of the metric's subjects (with its aliases) shares with the question's topic
    (`wording`: `subject_wording` of the comparison)."""
    return max((wording(s) for s in _names(metric, aliases)), default=0.0)


def _sentence_match(index: "PlanIndex", comparison: Comparison, candidates: Sequence[Metric], wanted: set[str],
                    by_phrase: dict[int, float]) -> dict[int, float]:
    """e5 cosine of the question and the sentences each row quotes from the asked documents (its best), rescaled;
    for the SENTENCE_SHORTLIST rows its subjects match best only. Sentence vectors are computed once per machine
    (CACHE/vectors); with an empty cache the first comparisons take seconds longer."""
    shortlist = sorted(candidates, key=lambda m: -by_phrase[id(m)])[:SENTENCE_SHORTLIST]
    quotes = sorted({c.quote for m in shortlist for c in m.cells if c.plan in wanted})
    # Remembered with the phrases: both kinds' rankings of one question embed it once (the same e5 query vector).
    query = index.embed_phrases([comparison.core or comparison.question])[0]
    by_quote = dict(zip(quotes, (index.passage_vectors(quotes) @ query).tolist()))
    return _rescaled({id(m): max(by_quote[c.quote] for c in m.cells if c.plan in wanted) for m in shortlist})


def _rescaled(values: dict) -> dict:
    """Min-max over the candidates: the best is 1, the worst 0; all 1 when they are equal, where index.fusion.minmax
    gives 0 (a channel saying nothing): here a lone candidate is the best there is."""
    low, high = min(values.values()), max(values.values())
    return {k: (v - low) / (high - low) if high > low else 1.0 for k, v in values.items()}


def _share_asked(question: str) -> bool | None:
    """True when the question asks a share (赤字占GDP的比例, "deficit-to-GDP ratio"), False when it asks an amount
    (赤字规模, "in yuan"): only rows in % or points answer the one, only the others the other. None: both or neither."""
    ratio, amount = bool(ASKS_RATIO.search(question)), bool(ASKS_AMOUNT.search(question))
    return None if ratio == amount else ratio


def _is_share(metric: Metric) -> bool:
    return metric.cells[0].figure.family in ("%", "个百分点")


def _names(metric: Metric, aliases: dict[str, set[str]]) -> set[str]:
    """A metric's subjects, with those of the other kind's row it shares a subject with: the outcome row
    "国内生产总值增长" is also asked about as "经济增长" because the goal row says "经济增长预期目标"."""
    out = set(metric.subjects)
    for s in metric.subjects:
        out |= aliases.get(s, set())
    return out


def _near_cell(index: "PlanIndex", metric: Metric, plan: str, kind: str, taken: set[tuple[str, str, str]]) -> Cell | None:
    """A document's figure the grouping left out of `metric` (other wording: 赤字规模 for 财政赤字) that still measures
    it: same kind, unit family and span, a subject at least NEAR_SUBJECT alike, and not a cell of another row that
    several documents share (城镇登记失业率 is no stand-in for 城镇调查失业率)."""
    from index.figures import figures
    from index.metrics import subject_similarity

    loaded = index.loaded_plans().get(plan)
    if loaded is None:
        return None
    first = metric.cells[0].figure
    own = [
        f for f in figures(loaded)
        if f.kind == kind and f.family == first.family and f.horizon == metric.horizon and f.subject and not f.delta
        and (f.plan, f.section_id, f.target.text) not in taken
    ]
    if not own:
        return None
    subjects = list(metric.subjects)
    sim = subject_similarity([*subjects, *[f.subject for f in own]], index.embed_phrases)
    n = len(subjects)
    best_i, best = max(((i, float(sim[:n, n + i].max())) for i in range(len(own))), key=lambda x: x[1])
    if best < NEAR_SUBJECT:
        return None
    f = own[best_i]
    if all(_substitutes(f.subject, s) for s in subjects):  # another measure under every wording of this one
        return None
    return Cell(plan, f.section_id, f.target.text, f.target.sentence, f)


def _substitutes(a: str, b: str) -> bool:
    """Do two subjects differ by one word put in another's place (城镇登记失业率 / 城镇调查失业率: two measures), rather
    than by words added or dropped (一般性转移支付规模增长 / 中央对地方一般性转移支付增长: one measure, dev cmp-041)?"""
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    shared = sum(i2 - i1 for op, i1, i2, _, _ in ops if op == "equal")
    return shared >= 2 and any(op == "replace" for op, *_ in ops)


def _abbreviates(sentence: str, subject: str, generic: set[str]) -> bool:
    """Does the sentence name the subject, in full or shortened the Chinese way, two of its characters in order
    (棚改 for 棚户区住房改造, 高铁 for 高速铁路, 减税 in 新增减税降费)? Pairs many subjects share (增长) say nothing."""
    pairs = {sentence[i : i + 2] for i in range(len(sentence) - 1)}
    return any(p not in generic and _in_order(p, subject) for p in pairs if _CJK.fullmatch(p[0]) and _CJK.fullmatch(p[1]))


def _in_order(pair: str, subject: str) -> bool:
    at = subject.find(pair[0])
    return at != -1 and subject.find(pair[1], at + 1) != -1


def _generic_pairs(rows: Sequence[Metric]) -> set[str]:
    """Character pairs (in order) the subjects of at least GENERIC_SHARE of the rows (and of two) hold: 增长, 国内."""
    counts: dict[str, int] = {}
    for m in rows:
        own = set()
        for s in m.subjects:
            chars = [c for c in s if _CJK.fullmatch(c)]
            own |= {chars[i] + chars[j] for i in range(len(chars)) for j in range(i + 1, len(chars))}
        for p in own:
            counts[p] = counts.get(p, 0) + 1
    floor = max(2, GENERIC_SHARE * len(rows))
    return {p for p, n in counts.items() if n >= floor}


def _searched_cell(index: "PlanIndex", comparison: Comparison, metric: Metric, plan: str, kind: str,
                   taken: set[tuple[str, str, str]]) -> Cell | None:
    """A document's figure found by searching that document for the question, when neither the metric nor a near
    subject gives one (棚改 "今年开工580万套" for 棚户区住房改造; dev cmp-043, cmp-047). Candidates: the figures of the
    same kind, unit family and span in its best SEARCHED_SECTIONS sections. The one whose sentence is likeliest
    about the question's topic (e5) is taken, when it is about as likely as the least likely sentence the metric
    already quotes from the other documents (the question calibrates itself, where e5 cosines of one question
    crowd within a few hundredths), or when its sentence names the metric's subject shortened the Chinese way
    (`_abbreviates`). A "其中…" clause is part of its sentence's other figure and comes after it."""
    from index.figures import figures

    loaded = index.loaded_plans().get(plan)
    if loaded is None:
        return None
    query = comparison.core or comparison.question
    sections = {h.section.id for h in index.search(query, k=SEARCHED_SECTIONS, plan=plan)}
    first = metric.cells[0].figure
    own = [
        f for f in figures(loaded)
        if f.section_id in sections and f.kind == kind and f.family == first.family and f.horizon == metric.horizon
        and not f.delta and (f.plan, f.section_id, f.target.text) not in taken
    ]
    if not own:
        return None
    quoted = [c.quote for c in metric.cells]
    vectors = index.embed_phrases([topic(comparison), *quoted, *[f.target.sentence for f in own]])
    likely = vectors[1:] @ vectors[0]
    bar = float(likely[: len(quoted)].min()) - SEARCHED_MARGIN
    best = max(
        zip(likely[len(quoted):].tolist(), own),
        key=lambda x: (round(x[0], 4), not x[1].target.clause.startswith("其中"), -x[1].target.start),
    )
    f = best[1]
    if best[0] < bar:
        generic = _generic_pairs([m for m in index.metrics(kind=kind, shared=False) if m is not metric])
        if not any(_abbreviates(f.target.sentence, s, generic) for s in metric.subjects):
            return None
    return Cell(plan, f.section_id, f.target.text, f.target.sentence, f)


def _shared_cells(metrics: Sequence[Metric], but: Metric, *, meeting: bool = True) -> set[tuple[str, str, str]]:
    """The cells of the other rows several documents share that measure something else than `but`: rows with a figure
    in a document where `but` has one too (two figures side by side in one report measure two things: 城镇登记失业率
    and 城镇调查失业率 in 2018). A row that never meets `but` in a document may be the same metric in other words
    (一般性转移支付规模增长 in 2016-2017, 中央对地方一般性转移支付增长 from 2018; dev cmp-041). `meeting=False`: every
    other row several documents share, for figures found by search alone, which no subject vouches for."""
    mine = {c.plan for c in but.cells}
    out: set[tuple[str, str, str]] = set()
    for m in metrics:
        if m is but or len(m.cells) < 2:
            continue
        # Only the wording that met `but` is shown to be another measure: a row may join one document's
        # 脱贫地区农村居民收入增长 (beside 居民人均可支配收入增长 in 2024) with another's plain 居民收入增长 (2018, dev cmp-083).
        met = {c.figure.subject for c in m.cells if c.plan in mine}
        out |= {(c.plan, c.section_id, c.value) for c in m.cells if not meeting or c.figure.subject in met}
    return out


def coverage_of(grams: set[str], text: str) -> float:
    return len(grams & bigrams(text)) / len(grams) if grams else 0.0


def document_cell(index: "PlanIndex", comparison: Comparison, metric: Metric, plan: str, kind: str) -> Cell | None:
    """The document's figure for the metric: its own cell, else one under other wording (a near subject), else one
    found by searching the document for the question; None when the document gives none."""
    rows = index.metrics(kind=kind, shared=False)
    return (metric.cell(plan) or _near_cell(index, metric, plan, kind, _shared_cells(rows, metric))
            or _searched_cell(index, comparison, metric, plan, kind, _shared_cells(rows, metric, meeting=False)))
