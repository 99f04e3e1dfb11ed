"""`serve`'s answerer in a process of its own, so importing gradio and opening the answerer use two cores at once.

Both are a few seconds of Python holding the GIL (gradio's import ~3 s, the answerer's open and warm-up ~2.5 s):
in one process they add up, and `serve`'s first answer came 7-8 s after its start (issue 13: 5 s). The page's
process forks this worker before importing anything heavy; the worker opens the PlanAssistant and answers a
warm-up question while the page process imports gradio. The page then calls the worker through
multiprocessing's manager: `RemoteAssistant` offers what ui/chat.py and ui/app.py use of a PlanAssistant
(`ask`, `stream`, `modes`, `settings`, and `index`'s outline, targets and section lookups), and each call crosses
a local socket with its arguments and result pickled (the records are plain dataclasses).
"""
from __future__ import annotations

import ctypes
import multiprocessing
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from multiprocessing.managers import BaseManager, IteratorProxy
from pathlib import Path
from typing import Any

from index import Settings

from .memory import MemoryTrimmer
from .startup import answer_warm_up

__all__ = ["AnswerWorker", "RemoteAssistant"]


# What the page reads of the index (ui/chat.py): each is a PlanIndex method whose result pickles.
INDEX_CALLS = ("plans", "plan_names", "sections", "targets", "periods", "metrics", "citation_id", "get", "require_plan")


class _Service:
    """In the worker: the PlanAssistant, opened and warmed up when the page asks for it."""

    def __init__(self, settings: Settings) -> None:
        from assistant import PlanAssistant

        self.trimmer = MemoryTrimmer()  # this process allocates what answering frees (see ui/memory.py)
        # The manager reports an error raised here as traceback text: kept, the page asks for it and raises it
        # as itself (a missing plan file is one clear line, not a traceback).
        self.error: Exception | None = None
        try:
            self.pa = PlanAssistant.open(settings)
        except Exception as exc:  # noqa: BLE001 - see above
            self.error = exc
            return
        answer_warm_up(self.pa)

    def opening_error(self) -> Exception | None:
        return self.error

    def ask(self, question: str, history: Sequence[dict] | None = None, **options: Any) -> Any:
        try:
            return self.pa.ask(question, history, **options)
        finally:
            self.trimmer.answered()

    def stream(self, question: str, history: Sequence[dict] | None = None, **options: Any) -> Iterator:
        try:
            yield from self.pa.stream(question, history, **options)
        finally:
            self.trimmer.answered()

    def modes(self) -> list[str]:
        return list(self.pa.modes)

    def index_call(self, name: str, *args: Any) -> Any:
        if name not in INDEX_CALLS:
            raise AttributeError(f"the page does not read PlanIndex.{name}")
        return getattr(self.pa.index, name)(*args)


class _Manager(BaseManager):
    pass


_Manager.register("Service", _Service, method_to_typeid={"stream": "Iterator"})
_Manager.register("Iterator", proxytype=IteratorProxy, create_method=False)


def _start_method() -> str:
    """fork starts the worker at once; spawn starts a new interpreter that imports the CLI again (~0.5 s more to
    the first answer). But a fork copies every lock as it is at that moment: a process with other threads, Python's
    or native ones (Chroma's Rust runtime, torch's OpenMP pool, OpenBLAS), can hang in the worker. So: fork a
    process with one thread, as `plan-assistant serve` is when it starts the worker; spawn from anything else (a
    notebook, the tests)."""
    return "fork" if _os_threads() == 1 else "spawn"


def _os_threads() -> int:
    """The process's threads as the kernel counts them (Linux); elsewhere 0, which never forks."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("Threads:")), 0)


def _die_with_parent() -> None:
    """Linux: the worker gets SIGTERM when the page process dies, even by SIGKILL, instead of living on."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


class _RemoteIndex:
    """The PlanIndex methods the page calls, answered by the worker's index."""

    def __init__(self, service: Any) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        if name not in INDEX_CALLS:
            raise AttributeError(name)
        return lambda *args: self._service.index_call(name, *args)


class RemoteAssistant:
    """A PlanAssistant in the worker process, as the page sees it."""

    def __init__(self, service: Any, settings: Settings) -> None:
        self._service = service
        self.settings = settings
        self.index = _RemoteIndex(service)
        self.modes = service.modes()

    def ask(self, question: str, history: Sequence[dict] | None = None, **options: Any) -> Any:
        return self._service.ask(question, list(history or []), **options)

    def stream(self, question: str, history: Sequence[dict] | None = None, **options: Any) -> Iterator:
        yield from self._service.stream(question, list(history or []), **options)


class AnswerWorker:
    """Start the worker now; `assistant()` waits until it has opened the answerer and warmed it up."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._manager = _Manager(ctx=multiprocessing.get_context(_start_method()))
        self._manager.start(initializer=_die_with_parent)
        self._result: dict[str, Any] = {}
        self._opening = threading.Thread(target=self._open, name="plan-assistant-worker-open", daemon=True)
        self._opening.start()

    def _open(self) -> None:
        try:
            self._result["service"] = self._manager.Service(self.settings)  # blocks while the worker opens
        except BaseException as exc:  # noqa: BLE001 - re-raised in assistant(), on the caller's thread
            self._result["error"] = exc

    def assistant(self) -> RemoteAssistant:
        """The worker's answerer, once it is open and warm; its opening error (no index, no model) raised here."""
        self._opening.join()
        error = self._result.get("error") or self._result["service"].opening_error()
        if error is not None:
            self.close()
            raise error
        return RemoteAssistant(self._result["service"], self.settings)

    def close(self) -> None:
        self._manager.shutdown()
