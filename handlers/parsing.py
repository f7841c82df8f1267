"""Turn the text after `/smallcaps` (or the CLI's words) into a request object.

Grammar: `gap [PERIOD] [PAIR] [BASIS] [as-of YYYY-MM-DD]` with PERIOD, PAIR and BASIS
(`total` / `price`) in any order;
`help` or nothing shows usage. Errors carry a short message and a valid example.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from analytics.pairs import PAIRS, Pair, PairError, parse_pair
from analytics.periods import NAMED_PERIODS, Period, PeriodError, parse_period
from bot.data.market_hours import market_today
from bot.reports.cuts import CutsQuery
from bot.reports.gap import GapQuery
from bot.reports.history import HistoryQuery
from bot.reports.rates import RatesQuery
from bot.reports.stats import StatsQuery
from bot.reports.table import TableQuery
from bot.reports.trend import TrendQuery
from bot.reports.valuation import ValuationQuery
from bot.runtime.config import get_settings
from handlers.alert_parsing import parse_alert, parse_digest
from handlers.normalise import command_words
from handlers.words import AS_OF_WORDS as AS_OF_WORDS
from handlers.words import LIVE_WORDS as LIVE_WORDS
from handlers.words import MAX_QUOTED_CHARS as MAX_QUOTED_CHARS
from handlers.words import CommandError as CommandError
from handlers.words import clip_quoted as clip_quoted
from handlers.words import parse_as_of as parse_as_of
from handlers.words import pop_as_of, pop_basis, pop_live

DEFAULT_GAP_PERIOD = "3y"
MAX_COMMAND_CHARS = 1000
"""Longer command text is refused without being parsed or echoed."""


@dataclass(frozen=True)
class HelpRequest:
    """Show usage (optionally for one command)."""

    topic: str | None = None


def split_words(text: str) -> list[str]:
    """Words of a command, after the one normalisation step (handlers.normalise)."""
    return command_words(text)


def _is_period(word: str) -> bool:
    try:
        parse_period(word)
    except PeriodError:
        return False
    return True


@dataclass(frozen=True)
class PeriodPairArgs:
    """The common arguments of report commands: `[PERIOD] [PAIR] [as-of DATE]`."""

    period: Period
    pair: Pair
    as_of: date | None
    live: bool = False


def parse_period_pair(args: list[str], command: str,
                      default_period: str = DEFAULT_GAP_PERIOD) -> PeriodPairArgs:
    """`[PERIOD] [PAIR] [BASIS] [as-of DATE] [live]` in any order; errors name a valid
    `command` example. BASIS (`total` or `price`) selects the basis of ETF and stock closes;
    `live` ends the window on today's unfinished session and cannot be pinned."""
    args, live = pop_live(args)
    args, as_of = pop_as_of(args, command)
    if live and as_of is not None:
        raise CommandError("`live` shows today's move so far, so it cannot go with `as-of`: "
                           "give one or the other.", f"{command} 1y live")
    args, basis = pop_basis(args, command)
    if len(args) > 2:
        raise CommandError(f"Too many words: `{' '.join(args)}`.", f"{command} 5y etf")
    period_text, pair_text = None, None
    for word in args:
        if word.lower() in PAIRS or "/" in word:
            if pair_text is not None:
                raise CommandError("Give one pair, e.g. `etf`.", f"{command} 3y etf")
            pair_text = word
        elif _is_period(word) or word[:1].isdigit():  # digits: let parse_period explain
            if period_text is not None:
                raise CommandError("Give one period, e.g. `3y`.", f"{command} 3y etf")
            period_text = word
        else:
            raise CommandError(
                f"`{word}` is neither a period ({', '.join(NAMED_PERIODS)}, any Nd/Nw/Nm/Ny, "
                "or YYYY-MM-DD..YYYY-MM-DD), a pair (`index`, `etf` or SMALL/LARGE) nor a "
                "basis (`total` or `price`).",
                f"{command} 3y IJR/SPY",
            )
    try:
        period = parse_period(period_text or default_period)
        pair = parse_pair(pair_text)
    except (PeriodError, PairError) as exc:
        raise CommandError(str(exc), f"{command} 3y IJR/SPY") from None
    if basis is not None:
        try:
            pair = pair.with_basis(basis)
        except PairError as exc:
            raise CommandError(str(exc), f"{command} 3y etf {basis}") from None
    if as_of is not None and as_of > market_today():
        raise CommandError(f"`{as_of}` is in the future.", f"{command} 3y as-of 2024-03-26")
    return PeriodPairArgs(period, pair, as_of, live)


def parse_gap(args: list[str]) -> GapQuery:
    """`gap [PERIOD] [PAIR] [as-of DATE]`."""
    parsed = parse_period_pair(args, "gap")
    return GapQuery(period=parsed.period, pair=parsed.pair, as_of=parsed.as_of, live=parsed.live)


def parse_table(args: list[str]) -> TableQuery:
    """`table [PAIR] [as-of DATE]`: the horizons are fixed (1w to 10y), so no period."""
    words, _ = pop_as_of(pop_live(args)[0])
    for word in words:
        if word.lower() not in PAIRS and "/" not in word and (_is_period(word)
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
        if word.lower() not in PAIRS and "/" not in word and (_is_period(word)
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


PARSERS: dict[str, Callable[[list[str]], Any]] = {
    "gap": parse_gap,
    "table": parse_table,
    "stats": parse_stats,
    "trend": parse_trend,
    "rates": parse_rates,
    "history": parse_history,
    "cuts": parse_cuts,
    "valuation": parse_valuation,
    "status": parse_status,
    "alert": parse_alert,  # alert add|list|remove|pause|resume
    "digest": parse_digest,  # digest daily|weekly|off
}
"""Command name -> parser of its arguments. A parser returns a report query (see
bot.reports.ReportQuery) or another request object the Slack listener knows."""


def parse_command(text: str, defaults: Mapping[str, str] | None = None) -> Any:
    """The request named by `text` (the words after `/smallcaps`): a query or HelpRequest.
    `defaults` (a channel's `set` values) fill in a pair, period or board left out."""
    if len(text or "") > MAX_COMMAND_CHARS:
        raise CommandError(f"That command is {len(text):,} characters long; commands are a "
                           "few words.", "gap 3y")
    words = split_words(text or "")
    if not words or words[0].lower() in ("help", "-h", "--help", "?"):
        return HelpRequest(words[1].lower() if len(words) > 1 else None)
    name, args = words[0].lower(), words[1:]
    parser = PARSERS.get(name)
    if parser is None:
        known = ", ".join(f"`{n}`" for n in PARSERS)
        raise CommandError(f"I don't know the command `{words[0]}`. Commands: {known}.",
                           "gap 3y")
    if defaults:
        from handlers.channel_defaults import apply_defaults  # deferred: imports this module

        args = apply_defaults(name, args, defaults)
    return parser(args)


def _deferred(module: str, function: str) -> Callable[[list[str]], Any]:
    """The parser `module.function`, imported on first use: those modules import this one
    (for CommandError and the shared word helpers), so importing them here would be a cycle."""

    def parse(args: list[str]) -> Any:
        return getattr(importlib.import_module(module), function)(args)

    return parse


PARSERS.update({
    "board": _deferred("handlers.board_reply", "parse_board_command"),  # board [PAIRS] [as-of]
    "set": _deferred("handlers.channel_defaults", "parse_set"),  # set [NAME VALUE]
    "unset": _deferred("handlers.channel_defaults", "parse_unset"),  # unset NAME
    "schedule": _deferred("handlers.schedule_replies", "parse_schedule"),  # schedule add|...
})
