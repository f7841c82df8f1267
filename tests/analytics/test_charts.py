"""The gap chart: a real, stable PNG of the expected size, drawn without pyplot."""

from __future__ import annotations

import ast
import inspect
from datetime import date
from io import BytesIO

import matplotlib.image as mpimg
import matplotlib.pyplot as plt  # only to check that rendering leaves its registry empty
import numpy as np
import pandas as pd
import pytest

from analytics import chart_base, charts_gap
from analytics.charts_gap import render_gap_chart
from analytics.gap import GapResult, HistoryRank, compute_gap
from analytics.pairs import PAIRS
from analytics.periods import parse_period

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDTH, HEIGHT = 1200, 800


def synthetic_closes(years: float, end: str = "2024-03-28") -> tuple[pd.Series, pd.Series]:
    """Small and large 'closes' on business days: large grows faster, both wiggle."""
    days = pd.bdate_range(end=end, periods=int(years * 261) + 2)
    t = np.arange(len(days), dtype=float)
    small = 100.0 * np.exp(0.0002 * t + 0.05 * np.sin(t / 9.0))
    large = 300.0 * np.exp(0.0004 * t + 0.03 * np.sin(t / 13.0 + 1.0))
    return pd.Series(small, index=days), pd.Series(large, index=days)


def gap_result(period: str, years: float, with_rank: bool = True) -> GapResult:
    """compute_gap on `years` of synthetic data over `period`, ending at the last day."""
    small, large = synthetic_closes(years)
    return compute_gap(PAIRS["index"], small, large, parse_period(period), with_rank=with_rank)


def render(result: GapResult) -> bytes:
    return render_gap_chart(result, source="synthetic test data", fetched="2024-03-28 22:00 UTC")


def decode(png: bytes) -> np.ndarray:
    """RGB(A) pixels as floats in [0, 1], shape (height, width, channels)."""
    return mpimg.imread(BytesIO(png), format="png")


def pixels_near(image: np.ndarray, hex_colour: str, tolerance: float = 0.06) -> int:
    """How many pixels are within `tolerance` (per channel) of `hex_colour`."""
    target = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(image[..., :3] - target) <= tolerance).all(axis=-1).sum())


@pytest.fixture(scope="module")
def three_year() -> GapResult:
    result = gap_result("3y", years=8)
    assert result.rank is not None  # the fixture is meant to exercise the rank line
    return result


def test_output_is_a_png(three_year: GapResult) -> None:
    assert render(three_year).startswith(PNG_SIGNATURE)


def test_png_decodes_to_1200_by_800_pixels(three_year: GapResult) -> None:
    assert decode(render(three_year)).shape[:2] == (HEIGHT, WIDTH)


def test_same_input_gives_identical_bytes(three_year: GapResult) -> None:
    assert render(three_year) == render(three_year)


def test_png_has_no_software_metadata(three_year: GapResult) -> None:
    """Version strings in the PNG would change the bytes whenever matplotlib is upgraded."""
    assert b"Software" not in render(three_year)


def test_rendering_registers_no_pyplot_figures(three_year: GapResult) -> None:
    plt.close("all")
    render(three_year)
    assert plt.get_fignums() == []


def test_module_does_not_import_pyplot() -> None:
    tree = ast.parse(inspect.getsource(charts_gap))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {f"{node.module}.{alias.name}" for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert not [name for name in imported if "pyplot" in name]


@pytest.mark.parametrize(("period", "years", "min_points"), [("1m", 1, 20), ("30y", 32, 7_000)])
def test_short_and_very_long_windows_render_both_series(
    period: str, years: float, min_points: int
) -> None:
    result = gap_result(period, years)
    assert len(result.closes) >= min_points
    image = decode(render(result))
    assert image.shape[:2] == (HEIGHT, WIDTH)
    assert pixels_near(image, chart_base.SMALL_COLOUR) > 500
    assert pixels_near(image, chart_base.LARGE_COLOUR) > 500


def test_renders_without_rank_and_differs_from_ranked_chart(three_year: GapResult) -> None:
    unranked = gap_result("3y", years=8, with_rank=False)
    assert unranked.rank is None
    png = render(unranked)
    assert decode(png).shape[:2] == (HEIGHT, WIDTH)
    assert png != render(three_year)  # the rank line is drawn only when there is a rank


def test_max_period_has_no_rank_and_renders() -> None:
    result = gap_result("max", years=5)
    assert result.rank is None
    assert decode(render(result)).shape[:2] == (HEIGHT, WIDTH)


def test_different_data_gives_different_pixels(three_year: GapResult) -> None:
    small, large = synthetic_closes(8)
    swapped = compute_gap(PAIRS["index"], large, small, parse_period("3y"))
    assert not np.array_equal(decode(render(swapped)), decode(render(three_year)))


def _rank(**changes) -> HistoryRank:
    fields = dict(percentile=92.97, windows=8450, independent_windows=12, comparison="daily",
                  first_window_end=date(1990, 9, 10), last_as_wide=date(2000, 11, 10),
                  widest_since=date(2000, 11, 10), record_lag_pp=88.9,
                  record_lag_end=date(1999, 4, 12), record_lead_pp=-65.9,
                  record_lead_end=date(1993, 11, 2))
    return HistoryRank(**{**fields, **changes})


def test_rank_line_states_the_independent_windows() -> None:
    assert charts_gap.rank_line(_rank(), "3-year") == (
        "93rd percentile of 8,450 overlapping 3-year windows since 1990, about 12 independent"
    )
    assert chart_base.since_text(_rank(), lagging=True) == "widest lag since 2000-11-10"


def test_since_text_is_silent_when_a_window_within_a_month_was_as_wide() -> None:
    rank = _rank(last_as_wide=date(2024, 3, 25), widest_since=None)
    assert chart_base.since_text(rank, lagging=True) == ""
    assert chart_base.since_text(_rank(last_as_wide=None, widest_since=None), lagging=False) \
        == "widest lead on record"


def test_with_crossings_inserts_the_points_where_the_lines_meet() -> None:
    # a crosses b upwards halfway between x=0 and 1 (at y=1), downwards halfway between 1 and 2
    x, a, b = np.array([0.0, 1.0, 2.0]), np.array([0.0, 2.0, 2.0]), np.array([1.0, 1.0, 3.0])
    xs, as_, bs = chart_base.with_crossings(x, a, b)
    assert xs.tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert as_.tolist() == [0.0, 1.0, 2.0, 2.0, 2.0]
    assert bs.tolist() == [1.0, 1.0, 1.0, 2.0, 3.0]


def test_with_crossings_leaves_series_that_only_touch_alone() -> None:
    x, a, b = np.arange(4.0), np.array([1.0, 2.0, 2.0, 3.0]), np.array([0.0, 2.0, 1.0, 1.0])
    xs, as_, bs = chart_base.with_crossings(x, a, b)
    assert xs.tolist() == x.tolist() and as_.tolist() == a.tolist() and bs.tolist() == b.tolist()


def test_png_is_opaque_rgb(three_year: GapResult) -> None:
    """An alpha channel would only make the file bigger and slower to encode: it is opaque."""
    assert decode(render(three_year)).shape == (HEIGHT, WIDTH, 3)
