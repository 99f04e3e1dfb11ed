"""The generalization suite: the bundled plan and seven government work reports indexed together, questions written
from their text alone, split once into dev (tuned on) and test (reported). Floors on both splits catch regressions."""
from __future__ import annotations

import pytest

from assistant.eval_questions import load_suite, open_suite_index
from assistant.eval_report import column
from assistant.evaluation import evaluate

pytestmark = pytest.mark.slow

# Floors a little under what `plan-assistant eval` measured in stop 25 (README, Evaluation): refused 0.714 / 0.485,
# cited 0.924 / 0.914, fact 0.740 / 0.681, follow-ups 0.796 / 0.522, answerable refused 0.045 / 0.032 (dev / test).
# These are far from where the answerer should be; the floors only stop it from getting worse, with room for vectors
# that differ in the last bits on another CPU (bf16 or not).
FLOORS = {
    "unanswerable questions refused": 0.40,
    "an expected section cited": 0.80,
    "the asked-for fact in the answer": 0.50,
    "follow-up turns right": 0.45,
}
CEILINGS = {"answerable questions refused": 0.10}


@pytest.fixture(scope="session")
def suite_assistant(settings, model):
    from assistant import PlanAssistant

    return PlanAssistant(open_suite_index(settings, load_suite()))


@pytest.fixture(scope="session")
def suite_run(suite_assistant):
    suite = load_suite()
    questions = suite.questions()
    report = evaluate(suite_assistant.index, questions, assistant=suite_assistant, question_set=str(suite.path))
    return report, questions


def test_the_split_was_made_once_and_covers_every_question(suite_run):
    _, questions = suite_run
    assert {q.split for q in questions} == {"dev", "test"}
    by_conv: dict[str, set[str]] = {}
    for q in questions:
        if q.conv:
            by_conv.setdefault(q.conv, set()).add(q.split)
    assert all(len(splits) == 1 for splits in by_conv.values()), "a conversation is split across dev and test"
    kinds = {
        "unanswerable": sum(not q.answerable for q in questions),
        "follow-ups": sum(bool(q.history) for q in questions),
        "English": sum(q.lang == "en" for q in questions),
        "multi-section": sum("multi" in q.tags for q in questions),
    }
    assert kinds["unanswerable"] >= 60 and kinds["follow-ups"] >= 40 and kinds["English"] >= 40 and kinds["multi-section"] >= 25


@pytest.mark.parametrize("split", ["dev", "test"])
def test_floors_hold_on_each_split(suite_run, split):
    report, questions = suite_run
    assert not [r for r in report.results if r.error], [r.error for r in report.results if r.error][:3]
    figures = column(report, questions, lambda q: q.split == split)
    for label, floor in FLOORS.items():
        assert figures[label]["value"] >= floor, (split, label, figures[label])
    for label, ceiling in CEILINGS.items():
        assert figures[label]["value"] <= ceiling, (split, label, figures[label])


def test_reports_are_named_as_people_name_them(suite_run):
    """With several documents loaded, answers name a report by its title, never by its file stem."""
    report, questions = suite_run
    by_id = {q.id: q for q in questions}
    answered = [
        r for r in report.results
        if by_id[r.id].answerable and r.cited and by_id[r.id].expected[0].startswith("government-work-report")
        and "compare" not in by_id[r.id].tags
    ]
    assert answered
    for r in answered:
        assert "government-work-report" not in r.answer and "》" in r.answer, r.answer
