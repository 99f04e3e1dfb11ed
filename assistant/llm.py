"""LLM answer mode: the chain's answer streamed, verified against the cited sections, with the offline fallback."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Iterator, Sequence
from urllib.parse import urlsplit

from langchain_core.documents import Document

from index import Settings

from .followup import resolve
from .llm_chain import (
    OfflineAssistant,
    build_answer_chain,
    build_condense_chain,
    chat_model,
    citing_retriever,
    load_prompt,
    section_label,
)
from .records import Answer, Citation, Message
from .verify import KEPT, Verification, Verifier, coverage, split_sentences

log = logging.getLogger(__name__)

REFUSED_FIRST = "The documents do not answer this question (the fitted refusal decision); the LLM was not asked."
NOT_IN_PLAN = "NOT_IN_PLAN"  # what the system prompt tells the model to write when the sections do not answer


# --------------------------------------------------------------------------- safety helpers


def endpoint_label(base_url: str | None) -> str:
    """scheme://host:port only: user:password in the URL, its path and query never reach notes or logs."""
    if not base_url:
        return "(none)"
    parts = urlsplit(base_url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}"


def scrub(text: str, settings: Settings) -> str:
    """Remove the API key (and a URL's password) from a message before it is logged or shown."""
    secrets = [settings.llm_api_key, urlsplit(settings.llm_base_url or "").password]
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


# --------------------------------------------------------------------------- answering


class LLMFailure(RuntimeError):
    """The endpoint was down, too slow or said nothing usable; `note` is safe to show (no secrets)."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


@dataclass
class Timing:
    started: float
    first_token: float | None = None

    def to_json(self) -> dict[str, Any]:
        now = time.monotonic()
        return {
            "first_token_s": None if self.first_token is None else round(self.first_token - self.started, 3),
            "total_s": round(now - self.started, 3),
        }


def best_quote(text: str, claims: Sequence[str]) -> str:
    """The sentence of a section that shares most words with the claims citing it (the whole text without claims)."""
    sentences = [p.strip() for p in split_sentences(text) if p.strip()]
    if not claims or len(sentences) <= 1:
        return text.strip()
    joined = "".join(claims)
    scored = [(coverage(joined, s, min_tokens=1) or 0.0, -i, s) for i, s in enumerate(sentences)]
    return max(scored)[2]


def _condense_ok(standalone: str, question: str) -> bool:
    """A small model sometimes answers instead of rewriting; such output is not used as the search query."""
    s = standalone.strip()
    return bool(s) and NOT_IN_PLAN not in s and len(s) <= 3 * len(question) + 80


class LLMAnswerer:
    """Answers through the configured OpenAI-compatible endpoint; verification decides what is shown."""

    def __init__(self, assistant: OfflineAssistant, *, max_tokens: int | None = None) -> None:
        self.assistant = assistant
        self.settings = assistant.settings
        self.llm = chat_model(self.settings, max_tokens=max_tokens)
        self.condense_llm = chat_model(self.settings, max_tokens=96)
        self.forbidden = [load_prompt(name) for name in ("system", "answer", "condense", "example")]

    def stream(
        self, question: str, history: Sequence[Message] | None = None, *, plan: str | None = None
    ) -> Iterator[tuple[str, Answer | None]]:
        """Yield (raw text so far, None) per token, then (verified text, Answer); on failure the offline answer.

        The offline answerer's refusal decision comes first: a question it refuses is refused here too, and the
        model is not called for it (a small model invents answers the documents do not hold)."""
        timing = Timing(time.monotonic())
        offline = self.assistant.ask(question, history, plan=plan, mode="offline")
        if not offline.answerable:
            offline.mode = "llm"
            offline.notes = [*offline.notes, REFUSED_FIRST]
            offline.verification = {**offline.verification, "llm_called": False}
            yield offline.text, offline
            return
        try:
            answer = yield from self._stream_llm(question, list(history or []), plan, timing)
        except LLMFailure as exc:
            yield from self._fallback(question, history, plan, exc.note, timing, getattr(exc, "record", None))
            return
        except Exception as exc:  # noqa: BLE001 - any endpoint error (connection, HTTP, timeout, garbage) falls back
            note = self._describe(exc)
            log.warning("LLM answer failed, answering offline: %s", note)
            yield from self._fallback(question, history, plan, note, timing)
            return
        yield answer.text, answer

    def _describe(self, exc: Exception) -> str:
        import httpx
        import openai

        where = endpoint_label(self.settings.llm_base_url)
        if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException)):
            return f"The LLM at {where} did not answer within {self.settings.llm_timeout:g}s; answered offline instead."
        if isinstance(exc, (openai.APIConnectionError, httpx.ConnectError)):
            return f"The LLM at {where} could not be reached; answered offline instead."
        if isinstance(exc, openai.APIStatusError):
            return f"The LLM at {where} returned HTTP {exc.status_code}; answered offline instead."
        return scrub(f"The LLM at {where} failed ({type(exc).__name__}); answered offline instead.", self.settings)

    def _deadline_check(self, timing: Timing) -> None:
        if time.monotonic() - timing.started > self.settings.llm_timeout:
            raise LLMFailure(
                f"The LLM at {endpoint_label(self.settings.llm_base_url)} did not finish within "
                f"{self.settings.llm_timeout:g}s; answered offline instead."
            )

    def condense(self, question: str, history: Sequence[Message]) -> str:
        """The follow-up rewritten as a standalone question (the question itself when there is no history).

        The LLM rewrites first; when its output is unusable or unchanged (small models often echo the question), the
        offline answerer's rule-based rewrite is used, so a follow-up still searches the earlier topic.
        """
        if not history:
            return question
        out = build_condense_chain(self.condense_llm).invoke({"turns": history, "followup": question}).strip()
        standalone = out.splitlines()[0].strip() if out else ""
        if _condense_ok(standalone, question) and standalone != question.strip():
            return standalone
        return resolve(question, history).rewritten or question

    def _stream_llm(
        self, question: str, history: list[Message], plan: str | None, timing: Timing
    ) -> Iterator[tuple[str, Answer | None]]:
        standalone = self.condense(question, history)
        self._deadline_check(timing)
        chain = build_answer_chain(citing_retriever(self.assistant, plan), self.llm)
        docs: list[Document] = []
        raw = ""
        for chunk in chain.stream({"query": standalone}):
            if "docs" in chunk:
                docs = chunk["docs"]
            piece = chunk.get("answer")
            if piece:
                if timing.first_token is None:
                    timing.first_token = time.monotonic()
                raw += piece
                yield raw.replace(NOT_IN_PLAN, "").strip(), None
            self._deadline_check(timing)
        return self._finish(question, standalone, raw, docs, timing)

    def _finish(self, question: str, standalone: str, raw: str, docs: list[Document], timing: Timing) -> Answer:
        if not raw.strip():
            raise LLMFailure(f"The LLM at {endpoint_label(self.settings.llm_base_url)} returned an empty answer; answered offline instead.")
        log.debug("LLM raw answer: %r", raw)
        by_id = {section_label(d): d for d in docs}
        support = {sid: "\n".join([*d.metadata.get("path", []), d.page_content]) for sid, d in by_id.items()}
        refused = NOT_IN_PLAN in raw
        result = Verifier(support, forbidden=self.forbidden).verify(raw.replace(NOT_IN_PLAN, ""))
        record = {**result.summary(), "model": self.settings.llm_model or "local", "timing": timing.to_json()}
        if result.count(KEPT) == 0:
            # A refusal is confirmed (or overruled) by the default answerer's calibrated judgement, not taken as is:
            # small models refuse answerable questions too.
            raise _Unverified({**record, "refused": refused}, refused=refused)
        citations = [self._citation(by_id[sid], result.claims_citing(sid)) for sid in result.cited_ids]
        return Answer(
            question=question,
            text=result.text,
            citations=citations,
            answerable=True,
            rewritten_question=standalone,
            mode="llm",
            notes=self._notes(result),
            verification=record,
        )

    def _citation(self, doc: Document, claims: Sequence[str] = ()) -> Citation:
        """The cited section, quoting the sentence of it that best supports the claims citing it."""
        return Citation(
            section_label(doc), doc.metadata.get("title", ""), best_quote(doc.page_content, claims), doc.metadata.get("plan", "")
        )

    def _notes(self, result: Verification) -> list[str]:
        notes = []
        dropped, marked = result.count("dropped"), result.count("marked")
        if dropped:
            notes.append(f"Verification removed {dropped} sentence(s) the cited sections do not support.")
        if marked:
            notes.append(f"{marked} sentence(s) only partly supported by the cited sections are marked unverified.")
        if result.removed_ids:
            notes.append(f"Removed citations of unknown sections: {', '.join(result.removed_ids)}.")
        return notes

    def _fallback(
        self,
        question: str,
        history: Sequence[Message] | None,
        plan: str | None,
        note: str,
        timing: Timing,
        record: dict[str, Any] | None = None,
    ) -> Iterator[tuple[str, Answer | None]]:
        for partial, answer in self.assistant.stream(question, history, plan=plan, mode="offline"):
            if answer is None:
                yield partial, None
                continue
            answer.mode = "offline-fallback"
            answer.notes = [note, *answer.notes]
            llm = {"fallback": note, "timing": timing.to_json(), **({"verification": record} if record else {})}
            answer.verification = {**answer.verification, "llm": llm}
            yield answer.text, answer


class _Unverified(LLMFailure):
    """No sentence of the generated answer survived verification (or the model said the sections do not answer)."""

    def __init__(self, record: dict[str, Any], *, refused: bool = False) -> None:
        super().__init__(
            "The LLM found no answer in the sections it was given; the default answerer decided instead."
            if refused
            else "No sentence of the LLM answer could be verified against the plan; answered offline instead."
        )
        self.record = record


def stream_llm_answer(
    assistant: OfflineAssistant, question: str, history: Sequence[Message] | None = None, *, plan: str | None = None
) -> Iterator[tuple[str, Answer | None]]:
    """PlanAssistant.stream(mode="llm"): the verified LLM answer, or the offline one with a note saying why."""
    if not assistant.settings.llm_configured:
        note = "No LLM endpoint is configured (PLAN_ASSISTANT_LLM_BASE_URL); answered offline instead."
        for partial, answer in assistant.stream(question, history, plan=plan, mode="offline"):
            if answer is not None:
                answer.mode, answer.notes = "offline-fallback", [note, *answer.notes]
            yield partial, answer
        return
    yield from LLMAnswerer(assistant).stream(question, history, plan=plan)
