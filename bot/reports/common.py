"""What the report queries share: the period/pair/as-of fields, symbols, cache text, closes,
and the typed payload pieces most payloads open with (window_fields, instrument_payload).

Each command module (handlers/<command>.py) keeps only what is its own (its analytics call,
payload and chart); a query's cache key is its identity (bot.reports.identity).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, cast

import pandas as pd

from analytics.episode import Episode
from analytics.pairs import DEFAULT_BASIS, PRICE_RETURN, Instrument, Pair
from analytics.periods import InsufficientHistoryError, Period, Window
from bot.data.market import PriceHistory
from bot.reports import Payload
from bot.reports.identity import IdentifiedQuery
from bot.reports.payloads import DatedGap, EpisodeFields, WindowFields
from bot.reports.payloads import Instrument as InstrumentFields


def pair_closes(history: PriceHistory, pair: Pair) -> tuple[pd.Series, pd.Series]:
    """The (small, large) daily closes of `pair` from `history`, each on its basis under
    the pair's `basis` word (Instrument.basis_for). Raises InsufficientHistoryError when a
    price-return series is asked for and the source has no unadjusted closes for it."""
    small, large = (_closes_on(history, i, i.basis_for(pair.basis_choice))
                    for i in (pair.small, pair.large))
    return small, large


def last_close_text(payload: Mapping[str, Any]) -> str:
    """'last close 2026-08-21', or 'last closes ^TNX 2026-02-13, ^RUT 2026-08-21' when the
    series end on different days."""
    closes = payload.get("last_closes") or {}
    days = sorted(set(closes.values()))
    if len(days) == 1:
        return f"last close {days[0]}"
    return "last closes " + ", ".join(f"{s} {d}" for s, d in sorted(closes.items(),
                                                                   key=lambda kv: kv[1]))


def _closes_on(history: PriceHistory, instrument: Instrument, basis: str) -> pd.Series:
    closes = history.series(instrument.symbol, basis)
    if closes.empty:
        raise InsufficientHistoryError(
            f"No {basis} closes for `{instrument.symbol}` in {history.source}"
            + (" (no unadjusted closes)." if basis == PRICE_RETURN else ".")
        )
    return closes


BASIS_END_SLACK_DAYS = 4
"""A basis whose closes stop more than this many calendar days before the symbol's other
closes is named (a weekend or a holiday is not)."""


def basis_end_note(history: PriceHistory, pair: Pair, end: date | None) -> str | None:
    """'IJR's price-return closes end 2021-04-27 (its total-return closes run to
    2026-07-31), so the window ends there.' for each leg whose closes on the pair's basis
    stop early and whose window (ending `end`; None: at the data's end) reached that stop;
    None when no basis moved the window's end."""
    notes = []
    for leg in (pair.small, pair.large):
        basis = leg.basis_for(pair.basis_choice)
        on_basis, every = history.series(leg.symbol, basis), history.closes[leg.symbol]
        if on_basis.empty or every.empty:
            continue
        stop, latest = on_basis.index[-1].date(), every.index[-1].date()
        if (latest - stop).days <= BASIS_END_SLACK_DAYS or (end is not None and end < stop):
            continue
        other = "total-return" if basis == PRICE_RETURN else "price-return"
        notes.append(f"{leg.symbol}'s {basis.replace(' ', '-')} closes end {stop} (its "
                     f"{other} closes run to {latest}), so the window ends there.")
    return " ".join(notes) or None


def check_as_of(as_of: date | None, pair: Pair, history: PriceHistory) -> None:
    """Refuse an as-of date before the pair's first common close, with that close: 'No data
    before 1987-09-10 ...' (dates before 1677 cannot even be compared in pandas)."""
    if as_of is None:
        return
    firsts = [history.closes[s].index[0] for s in pair.symbols if len(history.closes[s])]
    if firsts and as_of < max(firsts).date():
        first = max(firsts).date()
        raise InsufficientHistoryError(
            f"No data before {first}, the first close {pair.small.symbol} and "
            f"{pair.large.symbol} have in common (as-of {as_of.isoformat()} is earlier)."
        )


def fetched_day(payload: Payload) -> str:
    """How fresh the data is, for chart footers: 'Intraday, 10:15 New York, not a close',
    'CSV files, last close 2026-08-21' (files are as old as their last close, not as the
    day they were read), or 'Data fetched 2026-11-25' (UTC)."""
    if payload.get("intraday"):
        label = payload["intraday"]["label"]
        return label[:1].upper() + label[1:]
    if payload.get("source_kind") == "files":
        text = last_close_text(payload)
        return text[:1].upper() + text[1:]  # not .capitalize(): it lowercases '^TNX'
    return f"Data fetched {payload['data_fetched_at'][:10]}"


def chart_source(payload: Payload) -> str:
    """The source as a chart footer names it: 'Yahoo Finance', or 'CSV files' (no path)."""
    return "CSV files" if payload.get("source_kind") == "files" else payload["source"]


def instrument_payload(instrument: Instrument) -> InstrumentFields:
    """One side of a pair as JSON: its symbol and name."""
    return {"symbol": instrument.symbol, "name": instrument.name}


def _dated(pp: float | None, day: date | None) -> DatedGap | None:
    return None if pp is None or day is None else {"pp": round(pp, 4), "end": day.isoformat()}


def episode_payload(episode: Episode | None) -> EpisodeFields | None:
    """The current run as JSON (analytics.episode): dates ISO, pp to 4 decimals."""
    if episode is None:
        return None
    return {
        "side": episode.side,
        "start": episode.start.isoformat(),
        "windows": episode.windows,
        "since_first_window": episode.since_first_window,
        "before_as_wide": _dated(episode.before_as_wide_pp, episode.before_as_wide),
        "peak": {"pp": round(episode.peak_pp, 4), "end": episode.peak_end.isoformat()},
        "peak_before_as_wide": _dated(episode.peak_before_as_wide_pp,
                                      episode.peak_before_as_wide),
    }


def as_of_requested(as_of: date | None) -> str | None:
    """The as-of date the user asked for, ISO, or None (payload field `as_of_requested`)."""
    return as_of.isoformat() if as_of else None


@dataclass(frozen=True)
class PeriodPairQuery(IdentifiedQuery):
    """A period, a pair and an optional as-of date; subclasses add a `command` field."""

    period: Period
    pair: Pair
    as_of: date | None = None
    live: bool = field(default=False, kw_only=True)
    """True: end on the session under way (today's last trade), labelled intraday."""

    def symbols(self) -> tuple[str, ...]:
        return self.pair.symbols

    def closes(self, history: PriceHistory) -> tuple[pd.Series, pd.Series]:
        """The (small, large) closes of this query's pair on its basis, after checking the
        as-of date against the data (check_as_of)."""
        check_as_of(self.as_of, self.pair, history)
        return pair_closes(history, self.pair)


@dataclass(frozen=True)
class PairQuery(IdentifiedQuery):
    """A pair and an optional as-of date, for reports without a period (`years`: every
    calendar year); subclasses add a `command` field."""

    pair: Pair
    as_of: date | None = None
    live: bool = field(default=False, kw_only=True)
    """True: end on the session under way (today's last trade), labelled intraday."""

    def symbols(self) -> tuple[str, ...]:
        return self.pair.symbols


def window_fields(command: str, period: Period, pair: Pair, window: Window, as_of: date | None,
                  *, adjective: bool = False) -> WindowFields:
    """The fields that open every period report's payload, in their documented order:
    command, period (label, description[, adjective]), pair, start/end actually used,
    as_of_requested, basis and basis_requested."""
    fields: dict[str, Any] = {"command": command, "period": period.label,
                              "period_kind": period.kind,
                              "period_description": period.describe()}
    if adjective:
        fields["period_adjective"] = period.adjective()
    return cast(WindowFields, {  # `period_adjective` only when asked for
        **fields,
        "pair": pair.key,
        "start": window.start.date().isoformat(),
        "end": window.end.date().isoformat(),
        "as_of_requested": as_of_requested(as_of),
        "basis": pair.basis,
        "basis_requested": basis_requested(pair),
    })


def basis_requested(pair: Pair) -> str | None:
    """The `basis` word when it is not the default ('price'), else None (payload field
    `basis_requested`; buttons carry it so a click keeps the basis)."""
    return None if pair.basis_choice == DEFAULT_BASIS else pair.basis_choice


def other_basis_closes(history: PriceHistory, pair: Pair, days: tuple[pd.Timestamp, ...]
                       ) -> tuple[Pair, tuple[pd.Series, pd.Series] | str] | None:
    """The pair on the other basis (price return for a total-return query and vice versa)
    with its (small, large) closes, or with a short note (lower case, no final stop) saying
    why they are missing: no such closes in the source, or not on every one of `days` (the
    headline's window days, so both bases compare the same closes).
    None for two indexes (price return only). Shared by gap, table and stats (issue #10,
    "Both bases for ETFs")."""
    if not pair.has_both_bases:
        return None
    other = replace(pair, basis_choice="price" if pair.basis_choice == "total" else "total")
    try:
        small, large = pair_closes(history, other)
    except InsufficientHistoryError as exc:
        text = str(exc).rstrip(".")
        return other, text[:1].lower() + text[1:]
    missing = sorted({day for series in (small, large) for day in days
                      if day not in series.index})
    if missing:
        listed = " and ".join(str(day.date()) for day in missing) if len(missing) <= 2 else \
            f"{len(missing)} of the {len(set(days))} days used, {missing[0].date()} first"
        return other, f"no {other.basis} closes of both series on {listed}"
    return other, (small, large)
