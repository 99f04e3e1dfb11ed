"""WebChat: the web chat's display state and handlers, turning page events into PlanAssistant calls."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

import gradio as gr

from index import Section

from .charts import metrics_chart
from .examples import example_questions
from .i18n import normalize_lang, t
from .memory import MemoryTrimmer
from .render import (
    OutlineNode,
    SectionView,
    esc,
    render_answer,
    render_error,
    render_outline,
    render_pending,
    render_section,
    render_metrics,
    render_source_hint,
    render_streaming,
    render_targets,
    render_user,
)

if TYPE_CHECKING:
    from assistant import PlanAssistant

__all__ = ["MAX_QUESTION_CHARS", "WARM_UP_WAIT", "WebChat"]

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
WARM_UP_WAIT = 300.0  # seconds a question waits for the warm-up at most


@dataclass(frozen=True)
class _Plan:
    name: str
    title: str


class WebChat:
    """Display state the page needs from the index (outline, targets, section views), computed once."""

    def __init__(self, pa: PlanAssistant, lang: str, ready: threading.Event | None = None) -> None:
        self.pa = pa
        self.lang = lang
        self.ready = ready  # set once `serve`'s warm-up answered; None when there is no warm-up
        self.trimmer = MemoryTrimmer()
        index = pa.index
        infos = {info.name: info for info in index.plans()}
        names = index.plan_names() if hasattr(index, "plan_names") else sorted(infos)
        self.plans = [_Plan(n, (infos[n].title if n in infos else "") or n) for n in names]
        self.multi = len(self.plans) > 1
        self.sections = index.sections()
        self._by_key = {(s.plan, s.id): s for s in self.sections}
        self._children: dict[tuple[str, str], list[Section]] = {}
        for s in self.sections:
            if s.parent_id:
                self._children.setdefault((s.plan, s.parent_id), []).append(s)
        self.targets = [(self.cid(self._by_key[(tg.plan, tg.section_id)]), tg) for tg in index.targets()]
        # Targets across documents (index/metrics.py): grouped once here, shown when several documents are loaded.
        self.periods = index.periods() if self.multi and hasattr(index, "periods") else []
        self.metrics = index.metrics() if self.periods else []
        self.examples = example_questions(self.sections, [tg for _, tg in self.targets])

    def wait_until_ready(self) -> None:
        """Questions that arrive during the warm-up wait for it: it loads what they need anyway, and loading the
        answerer's caches from two threads at once is not safe."""
        if self.ready is not None:
            self.ready.wait(timeout=WARM_UP_WAIT)

    def cid(self, section: Section) -> str:
        return self.pa.index.citation_id(section)

    def plan_title(self, name: str) -> str:
        return next((p.title for p in self.plans if p.name == name), name)

    # -- views ------------------------------------------------------------------
    def section_view(self, cid: str) -> SectionView | None:
        try:
            s = self.pa.index.get(cid)
        except (KeyError, ValueError):
            return None
        parent = self._by_key.get((s.plan, s.parent_id)) if s.parent_id else None
        return SectionView(
            cid=self.cid(s),
            title=s.title,
            text=s.text,
            path=list(s.path),
            plan_title=self.plan_title(s.plan) if self.multi else "",
            parent=(self.cid(parent), parent.title) if parent else None,
            children=[(self.cid(c), c.title) for c in self._children.get((s.plan, s.id), [])],
        )

    def outline_html(self, plan: str, lang: str) -> str:
        def node(s: Section) -> OutlineNode:
            return OutlineNode(self.cid(s), s.title, s.kind, [node(c) for c in self._children.get((s.plan, s.id), [])])

        trees = []
        for p in self.plans:
            if plan and p.name != plan:
                continue
            roots = [s for s in self.sections if s.plan == p.name and not s.parent_id]
            trees.append((p.title, [node(s) for s in roots]))
        return render_outline(trees, lang)

    def targets_html(self, query: str, plan: str, lang: str) -> str:
        rows = [(cid, tg) for cid, tg in self.targets if not plan or tg.plan == plan]
        total = len(rows)
        words = (query or "").split()
        if words:
            def haystack(cid: str, tg: Any) -> str:
                return " ".join((cid, tg.text, tg.clause, tg.sentence, tg.unit, tg.rate)).lower()

            rows = [(cid, tg) for cid, tg in rows if all(w.lower() in haystack(cid, tg) for w in words)]
        return render_targets(rows, total, lang)

    def metrics_html(self, query: str, plan: str, lang: str) -> str:
        """The documents' targets side by side (only when several documents are shown, i.e. no plan is selected)."""
        if not self.periods or plan:
            return ""
        words = [w.lower() for w in (query or "").split()]
        rows = [
            m for m in self.metrics
            if all(any(w in x.lower() for x in (m.metric, *m.subjects, *(c.value for c in m.cells))) for w in words)
        ]
        columns = [(p.plan, p.label if p.start is not None else self.plan_title(p.plan)) for p in self.periods]
        shown = {c.plan for m in self.metrics for c in m.cells}
        columns = [c for c in columns if c[0] in shown]

        def cite(plan: str, section_id: str) -> str:
            return self.cid(self._by_key[(plan, section_id)])

        return render_metrics(rows, columns, cite, lang)

    def metrics_plot(self, plan: str, lang: str) -> Any:
        """Line charts of the shared targets over the documents' years (None: nothing to draw)."""
        if not self.periods or plan:
            return None
        return metrics_chart(self.metrics, self.periods, t("metrics_chart", lang))

    def source_html(self, current: dict | None, lang: str) -> str:
        if not current or not current.get("sid"):
            return render_source_hint(lang)
        sid = current["sid"]
        return render_section(self.section_view(sid), lang, quote=current.get("quote", ""), missing=sid)

    def header_html(self, lang: str) -> str:
        title = self.plans[0].title if len(self.plans) == 1 else t("app_title", lang)
        return (
            f'<div class="pa-header"><h2 style="margin:0">{esc(title)}</h2>'
            f'<p class="pa-muted" style="margin:2px 0 0">{esc(t("subtitle", lang))}</p></div>'
        )

    # -- handlers -----------------------------------------------------------------
    def respond(
        self, message: str, chat: list, turns: list, answers: list, plan: str, mode: str, lang: str
    ) -> Iterator[tuple]:
        """Stream one answer into the chat; the plain turns go to PlanAssistant as history."""
        lang = normalize_lang(lang, self.lang)
        # An empty question still goes to the answerer, which says what to type.
        message = (message or "").strip()[:MAX_QUESTION_CHARS]
        chat, turns, answers = list(chat or []), list(turns or []), list(answers or [])
        chat += [{"role": "user", "content": render_user(message)}, {"role": "assistant", "content": render_pending(lang)}]
        yield chat, "", turns, answers
        try:
            self.wait_until_ready()
            final = None
            for text, answer in self.pa.stream(message, list(turns), plan=plan or None, mode=mode or None):
                if answer is None:
                    chat[-1] = {"role": "assistant", "content": render_streaming(text, lang)}
                    yield chat, gr.skip(), gr.skip(), gr.skip()
                else:
                    final = answer
            if final is None:
                raise RuntimeError("the answerer returned no answer")
            chat[-1] = {"role": "assistant", "content": render_answer(final, len(answers), lang)}
            turns += [{"role": "user", "content": message}, {"role": "assistant", "content": final.text}]
            answers.append(final)
        except (ValueError, KeyError) as exc:  # what the user can fix: say it plainly
            reason = exc.args[0] if exc.args else str(exc)
            chat[-1] = {"role": "assistant", "content": render_error(str(reason), lang)}
        except Exception:
            log.exception("answering %r failed", message)
            chat[-1] = {"role": "assistant", "content": render_error(t("error_internal", lang), lang)}
        self.trimmer.answered()
        yield chat, gr.skip(), turns, answers

    def show_source(self, answers: list, lang: str, evt: gr.EventData) -> tuple[str, dict]:
        """A chip was clicked: show its section, the cited sentence highlighted."""
        lang = normalize_lang(lang, self.lang)
        data = getattr(evt, "_data", None)
        data = data if isinstance(data, dict) else {}  # the browser sends a dict; any other client, anything
        sid = str(data.get("sid") or "")[:200]
        ref = str(data.get("ref") or "")[:12]
        quote = str(data.get("quote") or "")[:2000]
        if not quote and ref.isdecimal() and int(ref) < len(answers or []):
            answer = answers[int(ref)]
            cited = [*answer.citations, *(getattr(answer, "related", None) or [])]
            quote = next((c.quote for c in cited if c.id == sid), "")
        current = {"sid": sid, "quote": quote}
        try:
            return self.source_html(current, lang), current
        except Exception:
            log.exception("showing section %r failed", sid)
            return render_section(None, lang, missing=sid), current

    def api_ask(self, question: str, history: list[dict] | None = None, plan: str = "", mode: str = "") -> dict:
        """Answer a question about the plan: the answer JSON (answer, answerable, citations with id, title, quote)."""
        try:
            require_plan = getattr(self.pa.index, "require_plan", None)
            if plan and require_plan:  # a mistyped plan name is the caller's to fix: say which plans exist
                require_plan(plan)
            self.wait_until_ready()
            answer = self.pa.ask((question or "")[:MAX_QUESTION_CHARS], list(history or []), plan=plan or None, mode=mode or None)
        except (ValueError, KeyError) as exc:
            raise gr.Error(str(exc.args[0] if exc.args else exc)) from None
        except Exception:
            log.exception("api ask %r failed", question)
            raise gr.Error("The question could not be answered (internal error, see the server log).") from None
        finally:
            self.trimmer.answered()
        return answer.to_json()
