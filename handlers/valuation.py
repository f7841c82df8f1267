"""`valuation`: are small caps cheap? Price-to-book of the smallest vs largest quintile.

Grammar `valuation` (no arguments: one annual series since 1926); its query (French's
portfolios, with its chart) and payload; the words for that payload (Block Kit for Slack,
plain text for the CLI; pure functions). The reply checks the March 2024
claim "on price-to-book, small caps relative to large caps trade in the bottom decile of their
range since 1990", names the source, its edition and the end-of-June convention, and calls
out a year whose value one portfolio moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from functools import partial
from typing import Any, TypedDict

from analytics.charts_valuation import render_valuation_chart
from analytics.errors import present
from analytics.formatting import ordinal
from analytics.valuation import BAND_HIGH, BAND_LOW, BAND_SINCE, ValuationResult, valuation
from bot.data.market import PriceHistory
from bot.data.reference import ReferenceData
from bot.reports import Chart
from bot.reports.identity import IdentifiedQuery
from handlers.command import Command, Rendering, unpinned
from handlers.report_text import (
    context,
    header,
    indented,
    section,
    title_rule,
    warning_lines,
)
from handlers.words import ParseContext, no_arguments


class JumpPayload(TypedDict):
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


class ValuationSource(TypedDict):
    """French's data: its edition, where it came from and how fresh it is."""

    edition: str
    source: str
    source_kind: str
    data_fetched_at: str
    stale_note: str | None


class ValuationPayload(ValuationSource):
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
    jumps: list[JumpPayload]
    years: list[ValuationYear]


CONVENTION = ("July rows of French's 25 size x book-to-market portfolios (formed at the end of "
              "June): market equity = firms x average market cap, book equity = market equity "
              "x the BE_FYt-1/ME_June t ratio; P/B = sum ME / sum BE of the five smallest "
              "(ME1) and the five largest (ME5) portfolios")


@dataclass(frozen=True)
class ValuationQuery(IdentifiedQuery):
    """`valuation` takes no arguments: one annual series since 1926."""

    command: str = "valuation"

    def symbols(self) -> tuple[str, ...]:
        return ()

    def build(self, history: PriceHistory) -> tuple[ValuationPayload, Chart]:
        raise TypeError("valuation needs reference data: use build_with_reference")

    def build_with_reference(self, history: PriceHistory | None,
                             reference: ReferenceData) -> tuple[ValuationPayload, Chart]:
        dataset = reference.size_value()
        data = dataset.data
        result = valuation(data.firms, data.avg_cap, data.beme)
        fetched = dataset.fetched_at.astimezone(UTC).isoformat(timespec="seconds")
        payload = valuation_payload(result, {
            "edition": data.edition,
            "source": dataset.source,
            "source_kind": dataset.source_kind,
            "data_fetched_at": fetched,
            "stale_note": dataset.stale_note,
        })
        chart = partial(render_valuation_chart, result,
                        source="K. R. French Data Library (25 size x B/M portfolios)",
                        edition=data.edition,
                        fetched=None if dataset.source_kind == "files" else fetched[:10])
        return payload, chart


def _r(value: float) -> float:
    return round(value, 4)


def valuation_payload(result: ValuationResult, meta: ValuationSource) -> ValuationPayload:
    """The JSON answer to a valuation query (stable keys; documented in README)."""
    frame = result.frame
    return {
        "command": "valuation",
        "first_year": int(frame.index[0]),
        "latest_year": result.latest_year,
        "convention": CONVENTION,
        "snapshot": "annual, end of June",
        "latest_relative_pb": _r(result.latest),
        "latest_pb_small": _r(float(frame["pb_small"].iloc[-1])),
        "latest_pb_large": _r(float(frame["pb_large"].iloc[-1])),
        "percentile_since_1990": round(result.percentile_since_band, 2),
        "percentile_all": round(result.percentile_all, 2),
        "percentile_since_1990_without_jump": None if result.percentile_without_jump is None
        else round(result.percentile_without_jump, 2),
        "previous_year": result.previous_year,
        "previous_relative_pb": None if result.previous is None else _r(result.previous),
        "previous_percentile_since_1990": None if result.previous_percentile_since_band is None
        else round(result.previous_percentile_since_band, 2),
        "years_since_1990": result.band_years,
        "years_all": len(frame),
        "years_lower_since_1990": result.years_lower_since_band,
        "years_lower_all": result.years_lower_all,
        "band_since": BAND_SINCE,
        "band_low_pct": BAND_LOW, "band_high_pct": BAND_HIGH,
        "band_low": _r(result.band_low), "band_high": _r(result.band_high),
        "jumps": [{"year": j.year, "relative_pb": _r(j.value), "previous": _r(j.previous),
                   "portfolio": j.portfolio, "beme_before": j.beme_before,
                   "beme_after": j.beme_after,
                   "relative_pb_without_move": _r(j.value_without_move)}
                  for j in result.jumps],
        "years": [{"year": int(y), "pb_small": _r(r.pb_small), "pb_large": _r(r.pb_large),
                   "relative_pb": _r(r.relative_pb)} for y, r in frame.iterrows()],
        **meta,
    }


def parse_valuation(args: list[str], context: ParseContext) -> ValuationQuery:
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
    year = p["latest_year"]
    jump = next((j for j in p["jumps"] if j["year"] == year), None)
    held = p["percentile_since_1990_without_jump"]
    bottom = p["percentile_since_1990"] <= 10
    if jump is not None and held is not None:  # lead with the caveat, not the distorted value
        both = bottom == (held <= 10)
        verdict = ((f"in the bottom decile since 1990 either way, as the {CLAIM} claim says"
                    if bottom else f"not in the bottom decile since 1990 either way ({CLAIM} "
                    "does not hold for it)") if both else
                   "in the bottom decile since 1990 only with that portfolio's move")
        return (f"{year}: one portfolio, {jump['portfolio']}, drives most of the latest move "
                f"(below). With its BE/ME held at {year - 1}'s value, small caps trade at "
                f"{jump['relative_pb_without_move']:.3f}x the price-to-book of large caps "
                f"({_rank(held)} percentile of {p['years_since_1990']} years since 1990); as "
                f"published, {p['latest_relative_pb']:.3f}x ("
                f"{_rank(p['percentile_since_1990'])} since 1990, "
                f"{_rank(p['percentile_all'])} of {p['years_all']} since {p['first_year']}): "
                f"{verdict}.")
    verdict = (f"in the bottom decile since 1990, as the {CLAIM} claim says" if bottom
               else f"not in the bottom decile since 1990 ({CLAIM} does not hold for it)")
    return (f"{year}: small caps trade at {p['latest_relative_pb']:.3f}x the "
            f"price-to-book of large caps, {_rank(p['percentile_since_1990'])} percentile of "
            f"{p['years_since_1990']} years since 1990 and {_rank(p['percentile_all'])} of "
            f"{p['years_all']} since {p['first_year']}: {verdict}.")


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
    percentile = present(percentile, "the previous year's percentile")  # there with the year
    return (f"{p['previous_year']}, the year before: {p['previous_relative_pb']:.3f}, "
            f"{_rank(percentile)} percentile of 1990–"
            f"{p['previous_year']}.")


def band_line(p: ValuationPayload) -> str:
    """The 10th-90th percentile band since 1990 and the P/B of each quintile."""
    return (f"Since 1990 the middle 80 % of years lay between {p['band_low']:.3f} and "
            f"{p['band_high']:.3f} (the {p['band_low_pct']}th to {p['band_high_pct']}th "
            f"percentile band, not the full range). {p['latest_year']}: "
            f"P/B {p['latest_pb_small']:.2f} for the smallest size quintile, "
            f"{p['latest_pb_large']:.2f} for the largest.")


def source_line(p: ValuationSource) -> str:
    """'Source: ..., edition built from the 202412 CRSP database (fetched ...)' (also
    `profitability`'s: the same file)."""
    fetched = p["data_fetched_at"].replace("T", " ").replace("+00:00", " UTC")
    when = "" if p.get("source_kind") == "files" else f" (fetched {fetched})"
    return f"Source: {p['source']}, edition built from the {p['edition']} CRSP database{when}."


def context_lines(p: ValuationPayload) -> list[str]:
    return [
        f"{p['convention']}. Annual end-of-June snapshots; percentiles count the years at or "
        "below the value. Data since 1926; the claim's range starts 1990.",
        source_line(p),
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
    home="claim",
    pinned=unpinned,
)
