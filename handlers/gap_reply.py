"""Words for a gap payload: Block Kit for Slack, plain text for the CLI. Pure functions."""

from __future__ import annotations

from typing import Any

from analytics.formatting import pct, spp
from handlers.buttons import report_buttons
from handlers.report_text import (
    Payload,
    basis_source_text,
    context,
    header,
    indented,
    section,
    span_text,
    title_rule,
    unusual_lines,
    warning_lines,
    window_rule,
    words,
)


def headline(p: Payload) -> str:
    """'Small caps lag by 37.73 pp over 3 years, price return' ('SPY lags IWM by ...' for
    other pairs); windows over 5 years lead with the annualised gap and give the total after
    it. The basis ends the headline, so a quoted number never travels without it."""
    span = "the whole window" if p.get("period_kind") == "range" else p["period_description"]
    names = words(p)
    if p["leader"] == "tie":
        both = "Small and large caps are" if names.plural else \
            f"{names.small} and {names.large} are"
        return f"{both} level over {span}, {p['basis']}"
    verb = names.verb("lag" if p["leader"] == "large" else "lead")
    other = "" if names.plural else f" {names.large}"
    annual = p.get("annualised")
    if annual:
        return (f"{names.capitalised()} {verb}{other} by {abs(annual['gap_pp']):.2f} pp a year "
                f"over {span} ({pct(annual['small_pct'])} vs {pct(annual['large_pct'])} a year, "
                f"annualised), {abs(p['gap_pp']):,.2f} pp in total, {p['basis']}")
    return (f"{names.capitalised()} {verb}{other} by {abs(p['gap_pp']):.2f} pp over {span}, "
            f"{p['basis']}")


def other_basis_line(p: Payload) -> str | None:
    """The same window on the other basis, one line below the headline: 'Price return: IWM
    -7.00 %, SPY +31.02 %, gap +38.02 pp.' (None for two indexes: one basis only)."""
    other = p.get("other_basis")
    if not other:
        return None
    name = other["basis"][:1].upper() + other["basis"][1:]
    if other["gap_pp"] is None:
        return f"{name}: not available ({other['note']})."
    small, large = other["small"], other["large"]
    return (f"{name}: {small['symbol']} {pct(small['return_pct'])}, {large['symbol']} "
            f"{pct(large['return_pct'])}, gap {spp(other['gap_pp'])}.")


def title(p: Payload) -> str:
    """'Russell 2000 vs S&P 500 · 3 years to 2024-03-26'."""
    return f"{p['small']['name']} vs {p['large']['name']} · {span_text(p)}"


def leg_line(leg: Payload) -> str:
    return f"{leg['name']} ({leg['symbol']}): {pct(leg['return_pct'])}"


def rank_lines(p: Payload) -> list[str]:
    """How unusual the gap is (README, "How unusual"): one definition for every reply."""
    rank = p["history_rank"]
    if rank is None:
        return ["No history rank for the full-history window (there is only one)."]
    return unusual_lines(rank, adjective=p["period_adjective"], current_pp=p["gap_pp"],
                         end=p["end"], names=words(p))


def context_line(p: Payload) -> str:
    """Basis, source and as-of: what makes the numbers reproducible."""
    line = f"{basis_source_text(p)} · Window {p['start']} → {p['end']}: {window_rule(p)}."
    if p.get("annualised"):
        line += (" Annualised: (1 + r) ^ (365.25 / calendar days) − 1 over the "
                 f"{p['annualised']['years']:.1f} years between the two closes, as in `table`.")
    return line


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
    other = other_basis_line(p)
    return [
        header(title(p)),
        section(f"*{headline(p)}* ({p['start']} → {p['end']})."
                + (f"\n{other}" if other else ""), fields),
        section("*How unusual*\n" + "\n".join(rank_lines(p))),
        context(p, context_line(p)),
        report_buttons(p),  # switch period/pair in place (handlers/actions.py)
    ]


def gap_fallback_text(p: Payload) -> str:
    """Notification text (and the text of clients that cannot show blocks)."""
    return (f"{headline(p)}: {leg_line(p['small'])}, {leg_line(p['large'])}, "
            f"{p['start']} → {p['end']}.")


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
    other = other_basis_line(p)
    lines = [*title_rule(title(p)), f"{headline(p)} ({p['start']} → {p['end']}).",
             *([other] if other else []), "",
             *indented(numbers), "", "How unusual:", *indented(rank_lines(p)), "",
             *warning_lines(p), context_line(p)]
    return "\n".join(lines)
