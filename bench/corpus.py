"""Synthetic plans for scale tests: the real plan's clauses recombined, in the plan's numbering, parsed by the real parser.

`python -m bench.corpus --sections 10000 --out DIR` writes DIR/synthetic-0001.txt … (at most --per-plan sections
each, as an office's many plans would be) and checks that `load_plan` finds exactly the sections it wrote.
"""
from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass
from pathlib import Path

from index import DEFAULT_PLAN, load_plan
from index.numbering import classify as _classify

_CN_DIGITS = "零一二三四五六七八九"
ITEMS_PER_PROJECT = 6  # main items under each (一) project
BOX_ITEMS = 3  # inline items in the box (专栏) that closes each project
PROJECTS_PER_CHAPTER = 4


def cn_number(n: int) -> str:
    """1..99 as the plan writes chapter numbers: 一, 十, 十一, 二十三."""
    if not 0 < n < 100:
        raise ValueError(f"{n} is outside 1..99")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


@dataclass
class Vocabulary:
    """Clauses and short titles taken from a real plan, to be recombined into new plan text."""

    clauses: list[str]
    titles: list[str]

    @classmethod
    def from_plan(cls, path: Path = DEFAULT_PLAN) -> "Vocabulary":
        plan = load_plan(path)
        clauses: list[str] = []
        for s in plan.sections:
            for sentence in re.split(r"[。；;！？\n]", s.body):
                for clause in re.split(r"[，,]", sentence):
                    clause = clause.strip()
                    # A clause that starts like a heading would change the outline it lands in.
                    if 4 <= len(clause) <= 40 and _classify(clause) is None:
                        clauses.append(clause)
        titles = [s.title for s in plan.sections if 2 <= len(s.title) <= 16 and _classify(s.title) is None]
        return cls(sorted(set(clauses)), sorted(set(titles)))

    def sentence(self, rng: random.Random) -> str:
        return "，".join(rng.sample(self.clauses, rng.randint(2, 4))) + "。"

    def paragraph(self, rng: random.Random, lo: int = 1, hi: int = 3) -> str:
        return "".join(self.sentence(rng) for _ in range(rng.randint(lo, hi)))

    def title(self, rng: random.Random) -> str:
        return rng.choice(self.titles)


def plan_text(n_sections: int, vocab: Vocabulary, rng: random.Random, number: int) -> str:
    """Plan text with exactly n_sections numbered sections: chapters of projects of items, each project closed by a box."""
    lines = [f"某市科技创新专项规划（第{number}号）", "", "发布日期：2021年6月30日", ""]
    count, chapter, box = 0, 0, 0

    def room() -> int:
        return n_sections - count

    while room() > 0:
        chapter += 1
        lines += [f"{cn_number(chapter)}、{vocab.title(rng)}", "", vocab.paragraph(rng), ""]
        count += 1
        item = 0
        for project in range(1, PROJECTS_PER_CHAPTER + 1):
            if room() <= 0:
                break
            lines += [f"({cn_number(project)}){vocab.title(rng).removesuffix('工程')}工程", "", vocab.paragraph(rng), ""]
            count += 1
            for _ in range(min(ITEMS_PER_PROJECT, room())):
                item += 1  # item numbers run on across projects, as in the real plan
                lines += [f"{item}. {vocab.title(rng)}", "", vocab.paragraph(rng, 2, 4), ""]
                count += 1
            if room() >= 2:
                box += 1
                lines += [f"专栏{box} {vocab.title(rng).removesuffix('计划')}计划", ""]
                count += 1
                for b in range(1, min(BOX_ITEMS, room()) + 1):
                    lines += [f"{b}. {vocab.title(rng)}。{vocab.paragraph(rng, 1, 2)}", ""]
                    count += 1
    return "\n".join(lines)


def write_corpus(n_sections: int, out: Path, *, per_plan: int = 1000, seed: int = 13, check: bool = True) -> list[Path]:
    """Write plans totalling n_sections sections into `out`; returns the files. `check` parses each back."""
    out.mkdir(parents=True, exist_ok=True)
    vocab = Vocabulary.from_plan()
    rng = random.Random(seed)
    files: list[Path] = []
    left, number = n_sections, 0
    while left > 0:
        number += 1
        size = min(per_plan, left)
        path = out / f"synthetic-{number:04d}.txt"
        path.write_text(plan_text(size, vocab, rng, number), encoding="utf-8")
        if check:
            parsed = len(load_plan(path).sections)
            if parsed != size:
                raise AssertionError(f"{path}: wrote {size} sections but the parser found {parsed}")
        files.append(path)
        left -= size
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sections", type=int, default=1000)
    ap.add_argument("--per-plan", type=int, default=1000, help="sections per plan file")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    files = write_corpus(args.sections, args.out, per_plan=args.per_plan, seed=args.seed)
    print(f"wrote {len(files)} plan files with {args.sections} sections to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
