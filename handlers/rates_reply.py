"""Words for a rates payload: Block Kit for Slack, plain text for the CLI. Pure functions.

The reply tells the seed commentary's story ("higher rates hurt small caps") with the data,
and says so plainly when the data does not support it.
"""

from __future__ import annotations

from typing import Any

from analytics.formatting import spp
from handlers.report_text import (
    Payload,
    bold_fields_to_plain,
    plain_lines,
    source_text,
    span_text,
    summary_blocks,
    words,
)

STORY = "“higher rates hurt small caps”"


def title(p: Payload) -> str:
    """'1-year gap vs 10-year Treasury yield · 10 years to 2026-02-13'."""
    return f"1-year gap vs 10-year Treasury yield · {span_text(p)}"


def r_text(corr: Payload) -> str:
    return "n/a" if corr["r"] is None else f"r = {corr['r']:+.2f}"


def verdict_line(p: Payload) -> str:
    """The answer in one sentence, resting on 3-month changes (see analytics.rates.verdict)."""
    changes = p["correlation"]["changes"]
    if p["verdict"] == "too_short":
        return (f"The period is too short to test {STORY}: fewer than "
                f"{changes['min_independent']} independent (non-overlapping) 3-month changes, "
                "and a level correlation alone would mislead.")
    r = changes["r"]
    share = f"rates explain about {round(r * r * 100)} % of the gap's 3-month swings"
    return {
        "supports": f"Over this period the data supports {STORY}: when the 10-year yield rose "
                    f"over 3 months, the gap tended to widen ({r_text(changes)}; {share}).",
        "weakly_supports": f"Over this period the link is weak ({r_text(changes)} on 3-month "
                           f"changes): rising yields went with a slightly wider gap, but "
                           f"{share}.",
        "no_relation": f"Over this period the correlation is weak ({r_text(changes)} on 3-month "
                       "changes): rates do not explain the gap.",
        "weakly_contradicts": f"Over this period the data does not support {STORY}: if "
                              "anything, rising yields went with a narrower gap "
                              f"({r_text(changes)} on 3-month changes; {share}).",
        "contradicts": f"Over this period the data contradicts {STORY}: rising yields went with "
                       f"{words(p).small} catching up ({r_text(changes)} on 3-month changes).",
    }[p["verdict"]]


def levels_line(p: Payload) -> str:
    """The level correlation with the warning it needs."""
    levels, changes = p["correlation"]["levels"], p["correlation"]["changes"]
    if levels["r"] is None:
        return (f"Levels: no correlation reported over {levels['n']:,} days (it needs at least "
                f"{levels['min_days']:,}: r from a few days of two slow-moving series is noise).")
    text = (f"Levels: {r_text(levels)} over {levels['n']:,} days. Level correlation of two "
            "trending series misleads (both can drift together by accident), so the verdict "
            "rests on 3-month changes.")
    if levels["r"] is not None and changes["r"] is not None and levels["r"] >= 0.3 \
            and changes["r"] < 0.3:
        text += (" Here the levels look like support for the story, but their changes do not "
                 "confirm it: both trended over the period.")
    return text


def story_line(p: Payload) -> str:
    """What rates and the gap did over the period."""
    y, g = p["yield"], p["gap"]
    move = y["end_pct"] - y["start_pct"]
    return (f"From {p['start']} to {p['end']} the 10-year yield went from {y['start_pct']:.2f} % "
            f"to {y['end_pct']:.2f} % ({move:+.2f} pp) and the 1-year gap from "
            f"{spp(g['start_pp'])} to {spp(g['end_pp'])} (positive = {words(p).small} "
            f"{words(p).verb('lag')}).")


def fields(p: Payload) -> list[str]:
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


def context_lines(p: Payload) -> list[str]:
    """Series, basis, dates and source: what makes the numbers reproducible."""
    return [
        f"Series: 1-year gap = {p['large']['name']} ({p['large']['symbol']}) minus "
        f"{p['small']['name']} ({p['small']['symbol']}) return over the year to each day, "
        f"{p['basis']}; 10-year yield = Yahoo {p['yield']['symbol']} close, which is the "
        "yield in percent (not ×10).",
        f"Compared on the {p['days']:,} days both exist, {p['start']} → {p['end']}; as of "
        f"{p['end']}, the last common day on or before the as-of date · {source_text(p)}",
    ]


def rates_blocks(p: Payload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply (well inside Slack's limits)."""
    return summary_blocks(title(p), verdict_line(p), fields(p),
                          f"{story_line(p)}\n{levels_line(p)}", p, context_lines(p))


def rates_fallback_text(p: Payload) -> str:
    """Notification text (and the text of clients that cannot show blocks)."""
    return (f"{verdict_line(p)} 10-year yield {p['yield']['end_pct']:.2f} % on {p['end']}, "
            f"{p['start']} → {p['end']} ({p['basis']}).")


def rates_plain_text(p: Payload) -> str:
    """The same summary as Slack shows, for a terminal."""
    body = [*bold_fields_to_plain(fields(p)), "", story_line(p), levels_line(p)]
    return plain_lines(title(p), verdict_line(p), body, p, context_lines(p))
