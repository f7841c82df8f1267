"""Scheduled reports on a real Redis: each period posted once under two concurrent
evaluators, re-runs and a restart; due days for daily, weekly DAY and monthly."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import date

import pandas as pd
import pytest

from bot.alerts.schedules import Schedule, ScheduleStore, schedule_period
from bot.data.trading_calendar import nyse
from bot.runtime.cache import Cache
from tests.alert_helpers import alert_deps, make_evaluator
from tests.fake_slack import FakeSlack


@pytest.fixture
def fake():
    with FakeSlack() as server:
        yield server


def _scheduled_posts(fake: FakeSlack) -> list:
    return [c for c in fake.calls("chat.postMessage")
            if (c.params.get("metadata") or {}).get("event_type") == "smallcaps_schedule"]


def test_each_period_is_posted_once_by_two_schedulers_and_a_restart(
        cache, redis_server, fake, market_data_dir, real_closes):
    store = ScheduleStore(cache)
    store.add("CDAY", "gap 3y etf", "daily", None, "U1")
    store.add("CWEEK", "board", "weekly", "fri", "U2")
    store.add("CMONTH", "trend", "monthly", None, "U3")
    days = [d.date() for d in pd.bdate_range("2024-03-18", "2024-04-05")
            if nyse().is_session(d.date())]  # the scheduler runs on NYSE sessions only
    fake.set_latency("chat.postMessage", 0.02)
    evaluators = [make_evaluator(alert_deps(fake, Cache(redis_server, cache.prefix),
                                            market_data_dir), use_lock=False)
                  for _ in range(2)]
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def work(evaluator, run_days) -> None:
        try:
            for day in run_days:
                barrier.wait()
                evaluator.run(day)
                evaluator.run(day)  # a re-run posts nothing new
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
            barrier.abort()

    half = len(days) // 2
    threads = [threading.Thread(target=work, args=(e, days[:half])) for e in evaluators]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # a restart: new processes' evaluators (fresh objects, same Redis) for the rest
    restarted = [make_evaluator(alert_deps(fake, Cache(redis_server, cache.prefix),
                                           market_data_dir), use_lock=False)
                 for _ in range(2)]
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=work, args=(e, days[half - 1:])) for e in restarted]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    posts = _scheduled_posts(fake)
    periods = Counter((c.params["channel"], c.params["metadata"]["event_payload"]["period"])
                      for c in posts)
    assert [k for k, n in periods.items() if n > 1] == []
    trading = set(real_closes["IWM"].index.date) & set(real_closes["SPY"].index.date)
    expected_days = sorted({d.isoformat() for d in days if d in trading})
    assert date(2024, 3, 29) not in trading and date(2024, 3, 29) not in days  # Good Friday
    assert sorted(p for c, p in periods if c == "CDAY") == expected_days
    assert sorted(p for c, p in periods if c == "CWEEK") == ["2024-W12", "2024-W13",
                                                            "2024-W14"]
    assert [p for c, p in periods if c == "CMONTH"] == ["2024-03"]
    # the 2024-03-26 daily post carries the real IWM/SPY 3-year gap
    iwm, spy = real_closes["IWM"], real_closes["SPY"]
    gap = ((spy["2024-03-26"] / spy["2021-03-26"] - 1)
           - (iwm["2024-03-26"] / iwm["2021-03-26"] - 1)) * 100
    post = next(c for c in posts if c.params["metadata"]["event_payload"]["period"]
                == "2024-03-26")
    assert f"{gap:+.2f} pp" in json.dumps(post.params["blocks"], ensure_ascii=False)


def test_a_removed_schedule_posts_nothing_more(cache, fake, market_data_dir):
    store = ScheduleStore(cache)
    schedule = store.add("C1", "table", "daily", None, "U1")
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))
    evaluator.run(date(2024, 3, 25))
    store.remove(schedule.id)
    evaluator.run(date(2024, 3, 26))
    assert len(_scheduled_posts(fake)) == 1


def _schedule(frequency: str, weekday: str | None = None) -> Schedule:
    return Schedule("S1", "C1", "board", frequency, weekday, "U1", "2024-01-01T00:00:00")


@pytest.mark.parametrize("frequency,weekday,as_of,expected", [
    ("weekly", "wed", date(2024, 3, 19), None),  # Tuesday: not yet
    ("weekly", "wed", date(2024, 3, 20), "2024-W12"),
    ("weekly", "fri", date(2024, 3, 27), None),
    ("weekly", "fri", date(2024, 3, 28), "2024-W13"),  # Good Friday: Thursday's run posts
    ("weekly", "mon", date(2024, 1, 16), "2024-W03"),  # MLK Monday: Tuesday's run posts
    ("monthly", None, date(2024, 3, 27), None),
    ("monthly", None, date(2024, 3, 28), "2024-03"),  # the 29th is Good Friday
    ("monthly", None, date(2024, 6, 28), "2024-06"),  # June 30 is a Sunday
    ("daily", None, date(2024, 3, 28), "2024-03-28"),
])
def test_when_a_schedule_is_due(frequency, weekday, as_of, expected):
    assert schedule_period(_schedule(frequency, weekday), as_of, as_of) == expected
