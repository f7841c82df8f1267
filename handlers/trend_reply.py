"""Words for a trend payload: Block Kit for Slack, plain text for the CLI. Pure functions."""

from __future__ import annotations

from typing import Any

from analytics.formatting import pct, percentile_rank
from handlers.buttons import report_buttons
from handlers.report_text import (
    Payload,
    bold_fields_to_plain,
    plain_lines,
    source_text,
    summary_blocks,
    words,
)


def title(p: Payload) -> str:
    """'Russell 2000 / S&P 500 ratio · trend to 2026-08-21'."""
    return f"{p['small']['name']} / {p['large']['name']} ratio · trend to {p['end']}"


def headline(p: Payload) -> str:
    """Where the ratio stands against its 200-day average, and since when."""
    s = p["status"]
    if s["ma200"] is None:
        return (f"Not enough history for a 200-day average yet ({s['history_days']} common "
                f"closes since {s['history_start']}).")
    side = "above" if s["pct_vs_200dma"] > 0 else "below"
    names = words(p)
    if names.plural:
        text = f"Small caps are {side} their 200-day average ({pct(s['pct_vs_200dma'])})"
    else:
        text = (f"The {names.small}/{names.large} ratio is {side} its 200-day average "
                f"({pct(s['pct_vs_200dma'])})")
    have = "have" if names.plural else "has"
    if s["last_cross_date"] is None:
        return f"{text} and {have} been since the average began."
    days = s["days_since_cross"]
    return (f"{text} and {have} been since {s['last_cross_date']} "
            f"({days:,} trading day{'s' if days != 1 else ''}).")


def peak_line(p: Payload) -> str:
    """'Small caps have lagged for N trading days since their relative peak on ...'."""
    s = p["status"]
    if s["days_since_peak"] == 0:
        return (f"{words(p).capitalised()} {words(p).verb('are')} at a relative high: the "
                f"ratio is at its highest since {s['history_start']}.")
    names = words(p)
    peak = "their relative peak" if names.plural else "the ratio's peak"
    return (f"{names.capitalised()} {names.verb('have')} lagged for {s['days_since_peak']:,} "
            f"trading days since {peak} on {s['peak_date']} (ratio "
            f"{pct(s['drawdown_pct'])} from that peak: {s['peak_ratio']:.4f} → "
            f"{s['ratio']:.4f}).")


def _vs(value: float | None, average: float | None) -> str:
    if value is None or average is None:
        return "not enough history"
    return f"{pct(value)} (average {average:.4f})"


def fields(p: Payload) -> list[str]:
    s = p["status"]
    cross = "never crossed"
    if s["last_cross_date"]:
        arrow = "↑ up through" if s["last_cross_direction"] == "above" else "↓ down through"
        cross = f"{arrow} it on {s['last_cross_date']} ({s['days_since_cross']:,} trading days ago)"
    closes = f"{s['history_days']:,} closes since {s['history_start']}"
    zscore = "n/a (under a year of data)" if s["zscore"] is None else \
        f"{s['zscore']:+.2f} σ against all {closes}"
    percentile = "n/a (under a year of data)" if s["percentile"] is None else \
        f"{percentile_rank(s['percentile'])} percentile of {closes} (0 = the ratio's record low)"
    return [
        f"*Ratio (small / large)*\n{s['ratio']:.4f} on {s['as_of']}",
        f"*vs 50-day average*\n{_vs(s['pct_vs_50dma'], s['ma50'])}",
        f"*vs 200-day average*\n{_vs(s['pct_vs_200dma'], s['ma200'])}",
        f"*Last 200-day cross*\n{cross}",
        f"*Z-score (all history)*\n{zscore}",
        f"*Percentile (all history)*\n{percentile}",
    ]


def window_line(p: Payload) -> str:
    r = p["window_ratio"]
    return (f"Chart: {p['period_description']}, {p['start']} → {p['end']}; the ratio moved "
            f"{pct(r['change_pct'])} over it ({r['start']:.4f} → {r['end']:.4f}).")


def context_lines(p: Payload) -> list[str]:
    """Series, basis, dates and source: what makes the numbers reproducible."""
    s = p["status"]
    return [
        f"Series: {p['small']['name']} ({p['small']['symbol']}) / {p['large']['name']} "
        f"({p['large']['symbol']}) daily closes · Basis: {p['basis']} · As of {s['as_of']} "
        "(last common close on or before the as-of date)",
        f"50/200-day averages, z-score (ddof 1) and percentile use every common close from "
        f"{s['history_start']} to {s['as_of']}, never later data · {source_text(p)}",
    ]


def trend_blocks(p: Payload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply (well inside Slack's limits), ending with the
    period/pair buttons (handlers/actions.py switches the message in place)."""
    return [*summary_blocks(title(p), headline(p), fields(p),
                            f"{peak_line(p)}\n{window_line(p)}", p, context_lines(p)),
            report_buttons(p)]


def trend_fallback_text(p: Payload) -> str:
    """Notification text (and the text of clients that cannot show blocks)."""
    s = p["status"]
    return (f"{headline(p)} Ratio {s['ratio']:.4f} on {s['as_of']}, "
            f"{pct(s['drawdown_pct'])} from its {s['peak_date']} peak ({p['basis']}).")


def trend_plain_text(p: Payload) -> str:
    """The same summary as Slack shows, for a terminal."""
    body = [*bold_fields_to_plain(fields(p)), "", peak_line(p), window_line(p)]
    return plain_lines(title(p), headline(p), body, p, context_lines(p))
