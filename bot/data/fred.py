"""The Fed funds target rate: FRED's public CSV download (production) or the shared file.

One series in one layout, whatever the source: `Date,Target` CSV bytes, calendar-daily, in
percent a year, where Target is FRED's DFEDTAR up to 2008-12-15 and the upper bound of the
target range (DFEDTARU) from 2008-12-16, when the Fed moved to a range. FRED dates each
change on the day it takes effect (2024-09-19 for the 2024-09-18 decision).
"""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd

from bot.data.sources import DataUnavailableError, files_identity

FRED_CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
"""FRED's keyless CSV download; `?id=SERIES` selects the series."""
SINGLE_TARGET, RANGE_UPPER = "DFEDTAR", "DFEDTARU"
RANGE_START = pd.Timestamp("2008-12-16")
"""First day of the target range: from here the target is its upper bound."""
SHARED_FILE = Path("rates") / "FEDTARGET.csv"


class RatesFormatError(DataUnavailableError):
    """The target-rate data is not in the layout we read; the message says what is wrong."""


def parse_fred_csv(text: str, series_id: str) -> pd.Series:
    """One FRED CSV download (`observation_date,SERIES` or the older `DATE,SERIES`; `.` for a
    missing day) as a float Series on a DatetimeIndex, missing days dropped.

    Raises RatesFormatError when the header or the values are not FRED's."""
    try:
        frame = pd.read_csv(io.StringIO(text), na_values=["."])
    except (ValueError, pd.errors.ParserError) as exc:
        raise RatesFormatError(f"FRED's {series_id} download is not a CSV ({exc}).") from None
    if len(frame.columns) != 2 or frame.columns[1] != series_id:
        raise RatesFormatError(f"FRED's {series_id} download has columns "
                               f"{list(frame.columns)[:3]}, not a date and {series_id}.")
    return _series(frame, frame.columns[0], series_id, f"FRED's {series_id} download")


def read_target_csv(text: str, what: str = "The target-rate file") -> pd.Series:
    """Our `Date,Target[,...]` layout (the shared `rates/FEDTARGET.csv` and the cached copy)
    as a float Series of the target (percent), raising RatesFormatError otherwise."""
    try:
        frame = pd.read_csv(io.StringIO(text))
    except (ValueError, pd.errors.ParserError) as exc:
        raise RatesFormatError(f"{what} is not a CSV ({exc}).") from None
    if "Date" not in frame.columns or "Target" not in frame.columns:
        raise RatesFormatError(f"{what} needs `Date` and `Target` columns.")
    return _series(frame, "Date", "Target", what)


def _series(frame: pd.DataFrame, date_col: str, value_col: str, what: str) -> pd.Series:
    try:
        index = pd.DatetimeIndex(pd.to_datetime(frame[date_col], format="%Y-%m-%d"))
        values = pd.to_numeric(frame[value_col]).astype("float64")
    except (ValueError, TypeError):
        raise RatesFormatError(f"{what} has dates or rates we cannot read.") from None
    series = pd.Series(values.to_numpy(), index=index, name="target").dropna().sort_index()
    series = series[~series.index.duplicated(keep="last")]
    if series.empty:
        raise RatesFormatError(f"{what} holds no rates.")
    return series


def target_csv_bytes(target: pd.Series) -> bytes:
    """The canonical `Date,Target` CSV of a target Series (what the cache stores)."""
    lines = ["Date,Target", *(f"{day:%Y-%m-%d},{value:g}" for day, value in target.items())]
    return ("\n".join(lines) + "\n").encode()


def combine_target(single: pd.Series, upper: pd.Series) -> pd.Series:
    """DFEDTAR before 2008-12-16 followed by DFEDTARU from then on (one target series)."""
    return pd.concat([single.loc[: RANGE_START - pd.Timedelta(days=1)],
                      upper.loc[RANGE_START:]]).rename("target")


class FredTargetSource:
    """The target rate from FRED's public CSV download (no API key)."""

    kind = "live"
    """A download (as opposed to `files`), for the freshness wording of replies."""

    def __init__(self, base_url: str = FRED_CSV_URL, timeout_s: float = 20.0) -> None:
        self.base_url = base_url
        self.timeout_s = timeout_s

    @property
    def name(self) -> str:
        return f"FRED ({SINGLE_TARGET}, {RANGE_UPPER})"

    @property
    def cache_id(self) -> str:
        return self.name

    def _download(self, series_id: str) -> str:
        url = f"{self.base_url}?id={series_id}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as response:  # noqa: S310
                return response.read().decode("utf-8-sig")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "code", None) or type(exc).__name__
            raise DataUnavailableError(f"FRED did not answer for {series_id} ({reason}).") \
                from None

    def fetch(self) -> bytes:
        """The combined target series as `Date,Target` CSV bytes; DataUnavailableError when
        FRED cannot be reached, RatesFormatError when it answers with something else."""
        single = parse_fred_csv(self._download(SINGLE_TARGET), SINGLE_TARGET)
        upper = parse_fred_csv(self._download(RANGE_UPPER), RANGE_UPPER)
        return target_csv_bytes(combine_target(single, upper))


class FileTargetSource:
    """The target rate from `rates/FEDTARGET.csv` in a data folder (offline)."""

    kind = "files"

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / SHARED_FILE

    @property
    def name(self) -> str:
        return f"FRED target rate, file {SHARED_FILE}"

    @property
    def cache_id(self) -> str:
        """The file's resolved path, size and mtime (files_identity): never shown."""
        return "file-" + files_identity(self.path.parent, [self.path])

    def fetch(self) -> bytes:
        """The file's `Date,Target` columns as canonical CSV bytes."""
        if not self.path.is_file():
            raise DataUnavailableError(f"The data folder has no {SHARED_FILE}.")
        text = self.path.read_text(encoding="utf-8-sig")
        return target_csv_bytes(read_target_csv(text, f"{SHARED_FILE}"))
