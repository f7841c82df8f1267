"""`stats`: risk and return of both series (CAGR, volatility, Sharpe, drawdown, beta).

Grammar `stats [PERIOD] [PAIR] [BASIS] [as-of DATE] [live]` (default 3y, with the configured
risk-free rate); its query (the risk statistics, with drawdown and rolling-volatility
charts) and payload; the words for that payload: a two-column monospace table for Slack and
the terminal; its buttons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Any, TypedDict

import pandas as pd

from analytics.charts_stats import render_stats_chart
from analytics.errors import present
from analytics.gap import annualised_pct, window_returns_pct
from analytics.risk import TRADING_DAYS, Drawdown, RiskStats, SeriesStats, cagr, compute_risk
from bot.data.market import PriceHistory
from bot.reports import Chart, csv_export, history_meta
from bot.reports.common import (
    PeriodPairQuery,
    basis_end_note,
    chart_source,
    fetched_day,
    other_basis_closes,
    window_fields,
)
from bot.reports.payloads import Instrument, SourceFields, WindowFields
from handlers.buttons import DEFAULT_CHOICES, report_buttons
from handlers.command import Command, Export, Rendering
from handlers.report_text import (
    basis_source_text,
    context,
    header,
    indented,
    pair_symbols,
    section,
    series_names,
    span_text,
    table_block,
    title_rule,
    warning_lines,
    window_rule,
)
from handlers.words import ParseContext, parse_period_pair


class DrawdownPayload(TypedDict):
    depth_pct: float
    peak: str | None
    trough: str | None
    recovery: str | None


class StatsLeg(Instrument):
    total_return_pct: float
    cagr_pct: float | None
    cagr_calendar_pct: float | None
    volatility_pct: float | None
    sharpe: float | None
    max_drawdown: DrawdownPayload


class OtherBasisLeg(TypedDict):
    symbol: str
    total_return_pct: float
    cagr_pct: float | None


class StatsOtherBasis(TypedDict):
    """Total return and CAGR on the other basis; the legs are null (and `note` says why)
    when the source lacks those closes."""

    basis: str
    small: OtherBasisLeg | None
    large: OtherBasisLeg | None
    note: str | None


class StatsPayload(WindowFields, SourceFields):
    """The JSON answer to a stats query."""

    daily_returns: int
    trading_days_per_year: int
    risk_free_rate_pct: float
    small: StatsLeg
    large: StatsLeg
    beta: float | None
    correlation: float | None
    other_basis: StatsOtherBasis | None

CHOICES = DEFAULT_CHOICES
"""The switch buttons under a stats reply: 1y, 3y, 5y, 10y; index, ETF."""


@dataclass(frozen=True)
class StatsQuery(PeriodPairQuery):
    """What the user asked, plus the configured annual risk-free rate (0.04 = 4 %)."""

    risk_free_rate: float = 0.0
    command: str = "stats"

    def build(self, history: PriceHistory) -> tuple[StatsPayload, Chart]:
        small, large = self.closes(history)
        stats = compute_risk(self.pair, small, large, self.period, self.as_of,
                             self.risk_free_rate)
        payload = stats_payload(stats, history, self, other_basis(stats, history))
        chart = partial(render_stats_chart, stats, source=chart_source(payload),
                        fetched=fetched_day(payload))
        return payload, chart


def _finite(value: float | None, digits: int) -> float | None:
    """Rounded, or None for missing/infinite values (JSON has no NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def _day(when: pd.Timestamp | None) -> str | None:
    return None if when is None else when.date().isoformat()


def _drawdown(dd: Drawdown) -> DrawdownPayload:
    return {"depth_pct": round(dd.depth_pct, 4), "peak": _day(dd.peak),
            "trough": _day(dd.trough), "recovery": _day(dd.recovery)}


def _leg(symbol: str, name: str, leg: SeriesStats, calendar_days: int) -> StatsLeg:
    calendar = annualised_pct(leg.total_return_pct, calendar_days) if calendar_days else None
    return {
        "symbol": symbol,
        "name": name,
        "total_return_pct": round(leg.total_return_pct, 4),
        "cagr_pct": _finite(leg.cagr_pct, 4),
        "cagr_calendar_pct": _finite(calendar, 4),
        "volatility_pct": _finite(leg.volatility_pct, 4),
        "sharpe": _finite(leg.sharpe, 4),
        "max_drawdown": _drawdown(leg.max_drawdown),
    }


def other_basis(stats: RiskStats, history: PriceHistory) -> StatsOtherBasis | None:
    """Total return and CAGR on the other basis between the same two closes (issue #10):
    `basis`, `small` and `large` (each `symbol`, `total_return_pct`, `cagr_pct`, CAGR over
    the headline's number of daily returns, 252 a year) and `note` saying why they are
    null; None for two indexes (one basis only)."""
    window = stats.window
    found = other_basis_closes(history, stats.pair, (window.start, window.end))
    if found is None:
        return None
    other, closes = found
    if isinstance(closes, str):
        return {"basis": other.basis, "small": None, "large": None, "note": closes}
    returns = present(window_returns_pct(*closes, window),  # other_basis_closes checked
                      "both days' returns on the other basis")
    small, large = (_other_leg(leg.symbol, pct, stats.n_returns) for leg, pct in
                    zip((stats.pair.small, stats.pair.large), returns, strict=True))
    return {"basis": other.basis, "small": small, "large": large, "note": None}


def _other_leg(symbol: str, return_pct: float, n_returns: int) -> OtherBasisLeg:
    """Total return and CAGR over the headline's number of daily returns (252 a year)."""
    return {"symbol": symbol, "total_return_pct": round(return_pct, 4),
            "cagr_pct": _finite(cagr(return_pct / 100.0, n_returns) * 100.0, 4)}


def stats_payload(stats: RiskStats, history: PriceHistory, query: StatsQuery,
                  other: StatsOtherBasis | None = None) -> StatsPayload:
    """The JSON answer to a stats query (stable keys; documented in README); `other` is the
    `other_basis` field (see other_basis)."""
    pair = stats.pair
    days = int((stats.window.end - stats.window.start).days)
    return {
        **window_fields("stats", stats.period, pair, stats.window, query.as_of),
        "daily_returns": stats.n_returns,
        "trading_days_per_year": TRADING_DAYS,
        "risk_free_rate_pct": round(stats.risk_free_rate * 100.0, 6),
        "small": _leg(pair.small.symbol, pair.small.name, stats.small, days),
        "large": _leg(pair.large.symbol, pair.large.name, stats.large, days),
        "beta": _finite(stats.beta, 4),
        "correlation": _finite(stats.correlation, 4),
        "other_basis": other,
        **history_meta(history, basis_end_note(history, query.pair, stats.window.end.date())),
    }


def parse_stats(args: list[str], context: ParseContext) -> StatsQuery:
    """`stats [PERIOD] [PAIR] [as-of DATE]`, with the configured risk-free rate
    (`context.risk_free_rate`)."""
    parsed = parse_period_pair(args, "stats", context)
    return StatsQuery(period=parsed.period, pair=parsed.pair, as_of=parsed.as_of,
                      live=parsed.live,
                      risk_free_rate=context.risk_free_rate)


LABEL_WIDTH, VALUE_WIDTH = 18, 15


def title(p: StatsPayload) -> str:
    """'^RUT vs ^GSPC · risk over 3 years to 2024-03-26' (the body names the series)."""
    return f"{pair_symbols(p)} · risk over {span_text(p)}"


def _pct(value: float | None, signed: bool = True) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.2f} %" if signed else f"{value:.2f} %"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def stats_rows(p: StatsPayload) -> list[tuple[str, str, str]]:
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
        def when(dd: DrawdownPayload, day: str | None) -> str:
            if dd["depth_pct"] >= 0:
                return "–"
            return day or "not recovered"

        rows += [("  peak", when(sd, sd["peak"]), when(gd, gd["peak"])),
                 ("  trough", when(sd, sd["trough"]), when(gd, gd["trough"])),
                 ("  recovered", when(sd, sd["recovery"]), when(gd, gd["recovery"]))]
    return rows


def other_basis_line(p: StatsPayload) -> str | None:
    """Total return and CAGR on the other basis, one line (issue #10): 'Price return: IWM
    -7.00 % (CAGR -2.40 % a year), SPY +31.02 % (CAGR +9.45 % a year).'; one line saying
    why when those closes are missing; None for two indexes (one basis only)."""
    other = p.get("other_basis")
    if not other:
        return None
    name = other["basis"][:1].upper() + other["basis"][1:]
    small, large = other["small"], other["large"]
    if small is None or large is None:  # both or neither
        return f"{name}: not available ({other['note']})."
    return (f"{name}: {small['symbol']} {_pct(small['total_return_pct'])} (CAGR "
            f"{_pct(small['cagr_pct'])} a year), {large['symbol']} "
            f"{_pct(large['total_return_pct'])} (CAGR {_pct(large['cagr_pct'])} a year).")


def table_lines(p: StatsPayload) -> list[str]:
    return [label.ljust(LABEL_WIDTH) + small.rjust(VALUE_WIDTH) + large.rjust(VALUE_WIDTH)
            for label, small, large in stats_rows(p)]


def beta_line(p: StatsPayload) -> str:
    """'Beta of ^RUT on ^GSPC: 1.13 (…) · correlation 0.85', from daily returns."""
    small, large = p["small"]["symbol"], p["large"]["symbol"]
    if p["beta"] is None:
        return f"Beta and correlation: n/a ({large} did not move)."
    return (f"Beta of {small} on {large}: {p['beta']:.2f} ({small} moved {p['beta']:.2f} % "
            f"for each 1 % of {large} on average) · correlation {_ratio(p['correlation'])} · "
            f"{p['daily_returns']:,} daily returns on common days.")


def window_label(p: StatsPayload) -> str:
    """'3 years: 2021-03-26 → 2024-03-26' ('Range: ...' for a date range)."""
    label = "Range" if p.get("period_kind") == "range" else p["period_description"].capitalize()
    return f"{label}: {p['start']} → {p['end']}"


def window_how(p: StatsPayload) -> str:
    """How the window's two days were chosen."""
    return window_rule(p)


def conventions(p: StatsPayload) -> str:
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


def stats_blocks(p: StatsPayload) -> list[dict[str, Any]]:
    """The in-channel Block Kit reply: header, the comparison table, beta, conventions,
    and the period/pair buttons (bot/listeners/actions.py switches the message in place)."""
    other = other_basis_line(p)
    body = (f"{series_names(p)}\n*{window_label(p)}* ({window_how(p)}).\n"
            + (f"{other}\n" if other else "") + beta_line(p))
    return [
        header(title(p)),
        section(body),
        table_block([list(row) for row in stats_rows(p)], right={1, 2}),
        context(p, conventions(p), basis_source_text(p)),
        report_buttons(p, CHOICES),
    ]


def stats_fallback_text(p: StatsPayload) -> str:
    """Notification text with the headline numbers."""
    s, g = p["small"], p["large"]
    return (f"{title(p)} ({p['start']} → {p['end']}, {p['basis']}): volatility "
            f"{_pct(s['volatility_pct'], False)} vs {_pct(g['volatility_pct'], False)}, "
            f"max drawdown {_pct(s['max_drawdown']['depth_pct'])} vs "
            f"{_pct(g['max_drawdown']['depth_pct'])}, beta {_ratio(p['beta'])}.")


def stats_plain_text(p: StatsPayload) -> str:
    """The same summary for a terminal."""
    other = other_basis_line(p)
    lines = [*title_rule(title(p)), f"{window_label(p)} ({window_how(p)}).", "",
             *indented(table_lines(p)), "", *([other] if other else []), beta_line(p), "",
             conventions(p), *warning_lines(p), basis_source_text(p)]
    return "\n".join(lines)


COMMAND = Command(
    name="stats",
    usage="stats [PERIOD] [PAIR] [as-of DATE]",
    summary="Total return, CAGR, volatility, Sharpe and max drawdown (peak, trough, recovery) "
            "of both series, beta and correlation of small on large (default 3y). Simple daily "
            "returns, 252-day year: volatility = std × √252, CAGR years = returns / 252, Sharpe "
            "= mean excess / std × √252 (risk-free from SMALLCAPS_RISK_FREE_RATE, default 0). "
            "Posts a chart.",
    example="stats 5y",
    parse=parse_stats,
    rendering=Rendering(stats_blocks, stats_fallback_text, stats_plain_text, title),
    choices=CHOICES,
    prerendered=True,
    export=Export(csv_export.closes_ratio_csv),
    defaults=frozenset({"pair", "period", "basis"}),
    schedulable=True,
)
