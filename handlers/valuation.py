"""`valuation`: are small caps cheap? Price-to-book of the smallest vs largest quintile.

Grammar `valuation` (no arguments: one annual series since 1926); the words for its payload
(Block Kit for Slack, plain text for the CLI; pure functions). The reply checks the March 2024
claim "on price-to-book, small caps relative to large caps trade in the bottom decile of their
range since 1990", names the source, its edition and the end-of-June convention, and calls
out a year whose value one portfolio moves.
"""

from __future__ import annotations

from typing import Any, TypedDict

from analytics.formatting import ordinal
from bot.reports.valuation import ValuationQuery
from handlers.command import Command, Rendering
from handlers.report_text import (
    context,
    header,
    indented,
    section,
    title_rule,
    warning_lines,
)
from handlers.words import no_arguments


class Jump(TypedDict):
    year: int
    relative_pb: float
    previous: float
    portfolio: str
    beme_before: float
    beme_after: float
    relative_pb_without_move: float


class ValuationYear(TypedDict):
    year: int
    pb_small: float
    pb_large: float
    relative_pb: float


class ValuationPayload(TypedDict):
    """The JSON answer to a valuation query."""

    command: str
    first_year: int
    latest_year: int
    convention: str
    snapshot: str
    latest_relative_pb: float
    latest_pb_small: float
    latest_pb_large: float
    percentile_since_1990: float
    percentile_all: float
    percentile_since_1990_without_jump: float | None
    previous_year: int | None
    previous_relative_pb: float | None
    previous_percentile_since_1990: float | None
    years_since_1990: int
    years_all: int
    years_lower_since_1990: list[int]
    years_lower_all: list[int]
    band_since: int
    band_low_pct: int
    band_high_pct: int
    band_low: float
    band_high: float
    jumps: list[Jump]
    years: list[ValuationYear]
    edition: str
    source: str
    source_kind: str
    data_fetched_at: str
    stale_note: str | None


def parse_valuation(args: list[str]) -> ValuationQuery:
    """`valuation` (no arguments: one annual series since 1926)."""
    no_arguments(args, "valuation", ": it always shows every year of French's data")
    return ValuationQuery()


CLAIM = "“bottom decile since 1990”"


def title(p: ValuationPayload) -> str:
    """'Price-to-book, small vs large caps · 1926–2024'."""
    return f"Price-to-book, small vs large caps · {p['first_year']}–{p['latest_year']}"


def _rank(percentile: float) -> str:
    return ordinal(max(1.0, percentile))


def headline(p: ValuationPayload) -> str:
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


def lower_line(p: ValuationPayload) -> str:
    """The years it was lower."""
    since = p["years_lower_since_1990"]
    before = [y for y in p["years_lower_all"] if y < 1990]
    text = ("Lower since 1990: " + (", ".join(map(str, since)) if since else "never")
            + f". Lower since {p['first_year']}: "
            + (", ".join(map(str, p["years_lower_all"])) if p["years_lower_all"] else "never"))
    return text + ("." if not before or since else " (all before 1990).")


def jump_lines(p: ValuationPayload) -> list[str]:
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


def previous_line(p: ValuationPayload) -> str | None:
    """The year before, against the years since 1990 up to it (what a year earlier showed)."""
    percentile = p["previous_percentile_since_1990"]
    if p["previous_year"] is None:
        return None
    assert percentile is not None  # there with the previous year
    return (f"{p['previous_year']}, the year before: {p['previous_relative_pb']:.3f}, "
            f"{_rank(percentile)} percentile of 1990–"
            f"{p['previous_year']}.")


def band_line(p: ValuationPayload) -> str:
    """The 10th-90th percentile band since 1990 and the P/B of each quintile."""
    return (f"Since 1990 the ratio ranged {p['band_low']:.3f} to {p['band_high']:.3f} "
            f"({p['band_low_pct']}th to {p['band_high_pct']}th percentile). {p['latest_year']}: "
            f"P/B {p['latest_pb_small']:.2f} for the smallest size quintile, "
            f"{p['latest_pb_large']:.2f} for the largest.")


def context_lines(p: ValuationPayload) -> list[str]:
    fetched = p["data_fetched_at"].replace("T", " ").replace("+00:00", " UTC")
    when = "" if p.get("source_kind") == "files" else f" (fetched {fetched})"
    return [
        f"{p['convention']}. Annual end-of-June snapshots; percentiles count the years at or "
        "below the value. Data since 1926; the claim's range starts 1990.",
        f"Source: {p['source']}, edition built from the {p['edition']} CRSP database{when}.",
    ]


def valuation_blocks(p: ValuationPayload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply."""
    return [
        header(title(p)),
        section(f"*{headline(p)}*"),
        section("\n".join(line for line in [*jump_lines(p), previous_line(p), band_line(p),
                                             lower_line(p)] if line)),
        context(p, *context_lines(p)),
    ]


def valuation_fallback_text(p: ValuationPayload) -> str:
    return headline(p)


def valuation_plain_text(p: ValuationPayload) -> str:
    """The same reply for a terminal."""
    lines = [*title_rule(title(p)), headline(p), "",
             *indented([line for line in [*jump_lines(p), previous_line(p), band_line(p),
                                          lower_line(p)] if line]), "",
             *warning_lines(p), *context_lines(p)]
    return "\n".join(lines)


COMMAND = Command(
    name="valuation",
    usage="valuation",
    summary="Are small caps cheap? Price-to-book of the smallest vs the largest size quintile "
            "of Kenneth French's 25 size x book-to-market portfolios, every year since 1926 "
            "(end-of-June snapshots): the latest year's percentile since 1990 and since 1926, "
            "the years it was lower, and years one portfolio distorts. Posts a chart.",
    example="valuation",
    parse=parse_valuation,
    rendering=Rendering(valuation_blocks, valuation_fallback_text, valuation_plain_text,
                        title),
    prerendered=True,
    on_home=True,
)
