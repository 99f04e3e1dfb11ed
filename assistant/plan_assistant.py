"""PlanAssistant: a question and its history in, a cited Answer out."""
from __future__ import annotations

import logging
import re
import time
from functools import cached_property
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from index import PlanIndex, Section, Settings
from index.lexical import has_words
from index.store import IndexError_

from .compare import answer_comparison
from .documents import Document, describe, named_in
from .fitted import AnswererModel, load_model
from .followup import Resolved, resolve
from .passages import Evidence, Passage
from .pointers import find_pointer
from .question import LIST, Question, analyze
from .quotes import rank, select
from .records import Answer, Message
from .refusal import Verdict, judge
from .rendering import Draft, Frame, render, render_outline, render_refusal, render_section
from .scope import out_of_scope
from .section_refs import relative_item
from .sentence_scorer import SentenceScorer
from .structure_questions import find_referenced, lead_passage, remaining_terms, wants_children, wants_name
from .terms import clean_text, english_places, is_english, place_names, tagging_runs

log = logging.getLogger(__name__)


# A sentence that announces the parts that follow ("做好八个方面工作", "主要有以下几项"): see _compose.
_ANNOUNCES_PARTS = re.compile(r"[一二三四五六七八九十两0-9]+\s*(?:个方面|方面|项|大任务|个领域|条)|以下|如下|几个方面")
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
        self._places: dict[tuple[str, str | None], bool] = {}  # see mentions_place(): valid for `_places_for`
        self._places_for: tuple[Section, ...] | None = None
        self._scope_texts: dict[str | None, tuple[tuple[Section, ...], str]] = {}
        self._model: AnswererModel | None = None  # see `model`
        self._documents: tuple[object, dict[str, Document]] = (None, {})
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

    def in_scope(self, plan: str | None) -> Callable[[str], bool]:
        """Does a term occur in the documents asked about (one plan, or all loaded)? Lowercased substring search."""
        sections = self.index.sections(plan)
        cached = self._scope_texts.get(plan)
        if cached is None or cached[0] is not sections:
            titles = [p.title for name, p in self.index.loaded_plans().items() if plan is None or name == plan]
            cached = (sections, "\x00".join([*titles, *(s.text for s in sections)]).lower())
            self._scope_texts[plan] = cached
        text = cached[1]
        return lambda term: bool(term) and term.lower() in text

    def mentions_place(self, place: str, plan: str | None = None) -> bool:
        """Is a place named in the documents asked about, on its own (北京 inside 北京大学 does not count)?

        Only the text runs that contain the place are tagged: jieba tags each run of letters and digits on its
        own, so this gives what tagging the whole plan would, at a cost that does not grow with the plan.
        """
        sections = self.index.sections()
        if self._places_for is not sections:  # PlanIndex gives one tuple per plan state
            self._places.clear()
            self._places_for = sections
        key = (place, plan)
        if key not in self._places:
            texts = [t for name, p in self.index.loaded_plans().items() if plan is None or name == plan for t in (p.title, p.text)]
            runs = dict.fromkeys(run for t in texts if place in t for run in tagging_runs(t, place))
            self._places[key] = bool(place) and any(place in n for run in runs for n in place_names(run, checked=False))
        return self._places[key]

    def _cited(self, ids: Sequence[str], plan: str | None) -> list[Section]:
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

    def _pointed(self, resolved: Resolved, plan: str | None) -> Section | None:
        """The section a follow-up points at: "其中第二项" is the second of what the last answer listed (or of the
        parts of the section it cited), "the last one" the last, "这个专栏" the box it cited."""
        pointer = find_pointer(resolved.question)
        cited = self._cited(resolved.previous_ids, plan)
        if pointer is None or not cited:
            return None
        first = cited[0]
        if pointer.kind == "box" or (pointer.kind == "ordinal" and re.search(r"专栏|\bbox\b", resolved.question, re.I)):
            box = first if first.kind == "box" else self._parent(first) if first.kind == "box_item" else (
                next((c for c in self.index.sections(first.plan) if c.parent_id == first.id and c.kind == "box"), None)
                or self._box_for(first))
            if box is None:
                return None
            if pointer.kind == "box":
                return box
            options = self._children(box)
        elif pointer.kind == "section":
            return first
        else:
            before = find_pointer(resolved.previous)
            walked = before is not None and before.kind == "ordinal"  # "其中第二项", then "the fourth one": one list
            parents = {(s.plan, s.parent_id) for s in cited}
            if walked:
                parent = self._parent(first)
                options = self._children(parent) if parent is not None else [first]
            elif len(cited) >= 2 and len(parents) == 1:
                parent = self._parent(first)
                options = self._children(parent) if parent is not None else cited
            elif self._children(first):
                options = self._children(first)
            else:
                parent = self._parent(first)
                options = self._children(parent) if parent is not None else []
        n = pointer.number
        if not options or n == 0 or abs(n) > len(options) and n != -1:
            return None
        return options[n - 1] if n > 0 else options[-1]

    def _parent(self, section: Section) -> Section | None:
        if section.parent_id is None:
            return None
        try:
            return self.index.get(section.parent_id, plan=section.plan)
        except (KeyError, ValueError):
            return None

    def _offline(self, text: str, history: Sequence[Message] | None, plan: str | None, notes: list[str]) -> Answer:
        started = time.perf_counter()
        # --- scope hook (assistant/scope.py): a question naming a year, period or document no loaded plan covers
        # is refused here, naming the loaded documents, before any search could answer it from another one.
        if (refusal := self._out_of_scope(text, plan, notes)) is not None:
            return refusal
        # >>> issue 14 hook: a question across documents (years, 历年, over the years) gets one cited line per
        # document from assistant/compare.py; None means it is no such question and the normal path below answers.
        compared = answer_comparison(self.index, text, plan)
        if compared is not None:
            compared.notes[:0] = notes
            return compared
        # <<< issue 14 hook
        resolved = resolve(text, history, self._similar)
        plan = plan or self._named_document(resolved.rewritten)
        target = self._pointed(resolved, plan) if resolved.followup else None
        if target is not None:
            cid = self.index.citation_id(target)
            resolved.rewritten = (
                f"{resolved.question} ({cid}: {target.title})" if is_english(resolved.question)
                else f"{resolved.question}（{cid}「{target.title}」）"
            )
            resolved.how = "pointed"
            q = analyze(resolved.rewritten, kinds_from=resolved.question, translate=self._translate)
            draft = self._outline(q, target) if target.kind == "box" else self._about_named(q, [target], plan)
            return self._answer(text, resolved, draft, notes, started)
        q = analyze(
            resolved.rewritten,
            kinds_from=resolved.rewritten if resolved.how == "substituted" else resolved.question,
            context_terms=resolved.context_terms,
            translate=self._translate,
        )
        if resolved.followup:  # places the asker names now, not the earlier topic's ("那广州那边呢？")
            q.places = english_places(resolved.question) if q.english else place_names(resolved.question)
        q.title_terms = self._title_terms(q, plan)
        draft = self._draft(q, resolved, plan)
        return self._answer(text, resolved, draft, notes, started)

    def _title_terms(self, q: Question, plan: str | None) -> tuple[str, ...]:
        """The question's key terms that are words of the asked document's title (any loaded one's, when none is
        named): they name the document, not what is asked of it."""
        titles = [p.title for name, p in self.index.loaded_plans().items() if plan in (None, name) and p.title]
        return tuple(dict.fromkeys(t for g in q.groups for t in g if len(t) >= 2 and any(t in title for title in titles)))

    def _answer(self, text: str, resolved: Resolved, draft: Draft, notes: list[str], started: float) -> Answer:
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

    def documents(self) -> dict[str, Document]:
        """The loaded documents as people name them (kind, short title, years), by plan name."""
        plans = self.index.loaded_plans()
        if self._documents[0] is not plans:
            self._documents = (plans, {name: describe(name, p.title) for name, p in plans.items()})
        return self._documents[1]

    def frame(self, plan: str | None) -> Frame:
        """How answers name the documents asked about: 报告 / 规划 …, with document titles when several are loaded."""
        docs = self.documents()
        several = len(docs) > 1
        scoped = [docs[plan]] if plan in docs else list(docs.values())
        kinds = {d.kind for d in scoped}
        if len(kinds) == 1:
            d = scoped[0]
            return Frame(d.kind, d.kind_en, several)
        return Frame("已加载的文件", "the loaded documents", several)

    def _named_document(self, text: str) -> str | None:
        """The loaded document a question names ("2017年政府工作报告…"), when several are loaded."""
        docs = self.documents()
        if len(docs) < 2:
            return None
        doc = named_in(text, docs.values())
        return doc.name if doc else None

    def _out_of_scope(self, text: str, plan: str | None, notes: list[str]) -> Answer | None:
        plans = {n: p for n, p in self.index.loaded_plans().items() if plan in (None, n)}
        refusal = out_of_scope(text, plans, english=is_english(text))
        if refusal is None:
            return None
        return Answer(
            question=text, text=refusal, answerable=False, rewritten_question=text, mode="offline", notes=notes,
            verification={"offline": {"reason": "out_of_scope", "loaded": sorted(plans)}},
        )

    def _evidence(self, sections: Sequence[Section], start: int = 0) -> list[Evidence]:
        docs = self.documents()
        several = len(docs) > 1
        return [
            Evidence(s, self.index.citation_id(s), start + i,
                     label=docs[s.plan].cite(s.id) if several and s.plan in docs else "")
            for i, s in enumerate(sections)
        ]

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
        nth = relative_item(q.text)
        if titled and nth and 0 < nth <= len(self._children(titled[0])):  # "创新基础提升计划那个专栏，第五项…"
            return self._about_named(q, [self._children(titled[0])[nth - 1]], plan)
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
        cited = self._cited(resolved.previous_ids, plan) if resolved.followup else []
        previous = {(s.plan, s.id) for s in cited}
        for s in cited:  # the sections the last answer cited are candidates for "其中…" questions
            if s not in ordered:
                ordered.append(s)
        evidence = [
            Evidence(e.section, e.cite_id, e.rank, 1.0 if e.section in titled[:1] else prior.get((e.section.plan, e.section.id), 0.0),
                     e.label, (e.section.plan, e.section.id) in previous)
            for e in self._evidence(ordered)
        ]
        return self._compose(q, evidence, qvec=qvec, plan=plan)

    def place_absent(self, q: Question, plan: str | None) -> bool:
        """The question names places, and the documents asked about name none of them ("上海要建设…")."""
        return bool(q.places) and not any(self.mentions_place(p, plan) for p in q.places)

    def _compose(
        self, q: Question, evidence: Sequence[Evidence], *, force: bool = False, qvec: np.ndarray | None = None,
        plan: str | None = None,
    ) -> Draft:
        """Rank the sentences of `evidence`, decide whether they answer (unless `force`: the question named its
        sections), and quote the best ones."""
        qvec = self.index.embed_query(q.text) if qvec is None else qvec
        ranked = rank(q, evidence, self.scorer, qvec, self.model)
        if self.trace is not None:
            self.trace.append({"question": q, "ranked": ranked, "force": force, "in_scope": self.in_scope(plan),
                               "place_absent": self.place_absent(q, plan)})
        if force:
            verdict = Verdict(ranked.top is not None, "" if ranked.top is not None else "not_found")
        else:
            verdict = judge(q, ranked, self.scorer, in_scope=self.in_scope(plan), place_absent=self.place_absent(q, plan),
                            model=self.model)
        signals = {"relevance": round(verdict.relevance, 4), "coverage": round(verdict.coverage, 4),
                   "p_answerable": round(verdict.probability, 4)}
        if ranked.top is not None:
            signals.update(dense=round(ranked.top.dense, 4), lexical=round(ranked.top.lexical, 4))
        if not verdict.answerable:
            return self._refusal(q, verdict, ranked, signals, plan)
        passages = select(q, ranked, self.scorer, self.model)
        lead = passages[0].evidence.section if passages else None
        # "今年要重点做好哪几个方面的工作？": the best sentence only announces the parts ("八个方面工作"); a list
        # question gets the parts themselves, from the outline under that section.
        if lead is not None and q.wants(LIST) and _ANNOUNCES_PARTS.search(passages[0].quote) and self._children(lead):
            return self._outline(q, lead)
        return Draft(render(q, passages, self.frame(plan)), passages, True, signals=signals)

    def _refusal(self, q: Question, verdict: Verdict, ranked, signals: dict, plan: str | None = None) -> Draft:
        related = [Passage(u.evidence, u.span.start, u.span.end, u.score) for u in ranked.best[:3]]
        return Draft(render_refusal(q, verdict, related, self.frame(plan)), [], False, related, verdict.reason, signals)

    def _unknown_reference(self, q: Question, unknown: Sequence, sections: Sequence[Section], plan: str | None) -> Draft:
        ref = unknown[0]
        boxes = [s.id for s in sections if s.kind == "box"]
        detail = ref.text.strip()
        if ref.kind == "box" and boxes:
            detail += f"（现有专栏：{boxes[0]}–{boxes[-1]}）" if not q.english else f" (its boxes are {boxes[0]}–{boxes[-1]})"
        verdict = Verdict(False, "unknown_ref", detail)
        lines = render_refusal(q, verdict, [], self.frame(plan))
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
            return self._compose(q, self._evidence(own), force=True, plan=plan)
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
        return self._compose(q, self._evidence(self._subtree(named, plan)), force=True, plan=plan)
