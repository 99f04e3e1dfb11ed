"""The chat's HTML: everything escaped, citations turned into chips, quotes highlighted, the targets table."""
from __future__ import annotations

import html as html_lib
import re

from assistant import Answer, Citation
from index import parse_plan
from index.targets import extract_targets
from ui.i18n import LABELS, normalize_lang, t
from ui.render import SectionView, highlight, render_answer, render_section, render_targets, render_user

EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&'


def _answer(**kw) -> Answer:
    cites = [Citation("五(一)3", "组建十大诺贝尔奖科学家实验室", "柔性引进10名以上诺贝尔奖科学家。")]
    base = dict(question="多少？", text="柔性引进10名以上诺贝尔奖科学家。[五(一)3]", citations=cites, rewritten_question="多少？")
    base.update(kw)
    return Answer(**base)


def test_user_and_answer_text_is_escaped():
    assert "<script>" not in render_user(EVIL) and "&lt;script&gt;" in render_user(EVIL)
    html = render_answer(_answer(text=EVIL, citations=[Citation("五", EVIL, EVIL)]), 0, "zh")
    assert "<script>" not in html and "<img" not in html
    assert html.count("&lt;script&gt;") >= 2


def test_inline_citations_become_chips_and_unknown_brackets_stay_text():
    html = render_answer(_answer(text="引进10名以上。[五(一)3] 另见[附件1]。"), 2, "zh")
    inline = re.findall(r'<button type="button" class="pa-chip pa-inline" value="([^"]+)" name="2"', html)
    assert inline == ["五(一)3"]
    assert "[附件1]" in html
    assert 'class="pa-sources"' in html and "pa-answered" in html


def test_bare_ids_of_cited_sections_become_chips_but_a_lone_chapter_number_does_not():
    cites = [Citation("专栏11", "创新基础提升计划", "q"), Citation("专栏11.3", "实验室", "q"), Citation("五", "重点工程", "q")]
    html = render_answer(_answer(text="见专栏11.3与专栏11，五大工程见[五]。专栏11.30不是。", citations=cites), 0, "zh")
    text = html.split('class="pa-sources"')[0]
    assert re.findall(r'class="pa-chip pa-inline" value="([^"]+)"', text) == ["专栏11.3", "专栏11", "五"]
    assert "五大工程" in text and "专栏11.30不是" in text


def test_a_refusal_lists_related_sections_and_a_rewritten_follow_up_is_shown():
    related = [Citation("专栏12.2", "创新创业人才队伍", "引进海内外院士100名")]
    html = render_answer(_answer(text="规划没有提到。", citations=[], answerable=False, related=related,
                                 rewritten_question="深圳要引进多少院士？"), 0, "zh")
    assert "pa-refusal" in html and 'class="pa-related"' in html and 'value="专栏12.2"' in html
    assert 'class="pa-searched"' in html and "深圳要引进多少院士？" in html
    assert 'class="pa-searched"' not in render_answer(_answer(), 0, "zh")


def test_copy_button_holds_the_plain_text_with_citations():
    answer = _answer()
    html = render_answer(answer, 0, "en")
    value = re.search(r'class="pa-copy" value="([^"]*)"', html).group(1)
    assert html_lib.unescape(value) == answer.as_plain_text()
    assert "[五(一)3]" in value and "Copy" in html


def test_highlight_marks_the_quote_and_the_pieces_of_a_shortened_one():
    text = "第一句很长的话。第二句也很长的话。第三句<b>。"
    assert highlight(text, ["第二句也很长的话。"]).count('<mark class="pa-hl">') == 1
    shortened = highlight(text, ["……第一句很长的话。……第三句<b>。"])
    assert shortened.count('<mark class="pa-hl">') == 2 and "&lt;b&gt;" in shortened and "<b>" not in shortened
    assert "<mark" not in highlight(text, ["不在原文里"])


def test_source_panel_shows_path_title_text_and_navigation():
    view = SectionView("五(一)3", "标题<i>", "正文<script>x</script>。引进10名。", ["五、重点工程", "(一)<b>"],
                       parent=("五(一)", "工程"), children=[("五(一)3.1", "子项")])
    html = render_section(view, "zh", quote="引进10名。")
    assert "<script>" not in html and "<i>" not in html and "&lt;b&gt;" in html
    assert '<mark class="pa-hl">引进10名。</mark>' in html
    assert 'value="五(一)"' in html and 'value="五(一)3.1"' in html
    assert "找不到章节" in render_section(None, "zh", missing="X")


def test_targets_table_escapes_and_highlights():
    plan = parse_plan("一、目标\n\n建设<b>平台</b>30个以上。\n", name="p")
    targets = extract_targets(plan.sections)
    html = render_targets([("一", tg) for tg in targets], len(targets), "zh")
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert '<mark class="pa-hl">30个以上</mark>' in html and "不低于" in html


def test_labels_exist_in_both_languages():
    assert all(set(v) == {"zh", "en"} for v in LABELS.values())
    assert normalize_lang("en-US") == "en" and normalize_lang("English") == "en" and normalize_lang("fr") == "zh"
    assert t("targets_count", "en", n=3) == "3 targets"
