"""User interfaces over PlanAssistant: the Gradio web chat (`ui.web`) and the command line (`ui.cli`)."""

__all__ = ["cli", "examples", "i18n", "render", "startup", "web"]
