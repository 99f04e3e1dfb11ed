"""The unit a figure is asked per ("每户", "each household", "per mu"), and whether a sentence gives one per it."""
from __future__ import annotations

import re
from collections.abc import Sequence

from .cues import NOT_A_UNIT, PER_CAPITA_EN, PER_UNIT_EN, PER_UNIT_ZH, STATES_PER
from .terms import Translate, is_english

__all__ = ["asked_units", "missing", "states_per"]

_PERSON = ("人", "人均")  # "per capita" / "per head" is 人均


def asked_units(text: str, translate: Translate | None = None) -> list[tuple[str, ...]] | None:
    """The forms (Chinese) of each unit the question asks a figure per, or None when it asks none this can check.
    An English unit the documents have no word for gives an empty tuple: no sentence of theirs states a figure per
    it ("per mu": the reports count land in 亩 only as totals)."""
    if is_english(text):
        if translate is None:  # the documents' words are not known: nothing to check against
            return None
        units: list[tuple[str, ...]] = []
        if PER_CAPITA_EN.search(text):
            units.append(_PERSON)
        for m in PER_UNIT_EN.finditer(text):
            word = m.group("unit").lower()
            if NOT_A_UNIT.fullmatch(word):  # cues: "each of", "each year", "per capita" (read above)
                continue
            words = {w for _, ws in translate(word) for w in ws}
            units.append(_forms(words))
        return units or None
    units = []
    for m in PER_UNIT_ZH.finditer(text):
        unit = m.group("unit") or m.group("before")
        if unit and not NOT_A_UNIT.fullmatch(unit):  # cues: 每年, 每万人, 每次 keep the older test
            units.append((unit,))
    return units or None


def _forms(words: set[str]) -> tuple[str, ...]:
    """A translation's words and, for two-character ones, each character ("家庭" gives 家: "每家"; "日子" gives 日:
    "日均"): a sentence writes the unit after 每 as one character as often as a word."""
    out = set(words)
    out.update(ch for w in words if len(w) == 2 for ch in w if ch not in "每均")
    return tuple(sorted(out))


def states_per(sentence: str, forms: Sequence[str]) -> bool:
    """Does the sentence give a figure per one of `forms` ("每户", "每个家庭", "户均", "人均")?"""
    for form in forms:
        if form.startswith("每") or form.endswith("均"):
            if form in sentence:
                return True
        elif re.search(f"每(?:一个|个|位|名|一)?{re.escape(form)}|{re.escape(form)}均", sentence):
            return True
    return False


def missing(question: str, units: list[tuple[str, ...]] | None, texts: Sequence[str]) -> bool:
    """No sentence of `texts` gives a figure per every unit asked (any 每 / 均 when no unit could be read)."""
    if units is None:
        return not any(STATES_PER.search(t) for t in texts)
    return not any(all(states_per(t, forms) for forms in units) for t in texts)
