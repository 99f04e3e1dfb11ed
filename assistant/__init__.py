"""Turns a question and its history into a short answer that cites the plan's section numbers."""
from .plan_assistant import PlanAssistant
from .records import Answer, Citation

__all__ = ["Answer", "Citation", "PlanAssistant"]
