"""PlanAssistant: a question and its history in, a cited Answer out."""
from __future__ import annotations

from typing import Any, Sequence

from index import PlanIndex, Settings

from .records import Answer, Citation

Message = dict[str, Any]  # {"role": "user" | "assistant", "content": str}, as Gradio passes history


class PlanAssistant:
    """Answers questions about the indexed plans. Use `PlanAssistant.open()`."""

    def __init__(self, index: PlanIndex) -> None:
        self.index = index
        self.settings = index.settings

    @classmethod
    def open(cls, settings: Settings | None = None) -> "PlanAssistant":
        return cls(PlanIndex.open(settings))

    def ask(self, question: str, history: Sequence[Message] | None = None, *, plan: str | None = None) -> Answer:
        """Answer `question` from the plan, citing section IDs; `history` holds the earlier turns."""
        question = (question or "").strip()
        if not question:
            return Answer(question="", text="请输入一个关于规划的问题。Please type a question about the plan.", answerable=False)
        hits = self.index.search(question, k=self.settings.k, plan=plan)
        citations = [Citation(h.section.id, h.section.title, h.section.text, h.section.plan) for h in hits[:3]]
        text = "\n".join(f"{c.quote} [{c.id}]" for c in citations)
        return Answer(question=question, text=text, citations=citations, rewritten_question=question)
