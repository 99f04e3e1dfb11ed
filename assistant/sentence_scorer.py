"""Scores a section's sentences against a question: key terms weighted by IDF, phrase overlap, embedding cosine."""
from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index import Section

from .passages import Evidence, quotable_sentences
from .question import Question
from .sentences import Span

_SEP = "\x00"  # between texts in the joined corpus string: no term contains it

Embed = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, dim) unit vectors

_CJK_CHARS = re.compile(r"[\u3400-\u9fff]")


CONTEXT_SHARE = 0.3  # weight of a follow-up's carried-over terms in the lexical score


@dataclass
class ScoredSentence:
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
        got = sum(self.idf(t) for t in terms if any(found(w) for w in question.alternatives(t)))
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

    def units(self, question: Question, qvec: np.ndarray | None, evidence: Sequence[Evidence]) -> list[ScoredSentence]:
        self.warm([e.section for e in evidence])
        out: list[ScoredSentence] = []
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
                out.append(ScoredSentence(ev, i, span, float(dense[i]), lex))
        return out


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
