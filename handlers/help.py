"""Usage text: what each command does, with an example, and the conventions behind numbers.

`COMMANDS` holds (name, usage, what it does, example) for every command, in help order.
"""

from __future__ import annotations

from typing import Any

from analytics.alert_metrics import metric_help
from analytics.formatting import clip
from analytics.periods import NAMED_PERIODS

COMMANDS: list[tuple[str, str, str, str]] = [
    ("gap", "gap [PERIOD] [PAIR] [BASIS] [as-of DATE]",
     "How far small caps lag or lead large caps, how the relative ratio moved, and how "
     "unusual the gap is against all same-length windows in history. Posts a chart.",
     "gap 3y"),
    ("table", "table [PAIR] [as-of DATE]",
     "Returns of both series and the gap over 1w, 1m, 3m, 6m, YTD, 1y, 3y, 5y and 10y, like a "
     "fund-vs-benchmark view; rows beyond 1y are annualised (1 + r)^(365.25 / calendar days) "
     "− 1 and marked ann.; n/a where history is too short. Posts a chart.",
     "table etf"),
    ("stats", "stats [PERIOD] [PAIR] [as-of DATE]",
     "Total return, CAGR, volatility, Sharpe and max drawdown (peak, trough, recovery) of both "
     "series, beta and correlation of small on large (default 3y). Simple daily returns, "
     "252-day year: volatility = std × √252, CAGR years = returns / 252, Sharpe = mean excess "
     "/ std × √252 (risk-free from SMALLCAPS_RISK_FREE_RATE, default 0). Posts a chart.",
     "stats 5y"),
    ("trend", "trend [PERIOD] [PAIR] [as-of DATE]",
     "Is it turning? The small/large ratio against its 50- and 200-day averages, its last "
     "200-day cross, z-score and percentile over all history, and how far it is from its peak. "
     "PERIOD is the chart window (default 2y). Posts a chart.",
     "trend 2y"),
    ("rates", "rates [PERIOD] [PAIR] [as-of DATE]",
     "Do rates explain the gap? The rolling 1-year gap against the 10-year Treasury yield "
     "(^TNX), their correlation in levels and in 3-month changes, and what that says about "
     "\"higher rates hurt small caps\" (default 10y). Posts a chart.",
     "rates 10y"),
    ("history", "history [WINDOW] [PAIR] [as-of DATE]",
     "Is it the worst run in 20 years? The rolling WINDOW gap (1y, 3y, 5y...; default 3y) "
     "through all history with its median and 10 %/90 % bands, today's percentile, the "
     "record and the last time it was this wide. Posts a chart.",
     "history 3y"),
    ("board", "board [PAIR, PAIR...] [as-of DATE]",
     "Many pairs in one view: the gap (pp) over 1m, 3m, YTD, 1y and 3y, the ratio vs its "
     "200-day average, the 1y gap's percentile in its own history and the basis, for small "
     "caps, profitable small caps, micro, mid, equal-weight and value/growth pairs (rows from "
     "SMALLCAPS_BOARD or `set board`). Same numbers as `gap`/`trend`. Posts a heatmap.",
     "board"),
    ("cuts", "cuts [PAIR] [as-of DATE]",
     "Do small caps do better after the first Fed rate cut of a cycle? For each first cut "
     "(a cut after a hike and at least 365 days after the previous cut, dated the day it takes "
     "effect as FRED does), the gap over 3 months before and 1, 3, 6 and 12 months after; "
     "median, mean and wins of the earlier cycles, the current one against them, and an "
     "honest verdict. Posts a chart.",
     "cuts"),
    ("valuation", "valuation",
     "Are small caps cheap? Price-to-book of the smallest vs the largest size quintile of "
     "Kenneth French's 25 size x book-to-market portfolios, every year since 1926 (end-of-June "
     "snapshots): the latest year's percentile since 1990 and since 1926, the years it was "
     "lower, and years one portfolio distorts. Posts a chart.",
     "valuation"),
    ("alert", "alert add METRIC CONDITION VALUE [PAIR] [hysteresis N] [cooldown Nd] "
     "[no-clear-note] | list | remove ID | pause ID | resume ID",
     "Threshold alerts for this channel, checked after each US close. METRIC: "
     f"{metric_help()}; CONDITION: above, below, crosses, crosses up, crosses down. "
     "Hysteresis: re-arm only after moving back by N.",
     "alert add gap 3y above 30 hysteresis 2"),
    ("digest", "digest daily|weekly|off",
     "A scheduled summary in this channel after the US close (daily, or on each week's "
     "last trading day).",
     "digest weekly"),
    ("set", "set [pair|period|basis|board VALUE]",
     "This channel's defaults: `set pair etf`, `set period 5y`, `set basis price`, "
     "`set board IWM/SPY, IJR/SPY, RSP/SPY`; `set` alone shows them. A command without the "
     "word uses the default; replies still say what they used.",
     "set pair etf"),
    ("unset", "unset pair|period|basis|board",
     "Remove one of this channel's defaults.",
     "unset pair"),
    ("schedule", 'schedule add "COMMAND" daily|weekly [DAY]|monthly | list | remove ID',
     "Any report posted in this channel on a schedule, after the US close on trading days: "
     "`schedule add \"board\" weekly fri`, `schedule add \"gap 3y etf\" daily`, "
     "`schedule add \"trend\" monthly` (last weekday of the month). Each period is "
     "posted once.",
     'schedule add "board" weekly fri'),
    ("status", "status",
     "Where the data comes from and how fresh it is per symbol, cache and scheduler health, "
     "and the version.",
     "status"),
]

CONVENTIONS = (
    f"*Periods:* {', '.join(NAMED_PERIODS)}, any `Nd`/`Nw`/`Nm`/`Ny` (calendar days, weeks, "
    "months, years), or `YYYY-MM-DD..YYYY-MM-DD`. The end is the last common close on or "
    "before the as-of date (default: the latest); the start is the last common close on or "
    "before the same calendar date one period earlier (`ytd`: last close of the previous "
    "year).\n"
    "*Pairs:* `index` (default: Russell 2000 `^RUT` vs S&P 500 `^GSPC`, price return), `etf` "
    "(IWM vs SPY, total return from adjusted closes), or `SMALL/LARGE` with any two Yahoo "
    "symbols, e.g. `IJR/SPY`.\n"
    "*Basis:* `total` (default) or `price` after any report command: ETF and stock returns "
    "from Yahoo's adjusted close (dividends reinvested) or its unadjusted close; index levels "
    "are price return only. `gap` shows ETFs on both.\n"
    "*Numbers:* returns are last/first − 1 of the closes; the gap is large minus small in "
    "percentage points (positive = small caps lag); the relative ratio is small/large.\n"
    "*Closes:* answers end on the last NYSE close that is final (16:20 New York, 13:20 after "
    "an early close). Add `live` to any report (`gap 1y live`) for today's move so far, "
    "labelled intraday."
)


def _entries(topic: str | None) -> list[tuple[str, str, str, str]]:
    """All commands, or just the one named by `topic` (all when it names none)."""
    chosen = [c for c in COMMANDS if c[0] == topic]
    return chosen or COMMANDS


def help_text(command: str = "/smallcaps", topic: str | None = None) -> str:
    """Plain-text usage, for the CLI and notification fallbacks."""
    lines = [f"Usage: {command} COMMAND", ""]
    for _, usage, what, example in _entries(topic):
        lines += [f"  {usage}", f"      {what}", f"      e.g. {command} {example}", ""]
    lines.append(CONVENTIONS.replace("*", "").replace("`", ""))
    return "\n".join(lines)


def help_blocks(command: str = "/smallcaps", topic: str | None = None) -> list[dict[str, Any]]:
    """Ephemeral Block Kit usage: one section per command (so no section nears Slack's
    3,000-character limit however many commands there are), then the conventions."""
    intro = (f"*smallcaps* — small vs large caps, in numbers and charts. "
             f"`{command} help COMMAND` shows one command.")
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn",
                                                                 "text": intro}}]
    for _, usage, what, example in _entries(topic):
        text = f"*`{command} {usage}`*\n{what}\n_e.g._ `{command} {example}`"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": clip(text, 3000)}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": CONVENTIONS}]})
    return blocks
