"""Line charts of metrics over the documents' years, for gr.Plot: a range (6.5%－7%) is a band, one figure a point."""
from __future__ import annotations

from typing import Any, Sequence

from index.figures import unit_family
from index.metrics import Metric
from index.periods import Period

__all__ = ["chart_rows", "charted_metrics", "metrics_chart"]

CHART_COLUMNS = 3


def charted_metrics(metrics: Sequence[Metric], periods: Sequence[Period]) -> list[Metric]:
    """The metrics worth a chart: given by at least half of the dated documents (and by two at least)."""
    dated = {p.plan for p in periods if p.start is not None}
    need = max(2, (len(dated) + 1) // 2)
    return [m for m in metrics if sum(c.plan in dated for c in m.cells) >= need]


def chart_rows(metrics: Sequence[Metric], periods: Sequence[Period]) -> list[dict[str, Any]]:
    """One row per cell: the metric's title, the document's year, the figure's low / high / middle in the metric's
    unit, and the figure as written. A single figure has low == high (a point); a range spans them (a band)."""
    years = {p.plan: p.start for p in periods if p.start is not None}
    rows = []
    for m in metrics:
        _, unit_scale = unit_family(m.unit)
        title = f"{m.metric}（{m.unit}）"
        for c in m.cells:
            if c.plan not in years:
                continue
            f = c.figure
            low = f.target.value * f.scale / unit_scale
            high = (f.target.high if f.target.high is not None else f.target.value) * f.scale / unit_scale
            rows.append(
                {
                    "metric": title,
                    "year": years[c.plan],
                    "low": round(low, 6),
                    "high": round(high, 6),
                    "value": round((low + high) / 2, 6),
                    "figure": c.value,
                    "section": f"{c.plan}:{c.section_id}",
                }
            )
    return rows


def metrics_chart(metrics: Sequence[Metric], periods: Sequence[Period], title: str = "") -> Any:
    """An Altair chart for gr.Plot: one small line chart per metric (its own y scale), the band of each range
    shaded, every figure a point with its wording in the tooltip. None when no metric has two dated figures."""
    import altair as alt
    import pandas as pd

    rows = chart_rows(charted_metrics(metrics, periods), periods)
    if not rows:
        return None
    data = pd.DataFrame(rows)
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0))
    tooltip = [alt.Tooltip("year:O"), alt.Tooltip("figure:N"), alt.Tooltip("section:N")]
    # 4.5, not 4.500000, on a flat line; 1200, not 1.2e+3 (Vega fits the precision to the tick step)
    y_axis = alt.Axis(format="~f", tickCount=5)
    band = alt.Chart().mark_area(opacity=0.25).encode(
        x=x, y=alt.Y("low:Q", title=None, scale=alt.Scale(zero=False), axis=y_axis), y2="high:Q"
    )
    line = alt.Chart().mark_line().encode(x=x, y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=y_axis))
    points = alt.Chart().mark_point(filled=True, size=50).encode(x=x, y="value:Q", tooltip=tooltip)
    chart = (
        alt.layer(band, line, points, data=data)
        .properties(width=180, height=120)
        .facet(facet=alt.Facet("metric:N", title=None, header=alt.Header(labelFontSize=12)), columns=CHART_COLUMNS)
        .resolve_scale(y="independent")
    )
    return chart.properties(title=title) if title else chart
