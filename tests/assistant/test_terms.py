"""Key terms of a question (assistant/terms.py), on jieba's real cut."""
from __future__ import annotations

from assistant.terms import content_terms, english_places


def test_names_written_with_digits_are_key_terms() -> None:
    # M2, PM2.5, G20 are what is asked about; they had been dropped, so "2017年的M2实际增长了多少？" searched 增长.
    assert "M2" in content_terms("2017年的M2实际增长了多少？")
    assert "PM2.5" in content_terms("PM2.5浓度下降了多少？")
    assert "G20" in content_terms("G20峰会在哪里举办？")
    assert "5G" in content_terms("5G什么时候开始商用？")
    assert content_terms("增长了多少？") == ["增长"]  # interrogatives and particles stay out


def test_words_saying_which_document_and_how_related_are_no_key_terms() -> None:
    # "这份报告里跟就业有关的…": 这份 and 有关 say which document and how it relates, not what about; as key terms
    # they outweighed 就业 in "继续适当降低“五险一金”有关缴费比例" (dev ra-045).
    assert "这份" not in content_terms("这份报告里跟就业有关的数字都有哪些？")
    assert "有关" not in content_terms("这份报告里跟就业有关的数字都有哪些？")
    assert "就业" in content_terms("这份报告里跟就业有关的数字都有哪些？")


def test_a_common_word_starting_many_names_is_no_place() -> None:
    # "Year" starts 24 CC-CEDICT names (Year of the Horse: 午马, tagged a place by jieba), "North" 8.
    assert english_places("How many urban jobs were created over the 13th Five-Year Plan period?") == []
    assert english_places("What does the report say about the Three-North shelterbelt programme?") == []
    assert english_places("When is the Guangdong–Hong Kong–Macao Greater Bay Area plan due?") == ["广东", "香港", "澳门"]
    assert english_places("What is Shenzhen Technology University for?") == ["深圳"]


def _translator(tmp_path, text: str):
    """The real dictionary translator (index.lexical) over a one-report corpus of `text`."""
    from index import load_plan
    from index.lexical import LexicalIndex
    from index.records import passage_text

    report = tmp_path / "report.txt"
    report.write_text(text, encoding="utf-8")
    doc = load_plan(report)
    return LexicalIndex(doc.sections, [passage_text(s) for s in doc.sections]).translate


def test_an_acronym_in_a_chinese_question_stands_with_the_words_the_report_spells_out(tmp_path) -> None:
    from assistant.question import analyze

    translate = _translator(tmp_path, "2016年政府工作报告\n一、主要目标\n单位国内生产总值能耗下降3.4%以上。\n")
    groups = analyze("单位GDP能耗今年要降多少？", translate=translate).groups
    assert any("gdp" in g and "国内生产总值" in g for g in groups)
    assert ("能耗",) in groups  # a Chinese term stays its own group


def test_a_place_is_named_as_chinese_text_names_it() -> None:
    # CC-CEDICT glosses 米国 (Japanese usage) "United States" before 美国: jieba's frequencies pick the usual name.
    assert english_places("How did China's inflation compare with inflation in the United States?") == ["中国", "美国"]


def test_words_no_question_is_about_bring_no_translations(tmp_path) -> None:
    # "part" (部分, 分别) and "else" (其他) are in the document, so the dictionary translated them into groups every
    # sentence with 部分 or 其他 matched, though they are not key terms; "city" still finds 城市.
    from assistant.question import analyze

    translate = _translator(tmp_path, "2018年政府工作报告\n一、重点工作\n强化产品质量监管。其他部分分别推进。城市低排放区建设。\n")
    groups = analyze("What else does that part of the report say about product quality?", translate=translate).groups
    assert not any(w in g for g in groups for w in ("部分", "分别", "其他"))
    assert any("质量" in g for g in groups) and any("产品" in g for g in groups)
    city = analyze("Is there any plan for low-emission zones in the city?", translate=translate).groups
    assert any("城市" in g for g in city)


def test_the_documents_name_as_the_question_writes_it_is_no_topic() -> None:
    # "2023年的政府工作报告里哪些地方谈到住房？" is about housing: 政府 and 工作 name the report (its title holds the
    # whole stretch, 的 aside), 哪些地方谈到 asks for every place. A title word elsewhere stays a topic.
    from assistant.question import analyze, document_name_words, naming_the_document

    titles = ["2023年政府工作报告"]
    q = analyze("2023年的政府工作报告里哪些地方谈到住房？")
    q = naming_the_document(q, ["2023", "政府", "工作", "报告"], document_name_words(q.text, titles))
    assert q.groups == [("住房",)]
    other = analyze("地方政府专项债券今年安排多少？")
    other = naming_the_document(other, ["政府"], document_name_words(other.text, titles))
    assert ("政府",) in other.groups and ("地方",) in other.groups
