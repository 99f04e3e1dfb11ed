"""Quantitative targets are found by general patterns in any plan's text, without false ones (years, names, numbers)."""
from __future__ import annotations

import pytest

from index import DEFAULT_PLAN, load_plan, parse_plan
from index.targets import Target, extract_targets, section_targets

SYNTHETIC = """某市科技发展“十四五”规划

一、主要目标

到2025年，研发投入强度达到5.5%，高新技术企业不少于3万家，每年新增孵化器20个以上、众创空间30个。
建成两个国家实验室，引进8～10家研究机构，人才总量约120万人，培育百分之三十的企业，万元产值能耗下降15%左右。
实施“十大工程”，推进二期建设与3+2协同，布局5G、G20合作，进入世界500强，成熟一个、启动一个。

专栏1 重点项目

1. 基础设施。投资1.5亿元建设１２个平台，第3批项目不超过6项。
"""


@pytest.fixture(scope="module")
def synthetic() -> list[Target]:
    return extract_targets(parse_plan(SYNTHETIC, name="synthetic").sections)


def _by_text(targets: list[Target]) -> dict[str, Target]:
    return {t.text: t for t in targets}


def test_numbers_with_units_qualifiers_ranges_and_percentages(synthetic):
    found = _by_text(synthetic)
    assert found["5.5%"].unit == "%" and found["5.5%"].value == 5.5
    assert found["3万家"].unit == "万家" and found["3万家"].bound == "min"  # 不少于
    assert found["20个以上"].bound == "min" and found["20个以上"].rate == "每年"
    assert found["30个"].rate == "每年", "a rate carries over a 、-list within its clause"
    assert found["8～10家"].bound == "range" and (found["8～10家"].value, found["8～10家"].high) == (8, 10)
    assert found["120万人"].bound == "about"  # 约
    assert found["15%左右"].bound == "about"
    assert found["两个"].value == 2
    assert found["百分之三十"].value == 30 and found["百分之三十"].unit == "%"
    assert found["1.5亿元"].unit == "亿元" and found["1.5亿元"].value == 1.5
    assert found["１２个"].value == 12, "full-width digits count"
    assert found["6项"].bound == "max"  # 不超过


def test_a_count_in_two_magnitudes_is_one_figure():
    plan = parse_plan("某报告\n\n一、回顾\n高速铁路运营里程从9000多公里增加到2万5千公里，惠及1亿5千万人。\n", name="mixed")
    found = _by_text(extract_targets(plan.sections))
    assert found["2万5千公里"].value == 2.5 and found["2万5千公里"].unit == "万公里", "25,000 km, not 2万"
    assert found["1亿5千万人"].value == 1.5 and found["1亿5千万人"].unit == "亿人"
    assert "2万" not in found and found["9000多公里"].bound == "min"


def test_years_names_and_item_numbers_are_not_targets(synthetic):
    texts = {t.text for t in synthetic}
    # 2025年, 十四五, 十大, 二期, 3+2, 5G, G20, 500强, 一个, 专栏1, 第3批: none of them is a quantity.
    assert texts == {
        "5.5%", "3万家", "20个以上", "30个", "两个", "8～10家", "120万人", "百分之三十", "15%左右", "1.5亿元", "１２个", "6项",
    }


def test_each_target_knows_its_clause_sentence_and_offsets():
    plan = parse_plan(SYNTHETIC, name="synthetic")
    for section in plan.sections:
        for t in section_targets(section):
            assert section.text[t.start : t.end] == t.text
            assert t.text in t.clause and t.clause in t.sentence and t.sentence in section.text
            assert t.section_id == section.id and t.plan == "synthetic"
            assert not t.clause.startswith(section.marker) or not section.marker


def test_the_default_plan_table():
    targets = extract_targets(load_plan(DEFAULT_PLAN).sections)
    rows = {(t.section_id, t.text) for t in targets}
    for expected in [("专栏11.5", "2200家以上"), ("专栏11.6", "8-10家"), ("五(二)8", "40个"), ("专栏12.2", "190名"),
                     ("五(一)3", "10名以上"), ("专栏16.3", "2-3家")]:
        assert expected in rows, expected
    yearly = next(t for t in targets if (t.section_id, t.text) == ("五(二)8", "40个"))
    assert yearly.rate == "每年" and "创客空间" in yearly.clause
    assert not any(t.text.startswith(("2020", "2016", "十三五")) for t in targets)
    assert not any(t.section_id.startswith("专栏") and t.section_id.count(".") == 0 for t in targets), "box numbers"


@pytest.mark.slow
def test_plan_index_exposes_the_targets(plan_index):
    targets = plan_index.targets()
    assert {t.section_id for t in targets} <= {s.id for s in plan_index.sections()}
    assert any(t.text == "2200家以上" for t in targets)
    assert plan_index.targets(plan=plan_index.plan_names()[0]) == targets
    with pytest.raises(KeyError):
        plan_index.targets(plan="no-such-plan")
