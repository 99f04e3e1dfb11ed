"""The Gradio web chat: a thin layer over PlanAssistant."""
from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant import PlanAssistant  # noqa: E402
from index import Settings  # noqa: E402

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def build_app(pa: PlanAssistant) -> gr.Blocks:
    def respond(message: str, history: list[dict]) -> str:
        answer = pa.ask(message, history=history)
        return answer.text

    with gr.Blocks(title="plan-assistant") as app:
        gr.ChatInterface(respond, api_name="chat")
    return app


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


def serve(settings: Settings) -> None:
    auth = auth_for(settings)
    app = build_app(PlanAssistant.open(settings))
    app.queue(default_concurrency_limit=2, max_size=64)
    app.launch(server_name=settings.host, server_port=settings.port, auth=auth, share=False, show_error=False)
