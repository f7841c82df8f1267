"""Words for a gap payload: Block Kit for Slack, plain text for the CLI. Pure functions."""

from __future__ import annotations

from typing import Any

from analytics.gap import is_unusual
from handlers.buttons import report_buttons
from handlers.format import ordinal, pct, pp
from handlers.report_text import (
    Payload,
    basis_source_text,
    context,
    header,
    indented,
    last_as_wide_line,
    section,
    spp,
    title_rule,
    warning_lines,
    widest_since_line,
)


def headline(p: Payload) -> str:
    """'Small caps lag by 37.73 pp over 3 years' (or lead, or tie)."""
    span = p["period_description"]
    if p["leader"] == "tie":
        return f"Small and large caps are level over {span}"
    verb = "lag" if p["leader"] == "large" else "lead"
    return f"Small caps {verb} by {abs(p['gap_pp']):.2f} pp over {span}"


def title(p: Payload) -> str:
    """'Russell 2000 vs S&P 500 · 3 years to 2024-03-26'."""
    return f"{p['small']['name']} vs {p['large']['name']} · {p['period_description']} to {p['end']}"


def leg_line(leg: Payload) -> str:
    return f"{leg['name']} ({leg['symbol']}): {pct(leg['return_pct'])}"


def rank_lines(p: Payload) -> list[str]:
    """How unusual the gap is, in words an analyst would use."""
    rank = p["history_rank"]
    if rank is None:
        return ["No history rank for the full-history window (there is only one)."]
    adjective = p["period_adjective"]
    lagging = p["gap_pp"] >= 0
    direction = "lag" if lagging else "lead"
    extreme = "100 = small caps' widest lag" if lagging else "0 = small caps' widest lead"
    lines = [
        f"{ordinal(rank['percentile'])} percentile of {rank['windows']:,} {adjective} windows "
        f"ending {rank['first_window_end']} to {p['end']} ({extreme})."
    ]
    if rank["widest_since"]:
        lines.append(widest_since_line(adjective, direction, rank["widest_since"],
                                       is_unusual(rank["percentile"], lagging)))
    else:
        lines.append(f"Widest {adjective} {direction} in the history compared "
                     f"(since {rank['first_window_end']}).")
    if rank["last_as_wide"]:
        lines.append(last_as_wide_line(rank["last_as_wide"]))
    lines.append(f"Record {direction}: {pp(abs(rank['record_pp']))} "
                 f"(window ending {rank['record_end']}).")
    return lines


def context_line(p: Payload) -> str:
    """Basis, source and as-of: what makes the numbers reproducible."""
    return (f"{basis_source_text(p)} · "
            f"Window {p['start']} → {p['end']}: last common closes on or before the as-of date "
            "and the same date one period earlier.")


def gap_blocks(p: Payload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply (well inside Slack's limits), ending with the
    period/pair buttons."""
    ratio = p["relative_ratio"]
    fields = [
        f"*{p['small']['name']}* ({p['small']['symbol']})\n{pct(p['small']['return_pct'])}",
        f"*{p['large']['name']}* ({p['large']['symbol']})\n{pct(p['large']['return_pct'])}",
        f"*Gap (large − small)*\n{spp(p['gap_pp'])}",
        f"*Relative ratio (small/large)*\n{pct(ratio['change_pct'])} "
        f"({ratio['start']:.4f} → {ratio['end']:.4f})",
    ]
    return [
        header(title(p)),
        section(f"*{headline(p)}* ({p['start']} → {p['end']}).", fields),
        section("*How unusual*\n" + "\n".join(rank_lines(p))),
        context(p, context_line(p)),
        report_buttons(p),  # switch period/pair in place (handlers/actions.py)
    ]


def gap_fallback_text(p: Payload) -> str:
    """Notification text (and the text of clients that cannot show blocks)."""
    return (f"{headline(p)}: {leg_line(p['small'])}, {leg_line(p['large'])}, "
            f"{p['start']} → {p['end']} ({p['basis']}).")


def gap_plain_text(p: Payload) -> str:
    """The same summary as Slack shows, for a terminal."""
    ratio = p["relative_ratio"]
    numbers = [
        leg_line(p["small"]),
        leg_line(p["large"]),
        f"Gap (large − small): {spp(p['gap_pp'])}",
        f"Relative ratio (small/large): {pct(ratio['change_pct'])} "
        f"({ratio['start']:.4f} → {ratio['end']:.4f})",
    ]
    lines = [*title_rule(title(p)), f"{headline(p)} ({p['start']} → {p['end']}).", "",
             *indented(numbers), "", "How unusual:", *indented(rank_lines(p)), "",
             *warning_lines(p), context_line(p)]
    return "\n".join(lines)
