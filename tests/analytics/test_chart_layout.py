"""Every chart kind over crashes, long ranges and custom pairs: legible by matplotlib's own
measure (tests/analytics/layout.py): no text outside the figure, no label box over the data,
every number with its unit. Which charts exist comes from the registry: every report command's
chart, drawn by its own query through the report pipeline, is checked (CASES add crashes,
long ranges and custom pairs for the kinds drawn straight from analytics here)."""

from __future__ import annotations

from datetime import date

import pytest
from matplotlib.figure import Figure

from analytics import chart_base
from analytics.charts_gap import gap_figure
from analytics.charts_history import history_figure
from analytics.charts_rates import rates_figure
from analytics.charts_stats import stats_figure
from analytics.charts_table import table_figure
from analytics.charts_trend import trend_figure
from analytics.gap import compute_gap
from analytics.history import gap_history
from analytics.pairs import parse_pair
from analytics.performance import performance_table
from analytics.periods import parse_period
from analytics.rates import YIELD_SYMBOL, compute_rates
from analytics.risk import compute_risk
from analytics.trend import compute_trend
from bot.bootstrap import build_deps
from bot.runtime.config import Settings
from handlers import registry
from tests.analytics.layout import layout_problems, unit_problem
from tests.query_helpers import context

SOURCE = "CSV files"
FETCHED = "Last closes ^TNX 2026-02-13, ^RUT 2026-08-21, ^GSPC 2026-08-21"
"""The longest freshness phrase a footer carries (three symbols ending on different days)."""
CRASH_2008, CRASH_2020 = date(2008, 11, 20), date(2020, 3, 23)
RANGE = "2021-01-01..2022-06-30"


def _figure(kind: str, closes: dict, period: str, pair: str, as_of: date | None) -> Figure:
    chosen = parse_pair(pair)
    small, large = closes[chosen.small.symbol], closes[chosen.large.symbol]
    when = parse_period(period) if period != "-" else None
    kw = {"source": SOURCE, "fetched": FETCHED}
    if kind == "gap":
        return gap_figure(compute_gap(chosen, small, large, when, as_of), **kw)
    if kind == "history":
        return history_figure(gap_history(chosen, small, large, when, as_of), **kw)
    if kind == "stats":
        return stats_figure(compute_risk(chosen, small, large, when, as_of), **kw)
    if kind == "trend":
        return trend_figure(compute_trend(chosen, small, large, when, as_of), **kw)
    if kind == "rates":
        return rates_figure(compute_rates(chosen, small, large, closes[YIELD_SYMBOL], when,
                                          as_of), **kw)
    assert when is None
    return table_figure(performance_table(chosen, small, large, as_of), **kw)


CASES = [
    # the charts the issue names
    ("stats", "1y", "index", CRASH_2020),
    ("stats", "3y", "index", CRASH_2008),
    ("history", "3y", "index", None),
    ("history", "3y", "index", date(2024, 3, 26)),
    ("gap", RANGE, "index", None),
    ("rates", "10y", "index", None),
    # every kind over crashes, long ranges and custom pairs
    ("gap", "3y", "index", date(2024, 3, 26)),
    ("gap", "1m", "index", CRASH_2020),
    ("gap", "3y", "index", CRASH_2008),
    ("gap", "max", "index", None),
    ("gap", "5y", "IWM/SPY", None),
    ("gap", "1y", "SPY/IWM", None),
    ("gap", "10y", "IJR/SPY", None),
    ("stats", "max", "etf", None),
    ("stats", "20y", "index", None),
    ("stats", "3y", "IJR/SPY", None),
    ("stats", RANGE, "index", None),
    ("history", "1y", "IJR/SPY", None),
    ("history", "5y", "index", CRASH_2008),
    ("history", "1y", "index", CRASH_2020),
    ("history", "10y", "etf", None),
    ("history", "1y", "index", date(2024, 11, 11)),  # a 'widest lead since' mark
    ("history", "1y", "index", date(2020, 3, 18)),  # a 'widest lag since' mark
    ("trend", "2y", "index", None),
    ("trend", RANGE, "index", None),
    ("trend", "max", "index", None),
    ("trend", "1y", "index", CRASH_2020),
    ("trend", "5y", "IJR/SPY", None),
    ("rates", "3y", "index", date(2024, 3, 26)),
    ("rates", "1y", "index", CRASH_2008),
    ("rates", "20y", "etf", None),
    ("rates", RANGE, "index", None),
    ("table", "-", "index", None),
    ("table", "-", "index", CRASH_2008),
    ("table", "-", "index", CRASH_2020),
    ("table", "-", "IJR/SPY", None),
]


@pytest.mark.parametrize(("kind", "period", "pair", "as_of"), CASES,
                         ids=[f"{k}-{p}-{q}-{a or 'latest'}" for k, p, q, a in CASES])
def test_chart_is_legible(real_closes, kind, period, pair, as_of) -> None:
    fig = _figure(kind, real_closes, period, pair, as_of)
    assert layout_problems(fig) == []


REPORT_COMMANDS = [c for c in registry.COMMANDS if c.rendering is not None]
"""Every command that answers with a chart (a report), from the registry."""


@pytest.mark.parametrize("command", REPORT_COMMANDS, ids=[c.name for c in REPORT_COMMANDS])
def test_every_report_chart_is_legible(command, market_data_dir, cache, tmp_path, monkeypatch):
    """The chart of each report command's example, as its query draws it (the figure is
    caught where chart_base lays it out for its PNG)."""
    drawn: list[Figure] = []
    lay_out = chart_base.lay_out
    monkeypatch.setattr(chart_base, "lay_out", lambda fig: (drawn.append(fig), lay_out(fig)))
    settings = Settings(smallcaps_data_dir=market_data_dir, smallcaps_state_dir=tmp_path)
    reports = build_deps(settings, cache=cache).reports
    png = reports.run(registry.parse(command.example, context()).request).chart_png
    assert png.startswith(b"\x89PNG") and len(drawn) == 1
    assert layout_problems(drawn[0]) == []


@pytest.mark.parametrize(("text", "missing"), [
    ("today +11.8", "+11.8"), ("+11.8 pp", None), ("ratio 0.4512", None),
    ("−27.9 %  2025-04-08", None), ("r = +0.22", None), ("8,450 overlapping windows", None),
    ("Russell 2000 vs S&P 500", None), ("93rd percentile since 1990", None), ("0.45", "0.45"),
    ("BE/ME 1.53 → 4.83", None), ("1.53 → 4.83", "1.53"),
])
def test_unit_rule(text: str, missing: str | None) -> None:
    """The unit rule itself: a bare number is flagged, names, dates and ordinals are not."""
    assert unit_problem(text) == missing
