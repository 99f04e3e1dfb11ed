"""Example questions for the chat, made from the loaded plan's own outline and targets (so every plan gets its own)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["example_questions"]

_COUNTABLE = set("个 家 名 位 项 所 座 条 台 套 支 种 类 件 批 户 人 次 场".split())
_OUTER_KINDS = ("part", "section", "chapter", "project")


def _count_question(targets: Sequence[Any]) -> str | None:
    """"柔性引进10名以上诺贝尔奖科学家" -> "柔性引进多少名诺贝尔奖科学家？"."""
    for tg in targets:
        unit = tg.unit[-1:] if tg.unit else ""
        clause = tg.clause
        if unit not in _COUNTABLE or tg.bound == "range" or clause.count(tg.text) != 1:
            continue
        if not 8 <= len(clause) <= 24 or any(ch.isdigit() for ch in clause.replace(tg.text, "")):
            continue
        return clause.replace(tg.text, f"多少{tg.unit}") + "？"
    return None


def _group_titles(sections: Sequence[Any]) -> list[str]:
    """Titles of headed groups (chapters, projects) below the outermost level, in order."""
    has_children = {s.parent_id for s in sections if s.parent_id}
    inner = [s for s in sections if s.id in has_children and s.kind in _OUTER_KINDS and s.parent_id]
    chosen = inner or [s for s in sections if s.id in has_children]
    return [s.title for s in chosen if 2 <= len(s.title) <= 20]


def example_questions(sections: Sequence[Any], targets: Sequence[Any], limit: int = 4) -> list[str]:
    """Two or three Chinese questions and two English ones about this plan."""
    titles = _group_titles(sections)
    zh: list[str] = []
    count = _count_question(targets)
    if count:
        zh.append(count)
    if titles:
        zh.append(f"{titles[0]}包括哪些重点任务？")
    en = ["What are the main projects of this plan?"]
    if len(titles) > 1:
        en.append(f"What does the plan say about {titles[1]}?")
    elif titles:
        en.append(f"What does the plan say about {titles[0]}?")
    questions = zh + en
    return questions[:limit]
