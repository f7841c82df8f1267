"""How each report command's payload is worded: one entry per command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from analytics.formatting import clip
from bot.reports import Payload, Report
from bot.slack.slack_io import ChannelReply
from handlers import (
    board_reply,
    cuts_reply,
    gap_reply,
    history_reply,
    rates_reply,
    stats_reply,
    table_reply,
    trend_reply,
    valuation_reply,
)


@dataclass(frozen=True)
class ReplyFormat:
    """Pure functions from a payload to Block Kit, notification text, terminal text, title."""

    blocks: Callable[[Payload], list[dict[str, Any]]]
    fallback: Callable[[Payload], str]
    plain: Callable[[Payload], str]
    title: Callable[[Payload], str]


REPLIES: dict[str, ReplyFormat] = {
    "gap": ReplyFormat(gap_reply.gap_blocks, gap_reply.gap_fallback_text,
                       gap_reply.gap_plain_text, gap_reply.title),
    "table": ReplyFormat(table_reply.table_blocks, table_reply.table_fallback_text,
                         table_reply.table_plain_text, table_reply.title),
    "stats": ReplyFormat(stats_reply.stats_blocks, stats_reply.stats_fallback_text,
                         stats_reply.stats_plain_text, stats_reply.title),
    "trend": ReplyFormat(trend_reply.trend_blocks, trend_reply.trend_fallback_text,
                         trend_reply.trend_plain_text, trend_reply.title),
    "rates": ReplyFormat(rates_reply.rates_blocks, rates_reply.rates_fallback_text,
                         rates_reply.rates_plain_text, rates_reply.title),
    "history": ReplyFormat(history_reply.history_blocks, history_reply.history_fallback_text,
                           history_reply.history_plain_text, history_reply.title),
    "board": ReplyFormat(board_reply.board_blocks, board_reply.board_fallback_text,
                         board_reply.board_plain_text, board_reply.title),
    "cuts": ReplyFormat(cuts_reply.cuts_blocks, cuts_reply.cuts_fallback_text,
                        cuts_reply.cuts_plain_text, cuts_reply.title),
    "valuation": ReplyFormat(valuation_reply.valuation_blocks,
                             valuation_reply.valuation_fallback_text,
                             valuation_reply.valuation_plain_text, valuation_reply.title),
}


NO_CSV_YET = frozenset({"cuts", "valuation"})
"""Reports bot.reports.csv_export cannot export yet: no CSV button under them (a button
that always fails would be worse than none)."""


def channel_reply(report: Report) -> ChannelReply:
    """The channel message (blocks, text and chart) for any report; the chart is drawn when
    `chart` is called (after the text is posted)."""
    fmt = REPLIES[report.payload["command"]]
    p = report.payload
    from handlers.csv_button import with_csv_button  # deferred: it imports handlers.parsing

    blocks = fmt.blocks(p) if p["command"] in NO_CSV_YET else with_csv_button(fmt.blocks(p), p)
    return ChannelReply(blocks=blocks, text=fmt.fallback(p),
                        chart=lambda: report.chart_png,
                        chart_filename=report.chart_filename, chart_title=fmt.title(p),
                        chart_alt_text=chart_alt_text(p))


ALT_TEXT_MAX = 1000
"""Slack's limit for an image's alt text is 2000 characters (Block Kit image `alt_text`);
a file's `alt_txt` is kept well inside it."""


def chart_alt_text(p: Payload) -> str:
    """'Chart: <title>. <the answer with its key numbers>' for screen readers: the chart's
    title alone would tell a reader what it shows, not what it says."""
    fmt = REPLIES[p["command"]]
    return clip(f"Chart: {fmt.title(p)}. {fmt.fallback(p)}", ALT_TEXT_MAX)


def plain_text(report: Report) -> str:
    """The terminal rendering of any report."""
    return REPLIES[report.payload["command"]].plain(report.payload)
