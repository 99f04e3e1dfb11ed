"""Picks the sentences of retrieved sections that answer a question and composes a short, cited answer."""
from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from index import Section

from .question import (
    COUNT,
    HOW,
    LIST,
    LOCATE,
    MONEY,
    NEEDS_EVIDENCE,
    PERCENT,
    PERSON,
    TIME,
    Question,
    content_terms,
)
from .records import Citation
from .sentences import Span, split_clauses, split_sentences

__all__ = [
    "Composition", "Draft", "Evidence", "Passage", "Ranked", "SentenceScorer", "Verdict", "find_referenced", "judge",
    "lead_passage", "quotable_sentences", "rank", "render", "render_outline", "render_refusal", "render_section",
    "select",
]

_SEP = "\x00"  # between texts in the joined corpus string: no term contains it

Embed = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, dim) unit vectors

# Evidence of the fact kinds some questions need (see question.NEEDS_EVIDENCE).
_NUMBER = re.compile(r"[0-9０-９]+(?:[.,][0-9]+)?|[一二两三四五六七八九十百千万]+(?=[个家名项条次位所座种期大批类处亿万元年倍%]|以上)")
_EVIDENCE = {
    MONEY: re.compile(r"[0-9０-９.]+\s*(?:亿|万|千)?(?:元|美元|港元|欧元)|[$¥￥€]\s*[0-9]|[一二两三四五六七八九十百千万]+(?:亿|万)元"),
    PERCENT: re.compile(r"[0-9０-９.]+\s*[%％]|百分之|个百分点|比重|占比"),
    TIME: re.compile(r"[0-9０-９]{4}\s*年|[0-9０-９]{1,2}\s*月|年底|年内|年前|季度|[0-9]{4}[-/.][0-9]{1,2}"),
    PERSON: re.compile(r"(?!x)x"),  # filled in by jieba's person-name tags, see _has_person
}
_ENUMERATION = re.compile(r"[、,，]")
_CJK_CHARS = re.compile(r"[\u3400-\u9fff]")
_MEASURE_VERB = re.compile(
    r"^(?:加快|推进|推动|支持|鼓励|建立|建设|完善|加强|加大|实施|开展|引导|培育|打造|构建|提升|强化|探索|深化|落实|促进|发展|设立|举办|组建|"
    r"依托|围绕|利用|充分|积极|大力|着力|重点|争取|力争|引进|创建|扩大|提高|优化|整合|规划)"
)


@dataclass(frozen=True)
class Evidence:
    """A retrieved section offered to the composer, with the ID it is cited by and its retrieval rank."""

    section: Section
    cite_id: str
    rank: int = 0
    prior: float = 0.0  # how strongly retrieval put it forward: 1/(1 + its rank among the search hits), else 0


@dataclass
class Passage:
    """A quoted stretch of one section: `section.text[start:end]`, possibly cut to the clauses that matter."""

    evidence: Evidence
    start: int
    end: int
    score: float
    cut_before: bool = False
    cut_after: bool = False

    @property
    def quote(self) -> str:
        return self.evidence.section.text[self.start : self.end]

    @property
    def display(self) -> str:
        """The quote as shown: "……" marks where a sentence was cut."""
        text = self.quote
        if self.cut_before:
            text = "……" + text
        if self.cut_after:
            text = text.rstrip("，,：:;；") + "……"
        return text


@dataclass
class Composition:
    """The composer's result: the passages chosen, per cited section, and the signals behind the choice."""

    passages: list[Passage]
    signals: dict[str, float | str | bool] = field(default_factory=dict)

    def citations(self) -> list[Citation]:
        """One Citation per cited section, in answer order; its quote spans every passage used from it."""
        out: list[Citation] = []
        seen: dict[str, int] = {}
        for p in self.passages:
            s, cid = p.evidence.section, p.evidence.cite_id
            if cid in seen:
                continue
            mine = [q for q in self.passages if q.evidence.cite_id == cid]
            start, end = min(q.start for q in mine), max(q.end for q in mine)
            seen[cid] = len(out)
            out.append(Citation(cid, s.title, s.text[start:end], s.plan))
        return out


def quotable_start(section: Section) -> int:
    """Where the section's own words begin in `section.text`: after the numbering marker or heading line."""
    text = section.text
    if section.inline:
        return len(text) - len(section.body) if section.body and text.endswith(section.body) else 0
    if section.body:
        return len(section.heading) + 1 if text.startswith(section.heading) else 0
    return 0


def quotable_sentences(section: Section) -> list[Span]:
    """The sentences an answer may quote from a section; a section with no body offers its heading line."""
    text = section.text
    spans = split_sentences(text, quotable_start(section))
    # An inline item's leading label ("人才载体。") says nothing by itself; it stays as context only.
    if len(spans) > 1 and spans[0].text.rstrip("。.：:") == section.title:
        spans = spans[1:]
    return spans or split_sentences(text)


def _has_person(text: str) -> bool:
    from .question import _jieba

    _, posseg = _jieba()
    return any(w.flag == "nr" and len(w.word) >= 2 for w in posseg.cut(text))


# "多少辆 / 几家": the measure word the asker expects the number in (个 says nothing, 年 is usually a year).
_ASKED_UNIT = re.compile(r"(?:多少|几)\s*(辆|家|名|人|位|项|条|次|所|座|种|台|套|批|处|亿元|万元|元|平方米|平方公里|公里|吨|倍|天|个月|年)")
_SAME_UNIT = {"人": "人名位", "名": "人名位", "位": "人名位", "元": "元", "亿元": "亿元", "万元": "万元"}
_COUNT_NUMBER = r"(?:[0-9０-９]+(?:[.,][0-9]+)?|[一二两三四五六七八九十百千万]+)(?:\s*[-~～至到]\s*(?:[0-9０-９]+|[一二两三四五六七八九十百千万]+))?\s*(?:余|多)?"


def asked_unit(text: str) -> str | None:
    m = _ASKED_UNIT.search(text)
    return m.group(1) if m else None


def counts_in(unit: str, text: str) -> bool:
    """Does `text` count something in `unit` ("2200家", "8-10家"; for 年 a number of years, not 2020年)?"""
    units = _SAME_UNIT.get(unit, unit)
    alternatives = "|".join(re.escape(u) for u in ([unit] if len(unit) > 1 else list(units)))
    if unit == "年":
        return bool(re.search(r"(?<![0-9])(?:[0-9]{1,2}|[一二两三四五六七八九十]+)\s*(?:多)?年", text))
    return bool(re.search(rf"{_COUNT_NUMBER}(?:{alternatives})", text))


def has_evidence(kind: str, text: str) -> bool:
    """Does `text` hold the kind of fact a MONEY/PERCENT/TIME/PERSON question asks for?"""
    if kind == PERSON:
        return _has_person(text)
    pattern = _EVIDENCE.get(kind)
    return bool(pattern and pattern.search(text))


CONTEXT_SHARE = 0.3  # weight of a follow-up's carried-over terms in the lexical score


@dataclass
class _Unit:
    evidence: Evidence
    index: int  # position among the section's quotable sentences
    span: Span
    dense: float
    lexical: float
    score: float = 0.0


class SentenceScorer:
    """Scores the sentences of sections against a question; sentence vectors are computed once per section."""

    def __init__(self, embed: Embed | None = None, corpus: Callable[[], Sequence[Section]] | None = None) -> None:
        self.embed = embed
        self.corpus = corpus
        self._spans: dict[tuple[str, str, int], list[Span]] = {}
        self._vectors: dict[tuple[str, str, int], np.ndarray] = {}
        self._idf: dict[str, float] | None = None
        self._idf_key: tuple | None = None
        self._idf_source: object = None
        self._texts: list[str] = []
        self._joined, self._starts = "", [0]
        self._df: dict[str, int] = {}  # lowercased term -> how many texts contain it

    # -- caches ----------------------------------------------------------------------------------------------
    @staticmethod
    def _key(section: Section) -> tuple[str, str, int]:
        return (section.plan, section.id, hash(section.text))

    def spans(self, section: Section) -> list[Span]:
        key = self._key(section)
        if key not in self._spans:
            self._spans[key] = quotable_sentences(section)
        return self._spans[key]

    def vectors(self, section: Section) -> np.ndarray | None:
        """Unit vectors of the section's quotable sentences, each embedded with its section title as context."""
        if self.embed is None:
            return None
        key = self._key(section)
        if key not in self._vectors:
            texts = [f"{section.title}：{span.text}" for span in self.spans(section)]
            self._vectors[key] = np.asarray(self.embed(texts), dtype=np.float32)
        return self._vectors[key]

    def warm(self, sections: Sequence[Section]) -> None:
        """Embed the sentences of many sections in one batch (faster than one section at a time)."""
        if self.embed is None:
            return
        todo = [s for s in sections if self._key(s) not in self._vectors]
        texts = [f"{s.title}：{span.text}" for s in todo for span in self.spans(s)]
        if not texts:
            return
        vectors = np.asarray(self.embed(texts), dtype=np.float32)
        pos = 0
        for s in todo:
            n = len(self.spans(s))
            self._vectors[self._key(s)] = vectors[pos : pos + n]
            pos += n

    def corpus_texts(self) -> list[str]:
        self._ensure_idf()
        return self._texts

    def _ensure_idf(self) -> None:
        got = self.corpus() if self.corpus else ()
        if self._idf is not None and got is self._idf_source:  # PlanIndex.sections() hands out one tuple per plan state
            return
        sections = list(got)
        key = tuple(self._key(s) for s in sections)
        self._idf_source = got
        if self._idf is not None and key == self._idf_key:
            return
        self._texts = [s.text for s in sections]
        # One lowercased string of every text: a term's sections are found by str.find over it (C speed), not
        # by a Python loop over every section, which took ~0.5 s per question at 100k sections.
        lowered = [t.lower() for t in self._texts]
        self._joined = _SEP.join(lowered)
        self._starts = list(itertools.accumulate((len(t) + len(_SEP) for t in lowered[:-1]), initial=0))
        self._idf, self._idf_key, self._df = {}, key, {}

    def idf(self, term: str) -> float:
        """Inverse section frequency of a term (substring match); a term found nowhere gets the top weight."""
        self._ensure_idf()
        assert self._idf is not None
        if term not in self._idf:
            n = len(self._texts)
            low = term.lower()
            if low not in self._df:
                self._df[low] = self._sections_with(low)
            df = self._df[low]
            self._idf[term] = math.log((n + 1) / (df + 0.5)) if n else 1.0
        return self._idf[term]

    def coverage(self, question: Question) -> float:
        """IDF-weighted share of the question's key terms found anywhere in the plan (English: the share of its
        words that translate into the plan's words). Low coverage: the question is about things the plan never names."""
        if question.english:
            return question.translated_share if question.translated_share is not None else 1.0
        terms = list(question.terms)
        if not terms:
            return 1.0
        total = sum(self.idf(t) for t in terms)
        got = sum(self.idf(t) for t in terms if self.in_corpus(t))
        return got / total if total else 1.0

    def in_corpus(self, term: str) -> bool:
        self._ensure_idf()
        if not self._texts:
            return True
        low = term.lower()
        return self._df[low] > 0 if low in self._df else low in self._joined  # idf() has usually counted it

    def _sections_with(self, low: str) -> int:
        """How many texts contain `low`: one find per such text, each jumping to the next text's start."""
        if not low or _SEP in low:
            return len(self._texts) if not low else 0
        count, pos = 0, self._joined.find(low)
        while pos >= 0:
            i = bisect.bisect_right(self._starts, pos) - 1
            count += 1
            if i + 1 >= len(self._starts):
                break
            pos = self._joined.find(low, self._starts[i + 1])
        return count

    # -- scoring -------------------------------------------------------------------------------------------
    def lexical(self, groups: Sequence[str | Sequence[str]], text: str, context: str = "") -> float:
        """IDF-weighted share of the question's key terms found in `text` (half credit when only in `context`).
        A term may be a group of alternatives (an English word's Chinese translations): any one counts."""
        if not groups:
            return 0.0
        low, ctx = text.lower(), context.lower()
        total = got = 0.0
        for g in groups:
            alts = [g] if isinstance(g, str) else list(g)
            if not alts:
                continue
            w = sum(self.idf(a) for a in alts) / len(alts)
            total += w
            if any(a.lower() in low for a in alts):
                got += w
            elif ctx and any(a.lower() in ctx for a in alts):
                got += 0.5 * w
        return got / total if total else 0.0

    def units(self, question: Question, qvec: np.ndarray | None, evidence: Sequence[Evidence]) -> list[_Unit]:
        self.warm([e.section for e in evidence])
        out: list[_Unit] = []
        for ev in evidence:
            s = ev.section
            spans = self.spans(s)
            vecs = self.vectors(s) if qvec is not None else None
            dense = (vecs @ qvec) if vecs is not None and len(vecs) else np.zeros(len(spans))
            context = " ".join(s.path)
            for i, span in enumerate(spans):
                lex = self.lexical(question.groups, span.text, context)
                if question.context_groups:  # a follow-up's earlier topic counts, but less than its own words
                    lex = (1 - CONTEXT_SHARE) * lex + CONTEXT_SHARE * self.lexical(question.context_groups, span.text, context)
                out.append(_Unit(ev, i, span, float(dense[i]), lex))
        return out


# -- choosing what to quote ------------------------------------------------------------------------------------

# Sentence score = dense + W_LEX * lexical + W_CUE * cue + W_TITLE * title + W_PHRASE * phrase + W_PRIOR * prior
# - W_RANK * rank. The weights were set on the fixed question set (tests/data/questions.yaml) and checked on
# bench/holdout_questions.yaml.
W_LEX = 0.2
W_CUE = 0.02
W_TITLE = 0.02  # times the share of the question's key terms in the section's title
W_PHRASE = 0.02  # times phrase_match: the question's words in a row in the sentence
W_RANK = 0.002
# Retrieval (hybrid e5 + BM25 with CC-CEDICT translation) knows sections better than sentence scores do for English
# questions, whose lexical match against Chinese text is thin: its ranking counts more there.
W_PRIOR = {False: 0.01, True: 0.04}
NEIGHBOR_MARGIN = 0.015  # an adjacent sentence this close to the best one is quoted with it
SECOND_MARGIN = 0.005  # another section whose best sentence is this close (and adds a term) is cited too
MAX_SECTIONS = 2
MAX_LOCATE_SECTIONS = 6
MAX_PASSAGE_CHARS = 240
TRIM_OVER = 60  # sentences longer than this are cut to the clauses with the number a 多少 question asks for


def _cue(question: Question, text: str) -> float:
    """How well a sentence fits the kind of answer asked for: a number for 多少, a list for 哪些, a measure for 怎么."""
    cue = 0.0
    if question.wants(COUNT) and _NUMBER.search(text):
        cue += 1.0
    for kind in NEEDS_EVIDENCE:
        if question.wants(kind) and has_evidence(kind, text):
            cue += 1.0
    if question.wants(LIST) or question.wants(LOCATE):
        cue += min(1.0, len(_ENUMERATION.findall(text)) / 4)
    if question.wants(HOW) and _MEASURE_VERB.match(text):
        cue += 0.5
    return cue


PHRASE_MIN, PHRASE_FULL = 4, 8  # shared Chinese runs shorter than this are single words; this long is a full match


def phrase_match(question: Question, text: str) -> float:
    """The longest run of characters a Chinese question shares with a sentence, 0 below PHRASE_MIN, 1 from
    PHRASE_FULL: words in the question's own order ("工业机器人应用示范") beat the same words scattered about."""
    if question.english:
        return 0.0
    from difflib import SequenceMatcher

    m = SequenceMatcher(None, question.text, text, autojunk=False).find_longest_match(0, len(question.text), 0, len(text))
    run = len(_CJK_CHARS.findall(question.text[m.a : m.a + m.size]))
    return 0.0 if run < PHRASE_MIN else min(run, PHRASE_FULL) / PHRASE_FULL


@dataclass
class Ranked:
    """The scored sentences of the candidate sections and the best one per section, best section first."""

    units: list[_Unit]
    best: list[_Unit]  # one per section

    @property
    def top(self) -> _Unit | None:
        return self.best[0] if self.best else None


def rank(question: Question, evidence: Sequence[Evidence], scorer: SentenceScorer, qvec: np.ndarray | None) -> Ranked:
    """Score every quotable sentence; sections with no body (a box's title line) only count when nothing else is left."""
    with_body = [e for e in evidence if e.section.body.strip()] or list(evidence)
    units = scorer.units(question, qvec, with_body)
    # A question that restates a section's title ("人才体制机制改革…" -> "加快推进人才体制机制改革创新") is about that
    # section rather than the overview above it that uses the same words in passing; "where is X mentioned" is not.
    titled = {} if question.wants(LOCATE) else {e.cite_id: scorer.lexical(question.groups, e.section.title) for e in with_body}
    for u in units:
        u.score = (
            u.dense
            + W_LEX * u.lexical
            + W_CUE * _cue(question, u.span.text)
            + W_TITLE * titled.get(u.evidence.cite_id, 0.0)
            + W_PHRASE * phrase_match(question, u.span.text)
            + W_PRIOR[question.english] * u.evidence.prior
            - W_RANK * u.evidence.rank
        )
    by_section: dict[str, _Unit] = {}
    for u in units:
        cur = by_section.get(u.evidence.cite_id)
        if cur is None or u.score > cur.score:
            by_section[u.evidence.cite_id] = u
    best = sorted(by_section.values(), key=lambda u: -u.score)
    # An overview restates its parts in passing: when one of its own parts answers about as well, the part is the
    # specific answer (a project's intro vs the numbered item the question is about).
    if best:
        top = best[0].evidence.section
        for u in best[1:]:
            if u.score < best[0].score - SECOND_MARGIN:
                break
            part = u.evidence.section
            if part.parent_id == top.id and part.plan == top.plan:
                best.remove(u)
                best.insert(0, u)
                break
    return Ranked(units, best)


def _trim(question: Question, scorer: SentenceScorer, section: Section, span: Span) -> tuple[int, int, bool, bool]:
    """Cut a long sentence to the clauses with the number a 多少 question asks for; else keep it whole (a cut
    elsewhere risks dropping the part that answers)."""
    if len(span.text) <= TRIM_OVER or not question.wants(COUNT):
        return span.start, span.end, False, False
    text = section.text
    clauses = split_clauses(text, span)
    if len(clauses) < 3:
        return span.start, span.end, False, False
    groups = question.groups
    scores = []
    for c in clauses:
        s = scorer.lexical(groups, c.text) if groups else 0.0
        if question.wants(COUNT) and _NUMBER.search(c.text):
            s += 0.3
        scores.append(s)
    best = int(np.argmax(scores))
    if scores[best] <= 0.0 or not _NUMBER.search(clauses[best].text):
        return span.start, span.end, False, False
    # Keep the clause before a number clause ("引进海内外院士100名" needs its verb) and neighbours that also match.
    lo = hi = best
    while lo > 0 and scores[lo - 1] >= 0.5 * scores[best] and clauses[hi].end - clauses[lo - 1].start <= 80:
        lo -= 1
    while hi + 1 < len(clauses) and scores[hi + 1] >= 0.5 * scores[best] and clauses[hi + 1].end - clauses[lo].start <= 80:
        hi += 1
    if clauses[hi].end - clauses[lo].start < 12 and lo > 0:
        lo -= 1
    start, end = clauses[lo].start, clauses[hi].end
    if end - start >= len(span.text) - 10:
        return span.start, span.end, False, False
    return start, end, lo > 0, hi < len(clauses) - 1


def _passage(question: Question, scorer: SentenceScorer, ranked: Ranked, best: _Unit, max_sentences: int) -> Passage:
    """The best sentence of a section, with adjacent sentences that score nearly as well (one contiguous quote)."""
    section = best.evidence.section
    mine = {u.index: u for u in ranked.units if u.evidence.cite_id == best.evidence.cite_id}
    lo = hi = best.index
    while hi - lo + 1 < max_sentences:
        grew = False
        for nxt in (lo - 1, hi + 1):
            u = mine.get(nxt)
            if u is None or u.score < best.score - NEIGHBOR_MARGIN:
                continue
            new_lo, new_hi = min(lo, nxt), max(hi, nxt)
            if mine[new_hi].span.end - mine[new_lo].span.start > MAX_PASSAGE_CHARS:
                continue
            lo, hi, grew = new_lo, new_hi, True
            break
        if not grew:
            break
    if lo == hi:
        start, end, cut_before, cut_after = _trim(question, scorer, section, best.span)
    else:
        start, end, cut_before, cut_after = mine[lo].span.start, mine[hi].span.end, False, False
    return Passage(best.evidence, start, end, best.score, cut_before, cut_after)


def _adds_something(question: Question, scorer: SentenceScorer, chosen: list[Passage], candidate: _Unit) -> bool:
    """A further section is cited only when it brings a key term of the question the chosen quotes lack."""
    have = "".join(p.quote for p in chosen)
    text = candidate.span.text
    for g in question.groups:
        for t in [g] if isinstance(g, str) else g:
            if t.lower() in text.lower() and t.lower() not in have.lower() and scorer.idf(t) > 1.0:
                return True
    return False


def select(question: Question, ranked: Ranked, scorer: SentenceScorer) -> list[Passage]:
    """The passages to quote: the best section's best sentences, plus close runners-up that add something."""
    top = ranked.top
    if top is None:
        return []
    many = question.wants(LOCATE)
    per_section = 3 if (question.wants(LIST) or question.wants(HOW)) else 2
    chosen = [_passage(question, scorer, ranked, top, per_section)]
    limit = MAX_LOCATE_SECTIONS if many else MAX_SECTIONS
    for u in ranked.best[1:]:
        if len(chosen) >= limit:
            break
        if many:
            ok = u.lexical >= 0.5 * top.lexical and u.lexical > 0 and u.score >= top.score - 4 * SECOND_MARGIN
        else:
            ok = u.score >= top.score - SECOND_MARGIN and _adds_something(question, scorer, chosen, u)
        if ok:
            chosen.append(_passage(question, scorer, ranked, u, per_section))
    return chosen


# -- deciding whether the plan answers -------------------------------------------------------------------------

# e5 scores an English question against Chinese text about this much lower than the same question in Chinese;
# adding it back lets one threshold (Settings.min_score) serve both languages.
ENGLISH_OFFSET = 0.08
EVIDENCE_MARGIN = 0.03  # how far below the best sentence a sentence may be and still supply the asked-for fact
MIN_COVERAGE = 0.08  # below this share of its key terms in the plan, a Chinese question is about something else…
CONFIDENT = 0.95  # …unless its best sentence is this relevant anyway


@dataclass
class Verdict:
    """Whether the plan answers, and if not why: not_found, place, quoted, missing:<kind>."""

    answerable: bool
    reason: str = ""
    detail: str = ""
    relevance: float = 0.0
    coverage: float = 1.0


def relevance(question: Question, unit: _Unit) -> float:
    """How well the best sentence matches, comparable across languages: dense + W_LEX * lexical (+ offset)."""
    return unit.dense + W_LEX * unit.lexical + (ENGLISH_OFFSET if question.english else 0.0)


def judge(
    question: Question,
    ranked: Ranked,
    scorer: SentenceScorer,
    min_score: float,
    plan_places: Callable[[str], bool] | None = None,
) -> Verdict:
    """Refuse when a named place or quoted term is not in the plan, when the asked-for kind of fact (an amount,
    a share, a date, a name) is nowhere near, or when even the best sentence is below `min_score`."""
    top = ranked.top
    if top is None:
        return Verdict(False, "not_found")
    rel = relevance(question, top)
    cov = scorer.coverage(question)
    # A question about another city ("上海要建设…", "Beijing's targets…"): none of the places it names is in the plan.
    if question.places and plan_places is not None and not any(plan_places(p) for p in question.places):
        return Verdict(False, "place", question.places[0], rel)
    for term in question.quoted:
        if not scorer.in_corpus(term):
            return Verdict(False, "quoted", term, rel)
    near = [u for u in ranked.units if u.score >= top.score - EVIDENCE_MARGIN]
    for kind in NEEDS_EVIDENCE:
        if question.wants(kind) and not any(has_evidence(kind, u.span.text) for u in near):
            return Verdict(False, f"missing:{kind}", kind, rel)
    unit = None if question.wants(LOCATE) else asked_unit(question.text)  # "出现了几次" counts mentions
    if unit and not any(counts_in(unit, u.span.text) for u in near):
        return Verdict(False, "missing:count", unit, rel)
    subject = question.subject_groups
    if subject and not any(all(any(a in u.span.text for a in g) for g in subject) for u in near):
        return Verdict(False, "not_found", "", rel, cov)  # "How many 5G base stations": no sentence counts them
    if not question.english and cov < MIN_COVERAGE and rel < CONFIDENT:
        return Verdict(False, "not_found", "", rel, cov)  # the plan names none of what the question is about
    if rel < min_score:
        return Verdict(False, "not_found", "", rel, cov)
    return Verdict(True, "", "", rel, cov)


# -- questions about the plan's structure ("专栏12有哪些内容？", "第18条讲什么？", "What is box 13 called?") --------

_NAME_CUE = re.compile(r"标题|名称|名字|叫什么|题目|\btitled?\b|\bcalled\b|\bwhat is .{0,20}\bnamed\b", re.I)
_CHILDREN_CUE = re.compile(
    r"下面|下设|分为|分了|包括|包含|哪几条|哪几项|几项|几条|有哪些内容|哪些方面|分别是|列了|每条|每项|"
    r"\bitems?\b|\bcontains?\b|\bsub-?sections?\b|\bwhat(?:'s| is) in\b|\bconsist",
    re.I,
)
_STRUCTURE_WORDS = set(
    """专栏 条 项 章 节 讲 写 写的 讲的 内容 标题 名称 名字 题目 下面 下设 分为 分了 包括 包含 每条 每项 一共 总共 几项 几条 哪几条 哪几项
    对应 什么 是什么 哪个 哪些 方面 工程 分别 列了 都是 叫 叫什么
    box boxes item items chapter chapters section sections cover covers covered about called title titled contain contains
    consist consists deal deals key projects project part""".split()
)
_MARKER_NUMBER = re.compile(r"[0-9０-９]+|[一二两三四五六七八九十百〇零]+")


def _marker_number(section: Section) -> str:
    m = _MARKER_NUMBER.search(section.marker or "")
    return m.group() if m else ""


def find_referenced(refs: Sequence, sections: Sequence[Section]) -> tuple[list[Section], list]:
    """The sections a question names by number, and the references that name no section of the plan."""
    from .question import _to_int, chinese_numeral

    found: list[Section] = []
    unknown = []
    for ref in refs:
        hits: list[Section] = []
        if ref.kind == "id":
            from index.sections import normalize_id

            want = normalize_id(str(ref.number))
            hits = [s for s in sections if s.id == want]
        elif ref.kind == "box":
            names = {f"专栏{ref.number}", f"专栏{chinese_numeral(int(ref.number))}"}
            if ref.item is not None:
                names = {f"{n}.{ref.item}" for n in names}
            hits = [s for s in sections if s.id in names]
        elif ref.kind == "item":
            hits = [s for s in sections if s.kind == "item" and _to_int(_marker_number(s) or "x") == ref.number]
        elif ref.kind == "project":
            hits = [s for s in sections if s.kind == "project" and _marker_number(s) == ref.number]
        elif ref.kind == "chapter":
            hits = [
                s for s in sections
                if s.kind in ("chapter", "part") and _to_int(_marker_number(s) or "x") == ref.number
            ]
        if hits:
            found.extend(h for h in hits[:3] if h not in found)
        else:
            unknown.append(ref)
    return found, unknown


def remaining_terms(question: Question, named: Sequence[Section]) -> list[str]:
    """The question's key terms once section numbers, structure words and the named sections' titles are gone."""
    text = question.text
    for ref in question.refs:
        text = text.replace(ref.text, " ")
    titles = " ".join(s.title for s in named)
    return [t for t in content_terms(text) if t not in _STRUCTURE_WORDS and t not in titles and not t.isdigit()]


def wants_name(question: Question) -> bool:
    return bool(_NAME_CUE.search(question.text))


def wants_children(question: Question) -> bool:
    return bool(_CHILDREN_CUE.search(question.text))


def lead_passage(evidence: Evidence, max_chars: int = 90, max_sentences: int = 2) -> Passage:
    """The opening of a section's own text (its first sentences, cut at a clause when long), for outlines."""
    section = evidence.section
    spans = quotable_sentences(section)
    first = spans[0]
    end, n = first.end, 1
    while n < max_sentences and n < len(spans) and spans[n].end - first.start <= max_chars:
        end = spans[n].end
        n += 1
    if end - first.start <= max_chars:
        return Passage(evidence, first.start, end, 1.0)
    clauses = split_clauses(section.text, first)
    cut = clauses[0].end
    for c in clauses[1:]:
        if c.end - first.start > max_chars:
            break
        cut = c.end
    return Passage(evidence, first.start, cut, 1.0, cut_after=cut < first.end)


# -- writing the answer ----------------------------------------------------------------------------------------

_KIND_NAMES = {
    MONEY: ("具体金额", "an amount of money"),
    PERCENT: ("具体比例", "a percentage or share"),
    TIME: ("具体时间", "a date or deadline"),
    PERSON: ("具体人名", "names of people"),
}


@dataclass
class Draft:
    """An answer before it becomes an Answer: its lines (lead first), the passages quoted and related reading."""

    lines: list[str]
    passages: list[Passage] = field(default_factory=list)
    answerable: bool = True
    related: list[Passage] = field(default_factory=list)
    reason: str = ""
    signals: dict[str, float | str | bool] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def citations(self) -> list[Citation]:
        return Composition(self.passages).citations()

    def related_citations(self) -> list[Citation]:
        return Composition(self.related).citations()


def _name(p: Passage, english: bool) -> str:
    s = p.evidence.section
    return f"{p.evidence.cite_id} ({s.title})" if english else f"{p.evidence.cite_id}「{s.title}」"


def _quoted(p: Passage) -> str:
    return f"{p.display}[{p.evidence.cite_id}]"


def _lead(question: Question, p: Passage) -> str:
    name = _name(p, question.english)
    if question.english:
        if question.wants(COUNT):
            return f"The plan gives the figure in {name}:"
        if question.wants(HOW):
            return f"The plan sets out the measures in {name}:"
        if question.wants(LIST):
            return f"The plan lists them in {name}:"
        return f"The plan addresses this in {name}:"
    if question.wants(COUNT):
        return f"关于数量，规划在{name}中写道："
    if question.wants(HOW):
        return f"规划在{name}中提出的做法是："
    if question.wants(LIST):
        return f"规划在{name}中列出："
    return f"规划在{name}中写道："


def render(question: Question, passages: Sequence[Passage]) -> list[str]:
    """Lead sentence, then each quote followed by its citation; more sections are introduced as "另见"."""
    if not passages:
        return []
    english = question.english
    if question.wants(LOCATE) and len({p.evidence.cite_id for p in passages}) > 1:
        n = len({p.evidence.cite_id for p in passages})
        lines = [f"The plan mentions this in {n} places:" if english else f"规划中有{n}处提到："]
        for p in passages:
            lines.append(f"- {_name(p, english)}: {_quoted(p)}" if english else f"- {_name(p, english)}：{_quoted(p)}")
        return lines
    lines = [_lead(question, passages[0]), _quoted(passages[0])]
    for p in passages[1:]:
        lines.append(f"See also {_name(p, english)}:" if english else f"另见{_name(p, english)}：")
        lines.append(_quoted(p))
    return lines


def render_outline(question: Question, parent: Evidence, children: Sequence[Passage]) -> list[str]:
    """"专栏12「…」下设2项：" and one line per child with the opening of its text."""
    s = parent.section
    english = question.english
    lead = (
        f"{parent.cite_id} ({s.title}) has {len(children)} items:"
        if english
        else f"{parent.cite_id}「{s.title}」下设{len(children)}项："
    )
    lines = [lead]
    for p in children:
        c = p.evidence.section
        label = f"{c.marker}{' ' if c.marker.endswith('.') else ''}{c.title}"
        lines.append(f"{label}: {_quoted(p)}" if english else f"{label}：{_quoted(p)}")
    return lines


def render_section(question: Question, passage: Passage, *, name_only: bool = False) -> list[str]:
    """What one named section says ("第18条讲什么？"), or just its title ("专栏17的标题是什么？")."""
    ev, english = passage.evidence, question.english
    s = ev.section
    if name_only:
        lead = f"{ev.cite_id} is titled 「{s.title}」." if english else f"{ev.cite_id}的标题是「{s.title}」。"
    else:
        lead = f"{_name(passage, english)} says:" if english else f"{_name(passage, english)}的内容是："
    return [lead, _quoted(passage)]


def render_refusal(question: Question, verdict: Verdict, related: Sequence[Passage]) -> list[str]:
    """Say plainly that the plan does not answer, why when we know, and offer the nearest sections."""
    english = question.english
    reason, detail = verdict.reason, verdict.detail
    if reason == "place":
        first = (
            f"The plan does not mention {detail}, so it cannot answer this."
            if english
            else f"规划中没有提到“{detail}”，无法回答这个问题。"
        )
    elif reason == "quoted":
        first = f"The plan does not contain “{detail}”." if english else f"规划中没有“{detail}”这一提法，无法回答这个问题。"
    elif reason.startswith("missing:"):
        zh, en = _KIND_NAMES.get(detail, ("具体数据", "that detail"))
        first = (
            f"The plan touches on this topic but does not give {en}."
            if english
            else f"规划涉及相关内容，但没有给出{zh}。"
        )
    elif reason == "unknown_ref":
        first = f"The plan has no {detail}." if english else f"规划中没有{detail}。"
    else:
        first = (
            "The plan does not say: no section of it answers this question."
            if english
            else "规划中没有找到回答这个问题的内容。"
        )
    lines = [first]
    if related:
        lines.append("Nearest sections, for related reading:" if english else "以下章节最接近，可供参考：")
        for p in related:
            lines.append(f"- {_name(p, english)}")
    return lines
