"""Questions about a document's structure ("专栏12有哪些内容？", "What is box 13 called?"): named sections and their parts."""
from __future__ import annotations

import re
from collections.abc import Sequence

from index import Section

from .cues import ASKS_NAME, ASKS_PARTS, STRUCTURE_WORDS
from .passages import Evidence, Passage, quotable_sentences
from .question import Question
from .section_refs import without_items
from .sentences import split_clauses
from .terms import content_terms

# -- questions about the plan's structure ("专栏12有哪些内容？", "第18条讲什么？", "What is box 13 called?") --------

_MARKER_NUMBER = re.compile(r"[0-9０-９]+|[一二两三四五六七八九十百〇零]+")


def _marker_number(section: Section) -> str:
    m = _MARKER_NUMBER.search(section.marker or "")
    return m.group() if m else ""


def find_referenced(refs: Sequence, sections: Sequence[Section]) -> tuple[list[Section], list]:
    """The sections a question names by number, and the references that name no section of the plan."""
    from .section_refs import LAST, chinese_numeral, numeral_value

    found: list[Section] = []
    unknown = []
    for ref in refs:
        hits: list[Section] = []
        if ref.kind == "id":
            from index.sections import normalize_id

            want = normalize_id(str(ref.number))
            hits = [s for s in sections if s.id == want]
        elif ref.kind == "box":
            names = {f"专栏{ref.number}", f"专栏{chinese_numeral(int(ref.number))}"}
            if ref.item == LAST:  # "专栏11最后一项": the box's item with the highest number
                items = [s for s in sections if s.parent_id in names and s.kind == "box_item"]
                names = {max(items, key=lambda s: numeral_value(s.id.rsplit(".", 1)[-1]) or 0).id} if items else set()
            elif ref.item is not None:
                names = {f"{n}.{ref.item}" for n in names}
            hits = [s for s in sections if s.id in names]
        elif ref.kind == "item":
            hits = [s for s in sections if s.kind == "item" and numeral_value(_marker_number(s) or "x") == ref.number]
        elif ref.kind == "project":
            hits = [s for s in sections if s.kind == "project" and _marker_number(s) == ref.number]
        elif ref.kind == "chapter":
            hits = [
                s for s in sections
                if s.kind in ("chapter", "part") and numeral_value(_marker_number(s) or "x") == ref.number
            ]
        if hits:
            found.extend(h for h in hits[:3] if h not in found)
        else:
            unknown.append(ref)
    return found, unknown


def remaining_terms(question: Question, named: Sequence[Section]) -> list[str]:
    """The question's key terms once section numbers, structure words and the named sections' titles are gone."""
    text = question.text
    for ref in question.refs:
        text = text.replace(ref.text, " ")
    for plan in {s.plan for s in named}:  # a follow-up's context "(plan-name:专栏11.6: 标题)" names no topic
        text = text.replace(f"{plan}:", " ")
    titles = " ".join(s.title for s in named)
    return [t for t in content_terms(without_items(text)) if t not in STRUCTURE_WORDS and t not in titles and not t.isdigit()]


def wants_name(question: Question) -> bool:
    return bool(ASKS_NAME.search(question.text))


def wants_children(question: Question) -> bool:
    return bool(ASKS_PARTS.search(question.text))


def lead_passage(evidence: Evidence, max_chars: int = 90, max_sentences: int = 2) -> Passage:
    """The opening of a section's own text (its first sentences, cut at a clause when long), for outlines."""
    section = evidence.section
    spans = quotable_sentences(section)
    first = spans[0]
    end, n = first.end, 1
    while n < max_sentences and n < len(spans) and spans[n].end - first.start <= max_chars:
        end = spans[n].end
        n += 1
    if end - first.start <= max_chars:
        return Passage(evidence, first.start, end, 1.0)
    clauses = split_clauses(section.text, first)
    cut = clauses[0].end
    for c in clauses[1:]:
        if c.end - first.start > max_chars:
            break
        cut = c.end
    return Passage(evidence, first.start, cut, 1.0, cut_after=cut < first.end)
