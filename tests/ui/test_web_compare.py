"""The targets tab with several documents, in a real Chromium against a real `plan-assistant serve`: the table of
targets side by side, a citation chip that opens its source, the charts drawn; and a comparative answer in chat."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

R16, R17, R24 = (f"government-work-report-{y}" for y in (2016, 2017, 2024))
ANSWER_TIMEOUT = 180_000
FINAL = ".pa-answer.pa-final, .pa-answer.pa-error"


@pytest.fixture(scope="module")
def compare_url(serve_plan_assistant, cli_env, compare_home, tmp_path_factory):
    log = tmp_path_factory.mktemp("serve-compare") / "serve.log"
    with serve_plan_assistant({**cli_env, "PLAN_ASSISTANT_HOME": str(compare_home)}, log) as url:
        yield url


@pytest.fixture(scope="module")
def page(browser, compare_url, open_chat):
    with open_chat(browser, compare_url, height=1100, locale="zh-CN") as pg:
        yield pg


def test_targets_side_by_side_with_chips_and_charts(page, screenshot):
    page.get_by_role("tab", name="指标").click()
    table = page.locator("#pa-metrics table.pa-metrics-table")
    table.wait_for(timeout=30_000)
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert headers[2:] == ["2016", "2017", "2024"], "a column per document, in time order"
    growth = table.locator("tbody tr", has_text="国内生产总值增长").first
    assert [c.strip() for c in growth.locator("td").all_inner_texts()[2:]] == ["6.5%－7%", "6.5%左右", "5%左右"]

    chip = growth.locator(f'button.pa-chip[value="{R24}:二"]')
    chip.click()
    page.wait_for_function(
        "sid => document.querySelector('#pa-source-panel .pa-id')?.textContent === sid", arg=f"{R24}:二", timeout=30_000
    )
    marked = page.locator("#pa-source-panel mark.pa-hl").first.inner_text()
    assert "5%左右" in marked, marked

    chart = page.locator("#pa-metrics-chart")
    chart.scroll_into_view_if_needed()
    page.wait_for_selector("#pa-metrics-chart canvas, #pa-metrics-chart svg.marks", timeout=30_000)
    box = page.locator("#pa-metrics-chart canvas, #pa-metrics-chart svg.marks").first.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100, box
    screenshot(page, "targets-compare")
    table.scroll_into_view_if_needed()
    screenshot(page, "targets-compare-table")
    assert not page.errors, page.errors


def test_a_comparative_question_in_chat_cites_each_document(page):
    page.get_by_role("tab", name="对话").click()
    done = page.locator(FINAL).count()
    page.fill("#pa-input textarea", "历年的城镇新增就业目标是多少？")
    page.press("#pa-input textarea", "Enter")
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n", arg=[FINAL, done], timeout=ANSWER_TIMEOUT
    )
    bubble = page.locator(FINAL).last
    cited = [b.get_attribute("value") for b in bubble.locator(".pa-sources button.pa-chip").all()]
    assert cited == [f"{R16}:三", f"{R17}:二", f"{R24}:二"]
    text = bubble.locator(".pa-text").inner_text()
    assert "1000万人以上" in text and "1200万人以上" in text
