"""Words for a cuts payload: Block Kit for Slack, plain text for the CLI. Pure functions.

The reply answers the March 2024 claim "small caps do better after the first rate cut" with
the cycles in the data, says how many there are, where the answer rests on one or two of
them, and that the "more so when earnings improve" part cannot be tested here.
"""

from __future__ import annotations

from typing import Any

from analytics.formatting import spp
from handlers.report_text import (
    Payload,
    basis_source_text,
    context,
    header,
    indented,
    section,
    title_rule,
    warning_lines,
)

CLAIM = "“small caps do better after the first rate cut”"
EARNINGS = ("The claim adds “even more when earnings improved”: the bot has no earnings data, "
            "so it cannot test that part.")
LABEL_WIDTH, CELL_WIDTH = 11, 8


def title(p: Payload) -> str:
    """'Russell 2000 vs S&P 500 after the first Fed cut · data to 2026-08-21'."""
    return f"{p['small']['name']} vs {p['large']['name']} after the first Fed cut · to {p['end']}"


def _head(s: Payload) -> str:
    return "−3m" if s["months"] < 0 else f"+{s['horizon']}"


def _cell(value: float | None, in_progress: bool = False) -> str:
    text = "n/a" if value is None else f"{value:+.2f}" + ("*" if in_progress else "")
    return text.rjust(CELL_WIDTH)


def table_lines(p: Payload) -> list[str]:
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


def _years(p: Payload) -> str:
    earlier = [c["year"] for c in p["cycles"] if not c["current"]]
    return f"{earlier[0]}–{earlier[-1]}" if earlier else "none"


def _horizons(p: Payload, leaning: str) -> list[str]:
    return [s["horizon"] for s in p["stats"] if s["months"] > 0 and s["leaning"] == leaning]


def verdict_line(p: Payload) -> str:
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


def leaning_lines(p: Payload) -> list[str]:
    """Per horizon after the cut: wins, median and mean, and the same without the two most
    extreme cycles, which shows how much the answer rests on them."""
    lines = []
    for s in p["stats"]:
        if s["months"] < 0 or not s["cycles"]:
            continue
        text = (f"{s['horizon']}: small caps ahead in {s['small_wins']} of {s['cycles']} "
                f"({s['hit_rate_pct']:.0f} %), median gap {spp(s['median_gap_pp'])} (ratio "
                f"{s['median_ratio_pct']:+.2f} %), mean {spp(s['mean_gap_pp'])}")
        if s["holds_without_extremes"] is not None:
            years = " and ".join(str(y) for y in s["extreme_years"])
            verdict = ("no clear lead either way" if s["leaning"] == "mixed"
                       else "the answer holds without them" if s["holds_without_extremes"]
                       else "the answer rests on them")
            text += (f"; without {years} median {spp(s['median_gap_without_extremes_pp'])}, "
                     f"mean {spp(s['mean_gap_without_extremes_pp'])} ({verdict})")
        lines.append(text + ".")
    return lines


def _current_part(s: Payload, w: Payload) -> str:
    """'12m +7.63 pp (2)' or '6m +3.32 pp (3 so far, 119 of 182 days)'."""
    days = None if w["complete"] else f"{w['days_so_far']} of {w['days_total']} days"
    notes = [f"{s['current_beats']}" + (" so far" if days else "")] if s["cycles"] else []
    notes += [days] if days else []
    return f"{s['horizon']} {spp(w['gap_pp'])}" + (f" ({', '.join(notes)})" if notes else "")


def current_line(p: Payload) -> str:
    """Where the current cycle stands against the earlier ones."""
    after = [s for s in p["stats"] if s["months"] > 0 and s["current"] is not None]
    head = f"Current cycle (first cut {p['current_event_day']})"
    if not after:
        return f"{head}: no window after the cut yet."
    parts = "; ".join(_current_part(s, s["current"]) for s in after)
    earlier = after[0]["cycles"]
    if not earlier:
        return f"{head}, gap: {parts}."
    return (f"{head}: gap, and in brackets how many of the {earlier} earlier cycles it beat "
            f"for small caps: {parts}.")


def coverage_line(p: Payload) -> str:
    """How many first cuts the rule finds, and which ones the pair's history misses."""
    covered = {c["event_day"] for c in p["cycles"]}
    missed = [c["event_day"] for c in p["first_cuts"] if c["event_day"] not in covered]
    text = (f"{len(p['first_cuts'])} first cuts since the target data begins, "
            f"{len(p['cycles'])} covered by {p['small']['symbol']}/{p['large']['symbol']} "
            f"(common closes from {p['first_common_close']})")
    return text + (f"; not covered: {', '.join(missed)}." if missed else ".")


def conventions(p: Payload) -> list[str]:
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


def cuts_blocks(p: Payload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply: verdict, the table, how robust, caveats, footer."""
    table = "\n".join(table_lines(p))
    return [
        header(title(p)),
        section(f"*{verdict_line(p)}*\n```{table}```"),
        section("\n".join([*leaning_lines(p), current_line(p), coverage_line(p), EARNINGS])),
        context(p, " ".join(conventions(p)), basis_source_text(p)),
    ]


def cuts_fallback_text(p: Payload) -> str:
    """Notification text."""
    return f"{verdict_line(p)} ({p['basis']}, data to {p['end']})."


def cuts_plain_text(p: Payload) -> str:
    """The same reply for a terminal."""
    lines = [*title_rule(title(p)), verdict_line(p), "", *indented(table_lines(p)), "",
             *leaning_lines(p), current_line(p), coverage_line(p), EARNINGS, "",
             *conventions(p), *warning_lines(p), basis_source_text(p)]
    return "\n".join(lines)
