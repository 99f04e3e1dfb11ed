"""The items a sentence announces (assistant/lists.py), on the 2016 government work report's own text."""
from __future__ import annotations

from pathlib import Path

from assistant.lists import item_heads
from assistant.passages import Evidence, Passage
from index import load_plan

REPORTS = Path(__file__).resolve().parent.parent / "data" / "corpora" / "gov-work-reports"


def test_the_announced_items_are_named_by_their_first_sentences() -> None:
    section = load_plan(REPORTS / "government-work-report-2016.txt").get("二")
    after = section.text.index("突出了以下六个方面。") + len("突出了以下六个方面。")
    heads = [section.text[s:e] for s, e in item_heads(section, after)]
    assert len(heads) == 6
    assert heads[0] == "——保持经济中高速增长，推动产业迈向中高端水平。"
    assert heads[1] == "——强化创新引领作用，为发展注入强大动力。"
    # Shown under the quote, one per line; the citation's quote stays the verbatim announcing stretch.
    start = section.text.index("《纲要草案》紧紧围绕")
    p = Passage(Evidence(section, "二", 0), start, after, 1.0, heads=tuple(item_heads(section, after)))
    assert p.quote.endswith("突出了以下六个方面。") and p.quote in section.text
    assert p.display.splitlines()[1:] == heads


def test_no_items_follow_no_heads() -> None:
    section = load_plan(REPORTS / "government-work-report-2016.txt").get("二")
    first = section.text.index("。") + 1  # a sentence followed by more prose, not by items
    assert item_heads(section, first) == []
