"""Specs of the commands not yet in a module of their own (being moved, issue #11)."""

from __future__ import annotations

from handlers import (
    board_reply,
    cuts_reply,
    history_reply,
    rates_reply,
    stats_reply,
    table_reply,
    trend_reply,
    valuation_reply,
)
from handlers.alert_parsing import parse_alert, parse_digest
from handlers.alerts import answer_alert
from handlers.buttons import DEFAULT_CHOICES
from handlers.channel_defaults import with_settings_block
from handlers.command import Command, Conversation, Rendering
from handlers.parsing import (
    StatusRequest,
    parse_cuts,
    parse_history,
    parse_rates,
    parse_stats,
    parse_status,
    parse_table,
    parse_trend,
    parse_valuation,
)
from handlers.status import answer_status

PAIR_PERIOD_BASIS = frozenset({"pair", "period", "basis"})

TABLE = Command(
    name="table", usage="table [PAIR] [as-of DATE]",
    summary="Returns of both series and the gap over 1w, 1m, 3m, 6m, YTD, 1y, 3y, 5y and 10y, "
            "like a fund-vs-benchmark view; rows beyond 1y are annualised (1 + r)^(365.25 / "
            "calendar days) − 1 and marked ann.; n/a where history is too short. Posts a chart.",
    example="table etf", parse=parse_table,
    rendering=Rendering(table_reply.table_blocks, table_reply.table_fallback_text,
                        table_reply.table_plain_text, table_reply.title),
    prerendered=True, csv=True, defaults=frozenset({"pair", "basis"}), schedulable=True)
STATS = Command(
    name="stats", usage="stats [PERIOD] [PAIR] [as-of DATE]",
    summary="Total return, CAGR, volatility, Sharpe and max drawdown (peak, trough, recovery) "
            "of both series, beta and correlation of small on large (default 3y). Simple daily "
            "returns, 252-day year: volatility = std × √252, CAGR years = returns / 252, Sharpe "
            "= mean excess / std × √252 (risk-free from SMALLCAPS_RISK_FREE_RATE, default 0). "
            "Posts a chart.",
    example="stats 5y", parse=parse_stats,
    rendering=Rendering(stats_reply.stats_blocks, stats_reply.stats_fallback_text,
                        stats_reply.stats_plain_text, stats_reply.title),
    choices=DEFAULT_CHOICES, prerendered=True, csv=True, defaults=PAIR_PERIOD_BASIS,
    schedulable=True)
TREND = Command(
    name="trend", usage="trend [PERIOD] [PAIR] [as-of DATE]",
    summary="Is it turning? The small/large ratio against its 50- and 200-day averages, its "
            "last 200-day cross, z-score and percentile over all history, and how far it is "
            "from its peak. PERIOD is the chart window (default 2y). Posts a chart.",
    example="trend 2y", parse=parse_trend,
    rendering=Rendering(trend_reply.trend_blocks, trend_reply.trend_fallback_text,
                        trend_reply.trend_plain_text, trend_reply.title),
    choices=trend_reply.TREND_CHOICES, prerendered=True, csv=True, defaults=PAIR_PERIOD_BASIS,
    schedulable=True)
RATES = Command(
    name="rates", usage="rates [PERIOD] [PAIR] [as-of DATE]",
    summary="Do rates explain the gap? The rolling 1-year gap against the 10-year Treasury "
            "yield (^TNX), their correlation in levels and in 3-month changes, and what that "
            "says about \"higher rates hurt small caps\" (default 10y). Posts a chart.",
    example="rates 10y", parse=parse_rates,
    rendering=Rendering(rates_reply.rates_blocks, rates_reply.rates_fallback_text,
                        rates_reply.rates_plain_text, rates_reply.title),
    prerendered=True, csv=True, defaults=PAIR_PERIOD_BASIS, schedulable=True)
HISTORY = Command(
    name="history", usage="history [WINDOW] [PAIR] [as-of DATE]",
    summary="Is it the worst run in 20 years? The rolling WINDOW gap (1y, 3y, 5y...; default "
            "3y) through all history with its median and 10 %/90 % bands, today's percentile, "
            "the record and the last time it was this wide. Posts a chart.",
    example="history 3y", parse=parse_history,
    rendering=Rendering(history_reply.history_blocks, history_reply.history_fallback_text,
                        history_reply.history_plain_text, history_reply.title),
    choices=DEFAULT_CHOICES, prerendered=True, csv=True,
    defaults=frozenset({"pair", "window", "basis"}), schedulable=True)
BOARD = Command(
    name="board", usage="board [PAIR, PAIR...] [as-of DATE]",
    summary="Many pairs in one view: the gap (pp) over 1m, 3m, YTD, 1y and 3y, the ratio vs "
            "its 200-day average, the 1y gap's percentile in its own history and the basis, for "
            "small caps, profitable small caps, micro, mid, equal-weight and value/growth pairs "
            "(rows from SMALLCAPS_BOARD or `set board`). Same numbers as `gap`/`trend`. Posts a "
            "heatmap.",
    example="board", parse=board_reply.parse_board_command,
    rendering=Rendering(board_reply.board_blocks, board_reply.board_fallback_text,
                        board_reply.board_plain_text, board_reply.title),
    prerendered=True, csv=True, defaults=frozenset({"board"}), schedulable=True)
CUTS = Command(
    name="cuts", usage="cuts [PAIR] [as-of DATE]",
    summary="Do small caps do better after the first Fed rate cut of a cycle? For each first "
            "cut (a cut after a hike and at least 365 days after the previous cut, dated the "
            "day it takes effect as FRED does), the gap over 3 months before and 1, 3, 6 and 12 "
            "months after; median, mean and wins of the earlier cycles, the current one against "
            "them, and an honest verdict. Posts a chart.",
    example="cuts", parse=parse_cuts,
    rendering=Rendering(cuts_reply.cuts_blocks, cuts_reply.cuts_fallback_text,
                        cuts_reply.cuts_plain_text, cuts_reply.title),
    prerendered=True, on_home=True)
VALUATION = Command(
    name="valuation", usage="valuation",
    summary="Are small caps cheap? Price-to-book of the smallest vs the largest size quintile "
            "of Kenneth French's 25 size x book-to-market portfolios, every year since 1926 "
            "(end-of-June snapshots): the latest year's percentile since 1990 and since 1926, "
            "the years it was lower, and years one portfolio distorts. Posts a chart.",
    example="valuation", parse=parse_valuation,
    rendering=Rendering(valuation_reply.valuation_blocks,
                        valuation_reply.valuation_fallback_text,
                        valuation_reply.valuation_plain_text, valuation_reply.title),
    prerendered=True, on_home=True)


def _answer_alert(conversation: Conversation, request: object) -> None:
    command = {"channel_id": conversation.channel_id, "user_id": conversation.user_id,
               "text": conversation.text}
    answer_alert(conversation.deps, request, command,  # type: ignore[arg-type]
                 conversation.respond, conversation.error_text)


ALERT = Command(
    name="alert",
    usage="alert add METRIC CONDITION VALUE [PAIR] [hysteresis N] [cooldown Nd] "
          "[no-clear-note] | list | remove ID | pause ID | resume ID",
    summary="Threshold alerts for this channel, checked after each US close. METRIC: `gap 3y` "
            "(in pp), `ratio vs 200dma` (in percent), `ratio percentile`, `ratio zscore`; "
            "CONDITION: above, below, crosses, crosses up, crosses down. Hysteresis: re-arm "
            "only after moving back by N.",
    example="alert add gap 3y above 30 hysteresis 2", parse=parse_alert, answer=_answer_alert)
DIGEST = Command(
    name="digest", usage="digest daily|weekly|off",
    summary="A scheduled summary in this channel after the US close (daily, or on each week's "
            "last trading day).",
    example="digest weekly", parse=parse_digest, answer=_answer_alert)


def _answer_status(conversation: Conversation, request: StatusRequest) -> None:
    deps = conversation.deps
    answer_status(deps, with_settings_block(deps, conversation.channel_id, conversation.tell))


STATUS = Command(
    name="status", usage="status",
    summary="Where the data comes from and how fresh it is per symbol, cache and scheduler "
            "health, and the version.",
    example="status", parse=parse_status, answer=_answer_status, cli="own")
