"""Splits the suite's question sets once into dev and test: a fixed seed, whole conversations together, balanced by kind.

Run once, when the questions are written (`python tests/data/eval/split.py FILE ...`): it writes `split: dev|test`
under each entry's id and refuses a file that already has a split, so the split is never redrawn.
"""
from __future__ import annotations

import random
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

SEED = 20261129


def kind(entries: list[dict]) -> str:
    """The stratum of a group of entries (a conversation or one question): what it mainly tests."""
    tags = {t for e in entries for t in e.get("tags") or ()}
    if "compare" in tags:
        return "compare"
    if len(entries) > 1 or "followup" in tags:
        return "conversation"
    e = entries[0]
    if not e.get("answerable", True):
        return f"unanswerable-{e.get('lang')}"
    if "multi" in tags:
        return "multi"
    return f"answerable-{e.get('lang')}"


def split(paths: list[Path]) -> dict[str, str]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s+split:", text, re.M):
            raise SystemExit(f"{path} is already split; the split is made once.")
        for e in yaml.safe_load(text):
            groups[e.get("conv") or e["id"]].append(e)
    strata: dict[str, list[str]] = defaultdict(list)
    for key, entries in sorted(groups.items()):
        strata[kind(entries)].append(key)
    rng = random.Random(SEED)
    assignment: dict[str, str] = {}
    flip = 0
    for name in sorted(strata):
        keys = strata[name]
        rng.shuffle(keys)
        for i, key in enumerate(keys):
            which = "dev" if (i + flip) % 2 == 0 else "test"
            for e in groups[key]:
                assignment[e["id"]] = which
        flip += len(keys)  # odd strata alternate which split gets the extra group
    return assignment


def write(paths: list[Path], assignment: dict[str, str]) -> None:
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        out = []
        for line in lines:
            out.append(line)
            m = re.match(r"^(\s*)- id:\s*(\S+)", line)
            if m:
                out.append(f"{m.group(1)}  split: {assignment[m.group(2).strip(chr(34) + chr(39))]}\n")
        path.write_text("".join(out), encoding="utf-8")


if __name__ == "__main__":
    files = [Path(p) for p in sys.argv[1:]]
    a = split(files)
    write(files, a)
    print(f"{sum(v == 'dev' for v in a.values())} dev, {sum(v == 'test' for v in a.values())} test")
