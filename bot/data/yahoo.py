"""Daily closes from Yahoo Finance through yfinance, with yfinance's quiet failures made loud.

yfinance's `download` does not raise when a symbol fails: it logs an error on logger
`yfinance` and returns an all-NaN column (an empty frame when every symbol fails). The
per-call reasons live only in those log records (`yf.shared._ERRORS` still exists in 1.7
but is never written), so `fetch` listens to the logger during its call and turns the
reasons into our errors.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from bot.data.sources import (
    ADJ_CLOSE,
    CLOSE,
    DataUnavailableError,
    RateLimitedError,
    SymbolNotFoundError,
)

log = logging.getLogger(__name__)

SOURCE_NAME = "Yahoo Finance"
RATE_LIMITED_MESSAGE = (
    "Yahoo Finance is rate-limiting us (HTTP 429, too many requests). "
    "Please try again in a few minutes."
)
# Substrings of yfinance's error texts, checked in this order (see _classify).
_RATE_LIMIT = ("YFRateLimitError", "Too Many Requests", "Rate limited")
_UNREACHABLE = ("Failed to get ticker",)  # its timezone probe raised, e.g. a network error
_NO_PRICES = ("no price data found",)  # symbol known, but no rows came back for the range
_NOT_FOUND = ("no timezone found", "No data found", "Not Found", "404", "delisted")

_cache_lock = threading.Lock()
_cache_dir: Path | None = None


def _yfinance() -> Any:
    """The yfinance module, imported on first use: importing it takes ~0.3 s, which a
    terminal command answered from the cache must not pay."""
    import yfinance  # lazy: ~0.3 s at start-up (docstring)

    return yfinance


def configure_cache_dir(cache_dir: Path) -> Path:
    """Put yfinance's SQLite caches (timezones, cookies) in `cache_dir`; returns the dir in use.

    yfinance holds that location process-wide and silently keeps using the first database
    it opened, so only the first call per process takes effect; a different later dir is
    ignored with a warning instead of pretending it moved.
    """
    global _cache_dir
    wanted = Path(cache_dir).expanduser().resolve()
    with _cache_lock:
        if _cache_dir is None:
            wanted.mkdir(parents=True, exist_ok=True)
            _yfinance().set_tz_cache_location(str(wanted))
            _cache_dir = wanted
        elif wanted != _cache_dir:
            log.warning("yfinance caches already in %s; ignoring %s", _cache_dir, wanted)
        return _cache_dir


class _ThreadRecords(logging.Handler):
    """Keeps the messages of WARNING+ records logged by one thread (this fetch's download)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextmanager
def _yfinance_errors() -> Iterator[list[str]]:
    """Collect what yfinance logs in this thread while the block runs."""
    handler = _ThreadRecords()
    logger = logging.getLogger("yfinance")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def _only_nan(frame: pd.DataFrame, ticker: str) -> bool:
    """True when `frame` has rows and a Close column for `ticker`, every value empty."""
    return not frame.empty and ("Close", ticker) in frame.columns


def _classify(symbol: str, messages: Sequence[str], only_nan: bool = False) -> str:
    """Why yfinance gave no rows for `symbol`: rate_limited, unreachable, no_prices, all_nan
    or not_found.

    yfinance names the symbol as `'SYM'` (summary lines) or `$SYM:` (its exceptions).
    No message at all means a silently empty column: `all_nan` when Yahoo sent rows whose
    closes are all empty (the symbol exists), else not found.
    """
    text = "\n".join(m for m in messages if f"'{symbol}'" in m or f"${symbol}:" in m)
    for reason, markers in (("rate_limited", _RATE_LIMIT), ("unreachable", _UNREACHABLE),
                            ("no_prices", _NO_PRICES), ("not_found", _NOT_FOUND)):
        if any(marker in text for marker in markers):
            return reason
    if not text:
        return "all_nan" if only_nan else "not_found"
    return "unreachable"


def _bars(frame: pd.DataFrame, ticker: str) -> pd.DataFrame:
    """`ticker`'s Close and Adj Close (bot.data.sources layout; empty if it has no closes).

    Rows start at the symbol's first close. After it every row stays, even with both closes
    missing (in a multi-symbol download some are the other symbols' days, as yfinance
    outer-joins the dates): bot.data.validate decides what is a gap worth logging and
    refuses bad values and duplicates."""
    columns = [(CLOSE, ticker), (ADJ_CLOSE, ticker)]
    if frame.empty or any(c not in frame.columns for c in columns):
        return pd.DataFrame({CLOSE: [], ADJ_CLOSE: []}, dtype="float64")
    bars = pd.DataFrame({name: pd.to_numeric(frame[(name, t)], errors="coerce")
                         for name, t in columns}).astype("float64")
    present = bars.notna().any(axis=1).to_numpy()
    if not present.any():
        return bars.iloc[:0]
    bars = bars.iloc[int(present.argmax()):]  # before its first close: other symbols' days
    index = pd.DatetimeIndex(bars.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    # Dates only, at the resolution the CSV source gives, so both sources compare as equal.
    bars.index = index.normalize().as_unit("us").rename("Date")
    return bars


class YahooSource:
    """Daily closes for many symbols in one batched yfinance download.

    `auto_adjust=False`, so each symbol keeps Yahoo's Close (split-adjusted: price return)
    and Adj Close (split- and dividend-adjusted: total return); see bot.data.sources."""

    def __init__(
        self, session: Any = None, timeout: float = 10.0, cache_dir: Path | None = None
    ) -> None:
        """session: a curl_cffi or requests Session for yfinance (None: yfinance's own);
        timeout: seconds per HTTP request; cache_dir: where yfinance keeps its caches."""
        self.session = session
        self.timeout = timeout
        self.cache_dir = Path(cache_dir).expanduser().resolve() if cache_dir is not None \
            else None
        """Where yfinance's caches go; set up on the first fetch (configure_cache_dir), so
        that building the source does not import yfinance."""

    @property
    def name(self) -> str:
        return SOURCE_NAME

    @property
    def cache_id(self) -> str:
        """The provider's name: one Yahoo for every deployment (PriceSource.cache_id)."""
        return SOURCE_NAME

    @property
    def live(self) -> bool:
        return True

    def fetch(self, symbols: Sequence[str], start: date | None) -> dict[str, pd.DataFrame]:
        """Close and Adj Close per symbol from `start` (None: all history); raises
        DataUnavailableError kinds (see PriceSource.fetch)."""
        wanted = list(dict.fromkeys(symbols))
        if not wanted:
            return {}
        kwargs: dict[str, Any] = {"start": start} if start is not None else {"period": "max"}
        if self.session is not None:
            kwargs["session"] = self.session
        yf = _yfinance()
        from yfinance.exceptions import YFRateLimitError  # lazy: as _yfinance()

        if self.cache_dir is not None:
            self.cache_dir = configure_cache_dir(self.cache_dir)
        with _yfinance_errors() as messages:
            try:
                frame = yf.download(wanted, progress=False, auto_adjust=False, threads=False,
                                    timeout=self.timeout, **kwargs)
            except YFRateLimitError as exc:
                raise RateLimitedError(RATE_LIMITED_MESSAGE) from exc
            except Exception as exc:  # yfinance rarely raises; never leak its internals
                log.exception("yfinance download failed for %s", wanted)
                raise DataUnavailableError(
                    f"Could not get prices from Yahoo Finance ({type(exc).__name__})."
                ) from exc
        if frame is None:
            frame = pd.DataFrame()
        result = {s: _bars(frame, s.upper()) for s in wanted}  # yfinance upper-cases
        failed = {s: _classify(s.upper(), messages, _only_nan(frame, s.upper()))
                  for s, c in result.items() if c.empty}
        if failed:
            log.warning("Yahoo Finance gave no closes for %s; yfinance said: %s", failed, messages)
            self._raise_for(failed, start)
        return result

    @staticmethod
    def _raise_for(failed: dict[str, str], start: date | None) -> None:
        """Turn per-symbol failure reasons into one error, the most actionable first."""
        def names(reason: str) -> str:
            return ", ".join(f"`{s}`" for s, r in failed.items() if r == reason)

        reasons = set(failed.values())
        if "rate_limited" in reasons:
            raise RateLimitedError(RATE_LIMITED_MESSAGE)
        if "unreachable" in reasons:
            raise DataUnavailableError(
                f"Could not reach Yahoo Finance for {names('unreachable')}. Try again later."
            )
        if "no_prices" in reasons:
            since = f" since {start.isoformat()}" if start else ""
            raise DataUnavailableError(
                f"Yahoo Finance returned no prices for {names('no_prices')}{since} "
                "(no trading days in that range, or the request failed)."
            )
        if "all_nan" in reasons:
            raise DataUnavailableError(
                f"Yahoo Finance sent only empty (NaN) closes for {names('all_nan')}: the symbol "
                "exists but has no usable prices right now. Try again later."
            )
        raise SymbolNotFoundError([s for s, r in failed.items() if r == "not_found"], SOURCE_NAME)
