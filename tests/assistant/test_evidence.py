"""Evidence of an asked kind of fact in a sentence (assistant/evidence.py)."""
from __future__ import annotations

from assistant.evidence import NUMBER


def _numbers(text: str) -> list[str]:
    return [m.group() for m in NUMBER.finditer(text)]


def test_a_name_with_digits_or_an_ordinal_is_no_figure() -> None:
    assert _numbers("货币政策保持稳健中性，广义货币M2增速呈下降趋势。") == []
    assert _numbers("做好第七次全国人口普查。") == []
    assert _numbers("重点地区细颗粒物（PM2.5）平均浓度下降30%以上。") == ["30"]
    assert _numbers("国内生产总值增长6.5%左右，新建十个实验室。") == ["6.5", "十"]
