"""Work without Slack: analytics alone, price history loading, chart rendering alone, and the
memory of many renders (`python -m bench.offline renders --kind K --count N`, own process).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg

from analytics.chart_base import lay_out
from analytics.charts_gap import gap_figure, render_gap_chart
from analytics.gap import GapResult, compute_gap
from analytics.pairs import PAIRS
from analytics.periods import parse_period
from bench.harness import memory
from bench.obvious import (
    check_same_answer,
    have_quantstats,
    obvious_gap,
    pyplot_gap_png,
    quantstats_png,
    read_csv_closes,
)
from bot.runtime.workers import collect_after_render, freeze_startup_objects
from handlers.gap import GapQuery

SOURCE, FETCHED = "CSV files", "CSV files, last close 2026-08-21"
"""What the timed charts say in their footers (as the bot passes them)."""
RENDER_PERIODS = ("3y", "max", "1y", "10y", "6m", "20y", "ytd", "5y")
"""Chart windows cycled through in the memory run: short and 40-year charts alike."""


def timed_ms(work: Callable[[], object], count: int) -> float:
    """Median milliseconds of `count` calls of `work` (after one untimed warm-up call)."""
    work()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000.0


def load_index_closes(data_dir: Path) -> tuple[pd.Series, pd.Series]:
    """Full ^RUT and ^GSPC close history (small, large)."""
    return (read_csv_closes(data_dir / "^RUT.csv"), read_csv_closes(data_dir / "^GSPC.csv"))


def gap_for(small: pd.Series, large: pd.Series, period: str) -> GapResult:
    return compute_gap(PAIRS["index"], small, large, parse_period(period))


def analytics(data_dir: Path, count: int) -> dict[str, float]:
    """The 3-year gap with its history rank over the full index history, ours vs a loop."""
    small, large = load_index_closes(data_dir)
    query = GapQuery(period=parse_period("3y"), pair=PAIRS["index"])
    check_same_answer(gap_for(small, large, "3y"), obvious_gap(query, small, large))
    return {
        "ours": timed_ms(lambda: gap_for(small, large, "3y"), count),
        "loop": timed_ms(lambda: obvious_gap(query, small, large), max(1, count // 10)),
        "csv": timed_ms(lambda: load_index_closes(data_dir), max(1, count // 4)),
    }


def redraw_floor(result: GapResult) -> Callable[[], object]:
    """Drawing our chart again on its own canvas, once built and laid out: no figure to build,
    no layout, text already measured, no PNG encoding. No change to how we build the chart
    can make a render cheaper than this (matplotlib's drawing of what the chart shows)."""
    figure = gap_figure(result, source=SOURCE, fetched=FETCHED)
    canvas = FigureCanvasAgg(figure)
    lay_out(figure)
    canvas.draw()
    return canvas.draw


def charts(data_dir: Path, count: int, period: str) -> dict[str, float | None]:
    """Rendering one chart to PNG: ours, ours drawn through pyplot, quantstats' plot, and
    matplotlib's floor for ours (`redraw_floor`)."""
    small, large = load_index_closes(data_dir)
    result = gap_for(small, large, period)
    return {
        "ours": timed_ms(lambda: render_gap_chart(result, source=SOURCE, fetched=FETCHED), count),
        "floor": timed_ms(redraw_floor(result), count),
        "pyplot": timed_ms(lambda: pyplot_gap_png(result, SOURCE, FETCHED), count),
        "quantstats": timed_ms(lambda: quantstats_png(result), count)
        if have_quantstats() else None,
    }


def render_loop(kind: str, count: int, data_dir: Path, as_server: bool) -> dict[str, float]:
    """Render `count` charts of cycling windows; RSS (MiB) after one of each and after all.

    `as_server` does what the bot does around a render: start-up objects frozen, and a
    collection after each computed report (bot.runtime.workers). The baseline does neither.
    """
    small, large = load_index_closes(data_dir)
    results = [gap_for(small, large, p) for p in RENDER_PERIODS]
    render = {
        "ours": lambda r: render_gap_chart(r, source=SOURCE, fetched=FETCHED),
        "pyplot": lambda r: pyplot_gap_png(r, SOURCE, FETCHED),
        "quantstats": quantstats_png,
    }[kind]
    for result in results:  # first use of each window size: fonts, glyph and layout caches
        render(result)
    gc.collect()
    if as_server:
        freeze_startup_objects()
    first = memory(os.getpid())
    started = time.perf_counter()
    for i in range(count):
        render(results[i % len(results)])
        if as_server:
            collect_after_render()
    elapsed = time.perf_counter() - started
    gc.collect()
    last = memory(os.getpid())
    return {"rss_first": first.rss_mb, "rss_after": last.rss_mb, "peak": last.peak_mb,
            "growth": last.rss_mb - first.rss_mb, "ms_each": elapsed / count * 1000}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="chart renders in a process of their own")
    parser.add_argument("what", choices=("renders",))
    parser.add_argument("--kind", choices=("ours", "pyplot", "quantstats"), required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--as-server", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(render_loop(args.kind, args.count, args.data_dir, args.as_server)))


def history_load(data_dir: Path, cache: object, count: int) -> dict[str, float]:
    """Full ^RUT/^GSPC history for a request: ours from the warm cache, baseline from CSV."""
    from bot.data.market import MarketData
    from bot.data.sources import CsvSource
    from bot.runtime.cache import Cache

    assert isinstance(cache, Cache)
    market = MarketData(CsvSource(data_dir), cache)
    market.history(["^RUT", "^GSPC"])  # fill the cache
    return {"ours": timed_ms(lambda: market.history(["^RUT", "^GSPC"]), count),
            "csv": timed_ms(lambda: load_index_closes(data_dir), max(1, count // 4))}


if __name__ == "__main__":
    main()
