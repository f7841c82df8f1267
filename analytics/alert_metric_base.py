"""The protocol every alert metric implements (analytics.alert_metrics lists the metrics).

A metric class carries everything the bot needs to know about a watched series: its words in
a rule (`head`, `parse`, `words`, `example`), its unit, limits and how its values are worded
(`format`, `label`, `window_words`), its parameters as stored with a rule (`params`,
`from_params`), the closes it needs and its series (`symbols`, `series`, `window`), the chart
that follows a firing (`chart`) and its help hint. Every value on a day uses only data up to
that day, so a value evaluated for a past date is what the bot would have seen then.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal

import pandas as pd

from analytics.errors import UserError
from analytics.pairs import DEFAULT_PAIR, Pair
from analytics.periods import Period, last_on_or_before

CONDITION_WORDS = ("above", "below", "crosses", "cross", "crossing")
"""The words that start a rule's condition: a metric's optional words end before them."""


class MetricWordsError(UserError, ValueError):
    """A rule's metric words we cannot read; `message` says why (Slack mrkdwn), `example`
    is rule text that would work (None: the general example)."""


@dataclass(frozen=True)
class Limits:
    """What a rule on a metric may ask for, in the metric's unit."""

    lowest: float
    highest: float
    widest_band: float
    """The largest hysteresis."""


@dataclass(frozen=True)
class ChartNeed:
    """The report whose chart follows a firing: `command` over `period`, for the rule's pair
    as of the firing's day."""

    command: Literal["gap", "trend"]
    period: Period


@dataclass(frozen=True)
class Metric(ABC):
    """The protocol of an alert metric: one watchable daily series of a pair.

    Subclasses set the class attributes and implement the abstract methods;
    analytics.alert_metrics.METRICS lists them (and checks, at import, that nothing is
    missing)."""

    pair: Pair

    key: ClassVar[str]
    """The name stored with a rule ('gap', 'vs_ma', ...): never change one."""
    head: ClassVar[str]
    """The first word of the metric in a rule ('gap', 'ratio')."""
    example: ClassVar[str]
    """The metric as typed in a rule, for help and errors ('gap 3y')."""
    unit: ClassVar[str]
    """How values are read: 'pp', '%', 'percentile', 'σ'."""
    kind_name: ClassVar[str]
    """The metric in an error about its values: 'gap (pp)', 'z-score'."""
    limits: ClassVar[Limits]
    hint: ClassVar[str] = ""
    """After the example in the 'not a metric' error: 'any window, pp'."""
    help_hint: ClassVar[str] = ""
    """After the example in the help text: 'in pp'."""

    @classmethod
    @abstractmethod
    def parse(cls, words: list[str], pair: Pair) -> tuple[Metric, list[str]] | None:
        """(metric, remaining words) from the lower-case words after `head`; None when they
        name another metric; MetricWordsError when they name this one badly."""

    @classmethod
    @abstractmethod
    def from_params(cls, pair: Pair, params: Mapping[str, Any]) -> Metric:
        """The metric from its stored parameters (see `params`)."""

    @abstractmethod
    def params(self) -> dict[str, Any]:
        """The parameters stored with a rule (JSON-able), e.g. {'period': '3y'}."""

    @abstractmethod
    def tail(self) -> str:
        """The words after `head` in rule text: '3y', 'vs 200dma', 'zscore'."""

    @abstractmethod
    def label(self) -> str:
        """Analyst wording: 'the 3-year gap (S&P 500 − Russell 2000)'."""

    @abstractmethod
    def format(self, value: float, extra_decimals: int = 0) -> str:
        """'37.73 pp', '+1.23 %', 'percentile 12.3', '-1.85 σ' for a value of this metric
        (`extra_decimals` more digits when needed to tell two values apart)."""

    @abstractmethod
    def window_words(self, start: date, end: date) -> str:
        """The days a value depends on: '3-year window 2021-03-26 → 2024-03-26'."""

    @abstractmethod
    def values(self, small: pd.Series, large: pd.Series) -> pd.Series:
        """The metric on every common trading day of two close series (NaN while warming
        up), using only closes up to each day."""

    @abstractmethod
    def first_day(self, dates: pd.DatetimeIndex, end: pd.Timestamp) -> date:
        """The first trading day the value on `end` (one of `dates`) depends on."""

    @abstractmethod
    def chart(self) -> ChartNeed:
        """The chart posted after a firing."""

    @property
    def symbols(self) -> tuple[str, str]:
        """The closes the series needs (all their history: values use every day up to
        each day): the pair's small and large symbols."""
        return self.pair.symbols

    def words(self) -> str:
        """The metric as typed in a rule: 'gap 3y', 'ratio vs 200dma', 'ratio zscore etf'."""
        pair = "" if self.pair.key == DEFAULT_PAIR else f" {self.pair.key}"
        return f"{self.head} {self.tail()}{pair}"

    def format_apart(self, value: float, level: float, max_extra: int = 4) -> str:
        """`value` with just enough decimals not to read as `level` (a value just past a
        threshold must not print as the threshold: 'below -1.60 σ: now -1.600 σ' would
        otherwise say 'now -1.60 σ')."""
        for extra in range(max_extra + 1):
            text = self.format(value, extra)
            if value == level or text != self.format(level, extra):
                return text
        return text

    def series(self, small: pd.Series, large: pd.Series) -> pd.Series:
        """The metric on every common trading day that has a value (warm-up days dropped),
        named by its key."""
        return self.values(small, large).dropna().rename(self.key)

    def window(self, dates: pd.DatetimeIndex, day: date) -> tuple[date, date]:
        """The first and last trading day a value on `day` depends on (for the reply's
        dates). `dates` are the pair's common trading days; `day` must be one of them (or
        after one), else ValueError."""
        end = last_on_or_before(dates, pd.Timestamp(day))
        if end is None:
            raise ValueError(f"no common close on or before {day}")
        return self.first_day(dates, end), end.date()
