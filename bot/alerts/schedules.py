"""Any report on a schedule: `/smallcaps schedule add "gap 3y etf" daily`, posted by the
alert run through the same outbox as alerts and digests.

Schedules live in one Redis hash (`alerts:schedules`, id -> JSON; ids `S1`, `S2`... from
`alerts:schedules-seq`). Each run makes one outbox record per due schedule, keyed by
schedule and period, so each period is posted once however often the run goes, across
restarts and concurrent schedulers (the outbox's create-once and claim are atomic).

When a schedule is due (the run goes after the close on NYSE trading days,
bot/scheduler.py, calendar from bot.data.trading_calendar):
- `daily`: every run with a new trading day; the period is that data day.
- `weekly DAY` (`mon`..`fri`, default `fri`): from the run on DAY's session on, once per
  ISO week; when DAY is a holiday, the week's last session before it (Thursday for Good
  Friday), or the first one after it when the week has none before.
- `monthly`: from the run on the month's last trading session on, once per calendar month.

A schedule posts after the close (`at` None: the alert run, SMALLCAPS_ALERT_TIME, moved
earlier on early closes) or at a time of day it names (`at` '08:30', New York time), on the
same due sessions. A time before the 09:30 open reports the previous session's close (the
post says so); a time from 16:30 reports the day's close. Records stored before times
existed have no `at` and post after the close, as they always did.

Timed schedules are posted by `Evaluator.run_timed` (the scheduler looks every minute) and,
if that was missed, by the next alert run of the day; both create the same outbox key
(schedule, period), so a period is posted once whichever comes first.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import redis

from bot.alerts.store import AlertStoreError
from bot.data.trading_calendar import NEW_YORK, REGULAR_OPEN, nyse
from bot.runtime.cache import Cache

FREQUENCIES = ("daily", "weekly", "monthly")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
MAX_PER_CHANNEL = 10
AFTER_CLOSE = "after-close"
"""The word (text grammar and form) for the default time: after the close, as always."""
EARLIEST_AFTER_CLOSE = time(16, 30)
"""The first time of day after the close a schedule may name (the daily bar has settled)."""


@dataclass(frozen=True)
class Schedule:
    """One scheduled report: what to post, where, and how often."""

    id: str
    channel_id: str
    command: str
    """The command words as the user gave them ('gap 3y etf'), parsed again at each post
    (with the channel's defaults then) and run as of the run's day."""
    frequency: str
    weekday: str | None
    """For `weekly`: 'mon'..'fri'."""
    creator_id: str
    created_at: str
    at: str | None = None
    """'HH:MM' New York time, or None: after the close (records from before times existed)."""
    changed_at: str | None = None
    """When it was last edited (ISO, UTC); None: never."""

    @property
    def since(self) -> datetime:
        """From when its timing counts: a timed schedule added or edited at 10:00 posts at
        its 08:30 from the next session on, not at once for a time already past."""
        moment = datetime.fromisoformat(self.changed_at or self.created_at)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    @property
    def at_time(self) -> time | None:
        """`at` as a time (None: after the close)."""
        return time.fromisoformat(self.at) if self.at else None

    @property
    def before_open(self) -> bool:
        """True when it posts before the open (and so reports the previous session)."""
        at = self.at_time
        return at is not None and at < REGULAR_OPEN

    def when_words(self) -> str:
        """'weekly on fri at 08:30 New York time' / 'daily after the close'."""
        how = f"weekly on {self.weekday}" if self.frequency == "weekly" else self.frequency
        return f"{how} at {self.at} New York time" if self.at else f"{how} after the close"

    def grammar(self) -> str:
        """The `schedule add` words that make this schedule: '"board" weekly fri at 08:30'."""
        day = f" {self.weekday}" if self.frequency == "weekly" else ""
        return f'"{self.command}" {self.frequency}{day} at {self.at or AFTER_CLOSE}'

    def describe(self) -> str:
        """'"board" weekly on fri' (+ ' at 08:30 New York time' for a timed one)."""
        when = f"weekly on {self.weekday}" if self.frequency == "weekly" else self.frequency
        return f'"{self.command}" {when}' + (f" at {self.at} New York time" if self.at else "")


class ScheduleStore:
    """Every channel's schedules; failures raise AlertStoreError (a change must not vanish)."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.key = cache.key("alerts", "schedules")
        self.seq_key = cache.key("alerts", "schedules-seq")

    def _client(self) -> redis.Redis:
        if self.cache.client is None:
            raise AlertStoreError("Schedule storage (Redis) is not available right now.")
        return self.cache.client

    def _do(self, action: str, *args: Any) -> Any:
        try:
            return getattr(self._client(), action)(*args)
        except (redis.exceptions.RedisError, OSError) as exc:
            raise AlertStoreError("Schedule storage (Redis) is not available right now.") \
                from exc

    def add(self, channel_id: str, command: str, frequency: str, weekday: str | None,
            creator_id: str, now: datetime | None = None, at: str | None = None) -> Schedule:
        """Store a new schedule (`at`: 'HH:MM' New York, None after the close);
        AlertStoreError when the channel has MAX_PER_CHANNEL."""
        if len(self.for_channel(channel_id)) >= MAX_PER_CHANNEL:
            raise AlertStoreError(f"This channel has {MAX_PER_CHANNEL} schedules already; "
                                  "remove one first (`schedule list`).")
        schedule = Schedule(f"S{int(self._do('incr', self.seq_key))}", channel_id, command,
                            frequency, weekday, creator_id,
                            (now or datetime.now(UTC)).isoformat(timespec="seconds"), at)
        self._write(schedule)
        return schedule

    def _write(self, schedule: Schedule) -> None:
        record = {k: v for k, v in asdict(schedule).items()  # new fields only when set: the
                  if v is not None or k not in ("at", "changed_at")}  # record of before times
        self._do("hset", self.key, schedule.id, json.dumps(record))

    def update(self, schedule: Schedule, now: datetime | None = None) -> Schedule:
        """Replace a stored schedule by its id (the caller keeps its creator and creation
        time), marked changed at `now`; AlertStoreError if it no longer exists."""
        if self.get(schedule.id) is None:
            raise AlertStoreError(f"Schedule {schedule.id} no longer exists "
                                  "(`schedule list` shows them).")
        changed = replace(schedule, changed_at=(now or datetime.now(UTC)).astimezone(UTC)
                          .isoformat(timespec="seconds"))
        self._write(changed)
        return changed

    def get(self, schedule_id: str) -> Schedule | None:
        raw = self._do("hget", self.key, schedule_id.upper())
        return Schedule(**json.loads(raw)) if raw else None

    def remove(self, schedule_id: str) -> bool:
        return bool(self._do("hdel", self.key, schedule_id.upper()))

    def all(self) -> list[Schedule]:
        """Every schedule, by id number."""
        raw = self._do("hgetall", self.key)
        schedules = [Schedule(**json.loads(v)) for v in raw.values()]
        return sorted(schedules, key=lambda s: int(s.id[1:]))

    def for_channel(self, channel_id: str) -> list[Schedule]:
        return [s for s in self.all() if s.channel_id == channel_id]


def last_session_of_month(day: date) -> date:
    """The last NYSE trading day of `day`'s month (2024-03-28: Good Friday is the 29th)."""
    last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    while not nyse().is_session(last):
        last -= timedelta(days=1)
    return last


def weekly_run_day(day: date, weekday: str) -> date:
    """The trading day of `day`'s week a `weekly WEEKDAY` schedule posts on: WEEKDAY's session,
    else the last session before it that week, else the first after it that week (else
    WEEKDAY itself: a week without sessions has no run anyway)."""
    monday = day - timedelta(days=day.weekday())
    target = WEEKDAYS.index(weekday)
    days = [monday + timedelta(days=i) for i in range(5)]
    before = [d for d in days[: target + 1] if nyse().is_session(d)]
    after = [d for d in days[target + 1:] if nyse().is_session(d)]
    return before[-1] if before else after[0] if after else days[target]


def schedule_period(schedule: Schedule, as_of: date, data_day: date) -> str | None:
    """The period a run on `as_of` posts for ('2024-03-26', '2024-W13', '2024-03'), or None
    when the schedule is not due. `data_day` is the last trading day on or before `as_of`."""
    if schedule.frequency == "daily":  # a timed one is named by its posting session
        return (as_of if schedule.at else data_day).isoformat()
    if schedule.frequency == "weekly":
        if as_of < weekly_run_day(as_of, schedule.weekday or "fri"):
            return None
        year, week, _ = as_of.isocalendar()
        return f"{year}-W{week:02d}"
    if as_of < last_session_of_month(as_of):
        return None
    return f"{as_of.year}-{as_of.month:02d}"


def reported_day(schedule: Schedule, day: date) -> date:
    """The close a post on session `day` reports: the previous session's before the open,
    else `day`'s own."""
    return nyse().previous_session(day).day if schedule.before_open else day


def schedule_record(schedule: Schedule, period: str, as_of: date) -> dict[str, Any]:
    """What the delivery needs to post one scheduled report (JSON-able). `as_of` is the
    session it posts on; the record's `as_of` is the close it reports (`reported_day`)."""
    return {"type": "schedule", "schedule_id": schedule.id, "channel_id": schedule.channel_id,
            "command": schedule.command, "frequency": schedule.frequency,
            "weekday": schedule.weekday, "creator_id": schedule.creator_id, "period": period,
            "as_of": reported_day(schedule, as_of).isoformat(), "day": as_of.isoformat(),
            "at": schedule.at, "before_open": schedule.before_open}


def timed_moment(schedule: Schedule, day: date) -> datetime | None:
    """When a timed schedule posts on `day`: its time in New York on a NYSE session, None on
    weekends and exchange holidays, for an after-close schedule, and for a time before the
    schedule was added or last edited (`Schedule.since`)."""
    at = schedule.at_time
    if at is None or not nyse().is_session(day):
        return None
    moment = datetime.combine(day, at, tzinfo=NEW_YORK)
    return moment if moment >= schedule.since else None


def latest_timed_day(schedule: Schedule, now: datetime) -> date | None:
    """The latest session whose posting time of `schedule` is at or before `now` (today's,
    once its time has come, else the previous session's), None for an after-close one."""
    if schedule.at_time is None:
        return None
    day = now.astimezone(NEW_YORK).date()
    moment = timed_moment(schedule, day)
    if moment is not None and moment <= now:
        return day
    previous = nyse().previous_session(day).day
    return previous if timed_moment(schedule, previous) is not None else None


def next_timed_moment(schedules: list[Schedule], now: datetime) -> datetime | None:
    """The first posting time of any timed schedule strictly after `now` (None: none)."""
    times = sorted({s.at_time for s in schedules if s.at_time is not None})
    if not times:
        return None
    day = now.astimezone(NEW_YORK).date()
    for _ in range(15):  # the longest NYSE closure is a few days
        if nyse().is_session(day):
            for at in times:
                moment = datetime.combine(day, at, tzinfo=NEW_YORK)
                if moment > now:
                    return moment
        day += timedelta(days=1)
    return None
