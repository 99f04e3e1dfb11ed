"""What `serve` does before the page is built: the login rule, the launch options and the answerer's warm-up."""
from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from index import Settings

if TYPE_CHECKING:
    from assistant import PlanAssistant

__all__ = ["LOCAL_HOSTS", "WARM_UP_QUESTION", "answer_warm_up", "auth_for", "launch_options", "warm_up"]

log = logging.getLogger(__name__)

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
WARM_UP_QUESTION = "规划的主要内容是什么？"


def auth_for(settings: Settings) -> list[tuple[str, str]] | None:
    """Anything but localhost needs a login: refuse to start without one."""
    if settings.host in LOCAL_HOSTS:
        return None
    if not (settings.username and settings.password):
        raise ValueError(
            f"Binding {settings.host} exposes the chat to the network: set PLAN_ASSISTANT_USERNAME and "
            "PLAN_ASSISTANT_PASSWORD first (or bind 127.0.0.1)."
        )
    return [(settings.username, settings.password)]


def launch_options(settings: Settings) -> dict[str, Any]:
    """Arguments for `Blocks.launch`: the bind address, login when needed, never a share link, no tracebacks."""
    return dict(
        server_name=settings.host,
        server_port=settings.port,
        auth=auth_for(settings),
        auth_message="plan-assistant",
        share=False,
        show_error=False,
        footer_links=["api"],
    )


def answer_warm_up(pa: PlanAssistant) -> None:
    """Answer one throw-away question, so the model and the answerer's caches are loaded by the time the first
    user asks. A failure is logged: it only means the first user waits."""
    started = time.perf_counter()
    try:
        pa.ask(WARM_UP_QUESTION)
        log.info("warm-up answered in %.1fs", time.perf_counter() - started)
    except Exception:  # noqa: BLE001 - see above
        log.warning("warm-up question failed", exc_info=True)


def warm_up(pa: PlanAssistant, ready: threading.Event) -> threading.Thread:
    """`answer_warm_up` on a thread of its own, then set `ready`: `ui.web.serve` without an answerer builds the page
    meanwhile (`plan-assistant serve` warms up in its worker process instead, ui/worker.py)."""

    def run() -> None:
        try:
            answer_warm_up(pa)
        finally:
            ready.set()

    thread = threading.Thread(target=run, name="plan-assistant-warm-up", daemon=True)
    thread.start()
    return thread
