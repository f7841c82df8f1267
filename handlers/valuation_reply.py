"""Words for a valuation payload: Block Kit for Slack, plain text for the CLI. Pure functions.

The reply checks the March 2024 claim "on price-to-book, small caps relative to large caps
trade in the bottom decile of their range since 1990", names the source, its edition and
the end-of-June convention, and calls out a year whose value one portfolio moves.
"""

from __future__ import annotations

from typing import Any

from analytics.formatting import ordinal
from handlers.report_text import (
    Payload,
    context,
    header,
    indented,
    section,
    title_rule,
    warning_lines,
)

CLAIM = "“bottom decile since 1990”"


def title(p: Payload) -> str:
    """'Price-to-book, small vs large caps · 1926–2024'."""
    return f"Price-to-book, small vs large caps · {p['first_year']}–{p['latest_year']}"


def _rank(percentile: float) -> str:
    return ordinal(max(1.0, percentile))


def headline(p: Payload) -> str:
    """The latest year, its percentiles, and whether it is in the bottom decile since 1990."""
    bottom = p["percentile_since_1990"] <= 10
    verdict = (f"in the bottom decile since 1990, as the {CLAIM} claim says" if bottom
               else f"not in the bottom decile since 1990 ({CLAIM} does not hold for it)")
    text = (f"{p['latest_year']}: small caps trade at {p['latest_relative_pb']:.3f}x the "
            f"price-to-book of large caps, {_rank(p['percentile_since_1990'])} percentile of "
            f"{p['years_since_1990']} years since 1990 and {_rank(p['percentile_all'])} of "
            f"{p['years_all']} since {p['first_year']}: {verdict}.")
    if any(j["year"] == p["latest_year"] for j in p["jumps"]):
        text += f" But one portfolio drives most of {p['latest_year']}'s move (below)."
    return text


def lower_line(p: Payload) -> str:
    """The years it was lower."""
    since = p["years_lower_since_1990"]
    before = [y for y in p["years_lower_all"] if y < 1990]
    text = ("Lower since 1990: " + (", ".join(map(str, since)) if since else "never")
            + f". Lower since {p['first_year']}: "
            + (", ".join(map(str, p["years_lower_all"])) if p["years_lower_all"] else "never"))
    return text + ("." if not before or since else " (all before 1990).")


def jump_lines(p: Payload) -> list[str]:
    """Years whose move one portfolio drives, latest first; only since 1990 and the latest."""
    lines = []
    for j in reversed(p["jumps"]):
        if j["year"] < 1990 and j["year"] != p["latest_year"]:
            continue
        lines.append(
            f"Treat {j['year']} with care: it moved from {j['previous']:.3f} to "
            f"{j['relative_pb']:.3f} mostly because one portfolio, {j['portfolio']}, jumped "
            f"to BE/ME {j['beme_after']:.2f} from {j['beme_before']:.2f} (the other portfolios "
            f"moved far less; it looks like one extreme firm). With that BE/ME held at "
            f"{j['year'] - 1}'s value, {j['year']} would read {j['relative_pb_without_move']:.3f}"
            + (f" ({_rank(p['percentile_since_1990_without_jump'])} percentile since 1990)."
               if j["year"] == p["latest_year"]
               and p["percentile_since_1990_without_jump"] is not None else "."))
    return lines


def previous_line(p: Payload) -> str | None:
    """The year before, against the years since 1990 up to it (what a year earlier showed)."""
    if p["previous_year"] is None:
        return None
    return (f"{p['previous_year']}, the year before: {p['previous_relative_pb']:.3f}, "
            f"{_rank(p['previous_percentile_since_1990'])} percentile of 1990–"
            f"{p['previous_year']}.")


def band_line(p: Payload) -> str:
    """The 10th-90th percentile band since 1990 and the P/B of each quintile."""
    return (f"Since 1990 the ratio ranged {p['band_low']:.3f} to {p['band_high']:.3f} "
            f"({p['band_low_pct']}th to {p['band_high_pct']}th percentile). {p['latest_year']}: "
            f"P/B {p['latest_pb_small']:.2f} for the smallest size quintile, "
            f"{p['latest_pb_large']:.2f} for the largest.")


def context_lines(p: Payload) -> list[str]:
    fetched = p["data_fetched_at"].replace("T", " ").replace("+00:00", " UTC")
    when = "" if p.get("source_kind") == "files" else f" (fetched {fetched})"
    return [
        f"{p['convention']}. Annual end-of-June snapshots; percentiles count the years at or "
        "below the value. Data since 1926; the claim's range starts 1990.",
        f"Source: {p['source']}, edition built from the {p['edition']} CRSP database{when}.",
    ]


def valuation_blocks(p: Payload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply."""
    return [
        header(title(p)),
        section(f"*{headline(p)}*"),
        section("\n".join(line for line in [*jump_lines(p), previous_line(p), band_line(p),
                                             lower_line(p)] if line)),
        context(p, *context_lines(p)),
    ]


def valuation_fallback_text(p: Payload) -> str:
    return headline(p)


def valuation_plain_text(p: Payload) -> str:
    """The same reply for a terminal."""
    lines = [*title_rule(title(p)), headline(p), "",
             *indented([line for line in [*jump_lines(p), previous_line(p), band_line(p),
                                          lower_line(p)] if line]), "",
             *warning_lines(p), *context_lines(p)]
    return "\n".join(lines)
