"""The answer's building blocks: a retrieved section (Evidence), a quoted stretch of it (Passage), their citations."""
from __future__ import annotations

from dataclasses import dataclass, field

from index import Section

from .records import Citation
from .sentences import Span, split_sentences


@dataclass(frozen=True)
class Evidence:
    """A retrieved section offered to the composer, with the ID it is cited by and its retrieval rank."""

    section: Section
    cite_id: str
    rank: int = 0
    prior: float = 0.0  # how strongly retrieval put it forward: 1/(1 + its rank among the search hits), else 0
    label: str = ""  # how the answer names the section: 《2016年政府工作报告》三(一) among several documents
    previous: bool = False  # the last answer cited it (a follow-up's candidates)

    @property
    def shown(self) -> str:
        return self.label or self.cite_id


@dataclass
class Passage:
    """A quoted stretch of one section: `section.text[start:end]`, possibly cut to the clauses that matter."""

    evidence: Evidence
    start: int
    end: int
    score: float
    cut_before: bool = False
    cut_after: bool = False
    heads: tuple[tuple[int, int], ...] = ()  # spans heading the items the quote announces (assistant/lists.py)
    more: tuple[tuple[int, int], ...] = ()  # further sentences of the section nearly as likely to answer, not adjacent

    @property
    def quote(self) -> str:
        return self.evidence.section.text[self.start : self.end]

    @property
    def quoted_text(self) -> str:
        """Every stretch quoted from the section, in its order, joined by "……"."""
        text = self.evidence.section.text
        return _joined([text[s:e] for s, e in sorted([(self.start, self.end), *self.more])])

    @property
    def display(self) -> str:
        """The quote as shown: "……" marks where a sentence was cut."""
        text = self.quote
        if self.cut_before:
            text = "……" + text
        if self.cut_after:
            text = text.rstrip("，,：:;；") + "……"
        if self.more:
            pieces = sorted([(self.start, text), *((s, self.evidence.section.text[s:e]) for s, e in self.more)])
            text = _joined([piece for _, piece in pieces])
        if self.heads:  # the announced items, one per line, each by its first sentence
            text += "".join("\n" + self.evidence.section.text[s:e] for s, e in self.heads)
        return text


@dataclass
class Composition:
    """The composer's result: the passages chosen, per cited section, and the signals behind the choice."""

    passages: list[Passage]
    signals: dict[str, float | str | bool] = field(default_factory=dict)

    def citations(self) -> list[Citation]:
        """One Citation per cited section, in answer order; its quote spans every passage used from it."""
        out: list[Citation] = []
        seen: dict[str, int] = {}
        for p in self.passages:
            s, cid = p.evidence.section, p.evidence.cite_id
            if cid in seen:
                continue
            mine = [q for q in self.passages if q.evidence.cite_id == cid]
            start, end = min(q.start for q in mine), max(q.end for q in mine)
            seen[cid] = len(out)
            quote = p.quoted_text if len(mine) == 1 and p.more else s.text[start:end]
            out.append(Citation(cid, s.title, quote, s.plan, p.evidence.label))
        return out


def _joined(pieces: list[str]) -> str:
    """Quoted stretches of one section with "……" between them (not doubled where a cut already shows one)."""
    out = pieces[0]
    for piece in pieces[1:]:
        out += piece if out.endswith("……") or piece.startswith("……") else "……" + piece
    return out


def quotable_start(section: Section) -> int:
    """Where the section's own words begin in `section.text`: after the numbering marker or heading line."""
    text = section.text
    if section.inline:
        return len(text) - len(section.body) if section.body and text.endswith(section.body) else 0
    if section.body:
        return len(section.heading) + 1 if text.startswith(section.heading) else 0
    return 0


def quotable_sentences(section: Section) -> list[Span]:
    """The sentences an answer may quote from a section; a section with no body offers its heading line."""
    text = section.text
    spans = split_sentences(text, quotable_start(section))
    # An inline item's leading label ("人才载体。") says nothing by itself; it stays as context only.
    if len(spans) > 1 and spans[0].text.rstrip("。.：:") == section.title:
        spans = spans[1:]
    return spans or split_sentences(text)
