"""serve: the Gradio web chat (ui/app.py's page over PlanAssistant) launched and served until interrupted."""
from __future__ import annotations

import threading

from assistant import PlanAssistant
from index import Settings

from .app import QUEUE_CONCURRENCY, build_app
from .startup import launch_options, warm_up

__all__ = ["QUEUE_MAX_SIZE", "serve"]

QUEUE_MAX_SIZE = 64  # beyond this, new requests are refused at once instead of waiting without end


def serve(settings: Settings, pa: PlanAssistant | None = None, ready: threading.Event | None = None) -> None:
    """Serve the chat until interrupted. `pa` and `ready`: an answerer opened and a warm-up started before gradio
    was imported (`plan-assistant serve` does that); without them they are made here."""
    options = launch_options(settings)  # fails before the slow start when a login is missing
    if pa is None or ready is None:
        pa, ready = PlanAssistant.open(settings), threading.Event()
        warm_up(pa, ready)
    app = build_app(pa, ready=ready)
    app.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    app.launch(prevent_thread_lock=True, **options)
    app.block_thread()
