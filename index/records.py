"""The records of the index: the units a plan is embedded as, and the hits, build reports and plan infos it returns."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from .sections import Plan, Section

SectionKey = tuple[str, str]  # (plan name, section ID)


@dataclass(frozen=True)
class Hit:
    """A retrieved section with its fused relevance score (higher is better) and the parts it came from."""

    section: Section
    score: float  # fused, relative within one query: use `dense` for how close the section is in absolute terms
    dense: float | None = None  # e5 cosine of the section's best vector (its passage, a sentence or its outline)
    lexical: float | None = None  # BM25 score
    route: str = ""  # "outline" when the question named this section by its structure (专栏12, 第18条)


@dataclass
class BuildReport:
    """What one `index` run did, per plan: the basis of incremental indexing's proof."""

    plans: dict[str, dict[str, int]] = field(default_factory=dict)
    rebuilt: bool = False
    seconds: float = 0.0
    origins: dict[str, str] = field(default_factory=dict)  # rebuild: plan -> "stored text" or the file it was read from
    lost: list = field(default_factory=list)  # rebuild: recovery.Recovered of plans found in neither
    unknown: str = ""  # rebuild: why the list of plans the index held could not be read, when it could not

    @property
    def embedded(self) -> int:
        return sum(p["embedded"] for p in self.plans.values())


@dataclass(frozen=True)
class PlanInfo:
    name: str
    title: str
    sections: int
    indexed_at: str
    sha256: str
    source: str


def passage_text(section: Section) -> str:
    """What is embedded: the heading path gives context (a box item carries its box's title)."""
    context = " > ".join(section.path[:-1])
    return f"{context}\n{section.text}" if context else section.text


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_id(plan: str, section_id: str) -> str:
    return f"{plan}::{section_id}"


_SENTENCE_END = re.compile(r"(?<=[。；;！？!?])|\n")
SENTENCE_MIN = 4  # shorter fragments ("。", "(3+2)") carry no meaning of their own


@dataclass(frozen=True)
class Unit:
    """One stored vector: a section's passage, one of its sentences, or the outline of a heading without text."""

    record_id: str
    section: Section
    text: str
    unit: str  # "section" | "sentence" | "outline"

    @property
    def hash(self) -> str:
        return content_hash(self.text)


def embedding_units(plan: Plan) -> list[Unit]:
    """Every vector a plan gets, section by section, each carrying its heading path as context.

    Mean pooling over a long body dilutes the one sentence a question is about, so a section of several
    sentences also gets one vector per sentence, and is scored by its best one. A heading with no text of
    its own (a box) gets one vector of its heading with its items' headings, its outline. Sentence and
    outline records are named by their content hash: a changed sentence re-embeds that sentence only.
    """
    units: list[Unit] = []
    for s in plan.sections:
        rid = record_id(plan.name, s.id)
        units.append(Unit(rid, s, passage_text(s), "section"))
        context = " > ".join(s.path)
        sentences = [x.strip() for x in _SENTENCE_END.split(s.body)]
        sentences = list(dict.fromkeys(x for x in sentences if len(x) >= SENTENCE_MIN))
        extra = [(f"{context}\n{x}", "sentence") for x in sentences] if len(sentences) > 1 else []
        if not s.body.strip():
            children = plan.children(s.id)
            if children:
                extra.append((passage_text(s) + "\n" + "\n".join(c.heading for c in children), "outline"))
        for text, kind in extra:
            units.append(Unit(f"{rid}::{content_hash(text)[:16]}", s, text, kind))
    return units
