"""Resolving the sections an earlier answer cited and a follow-up points at, and the outline around them."""
from __future__ import annotations

import re
from typing import Callable, Mapping, Sequence

from index import PlanIndex, Section

from .documents import Document
from .followup import Resolved
from .pointers import find_pointer


class SectionLookup:
    """Sections by what an answer showed of them (IDs, labels, "其中第二项"), and their parents, children and boxes."""

    def __init__(self, index: PlanIndex, documents: Callable[[], Mapping[str, Document]]) -> None:
        self.index = index
        self.documents = documents  # the loaded documents by plan name (DocumentScope.documents)

    def cited(self, ids: Sequence[str], plan: str | None) -> list[Section]:
        """The sections an earlier answer cited, by the IDs or labels (《2016年政府工作报告》三) it showed."""
        by_short = {d.short: name for name, d in self.documents().items()}
        out = []
        for sid in ids:
            m = re.match(r"^《(.+?)》(.+)$", sid)
            if m and m.group(1) in by_short:
                sid = f"{by_short[m.group(1)]}:{m.group(2)}"
            try:
                out.append(self.index.get(sid, plan=plan))
            except (KeyError, ValueError):
                continue
        return out

    def pointed(self, resolved: Resolved, plan: str | None) -> Section | None:
        """The section a follow-up points at: "其中第二项" is the second of what the last answer listed (or of the
        parts of the section it cited), "the last one" the last, "这个专栏" the box it cited."""
        pointer = find_pointer(resolved.question)
        cited = self.cited(resolved.previous_ids, plan)
        if pointer is None or not cited:
            return None
        first = cited[0]
        if pointer.kind == "box" or (pointer.kind == "ordinal" and re.search(r"专栏|\bbox\b", resolved.question, re.I)):
            box = first if first.kind == "box" else self.parent(first) if first.kind == "box_item" else (
                next((c for c in self.index.sections(first.plan) if c.parent_id == first.id and c.kind == "box"), None)
                or self.box_for(first))
            if box is None:
                return None
            if pointer.kind == "box":
                return box
            options = self.children(box)
        elif pointer.kind == "section":
            return first
        else:
            before = find_pointer(resolved.previous)
            walked = before is not None and before.kind == "ordinal"  # "其中第二项", then "the fourth one": one list
            parents = {(s.plan, s.parent_id) for s in cited}
            if walked:
                parent = self.parent(first)
                options = self.children(parent) if parent is not None else [first]
            # An answer citing a section and parts under it ("五大工程": 五, with 五(三)9 and 五(二)8) is about that
            # section's parts: "the second one" is its second part, not a sibling of the first part cited (dev ri-029).
            elif len(cited) >= 2 and (head := self._holding(cited)) is not None:
                options = self.children(head)
            elif len(cited) >= 2 and len(parents) == 1:
                parent = self.parent(first)
                options = self.children(parent) if parent is not None else cited
            elif self.children(first):
                options = self.children(first)
            else:
                parent = self.parent(first)
                options = self.children(parent) if parent is not None else []
        n = pointer.number
        if not options or n == 0 or abs(n) > len(options) and n != -1:
            return None
        return options[n - 1] if n > 0 else options[-1]

    def _holding(self, cited: Sequence[Section]) -> Section | None:
        """The cited section with parts that holds every other cited section, if one does."""
        return next((s for s in cited if self.children(s) and all(self._under(o, s) for o in cited if o is not s)), None)

    def _under(self, section: Section, ancestor: Section) -> bool:
        """Is `section` inside `ancestor` (same plan, `ancestor` on its parent chain)?"""
        node = section
        while node is not None and node.parent_id is not None:
            if node.plan == ancestor.plan and node.parent_id == ancestor.id:
                return True
            node = self.parent(node)
        return False

    def parent(self, section: Section) -> Section | None:
        if section.parent_id is None:
            return None
        try:
            return self.index.get(section.parent_id, plan=section.plan)
        except (KeyError, ValueError):
            return None

    def subtree(self, roots: Sequence[Section], plan: str | None) -> list[Section]:
        """The named sections and everything under them, in plan order."""
        all_sections = self.index.sections(plan)
        keep = {(s.plan, s.id) for s in roots}
        for s in all_sections:  # plan order puts parents before children
            if s.parent_id is not None and (s.plan, s.parent_id) in keep:
                keep.add((s.plan, s.id))
        ordered = [s for s in roots] + [s for s in all_sections if (s.plan, s.id) in keep and s not in roots]
        return ordered

    def children(self, section: Section) -> list[Section]:
        """Direct children; a heading's boxes are side panels, not among its numbered parts."""
        kids = [s for s in self.index.sections(section.plan) if s.parent_id == section.id]
        return kids if section.kind == "box" else [s for s in kids if s.kind != "box"]

    def box_for(self, section: Section) -> Section | None:
        """The box that goes with a numbered item: the next box under the same heading."""
        sections = self.index.sections(section.plan)
        after = sections[sections.index(section) + 1 :] if section in sections else sections
        for s in after:
            if s.kind == "box" and s.parent_id == section.parent_id:
                return s
        return None
