"""PlanAssistant: a question and its history in, a cited Answer out."""
from __future__ import annotations

import logging
import time
from functools import cached_property
from typing import Any, Iterator, Sequence

import numpy as np

from index import PlanIndex, Section, Settings
from index.lexical import has_words
from index.store import IndexError_

from .compose import (
    Draft,
    Evidence,
    Passage,
    SentenceScorer,
    Verdict,
    find_referenced,
    judge,
    lead_passage,
    rank,
    remaining_terms,
    render,
    render_outline,
    render_refusal,
    render_section,
    select,
    wants_children,
    wants_name,
)
from .followup import Resolved, resolve
from .question import Question, analyze, clean_text, is_english, place_names, tagging_runs
from .records import Answer

log = logging.getLogger(__name__)

Message = dict[str, Any]  # {"role": "user" | "assistant", "content": str}, as Gradio passes history

MAX_QUESTION_CHARS = 1000  # longer questions are cut: the embedding model reads ~512 tokens anyway
CANDIDATES = 8  # sections searched per question; the composer picks the sentences among them
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
        self._places: dict[str, bool] = {}  # see mentions_place(): valid for the plans of `_places_for`
        self._places_for: tuple[Section, ...] | None = None

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
            answer = self._offline(text, history, plan, notes)
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

    # -- the offline answerer -------------------------------------------------------------------------------
    @cached_property
    def scorer(self) -> SentenceScorer:
        # Hook (issue 13): sentence vectors come from the index's on-disk cache when a process embedded them before.
        return SentenceScorer(self.index.passage_vectors, self.index.sections)

    def _translate(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """English phrases of `text` with the plan's Chinese words they translate to (CC-CEDICT)."""
        return self.index.translate(text)

    def _similar(self, text: str, candidates: Sequence[str]) -> np.ndarray:
        from index.embedder import embed_queries

        vectors = embed_queries(self.index.model, [text, *candidates])
        return vectors[1:] @ vectors[0]

    def mentions_place(self, place: str) -> bool:
        """Is a place named in the plan on its own (北京 inside 北京大学 does not count)?

        Only the text runs that contain the place are tagged: jieba tags each run of letters and digits on its
        own, so this gives what tagging the whole plan would, at a cost that does not grow with the plan.
        """
        sections = self.index.sections()
        if self._places_for is not sections:  # PlanIndex gives one tuple per plan state
            self._places.clear()
            self._places_for = sections
        if place not in self._places:
            texts = [t for p in self.index.loaded_plans().values() for t in (p.title, p.text)]
            runs = dict.fromkeys(run for t in texts if place in t for run in tagging_runs(t, place))
            self._places[place] = bool(place) and any(place in n for run in runs for n in place_names(run, checked=False))
        return self._places[place]

    def _offline(self, text: str, history: Sequence[Message] | None, plan: str | None, notes: list[str]) -> Answer:
        started = time.perf_counter()
        resolved = resolve(text, history, self._similar)
        q = analyze(
            resolved.rewritten,
            kinds_from=resolved.rewritten if resolved.how == "substituted" else resolved.question,
            context_terms=resolved.context_terms,
            translate=self._translate,
        )
        draft = self._draft(q, resolved, plan)
        draft.signals["seconds"] = round(time.perf_counter() - started, 3)
        return Answer(
            question=text,
            text=draft.text,
            citations=draft.citations(),
            answerable=draft.answerable,
            rewritten_question=resolved.rewritten,
            related=draft.related_citations(),
            mode="offline",
            notes=notes,
            verification={"offline": {"reason": draft.reason, **draft.signals}},
        )

    def _evidence(self, sections: Sequence[Section], start: int = 0) -> list[Evidence]:
        return [Evidence(s, self.index.citation_id(s), start + i) for i, s in enumerate(sections)]

    def _subtree(self, roots: Sequence[Section], plan: str | None) -> list[Section]:
        """The named sections and everything under them, in plan order."""
        all_sections = self.index.sections(plan)
        keep = {(s.plan, s.id) for s in roots}
        for s in all_sections:  # plan order puts parents before children
            if s.parent_id is not None and (s.plan, s.parent_id) in keep:
                keep.add((s.plan, s.id))
        ordered = [s for s in roots] + [s for s in all_sections if (s.plan, s.id) in keep and s not in roots]
        return ordered

    def _children(self, section: Section) -> list[Section]:
        """Direct children; a heading's boxes are side panels, not among its numbered parts."""
        kids = [s for s in self.index.sections(section.plan) if s.parent_id == section.id]
        return kids if section.kind == "box" else [s for s in kids if s.kind != "box"]

    def _box_for(self, section: Section) -> Section | None:
        """The box that goes with a numbered item: the next box under the same heading."""
        sections = self.index.sections(section.plan)
        after = sections[sections.index(section) + 1 :] if section in sections else sections
        for s in after:
            if s.kind == "box" and s.parent_id == section.parent_id:
                return s
        return None

    def _draft(self, q: Question, resolved: Resolved, plan: str | None) -> Draft:
        sections = self.index.sections(plan)
        named, unknown = find_referenced(q.refs, sections)
        if unknown and not named:
            return self._unknown_reference(q, unknown, sections, plan)
        if named:
            return self._about_named(q, named, plan)
        titled = self.index.outline(plan).titles_in(q.text)
        if titled and wants_children(q) and self._children(titled[0]):
            return self._outline(q, titled[0])
        qvec = self.index.embed_query(q.text)  # once, for the search and for scoring sentences
        hits = self.index.search(q.text, k=max(self.settings.k, CANDIDATES), plan=plan, query_vector=qvec)
        ordered: list[Section] = []
        prior: dict[tuple[str, str], float] = {}
        for i, s in enumerate(h.section for h in hits):
            prior.setdefault((s.plan, s.id), 1.0 / (1 + i))
        for s in [*titled[:1], *(h.section for h in hits)]:
            if s not in ordered:
                ordered.append(s)
        if resolved.followup:  # the sections the last answer cited are candidates for "其中…" questions
            for sid in resolved.previous_ids:
                try:
                    s = self.index.get(sid, plan=plan)
                except (KeyError, ValueError):
                    continue
                if s not in ordered:
                    ordered.append(s)
        evidence = [
            Evidence(e.section, e.cite_id, e.rank, 1.0 if e.section in titled[:1] else prior.get((e.section.plan, e.section.id), 0.0))
            for e in self._evidence(ordered)
        ]
        return self._compose(q, evidence, qvec=qvec)

    def _compose(
        self, q: Question, evidence: Sequence[Evidence], *, min_score: float | None = None, qvec: np.ndarray | None = None
    ) -> Draft:
        qvec = self.index.embed_query(q.text) if qvec is None else qvec
        ranked = rank(q, evidence, self.scorer, qvec)
        verdict = judge(
            q, ranked, self.scorer, self.settings.min_score if min_score is None else min_score, self.mentions_place
        )
        signals = {"relevance": round(verdict.relevance, 4), "coverage": round(self.scorer.coverage(q), 4)}
        if ranked.top is not None:
            signals.update(dense=round(ranked.top.dense, 4), lexical=round(ranked.top.lexical, 4))
        if not verdict.answerable:
            return self._refusal(q, verdict, ranked, signals)
        passages = select(q, ranked, self.scorer)
        return Draft(render(q, passages), passages, True, signals=signals)

    def _refusal(self, q: Question, verdict: Verdict, ranked, signals: dict) -> Draft:
        related = [Passage(u.evidence, u.span.start, u.span.end, u.score) for u in ranked.best[:3]]
        return Draft(render_refusal(q, verdict, related), [], False, related, verdict.reason, signals)

    def _unknown_reference(self, q: Question, unknown: Sequence, sections: Sequence[Section], plan: str | None) -> Draft:
        ref = unknown[0]
        boxes = [s.id for s in sections if s.kind == "box"]
        detail = ref.text.strip()
        if ref.kind == "box" and boxes:
            detail += f"（现有专栏：{boxes[0]}–{boxes[-1]}）" if not q.english else f" (its boxes are {boxes[0]}–{boxes[-1]})"
        verdict = Verdict(False, "unknown_ref", detail)
        lines = render_refusal(q, verdict, [])
        lines.append(
            "Run `plan-assistant sections` to see every section ID."
            if q.english
            else "可运行 `plan-assistant sections` 查看全部章节编号。"
        )
        return Draft(lines, [], False, [], "unknown_ref")

    def _outline(self, q: Question, parent: Section) -> Draft:
        children = self._children(parent)
        passages = [lead_passage(e) for e in self._evidence(children)]
        return Draft(render_outline(q, self._evidence([parent])[0], passages), passages, True, signals={"structure": "outline"})

    def _about_named(self, q: Question, named: Sequence[Section], plan: str | None) -> Draft:
        rest = remaining_terms(q, named)
        asks_box = any(w in q.text.lower() for w in ("专栏", "box")) and not any(s.kind in ("box", "box_item") for s in named)
        if asks_box:  # "第13条…它对应的是哪个专栏？"
            box = self._box_for(named[0])
            if box is not None:
                return self._outline(q, box)
        if wants_name(q):
            passages = [Passage(e, 0, len(e.section.heading), 1.0) for e in self._evidence(named)]
            lines = [line for p in passages for line in render_section(q, p, name_only=True)]
            return Draft(lines, passages, True, signals={"structure": "name"})
        own = [s for s in named if s.body.strip() and any(t in s.text for t in rest)]
        if rest and own:  # "第五章“重点工程”里的五大工程分别是哪五个？": the chapter's own text says it
            return self._compose(q, self._evidence(own), min_score=-1.0)
        if not rest or (wants_children(q) and len(named) == 1 and self._children(named[0])):
            if len(named) == 1 and self._children(named[0]) and (wants_children(q) or not named[0].body.strip()):
                return self._outline(q, named[0])
            lines: list[str] = []
            passages = []
            for e in self._evidence(named):
                p = lead_passage(e, max_chars=200, max_sentences=3)
                passages.append(p)
                lines.extend(render_section(q, p))
            return Draft(lines, passages, True, signals={"structure": "section"})
        # A question about something inside the named sections: answer from them and what they contain.
        return self._compose(q, self._evidence(self._subtree(named, plan)), min_score=-1.0)
