"""User interfaces over PlanAssistant: the Gradio web chat (`ui.web`) and the command line (`ui.cli`)."""
import os

# Before any ui module imports gradio (ui.chat, ui.app): gradio reads this on import and would phone home otherwise.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

__all__ = ["app", "chat", "cli", "commands", "examples", "i18n", "memory", "render", "startup", "web"]
