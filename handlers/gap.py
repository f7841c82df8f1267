"""`gap`: how far small caps lag or lead large caps over a period, and how unusual that is.

Grammar `gap [PERIOD] [PAIR] [BASIS] [as-of DATE] [live]` (any order, default 3y); its query
(returns, gap, relative ratio and history rank, with its chart) and payload; the words for
that payload (Block Kit for Slack, plain text for the CLI; pure functions); its buttons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, TypedDict

from analytics.charts_gap import render_gap_chart
from analytics.errors import present
from analytics.formatting import pct, spp
from analytics.gap import GapResult, HistoryRank, compute_gap, window_returns_pct
from analytics.periods import parse_period
from analytics.rank import MIN_INDEPENDENT_WINDOWS
from bot.data.market import PriceHistory
from bot.reports import Chart, csv_export, history_meta
from bot.reports.common import (
    PeriodPairQuery,
    basis_end_note,
    chart_source,
    episode_payload,
    fetched_day,
    other_basis_closes,
    window_fields,
)
from bot.reports.payloads import DatedGap, EpisodeFields, Instrument, SourceFields, WindowFields
from handlers.buttons import DEFAULT_CHOICES, report_buttons
from handlers.command import AlertOffer, Command, Export, Rendering, near
from handlers.report_text import (
    basis_source_text,
    context,
    header,
    indented,
    pair_symbols,
    section,
    span_text,
    title_rule,
    unusual_lines,
    warning_lines,
    window_rule,
    words,
)
from handlers.words import DEFAULT_GAP_PERIOD, ParseContext, parse_period_pair


class GapLeg(Instrument):
    return_pct: float


class OtherBasisLeg(TypedDict):
    symbol: str
    return_pct: float


class GapOtherBasis(TypedDict):
    """The same window on the other basis; the legs are null (and `note` says why) when the
    source lacks those closes."""

    basis: str
    small: OtherBasisLeg | None
    large: OtherBasisLeg | None
    gap_pp: float | None
    note: str | None


class RelativeRatio(TypedDict):
    start: float
    end: float
    change_pct: float


class Annualised(TypedDict):
    years: float
    small_pct: float
    large_pct: float
    gap_pp: float


class RankPayload(TypedDict):
    """How unusual the gap is (README, "How unusual")."""

    percentile: float
    windows: int
    independent_windows: int
    min_independent_windows: int
    ranked: bool
    """False: fewer independent windows than min_independent_windows, not a finding."""
    window_days: int | None
    """A range's calendar length (days) as compared; null for other periods."""
    cut_short: bool
    """True for a range the data or the as-of date cut short (ranked at its real length)."""
    comparison: str
    first_window_end: str
    last_as_wide: str | None
    widest_since: str | None
    record_lag: DatedGap
    record_lead: DatedGap
    episode: EpisodeFields | None
    """The current run (README, "How unusual"); null for `ytd`."""


class GapPayload(WindowFields, SourceFields):
    """The JSON answer to a gap query."""

    small: GapLeg
    large: GapLeg
    gap_pp: float
    """Large minus small return, percentage points (positive: small caps lag)."""
    leader: str
    """'large', 'small' or 'tie'."""
    other_basis: GapOtherBasis | None
    relative_ratio: RelativeRatio
    annualised: Annualised | None
    """Windows over 5 years: both returns and the gap a year."""
    history_rank: RankPayload | None

CHOICES = DEFAULT_CHOICES
"""The switch buttons under a gap reply: 1y, 3y, 5y, 10y; index, ETF."""


@dataclass(frozen=True)
class GapQuery(PeriodPairQuery):
    """What the user asked: a period, a pair and an optional as-of date."""

    command: str = "gap"

    def build(self, history: PriceHistory) -> tuple[GapPayload, Chart]:
        small, large = self.closes(history)
        result = compute_gap(self.pair, small, large, self.period, self.as_of)
        payload = gap_payload(result, history, self, other_basis(result, history))
        chart = partial(render_gap_chart, result, source=chart_source(payload),
                        fetched=fetched_day(payload))
        return payload, chart


def other_basis(result: GapResult, history: PriceHistory) -> GapOtherBasis | None:
    """The same window on the other basis (price return for a total-return query and vice
    versa), or None when the pair has one basis only (two indexes). `note` says why the
    returns are missing when the source lacks closes on the window's days."""
    window = result.window
    found = other_basis_closes(history, result.pair, (window.start, window.end))
    if found is None:
        return None
    other, closes = found
    fields: GapOtherBasis = {"basis": other.basis, "small": None, "large": None,
                             "gap_pp": None, "note": None}
    if isinstance(closes, str):
        return {**fields, "note": closes}
    returns = present(window_returns_pct(*closes, window),  # other_basis_closes checked
                      "both days' returns on the other basis")
    small_pct, large_pct = returns
    pair = result.pair
    return {**fields,
            "small": {"symbol": pair.small.symbol, "return_pct": round(small_pct, 4)},
            "large": {"symbol": pair.large.symbol, "return_pct": round(large_pct, 4)},
            "gap_pp": round(large_pct - small_pct, 4)}


def _leg(symbol: str, name: str, return_pct: float) -> GapLeg:
    return {"symbol": symbol, "name": name, "return_pct": round(return_pct, 4)}


def gap_payload(result: GapResult, history: PriceHistory, query: GapQuery,
                other: GapOtherBasis | None = None) -> GapPayload:
    """The JSON answer to a gap query (stable keys; documented in README); `other` is the
    `other_basis` field (see other_basis)."""
    annual = result.annualised
    return {
        **window_fields("gap", result.period, result.pair, result.window, query.as_of,
                        adjective=True),
        "small": _leg(result.pair.small.symbol, result.pair.small.name, result.small_return_pct),
        "large": _leg(result.pair.large.symbol, result.pair.large.name, result.large_return_pct),
        "gap_pp": round(result.gap_pp, 4),
        "leader": result.leader,
        "other_basis": other,
        "relative_ratio": {
            "start": round(result.relative_ratio_start, 8),
            "end": round(result.relative_ratio_end, 8),
            "change_pct": round(result.relative_change_pct, 4),
        },
        "annualised": None if annual is None else {
            "years": round(annual.years, 4),
            "small_pct": round(annual.small_pct, 4),
            "large_pct": round(annual.large_pct, 4),
            "gap_pp": round(annual.gap_pp, 4),
        },
        "history_rank": rank_payload(result.rank),
        **history_meta(history, basis_end_note(history, query.pair, result.window.end.date())),
    }


def rank_payload(rank: HistoryRank | None) -> RankPayload | None:
    """A HistoryRank as JSON (README, "How unusual"): dates ISO, pp to 4 decimals."""
    if rank is None:
        return None
    return {
        "percentile": round(rank.percentile, 2),
        "windows": rank.windows,
        "independent_windows": rank.independent_windows,
        "min_independent_windows": MIN_INDEPENDENT_WINDOWS,
        "ranked": rank.ranked,
        "window_days": rank.length_days,
        "cut_short": rank.cut_short,
        "comparison": rank.comparison,
        "first_window_end": rank.first_window_end.isoformat(),
        "last_as_wide": rank.last_as_wide.isoformat() if rank.last_as_wide else None,
        "widest_since": rank.widest_since.isoformat() if rank.widest_since else None,
        "record_lag": {"pp": round(rank.record_lag_pp, 4),
                       "end": rank.record_lag_end.isoformat()},
        "record_lead": {"pp": round(rank.record_lead_pp, 4),
                        "end": rank.record_lead_end.isoformat()},
        "episode": episode_payload(rank.episode),
    }


def parse_gap(args: list[str], context: ParseContext) -> GapQuery:
    """`gap [PERIOD] [PAIR] [as-of DATE]`."""
    parsed = parse_period_pair(args, "gap", context)
    return GapQuery(period=parsed.period, pair=parsed.pair, as_of=parsed.as_of, live=parsed.live)


def headline(p: GapPayload) -> str:
    """'Small caps lag by 37.73 pp over 3 years, price return' ('SPY lags IWM by ...' for
    other pairs); windows over 5 years lead with the annualised gap and give the total after
    it. The basis ends the headline, so a quoted number never travels without it."""
    span = "the whole window" if p.get("period_kind") == "range" else p["period_description"]
    names = words(p)
    if p["leader"] == "tie":
        both = "Small and large caps are" if names.plural else \
            f"{names.small} and {names.large} are"
        return f"{both} level over {span}, {p['basis']}"
    verb = names.verb("lag" if p["leader"] == "large" else "lead")
    other = "" if names.plural else f" {names.large}"
    if p["basis"].startswith("mixed"):  # apples to oranges: the caveat comes first
        return (f"Not like for like: {p['basis']}, so dividends count on one side only. "
                f"{names.capitalised()} {verb}{other} by {abs(p['gap_pp']):.2f} pp over "
                f"{span}")
    annual = p.get("annualised")
    if annual:
        return (f"{names.capitalised()} {verb}{other} by {abs(annual['gap_pp']):.2f} pp a year "
                f"over {span} ({pct(annual['small_pct'])} vs {pct(annual['large_pct'])} a year, "
                f"annualised), {abs(p['gap_pp']):,.2f} pp in total, {p['basis']}")
    return (f"{names.capitalised()} {verb}{other} by {abs(p['gap_pp']):.2f} pp over {span}, "
            f"{p['basis']}")


def other_basis_line(p: GapPayload) -> str | None:
    """The same window on the other basis, one line below the headline: 'Price return: IWM
    -7.00 %, SPY +31.02 %, gap +38.02 pp.' (None for two indexes: one basis only)."""
    other = p.get("other_basis")
    if not other:
        return None
    name = other["basis"][:1].upper() + other["basis"][1:]
    small, large, gap = other["small"], other["large"], other["gap_pp"]
    if gap is None or small is None or large is None:  # all three or none
        return f"{name}: not available ({other['note']})."
    return (f"{name}: {small['symbol']} {pct(small['return_pct'])}, {large['symbol']} "
            f"{pct(large['return_pct'])}, gap {spp(gap)}.")


def title(p: GapPayload) -> str:
    """'^RUT vs ^GSPC · 3 years to 2024-03-26' (the fields name the series)."""
    return f"{pair_symbols(p)} · {span_text(p)}"


def leg_line(leg: GapLeg) -> str:
    return f"{leg['name']} ({leg['symbol']}): {pct(leg['return_pct'])}"


def rank_lines(p: GapPayload) -> list[str]:
    """How unusual the gap is (README, "How unusual"): one definition for every reply."""
    rank = p["history_rank"]
    if rank is None:
        return ["No history rank for the full-history window (there is only one)."]
    return unusual_lines(rank, adjective=p["period_adjective"], current_pp=p["gap_pp"],
                         end=p["end"], names=words(p))


def context_line(p: GapPayload) -> str:
    """Basis, source and as-of: what makes the numbers reproducible."""
    line = f"{basis_source_text(p)} · Window {p['start']} → {p['end']}: {window_rule(p)}."
    annual = p.get("annualised")
    if annual:
        line += (" Annualised: (1 + r) ^ (365.25 / calendar days) − 1 over the "
                 f"{annual['years']:.1f} years between the two closes, as in `table`.")
    return line


def gap_blocks(p: GapPayload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply (well inside Slack's limits), ending with the
    period/pair buttons."""
    ratio = p["relative_ratio"]
    fields = [
        f"*{p['small']['name']}* ({p['small']['symbol']})\n{pct(p['small']['return_pct'])}",
        f"*{p['large']['name']}* ({p['large']['symbol']})\n{pct(p['large']['return_pct'])}",
        f"*Gap (large − small)*\n{spp(p['gap_pp'])}",
        f"*Relative ratio (small/large)*\n{pct(ratio['change_pct'])} "
        f"({ratio['start']:.4f} → {ratio['end']:.4f})",
    ]
    other = other_basis_line(p)
    return [
        header(title(p)),
        section(f"*{headline(p)}* ({p['start']} → {p['end']})."
                + (f"\n{other}" if other else ""), fields),
        section("*How unusual*\n" + "\n".join(rank_lines(p))),
        context(p, context_line(p)),
        report_buttons(p, CHOICES),  # switch period/pair in place (bot/listeners/actions.py)
    ]


def gap_fallback_text(p: GapPayload) -> str:
    """Notification text (and the text of clients that cannot show blocks)."""
    return (f"{headline(p)}: {leg_line(p['small'])}, {leg_line(p['large'])}, "
            f"{p['start']} → {p['end']}.")


def gap_plain_text(p: GapPayload) -> str:
    """The same summary as Slack shows, for a terminal."""
    ratio = p["relative_ratio"]
    numbers = [
        leg_line(p["small"]),
        leg_line(p["large"]),
        f"Gap (large − small): {spp(p['gap_pp'])}",
        f"Relative ratio (small/large): {pct(ratio['change_pct'])} "
        f"({ratio['start']:.4f} → {ratio['end']:.4f})",
    ]
    other = other_basis_line(p)
    lines = [*title_rule(title(p)), f"{headline(p)} ({p['start']} → {p['end']}).",
             *([other] if other else []), "",
             *indented(numbers), "", "How unusual:", *indented(rank_lines(p)), "",
             *warning_lines(p), context_line(p)]
    return "\n".join(lines)


def alert_offer(p: Mapping[str, Any]) -> AlertOffer | None:
    """"Alert me on this": the rolling gap of this window and pair crossing the nearest whole
    pp to today's (none for a fixed date range: a rule watches a rolling window)."""
    if p["period_kind"] not in ("offset", "ytd"):
        return None
    return AlertOffer(f"gap {p['period']} {p['pair']} crosses {near(p['gap_pp'], 1):g}",
                      f"the {p['period_adjective']} gap is {p['gap_pp']:.2f} pp on {p['end']}",
                      p["basis"])


COMMAND = Command(
    name="gap",
    usage="gap [PERIOD] [PAIR] [BASIS] [as-of DATE]",
    summary="How far small caps lag or lead large caps, how the relative ratio moved, and how "
            "unusual the gap is against all same-length windows in history. Posts a chart.",
    example="gap 3y",
    parse=parse_gap,
    home="rows",
    rendering=Rendering(gap_blocks, gap_fallback_text, gap_plain_text, title),
    choices=CHOICES,
    prerendered=True,
    export=Export(csv_export.rebased_csv),
    pinned_query=lambda period, pair, day: GapQuery(period or parse_period(DEFAULT_GAP_PERIOD),
                                                    pair, day),
    links=True,
    defaults=frozenset({"pair", "period", "basis"}),
    schedulable=True,
    alert_offer=alert_offer,
)
