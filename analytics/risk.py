"""Risk and return statistics of two series over a window, in the conventions of empyrical.

Conventions (stated in replies and help, and tested against empyrical on real data):
- daily returns are simple returns of the closes, `p_t / p_{t-1} - 1`, on the trading days
  both series have, inside the window (its first close is the base of the first return);
- a year has 252 trading days: CAGR = `(1 + total) ** (252 / n_returns) - 1`;
- volatility = `std(daily returns, ddof=1) * sqrt(252)`;
- Sharpe = `mean(daily excess return) / std(daily excess return, ddof=1) * sqrt(252)`, the
  daily risk-free rate being the annual rate de-compounded: `(1 + rf) ** (1 / 252) - 1`;
- max drawdown = `min(p / running max(p) - 1)` over the window's closes, with the peak
  (last running high before the trough), the trough and the recovery (first close back at
  or above the peak; None if it has not happened by the window end);
- beta of small on large = `cov(small, large) / var(large)`, correlation = Pearson's r,
  both on the same daily returns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analytics.gap import align_closes
from analytics.pairs import Pair
from analytics.periods import InsufficientHistoryError, Period, Window, resolve_window

TRADING_DAYS = 252
ROLLING_VOL_DAYS = 252
MIN_RETURNS = 2
NO_DISPERSION = 1e-12
"""Daily-return std at or below this is rounding noise of identical returns, not risk."""


@dataclass(frozen=True)
class Drawdown:
    """The deepest fall from a running high, in %, and when it started, bottomed and ended."""

    depth_pct: float
    """Negative, or 0.0 when the series never fell below a previous close in the window."""
    peak: pd.Timestamp
    trough: pd.Timestamp
    recovery: pd.Timestamp | None
    """The first close at or above the peak after the trough; None if not recovered."""


@dataclass(frozen=True)
class SeriesStats:
    """Return and risk of one series over the window."""

    total_return_pct: float
    cagr_pct: float
    volatility_pct: float
    sharpe: float | None
    """None when the daily returns have no dispersion (the ratio is undefined)."""
    max_drawdown: Drawdown


@dataclass(frozen=True)
class RiskStats:
    """Everything a stats reply needs."""

    pair: Pair
    period: Period
    window: Window
    risk_free_rate: float
    """Annual risk-free rate as a fraction (0.04 = 4 %)."""
    n_returns: int
    small: SeriesStats
    large: SeriesStats
    beta: float | None
    """Of small on large; None when large has no variance."""
    correlation: float | None
    closes: pd.DataFrame
    """Common closes over the window, columns small and large."""
    rolling_volatility: pd.DataFrame
    """252-day annualised volatility (%) of each series for each day of the window, computed
    on history before the window too (NaN where fewer than 252 returns precede the day)."""

    def drawdowns(self) -> pd.DataFrame:
        """Fall from the running high within the window, in %, for both series."""
        return (self.closes / self.closes.cummax() - 1.0) * 100.0


def daily_returns(closes: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Simple daily returns (fractions), the first close dropped."""
    return (closes / closes.shift(1) - 1.0).iloc[1:]


def cagr(total_return: float, n_returns: int) -> float:
    """Compound annual growth (fraction) with years = n_returns / 252."""
    return float((1.0 + total_return) ** (TRADING_DAYS / n_returns) - 1.0)


def annual_volatility(returns: pd.Series) -> float:
    """std(ddof=1) of daily returns times sqrt(252), as a fraction."""
    return float(returns.std(ddof=1) * math.sqrt(TRADING_DAYS))


def daily_risk_free(annual_rate: float) -> float:
    """The daily rate that compounds to `annual_rate` over 252 trading days."""
    return float((1.0 + annual_rate) ** (1.0 / TRADING_DAYS) - 1.0)


def sharpe_ratio(returns: pd.Series, annual_risk_free: float = 0.0) -> float | None:
    """Annualised Sharpe ratio of daily returns; None when they do not vary."""
    excess = returns - daily_risk_free(annual_risk_free)
    std = float(excess.std(ddof=1))
    if not std > NO_DISPERSION:
        return None
    return float(excess.mean() / std * math.sqrt(TRADING_DAYS))


def max_drawdown(closes: pd.Series) -> Drawdown:
    """The deepest peak-to-trough fall of `closes` and its dates (see module docstring)."""
    values = closes.to_numpy(dtype="float64")
    running_high = np.maximum.accumulate(values)
    drawdown = values / running_high - 1.0
    trough_pos = int(np.argmin(drawdown))
    before = values[: trough_pos + 1]
    peak_pos = trough_pos - int(np.argmax(before[::-1]))  # the last close at the high
    recovery = None
    if trough_pos != peak_pos:
        back = np.nonzero(values[trough_pos:] >= values[peak_pos])[0]
        if len(back):
            recovery = closes.index[trough_pos + int(back[0])]
    return Drawdown(
        depth_pct=float(drawdown[trough_pos] * 100.0) + 0.0,
        peak=closes.index[peak_pos],
        trough=closes.index[trough_pos],
        recovery=recovery,
    )


def beta_and_correlation(small: pd.Series, large: pd.Series) -> tuple[float | None, float | None]:
    """Beta of `small` on `large` (cov / var, ddof=1) and their correlation."""
    x, y = large.to_numpy(dtype="float64"), small.to_numpy(dtype="float64")
    var_x = float(np.var(x, ddof=1))
    var_y = float(np.var(y, ddof=1))
    cov = float(np.cov(y, x, ddof=1)[0, 1])
    tiny = NO_DISPERSION**2
    beta = cov / var_x if var_x > tiny else None
    corr = cov / math.sqrt(var_x * var_y) if var_x > tiny and var_y > tiny else None
    return beta, corr


def series_stats(closes: pd.Series, returns: pd.Series, annual_risk_free: float) -> SeriesStats:
    """Return and risk of one series from its window closes and daily returns."""
    total = float(closes.iloc[-1] / closes.iloc[0] - 1.0)
    return SeriesStats(
        total_return_pct=total * 100.0,
        cagr_pct=cagr(total, len(returns)) * 100.0,
        volatility_pct=annual_volatility(returns) * 100.0,
        sharpe=sharpe_ratio(returns, annual_risk_free),
        max_drawdown=max_drawdown(closes),
    )


def rolling_volatility(closes: pd.DataFrame, days: int = ROLLING_VOL_DAYS) -> pd.DataFrame:
    """Annualised volatility (%) over the last `days` daily returns, for each day."""
    returns = daily_returns(closes)
    std = returns.rolling(days, min_periods=days).std(ddof=1)
    return std * math.sqrt(TRADING_DAYS) * 100.0


def compute_risk(
    pair: Pair,
    small: pd.Series,
    large: pd.Series,
    period: Period,
    as_of: date | None = None,
    risk_free_rate: float = 0.0,
) -> RiskStats:
    """Risk statistics of `small` and `large` over `period` ending on/before `as_of`."""
    closes_all = align_closes(small, large)
    window = resolve_window(closes_all.index, period, as_of)
    closes = closes_all.loc[window.start : window.end]
    returns = daily_returns(closes)
    if len(returns) < MIN_RETURNS:
        raise InsufficientHistoryError(
            f"{window.start.date()} to {window.end.date()} has {len(returns)} daily return; "
            f"risk statistics need at least {MIN_RETURNS}. Try a longer period."
        )
    beta, corr = beta_and_correlation(returns["small"], returns["large"])
    rolling = rolling_volatility(closes_all.loc[: window.end]).loc[window.start :]
    return RiskStats(
        pair=pair, period=period, window=window, risk_free_rate=risk_free_rate,
        n_returns=len(returns),
        small=series_stats(closes["small"], returns["small"], risk_free_rate),
        large=series_stats(closes["large"], returns["large"], risk_free_rate),
        beta=beta, correlation=corr, closes=closes,
        rolling_volatility=rolling.reindex(closes.index),
    )
