"""Drafting the offline answer: refusals of scope first, then a pointed, named, outlined or composed draft."""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, Protocol, Sequence

import numpy as np

from index import PlanIndex, Section, Settings

from .cited import SectionLookup
from .compare import answer_comparison
from .compound import join_answers, split_question
from .cues import ANNOUNCES_PARTS, ASKS_MORE
from .doc_scope import DocumentScope
from .fitted import AnswererModel
from .followup import Resolved, resolve
from .lists import item_heads
from .metric_quote import with_metric_quote
from .passages import Evidence, Passage
from .question import COUNT, LIST, NEEDS_EVIDENCE, Question, analyze, document_name_words, naming_the_document
from .quotes import rank, select
from .records import Answer, Message
from .refusal import Verdict, judge
from .rendering import Draft, render, render_outline, render_refusal, render_section
from .section_refs import nth_of, relative_item
from .sentence_scorer import SentenceScorer
from .structure_questions import find_referenced, lead_passage, remaining_terms, wants_children, wants_name
from .terms import english_places, is_english, place_names

CANDIDATES = 8  # sections searched per question; the composer picks the sentences among them


class Assistant(Protocol):
    """What drafting needs of PlanAssistant (it runs inside it): the index, the settings, the sentence scorer, the
    fitted decisions and the trace."""

    index: PlanIndex
    settings: Settings
    trace: list[dict[str, Any]] | None

    @property
    def model(self) -> AnswererModel: ...

    @property
    def scorer(self) -> SentenceScorer: ...


class OfflineAnswerer:
    """The offline answer to one question: quotes of the plan that answer it, an outline of sections, or a refusal."""

    def __init__(self, assistant: Assistant, scope: DocumentScope) -> None:
        self.assistant = assistant
        self.index = assistant.index
        self.scope = scope
        self.sections = SectionLookup(self.index, scope.documents)

    def answer(self, text: str, history: Sequence[Message] | None, plan: str | None, notes: list[str],
               *, split: bool = True) -> Answer:
        started = time.perf_counter()
        # --- scope hook (assistant/scope.py): a question naming a year, period or document no loaded plan covers
        # is refused here, naming the loaded documents, before any search could answer it from another one.
        if (refusal := self.scope.out_of_scope_answer(text, plan, notes)) is not None:
            return refusal
        # >>> issue 14 hook: a question across documents (years, 历年, over the years) gets one cited line per
        # document from assistant/compare.py; None means it is no such question and the normal path below answers.
        compared = answer_comparison(self.index, text, plan)
        if compared is not None:
            compared.notes[:0] = notes
            return compared
        # <<< issue 14 hook
        # A question asking several things ("去年降了多少，今年要降多少？") is answered part by part, each later
        # part reading the earlier ones as its conversation, so "今年还要再压多少？" knows what is pressed.
        if split and (parts := split_question(text)):
            turns, answers = list(history or ()), []
            for part in parts:
                answers.append(self.answer(part, turns, plan, [], split=False))
                turns += [{"role": "user", "content": part}, {"role": "assistant", "content": answers[-1].text}]
            joined = join_answers(text, parts, answers)
            joined.notes[:0] = notes
            return joined
        resolved = resolve(text, history, self._similar)
        plan = plan or self.scope.named_document(resolved.rewritten)
        target = self.sections.pointed(resolved, plan) if resolved.followup else None
        if target is not None:
            cid = self.index.citation_id(target)
            resolved.rewritten = (
                f"{resolved.question} ({cid}: {target.title})" if is_english(resolved.question)
                else f"{resolved.question}（{cid}「{target.title}」）"
            )
            resolved.how = "pointed"
            q = analyze(resolved.rewritten, kinds_from=resolved.question, translate=self._translate)
            # Pointing at a section says where to look, not that it holds what is asked: a figure asked of it
            # ("那地方这部分分到每个省是多少？" of a section giving only the total) is judged like any question.
            judged = any(q.wants(k) for k in (COUNT, *NEEDS_EVIDENCE))
            draft = self._outline(q, target) if target.kind == "box" else self._about_named(
                q, [target], plan, _said(resolved), judged=judged)
            return self._finish(text, resolved, draft, notes, started)
        q = analyze(
            resolved.rewritten,
            kinds_from=resolved.rewritten if resolved.how == "substituted" else resolved.question,
            context_terms=resolved.context_terms,
            translate=self._translate,
        )
        if resolved.followup:  # places the asker names now, not the earlier topic's ("那广州那边呢？")
            q.places = english_places(resolved.question) if q.english else place_names(resolved.question)
        titles = [p.title for name, p in self.index.loaded_plans().items() if plan in (None, name) and p.title]
        q.title_terms = _title_terms(q, titles)
        q = naming_the_document(q, q.title_terms, document_name_words(q.text, titles))
        draft = self._draft(q, resolved, plan)
        return self._finish(text, resolved, draft, notes, started)

    def _finish(self, text: str, resolved: Resolved, draft: Draft, notes: list[str], started: float) -> Answer:
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
        docs = self.scope.documents()
        several = len(docs) > 1
        return [
            Evidence(s, self.index.citation_id(s), start + i,
                     label=docs[s.plan].cite(s.id) if several and s.plan in docs else "")
            for i, s in enumerate(sections)
        ]

    def _draft(self, q: Question, resolved: Resolved, plan: str | None) -> Draft:
        sections = self.index.sections(plan)
        named, unknown = find_referenced(q.refs, sections)
        if unknown and not named:
            return self._unknown_reference(q, unknown, sections, plan)
        if named:
            return self._about_named(q, named, plan)
        titled = self.index.outline(plan).titles_in(q.text)
        item = nth_of(self.sections.children(titled[0]), relative_item(q.text)) if titled else None
        if item is not None:  # "创新基础提升计划那个专栏，第五项…", "… the last item"
            return self._about_named(q, [item], plan)
        if titled and wants_children(q) and self.sections.children(titled[0]):
            return self._outline(q, titled[0])
        qvec = self.index.embed_query(q.text)  # once, for the search and for scoring sentences
        hits = self.index.search(q.text, k=max(self.assistant.settings.k, CANDIDATES), plan=plan, query_vector=qvec)
        ordered: list[Section] = []
        prior: dict[tuple[str, str], float] = {}
        for i, s in enumerate(h.section for h in hits):
            prior.setdefault((s.plan, s.id), 1.0 / (1 + i))
        for s in [*titled[:1], *(h.section for h in hits)]:
            if s not in ordered:
                ordered.append(s)
        cited = self.sections.cited(resolved.previous_ids, plan) if resolved.followup else []
        previous = {(s.plan, s.id) for s in cited}
        for s in cited:  # the sections the last answer cited are candidates for "其中…" questions
            if s not in ordered:
                ordered.append(s)
        evidence = [
            Evidence(e.section, e.cite_id, e.rank, 1.0 if e.section in titled[:1] else prior.get((e.section.plan, e.section.id), 0.0),
                     e.label, (e.section.plan, e.section.id) in previous)
            for e in self._evidence(ordered)
        ]
        return self._compose(q, evidence, qvec=qvec, plan=plan, said=_said(resolved))

    def _compose(
        self, q: Question, evidence: Sequence[Evidence], *, force: bool = False, qvec: np.ndarray | None = None,
        plan: str | None = None, said: str = "",
    ) -> Draft:
        """Rank the sentences of `evidence`, decide whether they answer (unless `force`: the question named its
        sections), and quote the best ones."""
        qvec = self.index.embed_query(q.text) if qvec is None else qvec
        ranked = rank(q, evidence, self.assistant.scorer, qvec, self.assistant.model, self.scope.year_of)
        if said:  # "还有什么？": what the last answer quoted is no answer now
            ranked = ranked.without(said)
        if self.assistant.trace is not None:
            self.assistant.trace.append({"question": q, "ranked": ranked, "force": force, "in_scope": self.scope.in_scope(plan),
                                         "place_absent": self.scope.place_absent(q, plan), "year_of": self.scope.year_of})
        if force:
            verdict = Verdict(ranked.top is not None, "" if ranked.top is not None else "not_found")
        else:
            verdict = judge(q, ranked, self.assistant.scorer, in_scope=self.scope.in_scope(plan),
                            place_absent=self.scope.place_absent(q, plan), year_of=self.scope.year_of,
                            model=self.assistant.model)
        signals = {"relevance": round(verdict.relevance, 4), "coverage": round(verdict.coverage, 4),
                   "p_answerable": round(verdict.probability, 4)}
        if ranked.top is not None:
            signals.update(dense=round(ranked.top.dense, 4), lexical=round(ranked.top.lexical, 4))
        if not verdict.answerable:
            return self._refusal(q, verdict, ranked, signals, plan)
        passages = select(q, ranked, self.assistant.scorer, self.assistant.model)
        lead = passages[0].evidence.section if passages else None
        # "今年要重点做好哪几个方面的工作？": the best sentence only announces the parts ("八个方面工作"); a list
        # question gets the parts themselves, from the outline under that section.
        if lead is not None and q.wants(LIST) and ANNOUNCES_PARTS.search(passages[0].quote):
            if self.sections.children(lead):
                return self._outline(q, lead)
            # The parts are written out after the announcing sentence ("——保持经济中高速增长…"): name each.
            if heads := item_heads(lead, passages[0].end):
                passages[0] = replace(passages[0], heads=tuple(heads))
        passages = with_metric_quote(self.index, q, ranked, passages)
        return Draft(render(q, passages, self.scope.frame(plan)), passages, True, signals=signals)

    def _refusal(self, q: Question, verdict: Verdict, ranked, signals: dict, plan: str | None = None) -> Draft:
        related = [Passage(u.evidence, u.span.start, u.span.end, u.score) for u in ranked.best[:3]]
        return Draft(render_refusal(q, verdict, related, self.scope.frame(plan)), [], False, related, verdict.reason, signals)

    def _unknown_reference(self, q: Question, unknown: Sequence, sections: Sequence[Section], plan: str | None) -> Draft:
        ref = unknown[0]
        boxes = [s.id for s in sections if s.kind == "box"]
        detail = ref.text.strip()
        if ref.kind == "box" and boxes:
            detail += f"（现有专栏：{boxes[0]}–{boxes[-1]}）" if not q.english else f" (its boxes are {boxes[0]}–{boxes[-1]})"
        verdict = Verdict(False, "unknown_ref", detail)
        lines = render_refusal(q, verdict, [], self.scope.frame(plan))
        lines.append(
            "Run `plan-assistant sections` to see every section ID."
            if q.english
            else "可运行 `plan-assistant sections` 查看全部章节编号。"
        )
        return Draft(lines, [], False, [], "unknown_ref")

    def _outline(self, q: Question, parent: Section) -> Draft:
        children = self.sections.children(parent)
        passages = [lead_passage(e) for e in self._evidence(children)]
        return Draft(render_outline(q, self._evidence([parent])[0], passages), passages, True, signals={"structure": "outline"})

    def _about_named(self, q: Question, named: Sequence[Section], plan: str | None, said: str = "",
                     judged: bool = False) -> Draft:
        """Answer from sections the question named or pointed at; `judged`: whether they answer is still asked."""
        rest = remaining_terms(q, named)
        asks_box = any(w in q.text.lower() for w in ("专栏", "box")) and not any(s.kind in ("box", "box_item") for s in named)
        if asks_box:  # "第13条…它对应的是哪个专栏？"
            box = self.sections.box_for(named[0])
            if box is not None:
                return self._outline(q, box)
        if wants_name(q):
            passages = [Passage(e, 0, len(e.section.heading), 1.0) for e in self._evidence(named)]
            lines = [line for p in passages for line in render_section(q, p, name_only=True)]
            return Draft(lines, passages, True, signals={"structure": "name"})
        own = [s for s in named if s.body.strip() and any(t in s.text for t in rest)]
        if rest and own:  # "第五章“重点工程”里的五大工程分别是哪五个？": the chapter's own text says it
            return self._compose(q, self._evidence(own), force=not judged, plan=plan, said=said)
        if not judged and (not rest or (wants_children(q) and len(named) == 1 and self.sections.children(named[0]))):
            if len(named) == 1 and self.sections.children(named[0]) and (wants_children(q) or not named[0].body.strip()):
                return self._outline(q, named[0])
            lines: list[str] = []
            passages = []
            for e in self._evidence(named):
                p = lead_passage(e, max_chars=200, max_sentences=3)
                passages.append(p)
                lines.extend(render_section(q, p))
            return Draft(lines, passages, True, signals={"structure": "section"})
        # A question about something inside the named sections: answer from them and what they contain.
        return self._compose(q, self._evidence(self.sections.subtree(named, plan)), force=not judged, plan=plan,
                             said=said)

    def _translate(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """English phrases of `text` with the plan's Chinese words they translate to (CC-CEDICT)."""
        return self.index.translate(text)

    def _similar(self, text: str, candidates: Sequence[str]) -> np.ndarray:
        from index.embedder import embed_queries

        vectors = embed_queries(self.index.model, [text, *candidates])
        return vectors[1:] @ vectors[0]


def _title_terms(q: Question, titles: Sequence[str]) -> tuple[str, ...]:
    """The question's key terms that are words of the asked document's title (any loaded one's, when none is
    named): they may name the document, not what is asked of it."""
    return tuple(dict.fromkeys(t for g in q.groups for t in g if len(t) >= 2 and any(t in title for title in titles)))


def _said(resolved: Resolved) -> str:
    """What a follow-up asking for more ("还有什么？", "What else …?") must not quote again: the last answer."""
    return resolved.reply if resolved.followup and ASKS_MORE.search(resolved.question) else ""
