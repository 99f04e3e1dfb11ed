"""What `--rebuild` embeds again: every plan the index holds, from its stored text, or from its file when that is unreadable."""
from __future__ import annotations

import hashlib
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .generations import Generations, read_manifest
from .readers import PlanFileError
from .sections import Plan, load_plan, parse_plan
from .settings import Settings


class HeldIndex(Protocol):
    """What recovery reads of a PlanIndex: its settings, its generations and the plans it serves."""

    settings: Settings
    _generations: Generations

    def loaded_plans(self) -> dict[str, Plan]: ...

    def plans(self) -> list[Any]: ...

log = logging.getLogger(__name__)

STORED = "stored text"  # Recovered.origin of a plan rebuilt from the text the index holds


@dataclass(frozen=True)
class Recovered:
    """One plan the index held, and where its text for the rebuild comes from."""

    name: str
    plan: Plan | None  # None: lost, neither its stored text nor its file could be read
    origin: str  # STORED, or the file it was read from, or "" when lost
    source: str = ""  # the file it was indexed from, as recorded
    note: str = ""  # why it did not come from its stored text


@dataclass
class Recovery:
    plans: list[Recovered] = field(default_factory=list)
    unknown: str = ""  # why the list of held plans itself could not be read, when it could not


@dataclass(frozen=True)
class _Held:
    name: str
    text: str | None
    sha256: str
    source: str


def recover_plans(idx: HeldIndex) -> Recovery:
    """Every plan `idx` holds, each with its text: the stored text when it reads back whole (its checksum
    matches the one recorded), else the file at its recorded path; plans found in neither are named as lost."""
    held, why = _through_chroma(idx)
    gens = idx._generations
    current = gens.current() if gens is not None else None
    if held is None and current is not None:
        # The registry's own rows, straight from SQLite (they survive lost vector files), and the list of plans
        # written beside the index when it was published (it survives a SQLite file that cannot be read at all).
        held = _from_sqlite(current / "chroma.sqlite3", f"{idx.settings.collection}__plans") or []
        names = {h.name for h in held}
        held += [
            _Held(m["name"], None, m.get("sha256", ""), m.get("source", ""))
            for m in read_manifest(current)
            if m["name"] not in names
        ]
        held = held or None
    if held is None:
        return Recovery(unknown=why or "the index could not be read")
    recovery = Recovery()
    for item in held:
        recovery.plans.append(_recover_one(item, unreadable=why))
    return recovery


def _recover_one(item: _Held, unreadable: str) -> Recovered:
    if item.text is not None:
        digest = hashlib.sha256(item.text.encode("utf-8")).hexdigest()
        if not item.sha256 or digest == item.sha256:
            plan = parse_plan(item.text, name=item.name, path=item.source or None)
            return Recovered(item.name, plan, STORED, item.source)
        note = "its stored text does not match its checksum"
    else:
        note = "its stored text is unreadable" + (f" ({unreadable})" if unreadable else "")
    if not item.source:
        return Recovered(item.name, None, "", "", f"{note}, and no file was recorded for it")
    try:
        plan = load_plan(item.source, item.name)
    except (PlanFileError, OSError, ValueError) as exc:
        return Recovered(item.name, None, "", item.source, f"{note}, and its file cannot be read ({exc})")
    if item.sha256 and plan.sha256 != item.sha256:
        note += "; the file changed since it was indexed"
    return Recovered(item.name, plan, item.source, item.source, note)


def _through_chroma(idx: HeldIndex) -> tuple[list[_Held] | None, str]:
    try:
        plans = idx.loaded_plans()
        infos = idx.plans()
    except Exception as exc:  # noqa: BLE001 - a corrupt index fails in many ways; the next source is tried
        log.info("stored plans unreadable through Chroma: %s", exc)
        return None, _short(exc)
    held = []
    for info in infos:
        plan = plans.get(info.name)
        held.append(_Held(info.name, plan.text if plan else None, info.sha256, info.source))
    return held, ""


def _from_sqlite(db: Path, registry: str) -> list[_Held] | None:
    """The registry's texts and metadata from Chroma's SQLite file, read-only (Chroma 1.x schema)."""
    if not db.is_file():
        return None
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error:
        return None
    try:
        rows = con.execute(
            "SELECT e.embedding_id, m.key, m.string_value FROM collections c "
            "JOIN segments s ON s.collection = c.id AND s.scope = 'METADATA' "
            "JOIN embeddings e ON e.segment_id = s.id JOIN embedding_metadata m ON m.id = e.id "
            "WHERE c.name = ? AND m.key IN ('chroma:document', 'sha256', 'source')",
            (registry,),
        ).fetchall()
    except sqlite3.Error as exc:
        log.info("stored plans unreadable from SQLite: %s", exc)
        return None
    finally:
        con.close()
    found: dict[str, dict[str, str]] = {}
    for name, key, value in rows:
        found.setdefault(name, {})[key] = value
    if not found:
        return None
    return [
        _Held(name, meta.get("chroma:document"), meta.get("sha256") or "", meta.get("source") or "")
        for name, meta in sorted(found.items())
    ]


def _short(exc: Exception) -> str:
    text = str(exc).split(". Run `plan-assistant")[0]
    return text if len(text) < 300 else text[:297] + "…"
