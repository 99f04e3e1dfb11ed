"""Figures of several documents grouped into metrics: goals told apart from results, one cell per document in time
order, on the seven government work reports (tests/data/corpora) with the real model."""
from __future__ import annotations

from pathlib import Path

import pytest

from index import load_plan
from index.figures import figures, subject_of
from index.metrics import group_metrics, metrics_json

REPORTS = Path(__file__).resolve().parents[1] / "data" / "corpora" / "gov-work-reports"
YEARS = (2016, 2017, 2018, 2021, 2022, 2023, 2024)
GROWTH = {2016: "6.5%－7%", 2017: "6.5%左右", 2018: "6.5%左右", 2021: "6%以上", 2022: "5.5%左右", 2023: "5%左右", 2024: "5%左右"}


@pytest.fixture(scope="module")
def reports():
    return {y: load_plan(REPORTS / f"government-work-report-{y}.txt") for y in YEARS}


@pytest.fixture(scope="module")
def embed(model):
    from index.embedder import embed_queries

    cache: dict[str, object] = {}

    def run(texts):
        import numpy as np

        new = [t for t in dict.fromkeys(texts) if t not in cache]
        if new:
            cache.update(zip(new, embed_queries(model, new)))
        return np.stack([cache[t] for t in texts])

    return run


@pytest.fixture(scope="module")
def seven(reports, embed):
    return group_metrics(list(reports.values()), embed)


def _row(metrics, value_by_plan: dict[str, str]):
    """The row holding all these figures."""
    for m in metrics:
        if all(m.cell(p) is not None and m.cell(p).value == v for p, v in value_by_plan.items()):
            return m
    return None


def test_a_report_reviews_last_year_with_results_and_sets_this_years_goals(reports):
    found = {(f.section_id, f.target.text): f for f in figures(reports[2024])}
    first = next(f for f in figures(reports[2024]) if f.target.text == "5.2%")  # 国内生产总值…，增长5.2%
    assert first.kind == "outcome", "去年实际增长 5.2% (chapter 一, 2023年工作回顾)"
    assert first.subject == "国内生产总值增长", "a bare 增长 takes the subject of the clause before"
    assert found[("二", "5%左右")].kind == "target", "今年预期目标 5%左右"
    assert found[("二", "1800亿元")].delta, "比上年增加 is a change, not a level"
    assert found[("一", "1.39万亿斤")].kind == "outcome" and found[("二", "1.3万亿斤以上")].kind == "target"
    # A mixed chapter (“十三五”时期发展成就和“十四五”时期主要目标任务): the period the text last named decides.
    mixed = {(f.section_id, f.target.text): f for f in figures(reports[2021])}
    assert mixed[("二", "6000万人")].kind == "outcome" and mixed[("二", "6000万人")].horizon == "period"
    assert mixed[("二", "5.5%以内")].kind == "target" and mixed[("二", "5.5%以内")].horizon == "period"
    assert mixed[("三", "5.5%左右")].horizon == "year"
    # "投入强度高于“十三五”时期实际" names 十三五 as a baseline: the 十四五 goals after it stay goals.
    assert mixed[("二", "65%")].kind == "target" and mixed[("二", "24.1%")].kind == "target"


def test_subject_drops_time_words_and_linking_verbs():
    text = "今年赤字率拟按3%安排，国内生产总值达到67.7万亿元，增长6.9%。"
    assert subject_of(text, text.index("3%")) == "赤字率"
    assert subject_of(text, text.index("6.9%")) == "国内生产总值增长"


def test_the_growth_target_row_over_seven_reports(seven):
    row = _row(seven, {f"government-work-report-{y}": v for y, v in GROWTH.items()})
    assert row is not None, [(m.metric, [(c.plan[-4:], c.value) for c in m.cells]) for m in seven[:5]]
    assert [c.plan[-4:] for c in row.cells] == [str(y) for y in YEARS], "cells in the documents' time order"
    for c in row.cells:  # each cell cited: its section holds the sentence, and the sentence the figure
        assert c.value in c.quote and c.section_id


def test_shared_metrics_are_found_without_a_list_of_them(seven):
    labels = [m.metric for m in seven]
    for wanted in ("居民消费价格涨幅", "城镇新增就业", "赤字率", "城镇调查失业率", "粮食产量"):
        assert any(wanted in label for label in labels), (wanted, labels[:15])
    bonds = next(m for m in seven if "专项债券" in m.metric)
    assert {c.plan[-4:] for c in bonds.cells} >= {"2016", "2024"}
    # Two different figures of one report never share a row: 2018 gives both unemployment rates, 5.5% and 4.5%.
    for m in seven:
        assert len({c.plan for c in m.cells}) == len(m.cells)
    surveyed = next(m for m in seven if m.metric.startswith("城镇调查失业率") and m.horizon == "year")
    registered = next(m for m in seven if m.metric.startswith("城镇登记失业率"))
    assert surveyed is not registered
    assert surveyed.cell("government-work-report-2018").value == "5.5%以内"
    assert registered.cell("government-work-report-2018").value == "4.5%以内"


def test_two_reports_json_contract_puts_both_growth_targets_in_one_row(reports, embed):
    metrics = group_metrics([reports[2016], reports[2024]], embed)
    data = metrics_json(metrics)
    assert set(data) == {"metrics"}
    for row in data["metrics"]:
        assert set(row) == {"metric", "unit", "cells"}
        assert all(set(c) == {"plan", "id", "value", "quote"} for c in row["cells"])
    growth = [
        r for r in data["metrics"]
        if {"6.5%－7%", "5%左右"} <= {c["value"] for c in r["cells"]} and r["unit"] == "%"
        and any("国内生产总值" in c["quote"] for c in r["cells"])
    ]
    assert len(growth) == 1
    per_plan = {}
    for c in growth[0]["cells"]:
        per_plan[c["plan"]] = per_plan.get(c["plan"], 0) + 1
    assert set(per_plan) == {"government-work-report-2016", "government-work-report-2024"}
    assert max(per_plan.values()) <= 3


def test_one_document_keeps_every_figure(reports, embed):
    metrics = group_metrics([reports[2024]], embed)
    assert len(metrics) >= 10 and all(len(m.cells) == 1 for m in metrics)


def test_one_value_under_two_subjects_of_one_document_stays_two_rows(reports, embed):
    # 2016 puts both 科技进步对经济增长的贡献率 and 常住人口城镇化率 at 60% by 2020: two measures, not a restatement.
    metrics = group_metrics(list(reports.values()), embed, shared=False)
    sixty = [m for m in metrics if (c := m.cell("government-work-report-2016")) is not None and c.value == "60%"]
    assert len(sixty) == 2, [(m.metric, m.subjects) for m in sixty]
    assert {"科技进步对经济增长的贡献率", "常住人口城镇化率"} == {m.metric for m in sixty}
    # A figure whose subject a transcription split over lines ("广义货币M" / "2" / "和…") keeps it whole.
    assert any("M2" in m.metric and m.cell("government-work-report-2017") for m in metrics)


def test_a_paragraph_opening_five_years_dates_its_figures_and_a_level_reached_is_read_at_its_year(reports, embed):
    found = {f.target.text: f for f in figures(reports[2018]) if f.section_id == "一"}
    # "五年来，经济实力跃上新台阶。……城镇新增就业6600万人以上": two sentences after the paragraph names five years.
    assert found["6600万人以上"].horizon == "period" and found["6600万人以上"].kind == "outcome"
    assert found["1351万人"].horizon == "year", "刚刚过去的2017年: one year's result"
    assert found["58.5%"].horizon == "year", "城镇化率提高到58.5%: a level reached, comparable with one year's"
    jobs = _row(group_metrics([reports[y] for y in (2016, 2017, 2018)], embed, kind="outcome"),
                {"government-work-report-2016": "1312万人", "government-work-report-2017": "1314万人"})
    assert jobs is not None and jobs.cell("government-work-report-2018").value == "1351万人"
