"""`plan-assistant index --plan a b c` (several files after one flag) and `targets [--plan …] [--json]`, as real
subprocesses over three cut government work reports (tests/conftest.py, compare_home)."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

R16, R17, R24 = (f"government-work-report-{y}" for y in (2016, 2017, 2024))


@pytest.fixture(scope="module")
def env(compare_home) -> dict[str, str]:
    return {"PLAN_ASSISTANT_HOME": str(compare_home)}


def test_several_files_after_one_flag_and_the_flag_repeated(run_cli, env, compare_files):
    listed = run_cli("plans", "--json", env=env)
    assert sorted(p["name"] for p in json.loads(listed.stdout)) == [R16, R17, R24]  # indexed with one --plan
    again = run_cli("index", "--plan", str(compare_files[0]), "--plan", *map(str, compare_files[1:]), env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("0 embedded") == 3, again.stdout  # the same files: nothing to embed again


def test_targets_json_contract_and_the_growth_row(run_cli, env):
    out = run_cli("targets", "--plan", R16, R24, "--json", env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"metrics"} and data["metrics"]
    for row in data["metrics"]:
        assert set(row) == {"metric", "unit", "cells"}
        for cell in row["cells"]:
            assert set(cell) == {"plan", "id", "value", "quote"} and cell["value"] in cell["quote"]
    growth = [r for r in data["metrics"] if [c["value"] for c in r["cells"]] == ["6.5%－7%", "5%左右"]]
    assert len(growth) == 1 and [c["plan"] for c in growth[0]["cells"]] == [R16, R24]
    assert [c["id"] for c in growth[0]["cells"]] == ["三", "二"]


def test_targets_table_as_text_and_an_unknown_plan(run_cli, env):
    out = run_cli("targets", env=env)
    assert out.returncode == 0, out.stderr
    assert "国内生产总值增长 (%)" in out.stdout and f"[{R17}:二]" in out.stdout
    bad = run_cli("targets", "--plan", "no-such-plan", env=env)
    assert bad.returncode == 2 and "plan-assistant plans" in bad.stderr
