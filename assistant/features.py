"""The signals the fitted answerer decides on: one vector per candidate sentence, one per question for refusing."""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import numpy as np

from . import cues, per_unit
from .cues import SEVERAL_THINGS
from .dating import asked_years, no_year, period_conflict, sentence_years
from .evidence import NUMBER, asked_unit, counted_unit, counts_in, has_evidence, has_figure
from .question import COUNT, HOW, LIST, LOCATE, MONEY, NEEDS_EVIDENCE, PERCENT, TIME, Question
from .subjects import answer_places, specific_terms, stated_among, subject_clauses, subject_forms, subject_groups, term_near_number

__all__ = ["EXTRA_FEATURES", "REFUSAL_FEATURES", "REFUSAL_SIGNS", "SENTENCE_FEATURES", "extra_features", "question_features", "sentence_features", "stance"]

# One column per signal, in this order, for every candidate sentence.
SENTENCE_FEATURES = (
    "dense",  # e5 cosine of the question and the sentence (with its section title)
    "dense_gap",  # the same minus the best candidate's: how far behind the best sentence it is
    "lexical",  # IDF-weighted share of the question's key terms (or their translations) in the sentence
    "lexical_gap",
    "phrase",  # the longest run of the question's characters in the sentence, 0..1
    "title",  # share of the question's key terms in the section's title
    "prior",  # 1 / (1 + the section's rank in hybrid retrieval)
    "previous",  # a follow-up, and the last answer cited this section
    "english_prior",  # the same for English questions, whose lexical match to Chinese text is thin
    "number_cue",  # the question asks for a number (of its kind: amount, share, date) and the sentence has one
    "unit_match",  # the question asks "多少家" and the sentence counts in 家
    "term_near_number",  # a key term of the question stands just before a number in the sentence
    "list_cue",  # a list question and the sentence enumerates (、，)
    "how_cue",  # a how question and the sentence states a measure (starts with a policy verb)
    "reason_cue",  # a why question and the sentence states a cause or purpose (主要是, 考虑到, because)
    "target_match",  # the question asks for a target and the sentence sets one
    "outcome_match",  # the question asks for a result and the sentence reports one
    "stance_conflict",  # target asked, only a result given (or the reverse)
    "year_match",  # the question asks about years (2017年, 去年, 过去五年) and the sentence speaks of one of them
    "year_conflict",  # it asks about years and the sentence (or its nearest dated heading) speaks only of others
    "restates_heading",  # the sentence mostly repeats its section's title
    "first",  # the section's first quotable sentence
    "depth",  # how deep the section sits in the outline (a numbered item is more specific than its chapter)
    "length",  # log of the sentence's length
)

# One row per question, for deciding whether the documents answer it.
REFUSAL_FEATURES = (
    "top_score",  # the fitted score of the best sentence
    "top_dense",
    "top_lexical",
    "section_lexical",  # share of the key terms in the best section's whole text
    "coverage",  # IDF-weighted share of the key terms found anywhere in the documents asked about
    "missing_rare",  # the rarest key term the documents lack (its IDF, scaled), 0 when none is missing
    "missing_kind",  # an amount / share / date / name is asked and no close sentence has one; a place is asked and
    # no clause naming the subject has one
    "missing_unit",  # "多少辆" is asked and no close sentence counts in 辆
    "no_term_number",  # a number is asked and no close sentence puts one beside a key term
    "no_subject_fact",  # a number or date is asked and no close sentence has one in a clause naming the rarest key term
    "place_absent",  # share of the places the question names that the documents never name
    "quoted_absent",  # a quoted term the documents lack
    "year_absent",  # a year is named that the documents never mention
    "stance_conflict",  # target asked but the clauses stating it (else the close sentences with numbers) only report
    # results (or the reverse)
    "period_conflict",  # a year or span is asked and those clauses' sentences all speak of other years
    "english",
    "untranslated",  # English: share of content words with no translation into the documents' words
    "subject_absent",  # English "how many X": no close sentence names X
    "gap",  # the best sentence's lead over the best sentence of the next section
    "fact_gap",  # a figure or date is asked: how far the closest sentence stating one (e5 cosine) trails the closest
    # sentence of all; a paraphrase keeps it small where the key terms miss, a near-miss leaves it wide
    "missing_per",  # a figure per unit or a split by place or period is asked ("每个孩子每月", "各省", "each household")
    # and no close sentence gives one per unit
    "top_no_figure",  # a figure or a date is asked and the best sentence, the one an answer quotes, states none
)
FACT_GAP_CAP = 0.2  # e5 cosines of one topic's sentences span about this much: a sentence further behind is off-topic

# One row per further section an answer could quote besides the best one (its best sentence `u` against the top's).
EXTRA_FEATURES = (
    "score_gap",  # the top sentence's fitted score minus this one's
    "dense_gap",  # the same for the e5 cosine
    "lexical",  # this sentence's key-term share
    "new_terms",  # IDF-weighted share of the question's key terms in this sentence and not in the top sentence
    "rank",  # its place among the sections (1 = the second section)
    "list_question",  # the question asks for a list, a set of measures or several things (LIST / HOW)
    "several",  # the question names two or more things joined by 和 / 及 / and, or asks 分别 / 各 / each
    "sibling",  # the section shares its parent with the top's
    "nested",  # one of the two sections lies inside the other (the candidate repeats or summarises the top)
    "top_lexical",  # the top sentence's key-term share: a top that says everything leaves less for others
    "dense",  # this sentence's e5 cosine to the question
    "english",
)

# The direction each refusal signal may push the decision (+1: towards answering, -1: towards refusing, 0: free).
# `bench.fit_answerer` fits the weights within these signs: a few hundred questions cannot tell collinear signals
# apart, and an unconstrained fit gave the best sentence's score a negative weight (a better match read as a reason
# to refuse). Which of the two fits ships is decided out-of-fold.
REFUSAL_SIGNS = dict(
    top_score=1, top_dense=1, top_lexical=1, section_lexical=1, coverage=1, missing_rare=-1, missing_kind=-1,
    missing_unit=-1, no_term_number=-1, no_subject_fact=-1, place_absent=-1, quoted_absent=-1, year_absent=-1, stance_conflict=-1,
    period_conflict=-1,
    english=0, untranslated=-1, subject_absent=-1, gap=1, fact_gap=-1, missing_per=-1, top_no_figure=-1,
)

_YEAR = re.compile(r"(?<![0-9])(19[5-9][0-9]|20[0-9]{2})(?![0-9])")
_ENUMERATION = re.compile(r"[、,，]")


def stance(question_text: str) -> tuple[bool, bool]:
    """Does the question ask for a target, a result, or (neither / both) can't tell?"""
    return bool(cues.QUESTION_TARGET.search(question_text)), bool(cues.QUESTION_OUTCOME.search(question_text))


def _sentence_stance(text: str) -> tuple[bool, bool]:
    return bool(cues.SENTENCE_TARGET.search(text)), bool(cues.SENTENCE_OUTCOME.search(text))


def _clause_stance(clause: str, sentence: str) -> tuple[bool, bool]:
    """A clause's own stance, or its sentence's when the clause says neither."""
    target, outcome = _sentence_stance(clause)
    return (target, outcome) if target or outcome else _sentence_stance(sentence)


def _asked_unit(q: Question) -> str | None:
    """The measure word the asker expects the number in: "多少辆" says it; in English the counted thing's Chinese word
    may be one ("How many households": 户)."""
    return asked_unit(q.asking or q.text) or (counted_unit(q.subject_groups) if q.english else None)


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if "\u3400" <= c <= "\u9fff" or c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:])}


def _states_figure(text: str, wants_kind: Sequence[str], asks_number: bool) -> bool:
    """Does `text` state the kind of figure asked: a number for 多少 (`asks_number`), or the evidence of a kind?"""
    return (asks_number and has_figure(text)) or any(has_evidence(k, text) for k in wants_kind)


def _number_kind_cue(q: Question, text: str) -> float:
    asks_number = q.wants(COUNT) or q.wants(PERCENT) or q.wants(MONEY)
    return 1.0 if _states_figure(text, [k for k in NEEDS_EVIDENCE if q.wants(k)], asks_number) else 0.0


def sentence_features(q: Question, units: Sequence, titled: dict[str, float], phrase: Callable[[Question, str], float],
                      idf: Callable[[str], float], year_of: Callable[[str], int | None] = no_year) -> np.ndarray:
    """The SENTENCE_FEATURES matrix of the candidate sentences (`units`, as scored by SentenceScorer.units)."""
    if not units:
        return np.zeros((0, len(SENTENCE_FEATURES)), dtype=np.float32)
    best_dense = max(u.dense for u in units)
    best_lex = max(u.lexical for u in units)
    wants_target, wants_outcome = stance(q.text)
    unit = None if q.wants(LOCATE) else _asked_unit(q)
    asks_number = q.wants(COUNT) or q.wants(PERCENT) or q.wants(MONEY) or q.wants(TIME)
    specific = specific_terms(subject_groups(q), idf)
    asks_reason = bool(cues.ASKS_REASON.search(q.text))
    asked_of: dict[str, tuple[int | None, set[int]]] = {}  # plan -> (its year, the years the question asks of it)
    rows = []
    for u in units:
        text = u.span.text
        section = u.evidence.section
        s_target, s_outcome = _sentence_stance(text)
        title_bigrams = _bigrams(section.title)
        overlap = len(_bigrams(text) & title_bigrams) / len(title_bigrams) if title_bigrams else 0.0
        conflict = (wants_target and not wants_outcome and s_outcome and not s_target) or (
            wants_outcome and not wants_target and s_target and not s_outcome
        )
        if section.plan not in asked_of:
            year = year_of(section.plan)
            asked_of[section.plan] = (year, asked_years(q.text, year))
        year, asked = asked_of[section.plan]
        said = sentence_years(text, section.path, year) if asked else set()
        rows.append((
            u.dense,
            u.dense - best_dense,
            u.lexical,
            u.lexical - best_lex,
            phrase(q, text),
            titled.get(u.evidence.cite_id, 0.0),
            u.evidence.prior,
            1.0 if u.evidence.previous else 0.0,
            u.evidence.prior if q.english else 0.0,
            _number_kind_cue(q, text),
            1.0 if unit and counts_in(unit, text) else 0.0,
            1.0 if asks_number and term_near_number(specific, text) else 0.0,
            min(1.0, len(_ENUMERATION.findall(text)) / 4) if (q.wants(LIST) or q.wants(LOCATE)) else 0.0,
            1.0 if q.wants(HOW) and cues.MEASURE_VERB.match(text) else 0.0,
            1.0 if asks_reason and cues.STATES_REASON.search(text) else 0.0,
            1.0 if wants_target and s_target else 0.0,
            1.0 if wants_outcome and s_outcome else 0.0,
            1.0 if conflict and NUMBER.search(text) else 0.0,
            1.0 if asked & said else 0.0,
            1.0 if said and not asked & said else 0.0,
            1.0 if overlap >= 0.6 else 0.0,
            1.0 if u.index == 0 else 0.0,
            min(len(section.path), 4) / 4,
            math.log1p(len(text)) / 5,
        ))
    return np.asarray(rows, dtype=np.float32)


def question_features(
    q: Question,
    ranked,
    *,
    in_scope: Callable[[str], bool],
    idf: Callable[[str], float],
    max_idf: float,
    coverage: float,
    place_absent: float,
    year_of: Callable[[str], int | None] = no_year,
) -> np.ndarray:
    """The REFUSAL_FEATURES row of a question, from its ranked sentences and their fitted scores."""
    top = ranked.top
    if top is None:
        return np.zeros(len(REFUSAL_FEATURES), dtype=np.float32)
    top_score = float(top.score)
    near = ranked.near()
    missing = [idf(t) for t in dict.fromkeys(q.terms)
               if not q.english and not any(in_scope(w) for w in q.alternatives(t))]
    wants_kind = [k for k in NEEDS_EVIDENCE if q.wants(k)]
    missing_kind = any(not any(has_evidence(k, u.span.text) for u in near) for k in wants_kind)
    texts = [u.span.text for u in near]
    forms = subject_forms(q, idf, in_scope)
    about = subject_clauses(forms, texts)  # the close sentences' clauses naming the subject
    if cues.QUESTION_PLACE.search(q.text) and not q.wants(LOCATE):
        # A place is asked: one must stand in a clause about the subject (else in the five best sentences); a place
        # elsewhere in a close sentence does not say where the asked thing happens (dev rc-001, rc-045).
        where = [c for c, _ in about] or texts[:5]
        missing_kind = missing_kind or not any(answer_places(q, text) for text in where)
    unit = None if q.wants(LOCATE) else _asked_unit(q)
    asks_number = q.wants(COUNT) or q.wants(PERCENT) or q.wants(MONEY)
    asks_figure = asks_number or bool(wants_kind)  # a number, amount, share, date or name
    specific = specific_terms(subject_groups(q), idf)
    no_term_number = asks_number and not any(term_near_number(specific, text) for text in texts)
    years = set(_YEAR.findall(q.text))
    year_absent = any(not in_scope(y) for y in years)
    wants_target, wants_outcome = stance(q.text)
    stated = stated_among(q, forms, about)
    # Target or result, and which years: judged on the clauses stating the asked fact about the subject when there
    # are some (a target for M2 does not answer "M2实际增长了多少", dev rc-026), else on every close sentence
    # with a number.
    # A question asking no figure or date ("今年对种粮农民有什么补贴？") is judged on every close sentence: those with
    # a number were all the 2021 review's "一次性发放200亿元补贴", and the year's own measure states none (dev rk-057).
    numbered = [near[i] for _, i in stated or ()] or [u for u in near if NUMBER.search(u.span.text) or not asks_figure]
    stances = [_clause_stance(c, texts[i]) for c, i in stated or ()] or [_sentence_stance(u.span.text) for u in numbered]
    conflict = bool(numbered) and (
        (wants_target and not wants_outcome and all(o and not t for t, o in stances))
        or (wants_outcome and not wants_target and all(t and not o for t, o in stances))
    )
    # `numbered` holds the stating clauses' sentences in their order; a clause is dated by the words up to its end.
    dated = [_up_to(clause, texts[i]) for clause, i in stated] if stated else [u.span.text for u in numbered]
    period = period_conflict(q.text, [(text, u.evidence.section.path, u.evidence.section.plan)
                                      for text, u in zip(dated, numbered)], year_of)
    if (conflict or period) and _top_agrees(top, wants_target, wants_outcome, q.text, year_of):
        # The best sentence states a figure in the asked stance and years ("居民消费价格上涨2%。" in "2016年工作回顾"
        # for "去年实际涨了多少？"); the clauses naming the subject's rarest word (涨幅, of this year's target) were
        # other sentences (dev ra-030).
        conflict = period = False
    subject = q.subject_groups
    subject_absent = bool(subject) and not any(all(any(a in u.span.text for a in g) for g in subject) for u in near)
    section_text = top.evidence.section.text.lower()
    section_lex = 0.0
    if q.groups:
        total = sum(max(idf(a) for a in g) for g in q.groups if g)
        got = sum(max(idf(a) for a in g) for g in q.groups if g and any(a.lower() in section_text for a in g))
        section_lex = got / total if total else 0.0
    second = next((u.score for u in ranked.best[1:]), top_score - 1.0)
    return np.asarray((
        top_score,
        top.dense,
        top.lexical,
        section_lex,
        coverage,
        (max(missing) / max_idf) if missing and max_idf > 0 else 0.0,
        1.0 if missing_kind else 0.0,
        1.0 if unit and not any(counts_in(unit, u.span.text) for u in near) else 0.0,
        1.0 if no_term_number else 0.0,
        1.0 if stated == [] else 0.0,
        float(place_absent),
        1.0 if any(not in_scope(t) for t in q.quoted) else 0.0,
        1.0 if year_absent else 0.0,
        1.0 if conflict else 0.0,
        1.0 if period else 0.0,
        1.0 if q.english else 0.0,
        (1.0 - q.translated_share) if q.english and q.translated_share is not None else 0.0,
        1.0 if subject_absent else 0.0,
        min(1.0, top_score - second),
        _fact_gap(q, ranked.units, wants_kind, asks_number),
        1.0 if _missing_per(q, texts, asks_figure) else 0.0,
        1.0 if _lacks_figure(top.span.text, wants_kind, asks_number) else 0.0,
    ), dtype=np.float32)


def _up_to(clause: str, sentence: str) -> str:
    """The sentence up to the end of `clause`: the words that can date what the clause states. A time word scopes
    what follows it ("2016年，…下降5.6%"), not what came before; a later clause's "年均浓度" dated the 2016 review's
    "二氧化硫…排放量分别下降5.6%和4%" as several years (dev rd-042)."""
    at = sentence.find(clause)
    return sentence if at < 0 else sentence[: at + len(clause)]


def _lacks_figure(text: str, wants_kind: Sequence[str], asks_number: bool) -> bool:
    """TOP_NO_FIGURE: a figure or a date is asked and `text` states none of the asked kind. A close sentence with
    one (`missing_kind`, `no_term_number`) is not enough: the answer quotes the best sentence, and on dev a
    figure elsewhere (another fund's 2800多亿元 for rc-047) kept near-misses answered."""
    return bool(wants_kind or asks_number) and not _states_figure(text, wants_kind, asks_number)


def _missing_per(q: Question, texts: Sequence[str], asks_figure: bool) -> bool:
    """MISSING_PER: a figure per unit is asked and no close sentence gives one per that unit (per_unit.missing:
    "每人每年420元" does not answer "each household", dev rd-038), or a split by place or period ("各省", "the
    fourth quarter"; also "怎么分配", which asks one without a number word) and none splits."""
    question = q.text
    per = asks_figure and cues.ASKS_PER.search(question) and per_unit.missing(question, q.per_units, texts)
    split = ((asks_figure or cues.ASKS_ALLOCATION.search(question)) and cues.ASKS_SPLIT.search(question)
             and not any(cues.STATES_SPLIT.search(t) for t in texts))
    return bool(per or split)


def _top_agrees(top, wants_target: bool, wants_outcome: bool, question: str, year_of: Callable[[str], int | None]) -> bool:
    """The best sentence states a figure as the asked stance (a target, or a result: by its cue words, else by a
    review heading above it) and speaks of the asked years."""
    text, section = top.span.text, top.evidence.section
    if not NUMBER.search(text) or wants_target == wants_outcome:
        return False
    target, outcome = _sentence_stance(text)
    if not (target or outcome):
        outcome = any(cues.REVIEW_HEADING.search(h) for h in section.path)
    if not (target if wants_target else outcome):
        return False
    return not period_conflict(question, [(text, section.path, section.plan)], year_of)


def _fact_gap(q: Question, units: Sequence, wants_kind: Sequence[str], asks_number: bool) -> float:
    """FACT_GAP: the best e5 cosine of all sentences minus the best of those stating the asked kind of figure."""
    if not (wants_kind or asks_number) or not units:
        return 0.0
    best = max(u.dense for u in units)
    # Only sentences within the cap can lower it: the others are not read for figures (a hot path, every question).
    stating = [u.dense for u in units if u.dense > best - FACT_GAP_CAP
               and (any(has_evidence(k, u.span.text) for k in wants_kind) if wants_kind else NUMBER.search(u.span.text))]
    return min(FACT_GAP_CAP, best - max(stating)) if stating else FACT_GAP_CAP


def _nested(a, b) -> bool:
    if a.plan != b.plan:
        return False
    pa, pb = a.path, b.path
    return len(pa) != len(pb) and (pa[: len(pb)] == pb or pb[: len(pa)] == pa)


def extra_features(q: Question, top, units: Sequence, idf: Callable[[str], float]) -> np.ndarray:
    """The EXTRA_FEATURES matrix of `units`, the best sentences of the sections after the top one, in rank order."""
    if not units:
        return np.zeros((0, len(EXTRA_FEATURES)), dtype=np.float32)
    terms = [g for g in q.groups if g]
    weight = [max(idf(t) for t in g) for g in terms]
    total = sum(weight) or 1.0
    have = top.span.text.lower()
    parent = top.evidence.section.path[:-1]
    listing = 1.0 if (q.wants(LIST) or q.wants(HOW)) else 0.0
    several = 1.0 if SEVERAL_THINGS.search(q.text) else 0.0
    rows = []
    for rank, u in enumerate(units, 1):
        text = u.span.text.lower()
        new = sum(w for g, w in zip(terms, weight)
                  if any(t.lower() in text for t in g) and not any(t.lower() in have for t in g))
        rows.append((
            top.score - u.score,
            top.dense - u.dense,
            u.lexical,
            new / total,
            float(rank),
            listing,
            several,
            1.0 if parent and u.evidence.section.path[:-1] == parent and u.evidence.section.plan == top.evidence.section.plan else 0.0,
            1.0 if _nested(top.evidence.section, u.evidence.section) else 0.0,
            top.lexical,
            u.dense,
            1.0 if q.english else 0.0,
        ))
    return np.asarray(rows, dtype=np.float32)
