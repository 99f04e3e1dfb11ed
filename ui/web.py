"""serve: the Gradio web chat (ui/app.py's page over PlanAssistant) launched and served until interrupted."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from index import Settings

from .app import QUEUE_CONCURRENCY, build_app
from .startup import launch_options, warm_up

if TYPE_CHECKING:
    from assistant import PlanAssistant

    from .worker import RemoteAssistant

__all__ = ["QUEUE_MAX_SIZE", "serve"]

QUEUE_MAX_SIZE = 64  # beyond this, new requests are refused at once instead of waiting without end


def serve(
    settings: Settings, pa: PlanAssistant | RemoteAssistant | None = None, ready: threading.Event | None = None
) -> None:
    """Serve the chat until interrupted. `pa`: the answerer, in this process or in a worker process
    (`plan-assistant serve` starts one, ui/worker.py); `ready` is set once it has warmed up (None: it has).
    Without `pa`, one is opened here and warmed up while the page is built."""
    options = launch_options(settings)  # fails before the slow start when a login is missing
    if pa is None:
        from assistant import PlanAssistant

        pa, ready = PlanAssistant.open(settings), threading.Event()
        warm_up(pa, ready)
    app = build_app(pa, ready=ready)
    app.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    app.launch(prevent_thread_lock=True, **options)
    app.block_thread()
