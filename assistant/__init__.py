"""Turns a question and its history into a short answer that cites the plan's section numbers."""
from __future__ import annotations

from typing import TYPE_CHECKING

from index.lazy import lazy_exports

# Each name is imported from its module on first use: unpickling an Answer (`serve`'s page process receives them
# from its answerer process, ui/worker.py) then imports assistant.records alone, not Chroma.
_EXPORTS = {"Answer": "records", "Citation": "records", "PlanAssistant": "plan_assistant"}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .plan_assistant import PlanAssistant
    from .records import Answer, Citation

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
