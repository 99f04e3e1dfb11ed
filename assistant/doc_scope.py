"""The documents asked about: their names, how answers frame them, the terms and places they hold, scope refusals."""
from __future__ import annotations

from typing import Callable

from index import PlanIndex, Section

from .rendering import Frame
from .documents import Document, describe, named_in, reviewed_in
from .question import Question
from .terms import is_english, place_names, tagging_runs
from .records import Answer
from .scope import out_of_scope


class DocumentScope:
    """The loaded documents as PlanAssistant reads them, each reading kept for one state of the index."""

    def __init__(self, index: PlanIndex) -> None:
        self.index = index
        self._places: dict[tuple[str, str | None], bool] = {}  # see mentions_place(): valid for `_places_for`
        self._places_for: tuple[Section, ...] | None = None
        self._scope_texts: dict[str | None, tuple[tuple[Section, ...], str]] = {}
        self._documents: tuple[object, dict[str, Document]] = (None, {})
        self._years: dict[tuple[str, str], int | None] = {}  # (plan, title) -> its own year

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

    def year_of(self, plan: str) -> int | None:
        """A document's own year (a report's: the year it sets targets for), from its title or name; None for a
        document about several years (a five-year plan) or none."""
        from index.periods import document_period

        loaded = self.index.loaded_plans().get(plan)
        key = (plan, loaded.title if loaded else "")
        if key not in self._years:  # asked once per candidate sentence: read each document's period once
            period = document_period(*key)
            self._years[key] = period.start if period.start is not None and period.start == period.end else None
        return self._years[key]

    def place_absent(self, q: Question, plan: str | None) -> float:
        """The share of the places the question names that the documents asked about never name: 1 for "上海要建设…",
        1/2 for "China's inflation against the United States'" (a refusal signal, weighed by the fitted model)."""
        if not q.places:
            return 0.0
        return sum(not self.mentions_place(p, plan) for p in q.places) / len(q.places)

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
        # Documents of several kinds: named as one set, so the answer's singular frames read right ("The set of loaded
        # documents speaks to this in 3 places"; "The the loaded documents speaks…" before).
        return Frame("已加载的文件", "set of loaded documents", several)

    def named_document(self, text: str) -> str | None:
        """The loaded document a question names ("2017年政府工作报告…"), or the one that reviews the year whose results
        it asks for, when several are loaded."""
        docs = self.documents()
        if len(docs) < 2:
            return None
        doc = named_in(text, docs.values()) or reviewed_in(text, docs.values())
        return doc.name if doc else None

    def out_of_scope_answer(self, text: str, plan: str | None, notes: list[str]) -> Answer | None:
        plans = {n: p for n, p in self.index.loaded_plans().items() if plan in (None, n)}
        refusal = out_of_scope(text, plans, english=is_english(text))
        if refusal is None:
            return None
        return Answer(
            question=text, text=refusal, answerable=False, rewritten_question=text, mode="offline", notes=notes,
            verification={"offline": {"reason": "out_of_scope", "loaded": sorted(plans)}},
        )
