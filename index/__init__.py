"""Turns plan files into numbered sections, embeds them into Chroma and searches them."""
from .plan_index import BuildReport, Hit, PlanIndex, PlanInfo
from .readers import PlanFileError, read_plan_text
from .sections import Plan, Section, load_plan, parse_plan
from .settings import DEFAULT_PLAN, Settings
from .store import CorruptIndexError, IndexBusyError, IndexError_, ModelMismatchError

__all__ = [
    "DEFAULT_PLAN",
    "BuildReport",
    "CorruptIndexError",
    "Hit",
    "IndexBusyError",
    "IndexError_",
    "ModelMismatchError",
    "Plan",
    "PlanFileError",
    "PlanIndex",
    "PlanInfo",
    "Section",
    "Settings",
    "load_plan",
    "parse_plan",
    "read_plan_text",
]
