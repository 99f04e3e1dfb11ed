"""User interfaces over PlanAssistant: the Gradio web chat (`ui.web`) and the command line (`ui.cli`)."""

__all__ = ["app", "chat", "cli", "commands", "examples", "i18n", "memory", "render", "startup", "web"]
