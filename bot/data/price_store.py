"""How one symbol's closes are kept in Redis: raw little-endian arrays in one hash.

Fields: `dates` (int64 nanoseconds), `closes` (the adjusted close, float64), `price` (the
unadjusted close, float64, NaN where the source has none), `fetched_at` (ISO) and `source`.
Raw arrays are fast, exact and have nothing to unpickle; series are built from them only
when asked for, so a warm read costs one array view per basis used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from bot.data.sources import ADJ_CLOSE, CLOSE, bars_frame


@dataclass(frozen=True)
class CachedCloses:
    """One symbol's cached closes as the arrays Redis holds (Series are built on demand:
    decoding stays as cheap as for one array, see `decode_closes`)."""

    symbol: str
    dates: pd.DatetimeIndex
    adj: np.ndarray
    """Adjusted closes (every one valid)."""
    close: np.ndarray
    """Unadjusted closes, NaN where the source has none."""
    fetched_at: datetime
    source: str

    @classmethod
    def of(cls, symbol: str, bars: pd.DataFrame, fetched_at: datetime, source: str) -> CachedCloses:
        return cls(symbol, pd.DatetimeIndex(bars.index, name="Date"),
                   bars[ADJ_CLOSE].to_numpy(dtype="float64"),
                   bars[CLOSE].to_numpy(dtype="float64"), fetched_at, source)

    @property
    def bars(self) -> pd.DataFrame:
        """`Close` and `Adj Close` (bot.data.sources layout)."""
        return pd.DataFrame({CLOSE: self.close, ADJ_CLOSE: self.adj}, index=self.dates)

    @property
    def closes(self) -> pd.Series:
        return pd.Series(self.adj, index=self.dates, name=self.symbol)

    @property
    def price(self) -> pd.Series:
        present = ~np.isnan(self.close)
        if present.all():
            return pd.Series(self.close, index=self.dates, name=self.symbol)
        return pd.Series(self.close[present], index=self.dates[present], name=self.symbol)


class LazyPrices(Mapping[str, pd.Series]):
    """PriceHistory.price: each symbol's unadjusted closes, built only when a price-return
    series is asked for (total-return and index reports never pay for it), and cut after
    `last` when given (a live source's unfinished bar is not a close)."""

    def __init__(self, cached: dict[str, CachedCloses], last: pd.Timestamp | None = None
                 ) -> None:
        self._cached = cached
        self._last = last

    def __getitem__(self, symbol: str) -> pd.Series:
        price = self._cached[symbol].price
        if self._last is not None and len(price) and price.index[-1] > self._last:
            return price.loc[: self._last]
        return price

    def __iter__(self) -> Iterator[str]:
        return iter(self._cached)

    def __len__(self) -> int:
        return len(self._cached)


def encode_closes(bars: pd.DataFrame | pd.Series, fetched_at: datetime,
                  source: str) -> dict[str, bytes]:
    """Closes as Redis hash fields (raw arrays: fast, exact, nothing to unpickle).

    `bars` is a source frame (`Close`, `Adj Close`) or a Series taken as both."""
    bars = as_bars(bars)
    dates = bars.index.values.astype("datetime64[ns]").astype("<i8")
    return {
        "dates": dates.tobytes(),
        "closes": bars[ADJ_CLOSE].to_numpy(dtype="<f8").tobytes(),
        "price": bars[CLOSE].to_numpy(dtype="<f8").tobytes(),
        "fetched_at": fetched_at.isoformat().encode(),
        "source": source.encode(),
    }


def decode_closes(fields: dict[bytes, bytes], symbol: str) -> CachedCloses:
    """The inverse of `encode_closes`. Entries written before unadjusted closes were kept
    (no `price` field) raise KeyError: MarketData then fetches the symbol again in full."""
    dates = pd.DatetimeIndex(np.frombuffer(fields[b"dates"], dtype="<i8")
                             .astype("datetime64[ns]"), name="Date")
    return CachedCloses(
        symbol=symbol,
        dates=dates,
        adj=np.frombuffer(fields[b"closes"], dtype="<f8"),
        close=np.frombuffer(fields[b"price"], dtype="<f8"),
        fetched_at=datetime.fromisoformat(fields[b"fetched_at"].decode()),
        source=fields[b"source"].decode(),
    )


def as_bars(value: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """A source's answer for one symbol as a `Close`/`Adj Close` frame (a Series is both)."""
    if isinstance(value, pd.Series):
        return bars_frame(value, value)
    return value[[CLOSE, ADJ_CLOSE]]
