"""Scheduled reports at a time of day, driven through the real scheduler loop with a fixed
clock, a real Redis and the recording fake Slack: posted once at their New York time on
NYSE sessions, not on Good Friday or the weekend, not again by the after-close run or a
restarted scheduler, and a post a killed process left is made at the restart."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.alerts.delivery import Delivery
from bot.alerts.schedules import Schedule, ScheduleStore, latest_timed_day, next_timed_moment
from bot.scheduler import Scheduler
from tests.alert_helpers import Clock, alert_deps, make_evaluator
from tests.fake_slack import FakeSlack


@pytest.fixture
def fake():
    with FakeSlack() as server:
        yield server


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def run_scheduler(deps, clock: Clock, until: datetime, **kwargs) -> list[float]:
    """The real `Scheduler.run_forever`, its sleeps moving the fixed clock, until `until`."""
    waits: list[float] = []

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        clock.now = clock.now + timedelta(seconds=seconds)
        return clock.now >= until

    Scheduler(deps, make_evaluator(deps, **kwargs), wait=wait).run_forever()
    return waits


def scheduled_posts(fake: FakeSlack, stamps: dict[str, datetime]) -> list[tuple[str, str, str]]:
    """(channel, period, UTC time of the post) of each scheduled report posted."""
    out = []
    for call in fake.calls("chat.postMessage"):
        meta = call.params.get("metadata") or {}
        if meta.get("event_type") == "smallcaps_schedule":
            out.append((call.params["channel"], meta["event_payload"]["period"],
                        stamps[call.params["channel"] + meta["event_payload"]["period"]]
                        .strftime("%m-%d %H:%M")))
    return out


def stamp_posts(fake: FakeSlack, clock: Clock) -> dict[str, datetime]:
    """When (by the fixed clock) each scheduled post reached Slack."""
    stamps: dict[str, datetime] = {}

    def hook(call) -> None:
        meta = call.params.get("metadata") or {}
        if meta.get("event_type") == "smallcaps_schedule":
            stamps.setdefault(call.params["channel"] + meta["event_payload"]["period"],
                              clock.now)

    fake.on("chat.postMessage", hook)
    return stamps


def test_timed_schedules_post_once_at_their_time_on_sessions_only(cache, fake, market_data_dir):
    """Thursday 2024-03-28 07:00 New York to Monday 2024-04-01 10:00 over Good Friday and a
    weekend: the 08:30 daily posts Thursday and Monday at 08:30 (12:30 UTC, EDT), reporting
    the previous session's close; the weekly Friday one posts on Thursday (Good Friday); the
    18:00 daily posts at 18:00, not with the 16:30 run; the after-close one with the run."""
    store = ScheduleStore(cache)
    clock = Clock(utc(2024, 3, 28, 11, 0))  # 07:00 EDT
    store.add("CMORNING", "gap 3y etf", "daily", None, "U1", clock.now, at="08:30")
    store.add("CWEEK", "board", "weekly", "fri", "U2", clock.now, at="08:30")
    store.add("CEVENING", "trend", "daily", None, "U3", clock.now, at="18:00")
    store.add("CCLOSE", "table", "daily", None, "U4", clock.now)  # no time: as before
    deps = alert_deps(fake, cache, market_data_dir, clock)
    stamps = stamp_posts(fake, clock)
    # the alert run at start (the catch-up for Wednesday) posts Wednesday's after-close one;
    # the timed ones were added this morning: Wednesday's 08:30 and 18:00 are not theirs
    run_scheduler(deps, clock, until=utc(2024, 4, 1, 14, 0))
    posts = scheduled_posts(fake, stamps)
    print(posts)
    assert sorted(posts) == sorted([
        ("CCLOSE", "2024-03-27", "03-28 11:00"),  # start-up catch-up of Wednesday's run
        ("CMORNING", "2024-03-28", "03-28 12:30"),
        ("CWEEK", "2024-W13", "03-28 12:30"),  # Friday is Good Friday: Thursday's session
        ("CCLOSE", "2024-03-28", "03-28 20:30"),  # the 16:30 run
        ("CEVENING", "2024-03-28", "03-28 22:00"),  # 18:00 EDT, not with the 16:30 run
        ("CMORNING", "2024-04-01", "04-01 12:30"),  # nothing Friday, Saturday, Sunday
    ])
    morning = next(c for c in fake.calls("chat.postMessage")
                   if c.params["channel"] == "CMORNING")
    header = morning.params["blocks"][0]["elements"][0]["text"]
    assert "Before the open (08:30 New York)" in header and "2024-03-27" in header
    assert "2024-03-27" in json.dumps(morning.params["blocks"][1:])  # Wednesday's close


def test_a_restarted_scheduler_does_not_post_again(cache, fake, market_data_dir):
    clock = Clock(utc(2024, 3, 26, 12, 0))  # Tuesday 08:00 EDT
    ScheduleStore(cache).add("C1", "gap 3y etf", "daily", None, "U1", clock.now, at="08:30")
    deps = alert_deps(fake, cache, market_data_dir, clock)
    stamps = stamp_posts(fake, clock)
    run_scheduler(deps, clock, until=utc(2024, 3, 26, 12, 45))  # posted at 08:30, stopped
    for _ in range(2):  # restarted twice the same morning: a new process, the same Redis
        run_scheduler(alert_deps(fake, cache, market_data_dir, clock), clock,
                      until=clock.now + timedelta(minutes=10))
    assert scheduled_posts(fake, stamps) == [("C1", "2024-03-26", "03-26 12:30")]


def test_a_post_a_killed_scheduler_left_is_made_once_at_the_restart(cache, fake,
                                                                     market_data_dir,
                                                                     monkeypatch):
    """Killed after the 08:30 record was created and before the post: the restarted
    scheduler posts it at once (not at the next run), and only once."""
    clock = Clock(utc(2024, 3, 26, 12, 29))
    ScheduleStore(cache).add("C1", "gap 3y etf", "daily", None, "U1", clock.now, at="08:30")
    deps = alert_deps(fake, cache, market_data_dir, clock)
    real = Delivery.deliver_open

    def killed(self, summary, renew):
        raise KeyboardInterrupt  # the process dies here (SIGINT/-9 alike: nothing after)

    monkeypatch.setattr(Delivery, "deliver_open", killed)
    with pytest.raises(KeyboardInterrupt):
        make_evaluator(deps).run_timed(utc(2024, 3, 26, 12, 30))
    assert fake.calls("chat.postMessage") == []
    monkeypatch.setattr(Delivery, "deliver_open", real)
    clock.now = utc(2024, 3, 26, 13, 5)  # restarted at 09:05
    stamps = stamp_posts(fake, clock)
    run_scheduler(alert_deps(fake, cache, market_data_dir, clock), clock,
                  until=utc(2024, 3, 26, 13, 10))
    assert scheduled_posts(fake, stamps) == [("C1", "2024-03-26", "03-26 13:05")]


def _timed(at: str) -> Schedule:
    return Schedule("S1", "C1", "board", "daily", None, "U1", "2024-01-01T00:00:00", at)


def test_a_time_already_past_when_added_or_edited_waits_for_the_next_session():
    added = Schedule("S1", "C1", "board", "daily", None, "U1", "2024-03-26T14:00:00+00:00",
                     "08:30")  # added Tuesday 10:00 New York
    assert latest_timed_day(added, utc(2024, 3, 26, 15, 0)) is None
    assert latest_timed_day(added, utc(2024, 3, 27, 12, 30)) == date(2024, 3, 27)
    edited = Schedule(**{**added.__dict__, "changed_at": "2024-03-27T13:00:00+00:00"})
    assert latest_timed_day(edited, utc(2024, 3, 27, 14, 0)) is None


@pytest.mark.parametrize("now,expected", [
    (utc(2024, 3, 28, 12, 29), date(2024, 3, 27)),  # Thursday before 08:30: Wednesday's
    (utc(2024, 3, 28, 12, 30), date(2024, 3, 28)),
    (utc(2024, 3, 29, 13, 0), date(2024, 3, 28)),  # Good Friday: no 08:30 that day
    (utc(2024, 3, 31, 13, 0), date(2024, 3, 28)),  # Easter Sunday
    (utc(2024, 11, 28, 14, 0), date(2024, 11, 27)),  # Thanksgiving
])
def test_the_latest_posting_day_skips_holidays_and_weekends(now, expected):
    assert latest_timed_day(_timed("08:30"), now) == expected


def test_the_next_posting_time_is_the_next_session():
    # Thursday 2024-03-28 after 08:30 -> Monday 2024-04-01 08:30 EDT (Good Friday, weekend)
    assert next_timed_moment([_timed("08:30")], utc(2024, 3, 28, 13, 0)) == utc(
        2024, 4, 1, 12, 30)
    # 2024-11-29 (a 13:00 early close) still has its 08:30
    assert next_timed_moment([_timed("08:30")], utc(2024, 11, 28, 12, 0)) == utc(
        2024, 11, 29, 13, 30)
