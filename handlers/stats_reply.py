"""Words for a stats payload: a two-column monospace table for Slack and the terminal."""

from __future__ import annotations

from typing import Any

from analytics.formatting import pct, percent
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
    warning_lines,
    window_rule,
)

LABEL_WIDTH, VALUE_WIDTH = 18, 15


def title(p: Payload) -> str:
    """'Russell 2000 vs S&P 500 · risk over 3 years to 2024-03-26'."""
    return (f"{p['small']['name']} vs {p['large']['name']} · risk over "
            f"{span_text(p)}")


def _pct(value: float | None, signed: bool = True) -> str:
    if value is None:
        return "n/a"
    return pct(value) if signed else percent(value)


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def stats_rows(p: Payload) -> list[tuple[str, str, str]]:
    """(label, small, large) rows of the comparison table."""
    s, g = p["small"], p["large"]
    sd, gd = s["max_drawdown"], g["max_drawdown"]
    rows = [
        ("Statistic", s["symbol"], g["symbol"]),
        ("Total return", _pct(s["total_return_pct"]), _pct(g["total_return_pct"])),
        ("CAGR (252-day yr)", _pct(s["cagr_pct"]), _pct(g["cagr_pct"])),
        ("  as in table", _pct(s.get("cagr_calendar_pct")), _pct(g.get("cagr_calendar_pct"))),
        ("Volatility (ann.)", _pct(s["volatility_pct"], False), _pct(g["volatility_pct"], False)),
        (f"Sharpe (rf {p['risk_free_rate_pct']:.2f} %)", _ratio(s["sharpe"]),
         _ratio(g["sharpe"])),
        ("Max drawdown", _pct(sd["depth_pct"]), _pct(gd["depth_pct"])),
    ]
    if sd["depth_pct"] < 0 or gd["depth_pct"] < 0:
        def when(dd: Payload, key: str) -> str:
            if dd["depth_pct"] >= 0:
                return "–"
            return dd[key] or "not recovered"

        rows += [("  peak", when(sd, "peak"), when(gd, "peak")),
                 ("  trough", when(sd, "trough"), when(gd, "trough")),
                 ("  recovered", when(sd, "recovery"), when(gd, "recovery"))]
    return rows


def other_basis_line(p: Payload) -> str | None:
    """Total return and CAGR on the other basis, one line (issue #10): 'Price return: IWM
    -7.00 % (CAGR -2.40 % a year), SPY +31.02 % (CAGR +9.45 % a year).'; one line saying
    why when those closes are missing; None for two indexes (one basis only)."""
    other = p.get("other_basis")
    if not other:
        return None
    name = other["basis"][:1].upper() + other["basis"][1:]
    if other["small"] is None:
        return f"{name}: not available ({other['note']})."
    small, large = other["small"], other["large"]
    return (f"{name}: {small['symbol']} {_pct(small['total_return_pct'])} (CAGR "
            f"{_pct(small['cagr_pct'])} a year), {large['symbol']} "
            f"{_pct(large['total_return_pct'])} (CAGR {_pct(large['cagr_pct'])} a year).")


def table_lines(p: Payload) -> list[str]:
    return [label.ljust(LABEL_WIDTH) + small.rjust(VALUE_WIDTH) + large.rjust(VALUE_WIDTH)
            for label, small, large in stats_rows(p)]


def beta_line(p: Payload) -> str:
    """'Beta of ^RUT on ^GSPC: 1.13 (…) · correlation 0.85', from daily returns."""
    small, large = p["small"]["symbol"], p["large"]["symbol"]
    if p["beta"] is None:
        return f"Beta and correlation: n/a ({large} did not move)."
    return (f"Beta of {small} on {large}: {p['beta']:.2f} ({small} moved {p['beta']:.2f} % "
            f"for each 1 % of {large} on average) · correlation {_ratio(p['correlation'])} · "
            f"{p['daily_returns']:,} daily returns on common days.")


def window_label(p: Payload) -> str:
    """'3 years: 2021-03-26 → 2024-03-26' ('Range: ...' for a date range)."""
    label = "Range" if p.get("period_kind") == "range" else p["period_description"].capitalize()
    return f"{label}: {p['start']} → {p['end']}"


def window_how(p: Payload) -> str:
    """How the window's two days were chosen."""
    return window_rule(p)


def conventions(p: Payload) -> str:
    """The formulas, so an analyst can reproduce every number."""
    return (f"Conventions: simple daily returns of closes; {p['trading_days_per_year']}-day "
            "year; CAGR = (1 + total)^(252 / returns) − 1; volatility = std(ddof=1) × √252; "
            "Sharpe = mean daily excess return / its std × √252 with risk-free "
            f"{p['risk_free_rate_pct']:.2f} % a year (the bot's setting); max drawdown "
            "= deepest fall from a running high within the window, recovered = first close "
            "back at that high; beta = cov/var of daily returns (as in empyrical). Why CAGR "
            "differs from `table`'s annualised rows: `stats` counts years in trading days "
            "(returns / 252, empyrical and quantstats), `table` in calendar days between the "
            "two closes (days / 365.25, ffn), so the same window can differ slightly "
            "(the 'as in table' row).")


def stats_blocks(p: Payload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply: header, the comparison table, beta, conventions,
    and the period/pair buttons (handlers/actions.py switches the message in place)."""
    table = "\n".join(table_lines(p))
    other = other_basis_line(p)
    body = (f"*{window_label(p)}* ({window_how(p)}).\n```{table}```\n"
            + (f"{other}\n" if other else "") + beta_line(p))
    return [
        header(title(p)),
        section(body),
        context(p, conventions(p), basis_source_text(p)),
        report_buttons(p),
    ]


def stats_fallback_text(p: Payload) -> str:
    """Notification text with the headline numbers."""
    s, g = p["small"], p["large"]
    return (f"{title(p)} ({p['start']} → {p['end']}, {p['basis']}): volatility "
            f"{_pct(s['volatility_pct'], False)} vs {_pct(g['volatility_pct'], False)}, "
            f"max drawdown {_pct(s['max_drawdown']['depth_pct'])} vs "
            f"{_pct(g['max_drawdown']['depth_pct'])}, beta {_ratio(p['beta'])}.")


def stats_plain_text(p: Payload) -> str:
    """The same summary for a terminal."""
    other = other_basis_line(p)
    lines = [*title_rule(title(p)), f"{window_label(p)} ({window_how(p)}).", "",
             *indented(table_lines(p)), "", *([other] if other else []), beta_line(p), "",
             conventions(p), *warning_lines(p), basis_source_text(p)]
    return "\n".join(lines)
