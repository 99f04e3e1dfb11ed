"""Reading the plans a view of the index holds: the registry, the plans re-parsed from it, their sections."""
from __future__ import annotations

import time
from typing import Protocol

from .records import PlanInfo
from .sections import Plan, Section, parse_plan
from .settings import Settings
from .store import collection_exists, registry_collection
from .views import View


class Reader(Protocol):
    """What reading uses of a PlanIndex."""

    settings: Settings

    def _view(self) -> View: ...

    def loaded_plans(self) -> dict[str, Plan]: ...

    def require_plan(self, name: str | None) -> None: ...

    def citation_id(self, section: Section) -> str: ...


def registry_of(view: View, collection: str):
    """The view's plan registry, or None when nothing was ever indexed there (a reader never creates it)."""
    if not collection_exists(view.client, f"{collection}__plans"):
        return None
    return registry_collection(view.client, collection)


def plan_names(idx: Reader) -> list[str]:
    registry = registry_of(idx._view(), idx.settings.collection)
    return sorted(registry.get(include=[])["ids"]) if registry is not None else []


def loaded_plans(idx: Reader, recheck_seconds: float) -> dict[str, Plan]:
    """`PlanIndex.loaded_plans`: plans re-parsed from the stored text, only those whose checksum changed."""
    v = idx._view()
    checked, shas = v.plans_seen
    if v.plans is not None and checked > 0 and (v.frozen or time.monotonic() - checked < recheck_seconds):
        return v.plans
    registry = registry_of(v, idx.settings.collection)
    got = registry.get(include=["metadatas"]) if registry is not None else {"ids": [], "metadatas": []}
    current = {name: meta.get("sha256", "") for name, meta in zip(got["ids"], got["metadatas"])}
    if v.plans is None or current != shas:
        old = v.plans or {}
        stale = sorted(n for n in current if n not in old or shas.get(n) != current[n])
        fresh = registry.get(ids=stale, include=["documents", "metadatas"]) if stale and registry else {"ids": []}
        plans = {n: p for n, p in old.items() if n in current and n not in stale}
        for name, text, meta in zip(fresh["ids"], fresh.get("documents") or [], fresh.get("metadatas") or []):
            plans[name] = parse_plan(text, name=name, path=meta.get("source") or None)
        current = {n: current[n] for n in plans}  # a plan written between the two reads is picked up next time
        v.plans = dict(sorted(plans.items()))
    v.plans_seen = (time.monotonic(), current)
    return v.plans


def plan_infos(idx: Reader) -> list[PlanInfo]:
    registry = registry_of(idx._view(), idx.settings.collection)
    got = registry.get(include=["metadatas"]) if registry is not None else {"ids": [], "metadatas": []}
    return [
        PlanInfo(i, m.get("title", ""), int(m.get("sections", 0)), m.get("indexed_at", ""), m.get("sha256", ""), m.get("source", ""))
        for i, m in sorted(zip(got["ids"], got["metadatas"]))
    ]


def sections(idx: Reader, plan: str | None = None) -> tuple[Section, ...]:
    """`PlanIndex.sections`: every section (of `plan`), the same tuple while the plans stay the same."""
    idx.require_plan(plan)
    v = idx._view()
    plans = idx.loaded_plans()
    cache = v.sections_cache
    if cache.get("plans") is not plans:  # loaded_plans() builds a new dict whenever a plan changes
        cache.clear()
        cache["plans"] = plans
    if (plan,) not in cache:
        cache[(plan,)] = tuple(s for name, p in plans.items() if plan in (None, name) for s in p.sections)
    return cache[(plan,)]


def get(idx: Reader, section_id: str, plan: str | None = None) -> Section:
    """`PlanIndex.get`: a section by the ID `citation_id` gives."""
    section_id = section_id.strip().replace("：", ":")  # a Chinese keyboard types the full-width colon
    if ":" in section_id:
        named, rest = (part.strip() for part in section_id.split(":", 1))
        if plan in (None, named):  # "PLAN:ID" within that same plan is the same section
            plan, section_id = named, rest
    idx.require_plan(plan)
    found = [s for name, p in idx.loaded_plans().items() if plan in (None, name) if (s := p.get(section_id))]
    if len(found) > 1:
        options = ", ".join(idx.citation_id(s) for s in found)
        raise KeyError(f"Section {section_id!r} is in several plans; name the plan: {options}.")
    if not found:
        raise KeyError(f"No section {section_id!r}. See `plan-assistant sections` for the outline.")
    return found[0]


def citation_id(idx: Reader, section: Section) -> str:
    """`PlanIndex.citation_id`: the ID an answer cites."""
    return section.id if len(idx.loaded_plans()) <= 1 else f"{section.plan}:{section.id}"
