"""Grammars of the report commands not yet in a module of their own (being moved)."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.pairs import PAIRS
from bot.reports.cuts import CutsQuery
from bot.reports.history import HistoryQuery
from bot.reports.rates import RatesQuery
from bot.reports.stats import StatsQuery
from bot.reports.table import TableQuery
from bot.reports.trend import TrendQuery
from bot.reports.valuation import ValuationQuery
from bot.runtime.config import get_settings
from handlers.words import CommandError, is_period, parse_period_pair, pop_as_of, pop_live


def parse_table(args: list[str]) -> TableQuery:
    """`table [PAIR] [as-of DATE]`: the horizons are fixed (1w to 10y), so no period."""
    words, _ = pop_as_of(pop_live(args)[0])
    for word in words:
        if word.lower() not in PAIRS and "/" not in word and (is_period(word)
                                                              or word[:1].isdigit()):
            raise CommandError(f"`table` always shows 1w to 10y, so `{word}` is not needed: "
                               "give a pair or nothing.", "table etf")
    parsed = parse_period_pair(args, "table")
    return TableQuery(pair=parsed.pair, as_of=parsed.as_of, live=parsed.live)


def parse_stats(args: list[str]) -> StatsQuery:
    """`stats [PERIOD] [PAIR] [as-of DATE]`, with the configured risk-free rate."""
    parsed = parse_period_pair(args, "stats")
    return StatsQuery(period=parsed.period, pair=parsed.pair, as_of=parsed.as_of,
                      live=parsed.live,
                      risk_free_rate=get_settings().smallcaps_risk_free_rate)


@dataclass(frozen=True)
class StatusRequest:
    """Show the bot's health: data source and freshness, cache, scheduler, version."""


def parse_status(args: list[str]) -> StatusRequest:
    """`status` (no arguments)."""
    if args:
        raise CommandError(f"`status` takes no arguments (got `{' '.join(args)}`).", "status")
    return StatusRequest()


def parse_trend(args: list[str]) -> TrendQuery:
    """`trend [PERIOD] [PAIR] [as-of DATE]`: PERIOD is the chart window (default 2y)."""
    parsed = parse_period_pair(args, "trend", default_period="2y")
    return TrendQuery(period=parsed.period, pair=parsed.pair, as_of=parsed.as_of, live=parsed.live)


def parse_rates(args: list[str]) -> RatesQuery:
    """`rates [PERIOD] [PAIR] [as-of DATE]` (default 10y)."""
    parsed = parse_period_pair(args, "rates", default_period="10y")
    return RatesQuery(period=parsed.period, pair=parsed.pair, as_of=parsed.as_of, live=parsed.live)


def parse_history(args: list[str]) -> HistoryQuery:
    """`history [WINDOW] [PAIR] [as-of DATE]`: WINDOW is a length like 1y, 3y, 5y (default 3y)."""
    parsed = parse_period_pair(args, "history", default_period="3y")
    if parsed.period.kind != "offset":
        raise CommandError(f"`history` needs a window length such as 1y, 3y or 5y, not "
                           f"`{parsed.period.label}`.", "history 3y")
    return HistoryQuery(period=parsed.period, pair=parsed.pair, as_of=parsed.as_of,
                        live=parsed.live)


def parse_cuts(args: list[str]) -> CutsQuery:
    """`cuts [PAIR] [as-of DATE]`: the windows are fixed (3 months before to 12 after)."""
    words, _ = pop_as_of(args, "cuts")
    for word in words:
        if word.lower() not in PAIRS and "/" not in word and (is_period(word)
                                                              or word[:1].isdigit()):
            raise CommandError(f"`cuts` always shows 3 months before to 12 months after each "
                               f"first cut, so `{word}` is not needed: give a pair or nothing.",
                               "cuts etf")
    parsed = parse_period_pair(args, "cuts")
    if parsed.live:
        raise CommandError("`cuts` compares closes around each first cut, so `live` does not "
                           "apply: give a pair or nothing.", "cuts etf")
    return CutsQuery(pair=parsed.pair, as_of=parsed.as_of)


def parse_valuation(args: list[str]) -> ValuationQuery:
    """`valuation` (no arguments: one annual series since 1926)."""
    if args:
        raise CommandError(f"`valuation` takes no arguments (got `{' '.join(args)}`): it "
                           "always shows every year of French's data.", "valuation")
    return ValuationQuery()
