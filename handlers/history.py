"""`history`: is it the worst run in 20 years? The rolling gap through all history.

Grammar `history [WINDOW] [PAIR] [BASIS] [as-of DATE] [live]` (WINDOW is a length such as 1y,
3y, 5y; default 3y); the words for its payload (Block Kit for Slack, plain text for the CLI;
pure functions); its buttons.
"""

from __future__ import annotations

from typing import Any

from analytics.formatting import percentile_rank, pp, spp
from bot.reports.history import HistoryQuery
from bot.reports.payloads import DatedGap, Instrument, SourceFields, WindowFields
from handlers.buttons import DEFAULT_CHOICES, report_buttons
from handlers.command import Command, Rendering
from handlers.report_text import (
    bold_fields_to_plain,
    plain_lines,
    series_names,
    source_text,
    summary_blocks,
    unusual_lines,
    words,
)
from handlers.words import CommandError, parse_period_pair


class HistoryPayload(WindowFields, SourceFields):
    """The JSON answer to a history query."""

    small: Instrument
    large: Instrument
    current_pp: float
    leader: str
    percentile: float
    windows: int
    independent_windows: int
    first_window_end: str
    median_pp: float
    band_low_pct: float
    band_high_pct: float
    band_low_pp: float
    band_high_pp: float
    band_position: str
    """'above', 'below' or 'inside' the band."""
    last_as_wide: str | None
    widest_since: str | None
    record_lag: DatedGap
    record_lead: DatedGap

CHOICES = DEFAULT_CHOICES
"""The switch buttons under a history reply: 1y, 3y, 5y, 10y windows; index, ETF."""


def parse_history(args: list[str]) -> HistoryQuery:
    """`history [WINDOW] [PAIR] [as-of DATE]`: WINDOW is a length like 1y, 3y, 5y (default 3y)."""
    parsed = parse_period_pair(args, "history", default_period="3y")
    if parsed.period.kind != "offset":
        raise CommandError(f"`history` needs a window length such as 1y, 3y or 5y, not "
                           f"`{parsed.period.label}`.", "history 3y")
    return HistoryQuery(period=parsed.period, pair=parsed.pair, as_of=parsed.as_of,
                        live=parsed.live)


def title(p: HistoryPayload) -> str:
    """'Rolling 3-year gap · Russell 2000 vs S&P 500 · to 2024-03-26'."""
    return (f"Rolling {p['period_adjective']} gap · {p['small']['name']} vs "
            f"{p['large']['name']} · to {p['end']}")


def headline(p: HistoryPayload) -> str:
    """'Small caps lag by 37.73 pp over the 3 years to 2024-03-26: 93rd percentile ...'."""
    band = {"above": f", above the {p['band_high_pct']:.0f} % band",
            "below": f", below the {p['band_low_pct']:.0f} % band",
            "inside": ""}[p["band_position"]]
    names = words(p)
    verb = names.verb("lag" if p["leader"] == "large" else "lead")
    other = "" if names.plural else f" {names.large}"
    return (f"{names.capitalised()} {verb}{other} by {pp(abs(p['current_pp']))} over the "
            f"{p['period_description']} to {p['end']}: {percentile_rank(p['percentile'])} "
            f"percentile of {p['windows']:,} overlapping {p['period_adjective']} windows "
            f"(about {p['independent_windows']:,} independent){band}.")


def rarity_lines(p: HistoryPayload) -> list[str]:
    """Widest since (everyday meaning, at least a month back) and both records, as in `gap`
    (README, "How unusual")."""
    return unusual_lines(p, adjective=p["period_adjective"], current_pp=p["current_pp"],
                         end=p["end"], names=words(p))[1:]


def fields(p: HistoryPayload) -> list[str]:
    extreme = f"100 = {words(p).possessive} widest lag, 0 = widest lead"
    return [
        f"*This window ({p['start']} → {p['end']})*\n{spp(p['current_pp'])} (large − small)",
        f"*Percentile*\n{percentile_rank(p['percentile'])} of {p['windows']:,} ({extreme})",
        f"*Median*\n{spp(p['median_pp'])}",
        f"*{p['band_low_pct']:.0f} % / {p['band_high_pct']:.0f} % band*\n"
        f"{spp(p['band_low_pp'])} to {spp(p['band_high_pp'])}",
    ]


def context_lines(p: HistoryPayload) -> list[str]:
    """Series, basis, dates and source: what makes the numbers reproducible."""
    return [
        f"Series: {series_names(p)} · Basis: {p['basis']} · Gap = large minus small return, pp, "
        f"of the {p['period_adjective']} window ending on each trading day "
        f"({p['first_window_end']} → {p['end']}; as of {p['end']}, the last common close on "
        "or before the as-of date).",
        f"Median and bands: percentiles of all {p['windows']:,} windows (linear interpolation)"
        f" · {source_text(p)}",
    ]


def history_blocks(p: HistoryPayload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply (well inside Slack's limits), ending with the
    period/pair buttons (handlers/actions.py switches the message in place)."""
    return [*summary_blocks(title(p), headline(p), fields(p), "\n".join(rarity_lines(p)), p,
                            context_lines(p)),
            report_buttons(p, CHOICES)]


def history_fallback_text(p: HistoryPayload) -> str:
    """Notification text (and the text of clients that cannot show blocks)."""
    return f"{headline(p)} Median {spp(p['median_pp'])} ({p['basis']})."


def history_plain_text(p: HistoryPayload) -> str:
    """The same summary as Slack shows, for a terminal."""
    body = [*bold_fields_to_plain(fields(p)), "", *rarity_lines(p)]
    return plain_lines(title(p), headline(p), body, p, context_lines(p))


COMMAND = Command(
    name="history",
    usage="history [WINDOW] [PAIR] [as-of DATE]",
    summary="Is it the worst run in 20 years? The rolling WINDOW gap (1y, 3y, 5y...; default "
            "3y) through all history with its median and 10 %/90 % bands, today's percentile, "
            "the record and the last time it was this wide. Posts a chart.",
    example="history 3y",
    parse=parse_history,
    rendering=Rendering(history_blocks, history_fallback_text, history_plain_text, title),
    choices=CHOICES,
    prerendered=True,
    csv=True,
    defaults=frozenset({"pair", "window", "basis"}),
    schedulable=True,
)
