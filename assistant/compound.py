"""Questions that ask several things at once ("去年降了多少，今年要降多少？"): split into parts, answers joined."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from .cues import ASKS_SOMETHING_ZH, BACK_REFERENCE_ZH, NEXT_QUESTION_EN, OPENER_ZH, STARTS_QUESTION_EN
from .records import Answer, Citation
from .terms import is_english

__all__ = ["join_answers", "split_question"]

MAX_PARTS = 4  # more clauses than this read as one long question, not as several asked one by one
MIN_WORDS_EN = 4  # "Which industries and which regions …": a shorter English part is a phrase of one question

_CLAUSE_ZH = re.compile(r"[？?；;！!。：:，,、]")


def split_question(text: str) -> list[str]:
    """The parts of a question asking several things, each readable alone; [] when it asks one thing."""
    parts = _split_english(text) if is_english(text) else _split_chinese(text)
    return parts if 2 <= len(parts) <= MAX_PARTS else []


# "诺奖科学家实验室和海外创新中心各要建多少个？": things joined by 和 / 与 / 及 / 、 with 各 or 分别 after them ask the
# predicate of each one. Each thing is a phrase of 2-12 characters without digits (years joined so are documents to
# compare: assistant/comparison.py) and without a question word; the clause opens with the first thing (a clause
# opening 其中 / 那 points back, and is one question about what it points at).
_EACH_OF = re.compile(r"^(?P<things>[^和与及、]{2,12}(?:[和与及、][^和与及、]{2,12}){1,3})(?:各自|各|分别)(?P<rest>.+)$")


def _only_ne(clause: str) -> bool:
    """Does the clause ask nothing but by its closing 呢 ("那退休人员的基本养老金呢")?"""
    return clause.endswith("呢") and not ASKS_SOMETHING_ZH.search(clause[:-1])


def _split_each(clause: str) -> list[str]:
    """The clause asked of each thing it joins before 各 / 分别 (see _EACH_OF); [] when it joins none."""
    m = _EACH_OF.match(clause)
    if not m or OPENER_ZH.match(clause) or BACK_REFERENCE_ZH.match(clause):
        return []
    things = re.split(r"[和与及、]", m["things"])
    if any(re.search(r"[0-9０-９年]", t) or ASKS_SOMETHING_ZH.search(t) for t in things):
        return []
    return [t + m["rest"] for t in things] if ASKS_SOMETHING_ZH.search(m["rest"]) else []


def _split_chinese(text: str) -> list[str]:
    phrases = [c.strip() for c in re.split(r"[？?；;！!。：:，,]", text) if c.strip()]
    asking = [bool(ASKS_SOMETHING_ZH.search(c)) for c in phrases]
    if sum(asking) == 1 and (each := _split_each(phrases[asking.index(True)])):
        at = asking.index(True)
        return ["，".join([*phrases[:at], part, *phrases[at + 1 :]]) + "？" for part in each]
    clauses = [c.strip() for c in _CLAUSE_ZH.split(text) if c.strip()]
    asking = [bool(ASKS_SOMETHING_ZH.search(c)) for c in clauses]
    # "那退休人员的基本养老金呢，涨几个点？": a clause asking nothing but its closing 呢 names the topic of the next
    # question; it is no question of its own (dev rc-022 was asked "那退休人员的基本养老金呢？" and "那涨几个点？").
    asking = [a and not (_only_ne(c) and i + 1 < len(clauses) and asking[i + 1] and not _only_ne(clauses[i + 1]))
              for i, (c, a) in enumerate(zip(clauses, asking))]
    if sum(asking) < 2:
        return []
    # Clauses before the first question are the topic every part is about ("养老保险方面，去年做成了什么、…");
    # a clause between two questions leads into the next one, and a clause after the last one ends it.
    first = asking.index(True)
    topic = "，".join(clauses[:first])
    parts: list[list[str]] = []
    lead: list[str] = []
    for clause, asks in zip(clauses[first:], asking[first:]):
        if asks:
            parts.append([*lead, clause])
            lead = []
        else:
            lead.append(clause)
    if lead:
        parts[-1].extend(lead)
    if topic:
        return ["，".join([topic, *p]) + "？" for p in parts]
    # A later part leans on the first ("今年还要再压多少？"): 那 marks it as the follow-up it is.
    return ["，".join(p) + "？" if n == 0 or OPENER_ZH.match(p[0]) else "那" + "，".join(p) + "？"
            for n, p in enumerate(parts)]


def _split_english(text: str) -> list[str]:
    pieces = [p.strip(" ,;?") for p in NEXT_QUESTION_EN.split(text.strip())]
    pieces = [p for p in pieces if p]
    # Pieces before the first one asking something are the topic every part is about ("In the 2017 report, how
    # many …": one question, dev ra-054); a later piece asking nothing ends the one before it.
    asking = [bool(STARTS_QUESTION_EN.match(p)) for p in pieces]
    if sum(asking) < 2:
        return []
    first = asking.index(True)
    topic = ", ".join(pieces[:first])
    parts: list[str] = []
    for piece, asks in zip(pieces[first:], asking[first:]):
        if asks:
            parts.append(piece)
        else:
            parts[-1] = f"{parts[-1]}, {piece}"
    if any(len(p.split()) < MIN_WORDS_EN for p in parts):
        return []
    if topic:
        return [f"{topic[0].upper() + topic[1:]}, {p[0].lower() + p[1:]}?" for p in parts]
    # A later part leans on the first ("… jobs were created, and what is the target for 2021?"): "And" marks it
    # as the follow-up it is.
    return [parts[0][0].upper() + parts[0][1:] + "?"] + [f"And {p[0].lower() + p[1:]}?" for p in parts[1:]]


def join_answers(question: str, parts: Sequence[str], answers: Sequence[Answer]) -> Answer:
    """One answer of the parts' answers, each under its part; answerable when any part is."""
    english = is_english(question)
    blocks = [f"({n}) {part}\n{a.text}" if english else f"（{n}）{part}\n{a.text}"
              for n, (part, a) in enumerate(zip(parts, answers), 1)]
    answerable = any(a.answerable for a in answers)
    citations = _merged([c for a in answers for c in a.citations])
    related = [] if answerable else _merged([c for a in answers for c in a.related])
    return Answer(
        question=question,
        text="\n\n".join(blocks),
        citations=citations,
        answerable=answerable,
        rewritten_question=question,
        related=related,
        mode="offline",
        notes=list(dict.fromkeys(n for a in answers for n in a.notes)),
        verification={"offline": {
            "reason": "" if answerable else "parts",
            "parts": [{"question": p, "rewritten": a.rewritten_question, "answerable": a.answerable,
                       **a.verification.get("offline", {})} for p, a in zip(parts, answers)],
        }},
    )


def _merged(citations: Sequence[Citation]) -> list[Citation]:
    """One citation per section, in first-cited order; two parts quoting it differently keep both quotes."""
    out: dict[tuple[str, str], Citation] = {}
    for c in citations:
        key = (c.plan, c.id)
        if key not in out:
            out[key] = c
        elif c.quote not in out[key].quote:
            out[key] = replace(out[key], quote=f"{out[key].quote}……{c.quote}")
    return list(out.values())
