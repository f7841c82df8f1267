"""One evaluation run: every active rule up to an as-of day, then the posts.

1. A run lock per as-of day (bot.alerts.run_lock: SET NX with expiry, renewed while running,
   taken over at once from a dead owner) keeps a second scheduler from doing the same work;
   correctness does not depend on it.
2. Each rule is advanced through every trading day after the last one it evaluated, in
   order (`analytics.alert_rules.advance`), and the new state is committed by
   compare-and-set on the rule's version together with the outbox records of its events.
   If another process moved the rule first, the commit fails and the rule is re-read: it is
   then already at the as-of day and nothing is done twice.
3. The open outbox records are delivered (`delivery.Delivery`): each claimed by one process,
   posted, marked. Catch-up after downtime posts the firings only (with their dates), one
   message per rule, not one per day.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from slack_sdk import WebClient

from analytics.alert_metrics import metric_to_dict
from analytics.alert_rules import AlertEvent, AlertState, advance
from analytics.errors import present
from analytics.gap import align_closes
from analytics.pairs import PAIRS
from analytics.periods import InsufficientHistoryError
from bot.alerts.delivery import AlertMessages, Delivery
from bot.alerts.digest import digest_period, digest_record
from bot.alerts.metrics import MetricCache, MetricData
from bot.alerts.run_lock import RunLock
from bot.alerts.schedules import schedule_period, schedule_record
from bot.alerts.store import AlertRule, AlertStoreError
from bot.data.sources import DataUnavailableError
from bot.runtime.deps import Deps

logger = logging.getLogger(__name__)

MAX_CAS_TRIES = 5


@dataclass
class RunSummary:
    """What one run did (printed by `alerts run`, stored by the scheduler)."""

    as_of: date
    rules_evaluated: int = 0
    events: int = 0
    posts: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: str | None = None
    left: int = 0
    """Posts left for the next run because Slack failed (checked, then posted, then)."""


class Evaluator:
    """Evaluates all rules for one as-of day and delivers what they produced."""

    def __init__(self, deps: Deps, client: WebClient, messages: AlertMessages, *,
                 use_lock: bool = True, sleep: Callable[[float], None] = time.sleep) -> None:
        """`messages` words the posts (the composition root passes the command layer's)."""
        self.deps = deps
        self.store = deps.stores.alerts
        self.outbox = deps.stores.outbox
        self.digests = deps.stores.digests
        self.delivery = Delivery(deps.stores, deps.reports, client, deps.clock, sleep, messages)
        self.use_lock = use_lock

    def run(self, as_of: date) -> RunSummary:
        """Evaluate every active rule up to `as_of` and post the results, once."""
        summary = RunSummary(as_of)
        lock = RunLock(self.store.client, self.deps.cache.key("alerts", "lock",
                                                               as_of.isoformat())) \
            if self.use_lock else None
        if lock is not None and not lock.acquire():
            summary.skipped = f"another evaluation for {as_of} is running"
            return summary
        renew = lock.renew if lock is not None else (lambda: None)
        try:
            metrics = MetricCache(self.deps.market)
            for rule in self.store.list_rules():
                if rule.paused:
                    continue
                try:
                    self.evaluate_rule(rule, as_of, metrics, summary)
                except Exception as exc:  # noqa: BLE001 - one bad rule must not stop the rest
                    logger.exception("evaluating %s failed", rule.id)
                    summary.errors.append(f"{rule.id}: {type(exc).__name__}: {exc}")
                    self._note(rule.id, f"evaluation failed ({type(exc).__name__}); see logs")
                renew()
            self.schedule_digests(as_of, summary)
            self.schedule_reports(as_of)
            self.delivery.deliver_open(summary, renew)
        finally:
            if lock is not None:
                lock.release()
        return summary

    def evaluate_rule(self, rule: AlertRule, as_of: date, metrics: MetricCache,
                      summary: RunSummary) -> None:
        """Advance one rule to `as_of` and commit its state and outbox records atomically."""
        try:
            data = metrics.get(rule.spec.metric)
        except (DataUnavailableError, InsufficientHistoryError, KeyError) as exc:
            message = f"no data ({exc})"
            self.store.set_error(rule.id, "evaluation", message)
            summary.errors.append(f"{rule.id}: {message}")
            return
        current: AlertRule | None = rule
        for _ in range(MAX_CAS_TRIES):
            current = present(current, "the rule being advanced")
            state, events = advance(current.machine, data.series, as_of, current.spec)
            if state == current.machine:
                break
            records = [(self.outbox.key(current.id, e.day.isoformat(), e.kind),
                        alert_record(current, e, state, data)) for e in deliverable(events, state)]
            outcome = self.store.commit(current, state, [(k, _json(r)) for k, r in records],
                                        self.deps.clock())
            if outcome == 1:
                summary.events += len(records)
                break
            current = self.store.get(rule.id) if outcome == 0 else None
            if current is None or current.paused:
                return
        else:
            summary.errors.append(f"{rule.id}: state kept changing; left for the next run")
            return
        summary.rules_evaluated += 1
        if current is not None and current.error_kind == "evaluation":
            self.store.clear_error(rule.id, "evaluation")

    def _note(self, rule_id: str, message: str) -> None:
        try:
            self.store.set_error(rule_id, "evaluation", message)
        except AlertStoreError:
            logger.warning("could not record the error on %s", rule_id)

    def schedule_digests(self, as_of: date, summary: RunSummary) -> None:
        """One outbox record per due digest (created only once per channel and period)."""
        self._create_due("digest", self.digests.all(), as_of, digest_period,
                         lambda sub: sub.channel_id, digest_record)

    def schedule_reports(self, as_of: date) -> None:
        """One outbox record per due scheduled report (once per schedule and period)."""
        self._create_due("schedule", self.deps.stores.schedules.all(), as_of,
                         schedule_period, lambda schedule: schedule.id, schedule_record)

    def _create_due(self, kind: str, items: Sequence[Any], as_of: date,
                    period_of: Callable[[Any, date, date], str | None],
                    id_of: Callable[[Any], str],
                    record_of: Callable[[Any, str, date], dict[str, Any]]) -> None:
        """An outbox record keyed (kind, id, period) for each item due on `as_of`; the outbox
        creates a key only once, so a re-run or a second evaluator adds nothing."""
        if not items:
            return
        data_day = self._data_day(as_of)
        for item in items:
            period = period_of(item, as_of, data_day)
            if period is not None:
                key = self.outbox.key(kind, id_of(item), period)
                self.outbox.create(key, record_of(item, period, as_of), self.deps.clock())

    def _data_day(self, as_of: date) -> date:
        """The last common close of the index pair on or before `as_of` (else `as_of`)."""
        try:
            history = self.deps.market.history(list(PAIRS["index"].symbols))
        except DataUnavailableError:
            return as_of
        small, large = (history.closes[s] for s in PAIRS["index"].symbols)
        dates = align_closes(small, large).loc[: pd.Timestamp(as_of)].index
        return dates[-1].date() if len(dates) else as_of


def deliverable(events: list[AlertEvent], state: AlertState) -> list[AlertEvent]:
    """What to post: every firing, and clear notes only for the last day evaluated (after
    downtime, the missed days' firings are posted with their dates, not every note)."""
    return [e for e in events if e.kind == "fire" or e.day == state.last_date]


def alert_record(rule: AlertRule, event: AlertEvent, state: AlertState,
                 data: MetricData) -> dict[str, Any]:
    """Everything the post needs, frozen at evaluation time (pure data, JSON-able)."""
    spec, metric = rule.spec, rule.spec.metric
    start, end = data.window(event.day)
    fmt = metric.format
    rearm = spec.rearm_level()
    return {
        "type": "alert", "rule_id": rule.id, "channel_id": rule.channel_id,
        "creator_id": rule.creator_id, "description": rule.description,
        "kind": event.kind, "direction": event.direction, "condition": spec.condition,
        "day": event.day.isoformat(), "value": event.value,
        "value_text": metric.format_apart(event.value, event.level),
        "level": event.level, "level_text": fmt(event.level),
        "threshold_text": fmt(spec.threshold), "hysteresis": spec.hysteresis,
        "rearm_text": fmt(rearm) if rearm is not None else None,
        "previous_value": event.previous_value,
        "previous_text": metric.format_apart(event.previous_value, event.level)
        if event.previous_value is not None else None,
        "previous_day": event.previous_day.isoformat() if event.previous_day else None,
        "metric_kind": metric.key, "metric_label": metric.label(),
        "period": metric_to_dict(metric)["period"], "pair": metric.pair.key,
        "pair_label": f"{metric.pair.small.name} ({metric.pair.small.symbol}) vs "
                      f"{metric.pair.large.name} ({metric.pair.large.symbol})",
        "basis": metric.pair.basis, "source": data.source, "stale_note": data.stale_note,
        "window_start": start.isoformat(), "window_end": end.isoformat(),
        "window_text": metric.window_words(start, end),
        "current_text": fmt(state.last_value) if state.last_value is not None else None,
        "current_day": state.last_date.isoformat() if state.last_date else None,
        "catch_up": state.last_date is not None and event.day < state.last_date,
    }


def _json(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True)
