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
from .evidence import NUMBER as _NUMBER
from .features import REFUSAL_FEATURES, extra_features, question_features, sentence_features
from .fitted import AnswererModel, load_model
from .records import Citation
from .sentences import Span, split_clauses, split_sentences

__all__ = [
    "Composition", "Draft", "Evidence", "Passage", "Ranked", "SentenceScorer", "Verdict", "find_referenced", "judge",
    "lead_passage", "quotable_sentences", "rank", "render", "render_outline", "render_refusal", "render_section",
    "select",
]

_SEP = "\x00"  # between texts in the joined corpus string: no term contains it

Embed = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, dim) unit vectors

_CJK_CHARS = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Evidence:
    """A retrieved section offered to the composer, with the ID it is cited by and its retrieval rank."""

    section: Section
    cite_id: str
    rank: int = 0
    prior: float = 0.0  # how strongly retrieval put it forward: 1/(1 + its rank among the search hits), else 0
    label: str = ""  # how the answer names the section: 《2016年政府工作报告》三(一) among several documents
    previous: bool = False  # the last answer cited it (a follow-up's candidates)

    @property
    def shown(self) -> str:
        return self.label or self.cite_id


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
            out.append(Citation(cid, s.title, s.text[start:end], s.plan, p.evidence.label))
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

    def coverage(self, question: Question, in_scope: Callable[[str], bool] | None = None) -> float:
        """IDF-weighted share of the question's key terms found anywhere in the documents asked about (English: the
        share of its words that translate into their words). Low: the question is about things they never name."""
        if question.english:
            return question.translated_share if question.translated_share is not None else 1.0
        terms = list(question.terms)
        if not terms:
            return 1.0
        found = in_scope or self.in_corpus
        total = sum(self.idf(t) for t in terms)
        got = sum(self.idf(t) for t in terms if found(t))
        return got / total if total else 1.0

    def max_idf(self) -> float:
        """The IDF of a term found nowhere: the scale of `idf`."""
        self._ensure_idf()
        n = len(self._texts)
        return math.log((n + 1) / 0.5) if n else 1.0

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

# In sentence-score units (the hand-set weights are 40x the e5 cosine): an adjacent sentence within NEIGHBOR_MARGIN
# of the best is quoted with it; another section within SECOND_MARGIN that adds a key term is cited too. Kept from
# the hand-set answerer (fixed set) while the fitted ranker does not beat it.
NEIGHBOR_MARGIN = 0.6
SECOND_MARGIN = 0.2
PART_MARGIN = 0.2  # in sentence-score units: 0.005 of e5 cosine under the hand-set weights (x40)
NEAR_SENTENCES = 5  # the best sentences whose facts count as "close" when judging whether the question is answered
MAX_LOCATE_SECTIONS = 6
EXTRA_CANDIDATES = 5  # sections after the best one the fitted extra-section model looks at
MAX_PASSAGE_CHARS = 240
TRIM_OVER = 60  # sentences longer than this are cut to the clauses with the number a 多少 question asks for


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


def _probability(score: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, score))))


@dataclass
class Ranked:
    """The scored sentences of the candidate sections and the best one per section, best section first."""

    units: list[_Unit]
    best: list[_Unit]  # one per section
    features: np.ndarray | None = None  # SENTENCE_FEATURES of `units`, row by row

    @property
    def top(self) -> _Unit | None:
        return self.best[0] if self.best else None

    def near(self, n: int = NEAR_SENTENCES) -> list[_Unit]:
        """The n best sentences overall."""
        return sorted(self.units, key=lambda u: -u.score)[:n]


def rank(question: Question, evidence: Sequence[Evidence], scorer: SentenceScorer, qvec: np.ndarray | None,
         model: AnswererModel | None = None) -> Ranked:
    """Score every quotable sentence with the fitted sentence model; sections with no body (a box's title line)
    only count when nothing else is left."""
    model = model or load_model()
    with_body = [e for e in evidence if e.section.body.strip()] or list(evidence)
    units = scorer.units(question, qvec, with_body)
    # A question that restates a section's title is about that section ("where is X mentioned" is not).
    titled = {} if question.wants(LOCATE) else {e.cite_id: scorer.lexical(question.groups, e.section.title) for e in with_body}
    features = sentence_features(question, units, titled, phrase_match, scorer.idf)
    if units:
        for u, score in zip(units, model.sentence.logit(features)):
            u.score = float(score)
    by_section: dict[str, _Unit] = {}
    for u in units:
        cur = by_section.get(u.evidence.cite_id)
        if cur is None or u.score > cur.score:
            by_section[u.evidence.cite_id] = u
    best = sorted(by_section.values(), key=lambda u: -u.score)
    # An overview restates its parts in passing: when one of its own parts answers about as well, the part is the
    # specific answer (a project's intro vs the numbered item the question is about). Checked on the fixed set.
    if best:
        top = best[0].evidence.section
        for u in best[1:]:
            if u.score < best[0].score - PART_MARGIN:
                break
            part = u.evidence.section
            if part.parent_id == top.id and part.plan == top.plan:
                best.remove(u)
                best.insert(0, u)
                break
    return Ranked(units, best, features)


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
    """The best sentence of a section, with adjacent sentences nearly as likely to answer (one contiguous quote)."""
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


def select(question: Question, ranked: Ranked, scorer: SentenceScorer, model: AnswererModel | None = None) -> list[Passage]:
    """The passages to quote: the best section's best sentences, plus every other section whose best sentence the
    fitted model finds nearly as likely to answer (an answer spread over several sections cites each)."""
    model = model or load_model()
    top = ranked.top
    if top is None:
        return []
    per_section = 3 if (question.wants(LIST) or question.wants(HOW)) else 2
    chosen = [_passage(question, scorer, ranked, top, per_section)]
    many = question.wants(LOCATE)
    limit = MAX_LOCATE_SECTIONS if many else model.max_sections
    others = ranked.best[1:EXTRA_CANDIDATES + 1]
    fitted = None
    if not many and model.extra is not None and others:
        fitted = model.extra.probability(extra_features(question, top, others, scorer.idf))
    for n, u in enumerate(others):
        if len(chosen) >= limit:
            break
        if many:
            ok = u.lexical >= 0.5 * top.lexical and u.lexical > 0 and u.score >= top.score - 4 * SECOND_MARGIN
        elif fitted is not None:
            ok = fitted[n] >= model.extra_section
        else:
            ok = u.score >= top.score - SECOND_MARGIN and _adds_something(question, scorer, chosen, u)
        if ok:
            chosen.append(_passage(question, scorer, ranked, u, per_section))
    return chosen


def _adds_something(question: Question, scorer: SentenceScorer, chosen: list[Passage], candidate: _Unit) -> bool:
    """A further section is cited only when it brings a key term of the question the chosen quotes lack."""
    have = "".join(p.quote for p in chosen).lower()
    text = candidate.span.text.lower()
    return any(
        t.lower() in text and t.lower() not in have and scorer.idf(t) > 1.0
        for g in question.groups for t in ([g] if isinstance(g, str) else g)
    )


# -- deciding whether the documents answer ---------------------------------------------------------------------


@dataclass
class Verdict:
    """Whether the documents answer, and if not why: not_found, place, quoted, year, missing:<kind>."""

    answerable: bool
    reason: str = ""
    detail: str = ""
    relevance: float = 0.0
    coverage: float = 1.0
    probability: float = 1.0  # the fitted P(answerable)


def relevance(question: Question, unit: _Unit) -> float:
    """How well the best sentence matches: its e5 cosine plus a fifth of its key-term share (a signal, not a rule)."""
    return unit.dense + 0.2 * unit.lexical


def refusal_features(question: Question, ranked: Ranked, scorer: SentenceScorer, in_scope: Callable[[str], bool],
                     place_absent: bool) -> np.ndarray:
    """The REFUSAL_FEATURES row of a question (see assistant/features.py)."""
    return question_features(
        question, ranked, in_scope=in_scope, idf=scorer.idf, max_idf=scorer.max_idf(),
        coverage=scorer.coverage(question, in_scope), place_absent=place_absent,
    )


# What a refusal names as missing, in the order it is told: the first signal that fired.
_REASONS = (("place_absent", "place"), ("year_absent", "year"), ("quoted_absent", "quoted"), ("missing_kind", "missing:kind"),
            ("missing_unit", "missing:count"), ("no_term_number", "missing:number"), ("no_subject_fact", "missing:number"),
            ("stance_conflict", "stance"))


def judge(
    question: Question,
    ranked: Ranked,
    scorer: SentenceScorer,
    *,
    in_scope: Callable[[str], bool] | None = None,
    place_absent: bool = False,
    model: AnswererModel | None = None,
) -> Verdict:
    """Answer or refuse, by the refusal model fitted on dev questions (`python -m bench.fit_answerer`)."""
    model = model or load_model()
    top = ranked.top
    if top is None:
        return Verdict(False, "not_found", probability=0.0)
    in_scope = in_scope or scorer.in_corpus
    x = refusal_features(question, ranked, scorer, in_scope, place_absent)
    p = float(model.refusal.probability(x[None, :])[0])
    rel = relevance(question, top)
    cov = float(x[REFUSAL_FEATURES.index("coverage")])
    if p >= model.answer_above:
        return Verdict(True, "", "", rel, cov, p)
    fired = {name: float(x[REFUSAL_FEATURES.index(name)]) for name, _ in _REASONS}
    for name, reason in _REASONS:
        if fired[name] > 0:
            return Verdict(False, reason, _reason_detail(question, reason, in_scope), rel, cov, p)
    return Verdict(False, "not_found", "", rel, cov, p)


def _reason_detail(question: Question, reason: str, in_scope: Callable[[str], bool]) -> str:
    """The thing a refusal names: the place, year or term the documents lack, or the kind of fact."""
    if reason == "place":
        return next(iter(question.places), "")
    if reason == "year":
        import re as _re

        return next((y for y in _re.findall(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])", question.text) if not in_scope(y)), "")
    if reason == "quoted":
        return next((t for t in question.quoted if not in_scope(t)), "")
    if reason == "missing:kind":
        return next((k for k in NEEDS_EVIDENCE if question.wants(k)), "")
    return ""


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
    "count": ("具体数量", "that number"),
    "number": ("具体数字", "that figure"),
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


@dataclass(frozen=True)
class Frame:
    """How the answer refers to the documents: by their kind (规划, 报告 …), and by short title among several."""

    kind: str = "规划"
    kind_en: str = "plan"
    several: bool = False  # sections are named with their document: 《2016年政府工作报告》三(一)

    def the(self, english: bool) -> str:
        return f"The {self.kind_en}" if english else self.kind


PLAN_FRAME = Frame()


def _name(p: Passage, english: bool) -> str:
    s = p.evidence.section
    return f"{p.evidence.shown} ({s.title})" if english else f"{p.evidence.shown}「{s.title}」"


def _quoted(p: Passage) -> str:
    return f"{p.display}[{p.evidence.shown}]"


def _lead(question: Question, p: Passage, frame: Frame = PLAN_FRAME) -> str:
    name = _name(p, question.english)
    the = frame.the(question.english)
    if frame.several:
        return f"According to {name}:" if question.english else f"据{name}："
    if question.english:
        if question.wants(COUNT):
            return f"{the} gives the figure in {name}:"
        if question.wants(HOW):
            return f"{the} sets out the measures in {name}:"
        if question.wants(LIST):
            return f"{the} lists them in {name}:"
        return f"{the} addresses this in {name}:"
    if question.wants(COUNT):
        return f"关于数量，{the}在{name}中写道："
    if question.wants(HOW):
        return f"{the}在{name}中提出的做法是："
    if question.wants(LIST):
        return f"{the}在{name}中列出："
    return f"{the}在{name}中写道："


def render(question: Question, passages: Sequence[Passage], frame: Frame = PLAN_FRAME) -> list[str]:
    """Lead sentence, then each quote followed by its citation; more sections are introduced as "另见"."""
    if not passages:
        return []
    english = question.english
    the = frame.the(english)
    if len({p.evidence.cite_id for p in passages}) > 2 or (question.wants(LOCATE) and len({p.evidence.cite_id for p in passages}) > 1):
        n = len({p.evidence.cite_id for p in passages})
        lines = [f"{the} speaks to this in {n} places:" if english else f"{the}中有{n}处谈到："]
        for p in passages:
            lines.append(f"- {_name(p, english)}: {_quoted(p)}" if english else f"- {_name(p, english)}：{_quoted(p)}")
        return lines
    lines = [_lead(question, passages[0], frame), _quoted(passages[0])]
    for p in passages[1:]:
        lines.append(f"See also {_name(p, english)}:" if english else f"另见{_name(p, english)}：")
        lines.append(_quoted(p))
    return lines


def render_outline(question: Question, parent: Evidence, children: Sequence[Passage]) -> list[str]:
    """"专栏12「…」下设2项：" and one line per child with the opening of its text."""
    s = parent.section
    english = question.english
    lead = (
        f"{parent.shown} ({s.title}) has {len(children)} items:"
        if english
        else f"{parent.shown}「{s.title}」下设{len(children)}项："
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
        lead = f"{ev.shown} is titled 「{s.title}」." if english else f"{ev.shown}的标题是「{s.title}」。"
    else:
        lead = f"{_name(passage, english)} says:" if english else f"{_name(passage, english)}的内容是："
    return [lead, _quoted(passage)]


# The interrogative tail of a Chinese question ("…是多少？", "…有哪些？"): cut to name what was asked.
_ASKING_TAIL = re.compile(
    r"(?:(?:分别|一共|总共|大概|具体|到底|究竟)?(?:是|有|为|定在|定的|定了|控制在|达到|要达到|能|会|要|打算|准备|计划)?"
    r"(?:多少|多大|几[个项条家名次年]?|哪些|哪几[个项条]?|哪个|哪里|哪儿|什么时候|何时|什么|怎么样|怎样|如何|怎么|吗|呢|是否|有没有)"
    r".*|[？?。!！]+)$"
)
_ASKING_HEAD = re.compile(r"^(?:请问|那么|那|规划|报告|文件)(?:中|里|里面)?(?:提到|说|讲)?的?")


def asked_phrase(text: str) -> str:
    """What a Chinese question asks about, in its own words: "规划中深圳2020年GDP目标是多少？" -> 深圳2020年GDP目标."""
    phrase = _ASKING_HEAD.sub("", text.strip())
    for _ in range(3):
        cut = _ASKING_TAIL.sub("", phrase).strip(" ，,、的")
        if cut == phrase or not cut:
            break
        phrase = cut
    return phrase if 2 <= len(phrase) <= 40 else ""


def render_refusal(question: Question, verdict: Verdict, related: Sequence[Passage], frame: Frame = PLAN_FRAME) -> list[str]:
    """Say plainly that the documents do not answer, what they lack when we know it, and offer the nearest sections."""
    english = question.english
    reason, detail = verdict.reason, verdict.detail
    the = frame.the(english)
    asked = "" if english else asked_phrase(question.text)
    if reason == "place":
        first = (
            f"{the} does not mention {detail}, so it cannot answer this."
            if english
            else f"{the}中没有提到“{detail}”，无法回答这个问题。"
        )
    elif reason == "year":
        first = f"{the} says nothing about {detail}." if english else f"{the}中没有关于{detail}年的内容，无法回答这个问题。"
    elif reason == "quoted":
        first = f"{the} does not contain “{detail}”." if english else f"{the}中没有“{detail}”这一提法，无法回答这个问题。"
    elif reason.startswith("missing:") or reason == "stance":
        zh, en = _KIND_NAMES.get(detail, ("具体数据", "that figure"))
        if reason == "stance":
            zh, en = "所问的这一项（目标与实际完成情况不同）", "that figure (a target is not an outcome)"
        first = (
            f"{the} touches on this topic but does not give {en}."
            if english
            else f"{the}涉及相关内容，但没有给出{('“' + asked + '”的') if asked else ''}{zh}。"
        )
    elif reason == "unknown_ref":
        first = f"{the} has no {detail}." if english else f"{the}中没有{detail}。"
    else:
        first = (
            f"{the} does not say: no section of it answers this question."
            if english
            else (f"{the}中没有给出“{asked}”。" if asked else f"{the}中没有找到回答这个问题的内容。")
        )
    lines = [first]
    if related:
        lines.append("Nearest sections, for related reading:" if english else "以下章节最接近，可供参考：")
        for p in related:
            lines.append(f"- {_name(p, english)}")
    return lines
