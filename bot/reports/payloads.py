"""The shapes of report payloads: the fields most payloads share, as TypedDicts.

A payload is plain JSON (what `--json` prints and the cache stores); these types say which
keys it has, so the code that builds one and the renderings that read one are checked
against the same shape. Each command's own payload type lives with its command
(handlers/<command>.py); README ("JSON output") documents the fields.
"""

# No `from __future__ import annotations` here: with it, Python 3.11 cannot see NotRequired
# and counts `period_adjective` as required.
from typing import NotRequired, TypedDict


class Intraday(TypedDict):
    """When today's unfinished bars were read (a `live` answer)."""

    at: str
    """ISO time, New York."""
    day: str
    label: str
    """'intraday, 10:15 New York, not a close'."""


class SourceFields(TypedDict):
    """Where the data came from and how fresh it is (bot.reports.history_meta)."""

    source: str
    source_kind: str
    """'live' (a market data service) or 'files' (CSV files)."""
    data_fetched_at: str
    """ISO time, UTC."""
    last_closes: dict[str, str]
    """Symbol -> its last close (ISO date), not counting an intraday bar."""
    last_trading_day: str | None
    pending_closes: dict[str, str]
    """Symbol -> the close that has not come in yet."""
    intraday: Intraday | None
    live_note: str | None
    stale_note: str | None


class WindowFields(TypedDict):
    """The fields that open every period report (bot.reports.common.window_fields)."""

    command: str
    period: str
    """The period's label: '3y', 'ytd', '2021-01-01..2022-06-30'."""
    period_kind: str
    """'offset', 'ytd', 'max' or 'range'."""
    period_description: str
    """'3 years'."""
    period_adjective: NotRequired[str]
    """'3-year' (gap and history)."""
    pair: str
    """The pair's key: 'index', 'etf', 'IJR/SPY'."""
    start: str
    end: str
    """The closes actually used (ISO dates)."""
    as_of_requested: str | None
    basis: str
    """'total return', 'price return' or 'mixed (...)'."""
    basis_requested: str | None
    """The basis word when it is not the default ('price'), else None."""


class Instrument(TypedDict):
    """One side of a pair."""

    symbol: str
    name: str



class PairEndFields(SourceFields):
    """The fields that open every report of a pair up to an end date without a period
    (`table`: fixed horizons; `years`: every calendar year)."""

    command: str
    pair: str
    end: str
    first_common_close: str
    as_of_requested: str | None
    basis: str
    basis_requested: str | None
    small: Instrument
    large: Instrument

class DatedGap(TypedDict):
    """A record gap (pp) and the end of the window that had it."""

    pp: float
    end: str


class EpisodeFields(TypedDict):
    """The current run of the gap (analytics.episode; README, "How unusual"): dates are
    window ends, pp large minus small."""

    side: str
    """'lag' (every window of the run has gap >= 0) or 'lead' (gap < 0)."""
    start: str
    windows: int
    since_first_window: bool
    before_as_wide: DatedGap | None
    """The latest window before the run at least as wide as the end window, or null."""
    peak: DatedGap
    peak_before_as_wide: DatedGap | None
    """The latest window before the run at least as wide as the run's peak, or null."""
