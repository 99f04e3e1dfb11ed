"""The browser chat in a real Chromium against a real `plan-assistant serve`: chips, source panel, outline, targets,
languages, plan and mode switches, and plan or user text shown as text, never run."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.slow, pytest.mark.browser]

DATA = Path(__file__).resolve().parents[1] / "data"
ANSWER_TIMEOUT = 120_000  # ms; the first answer also warms the model up
FINAL = ".pa-answer.pa-final, .pa-answer.pa-error"


@pytest.fixture(scope="module")
def page(browser, web_url, open_chat):
    with open_chat(browser, web_url, locale="zh-CN", clipboard=True) as pg:
        yield pg


@pytest.fixture(scope="module")
def section_ids(plan_index) -> set[str]:
    return {s.id for s in plan_index.sections()}


def ask(page, question: str):
    """Type a question, press Enter, wait for its finished answer bubble and return it."""
    done = page.locator(FINAL).count()
    page.fill("#pa-input textarea", question)
    page.press("#pa-input textarea", "Enter")
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n", arg=[FINAL, done], timeout=ANSWER_TIMEOUT
    )
    bubble = page.locator(FINAL).last
    assert "pa-error" not in (bubble.get_attribute("class") or ""), bubble.inner_text()
    return bubble


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def wait_source(page, sid: str) -> None:
    page.wait_for_function(
        "sid => document.querySelector('#pa-source-panel .pa-id')?.textContent === sid", arg=sid, timeout=30_000
    )


def test_chinese_question_cites_a_section_and_its_chip_opens_the_source(page, section_ids, screenshot):
    bubble = ask(page, "深圳要引进多少诺贝尔奖科学家？")
    chips = bubble.locator(".pa-sources button.pa-chip")
    assert chips.count() >= 1
    cited = [chips.nth(i).get_attribute("value") for i in range(chips.count())]
    assert set(cited) <= section_ids, cited
    assert "诺贝尔" in page.locator("#pa-chat").inner_text()  # Chinese shows as Chinese
    screenshot(page, "chat-zh-answer")

    chips.first.click()
    wait_source(page, cited[0])
    panel = page.locator("#pa-source-panel")
    assert panel.locator(".pa-crumbs").inner_text().strip()
    assert panel.locator("mark.pa-hl").count() >= 1, "the supporting sentence is highlighted"
    assert panel.locator("mark.pa-hl").first.inner_text().strip() in panel.locator(".pa-source-text").inner_text()
    screenshot(page, "chat-source-panel")


def test_follow_up_shows_the_question_that_was_searched(page, section_ids):
    bubble = ask(page, "那院士呢？")
    searched = bubble.locator(".pa-searched")
    assert searched.count() == 1, "an elliptical follow-up is searched as a rewritten question"
    assert searched.inner_text().strip()
    assert bubble.locator("button.pa-chip").count() >= 1
    assert {bubble.locator("button.pa-chip").nth(0).get_attribute("value")} <= section_ids


def test_english_question_gets_chinese_sections_as_chips(page, section_ids, screenshot):
    bubble = ask(page, "How many Nobel Prize scientists does Shenzhen plan to attract?")
    chips = bubble.locator("button.pa-chip")
    assert chips.count() >= 1
    assert {chips.nth(i).get_attribute("value") for i in range(chips.count())} <= section_ids
    screenshot(page, "chat-en-answer")


def test_question_the_plan_does_not_cover_says_so_and_lists_related_sections(page, section_ids, screenshot):
    questions = yaml.safe_load((DATA / "questions.yaml").read_text(encoding="utf-8"))
    question = next(q["question"] for q in questions if not q["answerable"] and q["lang"] == "zh" and not q.get("history"))
    bubble = ask(page, question)
    assert "pa-refusal" in bubble.get_attribute("class")
    related = bubble.locator(".pa-related button.pa-chip")
    assert related.count() >= 1
    assert related.first.get_attribute("value") in section_ids
    screenshot(page, "chat-refusal")


def test_copy_puts_the_answer_and_its_citations_on_the_clipboard(page):
    bubble = page.locator(".pa-answer.pa-final.pa-answered").first
    cited = bubble.locator(".pa-sources button.pa-chip").first.get_attribute("value")
    bubble.locator("button.pa-copy").click()
    page.wait_for_function("() => document.querySelector('button.pa-copy.pa-copied') !== null", timeout=10_000)
    text = page.evaluate("() => navigator.clipboard.readText()")
    assert f"[{cited}]" in text and "<button" not in text and "&lt;" not in text


def test_user_text_is_shown_as_text_and_never_run(page):
    evil = '<img src=x onerror="window.__pwned=1"><b>粗体</b><script>window.__pwned=2</script>'
    ask(page, evil)
    user = page.locator("#pa-chat .pa-user").last
    assert user.inner_text().strip() == evil
    assert user.locator("img, b, script").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    assert not page.errors  # type: ignore[attr-defined]


def test_outline_is_a_clickable_tree_of_every_section(page, plan_index, screenshot):
    open_tab(page, "提纲")
    nodes = page.locator("#pa-outline button.pa-node")
    nodes.first.wait_for(timeout=30_000)
    sections = plan_index.sections()
    assert nodes.count() == len(sections)
    nested = next(s for s in sections if s.parent_id and s.kind != "box_item")
    parent_node = page.locator(f"#pa-outline button.pa-node[value='{nested.parent_id}']")
    assert parent_node.locator("xpath=ancestor::details[1]//button[@value='%s']" % nested.id).count() == 1
    assert nested.title in page.locator("#pa-outline").inner_text()
    page.locator(f"#pa-outline button.pa-node[value='{nested.id}']").click()
    wait_source(page, nested.id)
    assert page.locator("#pa-source-panel .pa-title").inner_text() == nested.title
    screenshot(page, "outline")


def test_targets_table_lists_the_extracted_targets_and_searches_them(page, plan_index, screenshot):
    open_tab(page, "指标")
    rows = page.locator("#pa-targets tbody tr")
    rows.first.wait_for(timeout=30_000)
    targets = plan_index.targets()
    assert rows.count() == len(targets) > 0
    assert targets[0].text in rows.first.inner_text()
    screenshot(page, "targets")

    word = next(w for w in ("创客", targets[0].clause[:2]) if any(w in t.sentence for t in targets))
    page.locator("#pa-target-search textarea, #pa-target-search input").first.fill(word)
    expected = sum(1 for t in targets if word in " ".join((t.section_id, t.text, t.clause, t.sentence)))
    page.wait_for_function(
        "n => document.querySelectorAll('#pa-targets tbody tr').length === n", arg=expected, timeout=30_000
    )
    assert all(word in rows.nth(i).inner_text() for i in range(rows.count()))
    chip = rows.first.locator("button.pa-chip")
    sid = chip.get_attribute("value")
    chip.click()
    wait_source(page, sid)
    assert page.locator("#pa-source-panel mark.pa-hl").count() >= 1
    page.locator("#pa-target-search textarea, #pa-target-search input").first.fill("")


def test_language_switch_relabels_the_page(page, screenshot):
    page.get_by_label("English").check()
    page.get_by_role("tab", name="Outline").wait_for(timeout=30_000)
    open_tab(page, "Chat")
    assert page.locator("#pa-send").inner_text().strip() == "Send"
    screenshot(page, "english-labels")
    page.get_by_label("中文").check()
    page.get_by_role("tab", name="提纲").wait_for(timeout=30_000)


def test_single_offline_plan_has_no_plan_or_mode_switch(page):
    assert not page.locator("#pa-plan").is_visible()
    assert not page.locator("#pa-mode").is_visible()


def test_example_question_asks_and_clear_empties_the_chat(page):
    open_tab(page, "对话")
    examples = page.locator("#pa-examples button")
    assert examples.count() >= 3
    assert any("?" in examples.nth(i).inner_text() for i in range(examples.count())), "an English example"
    done = page.locator(FINAL).count()
    examples.first.click()
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n", arg=[FINAL, done], timeout=ANSWER_TIMEOUT
    )
    page.locator("#pa-clear").click()
    page.wait_for_function("() => document.querySelectorAll('#pa-chat .pa-answer').length === 0", timeout=30_000)
    assert page.locator("#pa-source-panel .pa-source-head").count() == 0


# -- a fresh home with two synthetic plans, one of them hostile, an LLM configured and English labels ----------

EVIL_PLAN = """恶意<script>window.__pwned=1</script>规划

一、总体要求<img src=x onerror=__pwned=2>

到2025年建设<b>创新</b>平台30个以上，每年新增孵化器5家。

二、重点任务

(一)平台建设

1. 实验室<script>__pwned=3</script>

建设${window.__pwned=4}与{{value}}实验室10个，<a href="javascript:window.__pwned=5">链接</a>。
"""

OTHER_PLAN = """某区产业发展规划

一、发展目标

到2025年全区产业规模达到500亿元。

二、主要任务

1. 发展先进制造业

培育先进制造业龙头企业20家，建设智能工厂。
"""


@pytest.fixture(scope="module")
def two_plans_url(tmp_path_factory, run_cli, cli_env, plan_index, serve_plan_assistant):
    root = tmp_path_factory.mktemp("two-plans")
    (root / "evil.txt").write_text(EVIL_PLAN, encoding="utf-8")
    (root / "other.txt").write_text(OTHER_PLAN, encoding="utf-8")
    env = {"PLAN_ASSISTANT_HOME": str(root / "home")}
    out = run_cli("index", "--plan", str(root / "evil.txt"), "--plan", str(root / "other.txt"), env=env)
    assert out.returncode == 0, out.stderr
    env = {
        **cli_env, **env,
        "PLAN_ASSISTANT_UI_LANG": "en",
        "PLAN_ASSISTANT_LLM_BASE_URL": "http://127.0.0.1:9/v1",  # nothing listens there
        "PLAN_ASSISTANT_LLM_MODEL": "none",
        "PLAN_ASSISTANT_LLM_TIMEOUT": "5",
    }
    with serve_plan_assistant(env, root / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def page2(browser, two_plans_url, open_chat):
    with open_chat(browser, two_plans_url) as pg:
        yield pg


def test_plan_text_is_shown_as_text_and_never_run(page2, screenshot):
    open_tab(page2, "Outline")
    outline = page2.locator("#pa-outline")
    outline.locator("button.pa-node").first.wait_for(timeout=30_000)
    text = outline.inner_text()
    assert "<script>__pwned=3</script>" in text
    assert "<img src=x onerror=__pwned=2>" in text
    assert outline.locator("script, img").count() == 0
    page2.locator("#pa-outline button.pa-node[value='evil:二(一)1']").click()
    wait_source(page2, "evil:二(一)1")
    source = page2.locator("#pa-source-panel .pa-source-text").inner_text()
    assert "${window.__pwned=4}" in source and "{{value}}" in source and "javascript:" in source
    assert page2.locator("#pa-source-panel a, #pa-source-panel script").count() == 0
    open_tab(page2, "Targets")
    page2.locator("#pa-targets tbody tr").first.wait_for(timeout=30_000)
    assert "<b>创新</b>" in page2.locator("#pa-targets").inner_text()
    assert page2.evaluate("() => window.__pwned") is None
    assert not page2.errors  # type: ignore[attr-defined]
    screenshot(page2, "hostile-plan-escaped")


def test_labels_follow_the_configured_language(page2):
    for name in ("Chat", "Outline", "Targets"):
        assert page2.get_by_role("tab", name=name).count() == 1
    assert page2.locator("#pa-send").inner_text().strip() == "Send"


def test_plan_selector_limits_answers_outline_and_targets_to_one_plan(page2):
    assert page2.locator("#pa-plan").is_visible()
    page2.locator("#pa-plan input").click()
    page2.get_by_role("option", name="某区产业发展规划").click()
    page2.wait_for_function(
        "() => !document.querySelector('#pa-outline').innerText.includes('__pwned')", timeout=30_000
    )
    open_tab(page2, "Chat")
    bubble = ask(page2, "产业规模要达到多少？")
    chips = bubble.locator("button.pa-chip")
    assert chips.count() >= 1
    assert all(chips.nth(i).get_attribute("value").startswith("other:") for i in range(chips.count()))


def test_mode_switch_appears_with_an_llm_and_a_dead_one_gives_a_friendly_answer(page2):
    assert page2.locator("#pa-mode").is_visible()
    page2.locator("#pa-mode").get_by_label("LLM").check()
    done = page2.locator(FINAL).count()
    page2.fill("#pa-input textarea", "产业规模要达到多少？")
    page2.press("#pa-input textarea", "Enter")
    page2.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n", arg=[FINAL, done], timeout=ANSWER_TIMEOUT
    )
    text = page2.locator("#pa-chat").inner_text()
    assert "Traceback" not in text and 'File "' not in text
    assert page2.locator(FINAL).last.inner_text().strip()
