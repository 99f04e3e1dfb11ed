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


def test_a_common_word_starting_many_names_is_no_place() -> None:
    # "Year" starts 24 CC-CEDICT names (Year of the Horse: 午马, tagged a place by jieba), "North" 8.
    assert english_places("How many urban jobs were created over the 13th Five-Year Plan period?") == []
    assert english_places("What does the report say about the Three-North shelterbelt programme?") == []
    assert english_places("When is the Guangdong–Hong Kong–Macao Greater Bay Area plan due?") == ["广东", "香港", "澳门"]
    assert english_places("What is Shenzhen Technology University for?") == ["深圳"]
