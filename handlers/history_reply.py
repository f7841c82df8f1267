"""Words for a history payload: Block Kit for Slack, plain text for the CLI. Pure functions."""

from __future__ import annotations

from typing import Any

from analytics.formatting import percentile_rank, pp, spp
from handlers.buttons import report_buttons
from handlers.report_text import (
    Payload,
    bold_fields_to_plain,
    plain_lines,
    series_names,
    source_text,
    summary_blocks,
    unusual_lines,
    words,
)


def title(p: Payload) -> str:
    """'Rolling 3-year gap · Russell 2000 vs S&P 500 · to 2024-03-26'."""
    return (f"Rolling {p['period_adjective']} gap · {p['small']['name']} vs "
            f"{p['large']['name']} · to {p['end']}")


def headline(p: Payload) -> str:
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


def rarity_lines(p: Payload) -> list[str]:
    """Widest since (everyday meaning, at least a month back) and both records, as in `gap`
    (README, "How unusual")."""
    return unusual_lines(p, adjective=p["period_adjective"], current_pp=p["current_pp"],
                         end=p["end"], names=words(p))[1:]


def fields(p: Payload) -> list[str]:
    extreme = f"100 = {words(p).possessive} widest lag, 0 = widest lead"
    return [
        f"*This window ({p['start']} → {p['end']})*\n{spp(p['current_pp'])} (large − small)",
        f"*Percentile*\n{percentile_rank(p['percentile'])} of {p['windows']:,} ({extreme})",
        f"*Median*\n{spp(p['median_pp'])}",
        f"*{p['band_low_pct']:.0f} % / {p['band_high_pct']:.0f} % band*\n"
        f"{spp(p['band_low_pp'])} to {spp(p['band_high_pp'])}",
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
