"""`cuts`: do small caps do better after the first Fed rate cut of a cycle?

Grammar `cuts [PAIR] [BASIS] [as-of DATE]` (the windows are fixed: 3 months before to 12
after each first cut); its query (the pair around each cycle's first Fed cut, with its chart)
and payload; the words for that payload (Block Kit for Slack, plain text for the CLI; pure
functions). The reply answers the March 2024 claim "small caps do better after the
first rate cut" with the cycles in the data, says how many there are, where the answer rests
on one or two of them, and that the "more so when earnings improve" part cannot be tested
here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from functools import partial
from typing import Any, TypedDict

from analytics.charts_cuts import render_cuts_chart
from analytics.cycles import (
    MIN_DAYS_BETWEEN,
    CutsResult,
    EventWindow,
    HorizonStats,
    cut_study,
    horizon_label,
    overall_verdict,
)
from analytics.errors import present
from analytics.formatting import spp
from analytics.pairs import Pair
from bot.data.market import PriceHistory
from bot.data.reference import ReferenceData
from bot.reports import Chart, history_meta
from bot.reports.common import (
    as_of_requested,
    basis_end_note,
    chart_source,
    fetched_day,
    instrument_payload,
    pair_closes,
)
from bot.reports.identity import IdentifiedQuery
from bot.reports.payloads import Instrument, SourceFields
from handlers.command import Command, Rendering
from handlers.report_text import (
    TABLE_CELLS_MAX,
    basis_source_text,
    context,
    header,
    indented,
    pair_symbols,
    section,
    series_names,
    table_block,
    title_rule,
    warning_lines,
)
from handlers.words import (
    CommandError,
    ParseContext,
    parse_period_pair,
)


class CutWindow(TypedDict):
    horizon: str
    months: int
    start: str
    end: str
    target_date: str
    complete: bool
    small_pct: float | None
    large_pct: float | None
    gap_pp: float | None
    ratio_change_pct: float | None
    days_so_far: int
    days_total: int


class HorizonPayload(TypedDict):
    horizon: str
    months: int
    cycles: int
    median_gap_pp: float | None
    mean_gap_pp: float | None
    median_ratio_pct: float | None
    mean_ratio_pct: float | None
    small_wins: int
    hit_rate_pct: float | None
    leaning: str
    extreme_years: list[int]
    median_gap_without_extremes_pp: float | None
    mean_gap_without_extremes_pp: float | None
    holds_without_extremes: bool | None
    current: CutWindow | None
    current_beats: int | None


class FirstCutPayload(TypedDict):
    event_day: str
    rate_before: float
    rate_after: float
    previous_cut: str


class Cycle(TypedDict):
    event_day: str
    year: int
    anchor: str
    current: bool
    windows: list[CutWindow]


class CutsSource(SourceFields):
    """Where the pair's closes and the Fed target came from."""

    rates_source: str
    rates_source_kind: str
    rates_fetched_at: str


class CutsPayload(CutsSource):
    """The JSON answer to a cuts query."""

    command: str
    pair: str
    end: str
    first_common_close: str
    as_of_requested: str | None
    basis: str
    small: Instrument
    large: Instrument
    rule: str
    first_cuts: list[FirstCutPayload]
    cycles: list[Cycle]
    current_event_day: str
    earlier_cycles: int
    stats: list[HorizonPayload]
    verdict: str


RULE = (f"a cut in the Fed funds target (upper bound from 2008-12-16) after at least one hike "
        f"since the previous cut and at least {MIN_DAYS_BETWEEN} days after it")


@dataclass(frozen=True)
class CutsQuery(IdentifiedQuery):
    """A pair and an optional as-of date."""

    pair: Pair
    as_of: date | None = None
    command: str = "cuts"

    def symbols(self) -> tuple[str, ...]:
        return self.pair.symbols

    def build(self, history: PriceHistory) -> tuple[CutsPayload, Chart]:
        raise TypeError("cuts needs reference data: use build_with_reference")

    def build_with_reference(self, history: PriceHistory | None,
                             reference: ReferenceData) -> tuple[CutsPayload, Chart]:
        history = present(history, "the pair's price history")
        target = reference.fed_target()
        small, large = pair_closes(history, self.pair)
        result = cut_study(small, large, target.data, self.as_of)
        meta = history_meta(history, basis_end_note(history, self.pair, None))
        notes = [n for n in (meta["stale_note"], target.stale_note) if n]
        payload = cuts_payload(result, self, {
            **meta,
            "rates_source": target.source,
            "rates_source_kind": target.source_kind,
            "rates_fetched_at": target.fetched_at.astimezone(UTC).isoformat(timespec="seconds"),
            "stale_note": " ".join(notes) or None,
        })
        chart = partial(render_cuts_chart, result, self.pair,
                        source=f"{chart_source(payload)}; Fed target: FRED",
                        fetched=fetched_day(payload))
        return payload, chart


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def window_payload(w: EventWindow) -> CutWindow:
    return {
        "horizon": horizon_label(w.months), "months": w.months,
        "start": w.start.date().isoformat(), "end": w.end.date().isoformat(),
        "target_date": w.target.date().isoformat(), "complete": w.complete,
        "small_pct": _r(w.small_pct), "large_pct": _r(w.large_pct), "gap_pp": _r(w.gap_pp),
        "ratio_change_pct": _r(w.ratio_change_pct),
        "days_so_far": w.days_so_far, "days_total": w.days_total,
    }


def stats_payload(s: HorizonStats) -> HorizonPayload:
    return {
        "horizon": horizon_label(s.months), "months": s.months, "cycles": s.cycles,
        "median_gap_pp": _r(s.median_gap_pp), "mean_gap_pp": _r(s.mean_gap_pp),
        "median_ratio_pct": _r(s.median_ratio_pct), "mean_ratio_pct": _r(s.mean_ratio_pct),
        "small_wins": s.small_wins,
        "hit_rate_pct": round(s.small_wins / s.cycles * 100, 1) if s.cycles else None,
        "leaning": s.leaning,
        "extreme_years": s.extreme_years,
        "median_gap_without_extremes_pp": _r(s.median_gap_without_extremes_pp),
        "mean_gap_without_extremes_pp": _r(s.mean_gap_without_extremes_pp),
        "holds_without_extremes": s.holds_without_extremes,
        "current": None if s.current is None else window_payload(s.current),
        "current_beats": s.current_beats,
    }


def cuts_payload(result: CutsResult, query: CutsQuery, meta: CutsSource) -> CutsPayload:
    """The JSON answer to a cuts query (stable keys; documented in README)."""
    pair = query.pair
    return {
        "command": "cuts",
        "pair": pair.key,
        "end": result.data_end.date().isoformat(),
        "first_common_close": result.first_common.date().isoformat(),
        "as_of_requested": as_of_requested(query.as_of),
        "basis": pair.basis,
        "small": instrument_payload(pair.small),
        "large": instrument_payload(pair.large),
        "rule": RULE,
        "first_cuts": [{"event_day": c.day.date().isoformat(), "rate_before": c.rate_before,
                        "rate_after": c.rate_after,
                        "previous_cut": c.previous_cut.date().isoformat()}
                       for c in result.cuts],
        "cycles": [{"event_day": c.cut.day.date().isoformat(), "year": c.cut.day.year,
                    "anchor": c.anchor.date().isoformat(),
                    "current": c is result.current,
                    "windows": [window_payload(w) for w in c.windows]}
                   for c in result.cycles],
        "current_event_day": result.current.cut.day.date().isoformat(),
        "earlier_cycles": len(result.cycles) - 1,
        "stats": [stats_payload(s) for s in result.stats],
        "verdict": overall_verdict(result.stats),
        **meta,
    }


def parse_cuts(args: list[str], context: ParseContext) -> CutsQuery:
    """`cuts [PAIR] [as-of DATE]`: the windows are fixed (3 months before to 12 after)."""
    parsed = parse_period_pair(args, "cuts", context, fixed_window=(
        "`cuts` always shows 3 months before to 12 months after each first cut, so `{word}` "
        "is not needed: give a pair or nothing."))
    if parsed.live:
        raise CommandError("`cuts` compares closes around each first cut, so `live` does not "
                           "apply: give a pair or nothing.", "cuts etf")
    return CutsQuery(pair=parsed.pair, as_of=parsed.as_of)


CLAIM = "“small caps do better after the first rate cut”"
EARNINGS = ("The claim adds “even more when earnings improved”: the bot has no earnings data, "
            "so it cannot test that part.")
LABEL_WIDTH, CELL_WIDTH = 11, 8


def title(p: CutsPayload) -> str:
    """'^RUT vs ^GSPC after the first Fed cut · to 2026-08-21' (the first line names the
    series)."""
    return f"{pair_symbols(p)} after the first Fed cut · to {p['end']}"


def _head(s: HorizonPayload) -> str:
    return "−3m" if s["months"] < 0 else f"+{s['horizon']}"


def _cell(value: float | None, in_progress: bool = False) -> str:
    text = "n/a" if value is None else f"{value:+.2f}" + ("*" if in_progress else "")
    return text.rjust(CELL_WIDTH)


def table_lines(p: CutsPayload) -> list[str]:
    """Gap (pp) per cycle and horizon, then the median, mean and wins of the earlier cycles."""
    lines = ["Gap, large − small, in pp (+ = small caps lag), per window:",
             "First cut".ljust(LABEL_WIDTH) + "".join(_head(s).rjust(CELL_WIDTH)
                                                      for s in p["stats"])]
    for cycle in p["cycles"]:
        cells = "".join(_cell(w["gap_pp"], not w["complete"]) for w in cycle["windows"])
        lines.append(cycle["event_day"].ljust(LABEL_WIDTH) + cells
                     + ("  ← current" if cycle["current"] else ""))
    lines.append("Median".ljust(LABEL_WIDTH) + "".join(_cell(s["median_gap_pp"])
                                                       for s in p["stats"]))
    lines.append("Mean".ljust(LABEL_WIDTH) + "".join(_cell(s["mean_gap_pp"]) for s in p["stats"]))
    lines.append("Small won".ljust(LABEL_WIDTH) + "".join(
        f"{s['small_wins']}/{s['cycles']}".rjust(CELL_WIDTH) for s in p["stats"]))
    return lines


def table_rows(p: CutsPayload) -> list[list[str]]:
    """`table_lines` as rows of cells for Slack's native table (the header row first)."""
    rows = [["First cut", *(_head(s) for s in p["stats"])]]
    rows += [[cycle["event_day"] + (" (current)" if cycle["current"] else ""),
              *(_cell(w["gap_pp"], not w["complete"]).strip() for w in cycle["windows"])]
             for cycle in p["cycles"]]
    rows.append(["Median", *(_cell(s["median_gap_pp"]).strip() for s in p["stats"])])
    rows.append(["Mean", *(_cell(s["mean_gap_pp"]).strip() for s in p["stats"])])
    rows.append(["Small won", *(f"{s['small_wins']}/{s['cycles']}" for s in p["stats"])])
    return rows


def _years(p: CutsPayload) -> str:
    earlier = [c["year"] for c in p["cycles"] if not c["current"]]
    return f"{earlier[0]}–{earlier[-1]}" if earlier else "none"


def _horizons(p: CutsPayload, leaning: str) -> list[str]:
    return [s["horizon"] for s in p["stats"] if s["months"] > 0 and s["leaning"] == leaning]


def verdict_line(p: CutsPayload) -> str:
    """The answer in one sentence, judged on the cycles before the current one."""
    n, years = p["earlier_cycles"], _years(p)
    twelve = next(s for s in p["stats"] if s["months"] == 12)
    where = (f"in the {n} cycles before the current one ({years}; {n + 1} with it)")
    twelve_text = (f"12 months after the cut small caps were ahead in {twelve['small_wins']} of "
                   f"{twelve['cycles']}, median gap {spp(twelve['median_gap_pp'])}"
                   if twelve["median_gap_pp"] is not None else "no 12-month window yet")
    small, large = _horizons(p, "small"), _horizons(p, "large")
    even = _horizons(p, "mixed")
    even_text = f"; at {', '.join(even)} neither led in most cycles" if even else ""
    return {
        "supports": f"The data supports {CLAIM}: {where} small caps beat large caps in most "
                    f"cycles at every horizon after the cut ({twelve_text}).",
        "partly_supports": f"The data partly supports {CLAIM}: {where} small caps beat large "
                           f"caps in most cycles at {', '.join(small)}{even_text} "
                           f"({twelve_text}).",
        "contradicts": f"The data does not support {CLAIM}: {where} large caps did better at "
                       f"every horizon after the cut ({twelve_text}; + = small caps lag).",
        "mostly_contradicts": f"The data does not support {CLAIM}: {where} large caps did "
                              f"better in most cycles at {', '.join(large)}{even_text} "
                              f"({twelve_text}; + = small caps lag).",
        "mixed": f"The data is mixed on {CLAIM}: {where} small caps led at "
                 f"{', '.join(small) or 'no horizon'}, large caps at "
                 f"{', '.join(large) or 'no horizon'} ({twelve_text}).",
        "too_few": f"Too few cycles to test {CLAIM}: {n} before the current one.",
    }[p["verdict"]]


def leaning_lines(p: CutsPayload) -> list[str]:
    """Per horizon after the cut: wins, median and mean, and the same without the two most
    extreme cycles, which shows how much the answer rests on them."""
    lines = []
    for s in p["stats"]:
        if s["months"] < 0 or not s["cycles"]:
            continue
        # a horizon with cycles has both
        median, mean = present(s["median_gap_pp"], "median"), present(s["mean_gap_pp"], "mean")
        text = (f"{s['horizon']}: small caps ahead in {s['small_wins']} of {s['cycles']} "
                f"({s['hit_rate_pct']:.0f} %), median gap {spp(median)} (ratio "
                f"{s['median_ratio_pct']:+.2f} %), mean {spp(mean)}")
        if s["holds_without_extremes"] is not None:
            # set with holds_without_extremes
            median = present(s["median_gap_without_extremes_pp"], "median without extremes")
            mean = present(s["mean_gap_without_extremes_pp"], "mean without extremes")
            years = " and ".join(str(y) for y in s["extreme_years"])
            verdict = ("no clear lead either way" if s["leaning"] == "mixed"
                       else "the answer holds without them" if s["holds_without_extremes"]
                       else "the answer rests on them")
            text += f"; without {years} median {spp(median)}, mean {spp(mean)} ({verdict})"
        lines.append(text + ".")
    return lines


def _current_part(s: HorizonPayload, w: CutWindow) -> str:
    """'12m +7.63 pp (2)' or '6m +3.32 pp (3 so far, 119 of 182 days)'."""
    days = None if w["complete"] else f"{w['days_so_far']} of {w['days_total']} days"
    notes = [f"{s['current_beats']}" + (" so far" if days else "")] if s["cycles"] else []
    notes += [days] if days else []
    # the current cycle's windows after the cut have begun
    gap = present(w["gap_pp"], "the current cycle's gap")
    return f"{s['horizon']} {spp(gap)}" + (f" ({', '.join(notes)})" if notes else "")


def current_line(p: CutsPayload) -> str:
    """Where the current cycle stands against the earlier ones."""
    after = [(s, w) for s in p["stats"] if s["months"] > 0 and (w := s["current"]) is not None]
    head = f"Current cycle (first cut {p['current_event_day']})"
    if not after:
        return f"{head}: no window after the cut yet."
    parts = "; ".join(_current_part(s, w) for s, w in after)
    earlier = after[0][0]["cycles"]
    if not earlier:
        return f"{head}, gap: {parts}."
    return (f"{head}: gap, and in brackets how many of the {earlier} earlier cycles it beat "
            f"for small caps: {parts}.")


def coverage_line(p: CutsPayload) -> str:
    """How many first cuts the rule finds, and which ones the pair's history misses."""
    covered = {c["event_day"] for c in p["cycles"]}
    missed = [c["event_day"] for c in p["first_cuts"] if c["event_day"] not in covered]
    text = (f"{len(p['first_cuts'])} first cuts since the target data begins, "
            f"{len(p['cycles'])} covered by {p['small']['symbol']}/{p['large']['symbol']} "
            f"(common closes from {p['first_common_close']})")
    return text + (f"; not covered: {', '.join(missed)}." if missed else ".")


def conventions(p: CutsPayload) -> list[str]:
    """The rule and the windows, so the table can be reproduced."""
    return [
        f"First cut of a cycle: {p['rule']}. Event day = the day the change takes effect, as "
        "FRED dates it (2024-09-19 for the 2024-09-18 decision).",
        "Gap = large − small return in pp (+ = small caps lag). After the cut: from the last "
        "common close before the event day to the last one on or before the same date N "
        "months later; −3m: from 3 months before to the last close before the event day. "
        "* = in progress. Median, mean and wins: the cycles before the current one.",
        f"Rates: {p['rates_source']}" + ("." if p.get("rates_source_kind") == "files"
                                         else f" (fetched {p['rates_fetched_at'][:10]})."),
    ]


def cuts_blocks(p: CutsPayload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply: verdict, the table (Slack's native table, numbers
    right-aligned), how robust, caveats, footer."""
    return [
        header(title(p)),
        section(f"*{verdict_line(p)}*\n{series_names(p)}\nGap, large − small, in pp "
                "(+ = small caps lag), per window:"),
        table_block(table_rows(p), right=range(1, TABLE_CELLS_MAX)),
        section("\n".join([*leaning_lines(p), current_line(p), coverage_line(p), EARNINGS])),
        context(p, " ".join(conventions(p)), basis_source_text(p)),
    ]


def cuts_fallback_text(p: CutsPayload) -> str:
    """Notification text."""
    return f"{verdict_line(p)} ({p['basis']}, data to {p['end']})."


def cuts_plain_text(p: CutsPayload) -> str:
    """The same reply for a terminal."""
    lines = [*title_rule(title(p)), verdict_line(p), "", *indented(table_lines(p)), "",
             *leaning_lines(p), current_line(p), coverage_line(p), EARNINGS, "",
             *conventions(p), *warning_lines(p), basis_source_text(p)]
    return "\n".join(lines)


COMMAND = Command(
    name="cuts",
    usage="cuts [PAIR] [as-of DATE]",
    summary="Do small caps do better after the first Fed rate cut of a cycle? For each first "
            "cut (a cut after a hike and at least 365 days after the previous cut, dated the "
            "day it takes effect as FRED does), the gap over 3 months before and 1, 3, 6 and 12 "
            "months after; median, mean and wins of the earlier cycles, the current one against "
            "them, and an honest verdict. Posts a chart.",
    example="cuts",
    parse=parse_cuts,
    rendering=Rendering(cuts_blocks, cuts_fallback_text, cuts_plain_text, title),
    prerendered=True,
    home="claim",
)
