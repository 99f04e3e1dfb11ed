"""Turns a question and its history into a short answer that cites the plan's section numbers."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Each name is imported from its module on first use: unpickling an Answer (`serve`'s page process receives them
# from its answerer process, ui/worker.py) then imports assistant.records alone, not Chroma.
_EXPORTS = {"Answer": "records", "Citation": "records", "PlanAssistant": "plan_assistant"}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .plan_assistant import PlanAssistant
    from .records import Answer, Citation


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
