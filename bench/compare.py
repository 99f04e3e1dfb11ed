"""Comparative questions across documents: does each answer cite every document asked about, with the right figure?
And how long does grouping the seven reports' targets into metrics take?

Run: `python -m bench.compare [--set FILE ...] [--split dev|test|all] [--home DIR] [--show-failures]
[--json]` (default sets: tests/data/eval/compare.yaml and compare-b.yaml). The index holds the seven government work
reports (tests/data/corpora/gov-work-reports) and the bundled Shenzhen plan, as the question set assumes; it is built in --home (default: a cache folder kept between runs,
~/.cache/plan-assistant/bench-compare) when a document is missing there.

A question is right when, for every expected `PLAN:ID`, the answer cites that section and its text holds the
expected figure (`fact`, one per expected section). Also printed: the share of expected cells right, and citation
precision (cited sections that are expected).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETS = [ROOT / "tests" / "data" / "eval" / name for name in ("compare.yaml", "compare-b.yaml")]
REPORTS = ROOT / "tests" / "data" / "corpora" / "gov-work-reports"
DEFAULT_HOME = Path.home() / ".cache" / "plan-assistant" / "bench-compare"


def documents() -> list[Path]:
    return [*sorted(REPORTS.glob("government-work-report-*.txt")), ROOT / "index" / "plans" / "shenzhen-sti-13th-five-year-plan-E.txt"]


def load_sets(paths: list[Path], split: str) -> list[dict]:
    entries = [e for path in paths for e in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return [e for e in entries if split == "all" or e.get("split") == split]


def score(entry: dict, answer) -> dict:
    expected = list(entry["expected"])
    facts = entry.get("fact")
    facts = facts if isinstance(facts, list) else [facts] * len(expected)
    cited = [c.id for c in answer.citations]
    cells = []
    for sid, fact in zip(expected, facts):
        ok_cite = sid in cited
        ok_fact = fact is None or str(fact) in answer.text
        cells.append({"id": sid, "cited": ok_cite, "fact": ok_fact})
    right = sum(c["cited"] and c["fact"] for c in cells)
    return {
        "id": entry["id"],
        "split": entry.get("split", ""),
        "lang": entry.get("lang", ""),
        "correct": right == len(cells),
        "cells_right": right,
        "cells": len(cells),
        "precision": (sum(c in expected for c in cited) / len(cited)) if cited else None,
        "cited": cited,
        "misses": [c for c in cells if not (c["cited"] and c["fact"])],
    }


def summarise(rows: list[dict]) -> dict:
    if not rows:
        return {"n": 0}
    precisions = [r["precision"] for r in rows if r["precision"] is not None]
    return {
        "n": len(rows),
        "accuracy": round(sum(r["correct"] for r in rows) / len(rows), 3),
        "cells": round(sum(r["cells_right"] for r in rows) / sum(r["cells"] for r in rows), 3),
        "cite_precision": round(sum(precisions) / len(precisions), 3) if precisions else None,
    }


def run(question_sets: list[Path], split: str, home: Path) -> dict:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from assistant import PlanAssistant
    from index import PlanIndex, Settings

    settings = Settings.from_env({k: v for k, v in os.environ.items() if k != "PLAN_ASSISTANT_HOME"}, home=home)
    idx = PlanIndex(settings)
    files = documents()
    if set(idx.plan_names()) != {f.stem for f in files}:
        print(f"indexing {len(files)} documents into {home} (once)…", file=sys.stderr)
        idx.build(files)
    idx = PlanIndex.open(settings)
    idx.model  # noqa: B018 - loaded before timing the grouping
    idx.embed_query("热身")
    reports = [f.stem for f in files if f.stem.startswith("government-work-report")]
    started = time.perf_counter()
    table = idx.metrics(reports)
    build_s = time.perf_counter() - started
    pa = PlanAssistant(idx)
    rows, answers = [], {}
    for entry in load_sets(question_sets, split):
        t0 = time.perf_counter()
        answer = pa.ask(entry["question"], plan=entry.get("plan"))
        row = score(entry, answer)
        row["ms"] = round((time.perf_counter() - t0) * 1000, 1)
        rows.append(row)
        answers[entry["id"]] = answer.text
    splits = sorted({r["split"] for r in rows})
    return {
        "question_sets": [str(p) for p in question_sets],
        "targets_table_seconds": round(build_s, 2),
        "targets_table_rows": len(table),
        "load": os.getloadavg()[0],
        "all": summarise(rows),
        **{f"split:{s}": summarise([r for r in rows if r["split"] == s]) for s in splits if s},
        **{f"lang:{lang}": summarise([r for r in rows if r["lang"] == lang]) for lang in ("zh", "en")},
        "rows": rows,
        "answers": answers,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, nargs="+", default=DEFAULT_SETS, help="question files (default: both comparison sets)")
    parser.add_argument("--split", default="all", help="dev, test or all (default)")
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    parser.add_argument("--show-failures", action="store_true", help="print each wrong answer")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.set, args.split, args.home)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"targets table, seven reports: {report['targets_table_rows']} metrics in {report['targets_table_seconds']} s "
          f"(model loaded, phrase vectors cold; load {report['load']:.1f})")
    print(f"{'':10} {'n':>3} {'accuracy':>9} {'cells':>6} {'cite P':>7}")
    for key, s in report.items():
        if key == "all" or key.startswith(("split:", "lang:")):
            if s.get("n"):
                print(f"{key:10} {s['n']:>3} {s['accuracy']:>9.3f} {s['cells']:>6.3f} {s['cite_precision'] or 0:>7.3f}")
    if args.show_failures:
        for r in report["rows"]:
            if not r["correct"]:
                print(f"\n✗ {r['id']} misses {[(m['id'], 'cite' if not m['cited'] else 'fact') for m in r['misses']]}")
                print(report["answers"][r["id"]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
