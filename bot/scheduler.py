"""`smallcaps scheduler`: evaluate alerts once per trading day after the US close, forever.

Runs on NYSE trading days (bot.data.trading_calendar) at SMALLCAPS_ALERT_TIME in SMALLCAPS_ALERT_TZ
(default 16:30 New York, after the close and the daily bar; as much earlier as the session
closed early, e.g. 13:30 on 2024-07-03), with the as-of date of that day. At start it runs
once for the most recent scheduled time (a no-op if that day was done; the catch-up after
downtime if not). While a built-in pair's close of the day is still pending at the source
after a run, it runs again every 10 minutes (for 4 hours). After each run it pre-renders the
reports SMALLCAPS_PRERENDER names (handlers/prerender.py), so the day's common questions are
answered from the cache. Weekends and exchange holidays have no run. Status for
`status`/dashboards goes to the hash `scheduler:status`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from analytics.pairs import PAIRS
from bot.alerts.evaluator import Evaluator, RunSummary
from bot.alerts.run_lock import LEASE_S
from bot.data.market import PENDING_RETRY_S, PENDING_WINDOW_S
from bot.data.trading_calendar import NEW_YORK, REGULAR_CLOSE, nyse
from bot.runtime.cache import CacheErrors
from bot.runtime.deps import Deps
from bot.runtime.metrics import record_alert_run
from handlers.channel_defaults import request_context
from handlers.prerender import PrerenderSummary, prerender

logger = logging.getLogger(__name__)
RETRY_AFTER_S = 300.0
"""After a failed run (Redis or data down), or one that left posts because Slack failed,
try the same day again this much later."""
SKIPPED_RETRY_S = LEASE_S + 5
"""After a run skipped because another holds the day's lock, look again once its lease can
have lapsed (a killed owner's), instead of sleeping over the day."""
MAX_RETRIES = 6


def run_time(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """When the run for `day` happens: `at` in `zone` on a trading day, moved earlier by as
    much as the session closed early (16:30 becomes 13:30 after a 13:00 close, so the day's
    alerts do not wait hours for nothing), or None on a weekend or exchange holiday."""
    session = nyse().session(day)
    if session is None:
        return None
    early_by = datetime.combine(day, REGULAR_CLOSE, tzinfo=NEW_YORK) - session.close
    return datetime.combine(day, at, tzinfo=zone) - early_by


def next_run_at(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first trading day's run time (see `run_time`) strictly after `now`, aware."""
    day = now.astimezone(zone).date()
    while (moment := run_time(day, at, zone)) is None or moment <= now:
        day += timedelta(days=1)
    return moment


def last_run_at(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The most recent trading day's run time (see `run_time`) at or before `now`."""
    day = now.astimezone(zone).date()
    while (moment := run_time(day, at, zone)) is None or moment > now:
        day -= timedelta(days=1)
    return moment


def write_status(deps: Deps, **fields: str | int) -> None:
    """Merge `fields` into `scheduler:status` (failure tolerant: status is informative)."""
    client = deps.cache.client
    if client is None:
        return
    try:
        client.hset(deps.cache.key("scheduler", "status"),
                    mapping={k: str(v) for k, v in fields.items()})
    except CacheErrors as exc:
        logger.warning("Could not write scheduler status (%s)", type(exc).__name__)


def record_prerender(deps: Deps, done: PrerenderSummary) -> None:
    """A pre-render pass's outcome in the status hash (`status` shows it)."""
    write_status(deps, prerendered_at=deps.clock().astimezone(UTC).isoformat(timespec="seconds"),
                 prerendered=done.computed, prerender_failed=len(done.failed),
                 prerender_seconds=f"{done.seconds:.1f}")


def record_run(deps: Deps, summary: RunSummary) -> None:
    """The last run's outcome in the status hash (and in the process's metrics)."""
    record_alert_run(summary.rules_evaluated, summary.posts, len(summary.errors))
    write_status(deps, last_run_at=deps.clock().astimezone(UTC).isoformat(timespec="seconds"),
                 last_as_of=summary.as_of.isoformat(), rules_evaluated=summary.rules_evaluated,
                 posts=summary.posts, errors=len(summary.errors),
                 skipped=summary.skipped or "")


class Scheduler:
    """The clock process: sleeps until each run time, then evaluates."""

    def __init__(self, deps: Deps, evaluator: Evaluator, *,
                 stop: threading.Event | None = None,
                 wait: Callable[[float], bool] | None = None,
                 prerender_commands: Sequence[str] = ()) -> None:
        self.deps = deps
        self.evaluator = evaluator
        self.prerender_commands = tuple(prerender_commands)
        self.stop = stop or threading.Event()
        self.wait = wait or self.stop.wait
        self.at = deps.settings.alert_time
        self.zone = deps.settings.alert_zone

    def run_for(self, scheduled: datetime) -> RunSummary | None:
        """Evaluate for the day of `scheduled`; a run that failed, was skipped (another holds
        the day's lock) or left posts because Slack failed is tried again a few times."""
        as_of = scheduled.astimezone(self.zone).date()
        for attempt in range(MAX_RETRIES):
            try:
                summary = self.evaluator.run(as_of)
            except Exception:  # noqa: BLE001 - the clock must keep ticking
                logger.exception("Alert run for %s failed (attempt %d)", as_of, attempt + 1)
                write_status(self.deps, last_error=f"run for {as_of} failed; see logs")
                if self.wait(RETRY_AFTER_S):
                    return None
                continue
            record_run(self.deps, summary)
            logger.info("Alerts for %s: %d rules, %d posts, %d errors%s", as_of,
                        summary.rules_evaluated, summary.posts, len(summary.errors),
                        f" (skipped: {summary.skipped})" if summary.skipped else "")
            again = SKIPPED_RETRY_S if summary.skipped else RETRY_AFTER_S if summary.left else 0
            if again and attempt + 1 < MAX_RETRIES:
                logger.info("Alerts for %s: %s; again in %.0f s", as_of, summary.skipped or
                            f"{summary.left} post(s) left because Slack failed", again)
                if self.wait(again):
                    return None
                continue
            self.prerender()
            self.follow_pending(as_of)
            return summary
        return None

    def _pending(self, as_of: date) -> list[str]:
        """Built-in pairs' symbols whose `as_of` close the (live) source has not published yet."""
        symbols = list(dict.fromkeys(s for pair in PAIRS.values() for s in pair.symbols))
        try:
            history = self.deps.market.history(symbols)
        except Exception:  # noqa: BLE001 - only a hint whether to look again
            return []
        return [s for s, last in (history.pending or {}).items() if last < as_of]

    def follow_pending(self, as_of: date) -> None:
        """While a built-in pair's `as_of` close is pending at the source (Yahoo has ^GSPC's
        bar, ^RUT's row is still empty), run again every PENDING_RETRY_S, up to
        PENDING_WINDOW_S after the close, so the day's alerts and digests do not wait for
        tomorrow's run. Re-runs are safe: each rule evaluates each day once."""
        session = nyse().session(as_of)
        if session is None:
            return
        deadline = session.final_at + timedelta(seconds=PENDING_WINDOW_S)
        while (waiting := self._pending(as_of)) and \
                self.deps.clock() + timedelta(seconds=PENDING_RETRY_S) <= deadline:
            logger.info("Close of %s pending for %s: evaluating again in %d s", as_of,
                        ", ".join(waiting), PENDING_RETRY_S)
            if self.wait(PENDING_RETRY_S):
                return
            try:
                summary = self.evaluator.run(as_of)
            except Exception:  # noqa: BLE001 - the clock must keep ticking
                logger.exception("Alert re-run for %s failed", as_of)
                return
            record_run(self.deps, summary)

    def prerender(self) -> None:
        """Compute the configured reports into the cache (after the alerts, which are the
        time-critical part), and record how it went for `status`."""
        if not self.prerender_commands:
            return
        try:
            done = prerender(self.deps.reports, self.prerender_commands,
                             request_context(self.deps))
        except Exception:  # noqa: BLE001 - the clock must keep ticking
            logger.exception("Pre-rendering failed")
            return
        record_prerender(self.deps, done)
        logger.info("Pre-rendered %d reports in %.1f s%s", done.computed, done.seconds,
                    f"; failed: {', '.join(done.failed)}" if done.failed else "")

    def run_forever(self) -> None:
        """Catch up on the latest scheduled day, then run at every scheduled time until
        `stop` is set."""
        self.run_for(last_run_at(self.deps.clock(), self.at, self.zone))
        while not self.stop.is_set():
            now = self.deps.clock()
            upcoming = next_run_at(now, self.at, self.zone)
            write_status(self.deps,
                         next_run_at=upcoming.astimezone(UTC).isoformat(timespec="seconds"))
            logger.info("Next alert evaluation at %s", upcoming.isoformat())
            if self.wait(max(0.0, (upcoming - now).total_seconds())):
                return
            self.run_for(upcoming)
