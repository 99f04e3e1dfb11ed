"""Evidence of an asked kind of fact in a sentence (assistant/evidence.py)."""
from __future__ import annotations

from assistant.evidence import NUMBER, counted_unit, has_figure


def _numbers(text: str) -> list[str]:
    return [m.group() for m in NUMBER.finditer(text)]


def test_a_name_with_digits_or_an_ordinal_is_no_figure() -> None:
    assert _numbers("货币政策保持稳健中性，广义货币M2增速呈下降趋势。") == []
    assert _numbers("做好第七次全国人口普查。") == []
    assert _numbers("重点地区细颗粒物（PM2.5）平均浓度下降30%以上。") == ["30"]
    assert _numbers("国内生产总值增长6.5%左右，新建十个实验室。") == ["6.5", "十"]


def test_a_year_or_a_number_of_years_is_no_figure_a_how_many_question_wants() -> None:
    assert not has_figure("经济增速预期目标的设定，并同近两年平均经济增速以及“十四五”规划目标要求相衔接。")
    assert not has_figure("到2020年基本建成。")
    assert has_figure("2016年国内生产总值增长6.7%。")
    assert has_figure("建设10个以上科学实验室。")


def test_an_english_counted_thing_that_is_a_measure_word_is_the_asked_unit() -> None:
    assert counted_unit([("万户", "家庭", "居家")]) == "户"  # "How many households": as 多少户
    assert counted_unit([("万人", "人们", "人口")]) == "人"
    assert counted_unit([("企业",)]) is None  # 企业 is counted in 家, but the word itself is no measure
