"""`rates`: do rates explain the gap? The rolling 1-year gap against the 10-year yield.

Grammar `rates [PERIOD] [PAIR] [BASIS] [as-of DATE] [live]` (default 10y); its query (the
pair and the 10-year yield, with its chart) and payload; the words for that payload (Block
Kit for Slack, plain text for the CLI; pure functions). The reply tells the
seed commentary's story ("higher rates hurt small caps") with the data, and says so plainly
when the data does not support it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, TypedDict

from analytics.charts_rates import render_rates_chart
from analytics.errors import present
from analytics.formatting import spp
from analytics.pairs import KNOWN_NAMES
from analytics.rates import (
    CHANGE_DAYS,
    CLEAR_FROM,
    GAP_PERIOD,
    MIN_INDEPENDENT_CHANGES,
    MIN_LEVEL_DAYS,
    NO_LINK_BELOW,
    YIELD_SYMBOL,
    Correlation,
    RatesResult,
    compute_rates,
)
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
from handlers.command import Command, Export, Rendering
from handlers.report_text import (
    bold_fields_to_plain,
    pair_symbols,
    plain_lines,
    source_text,
    span_text,
    summary_blocks,
    words,
)
from handlers.words import ParseContext, parse_period_pair


class YieldFields(TypedDict):
    symbol: str
    name: str
    unit: str
    start_pct: float
    end_pct: float
    last_date: str


class RollingGap(TypedDict):
    period: str
    start_pp: float
    end_pp: float
    latest_pp: float
    latest_date: str


class CorrelationPayload(TypedDict):
    r: float | None
    n: int
    slope: float | None


class LevelCorrelation(CorrelationPayload):
    min_days: int


class ChangeCorrelation(CorrelationPayload):
    days: int
    independent: int | None
    min_independent: int


class Correlations(TypedDict):
    levels: LevelCorrelation
    changes: ChangeCorrelation


_RatesFields = TypedDict("_RatesFields", {
    "small": Instrument, "large": Instrument, "days": int, "yield": YieldFields,
    "gap": RollingGap, "correlation": Correlations, "verdict": str})
"""(`yield` is a Python keyword, so these fields are declared in the functional form.)"""


class RatesPayload(WindowFields, SourceFields, _RatesFields):
    """The JSON answer to a rates query."""


@dataclass(frozen=True)
class RatesQuery(PeriodPairQuery):
    """A comparison period, a pair and an optional as-of date."""

    command: str = "rates"

    def symbols(self) -> tuple[str, ...]:
        return (*self.pair.symbols, YIELD_SYMBOL)

    def build(self, history: PriceHistory) -> tuple[RatesPayload, Chart]:
        small, large = self.closes(history)
        result = compute_rates(self.pair, small, large, history.closes[YIELD_SYMBOL],
                               self.period, self.as_of)
        payload = rates_payload(result, history, self)
        chart = partial(render_rates_chart, result, source=chart_source(payload),
                        fetched=fetched_day(payload))
        return payload, chart


def correlation_payload(corr: Correlation) -> CorrelationPayload:
    return {"r": None if corr.r is None else round(corr.r, 4), "n": corr.n,
            "slope": None if corr.slope is None else round(corr.slope, 4)}


def changes_payload(corr: Correlation) -> ChangeCorrelation:
    """The change correlation, with the number of independent (non-overlapping) changes."""
    return {**correlation_payload(corr), "days": CHANGE_DAYS,
            "independent": corr.independent, "min_independent": MIN_INDEPENDENT_CHANGES}


def rates_payload(result: RatesResult, history: PriceHistory, query: RatesQuery
                  ) -> RatesPayload:
    """The JSON answer to a rates query (stable keys; documented in README)."""
    return {
        **window_fields("rates", result.period, result.pair, result.window, query.as_of),
        "small": instrument_payload(result.pair.small),
        "large": instrument_payload(result.pair.large),
        "days": len(result.frame),
        "yield": {
            "symbol": YIELD_SYMBOL,
            "name": KNOWN_NAMES[YIELD_SYMBOL],
            "unit": "percent",
            "start_pct": round(result.yield_start, 4),
            "end_pct": round(result.yield_end, 4),
            "last_date": result.yield_last_date.isoformat(),
        },
        "gap": {
            "period": GAP_PERIOD.label,
            "start_pp": round(result.gap_start, 4),
            "end_pp": round(result.gap_end, 4),
            "latest_pp": round(result.gap_last_pp, 4),
            "latest_date": result.gap_last_date.isoformat(),
        },
        "correlation": {
            "levels": {**correlation_payload(result.levels), "min_days": MIN_LEVEL_DAYS},
            "changes": changes_payload(result.changes),
        },
        "verdict": result.verdict,
        **history_meta(history, basis_end_note(history, query.pair, result.window.end.date())),
    }


def parse_rates(args: list[str], context: ParseContext) -> RatesQuery:
    """`rates [PERIOD] [PAIR] [as-of DATE]` (default 10y)."""
    parsed = parse_period_pair(args, "rates", context, default_period="10y")
    return RatesQuery(period=parsed.period, pair=parsed.pair, as_of=parsed.as_of, live=parsed.live)


STORY = "“higher rates hurt small caps”"


def title(p: RatesPayload) -> str:
    """'^RUT vs ^GSPC: 1-year gap vs 10-year Treasury yield · 10 years to 2026-02-13'."""
    return f"{pair_symbols(p)}: 1-year gap vs 10-year Treasury yield · {span_text(p)}"


def r_text(corr: LevelCorrelation | ChangeCorrelation) -> str:
    return "n/a" if corr["r"] is None else f"r = {corr['r']:+.2f}"


def verdict_line(p: RatesPayload) -> str:
    """The answer in one sentence, resting on 3-month changes (see analytics.rates.verdict)."""
    changes = p["correlation"]["changes"]
    if p["verdict"] == "too_short":
        return (f"The period is too short to test {STORY}: fewer than "
                f"{changes['min_independent']} independent (non-overlapping) 3-month changes, "
                "and a level correlation alone would mislead.")
    # a verdict other than too_short rests on a change correlation
    r = present(changes["r"], "the 3-month change correlation")
    share = f"rates explain about {round(r * r * 100)} % of the gap's 3-month swings"
    return {
        "supports": f"Over this period the data supports {STORY}: when the 10-year yield rose "
                    f"over 3 months, the gap tended to widen ({r_text(changes)}; {share}).",
        "weakly_supports": f"Over this period the link is weak ({r_text(changes)} on 3-month "
                           f"changes): rising yields went with a slightly wider gap, but "
                           f"{share}.",
        "no_relation": f"Over this period there is no link ({r_text(changes)} on 3-month "
                       f"changes, |r| under {NO_LINK_BELOW}): rates do not explain the gap.",
        "weakly_contradicts": f"Over this period the data does not support {STORY}: if "
                              "anything, rising yields went with a narrower gap "
                              f"({r_text(changes)} on 3-month changes; {share}).",
        "contradicts": f"Over this period the data contradicts {STORY}: rising yields went with "
                       f"{words(p).small} catching up ({r_text(changes)} on 3-month changes).",
    }[p["verdict"]]


def levels_line(p: RatesPayload) -> str:
    """The level correlation with the warning it needs."""
    levels, changes = p["correlation"]["levels"], p["correlation"]["changes"]
    if levels["r"] is None:
        return (f"Levels: no correlation reported over {levels['n']:,} days (it needs at least "
                f"{levels['min_days']:,}: r from a few days of two slow-moving series is noise).")
    text = (f"Levels: {r_text(levels)} over {levels['n']:,} days. Level correlation of two "
            "trending series misleads (both can drift together by accident), so the verdict "
            "rests on 3-month changes.")
    if levels["r"] is not None and changes["r"] is not None and levels["r"] >= CLEAR_FROM \
            and changes["r"] < CLEAR_FROM:
        text += (" Here the levels look like support for the story, but their changes do not "
                 "confirm it: both trended over the period.")
    return text


def story_line(p: RatesPayload) -> str:
    """What rates and the gap did over the period."""
    y, g = p["yield"], p["gap"]
    move = y["end_pct"] - y["start_pct"]
    return (f"From {p['start']} to {p['end']} the 10-year yield went from {y['start_pct']:.2f} % "
            f"to {y['end_pct']:.2f} % ({move:+.2f} pp) and the 1-year gap from "
            f"{spp(g['start_pp'])} to {spp(g['end_pp'])} (positive = {words(p).small} "
            f"{words(p).verb('lag')}).")


def fields(p: RatesPayload) -> list[str]:
    y, g, corr = p["yield"], p["gap"], p["correlation"]
    slope = corr["changes"]["slope"]
    sensitivity = "n/a" if slope is None else \
        f"{spp(slope, 1)} of gap per +1 pp of yield (3-month changes)"
    pair = f"{p['small']['symbol']}/{p['large']['symbol']}"
    if g["latest_date"] == y["last_date"]:
        ends = f"{y['symbol']} and {pair}: {y['last_date']}"
    else:
        ends = (f"{y['symbol']}: {y['last_date']} · {pair}: {g['latest_date']} (1-year gap "
                f"then {spp(g['latest_pp'])}, outside the comparison: no yield data)")
    return [
        f"*10-year yield ({y['symbol']})*\n{y['end_pct']:.2f} % on {p['end']}",
        f"*1-year gap (large − small)*\n{spp(g['end_pp'])} on {p['end']}",
        f"*Correlation of levels*\n{r_text(corr['levels'])} ({corr['levels']['n']:,} days"
        f"{'' if corr['levels']['r'] is not None else ', too few'})",
        f"*Correlation of 3-month changes*\n{r_text(corr['changes'])} "
        f"({corr['changes']['n']:,} overlapping {corr['changes']['days']}-day changes, about "
        f"{corr['changes']['independent'] or 0:,} independent)",
        f"*Sensitivity*\n{sensitivity}",
        f"*Last closes on or before the as-of date*\n{ends}",
    ]


def context_lines(p: RatesPayload) -> list[str]:
    """Series, basis, dates and source: what makes the numbers reproducible."""
    return [
        f"Series: 1-year gap = {p['large']['name']} ({p['large']['symbol']}) minus "
        f"{p['small']['name']} ({p['small']['symbol']}) return over the year to each day, "
        f"{p['basis']}; 10-year yield = Yahoo {p['yield']['symbol']} close, which is the "
        "yield in percent (not ×10).",
        f"Compared on the {p['days']:,} days both exist, {p['start']} → {p['end']}; as of "
        f"{p['end']}, the last common day on or before the as-of date · {source_text(p)}",
    ]


def rates_blocks(p: RatesPayload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply (well inside Slack's limits)."""
    return summary_blocks(title(p), verdict_line(p), fields(p),
                          f"{story_line(p)}\n{levels_line(p)}", p, context_lines(p))


def rates_fallback_text(p: RatesPayload) -> str:
    """Notification text (and the text of clients that cannot show blocks)."""
    return (f"{verdict_line(p)} 10-year yield {p['yield']['end_pct']:.2f} % on {p['end']}, "
            f"{p['start']} → {p['end']} ({p['basis']}).")


def rates_plain_text(p: RatesPayload) -> str:
    """The same summary as Slack shows, for a terminal."""
    body = [*bold_fields_to_plain(fields(p)), "", story_line(p), levels_line(p)]
    return plain_lines(title(p), verdict_line(p), body, p, context_lines(p))


COMMAND = Command(
    name="rates",
    usage="rates [PERIOD] [PAIR] [as-of DATE]",
    summary="Do rates explain the gap? The rolling 1-year gap against the 10-year Treasury "
            "yield (^TNX), their correlation in levels and in 3-month changes, and what that "
            "says about \"higher rates hurt small caps\" (default 10y). Posts a chart.",
    example="rates 10y",
    parse=parse_rates,
    rendering=Rendering(rates_blocks, rates_fallback_text, rates_plain_text, title),
    prerendered=True,
    export=Export(csv_export.closes_ratio_csv),
    defaults=frozenset({"pair", "period", "basis"}),
    schedulable=True,
)
