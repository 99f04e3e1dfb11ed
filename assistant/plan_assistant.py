"""PlanAssistant: a question and its history in, a cited Answer out."""
from __future__ import annotations

from typing import Any, Iterator, Sequence

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

    @property
    def modes(self) -> list[str]:
        """Answer modes available: "offline" always, "llm" when an LLM endpoint is configured."""
        return ["offline", "llm"] if self.settings.llm_configured else ["offline"]

    def ask(
        self,
        question: str,
        history: Sequence[Message] | None = None,
        *,
        plan: str | None = None,
        mode: str | None = None,
    ) -> Answer:
        """Answer `question` from the plan, citing section IDs; `history` holds the earlier turns."""
        answer: Answer | None = None
        for _partial, answer in self.stream(question, history, plan=plan, mode=mode):
            pass
        assert answer is not None
        return answer

    def stream(
        self,
        question: str,
        history: Sequence[Message] | None = None,
        *,
        plan: str | None = None,
        mode: str | None = None,
    ) -> Iterator[tuple[str, Answer | None]]:
        """Yield (answer text so far, None) while composing, then (final text, Answer) exactly once."""
        question = (question or "").strip()
        if not question:
            answer = Answer(question="", text="请输入一个关于规划的问题。Please type a question about the plan.", answerable=False)
            yield answer.text, answer
            return
        hits = self.index.search(question, k=self.settings.k, plan=plan)
        citations = [
            Citation(self.index.citation_id(h.section), h.section.title, h.section.text, h.section.plan) for h in hits[:3]
        ]
        text = "\n".join(f"{c.quote} [{c.id}]" for c in citations)
        answer = Answer(question=question, text=text, citations=citations, rewritten_question=question)
        yield answer.text, answer
