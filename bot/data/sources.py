"""The price-source interface, its errors, and the offline CSV source."""

from __future__ import annotations

from collections.abc import Sequence
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


class PriceSource(Protocol):
    """Where daily closes come from."""

    @property
    def name(self) -> str:
        """Who provides the data, for the reply: 'Yahoo Finance', 'CSV files (folder)'."""
        ...

    @property
    def live(self) -> bool:
        """True when the data changes during the trading session (Yahoo: today's bar holds
        the last trade until the close); False for files, which are what they are."""
        ...

    def fetch(self, symbols: Sequence[str], start: date | None) -> dict[str, pd.Series]:
        """Daily closes per symbol from `start` (inclusive; None = all history) to the latest.

        Each Series has a sorted, tz-naive DatetimeIndex and float closes (adjusted closes for
        ETFs and stocks, index levels for indexes). Raises SymbolNotFoundError for symbols
        the source does not have, RateLimitedError or DataUnavailableError otherwise.
        """
        ...


def read_close_csv(path: Path) -> pd.Series:
    """Read one `Date,Open,High,Low,Close,Volume` file (yfinance's layout) into a close Series."""
    frame = pd.read_csv(path, usecols=["Date", "Close"], parse_dates=["Date"], index_col="Date")
    closes = frame["Close"].astype("float64").dropna()
    closes = closes[~closes.index.duplicated(keep="last")].sort_index()
    closes.index.name = "Date"
    return closes.rename(path.stem)


class CsvSource:
    """Closes from a folder of `<SYMBOL>.csv` files, e.g. ../shared/market-data (offline)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    @property
    def name(self) -> str:
        """'CSV files (market-data)': the folder's own name only, never the server's path
        (replies, errors and `status` reach Slack users)."""
        return f"CSV files ({self.directory.name or 'data'})"

    @property
    def live(self) -> bool:
        return False

    def fetch(self, symbols: Sequence[str], start: date | None) -> dict[str, pd.Series]:
        if not self.directory.is_dir():
            raise DataUnavailableError("The configured data folder (SMALLCAPS_DATA_DIR) does "
                                       "not exist; an operator needs to fix it.")
        missing = [s for s in symbols if not (self.directory / f"{s}.csv").is_file()]
        if missing:
            raise SymbolNotFoundError(missing, self.name)
        result = {}
        for symbol in symbols:
            closes = read_close_csv(self.directory / f"{symbol}.csv")
            if closes.empty:
                raise DataUnavailableError(
                    f"{self.name} hold no prices for `{symbol}`: every close is empty (NaN). "
                    "The symbol is known, its data is not usable.")
            result[symbol] = closes.loc[pd.Timestamp(start) :] if start else closes
        return result
