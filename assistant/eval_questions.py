"""Question sets for the evaluation: the fixed set and a suite's documents and split sets, read and checked."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

__all__ = [
    "DEFAULT_SET",
    "SUITE",
    "Suite",
    "load_suite",
    "open_suite_index",
    "EvalQuestion",
    "load_questions",
]


ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "tests" / "data" / "questions.yaml"  # the fixed set: one plan, a regression floor
SUITE = ROOT / "tests" / "data" / "eval" / "suite.yaml"  # the generalization suite: documents + split question sets


@dataclass(frozen=True)
class EvalQuestion:
    """One entry of a question set (schema: tests/data/README.md)."""

    id: str
    question: str
    lang: str
    tags: tuple[str, ...]
    expected: tuple[str, ...]
    match: str
    answerable: bool
    fact: str | None = None
    history: tuple[str, ...] = ()
    note: str = ""
    facts: tuple[str, ...] = ()  # every string a correct answer holds (`fact` as a list: one per needed section)
    plan: str | None = None  # the plan the asker selected (search and answer are limited to it)
    split: str = ""  # "dev" (tuned on) or "test" (reported only); "" in sets without a split
    conv: str = ""  # the conversation a turn belongs to

    @property
    def groups(self) -> list[str]:
        """The breakdown rows this question counts in: its tags and its language."""
        return [*self.tags, f"lang:{self.lang}"]


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Read and check a question set; a malformed entry is named with what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"No question set at {path}. Pass one with --set FILE (schema: tests/data/README.md).")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{path} must be a YAML list of questions (schema: tests/data/README.md).")
    questions, seen = [], set()
    for n, entry in enumerate(raw, 1):
        where = f"{path}: entry {n} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            raise ValueError(f"{where} is not a mapping")
        missing = [k for k in ("id", "question", "lang", "tags", "expected", "match", "answerable") if k not in entry]
        if missing:
            raise ValueError(f"{where} lacks {', '.join(missing)}")
        if entry["match"] not in ("any", "all"):
            raise ValueError(f"{where}: match must be any or all, not {entry['match']!r}")
        if entry["id"] in seen:
            raise ValueError(f"{where}: the id {entry['id']} is used twice")
        seen.add(entry["id"])
        questions.append(
            EvalQuestion(
                id=str(entry["id"]),
                question=str(entry["question"]),
                lang=str(entry["lang"]),
                tags=tuple(entry["tags"] or ()),
                expected=tuple(str(x) for x in entry["expected"] or ()),
                match=entry["match"],
                answerable=bool(entry["answerable"]),
                fact=_facts(entry)[0] if _facts(entry) else None,
                history=tuple(str(x) for x in entry.get("history") or ()),
                note=str(entry.get("note") or ""),
                facts=_facts(entry),
                plan=str(entry["plan"]) if entry.get("plan") else None,
                split=str(entry.get("split") or ""),
                conv=str(entry.get("conv") or ""),
            )
        )
    return questions


def _facts(entry: dict) -> tuple[str, ...]:
    fact = entry.get("fact")
    if fact is None:
        return ()
    return tuple(str(f) for f in fact) if isinstance(fact, list) else (str(fact),)


@dataclass(frozen=True)
class Suite:
    """A generalization suite: the documents indexed together, and question sets split once into dev and test."""

    path: Path
    documents: tuple[Path, ...]
    sets: tuple[Path, ...]

    def questions(self) -> list[EvalQuestion]:
        out: list[EvalQuestion] = []
        for path in self.sets:
            out.extend(load_questions(path))
        ids = [q.id for q in out]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.path}: question ids repeat across its sets")
        return out


SUITE_COLLECTION = "eval_suite"  # the suite's documents are indexed apart from the user's own plans


def open_suite_index(settings: Any, suite: Suite, progress: Callable[[str, int, int], None] | None = None) -> Any:
    """The suite's documents indexed together in their own collection (incremental: only changes are embedded;
    an interrupted build is finished)."""
    from index import PlanIndex

    idx = PlanIndex(settings.with_(collection=SUITE_COLLECTION))
    idx.build([str(d) for d in suite.documents], progress=progress)
    return idx


def load_suite(path: str | Path = SUITE) -> Suite:
    """Read a suite file: `documents` (plan files, relative to the repository) and `sets` (beside the suite)."""
    path = Path(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or "documents" not in raw or "sets" not in raw:
        raise ValueError(f"{path} must be a mapping with `documents` and `sets` (see tests/data/README.md).")
    docs = tuple((ROOT / d).resolve() for d in raw["documents"])
    missing = [str(d) for d in docs if not d.is_file()]
    if missing:
        raise ValueError(f"{path}: documents not found: {', '.join(missing)}")
    return Suite(path, docs, tuple((path.parent / s).resolve() for s in raw["sets"]))
