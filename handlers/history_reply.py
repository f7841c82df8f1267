"""Words for a history payload: Block Kit for Slack, plain text for the CLI. Pure functions."""

from __future__ import annotations

from datetime import date
from typing import Any

from analytics.chart_parts import percentile_rank
from analytics.gap import is_unusual
from handlers.buttons import report_buttons
from handlers.format import pp
from handlers.report_text import (
    Payload,
    bold_fields_to_plain,
    last_as_wide_line,
    plain_lines,
    series_names,
    source_text,
    spp,
    summary_blocks,
    widest_since_line,
)


def title(p: Payload) -> str:
    """'Rolling 3-year gap · Russell 2000 vs S&P 500 · to 2024-03-26'."""
    return (f"Rolling {p['period_adjective']} gap · {p['small']['name']} vs "
            f"{p['large']['name']} · to {p['end']}")


def _direction(p: Payload) -> str:
    return "lag" if p["leader"] == "large" else "lead"


def headline(p: Payload) -> str:
    """'Small caps lag by 37.73 pp over the 3 years to 2024-03-26: 93rd percentile ...'."""
    band = {"above": f", above the {p['band_high_pct']:.0f} % band",
            "below": f", below the {p['band_low_pct']:.0f} % band",
            "inside": ""}[p["band_position"]]
    return (f"Small caps {_direction(p)} by {pp(abs(p['current_pp']))} over the "
            f"{p['period_description']} to {p['end']}: {percentile_rank(p['percentile'])} "
            f"percentile of {p['windows']:,} {p['period_adjective']} windows{band}.")


def _years_between(earlier: str, later: str) -> float:
    return (date.fromisoformat(later) - date.fromisoformat(earlier)).days / 365.25


def rarity_lines(p: Payload) -> list[str]:
    """'Widest 3-year lag since 2000-11-10 (23.4 years earlier) ...' and the last as wide."""
    adjective, direction = p["period_adjective"], _direction(p)
    lines = []
    if p["last_as_wide"] is None:
        lines.append(f"Widest {adjective} {direction} on record (since {p['first_window_end']}).")
    elif p["widest_since"]:
        years = _years_between(p["widest_since"], p["end"])
        lines.append(widest_since_line(adjective, direction, p["widest_since"],
                                       is_unusual(p["percentile"], direction == "lag"),
                                       note=f", {years:.1f} years earlier"))
    else:
        lines.append(f"Every earlier window at least this wide overlaps this one (since "
                     f"{p['first_window_end']}).")
    if p["last_as_wide"]:
        lines.append(last_as_wide_line(p["last_as_wide"]))
    return lines


def fields(p: Payload) -> list[str]:
    extreme = "100 = small caps' widest lag, 0 = widest lead"
    return [
        f"*Today ({p['start']} → {p['end']})*\n{spp(p['current_pp'])} (large − small)",
        f"*Percentile*\n{percentile_rank(p['percentile'])} of {p['windows']:,} ({extreme})",
        f"*Median*\n{spp(p['median_pp'])}",
        f"*{p['band_low_pct']:.0f} % / {p['band_high_pct']:.0f} % band*\n"
        f"{spp(p['band_low_pp'])} to {spp(p['band_high_pp'])}",
        f"*Record lag*\n{pp(p['record_lag']['pp'])} (window ending {p['record_lag']['end']})",
        f"*Record lead*\n{pp(abs(p['record_lead']['pp']))} "
        f"(window ending {p['record_lead']['end']})",
    ]


def context_lines(p: Payload) -> list[str]:
    """Series, basis, dates and source: what makes the numbers reproducible."""
    return [
        f"Series: {series_names(p)} · Basis: {p['basis']} · Gap = large minus small return, pp, "
        f"of the {p['period_adjective']} window ending on each trading day "
        f"({p['first_window_end']} → {p['end']}; as of {p['end']}, the last common close on "
        "or before the as-of date).",
        f"Median and bands: percentiles of all {p['windows']:,} windows (linear interpolation)"
        f" · {source_text(p)}",
    ]


def history_blocks(p: Payload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply (well inside Slack's limits), ending with the
    period/pair buttons (handlers/actions.py switches the message in place)."""
    return [*summary_blocks(title(p), headline(p), fields(p), "\n".join(rarity_lines(p)), p,
                            context_lines(p)),
            report_buttons(p)]


def history_fallback_text(p: Payload) -> str:
    """Notification text (and the text of clients that cannot show blocks)."""
    return f"{headline(p)} Median {spp(p['median_pp'])} ({p['basis']})."


def history_plain_text(p: Payload) -> str:
    """The same summary as Slack shows, for a terminal."""
    body = [*bold_fields_to_plain(fields(p)), "", *rarity_lines(p)]
    return plain_lines(title(p), headline(p), body, p, context_lines(p))
