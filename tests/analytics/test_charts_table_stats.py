"""The table and stats charts: real, stable PNGs of the gap chart's size, without pyplot."""

from __future__ import annotations

import ast
import inspect
from datetime import date

import matplotlib.pyplot as plt  # only to check that rendering leaves its registry empty
import pytest

from analytics import chart_base, charts_stats, charts_table
from analytics.charts_stats import render_stats_chart
from analytics.charts_table import render_table_chart
from analytics.pairs import PAIRS, parse_pair
from analytics.performance import performance_table
from analytics.periods import parse_period
from analytics.risk import compute_risk
from tests.analytics.test_charts import HEIGHT, PNG_SIGNATURE, WIDTH, decode, pixels_near
from tests.analytics.test_charts import synthetic_closes as closes


def _table(years: float = 12):
    small, large = closes(years)
    return performance_table(PAIRS["index"], small, large)


def _stats(period: str = "3y", years: float = 8):
    small, large = closes(years)
    return compute_risk(PAIRS["index"], small, large, parse_period(period))


def _render_table(table) -> bytes:
    return render_table_chart(table, source="synthetic test data", fetched="2024-03-28")


def _render_stats(stats) -> bytes:
    return render_stats_chart(stats, source="synthetic test data", fetched="2024-03-28")


@pytest.mark.parametrize("render,make", [(_render_table, _table), (_render_stats, _stats)])
def test_png_of_1200_by_800_with_both_colours_and_stable_bytes(render, make):
    png = render(make())
    assert png.startswith(PNG_SIGNATURE) and b"Software" not in png
    image = decode(png)
    assert image.shape[:2] == (HEIGHT, WIDTH)
    assert pixels_near(image, chart_base.SMALL_COLOUR) > 500
    assert pixels_near(image, chart_base.LARGE_COLOUR) > 500
    assert render(make()) == png


@pytest.mark.parametrize("render,make", [(_render_table, _table), (_render_stats, _stats)])
def test_rendering_registers_no_pyplot_figures(render, make):
    plt.close("all")
    render(make())
    assert plt.get_fignums() == []


@pytest.mark.parametrize("module", [charts_table, charts_stats])
def test_modules_do_not_import_pyplot(module):
    tree = ast.parse(inspect.getsource(module))
    names = {f"{n.module}.{a.name}" if isinstance(n, ast.ImportFrom) else a.name
             for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)
             for a in n.names}
    assert not [name for name in names if "pyplot" in name]


def test_table_with_unavailable_rows_renders_and_differs():
    short = _table(years=4)  # 5y and 10y rows have no start
    assert [r.available for r in short.rows][-2:] == [False, False]
    png = _render_table(short)
    assert decode(png).shape[:2] == (HEIGHT, WIDTH)
    assert png != _render_table(_table())


def test_table_with_long_custom_names_renders():
    small, large = closes(12)
    pair = parse_pair("IJR/RSP")  # both have long known names: the title uses symbols
    png = _render_table(performance_table(pair, small, large))
    assert decode(png).shape[:2] == (HEIGHT, WIDTH)


@pytest.mark.parametrize("period,years", [("1m", 0.3), ("1y", 1.05), ("max", 30)])
def test_stats_renders_short_and_long_windows_and_short_history(period, years):
    """1m on 0.3 years and 1y on 1.05 years have little or no rolling volatility."""
    png = _render_stats(_stats(period, years))
    image = decode(png)
    assert image.shape[:2] == (HEIGHT, WIDTH)
    assert pixels_near(image, chart_base.SMALL_COLOUR) > 300


def test_stats_chart_on_real_data(real_closes):
    stats = compute_risk(PAIRS["index"], real_closes["^RUT"], real_closes["^GSPC"],
                         parse_period("3y"), date(2024, 3, 26))
    png = _render_stats(stats)
    assert decode(png).shape[:2] == (HEIGHT, WIDTH)
