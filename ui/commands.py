"""The `plan-assistant` subcommands (index, sections, search, ask, serve, targets, plans, remove, eval, llm-server)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from index import Settings

__all__ = [
    "cmd_ask", "cmd_eval", "cmd_index", "cmd_llm_server", "cmd_plans", "cmd_remove", "cmd_search", "cmd_sections",
    "cmd_serve", "cmd_targets",
]


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        home=Path(args.home) if getattr(args, "home", None) else None,
        chroma_url=getattr(args, "chroma_url", None),
    )


def _preload(settings: Settings) -> None:
    """Start loading the embedding model on a thread of its own before Chroma is imported: the two overlap."""
    from index.embedder_cache import preload

    preload(settings.model_path, settings.embed_precision, settings.embed_runtime)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_index(args: argparse.Namespace) -> int:
    # No preload: sections embedded before (another home, --rebuild) come from the vector cache without the model.
    from index import PlanIndex

    settings = _settings(args)
    plans = [Path(p) for p in args.plan] if args.plan else ([] if args.rebuild else list(settings.plans))
    if args.name and len(plans) != 1:
        raise ValueError("--name names one plan: give exactly one --plan FILE with it")
    from index.recovery import STORED
    idx = PlanIndex(settings)
    names = [args.name] if args.name else None
    if args.rebuild:  # every plan the index holds, and the files given
        report = idx.rebuild(plans, names=names, progress=_progress)
    else:
        report = idx.build(plans, names=names, progress=_progress)
    for name, counts in report.plans.items():
        origin = report.origins.get(name)
        whence = ""
        if report.rebuilt and origin:
            whence = ", from the stored text" if origin == STORED else f", from {origin}"
        print(
            f"{name}: {counts['sections']} sections ({counts['embedded']} embedded, "
            f"{counts['unchanged']} unchanged, {counts['removed']} removed){whence}"
        )
    for lost in report.lost:
        print(
            f"plan-assistant: warning: {lost.name} could not be recovered: {lost.note}. It is not in the rebuilt "
            f"index; index its file again: `plan-assistant index --plan FILE --name {lost.name}`.",
            file=sys.stderr,
        )
    if report.unknown:
        print(
            f"plan-assistant: warning: the plans the index held could not be listed ({report.unknown}); "
            "only the plans given or the default ones were indexed. Add any others with `plan-assistant index --plan FILE`.",
            file=sys.stderr,
        )
    print(f"index ready in {report.seconds:.1f}s at {settings.chroma_url or settings.chroma_dir}")
    return 1 if report.lost else 0


def _progress(plan: str, done: int, total: int) -> None:
    """Embedding progress on stderr, for plans big enough to take a while."""
    from index.building import EMBED_BATCH  # loaded by now: the build calls this

    if total > EMBED_BATCH:
        end = "\n" if done >= total or not sys.stderr.isatty() else ""
        print(f"\r{plan}: {done}/{total} sections embedded", end=end, file=sys.stderr, flush=True)


def cmd_sections(args: argparse.Namespace) -> int:
    from index import PlanIndex

    idx = PlanIndex.open(_settings(args), preload=False)
    sections = idx.sections(args.plan)
    if args.json:
        _print_json(
            [{"id": idx.citation_id(s), "title": s.title, "path": list(s.path), "text": s.text} for s in sections]
        )
        return 0
    depth = {(s.plan, s.id): 0 for s in sections}
    for s in sections:
        if (s.plan, s.parent_id) in depth:
            depth[s.plan, s.id] = depth[s.plan, s.parent_id] + 1
        print(f"{'  ' * depth[s.plan, s.id]}{idx.citation_id(s)}  {s.title}")
    return 0


def _require_text(text: str, what: str = "question") -> str:
    if not (text or "").strip():
        raise ValueError(f"The {what} is empty: type a question about the plan.")
    return text


def cmd_search(args: argparse.Namespace) -> int:
    _require_text(args.query, "query")
    settings = _settings(args)
    _preload(settings)
    from index import PlanIndex

    idx = PlanIndex.open(settings, preload=False)
    hits = idx.search(args.query, k=args.k, plan=args.plan)
    if args.json:
        _print_json(
            {
                "query": args.query,
                "results": [
                    {"id": idx.citation_id(h.section), "title": h.section.title, "score": round(h.score, 4), "text": h.section.text}
                    for h in hits
                ],
            }
        )
        return 0
    for rank, h in enumerate(hits, 1):
        print(f"{rank}. [{idx.citation_id(h.section)}] {h.section.title}  ({h.score:.3f})")
        print(f"   {h.section.text[:160]}{'…' if len(h.section.text) > 160 else ''}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    _require_text(args.question)
    settings = _settings(args)
    _preload(settings)
    from assistant import PlanAssistant

    pa = PlanAssistant.open(settings)
    answer = pa.ask(args.question, history=[], plan=args.plan, mode=args.mode)
    if args.json:
        _print_json(answer.to_json())
        return 0
    if answer.rewritten_question and answer.rewritten_question != answer.question:
        print(f"(searched: {answer.rewritten_question})")
    print(answer.text)
    if answer.citations:
        print()
        for c in answer.citations:
            print(f"[{c.id}] {c.title}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from ui.startup import launch_options
    from ui.worker import AnswerWorker

    settings = _settings(args)
    settings = settings.with_(
        host=args.host or settings.host,
        port=args.port or settings.port,
        ui_language=args.lang or settings.ui_language,
    )
    launch_options(settings)  # a missing login fails before the slow start
    # The answerer opens and warms up in a worker process while this one imports gradio and builds the page:
    # two cores instead of one, the first answer ~3 s sooner (ui/worker.py).
    worker = AnswerWorker(settings)
    from ui.web import serve

    try:
        serve(settings, worker.assistant())
    finally:
        worker.close()
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from index import PlanIndex
    from index.metrics import metrics_json

    idx = PlanIndex.open(_settings(args))
    metrics = idx.metrics(args.plan or None)
    if args.json:
        _print_json(metrics_json(metrics))
        return 0
    periods = {p.plan: p for p in idx.periods()}
    for m in metrics:
        print(f"{m.metric} ({m.unit})")
        for c in m.cells:
            print(f"  {periods[c.plan].label if c.plan in periods else c.plan}\t{c.value}\t[{c.plan}:{c.section_id}]\t{c.quote[:80]}")
    if not metrics:
        print("no figure is shared by two of these documents" if len(args.plan or idx.plan_names()) > 1 else "no figures found")
    return 0


def cmd_plans(args: argparse.Namespace) -> int:
    from index import PlanIndex

    infos = PlanIndex.open(_settings(args), build=False, preload=False).plans()
    if args.json:
        _print_json([info.__dict__ for info in infos])
        return 0
    for info in infos:
        print(f"{info.name}\t{info.sections} sections\tindexed {info.indexed_at}\t{info.title}")
    if not infos:
        print("no plans indexed yet: run `plan-assistant index`")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from index import PlanIndex

    n = PlanIndex.open(_settings(args), build=False, preload=False).remove(args.name)
    print(f"removed {args.name} ({n} sections)")
    return 0


def cmd_llm_server(args: argparse.Namespace) -> int:
    from assistant.local_llm import serve as serve_llm

    return serve_llm(args)


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant import PlanAssistant
    from assistant.eval_questions import load_questions
    from assistant.eval_report import render_table
    from assistant.evaluation import evaluate
    from index import PlanIndex

    settings = _settings(args)
    settings = settings.with_(retriever=args.retriever or settings.retriever)
    if not args.set:
        return _eval_suite(args, settings)
    path = Path(args.set)
    questions = load_questions(path)
    idx = PlanIndex.open(settings)
    assistant = None if args.search_only else PlanAssistant(idx)
    report = evaluate(idx, questions, assistant=assistant, question_set=str(path), progress=_eval_progress)
    print(report.dumps() if args.json else render_table(report))
    return 0


def _eval_progress(n: int, total: int, qid: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{n}/{total} {qid}", end="\n" if n == total else "", file=sys.stderr, flush=True)


def _eval_suite(args: argparse.Namespace, settings: Settings) -> int:
    """The fixed set on the user's index, and the suite's dev and test splits on its own documents, side by side."""
    from assistant import PlanAssistant
    from assistant.eval_questions import DEFAULT_SET, SUITE, load_questions, load_suite, open_suite_index
    from assistant.eval_report import column, render_columns
    from assistant.evaluation import evaluate
    from index import PlanIndex

    suite = load_suite(args.suite or SUITE)
    columns: dict[str, dict] = {}
    reports: dict[str, dict] = {}
    if not args.no_fixed:
        idx = PlanIndex.open(settings)
        fixed = load_questions(DEFAULT_SET)
        report = evaluate(idx, fixed, assistant=PlanAssistant(idx), question_set=str(DEFAULT_SET), progress=_eval_progress)
        columns["fixed"] = column(report, fixed, lambda q: True)
        reports["fixed"] = report.to_json()
    suite_idx = open_suite_index(settings, suite, _progress)
    questions = suite.questions()
    report = evaluate(suite_idx, questions, assistant=PlanAssistant(suite_idx), question_set=str(suite.path), progress=_eval_progress)
    for split in ("dev", "test"):
        columns[split] = column(report, questions, lambda q, split=split: q.split == split)
    reports["suite"] = report.to_json()
    if args.json:
        _print_json({"columns": columns, "reports": reports})
    else:
        print(render_columns(columns, f"suite: {suite.path} ({len(questions)} questions); fixed: {DEFAULT_SET}"))
    return 0
