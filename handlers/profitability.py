"""`profitability`: are small firms less profitable than large ones, and does it explain the
valuation gap? Operating profitability of the smallest vs largest size quintile since 1963.

Grammar `profitability` (no arguments: one annual series); its query (French's portfolios,
with its chart) and payload; the words for that payload (Block Kit for Slack, plain text for
the CLI; pure functions). It answers what public data can of the article's earnings claim
and says plainly what it cannot (net-earnings growth, the share of unprofitable firms).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from functools import partial
from typing import Any, TypedDict

from analytics.charts_profitability import render_profitability_chart
from analytics.formatting import ordinal, pct
from analytics.profitability import OP_LIMIT, STRICT_LIMIT, ProfitabilityResult, profitability
from analytics.valuation import BAND_SINCE, relative_pb
from bot.data.market import PriceHistory
from bot.data.reference import ReferenceData
from bot.data.sources import DataUnavailableError
from bot.reports import Chart
from bot.reports.identity import IdentifiedQuery
from handlers.command import Command, Rendering, unpinned
from handlers.report_text import context, header, indented, section, title_rule, warning_lines
from handlers.valuation import ValuationSource, source_line
from handlers.words import ParseContext, no_arguments


class OutlierPayload(TypedDict):
    year: int
    portfolio: str
    quintile: str
    op_pct: float
    quintile_op_with_it_pct: float


class ProfitabilityYear(TypedDict):
    year: int
    op_small_pct: float
    op_large_pct: float
    gap_pp: float
    relative_pb: float | None


class QuintilePair(TypedDict):
    op_small_pct: float
    op_large_pct: float
    gap_pp: float


class ValuationLink(TypedDict):
    """Relative P/B against the OP gap: Pearson r of levels and of yearly changes."""

    first_year: int
    last_year: int
    years: int
    levels_r: float | None
    changes_r: float | None
    verdict: str
    """'clear_goes_with', 'weak_goes_with', 'none', 'weak_against', 'clear_against' or
    'too_short'."""


class ProfitabilityPayload(ValuationSource):
    """The JSON answer to a profitability query."""

    command: str
    first_year: int
    latest_year: int
    convention: str
    op_limit_pct: float
    latest_op_small_pct: float
    latest_op_large_pct: float
    latest_gap_pp: float
    percentile_all: float
    percentile_since_1990: float
    years_all: int
    years_since_1990: int
    latest_with_every_portfolio: QuintilePair
    strict_limit_pct: float
    strict_gap_pp: float
    strict_percentile_all: float
    outliers: list[OutlierPayload]
    valuation_link: ValuationLink
    cannot_answer: str
    years: list[ProfitabilityYear]


CONVENTION = ("July rows of French's 25 size x book-to-market portfolios (formed at the end of "
              "June): each portfolio's OP is the market-cap-weighted average of its firms' "
              "operating profit / book equity of the fiscal year before; a size quintile weights "
              "its five portfolios by market equity = firms x average market cap, sum(ME x OP) / "
              "sum(ME), the smallest (ME1) and the largest (ME5)")
CANNOT_ANSWER = (
    "This data cannot check the article's earnings figures. French's file has operating "
    "profitability (revenue minus cost of goods sold, SG&A and interest expense, over book "
    "equity, fiscal year before each June), not net income, so no year-over-year net-earnings "
    "growth (the claimed Russell 2000 -17.6 % vs S&P 500 +4 %), and no count of unprofitable "
    "companies (the claimed 30 %): a negative average says the quintile's operating losses "
    "outweigh its profits (weighted by market cap, scaled by book equity), not how many "
    "firms lost money. Those need firm-level fundamentals: "
    "the index providers' fundamentals (FTSE Russell and S&P Dow Jones Indices factsheets and "
    "data services, licensed), Compustat through WRDS, or net income per company from SEC "
    "EDGAR's XBRL company facts (free) aggregated over the index members.")


@dataclass(frozen=True)
class ProfitabilityQuery(IdentifiedQuery):
    """`profitability` takes no arguments: one annual series since 1963."""

    command: str = "profitability"

    def symbols(self) -> tuple[str, ...]:
        return ()

    def build(self, history: PriceHistory) -> tuple[ProfitabilityPayload, Chart]:
        raise TypeError("profitability needs reference data: use build_with_reference")

    def build_with_reference(self, history: PriceHistory | None, reference: ReferenceData
                             ) -> tuple[ProfitabilityPayload, Chart]:
        dataset = reference.size_value()
        data = dataset.data
        if data.op is None:
            raise DataUnavailableError("French's 25-portfolio file has no 'Value Weight "
                                       "Average of OP' section.")
        result = profitability(data.firms, data.avg_cap, data.op,
                               relative_pb(data.firms, data.avg_cap, data.beme))
        fetched = dataset.fetched_at.astimezone(UTC).isoformat(timespec="seconds")
        payload = profitability_payload(result, {
            "edition": data.edition, "source": dataset.source,
            "source_kind": dataset.source_kind, "data_fetched_at": fetched,
            "stale_note": dataset.stale_note,
        })
        chart = partial(render_profitability_chart, result,
                        source="K. R. French Data Library (25 size x B/M portfolios)",
                        edition=data.edition,
                        fetched=None if dataset.source_kind == "files" else fetched[:10])
        return payload, chart


def _p(fraction: float) -> float:
    """A fraction of book equity as a percentage, rounded for JSON."""
    return round(fraction * 100.0, 2)


def link_verdict(levels: float | None, changes: float | None) -> str:
    """'clear', 'weak', 'none' (|r| of the levels: 0.3 and over, 0.1 to 0.3, under 0.1) with
    the direction; 'too_short' without an r. Negative r: lower relative P/B with a wider
    profitability shortfall."""
    if levels is None or changes is None:
        return "too_short"
    strength = "clear" if abs(levels) >= 0.3 else "weak" if abs(levels) >= 0.1 else "none"
    return strength if strength == "none" else \
        f"{strength}_{'goes_with' if levels < 0 else 'against'}"


def profitability_payload(result: ProfitabilityResult, meta: ValuationSource
                          ) -> ProfitabilityPayload:
    """The JSON answer to a profitability query (stable keys; documented in README)."""
    frame = result.frame
    last = frame.iloc[-1]
    small_all, large_all = result.latest_with_all
    years = frame.dropna(subset=["relative_pb"]).index
    return {
        "command": "profitability",
        "first_year": int(frame.index[0]),
        "latest_year": result.latest_year,
        "convention": CONVENTION,
        "op_limit_pct": OP_LIMIT * 100,
        "latest_op_small_pct": _p(last["op_small"]),
        "latest_op_large_pct": _p(last["op_large"]),
        "latest_gap_pp": round(float(last["gap_pp"]), 2),
        "percentile_all": round(result.percentile_all, 2),
        "percentile_since_1990": round(result.percentile_since_band, 2),
        "years_all": len(frame),
        "years_since_1990": result.band_years,
        "latest_with_every_portfolio": {"op_small_pct": _p(small_all),
                                        "op_large_pct": _p(large_all),
                                        "gap_pp": round((large_all - small_all) * 100, 2)},
        "strict_limit_pct": STRICT_LIMIT * 100,
        "strict_gap_pp": round(result.strict_gap_pp, 2),
        "strict_percentile_all": round(result.strict_percentile_all, 2),
        "outliers": [{"year": o.year, "portfolio": o.portfolio, "quintile": o.quintile,
                      "op_pct": _p(o.op), "quintile_op_with_it_pct": _p(o.quintile_with)}
                     for o in result.outliers],
        "valuation_link": {
            "first_year": int(years[0]), "last_year": int(years[-1]),
            "years": result.link_years,
            "levels_r": None if result.levels_r is None else round(result.levels_r, 3),
            "changes_r": None if result.changes_r is None else round(result.changes_r, 3),
            "verdict": link_verdict(result.levels_r, result.changes_r)},
        "cannot_answer": CANNOT_ANSWER,
        "years": [{"year": int(y), "op_small_pct": _p(r.op_small), "op_large_pct": _p(r.op_large),
                   "gap_pp": round(float(r.gap_pp), 2),
                   "relative_pb": None if r.isna().relative_pb else round(r.relative_pb, 4)}
                  for y, r in frame.iterrows()],
        **meta,
    }


def parse_profitability(args: list[str], context: ParseContext) -> ProfitabilityQuery:
    """`profitability` (no arguments: one annual series since 1963)."""
    no_arguments(args, "profitability", ": it always shows every year of French's data")
    return ProfitabilityQuery()


def title(p: ProfitabilityPayload) -> str:
    """'Operating profitability, small vs large caps · 1963–2024'."""
    return f"Operating profitability, small vs large caps · {p['first_year']}–{p['latest_year']}"


def headline(p: ProfitabilityPayload) -> str:
    """The latest year's two levels, the gap and its percentiles."""
    return (f"{p['latest_year']}: operating profit was {pct(p['latest_op_small_pct'], 1)} of "
            f"book equity for the smallest size quintile and "
            f"{pct(p['latest_op_large_pct'], 1)} for the largest, a gap of "
            f"{p['latest_gap_pp']:.1f} pp: {ordinal(max(1.0, p['percentile_all']))} percentile "
            f"of {p['years_all']} years since {p['first_year']} and "
            f"{ordinal(max(1.0, p['percentile_since_1990']))} of {p['years_since_1990']} since "
            f"{BAND_SINCE} (100 = small firms' widest shortfall).")


def outlier_lines(p: ProfitabilityPayload) -> list[str]:
    """Which portfolio-years were left out, the latest year with them, and the check with
    the strict limit."""
    out = p["outliers"]
    if not out:
        return [f"No portfolio's OP / BE went beyond ±{p['op_limit_pct']:.0f} %."]
    listed = ", ".join(f"{o['year']} {o['portfolio']} ({o['op_pct']:+,.0f} %)" for o in out)
    lines = [f"Left out, because tiny book equity makes their operating profit / book equity "
             f"(OP / BE) explode, beyond ±{p['op_limit_pct']:.0f} %: {listed}."]
    latest = [o for o in out if o["year"] == p["latest_year"]]
    if latest:
        every = p["latest_with_every_portfolio"]
        lines.append(f"With {', '.join(o['portfolio'] for o in latest)} kept, "
                     f"{p['latest_year']} would read {pct(every['op_small_pct'], 1)} vs "
                     f"{pct(every['op_large_pct'], 1)} (gap {every['gap_pp']:.1f} pp).")
    same = (p["strict_gap_pp"] > 0) == (p["latest_gap_pp"] > 0)
    lines.append(f"How much rides on that limit: at ±{p['strict_limit_pct']:.0f} %, which leaves "
                 f"out more portfolio-years, the {p['latest_year']} gap reads "
                 f"{p['strict_gap_pp']:.1f} pp, {ordinal(max(1.0, p['strict_percentile_all']))} "
                 f"percentile since {p['first_year']}: "
                 + ("the direction holds, read the size of the gap with care." if same else
                    "even the direction depends on it."))
    return lines


def link_line(p: ProfitabilityPayload) -> str:
    """One honest sentence on whether lower valuation goes with lower profitability."""
    link = p["valuation_link"]
    span = f"{link['first_year']}–{link['last_year']}"
    levels, changes = link["levels_r"], link["changes_r"]
    if levels is None or changes is None:  # verdict too_short
        return f"Too few common years ({link['years']}) to relate profitability to valuation."
    question = "Does lower valuation go with lower profitability?"
    if link["verdict"] == "none":
        return (f"{question} Not on this data: over {span} ({link['years']} years) relative "
                f"P/B and the profitability gap are unrelated (r = {levels:+.2f}; yearly "
                f"changes r = {changes:+.2f}).")
    together = abs(changes) >= 0.3 and (changes < 0) == (levels < 0)
    lead = {"clear_goes_with": "Yes, in part" if together else "Partly",
            "weak_goes_with": "Weakly", "clear_against": "No",
            "weak_against": "No"}[link["verdict"]]
    direction = ("years when small firms' profitability trailed further had a lower relative "
                 "P/B" if levels < 0 else "years when small firms' profitability trailed "
                 "further had a higher relative P/B")
    return (f"{question} {lead}: over {span} "
            f"({link['years']} years) {direction} (r = {levels:+.2f}, so it accounts for about "
            f"{levels * levels * 100:.0f} % of the ups and downs of relative P/B)"
            + (f", and year-to-year changes move together too (r = {changes:+.2f})."
               if together else f", but year-to-year changes barely move together "
               f"(r = {changes:+.2f}): the two share slow drifts, not the swings, and "
               "profitability leaves most of the valuation gap unexplained."))


def context_lines(p: ProfitabilityPayload) -> list[str]:
    return [f"{p['convention']}. OP / BE in % of book equity; gap = large − small in pp; "
            "percentiles count the years at or below the value. Relative P/B as `valuation` "
            "computes it.", source_line(p)]


def body_lines(p: ProfitabilityPayload) -> list[str]:
    return [*outlier_lines(p), link_line(p)]


def profitability_blocks(p: ProfitabilityPayload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply."""
    return [
        header(title(p)),
        section(f"*{headline(p)}*"),
        section("\n".join(body_lines(p))),
        section(f"_What it cannot answer_: {p['cannot_answer']}"),
        context(p, *context_lines(p)),
    ]


def profitability_fallback_text(p: ProfitabilityPayload) -> str:
    return headline(p)


def profitability_plain_text(p: ProfitabilityPayload) -> str:
    """The same reply for a terminal."""
    lines = [*title_rule(title(p)), headline(p), "", *indented(body_lines(p)), "",
             f"What it cannot answer: {p['cannot_answer']}", "", *warning_lines(p),
             *context_lines(p)]
    return "\n".join(lines)


COMMAND = Command(
    name="profitability",
    usage="profitability",
    summary="Are small firms less profitable than large ones? Operating profit / book equity "
            "of the smallest vs the largest size quintile of Kenneth French's 25 size x "
            "book-to-market portfolios, every year since 1963: the latest gap's percentile "
            "since 1963 and since 1990, portfolios whose tiny book equity makes the ratio "
            "explode, whether it goes with the price-to-book gap, and what it cannot answer "
            "(net earnings, unprofitable firms). Posts a chart.",
    example="profitability",
    parse=parse_profitability,
    rendering=Rendering(profitability_blocks, profitability_fallback_text,
                        profitability_plain_text, title),
    prerendered=True,
    home="claim",
    pinned=unpinned,
    in_usage_hint=False,
)
