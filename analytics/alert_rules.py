"""Alert rules as a pure state machine: `step(state, day, value, rule) -> (state, event)`.

Conditions (the threshold T and hysteresis h are in the metric's unit):

- `above T`: fires on a day the value is above T while the rule is armed. After firing it
  re-arms once the value is back at or below T − h, with a "back below" note (the clear
  event) unless the rule says `no-clear-note`. A new rule starts armed, so it fires at its
  first evaluation if the value is already above T.
- `below T`: the mirror image (fires below T, re-arms at or above T + h).
- `crosses up T` / `crosses down T`: like above/below, but a crossing needs a "before" on the
  other side: a rule first seen on the firing side waits until it has re-armed.
- `crosses T`: either direction. The first crossing counts at T; after a crossing, the
  crossing back counts once the value has moved h past T on the other side (that move is
  both the re-arm and the crossing), so a value wobbling around T does not post every day.

Cooldown (calendar days): after a posted firing, no new firing until `cooldown_days` have
passed. An `above`/`below` rule stays armed meanwhile (it fires after the cooldown if the
condition still holds); a crossing during the cooldown is not posted but still moves the rule
to the other side. Days without a value (NaN) change nothing.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Literal

import pandas as pd

from analytics.alert_metric_base import Metric
from analytics.errors import present
from analytics.relative import Side

Condition = Literal["above", "below", "crosses", "crosses up", "crosses down"]
CONDITIONS: tuple[Condition, ...] = ("above", "below", "crosses", "crosses up", "crosses down")
Status = Literal["new", "armed", "fired"]


@dataclass(frozen=True)
class RuleSpec:
    """What a rule watches and when it fires."""

    metric: Metric
    condition: Condition
    threshold: float
    hysteresis: float = 0.0
    cooldown_days: int = 0
    clear_note: bool = True
    """Post a short note when an above/below/crosses up/down rule re-arms."""
    until: date | None = None
    """The last day the rule is evaluated (`until 2026-12-31`); None: no expiry. After it
    the rule is expired: kept (shown as expired, editable) but never evaluated again."""

    @property
    def fires_upward(self) -> bool:
        """True for above / crosses up (the value rising through T is the news)."""
        return self.condition in ("above", "crosses up")

    def words(self) -> str:
        """The canonical rule text: 'gap 3y above 30 hysteresis 2 cooldown 5d'."""
        parts = [self.metric.words(), self.condition, _num(self.threshold)]
        if self.hysteresis:
            parts += ["hysteresis", _num(self.hysteresis)]
        if self.cooldown_days:
            parts += ["cooldown", f"{self.cooldown_days}d"]
        if not self.clear_note and self.condition != "crosses":
            parts.append("no-clear-note")
        if self.until is not None:
            parts += ["until", self.until.isoformat()]
        return " ".join(parts)

    def expired(self, today: date) -> bool:
        """True once `today` is after the rule's last day (`until`)."""
        return self.until is not None and today > self.until

    def rearm_level(self) -> float | None:
        """Where an above/below/crosses up/down rule re-arms after firing (None: `crosses`)."""
        if self.condition == "crosses":
            return None
        return self.threshold - self.hysteresis if self.fires_upward \
            else self.threshold + self.hysteresis


def _num(value: float) -> str:
    """'30', '-2.5', '0.25' (no trailing zeros) for rule text."""
    return f"{value:.6g}" if value != int(value) else str(int(value))


@dataclass(frozen=True)
class AlertState:
    """Where a rule stands after the last evaluated trading day."""

    status: Status = "new"
    side: Side | None = None
    """`crosses`: the side of the last crossing (or of the first value seen)."""
    since: date | None = None
    """When status is 'fired': the posted firing it came from (None: not armed yet)."""
    last_fired: date | None = None
    """The last posted firing (for the cooldown)."""
    last_value: float | None = None
    last_date: date | None = None
    """The last trading day evaluated; the next run starts after it."""

    def to_json(self) -> str:
        data = asdict(self)
        for key in ("since", "last_fired", "last_date"):
            data[key] = data[key].isoformat() if data[key] else None
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes | None) -> AlertState:
        if not text:
            return cls()
        data = json.loads(text)
        for key in ("since", "last_fired", "last_date"):
            data[key] = date.fromisoformat(data[key]) if data.get(key) else None
        return cls(**data)


@dataclass(frozen=True)
class AlertEvent:
    """Something to post: a firing, or the note that a fired rule re-armed ('clear')."""

    kind: Literal["fire", "clear"]
    day: date
    value: float
    direction: Literal["up", "down"]
    """Which way the value moved through `level`."""
    level: float
    """The level crossed: T for a firing (T ± h for a `crosses` crossing back), the re-arm
    level for a clear."""
    previous_value: float | None
    previous_day: date | None


def _cooling(state: AlertState, day: date, rule: RuleSpec) -> bool:
    if not rule.cooldown_days or state.last_fired is None:
        return False
    return day < state.last_fired + timedelta(days=rule.cooldown_days)


def seed(state: AlertState, day: date, value: float, rule: RuleSpec) -> AlertState:
    """The state of a new rule after seeing one value, without posting anything.

    Used with the trading day before a rule's first evaluation, so that a crossing on its
    first day is seen as one (a crossing needs a value before it).
    """
    if not math.isfinite(value):
        return state
    t = rule.threshold
    done = replace(state, last_value=value, last_date=day)
    if rule.condition in ("above", "below"):
        return replace(done, status="armed")
    if rule.condition == "crosses":
        side: Side | None = "above" if value > t else "below" if value < t else None
        return replace(done, status="armed" if side else "new", side=side)
    on_fired_side = value > t if rule.fires_upward else value < t
    return replace(done, status="fired" if on_fired_side else "armed", since=None)


def step(state: AlertState, day: date, value: float,
         rule: RuleSpec) -> tuple[AlertState, AlertEvent | None]:
    """Advance `state` by one trading day's `value`; the event to post, if any."""
    if not math.isfinite(value):
        return state, None
    if state.status == "new":
        if rule.condition in ("above", "below"):
            state = replace(state, status="armed")
        else:
            return seed(state, day, value, rule), None
    prev = (state.last_value, state.last_date)
    after = replace(state, last_value=value, last_date=day)
    if rule.condition == "crosses":
        return _step_crosses(state, after, day, value, rule, prev)
    t, level = rule.threshold, present(rule.rearm_level(), "the rule's re-arm level")
    up = rule.fires_upward
    direction: Literal["up", "down"] = "up" if up else "down"
    if state.status == "armed" and (value > t if up else value < t):
        if _cooling(state, day, rule):
            if rule.condition in ("above", "below"):
                return after, None  # stays armed: fires after the cooldown if still true
            return replace(after, status="fired", since=None), None
        fired = replace(after, status="fired", since=day, last_fired=day)
        return fired, AlertEvent("fire", day, value, direction, t, *prev)
    if state.status == "fired" and (value <= level if up else value >= level):
        rearmed = replace(after, status="armed", since=None)
        if rule.clear_note and state.since is not None:
            back: Literal["up", "down"] = "down" if up else "up"
            return rearmed, AlertEvent("clear", day, value, back, level, *prev)
        return rearmed, None
    return after, None


def _step_crosses(state: AlertState, after: AlertState, day: date, value: float,
                  rule: RuleSpec, prev: tuple[float | None, date | None]
                  ) -> tuple[AlertState, AlertEvent | None]:
    """`crosses T` either way, with the band applying to crossings after the first."""
    t = rule.threshold
    band = rule.hysteresis if state.status == "fired" else 0.0
    if state.side is None:  # first values sat exactly on T
        side: Side | None = "above" if value > t else "below" if value < t else None
        return replace(after, side=side, status="armed" if side else "new"), None
    if state.side == "below" and value > t + band:
        new_side: Side = "above"
        event_dir: Literal["up", "down"] = "up"
        level = t + band
    elif state.side == "above" and value < t - band:
        new_side, event_dir, level = "below", "down", t - band
    else:
        return after, None
    if _cooling(state, day, rule):
        return replace(after, side=new_side, status="fired", since=None), None
    fired = replace(after, side=new_side, status="fired", since=day, last_fired=day)
    return fired, AlertEvent("fire", day, value, event_dir, level, *prev)


def advance(state: AlertState, series: pd.Series, until: date,
            rule: RuleSpec) -> tuple[AlertState, list[AlertEvent]]:
    """Evaluate every trading day after `state.last_date` up to `until`, in order.

    A rule never evaluated before is seeded with the trading day before its first one and
    evaluated on the last day up to `until` only (a new rule does not replay history).
    `series` is the metric by trading day (see analytics.alert_metric_base.Metric.series).
    A rule with an expiry (`rule.until`) is never evaluated for a day after it.
    """
    if rule.until is not None and until > rule.until:
        if state.last_date is None:  # never evaluated before it expired: nothing to post
            return state, []
        until = rule.until
    upto = series.loc[: pd.Timestamp(until)].dropna()
    if upto.empty:
        return state, []
    if state.last_date is None:
        if state.status == "new" and len(upto) >= 2:
            state = seed(state, upto.index[-2].date(), float(upto.iloc[-2]), rule)
        days = upto.iloc[-1:]
    else:
        days = upto.loc[upto.index > pd.Timestamp(state.last_date)]
    events = []
    for stamp, value in days.items():
        state, event = step(state, stamp.date(), float(value), rule)
        if event is not None:
            events.append(event)
    return state, events
