"""The answerer's fitted decisions (sentence scores, refusal, extra sections), read from answerer_model.json."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .features import EXTRA_FEATURES, REFUSAL_FEATURES, SENTENCE_FEATURES

__all__ = ["AnswererModel", "LinearModel", "MODEL_FILE", "load_model"]

MODEL_FILE = Path(__file__).resolve().parent / "answerer_model.json"  # written by `python -m bench.fit_answerer`


@dataclass(frozen=True)
class LinearModel:
    """A logistic regression over standardized features: logit = ((x - mean) / scale) . weights + bias."""

    features: tuple[str, ...]
    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray

    def logit(self, x: np.ndarray) -> np.ndarray:
        return ((np.asarray(x, dtype=np.float64) - self.mean) / self.scale) @ self.weights + self.bias

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logit(x)))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "weights": [round(float(w), 6) for w in self.weights],
            "bias": round(float(self.bias), 6),
            "mean": [round(float(m), 6) for m in self.mean],
            "scale": [round(float(s), 6) for s in self.scale],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], expected: tuple[str, ...]) -> "LinearModel":
        if tuple(data["features"]) != expected:
            raise ValueError(
                f"{MODEL_FILE.name} was fitted on other features ({data['features']}); refit it with "
                "`python -m bench.fit_answerer`."
            )
        return cls(expected, np.asarray(data["weights"], float), float(data["bias"]),
                   np.asarray(data["mean"], float), np.asarray(data["scale"], float))


@dataclass(frozen=True)
class AnswererModel:
    """Sentence scoring, the refusal decision and how many sections an answer quotes, as fitted on dev data."""

    sentence: LinearModel
    refusal: LinearModel
    answer_above: float  # P(answerable) at or above which the answerer answers
    extra_section: float  # P(a further section is one the answer needs) at or above which it is quoted
    max_sections: int  # most sections one answer quotes
    meta: dict[str, Any] = field(default_factory=dict)
    extra: LinearModel | None = None  # over EXTRA_FEATURES; None: the composer's hand-set margins decide
    # In sentence-score units: a sentence of a quoted section this close to its best one is quoted with it
    # (`bench.fit_answerer` chooses it by cross-validation; 0.6 is the hand-set answerer's).
    neighbor_margin: float = 0.6
    apart_further: bool = False  # further sections also quote sentences apart from their best one (fitted with it)

    def to_json(self) -> dict[str, Any]:
        return {
            "sentence": self.sentence.to_json(),
            "refusal": self.refusal.to_json(),
            "answer_above": self.answer_above,
            "extra_section": self.extra_section,
            "max_sections": self.max_sections,
            "neighbor_margin": self.neighbor_margin,
            "apart_further": self.apart_further,
            "meta": self.meta,
            **({"extra": self.extra.to_json()} if self.extra is not None else {}),
        }

    def save(self, path: Path = MODEL_FILE) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _bootstrap() -> AnswererModel:
    """Hand weights close to the answerer before fitting: what `bench.fit_answerer` starts from."""
    w = dict.fromkeys(SENTENCE_FEATURES, 0.0)
    w.update(dense=1.0, lexical=0.2, phrase=0.02, title=0.02, prior=0.01, english_prior=0.03, number_cue=0.02)
    n = len(SENTENCE_FEATURES)
    sentence = LinearModel(SENTENCE_FEATURES, np.array([w[f] for f in SENTENCE_FEATURES]) * 40, -34.0, np.zeros(n), np.ones(n))
    r = dict.fromkeys(REFUSAL_FEATURES, 0.0)
    r.update(top_dense=40.0, place_absent=-20.0, quoted_absent=-20.0, missing_kind=-20.0, missing_unit=-20.0)
    m = len(REFUSAL_FEATURES)
    refusal = LinearModel(REFUSAL_FEATURES, np.array([r[f] for f in REFUSAL_FEATURES]), -33.6, np.zeros(m), np.ones(m))
    return AnswererModel(sentence, refusal, 0.5, 0.8, 2, {"fitted": False})


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> AnswererModel:
    """The fitted model shipped with the package; the hand-set bootstrap when none has been fitted yet."""
    if not path.is_file():
        return _bootstrap()
    data = json.loads(path.read_text(encoding="utf-8"))
    return AnswererModel(
        LinearModel.from_json(data["sentence"], SENTENCE_FEATURES),
        LinearModel.from_json(data["refusal"], REFUSAL_FEATURES),
        float(data["answer_above"]),
        float(data["extra_section"]),
        int(data["max_sections"]),
        dict(data.get("meta") or {}),
        LinearModel.from_json(data["extra"], EXTRA_FEATURES) if "extra" in data else None,
        float(data.get("neighbor_margin", AnswererModel.neighbor_margin)),
        bool(data.get("apart_further", AnswererModel.apart_further)),
    )
