"""Turns plan files into numbered sections, embeds them into Chroma and searches them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_exports

# Each name is imported from its module on first use: `from index.dictionary import …` or `from index import
# Settings` then costs no Chroma import, so a command can start loading the model before Chroma (issue 13).
_EXPORTS = {
    "DEFAULT_PLAN": "settings",
    "BuildReport": "records",
    "CorruptIndexError": "errors",
    "Hit": "records",
    "IndexBusyError": "errors",
    "IndexError_": "errors",
    "ModelMismatchError": "errors",
    "Plan": "sections",
    "PlanFileError": "readers",
    "PlanIndex": "plan_index",
    "PlanInfo": "records",
    "Section": "sections",
    "Settings": "settings",
    "load_plan": "sections",
    "parse_plan": "sections",
    "read_plan_text": "readers",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .errors import CorruptIndexError, IndexBusyError, IndexError_, ModelMismatchError
    from .plan_index import PlanIndex
    from .readers import PlanFileError, read_plan_text
    from .records import BuildReport, Hit, PlanInfo
    from .sections import Plan, Section, load_plan, parse_plan
    from .settings import DEFAULT_PLAN, Settings

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
