"""The records an answer is made of: Citation and Answer, with the JSON contract other tools read."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Message = dict[str, Any]  # one turn of a conversation: {"role": "user" | "assistant", "content": str}, as Gradio passes it


@dataclass(frozen=True)
class Citation:
    """One cited section: its ID, title and the exact text quoted from it ("……" between stretches quoted apart)."""

    id: str
    title: str
    quote: str
    plan: str = ""
    label: str = ""  # how the answer text names it among several documents: 《2016年政府工作报告》三(一)

    def to_json(self) -> dict[str, Any]:
        data = {"id": self.id, "title": self.title, "quote": self.quote}
        if self.label:
            data["label"] = self.label
        return data


@dataclass
class Answer:
    """A cited answer. `answerable` is False when the plan does not say; `related` then lists the nearest sections."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    answerable: bool = True
    rewritten_question: str = ""
    related: list[Citation] = field(default_factory=list)
    mode: str = "offline"
    notes: list[str] = field(default_factory=list)
    verification: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The stable `ask --json` contract (extra keys may be added, these never change)."""
        return {
            "question": self.question,
            "rewritten_question": self.rewritten_question or self.question,
            "answer": self.text,
            "answerable": self.answerable,
            "citations": [c.to_json() for c in self.citations],
            "related": [c.to_json() for c in self.related],
            "mode": self.mode,
            "notes": list(self.notes),
            "verification": self.verification,
        }

    def as_plain_text(self) -> str:
        """The answer with its citations, for copying."""
        lines = [self.text]
        for c in self.citations or self.related:
            lines.append(f"[{c.label or c.id}] {c.title}: {c.quote}")
        return "\n".join(lines)


