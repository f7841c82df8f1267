"""`history`: is it the worst run in 20 years? The rolling gap through all history.

Grammar `history [WINDOW] [PAIR] [BASIS] [as-of DATE] [live]` (WINDOW is a length such as 1y,
3y, 5y; default 3y); its query (the rolling gap with its median, bands and records, with its
chart) and payload; the words for that payload (Block Kit for Slack, plain text for the CLI;
pure functions); its buttons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from analytics.charts_history import render_history_chart
from analytics.formatting import percentile_rank, pp, spp
from analytics.history import BAND_HIGH, BAND_LOW, GapHistory, gap_history
from analytics.rank import MIN_INDEPENDENT_WINDOWS
from bot.data.market import PriceHistory
from bot.reports import Chart, csv_export, history_meta
from bot.reports.common import (
    PeriodPairQuery,
    basis_end_note,
    chart_source,
    episode_payload,
    fetched_day,
    instrument_payload,
    window_fields,
)
from bot.reports.payloads import DatedGap, EpisodeFields, Instrument, SourceFields, WindowFields
from handlers.buttons import DEFAULT_CHOICES, report_buttons
from handlers.command import AlertOffer, Command, Export, Rendering, near
from handlers.report_text import (
    bold_fields_to_plain,
    pair_symbols,
    plain_lines,
    series_names,
    source_text,
    summary_blocks,
    too_few_line,
    unusual_lines,
    words,
)
from handlers.words import CommandError, ParseContext, parse_period_pair


class HistoryPayload(WindowFields, SourceFields):
    """The JSON answer to a history query."""

    small: Instrument
    large: Instrument
    current_pp: float
    leader: str
    percentile: float
    windows: int
    independent_windows: int
    min_independent_windows: int
    ranked: bool
    """False: too few independent windows; the percentile and bands are not findings."""
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
    episode: EpisodeFields | None
    """The current run (README, "How unusual")."""

CHOICES = DEFAULT_CHOICES
"""The switch buttons under a history reply: 1y, 3y, 5y, 10y windows; index, ETF."""


@dataclass(frozen=True)
class HistoryQuery(PeriodPairQuery):
    """A window length (1y, 3y, ...), a pair and an optional as-of date."""

    command: str = "history"

    def build(self, history: PriceHistory) -> tuple[HistoryPayload, Chart]:
        small, large = self.closes(history)
        result = gap_history(self.pair, small, large, self.period, self.as_of)
        payload = history_payload(result, history, self)
        chart = partial(render_history_chart, result, source=chart_source(payload),
                        fetched=fetched_day(payload))
        return payload, chart


def history_payload(result: GapHistory, history: PriceHistory, query: HistoryQuery
                    ) -> HistoryPayload:
    """The JSON answer to a history query (stable keys; documented in README)."""
    rank = result.rank
    return {
        **window_fields("history", result.period, result.pair, result.window, query.as_of,
                        adjective=True),
        "small": instrument_payload(result.pair.small),
        "large": instrument_payload(result.pair.large),
        "current_pp": round(result.current_pp, 4),
        "leader": "large" if result.lagging else "small",
        "percentile": round(rank.percentile, 2),
        "windows": rank.windows,
        "independent_windows": rank.independent_windows,
        "min_independent_windows": MIN_INDEPENDENT_WINDOWS,
        "ranked": rank.ranked,
        "first_window_end": rank.first_window_end.isoformat(),
        "median_pp": round(result.median_pp, 4),
        "band_low_pct": BAND_LOW,
        "band_high_pct": BAND_HIGH,
        "band_low_pp": round(result.band_low_pp, 4),
        "band_high_pp": round(result.band_high_pp, 4),
        "band_position": result.band_position,
        "last_as_wide": rank.last_as_wide.isoformat() if rank.last_as_wide else None,
        "widest_since": rank.widest_since.isoformat() if rank.widest_since else None,
        "record_lag": {"pp": round(result.record_lag_pp, 4),
                       "end": result.record_lag_end.isoformat()},
        "record_lead": {"pp": round(result.record_lead_pp, 4),
                        "end": result.record_lead_end.isoformat()},
        "episode": episode_payload(rank.episode),
        **history_meta(history, basis_end_note(history, query.pair, result.window.end.date())),
    }


def parse_history(args: list[str], context: ParseContext) -> HistoryQuery:
    """`history [WINDOW] [PAIR] [as-of DATE]`: WINDOW is a length like 1y, 3y, 5y (default 3y)."""
    parsed = parse_period_pair(args, "history", context, default_period="3y")
    if parsed.period.kind != "offset":
        raise CommandError(f"`history` needs a window length such as 1y, 3y or 5y, not "
                           f"`{parsed.period.label}`.", "history 3y")
    return HistoryQuery(period=parsed.period, pair=parsed.pair, as_of=parsed.as_of,
                        live=parsed.live)


def title(p: HistoryPayload) -> str:
    """'Rolling 3-year gap · ^RUT vs ^GSPC · to 2024-03-26' (the first line names the
    series)."""
    return f"Rolling {p['period_adjective']} gap · {pair_symbols(p)} · to {p['end']}"


def headline(p: HistoryPayload) -> str:
    """'Small caps lag by 37.73 pp over the 3 years to 2024-03-26: 93rd percentile ...'."""
    band = {"above": f", above the {p['band_high_pct']:.0f} % band",
            "below": f", below the {p['band_low_pct']:.0f} % band",
            "inside": ""}[p["band_position"]]
    names = words(p)
    verb = names.verb("lag" if p["leader"] == "large" else "lead")
    other = "" if names.plural else f" {names.large}"
    said = (f"{names.capitalised()} {verb}{other} by {pp(abs(p['current_pp']))} over the "
            f"{p['period_description']} to {p['end']}")
    if not p.get("ranked", True):
        return f"{said}. {too_few_line(p, adjective=p['period_adjective'], end=p['end'])}"
    return (f"{said}: {percentile_rank(p['percentile'])} "
            f"percentile of {p['windows']:,} overlapping {p['period_adjective']} windows "
            f"(about {p['independent_windows']:,} independent){band}.")


def rarity_lines(p: HistoryPayload) -> list[str]:
    """Widest since (everyday meaning, at least a month back) and both records, as in `gap`
    (README, "How unusual")."""
    return unusual_lines(p, adjective=p["period_adjective"], current_pp=p["current_pp"],
                         end=p["end"], names=words(p))[1:]


def fields(p: HistoryPayload) -> list[str]:
    extreme = f"100 = {words(p).possessive} widest lag, 0 = widest lead"
    this = f"*This window ({p['start']} → {p['end']})*\n{spp(p['current_pp'])} (large − small)"
    if not p.get("ranked", True):
        few = f"n/a: about {p['independent_windows']:,} independent, too few"
        return [this, f"*Percentile*\n{few}", f"*Median*\n{spp(p['median_pp'])}",
                f"*{p['band_low_pct']:.0f} % / {p['band_high_pct']:.0f} % band*\n{few}"]
    return [
        this,
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
    period/pair buttons (bot/listeners/actions.py switches the message in place)."""
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


def alert_offer(p: Mapping[str, Any]) -> AlertOffer | None:
    """"Alert me on this": the rolling gap of this window crossing the nearest whole pp to
    today's."""
    if p.get("period_kind") not in ("offset", "ytd") or p.get("current_pp") is None:
        return None
    return AlertOffer(f"gap {p['period']} {p['pair']} crosses {near(p['current_pp'], 1):g}",
                      f"the {p['period_adjective']} gap is {p['current_pp']:.2f} pp on "
                      f"{p['end']}", p["basis"])


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
    export=Export(csv_export.rolling_gap_csv),
    defaults=frozenset({"pair", "window", "basis"}),
    schedulable=True,
    alert_offer=alert_offer,
)
