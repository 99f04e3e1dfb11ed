"""Choose the hybrid fusion (method, dense weight) by 5-fold cross-validation over the fixed question set.

Run: `python -m bench.tune_fusion [--set tests/data/questions.yaml] [--holdout bench/holdout_questions.yaml]
[--home DIR] [--json]`. Each question's dense and BM25 scores are computed once, then every (method, weight)
on a grid is ranked from them. For each fold the best setting on the other four folds ranks the held-out fold,
so the reported cross-validated figure is never scored by a weight fitted to the same questions. The setting
chosen on all questions is what `Settings.dense_weight` / `Settings.fusion` should say; the held-out set
(written before any tuning) is scored with it and reported separately.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from assistant.eval_questions import DEFAULT_SET, EvalQuestion, load_questions
from assistant.evaluation import SEARCH_DEPTH, QuestionResult, ranking_metrics
from index import PlanIndex, Settings

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = ROOT / "bench" / "holdout_questions.yaml"
WEIGHTS = [round(i * 0.05, 2) for i in range(21)]
METHODS = ("zscore", "minmax")
FOLDS = 5


def _tunable(questions: list[EvalQuestion]) -> list[EvalQuestion]:
    """Answerable questions asked on their own: a follow-up's search depends on the answerer's rewrite."""
    return [q for q in questions if q.expected and not q.history]


def _channels(idx: PlanIndex, questions: list[EvalQuestion]) -> dict[str, tuple[dict, dict]]:
    return {
        q.id: (idx.dense_scores(q.question, idx.settings.candidates), idx.lexical_scores(q.question))
        for q in questions
    }


def _score(idx, questions, channels, method: str, weight: float, routing: bool = True) -> dict[str, float]:
    results = []
    for q in questions:
        dense, lexical = channels[q.id]
        hits = idx.rank(q.question, dense, lexical, SEARCH_DEPTH, dense_weight=weight, method=method, routing=routing)
        results.append(QuestionResult(q.id, searched=q.question, ranked=[h.section.id for h in hits]))
    return ranking_metrics(results, {q.id: q for q in questions})


def _key(m: dict[str, float]) -> tuple[float, float]:
    return (m.get("mrr", 0.0), m.get("hit@1", 0.0))


def _best(idx, questions, channels) -> tuple[str, float]:
    grid = [(m, w) for m in METHODS for w in WEIGHTS]
    return max(grid, key=lambda mw: _key(_score(idx, questions, channels, *mw)))


def cross_validate(idx: PlanIndex, questions: list[EvalQuestion], channels) -> dict[str, Any]:
    """Pooled held-out-fold ranking figures, with the setting each fold chose."""
    from sklearn.model_selection import KFold

    ranked: list[QuestionResult] = []
    chosen = []
    for train, test in KFold(n_splits=FOLDS, shuffle=True, random_state=0).split(questions):
        method, weight = _best(idx, [questions[i] for i in train], channels)
        chosen.append({"method": method, "dense_weight": weight})
        for i in test:
            q = questions[i]
            dense, lexical = channels[q.id]
            hits = idx.rank(q.question, dense, lexical, SEARCH_DEPTH, dense_weight=weight, method=method)
            ranked.append(QuestionResult(q.id, searched=q.question, ranked=[h.section.id for h in hits]))
    return {"metrics": ranking_metrics(ranked, {q.id: q for q in questions}), "folds": chosen}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default=str(DEFAULT_SET))
    parser.add_argument("--holdout", default=str(HOLDOUT))
    parser.add_argument("--home", help="an index directory to reuse (default: a fresh temporary one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tune-") as tmp:
        settings = Settings.from_env({}, home=Path(args.home or tmp))
        idx = PlanIndex.open(settings)
        questions = _tunable(load_questions(args.set))
        holdout = _tunable(load_questions(args.holdout))
        channels = _channels(idx, questions)
        held_channels = _channels(idx, holdout)
        cv = cross_validate(idx, questions, channels)
        method, weight = _best(idx, questions, channels)
        report = {
            "questions": len(questions),
            "holdout_questions": len(holdout),
            "chosen": {"method": method, "dense_weight": weight},
            "cross_validated": cv,
            "fitted_on_all": _score(idx, questions, channels, method, weight),
            "holdout": _score(idx, holdout, held_channels, method, weight),
            "baselines": {
                "dense only": _score(idx, questions, channels, "zscore", 1.0, routing=False),
                "bm25 only": _score(idx, questions, channels, "zscore", 0.0, routing=False),
                "rrf": _score(idx, questions, channels, "rrf", 0.5, routing=False),
                "fused, no routing": _score(idx, questions, channels, method, weight, routing=False),
            },
            "holdout_baselines": {
                "dense only": _score(idx, holdout, held_channels, "zscore", 1.0, routing=False),
                "bm25 only": _score(idx, holdout, held_channels, "zscore", 0.0, routing=False),
                "rrf": _score(idx, holdout, held_channels, "rrf", 0.5, routing=False),
            },
            "curve": {
                m: {str(w): _score(idx, questions, channels, m, w)["mrr"] for w in WEIGHTS} for m in METHODS
            },
        }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    fmt = lambda m: "  ".join(f"{k} {v:.3f}" for k, v in m.items())  # noqa: E731
    print(f"{report['questions']} answerable questions ({FOLDS}-fold CV), {report['holdout_questions']} held out")
    print(f"chosen on all questions: {method}, dense_weight {weight}")
    print(f"cross-validated:        {fmt(cv['metrics'])}   (folds chose {cv['folds']})")
    print(f"fitted on all:          {fmt(report['fitted_on_all'])}")
    print(f"held-out set:           {fmt(report['holdout'])}")
    for name, m in report["baselines"].items():
        print(f"  {name:<18} {fmt(m)}")
    for name, m in report["holdout_baselines"].items():
        print(f"  held-out {name:<9} {fmt(m)}")
    for m, curve in report["curve"].items():
        print(f"  MRR by weight ({m}): " + " ".join(f"{w}:{v:.3f}" for w, v in curve.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
