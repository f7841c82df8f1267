"""`years`: in how many calendar years did small caps beat large caps?

Grammar `years [PAIR] [BASIS] [as-of DATE] [live]` (no period: every calendar year); its query
(both returns and the gap per calendar year, the year to date, wins, streaks, best and worst
years, with its chart) and payload; the words for that payload (a monospace year table for
Slack and the terminal; pure functions); its pair buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, TypedDict

from analytics.calendar_years import CalendarYears, Streak, YearRow, calendar_years
from analytics.charts_years import render_years_chart
from analytics.formatting import pct, spp
from bot.data.market import PriceHistory
from bot.data.trading_calendar import nyse
from bot.reports import Chart, csv_export, history_meta
from bot.reports.common import (
    PairQuery,
    as_of_requested,
    basis_requested,
    chart_source,
    check_as_of,
    fetched_day,
    instrument_payload,
    pair_closes,
)
from bot.reports.payloads import PairEndFields
from handlers.buttons import PAIR_CHOICES, report_buttons
from handlers.command import Command, Export, Rendering
from handlers.report_text import (
    TABLE_ROWS_MAX,
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
    words,
)
from handlers.words import ParseContext, parse_period_pair


class YearPayload(TypedDict):
    year: int
    start: str
    end: str
    small_pct: float
    large_pct: float
    gap_pp: float
    winner: str
    """'small', 'large' or 'tie'."""


class StreakPayload(TypedDict):
    side: str
    years: int
    first: int
    last: int


class YearsPayload(PairEndFields):
    """The JSON answer to a years query."""

    start: str
    convention: str
    years: list[YearPayload]
    year_to_date: YearPayload | None
    years_counted: int
    small_wins: int
    large_wins: int
    ties: int
    longest_streak_small: StreakPayload | None
    longest_streak_large: StreakPayload | None
    current_streak: StreakPayload | None
    best_year: YearPayload
    worst_year: YearPayload


CONVENTION = ("each calendar year from the last common close of the year before to the last "
              "common close of the year; returns last/first − 1; gap = large − small, pp; a "
              "side wins a year when the gap is beyond ±0.005 pp its way; counts, streaks and "
              "best/worst use complete years, not the year to date")
CHOICES = PAIR_CHOICES
"""The switch buttons under a years reply: index, ETF (no period: every year is shown)."""


@dataclass(frozen=True)
class YearsQuery(PairQuery):
    """What the user asked: a pair and an optional as-of date (every calendar year); with
    `live` the year to date ends on the session under way."""

    command: str = "years"

    def build(self, history: PriceHistory) -> tuple[YearsPayload, Chart]:
        check_as_of(self.as_of, self.pair, history)
        small, large = pair_closes(history, self.pair)
        intraday = history.intraday_at.date() if history.intraday_at else None

        def year_over(day: date) -> bool:
            """The close ends its year: no NYSE session after it that year, and it is a
            final close, not today's unfinished bar."""
            return (intraday is None or day < intraday) \
                and nyse().next_session(day).day.year > day.year

        result = calendar_years(self.pair, small, large, self.as_of, year_over)
        payload = years_payload(result, history, self)
        chart = partial(render_years_chart, result, source=chart_source(payload),
                        fetched=fetched_day(payload))
        return payload, chart


def _year(row: YearRow) -> YearPayload:
    return {"year": row.year, "start": row.start.date().isoformat(),
            "end": row.end.date().isoformat(), "small_pct": round(row.small_pct, 4),
            "large_pct": round(row.large_pct, 4), "gap_pp": round(row.gap_pp, 4),
            "winner": row.winner}


def _streak(streak: Streak | None) -> StreakPayload | None:
    if streak is None:
        return None
    return {"side": streak.side, "years": streak.years, "first": streak.first,
            "last": streak.last}


def years_payload(result: CalendarYears, history: PriceHistory, query: YearsQuery
                  ) -> YearsPayload:
    """The JSON answer to a years query (stable keys; documented in README)."""
    pair = result.pair
    last = result.to_date or result.rows[-1]
    return {
        "command": "years",
        "pair": pair.key,
        "start": result.rows[0].start.date().isoformat(),
        "end": last.end.date().isoformat(),
        "first_common_close": result.first_common.date().isoformat(),
        "as_of_requested": as_of_requested(query.as_of),
        "basis": pair.basis,
        "basis_requested": basis_requested(pair),
        "small": instrument_payload(pair.small),
        "large": instrument_payload(pair.large),
        "convention": CONVENTION,
        "years": [_year(row) for row in result.rows],
        "year_to_date": _year(result.to_date) if result.to_date else None,
        "years_counted": len(result.rows),
        "small_wins": result.small_wins,
        "large_wins": result.large_wins,
        "ties": result.ties,
        "longest_streak_small": _streak(result.longest["small"]),
        "longest_streak_large": _streak(result.longest["large"]),
        "current_streak": _streak(result.current),
        "best_year": _year(result.best),
        "worst_year": _year(result.worst),
        **history_meta(history),
    }


def parse_years(args: list[str], context: ParseContext) -> YearsQuery:
    """`years [PAIR] [BASIS] [as-of DATE] [live]`: every calendar year, so no period."""
    parsed = parse_period_pair(args, "years", context, fixed_window=(
        "`years` always shows every calendar year, so `{word}` is not needed: give a pair or "
        "nothing."))
    return YearsQuery(pair=parsed.pair, as_of=parsed.as_of, live=parsed.live)


YEAR_WIDTH, NUMBER_WIDTH = 9, 8


def title(p: YearsPayload) -> str:
    """'^RUT vs ^GSPC · calendar years 1988–2025' (tickers in titles, `series_names` in the
    first section: the naming rule of every reply)."""
    return (f"{pair_symbols(p)} · calendar years "
            f"{p['years'][0]['year']}–{p['years'][-1]['year']}")


def _side(p: YearsPayload, side: str) -> str:
    names = words(p)
    return names.small if side == "small" else names.large


def _streak_text(p: YearsPayload, streak: StreakPayload | None) -> str:
    if streak is None:
        return "none"
    span = (f"{streak['first']}–{streak['last']}" if streak["years"] > 1
            else str(streak["first"]))
    return f"{streak['years']} year{'s' if streak['years'] != 1 else ''} ({span})"


def headline(p: YearsPayload) -> str:
    """'Small caps beat large caps in 16 of 38 calendar years (1988–2025); large caps won 22.'"""
    names = words(p)
    span = f"{p['years'][0]['year']}–{p['years'][-1]['year']}"
    ties = f", {p['ties']} tied" if p["ties"] else ""
    return (f"{names.capitalised()} beat {names.large} in {p['small_wins']} of "
            f"{p['years_counted']} calendar years ({span}); {names.large} won "
            f"{p['large_wins']}{ties}.")


def summary_lines(p: YearsPayload) -> list[str]:
    """Streaks, the best and worst years for the small side and the year to date."""
    names = words(p)
    current = p["current_streak"]
    lines = [
        (f"Current streak: {_side(p, current['side'])}, {_streak_text(p, current)}."
         if current else f"Current streak: none ({p['years'][-1]['year']} was a tie)."),
        f"Longest streaks: {names.small} {_streak_text(p, p['longest_streak_small'])}, "
        f"{names.large} {_streak_text(p, p['longest_streak_large'])}.",
    ]
    best, worst = p["best_year"], p["worst_year"]
    lines.append(f"Best year for {names.small}: {best['year']}, gap {spp(best['gap_pp'])} "
                 f"({pct(best['small_pct'])} vs {pct(best['large_pct'])}); worst: "
                 f"{worst['year']}, gap {spp(worst['gap_pp'])} ({pct(worst['small_pct'])} vs "
                 f"{pct(worst['large_pct'])}).")
    ytd = p["year_to_date"]
    if ytd:
        leader = {"small": f"{names.small} {names.verb('lead')}",
                  "large": f"{names.large} lead" if names.plural else f"{names.large} leads",
                  "tie": "level"}[ytd["winner"]]
        lines.append(f"{ytd['year']} to date ({ytd['start']} → {ytd['end']}, not counted "
                     f"above): {pct(ytd['small_pct'])} vs {pct(ytd['large_pct'])}, gap "
                     f"{spp(ytd['gap_pp'])}, {leader} so far.")
    return lines


def table_rows(p: YearsPayload) -> list[list[str]]:
    """The year table as cells, header first (the year to date last, marked YTD): both
    returns (%), the gap (pp) and who won; numbers signed to two decimals."""
    names = words(p)
    won = {"small": names.small, "large": names.large, "tie": "tie"}
    rows = [["Year", f"{p['small']['symbol']} %", f"{p['large']['symbol']} %", "Gap pp", "Won"]]
    ytd = p["year_to_date"]
    for row in [*p["years"], *([ytd] if ytd else [])]:
        so_far = row is ytd
        rows.append([f"{row['year']} YTD" if so_far else str(row["year"]),
                     *(f"{v:+.2f}" for v in (row["small_pct"], row["large_pct"], row["gap_pp"])),
                     "(so far)" if so_far else won[row["winner"]]])
    return rows


def table_lines(p: YearsPayload) -> list[str]:
    """`table_rows` aligned for a terminal: the year left, numbers right-aligned."""
    rows = table_rows(p)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    widths[0], widths[1:4] = max(widths[0], YEAR_WIDTH), [max(w, NUMBER_WIDTH)
                                                          for w in widths[1:4]]
    return [(r[0].ljust(widths[0]) + "".join("  " + c.rjust(w) for c, w in
                                              zip(r[1:4], widths[1:4], strict=True))
             + "  " + r[4]).rstrip() for r in rows]


def conventions(p: YearsPayload) -> str:
    names = words(p)
    return (f"Each year runs from the last common close of the year before to the last common "
            f"close of the year (the first year of the common history, from "
            f"{p['first_common_close']}, is partial and left out). Gap = large − small in pp "
            f"(+ = {names.small} {names.verb('lag')}). Wins, streaks and best/worst count "
            "complete years only.")


TABLE_CHUNK = 40
"""Year rows per code block when the years outgrow one native table: 40 rows of ~50
characters stay far inside a section's 3,000."""


def year_table(p: YearsPayload) -> list[dict[str, Any]]:
    """Slack's native table (numbers right-aligned) while the years fit its 100 rows, else
    aligned code blocks of TABLE_CHUNK rows: a year is never dropped."""
    rows = table_rows(p)
    if len(rows) <= TABLE_ROWS_MAX:
        return [table_block(rows, right=range(1, 4))]
    head, *body = table_lines(p)
    return [section("```" + "\n".join([head, *body[i:i + TABLE_CHUNK]]) + "```")
            for i in range(0, len(body), TABLE_CHUNK)]


def years_blocks(p: YearsPayload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply: the series' names, headline and summary, the year
    table as Slack's native table (numbers right-aligned), conventions, the pair buttons."""
    return [
        header(title(p)),
        section(f"{series_names(p)}\n*{headline(p)}*\n" + "\n".join(summary_lines(p))),
        *year_table(p),
        context(p, conventions(p), basis_source_text(p)),
        report_buttons(p, CHOICES),
    ]


def years_fallback_text(p: YearsPayload) -> str:
    """Notification text: the headline and the current streak."""
    return f"{headline(p)} {summary_lines(p)[0]} ({p['basis']})"


def years_plain_text(p: YearsPayload) -> str:
    """The same reply for a terminal."""
    lines = [*title_rule(title(p)), series_names(p), headline(p), *summary_lines(p), "",
             *indented(table_lines(p)), "", conventions(p), *warning_lines(p),
             basis_source_text(p)]
    return "\n".join(lines)


COMMAND = Command(
    name="years",
    usage="years [PAIR] [as-of DATE]",
    summary="In how many calendar years did small caps beat large caps? Both returns and the "
            "gap for every full calendar year (last close to last close) and the year to date, "
            "the count of years each side won, the longest and the current streak, the best "
            "and worst years. Posts a chart.",
    example="years etf",
    parse=parse_years,
    rendering=Rendering(years_blocks, years_fallback_text, years_plain_text, title),
    choices=CHOICES,
    prerendered=True,
    export=Export(csv_export.calendar_years_csv),
    defaults=frozenset({"pair", "basis"}),
    schedulable=True,
    in_usage_hint=False,
)
