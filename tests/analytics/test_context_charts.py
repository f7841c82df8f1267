"""Trend, rates and history charts: real PNGs of the expected size, stable, without pyplot."""

from __future__ import annotations

import ast
import inspect
from datetime import date

import matplotlib.pyplot as plt  # only to check that rendering leaves its registry empty
import numpy as np
import pandas as pd
import pytest

from analytics import chart_base, charts_history, charts_rates, charts_trend
from analytics.history import gap_history
from analytics.pairs import PAIRS, parse_pair
from analytics.periods import parse_period
from analytics.rates import compute_rates
from analytics.trend import compute_trend
from tests.analytics.test_charts import HEIGHT, PNG_SIGNATURE, WIDTH, decode, pixels_near

SOURCE = {"source": "test data", "fetched": "2026-11-25"}


def render_trend(closes, period="2y", pair="index", as_of=None) -> bytes:
    p = parse_pair(pair)
    view = compute_trend(p, closes[p.small.symbol], closes[p.large.symbol], parse_period(period),
                         as_of)
    return charts_trend.render_trend_chart(view, **SOURCE)


def render_rates(closes, period="10y", as_of=None) -> bytes:
    result = compute_rates(PAIRS["index"], closes["^RUT"], closes["^GSPC"], closes["^TNX"],
                           parse_period(period), as_of)
    return charts_rates.render_rates_chart(result, **SOURCE)


def render_history(closes, period="3y", pair="index", as_of=None) -> bytes:
    p = parse_pair(pair)
    history = gap_history(p, closes[p.small.symbol], closes[p.large.symbol],
                          parse_period(period), as_of)
    return charts_history.render_history_chart(history, **SOURCE)


RENDERERS = {"trend": render_trend, "rates": render_rates, "history": render_history}


@pytest.fixture(scope="module", params=sorted(RENDERERS))
def rendered(request, real_closes) -> tuple[str, bytes]:
    return request.param, RENDERERS[request.param](real_closes)


def test_each_chart_is_a_1200_by_800_png(rendered):
    _, png = rendered
    assert png.startswith(PNG_SIGNATURE) and b"Software" not in png
    assert decode(png).shape[:2] == (HEIGHT, WIDTH)


def test_same_input_gives_identical_bytes(rendered, real_closes):
    name, png = rendered
    assert RENDERERS[name](real_closes) == png


def test_rendering_registers_no_pyplot_figures(real_closes):
    plt.close("all")
    for render in RENDERERS.values():
        render(real_closes)
    assert plt.get_fignums() == []


@pytest.mark.parametrize("module", [chart_base, charts_trend, charts_rates, charts_history])
def test_modules_do_not_import_pyplot(module):
    tree = ast.parse(inspect.getsource(module))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
             for alias in node.names}
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not [n for n in names | modules if n and "pyplot" in n]


def test_trend_chart_draws_both_averages_and_the_ratio(real_closes):
    image = decode(render_trend(real_closes))
    assert pixels_near(image, chart_base.LONG_MA_COLOUR) > 400
    assert pixels_near(image, chart_base.SHORT_MA_COLOUR) > 200


def test_rates_chart_draws_the_yield_in_its_colour(real_closes):
    assert pixels_near(decode(render_rates(real_closes)), chart_base.YIELD_COLOUR) > 1000


def test_as_of_changes_the_picture(real_closes):
    for render in RENDERERS.values():
        assert render(real_closes) != render(real_closes, as_of=date(2024, 3, 26))


@pytest.mark.parametrize("period", ["1m", "max"])
def test_trend_renders_very_short_and_very_long_windows(real_closes, period):
    assert decode(render_trend(real_closes, period)).shape[:2] == (HEIGHT, WIDTH)


def test_trend_renders_a_pair_without_a_200_day_average():
    days = pd.bdate_range("2024-01-01", periods=90)
    t = np.arange(len(days), dtype=float)
    closes = {"IJR": pd.Series(100 + np.sin(t / 5), index=days),
              "SPY": pd.Series(400 + t, index=days)}
    assert decode(render_trend(closes, "1m", "IJR/SPY")).shape[:2] == (HEIGHT, WIDTH)


def test_history_renders_a_leading_etf_pair_with_symbols_in_the_title(real_closes):
    assert decode(render_history(real_closes, "1y", "etf")).shape[:2] == (HEIGHT, WIDTH)
    assert chart_base.symbol_title("Rolling 5-year gap: {small} vs {large}", PAIRS["etf"]) == \
        "Rolling 5-year gap: IWM vs SPY"
    assert chart_base.symbol_title("{small} / {large} ratio: 2 years", PAIRS["index"]) == \
        "^RUT / ^GSPC ratio: 2 years"


def test_quietest_box_avoids_the_data_and_boxes_outside_the_axes():
    points = np.array([[0.1, 0.1], [0.15, 0.2], [0.2, 0.15]])
    boxes = [(0.0, 0.0, 0.3, 0.3), (0.5, 0.5, 0.8, 0.8), (0.9, 0.9, 1.2, 1.2)]
    assert chart_base.quietest_box(points, boxes) == 1
