"""PlanAssistant: a question and its history in, a cited Answer out."""
from __future__ import annotations

import logging
from functools import cached_property
from typing import Any, Callable, Iterator, Sequence

from index import PlanIndex, Settings
from index.lexical import has_words
from index.store import IndexError_

from .rendering import Frame
from .sentence_scorer import SentenceScorer
from .doc_scope import DocumentScope
from .documents import Document
from .drafting import OfflineAnswerer
from .fitted import AnswererModel, load_model
from .question import Question
from .terms import clean_text, is_english
from .records import Answer, Message

log = logging.getLogger(__name__)


MAX_QUESTION_CHARS = 1000  # longer questions are cut: the embedding model reads ~512 tokens anyway
EMPTY_TEXT = "请输入一个关于规划的问题。Please type a question about the plan."


def prepare_question(question: Any) -> tuple[str, list[str]]:
    """The question as text without control characters, cut to MAX_QUESTION_CHARS, and notes saying what changed."""
    text = clean_text(question if isinstance(question, str) else str(question or ""))
    notes = []
    if len(text) > MAX_QUESTION_CHARS:
        notes.append(
            f"The question was {len(text):,} characters long; only its first {MAX_QUESTION_CHARS:,} were used."
            if is_english(text[:MAX_QUESTION_CHARS])
            else f"问题过长（{len(text):,}字），只使用了前{MAX_QUESTION_CHARS:,}字。"
        )
        text = text[:MAX_QUESTION_CHARS]
    return text, notes


class PlanAssistant:
    """Answers questions about the indexed plans. Use `PlanAssistant.open()`."""

    def __init__(self, index: PlanIndex) -> None:
        self.index = index
        self.settings = index.settings
        self._scope = DocumentScope(index)  # the loaded documents: names, frame, terms and places (assistant/doc_scope.py)
        self._model: AnswererModel | None = None  # see `model`
        self.trace: list[dict[str, Any]] | None = None  # a list here collects each ranking (bench.fit_answerer reads it)

    @property
    def model(self) -> AnswererModel:
        """The answerer's fitted decisions (assistant/answerer_model.json), read on first use."""
        if self._model is None:
            self._model = load_model()
        return self._model

    @model.setter
    def model(self, value: AnswererModel) -> None:
        self._model = value

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
        """Yield (answer text so far, None) while composing, then (final text, Answer) exactly once.

        Bad input never raises: an empty, huge or odd question gets an Answer that says what happened."""
        text, notes = prepare_question(question)
        if not has_words(text):  # "", "？？？", "!!!", "。。": nothing to search for
            answer = Answer(question=text, text=EMPTY_TEXT, answerable=False, notes=notes)
            yield answer.text, answer
            return
        if mode == "llm":  # the LLM mode (assistant/llm.py) falls back to mode="offline" on its own
            yield from self._llm_stream(text, history, plan=plan)
            return
        try:
            with self.index.snapshot():  # one state of the index for the whole answer, even if a new one is published
                answer = OfflineAnswerer(self, self._scope).answer(text, history, plan, notes)
        except (IndexError_, KeyError):
            raise  # a broken index or an unknown plan name: the message says what to do
        except Exception as exc:  # noqa: BLE001 - the caller gets an answer, the log gets the traceback
            log.exception("offline answer failed for %r", text[:200])
            answer = Answer(
                question=text,
                text="抱歉，回答这个问题时出错了。Sorry, something went wrong while answering this question.",
                answerable=False,
                notes=[*notes, f"internal error: {type(exc).__name__}"],
            )
            yield answer.text, answer
            return
        if mode not in (None, "offline"):
            answer.notes.append(f"Unknown answer mode {mode!r}; answered offline. Modes: {', '.join(self.modes)}.")
        lines = answer.text.split("\n")
        for i in range(1, len(lines)):
            yield "\n".join(lines[:i]), None
        yield answer.text, answer

    def _llm_stream(self, question: str, history: Sequence[Message] | None, *, plan: str | None) -> Iterator[tuple[str, Answer | None]]:
        from .llm import stream_llm_answer  # LangChain's OpenAI client loads only when LLM mode is used

        yield from stream_llm_answer(self, question, history, plan=plan)

    # -- what the offline answerer (assistant/drafting.py) reads --------------------------------------------
    @cached_property
    def scorer(self) -> SentenceScorer:
        # Hook (issue 13): sentence vectors come from the index's on-disk cache when a process embedded them before.
        return SentenceScorer(self.index.passage_vectors, self.index.sections)

    def in_scope(self, plan: str | None) -> Callable[[str], bool]:
        """Does a term occur in the documents asked about (one plan, or all loaded)? Lowercased substring search."""
        return self._scope.in_scope(plan)

    def mentions_place(self, place: str, plan: str | None = None) -> bool:
        """Is a place named in the documents asked about, on its own (北京 inside 北京大学 does not count)?"""
        return self._scope.mentions_place(place, plan)

    def place_absent(self, q: Question, plan: str | None) -> float:
        """The share of the places the question names that the documents asked about never name."""
        return self._scope.place_absent(q, plan)

    def documents(self) -> dict[str, Document]:
        """The loaded documents as people name them (kind, short title, years), by plan name."""
        return self._scope.documents()

    def frame(self, plan: str | None) -> Frame:
        """How answers name the documents asked about: 报告 / 规划 …, with document titles when several are loaded."""
        return self._scope.frame(plan)
