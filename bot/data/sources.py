"""The price-source interface, its errors, and the offline CSV source.

A source answers with one frame per symbol in Yahoo's own download layout: a sorted,
tz-naive DatetimeIndex named `Date` and two float columns, `Close` (split-adjusted only:
price return) and `Adj Close` (split- and dividend-adjusted: total return). For an index
both are the level. `Close` is NaN where a source has no unadjusted close for a day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

import pandas as pd


class DataUnavailableError(Exception):
    """Market data could not be had; the message is safe and useful to show a user."""


class SymbolNotFoundError(DataUnavailableError):
    """The source has no data for one or more symbols."""

    def __init__(self, symbols: Sequence[str], source: str) -> None:
        self.symbols = list(symbols)
        names = ", ".join(f"`{s}`" for s in self.symbols)
        super().__init__(f"{source} has no daily data for {names}. Check the symbol.")


class RateLimitedError(DataUnavailableError):
    """The provider refused us for asking too often."""


CLOSE, ADJ_CLOSE = "Close", "Adj Close"
"""Column names of a source's frames, as in yfinance's `auto_adjust=False` download."""


def bars_frame(close: pd.Series, adj_close: pd.Series) -> pd.DataFrame:
    """A source frame from the two close series (outer-joined on their dates)."""
    frame = pd.concat({CLOSE: close, ADJ_CLOSE: adj_close}, axis=1, join="outer", sort=True)
    frame.index.name = "Date"
    return frame.astype("float64")


def files_identity(root: Path, paths: Iterable[Path]) -> str:
    """A short hash of where `paths` are and what they hold: `root` resolved, and each
    file's name, size and modification time (ns). It changes when a file is edited, added
    or removed, and differs for two folders of the same name. For cache keys only: it
    stands for a server path and is never shown to users."""
    digest = hashlib.sha256(str(Path(root).resolve()).encode())
    for path in sorted(paths):
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"\0{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:20]


class PriceSource(Protocol):
    """Where daily closes come from."""

    @property
    def name(self) -> str:
        """Who provides the data, for the reply: 'Yahoo Finance', 'CSV files (folder)'."""
        ...

    @property
    def cache_id(self) -> str:
        """What keys this source's cached data: it changes when the data can (a CSV
        folder's files_identity; the provider's name for a download). Never shown."""
        ...

    @property
    def live(self) -> bool:
        """True when the data changes during the trading session (Yahoo: today's bar holds
        the last trade until the close); False for files, which are what they are."""
        ...

    def fetch(self, symbols: Sequence[str], start: date | None) -> dict[str, pd.DataFrame]:
        """Daily closes per symbol from `start` (inclusive; None = all history) to the latest.

        Each frame has the layout in this module's docstring (`Close`, `Adj Close`); a
        plain Series is also accepted by MarketData and taken as both (an index level).
        Rows may still hold bad values: MarketData validates them (bot.data.validate).
        Raises SymbolNotFoundError for symbols the source does not have, RateLimitedError
        or DataUnavailableError otherwise.
        """
        ...


def _read_columns(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    """`Date` plus `columns` of a yfinance-layout CSV, dates parsed, rows in file order."""
    frame = pd.read_csv(path, usecols=["Date", *columns], index_col="Date")
    # Parse dates ourselves: out-of-range dates (before 1677, pandas' nanosecond limit) must
    # stay visible as dates, to be refused with a log line by bot.data.validate.
    frame.index = pd.DatetimeIndex(pd.to_datetime(frame.index, format="ISO8601", errors="coerce")
                                   .as_unit("us"), name="Date")
    return frame.astype("float64")


def read_close_csv(path: Path) -> pd.Series:
    """Read one `Date,Open,High,Low,Close,Volume` file (yfinance's layout) into a close Series."""
    closes = _read_columns(path, ["Close"])["Close"].dropna()
    closes = closes[~closes.index.duplicated(keep="last")].sort_index()
    return closes.rename(path.stem)


def read_bars_csv(path: Path, price_path: Path | None = None) -> pd.DataFrame:
    """One symbol's `Close` and `Adj Close` from CSV files (see CsvSource for the layouts).

    `path` holds `Date,...,Close[,Adj Close]`; with an `Adj Close` column its `Close` is the
    unadjusted close, without one `Close` is taken as the adjusted close (as in
    ../shared/market-data) and the unadjusted closes come from `price_path`'s `Close`, if
    given, on the days `path` has. Index symbols (`^...`) use their level for both. Rows are
    not cleaned here."""
    header = pd.read_csv(path, nrows=0).columns
    if ADJ_CLOSE in header:
        return _read_columns(path, [CLOSE, ADJ_CLOSE])
    adjusted = _read_columns(path, [CLOSE])[CLOSE]
    if path.stem.startswith("^"):
        return pd.DataFrame({CLOSE: adjusted, ADJ_CLOSE: adjusted})
    if price_path is None:
        return pd.DataFrame({CLOSE: float("nan"), ADJ_CLOSE: adjusted}, index=adjusted.index)
    price = _read_columns(price_path, [CLOSE])[CLOSE]
    price = price[~price.index.duplicated(keep="last")]  # the day's last row, as validate does
    # on the adjusted file's days only: a day needs its adjusted close (bot.data.validate)
    return pd.DataFrame({CLOSE: price.reindex(adjusted.index), ADJ_CLOSE: adjusted})


class CsvSource:
    """Closes from a folder of `<SYMBOL>.csv` files, e.g. ../shared/market-data (offline).

    `SYMBOL.csv` with `Close` and `Adj Close` columns (Yahoo's download layout) gives both
    bases. With `Close` only, as in ../shared/market-data, that Close is the adjusted close
    (total return; the level for an index) and `SYMBOL.price.csv` beside it, when present,
    gives the unadjusted closes (price return); without it an ETF has no price-return
    series and a `price` query says so.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    @property
    def name(self) -> str:
        """'CSV files (market-data)': the folder's own name only, never the server's path
        (replies, errors and `status` reach Slack users)."""
        return f"CSV files ({self.directory.name or 'data'})"

    @property
    def cache_id(self) -> str:
        """'csv-<hash>': the folder's resolved path and its CSV files' sizes and mtimes
        (files_identity), so another folder of the same name, or an edited file, is never
        answered from this one's cache."""
        return "csv-" + files_identity(self.directory, self.directory.glob("*.csv"))

    @property
    def live(self) -> bool:
        return False

    def fetch(self, symbols: Sequence[str], start: date | None) -> dict[str, pd.DataFrame]:
        """See PriceSource.fetch."""
        if not self.directory.is_dir():
            raise DataUnavailableError("The configured data folder (SMALLCAPS_DATA_DIR) does "
                                       "not exist; an operator needs to fix it.")
        missing = [s for s in symbols if not (self.directory / f"{s}.csv").is_file()]
        if missing:
            raise SymbolNotFoundError(missing, self.name)
        result = {}
        for symbol in symbols:
            price_path = self.directory / f"{symbol}.price.csv"
            bars = read_bars_csv(self.directory / f"{symbol}.csv",
                                 price_path if price_path.is_file() else None)
            if bars[ADJ_CLOSE].isna().all():
                raise DataUnavailableError(
                    f"{self.name} hold no prices for `{symbol}`: every close is empty (NaN). "
                    "The symbol is known, its data is not usable.")
            result[symbol] = bars[bars.index >= pd.Timestamp(start)] if start else bars
        return result
