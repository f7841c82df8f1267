"""Buttons under a report that switch its period or pair in place. Pure functions.

Each button's `value` carries the whole query it switches to, as compact JSON, plus the data
epoch of the message (the refresh point its numbers were computed after), so a click can be
answered from the value alone and a click on a message older than the data can be spotted:

    {"c":"gap","e":"202611231620","k":"etf","p":"5y"}      (+ "a":"2024-03-26" when pinned,
                                                            "b":"price" for that basis)

The builder is generic: any report command whose payload has `command`, `period`, `pair`,
`as_of_requested` and `data_fetched_at` gets the same row (gap, trend, stats and history);
each command declares its choices in its `Command` spec (handlers/registry.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.data.market_hours import last_refresh_point

ACTION_PREFIX = "smallcaps_switch"
"""Every switch button's action_id starts with this (one listener matches them all)."""
MAX_VALUE_CHARS = 2000
"""Slack's limit for a button value."""
EPOCH_FORMAT = "%Y%m%d%H%M"
"""New York time of the refresh point, as bot.reports keys its cache."""


@dataclass(frozen=True)
class Choice:
    """One button: set query `field` ('period' or 'pair') to `value`, labelled `label`."""

    field: str
    value: str
    label: str


PERIOD_CHOICES: tuple[Choice, ...] = tuple(Choice("period", p, p)
                                           for p in ("1y", "3y", "5y", "10y"))
PAIR_CHOICES: tuple[Choice, ...] = (Choice("pair", "index", "Index"), Choice("pair", "etf", "ETF"))
DEFAULT_CHOICES = PERIOD_CHOICES + PAIR_CHOICES

_FIELD_KEYS = {"period": "p", "pair": "k", "as_of": "a", "live": "l", "basis": "b"}
"""Query field -> one-letter key in the button value (keeps values short)."""


@dataclass(frozen=True)
class SwitchRequest:
    """A decoded button value: which command to rerun, with what, on which data epoch."""

    command: str
    query: dict[str, str]
    epoch: str

    def words(self) -> list[str]:
        """The command's words, as a user would type them: ['5y', 'etf', 'price', 'as-of',
        DATE]."""
        words = [self.query[f] for f in ("period", "pair", "basis") if self.query.get(f)]
        if self.query.get("as_of"):
            words += ["as-of", self.query["as_of"]]
        if self.query.get("live"):
            words.append("live")
        return words

    def command_text(self) -> str:
        """'gap 5y etf': what to type to get the same answer from scratch."""
        return " ".join([self.command, *self.words()])


def data_epoch(data_fetched_at: str) -> str:
    """The refresh point (New York time, EPOCH_FORMAT) that data fetched at this ISO time
    belongs to: it changes after every US close, exactly when cached reports expire."""
    return last_refresh_point(datetime.fromisoformat(data_fetched_at)).strftime(EPOCH_FORMAT)


def encode_value(command: str, query: Mapping[str, str | None], epoch: str) -> str:
    """Compact, key-sorted JSON for a button value (at most MAX_VALUE_CHARS)."""
    data = {"c": command, "e": epoch}
    data.update({_FIELD_KEYS[f]: v for f, v in query.items() if v and f in _FIELD_KEYS})
    value = json.dumps(data, separators=(",", ":"), sort_keys=True)
    if len(value) > MAX_VALUE_CHARS:  # cannot happen with validated symbols; never send it
        raise ValueError("button value too long")
    return value


def decode_value(value: str) -> SwitchRequest:
    """The inverse of `encode_value`; ValueError for anything else (e.g. an old format)."""
    try:
        data = json.loads(value)
        command, epoch = str(data["c"]), str(data["e"])
    except (ValueError, TypeError, KeyError):
        raise ValueError("not a switch button value") from None
    query = {f: str(data[k]) for f, k in _FIELD_KEYS.items() if data.get(k)}
    return SwitchRequest(command=command, query=query, epoch=epoch)


def switch_block(command: str, current: Mapping[str, str | None], epoch: str,
                 choices: Sequence[Choice] = DEFAULT_CHOICES) -> dict[str, Any]:
    """An actions block with one button per choice; the choice now shown is 'primary'.

    Each button keeps the other fields of `current` (e.g. the pair when the period changes,
    and the as-of date always), so a click changes exactly one thing.
    """
    elements = []
    for choice in choices:
        target = {**current, choice.field: choice.value}
        button: dict[str, Any] = {
            "type": "button",
            "action_id": f"{ACTION_PREFIX}:{choice.field}:{choice.value}",
            "text": {"type": "plain_text", "text": choice.label, "emoji": False},
            "value": encode_value(command, target, epoch),
        }
        if current.get(choice.field) == choice.value:
            button["style"] = "primary"
        elements.append(button)
    return {"type": "actions", "elements": elements}


def report_buttons(payload: Mapping[str, Any], choices: Sequence[Choice]) -> dict[str, Any]:
    """The switch row for a report payload (gap, trend, stats, history: period and pair;
    years: pair only, its payload has no period)."""
    live = bool(payload.get("intraday") or payload.get("live_note"))  # `live` was asked
    current = {"period": payload.get("period"), "pair": payload["pair"],
               "as_of": payload.get("as_of_requested"), "live": "live" if live else None,
               "basis": payload.get("basis_requested")}
    return switch_block(payload["command"], current, data_epoch(payload["data_fetched_at"]),
                        choices)


def offered(command: str, choices: Sequence[Choice]) -> list[str]:
    """Every answer `command`'s switch buttons lead to ('gap 1y index', ..., 'gap 10y etf'):
    each period with each pair, since a period click keeps the pair and a pair click the
    period. handlers/prerender.py computes these ahead of the asking."""
    periods = [c.value for c in choices if c.field == "period"] or [""]  # pair buttons only
    pairs = [c.value for c in choices if c.field == "pair"]
    return [" ".join(w for w in (command, period, pair) if w) for period in periods
            for pair in pairs]
