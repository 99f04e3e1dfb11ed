"""Chooses what to quote: ranks the candidate sentences, picks the passages, cuts long sentences to what was asked."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index import Section

from . import cues
from .dating import no_year
from .evidence import NUMBER as _NUMBER
from .features import extra_features, sentence_features
from .fitted import AnswererModel, load_model
from .lists import starts_paragraph
from .passages import Evidence, Passage
from .question import COUNT, HOW, LIST, LOCATE, Question
from .sentence_scorer import ScoredSentence, SentenceScorer, phrase_match
from .sentences import Span, split_clauses

# -- choosing what to quote ------------------------------------------------------------------------------------

# In sentence-score units (the hand-set weights are 40x the e5 cosine): another section within SECOND_MARGIN that
# adds a key term is cited too, kept from the hand-set answerer (fixed set) while the fitted ranker does not beat
# it. Which sentences of a section are quoted with its best one is the model's `neighbor_margin`, fitted.
SECOND_MARGIN = 0.2
PART_MARGIN = 0.2  # in sentence-score units: 0.005 of e5 cosine under the hand-set weights (x40)
NEAR_SENTENCES = 5  # the best sentences whose facts count as "close" when judging whether the question is answered
MAX_LOCATE_SECTIONS = 6
EXTRA_CANDIDATES = 5  # sections after the best one the fitted extra-section model looks at
MAX_PASSAGE_CHARS = 240
# A figure with its unit ("6%", "3.2%", "1100万"): a reason sentence naming it again explains it. Not a year (年).
_FIGURE = re.compile(r"[0-9]+(?:\.[0-9]+)?\s*(?:[%％]|[万亿])")
LEAD_CHARS = 20  # a paragraph's first sentence this short and without a figure is a lead, not an answer (`_with_body`)
TRIM_OVER = 60  # sentences longer than this are cut to the clauses with the number a 多少 question asks for


@dataclass
class Ranked:
    """The scored sentences of the candidate sections and the best one per section, best section first."""

    units: list[ScoredSentence]
    best: list[ScoredSentence]  # one per section
    features: np.ndarray | None = None  # SENTENCE_FEATURES of `units`, row by row

    @property
    def top(self) -> ScoredSentence | None:
        return self.best[0] if self.best else None

    def near(self, n: int = NEAR_SENTENCES) -> list[ScoredSentence]:
        """The n best sentences overall."""
        return sorted(self.units, key=lambda u: -u.score)[:n]

    def without(self, said: str) -> "Ranked":
        """The ranking less the sentences `said` already quotes ("还有什么？" asks for the others)."""
        squeezed = "".join(said.split())
        keep = ["".join(u.span.text.split()) not in squeezed for u in self.units]
        if all(keep) or not any(keep):
            return self
        units = [u for u, k in zip(self.units, keep) if k]
        features = None if self.features is None else self.features[np.asarray(keep)]
        return Ranked(units, _best_per_section(units), features)


def _best_per_section(units: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """Each section's best-scored sentence, best section first."""
    by_section: dict[str, ScoredSentence] = {}
    for u in units:
        cur = by_section.get(u.evidence.cite_id)
        if cur is None or u.score > cur.score:
            by_section[u.evidence.cite_id] = u
    return sorted(by_section.values(), key=lambda u: -u.score)


def rank(question: Question, evidence: Sequence[Evidence], scorer: SentenceScorer, qvec: np.ndarray | None,
         model: AnswererModel | None = None, year_of: Callable[[str], int | None] = no_year) -> Ranked:
    """Score every quotable sentence with the fitted sentence model; sections with no body (a box's title line)
    only count when nothing else is left. `year_of`: a document's own year, which dates its 今年 / 去年."""
    model = model or load_model()
    with_body = [e for e in evidence if e.section.body.strip()] or list(evidence)
    units = scorer.units(question, qvec, with_body)
    # A question that restates a section's title is about that section ("where is X mentioned" is not).
    titled = {} if question.wants(LOCATE) else {e.cite_id: scorer.lexical(question.groups, e.section.title) for e in with_body}
    features = sentence_features(question, units, titled, phrase_match, scorer.idf, year_of)
    if units:
        for u, score in zip(units, model.sentence.logit(features)):
            u.score = float(score)
    best = _best_per_section(units)
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


def _passage(question: Question, scorer: SentenceScorer, ranked: Ranked, best: ScoredSentence, max_sentences: int,
             margin: float, apart: bool = False) -> Passage:
    """The best sentence of a section, with adjacent sentences within `margin` of its score (one contiguous quote);
    with `apart`, the section's best-scored sentences within `margin`, adjacent or not (`_picked`, `_apart`)."""
    section = best.evidence.section
    mine = {u.index: u for u in ranked.units if u.evidence.cite_id == best.evidence.cite_id}
    picked = _picked(mine, best, max_sentences, margin) if apart else None
    lo = hi = best.index
    while hi - lo + 1 < max_sentences:
        grew = False
        for nxt in (lo - 1, hi + 1):
            u = mine.get(nxt)
            if u is None or u.score < best.score - margin or (picked is not None and nxt not in picked):
                continue
            new_lo, new_hi = min(lo, nxt), max(hi, nxt)
            if mine[new_hi].span.end - mine[new_lo].span.start > MAX_PASSAGE_CHARS:
                continue
            lo, hi, grew = new_lo, new_hi, True
            break
        if not grew:
            break
    lo, hi = _with_reason(question, mine, lo, hi)
    lo, hi = _with_body(section, mine, lo, hi)
    if lo == hi:
        start, end, cut_before, cut_after = _trim(question, scorer, section, mine[lo].span)
    else:
        start, end, cut_before, cut_after = mine[lo].span.start, mine[hi].span.end, False, False
    more = _apart(mine, best, lo, hi, max_sentences, picked) if picked is not None else ()
    return Passage(best.evidence, start, end, best.score, cut_before, cut_after, more=more)


def _picked(mine: dict[int, ScoredSentence], best: ScoredSentence, max_sentences: int, margin: float) -> set[int]:
    """The sentences a section's quote may take, best first: `best` and the highest-scored others within `margin`
    of it. Chosen by score, not by adjacency: at a wider margin, growing the quote outwards took neighbours scored
    just within it before a sentence further on that scored higher, and filled the quote with them."""
    near = sorted((u for u in mine.values() if u is not best and u.score >= best.score - margin
                   and len(u.span.text) <= MAX_PASSAGE_CHARS), key=lambda u: -u.score)
    return {best.index, *(u.index for u in near[:max_sentences - 1])}


def _apart(mine: dict[int, ScoredSentence], best: ScoredSentence, lo: int, hi: int, max_sentences: int,
           picked: set[int]) -> tuple[tuple[int, int], ...]:
    """The picked sentences apart from the quote: a long report section often holds the asked figure a few
    sentences from the one scored best (dev: 10 of the 47 answers missing their fact had it so, within 0.6 of the
    best). Further sections keep one stretch each, so an answer citing several stays short."""
    if not lo <= best.index <= hi:  # the quote moved to a reason sentence (`_with_reason`): it stands alone
        return ()
    room = max_sentences - (hi - lo + 1)
    near = sorted((mine[i] for i in picked if not lo - 1 <= i <= hi + 1), key=lambda u: -u.score)
    return tuple((u.span.start, u.span.end) for u in near[:max(room, 0)])


def _with_reason(question: Question, mine: dict[int, ScoredSentence], lo: int, hi: int) -> tuple[int, int]:
    """A why-question whose quote states no cause or purpose is answered by the sentence of the section that does.
    Reports give the cause next to the measure ("…但也面临库存大幅增加、市场价格下跌等问题。要…适当调减玉米种植
    面积。", dev rc-019), which is then quoted with it; or they explain a figure further on, naming it again ("今年预期
    目标设定为6%以上，考虑了经济运行恢复情况", dev ra-085), which is then quoted instead. Either shares few of the
    question's words, so it scores far below the measure or the figure."""
    if not cues.ASKS_REASON.search(question.text):
        return lo, hi
    quoted = [mine[i].span.text for i in range(lo, hi + 1) if i in mine]
    if any(cues.STATES_REASON.search(text) for text in quoted):
        return lo, hi
    stating = [u for u in (mine.get(lo - 1), mine.get(hi + 1)) if u is not None and cues.STATES_REASON.search(u.span.text)]
    if stating:
        u = max(stating, key=lambda s: s.score)
        new_lo, new_hi = min(lo, u.index), max(hi, u.index)
        if mine[new_hi].span.end - mine[new_lo].span.start <= MAX_PASSAGE_CHARS:
            return new_lo, new_hi
    figures = {f for text in quoted for f in _FIGURE.findall(text)}
    naming = [u for i, u in mine.items() if not lo <= i <= hi and cues.STATES_REASON.search(u.span.text)
              and figures.intersection(_FIGURE.findall(u.span.text))]
    if naming:
        u = max(naming, key=lambda s: s.score)
        return u.index, u.index
    return lo, hi


def _with_body(section: Section, mine: dict[int, ScoredSentence], lo: int, hi: int) -> tuple[int, int]:
    """A quote that is only a paragraph's lead ("——生态环境明显改善。", "加快农业结构调整。": short, no figure) names
    a topic and says nothing of it; the paragraph's next sentence is quoted with it (dev rb-048, rb-057)."""
    lead = mine[lo]
    if lo != hi or len(lead.span.text) > LEAD_CHARS or _NUMBER.search(lead.span.text):
        return lo, hi
    body = mine.get(hi + 1)
    if not starts_paragraph(section.text, lead.span.start) or body is None or starts_paragraph(section.text, body.span.start):
        return lo, hi
    return lo, hi + 1


def select(question: Question, ranked: Ranked, scorer: SentenceScorer, model: AnswererModel | None = None) -> list[Passage]:
    """The passages to quote: the best section's best sentences, plus every other section whose best sentence the
    fitted model finds nearly as likely to answer (an answer spread over several sections cites each)."""
    model = model or load_model()
    top = ranked.top
    if top is None:
        return []
    per_section = 3 if (question.wants(LIST) or question.wants(HOW)) else 2
    chosen = [_passage(question, scorer, ranked, top, per_section, model.neighbor_margin, apart=True)]
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
            chosen.append(_passage(question, scorer, ranked, u, per_section, model.neighbor_margin,
                                   apart=model.apart_further))
    return chosen


def _adds_something(question: Question, scorer: SentenceScorer, chosen: list[Passage], candidate: ScoredSentence) -> bool:
    """A further section is cited only when it brings a key term of the question the chosen quotes lack."""
    have = "".join(p.quote for p in chosen).lower()
    text = candidate.span.text.lower()
    return any(
        t.lower() in text and t.lower() not in have and scorer.idf(t) > 1.0
        for g in question.groups for t in ([g] if isinstance(g, str) else g)
    )
