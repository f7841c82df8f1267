"""Usage text: what each command does, with an example, and the conventions behind numbers.

`COMMANDS` holds (name, usage, what it does, example) for every command, in help order.
"""

from __future__ import annotations

from typing import Any

from analytics.periods import NAMED_PERIODS

COMMANDS: list[tuple[str, str, str, str]] = [
    ("gap", "gap [PERIOD] [PAIR] [as-of DATE]",
     "How far small caps lag or lead large caps, how the relative ratio moved, and how "
     "unusual the gap is against all same-length windows in history. Posts a chart.",
     "gap 3y"),
    ("alert", "alert add METRIC CONDITION VALUE [PAIR] [hysteresis N] [cooldown Nd] "
     "[no-clear-note] | list | remove ID | pause ID | resume ID",
     "Threshold alerts for this channel, checked after each US close. METRIC: `gap 3y` (in pp), "
     "`ratio vs 200dma` (in percent), `ratio percentile`, `ratio zscore`; CONDITION: above, "
     "below, crosses, crosses up, crosses down. Hysteresis: re-arm only after moving back by N.",
     "alert add gap 3y above 30 hysteresis 2"),
    ("digest", "digest daily|weekly|off",
     "A scheduled summary in this channel after the US close (daily, or on Fridays).",
     "digest weekly"),
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
    "*Numbers:* returns are last/first − 1 of the closes; the gap is large minus small in "
    "percentage points (positive = small caps lag); the relative ratio is small/large."
)


def help_text(command: str = "/smallcaps") -> str:
    """Plain-text usage, for the CLI and notification fallbacks."""
    lines = [f"Usage: {command} COMMAND", ""]
    for _, usage, what, example in COMMANDS:
        lines += [f"  {usage}", f"      {what}", f"      e.g. {command} {example}", ""]
    lines.append(CONVENTIONS.replace("*", "").replace("`", ""))
    return "\n".join(lines)


def help_blocks(command: str = "/smallcaps") -> list[dict[str, Any]]:
    """Ephemeral Block Kit usage with one example per command."""
    rows = "\n".join(f"• `{command} {usage}`\n   {what}\n   _e.g._ `{command} {example}`"
                     for _, usage, what, example in COMMANDS)
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*smallcaps* — small vs "
                                     f"large caps, in numbers and charts.\n\n{rows}"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": CONVENTIONS}]},
    ]
