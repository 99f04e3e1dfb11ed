"""Decides whether the documents answer a question, and if not, what is missing (the fitted refusal model)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .dating import no_year
from .features import REFUSAL_FEATURES, question_features
from .fitted import AnswererModel, load_model
from .question import NEEDS_EVIDENCE, Question
from .quotes import Ranked
from .sentence_scorer import ScoredSentence, SentenceScorer

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


def relevance(question: Question, unit: ScoredSentence) -> float:
    """How well the best sentence matches: its e5 cosine plus a fifth of its key-term share (a signal, not a rule)."""
    return unit.dense + 0.2 * unit.lexical


def refusal_features(question: Question, ranked: Ranked, scorer: SentenceScorer, in_scope: Callable[[str], bool],
                     place_absent: float, year_of: Callable[[str], int | None] = no_year) -> np.ndarray:
    """The REFUSAL_FEATURES row of a question (see assistant/features.py); `year_of`: a document's own year."""
    return question_features(
        question, ranked, in_scope=in_scope, idf=scorer.idf, max_idf=scorer.max_idf(),
        coverage=scorer.coverage(question, in_scope), place_absent=place_absent, year_of=year_of,
    )


# What a refusal names as missing, in the order it is told: the first signal that fired.
_REASONS = (("place_absent", "place"), ("year_absent", "year"), ("quoted_absent", "quoted"), ("missing_kind", "missing:kind"),
            ("missing_unit", "missing:count"), ("no_term_number", "missing:number"), ("no_subject_fact", "missing:number"),
            ("missing_per", "missing:per"),
            ("stance_conflict", "stance"), ("period_conflict", "period"))


def judge(
    question: Question,
    ranked: Ranked,
    scorer: SentenceScorer,
    *,
    in_scope: Callable[[str], bool] | None = None,
    place_absent: float = 0.0,
    year_of: Callable[[str], int | None] = no_year,
    model: AnswererModel | None = None,
) -> Verdict:
    """Answer or refuse, by the refusal model fitted on dev questions (`python -m bench.fit_answerer`)."""
    model = model or load_model()
    top = ranked.top
    if top is None:
        return Verdict(False, "not_found", probability=0.0)
    in_scope = in_scope or scorer.in_corpus
    x = refusal_features(question, ranked, scorer, in_scope, place_absent, year_of)
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
        return next((p for p in question.places if not in_scope(p)), next(iter(question.places), ""))
    if reason == "year":
        import re as _re

        return next((y for y in _re.findall(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])", question.text) if not in_scope(y)), "")
    if reason == "quoted":
        return next((t for t in question.quoted if not in_scope(t)), "")
    if reason == "missing:kind":
        return next((k for k in NEEDS_EVIDENCE if question.wants(k)), "")
    if reason == "missing:per":
        return "per"
    return ""
