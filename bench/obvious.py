"""The baseline: the same answers computed the obvious way, as a first version would.

On every request: read both CSV files with pandas, compute the gap and its history rank (the
same vectorised analytics as the bot: a fair baseline is not a straw man), and draw the chart
with pyplot (quantstats' cumulative-returns plot). No cache of any kind. For the analytics
alone, `obvious_gap` ranks history with a plain loop over every end day instead.

pyplot's current figure is process-global, so concurrent requests would draw into each
other's figures: the baseline serialises pyplot with a lock, as a correct version must.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics.chart_base import DPI, FIGSIZE
from analytics.charts_gap import draw_gap
from analytics.gap import GapResult, compute_gap, history_rank
from analytics.periods import Period, start_target
from bot.data.market import PriceHistory
from bot.reports import Report, chart_filename
from handlers.gap import GapQuery, gap_payload

logger = logging.getLogger(__name__)
PYPLOT_LOCK = threading.Lock()


def obvious_rank_history(closes: pd.DataFrame, period: Period, end: pd.Timestamp) -> pd.Series:
    """The gap (pp) of the window ending on every day up to `end`, one day at a time."""
    dates, values = closes.index, closes.to_numpy()
    days, gaps = [], []
    for i, day in enumerate(dates[dates <= end]):
        if period.kind == "range":
            assert period.range_start is not None and period.range_end is not None
            target = day - pd.Timedelta(days=(period.range_end - period.range_start).days)
        else:
            target = start_target(period, day)
        first = int(dates.searchsorted(target, side="right")) - 1
        if 0 <= first < i:
            small, large = values[i] / values[first]
            days.append(day)
            gaps.append((large - small) * 100.0)
    return pd.Series(gaps, index=pd.DatetimeIndex(days), dtype="float64")


def obvious_gap(query: GapQuery, small: pd.Series, large: pd.Series) -> GapResult:
    """The gap with its history rank computed by `obvious_rank_history`."""
    result = compute_gap(query.pair, small, large, query.period, query.as_of, with_rank=False)
    if query.period.kind == "max":
        return result
    closes = pd.concat({"small": small, "large": large}, axis=1, join="inner").dropna()
    history = obvious_rank_history(closes, query.period, result.window.end)
    return replace(result, rank=history_rank(history, result.gap_pp, result.window,
                                                    result.period))


def read_csv_closes(path: Path) -> pd.Series:
    frame = pd.read_csv(path, parse_dates=["Date"], index_col="Date")
    return frame["Close"].dropna().sort_index()


def quantstats_png(result: GapResult) -> bytes:
    """quantstats' cumulative returns of small caps against large caps, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import quantstats as qs

    returns = result.closes.pct_change().dropna()
    buffer = BytesIO()
    with PYPLOT_LOCK:
        qs.plots.returns(returns["small"].rename(result.pair.small.name),
                         returns["large"].rename(result.pair.large.name),
                         fontname="DejaVu Sans", show=False,
                         savefig={"fname": buffer, "format": "png"})
    return buffer.getvalue()


def pyplot_gap_png(result: GapResult, source: str, as_of: str | None) -> bytes:
    """Our gap chart drawn the pyplot way: plt.subplots, savefig, close."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with PYPLOT_LOCK:
        fig, (levels_ax, ratio_ax) = plt.subplots(
            2, 1, sharex=True, height_ratios=[2, 1], figsize=FIGSIZE, dpi=DPI,
            layout="constrained", facecolor="white")
        draw_gap(fig, levels_ax, ratio_ax, result, source=source, fetched=as_of)
        buffer = BytesIO()
        plt.savefig(buffer, format="png", dpi=DPI)
        plt.close(fig)
    return buffer.getvalue()


def have_quantstats() -> bool:
    """quantstats is a `bench` extra: without it the baseline draws our chart with pyplot."""
    try:
        import quantstats  # noqa: F401
    except ImportError:
        return False
    return True


def warm_up() -> None:
    """Import pyplot (and quantstats) now, so no request pays for the imports."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401

    have_quantstats()


class ObviousReports:
    """`Reports.run` the obvious way: CSV, analytics and chart on every call, no cache."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    def run(self, query: Any) -> Report:
        if not isinstance(query, GapQuery):
            raise TypeError(f"the baseline only answers gap queries, not {query.command}")
        closes = {s: read_csv_closes(self.data_dir / f"{s}.csv") for s in query.symbols()}
        small, large = closes.values()
        result = compute_gap(query.pair, small, large, query.period, query.as_of)
        # the payload's notes read each leg's closes (bot.reports.common.basis_end_note)
        history = PriceHistory(closes=closes, source=f"CSV files in {self.data_dir}",
                               fetched_at=datetime.now(UTC), live_source=False)
        payload = gap_payload(result, history, query)
        png = (quantstats_png(result) if have_quantstats()
               else pyplot_gap_png(result, history.source, None))
        return Report(payload=payload, chart_png=png,
                      chart_filename=chart_filename(payload))


def check_same_answer(ours: GapResult, theirs: GapResult) -> None:
    """The baseline must do the same work: same window, gap and rank, or the run stops."""
    assert ours.window == theirs.window, (ours.window, theirs.window)
    assert np.isclose(ours.gap_pp, theirs.gap_pp), (ours.gap_pp, theirs.gap_pp)
    if ours.rank is not None or theirs.rank is not None:
        assert ours.rank is not None and theirs.rank is not None
        assert ours.rank.windows == theirs.rank.windows, (ours.rank, theirs.rank)
        assert np.isclose(ours.rank.percentile, theirs.rank.percentile), (ours.rank, theirs.rank)
        assert ours.rank.widest_since == theirs.rank.widest_since


