"""`trend`: is it turning? The small/large ratio against its 50- and 200-day averages.

Grammar `trend [PERIOD] [PAIR] [BASIS] [as-of DATE] [live]` (PERIOD is the chart window,
default 2y); its query (where the ratio stands against its averages, with its chart) and
payload; the words for that payload (Block Kit for Slack, plain text for the CLI; pure
functions); its buttons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, TypedDict

from analytics.charts_trend import render_trend_chart
from analytics.errors import present
from analytics.formatting import pct, percentile_rank
from analytics.periods import parse_period
from analytics.trend import TrendStatus, TrendView, compute_trend
from bot.data.market import PriceHistory
from bot.reports import Chart, csv_export, history_meta
from bot.reports.common import (
    PeriodPairQuery,
    basis_end_note,
    chart_source,
    fetched_day,
    instrument_payload,
    window_fields,
)
from bot.reports.payloads import Instrument, SourceFields, WindowFields
from handlers.buttons import PAIR_CHOICES, Choice, report_buttons
from handlers.command import AlertOffer, Command, Export, Rendering, near
from handlers.report_text import (
    bold_fields_to_plain,
    pair_symbols,
    plain_lines,
    source_text,
    summary_blocks,
    words,
)
from handlers.words import ParseContext, parse_period_pair


class WindowRatio(TypedDict):
    start: float
    end: float
    change_pct: float


class StatusPayload(TypedDict):
    """Where the ratio stands on the as-of day, against all history up to it."""

    as_of: str
    history_start: str
    history_days: int
    ratio: float
    ma50: float | None
    ma200: float | None
    pct_vs_50dma: float | None
    pct_vs_200dma: float | None
    zscore: float | None
    percentile: float | None
    last_cross_date: str | None
    last_cross_direction: str | None
    days_since_cross: int | None
    peak_date: str
    peak_ratio: float
    drawdown_pct: float
    days_since_peak: int


class TrendPayload(WindowFields, SourceFields):
    """The JSON answer to a trend query."""

    small: Instrument
    large: Instrument
    window_ratio: WindowRatio
    status: StatusPayload


DEFAULT_PERIOD = "2y"
"""The window `trend` reads when none is given."""


@dataclass(frozen=True)
class TrendQuery(PeriodPairQuery):
    """A chart window, a pair and an optional as-of date."""

    command: str = "trend"

    def build(self, history: PriceHistory) -> tuple[TrendPayload, Chart]:
        small, large = self.closes(history)
        view = compute_trend(self.pair, small, large, self.period, self.as_of)
        payload = trend_payload(view, history, self)
        chart = partial(render_trend_chart, view, source=chart_source(payload),
                        fetched=fetched_day(payload))
        return payload, chart


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def status_payload(status: TrendStatus) -> StatusPayload:
    """A TrendStatus as JSON (dates ISO, ratios to 8 digits, percentages to 4)."""
    return {
        "as_of": status.as_of.isoformat(),
        "history_start": status.history_start.isoformat(),
        "history_days": status.history_days,
        "ratio": round(status.ratio, 8),
        "ma50": _round(status.ma50, 8),
        "ma200": _round(status.ma200, 8),
        "pct_vs_50dma": _round(status.pct_vs_50dma, 4),
        "pct_vs_200dma": _round(status.pct_vs_200dma, 4),
        "zscore": _round(status.zscore, 4),
        "percentile": _round(status.percentile, 2),
        "last_cross_date": status.last_cross_date.isoformat() if status.last_cross_date else None,
        "last_cross_direction": status.last_cross_direction,
        "days_since_cross": status.days_since_cross,
        "peak_date": status.peak_date.isoformat(),
        "peak_ratio": round(status.peak_ratio, 8),
        "drawdown_pct": round(status.drawdown_pct, 4),
        "days_since_peak": status.days_since_peak,
    }


def trend_payload(view: TrendView, history: PriceHistory, query: TrendQuery) -> TrendPayload:
    """The JSON answer to a trend query (stable keys; documented in README)."""
    ratio = view.frame["ratio"]
    return {
        **window_fields("trend", view.period, view.pair, view.window, query.as_of),
        "small": instrument_payload(view.pair.small),
        "large": instrument_payload(view.pair.large),
        "window_ratio": {
            "start": round(float(ratio.iloc[0]), 8),
            "end": round(float(ratio.iloc[-1]), 8),
            "change_pct": round(float(ratio.iloc[-1] / ratio.iloc[0] - 1.0) * 100.0, 4),
        },
        "status": status_payload(view.status),
        **history_meta(history, basis_end_note(history, query.pair, view.window.end.date())),
    }


def parse_trend(args: list[str], context: ParseContext) -> TrendQuery:
    """`trend [PERIOD] [PAIR] [as-of DATE]`: PERIOD is the chart window (default 2y)."""
    parsed = parse_period_pair(args, "trend", context, default_period=DEFAULT_PERIOD)
    return TrendQuery(period=parsed.period, pair=parsed.pair, as_of=parsed.as_of, live=parsed.live)


CHOICES: tuple[Choice, ...] = tuple(Choice("period", p, p)
                                    for p in ("1y", "2y", "5y", "10y")) + PAIR_CHOICES
"""`trend`'s PERIOD is only its chart window (default 2y, so 2y replaces 3y)."""


def title(p: TrendPayload) -> str:
    """'^RUT / ^GSPC ratio · trend to 2026-08-21' (the first line names the series)."""
    return f"{pair_symbols(p, ' / ')} ratio · trend to {p['end']}"


def headline(p: TrendPayload) -> str:
    """Where the ratio stands against its 200-day average, and since when."""
    s = p["status"]
    if s["ma200"] is None:
        return (f"Not enough history for a 200-day average yet ({s['history_days']} common "
                f"closes since {s['history_start']}).")
    vs200 = present(s["pct_vs_200dma"], "% vs the 200-day average")  # there with the average
    side = "above" if vs200 > 0 else "below"
    names = words(p)
    ratio = f"{p['small']['symbol']}/{p['large']['symbol']}"
    what = f"The small/large ratio ({ratio})" if names.plural else f"The {ratio} ratio"
    text = f"{what} is {side} its 200-day average ({pct(vs200)})"
    have = "has"
    if s["last_cross_date"] is None:
        return f"{text} and {have} been since the average began."
    days = s["days_since_cross"]
    return (f"{text} and {have} been since {s['last_cross_date']} "
            f"({days:,} trading day{'s' if days != 1 else ''}).")


def peak_line(p: TrendPayload) -> str:
    """'The ratio has been below its 2011-04-29 peak for N trading days (now -45.6 % from it:
    0.6000 -> 0.3264)': below that peak, not lagging every day since."""
    s = p["status"]
    if s["days_since_peak"] == 0:
        return (f"{words(p).capitalised()} {words(p).verb('are')} at a relative high: the "
                f"ratio is at its highest since {s['history_start']}.")
    days = s["days_since_peak"]
    return (f"The ratio has been below its {s['peak_date']} peak for {days:,} trading "
            f"day{'s' if days != 1 else ''}, rallies in between included (now "
            f"{pct(s['drawdown_pct'])} from that peak: {s['peak_ratio']:.4f} → "
            f"{s['ratio']:.4f}).")


def _vs(value: float | None, average: float | None) -> str:
    if value is None or average is None:
        return "not enough history"
    return f"{pct(value)} (average {average:.4f})"


def fields(p: TrendPayload) -> list[str]:
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


def window_line(p: TrendPayload) -> str:
    r = p["window_ratio"]
    return (f"Chart: {p['period_description']}, {p['start']} → {p['end']}; the ratio moved "
            f"{pct(r['change_pct'])} over it ({r['start']:.4f} → {r['end']:.4f}).")


def context_lines(p: TrendPayload) -> list[str]:
    """Series, basis, dates and source: what makes the numbers reproducible."""
    s = p["status"]
    return [
        f"Series: {p['small']['name']} ({p['small']['symbol']}) / {p['large']['name']} "
        f"({p['large']['symbol']}) daily closes · Basis: {p['basis']} · As of {s['as_of']} "
        "(last common close on or before the as-of date)",
        f"50/200-day averages, z-score (ddof 1) and percentile use every common close from "
        f"{s['history_start']} to {s['as_of']}, never later data · {source_text(p)}",
    ]


def trend_blocks(p: TrendPayload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply (well inside Slack's limits), ending with the
    period/pair buttons (bot/listeners/actions.py switches the message in place)."""
    return [*summary_blocks(title(p), headline(p), fields(p),
                            f"{peak_line(p)}\n{window_line(p)}", p, context_lines(p)),
            report_buttons(p, CHOICES)]


def trend_fallback_text(p: TrendPayload) -> str:
    """Notification text (and the text of clients that cannot show blocks)."""
    s = p["status"]
    return (f"{headline(p)} Ratio {s['ratio']:.4f} on {s['as_of']}, "
            f"{pct(s['drawdown_pct'])} from its {s['peak_date']} peak ({p['basis']}).")


def trend_plain_text(p: TrendPayload) -> str:
    """The same summary as Slack shows, for a terminal."""
    body = [*bold_fields_to_plain(fields(p)), "", peak_line(p), window_line(p)]
    return plain_lines(title(p), headline(p), body, p, context_lines(p))


def alert_offer(p: Mapping[str, Any]) -> AlertOffer | None:
    """"Alert me on this": the ratio against its 200-day average crossing the nearest half
    percent to today's distance from it."""
    value = (p.get("status") or {}).get("pct_vs_200dma")
    if value is None:
        return None
    return AlertOffer(f"ratio vs 200dma {p['pair']} crosses {near(value, 0.5):g}",
                      f"the ratio is {value:+.2f} % from its 200-day average on "
                      f"{p['status']['as_of']}", p["basis"])


COMMAND = Command(
    name="trend",
    usage="trend [PERIOD] [PAIR] [as-of DATE]",
    summary="Is it turning? The small/large ratio against its 50- and 200-day averages, its "
            "last 200-day cross, z-score and percentile over all history, and how far it is "
            "from its peak. PERIOD is the chart window (default 2y). Posts a chart.",
    example="trend 2y",
    parse=parse_trend,
    home="status",
    rendering=Rendering(trend_blocks, trend_fallback_text, trend_plain_text, title),
    choices=CHOICES,
    prerendered=True,
    export=Export(csv_export.ratio_averages_csv),
    pinned_query=lambda period, pair, day: TrendQuery(period or parse_period(DEFAULT_PERIOD),
                                                      pair, day),
    links=True,
    defaults=frozenset({"pair", "period", "basis"}),
    schedulable=True,
    alert_offer=alert_offer,
)
