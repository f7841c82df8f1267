"""`gap`: how far small caps lag or lead large caps over a period, and how unusual that is.

Grammar `gap [PERIOD] [PAIR] [BASIS] [as-of DATE] [live]` (any order, default 3y); the words
for its payload (Block Kit for Slack, plain text for the CLI; pure functions); its buttons.
"""

from __future__ import annotations

from typing import Any, TypedDict

from analytics.formatting import pct, spp
from bot.reports.gap import GapQuery
from bot.reports.payloads import DatedGap, Instrument, SourceFields, WindowFields
from handlers.buttons import DEFAULT_CHOICES, report_buttons
from handlers.command import Command, Rendering
from handlers.report_text import (
    basis_source_text,
    context,
    header,
    indented,
    section,
    span_text,
    title_rule,
    unusual_lines,
    warning_lines,
    window_rule,
    words,
)
from handlers.words import parse_period_pair


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


class HistoryRank(TypedDict):
    """How unusual the gap is (README, "How unusual")."""

    percentile: float
    windows: int
    independent_windows: int
    comparison: str
    first_window_end: str
    last_as_wide: str | None
    widest_since: str | None
    record_lag: DatedGap
    record_lead: DatedGap


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
    history_rank: HistoryRank | None

CHOICES = DEFAULT_CHOICES
"""The switch buttons under a gap reply: 1y, 3y, 5y, 10y; index, ETF."""


def parse_gap(args: list[str]) -> GapQuery:
    """`gap [PERIOD] [PAIR] [as-of DATE]`."""
    parsed = parse_period_pair(args, "gap")
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
    """'Russell 2000 vs S&P 500 · 3 years to 2024-03-26'."""
    return f"{p['small']['name']} vs {p['large']['name']} · {span_text(p)}"


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
        report_buttons(p, CHOICES),  # switch period/pair in place (handlers/actions.py)
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


COMMAND = Command(
    name="gap",
    usage="gap [PERIOD] [PAIR] [BASIS] [as-of DATE]",
    summary="How far small caps lag or lead large caps, how the relative ratio moved, and how "
            "unusual the gap is against all same-length windows in history. Posts a chart.",
    example="gap 3y",
    parse=parse_gap,
    rendering=Rendering(gap_blocks, gap_fallback_text, gap_plain_text, title),
    choices=CHOICES,
    prerendered=True,
    csv=True,
    defaults=frozenset({"pair", "period", "basis"}),
    schedulable=True,
)
