"""The clock process: when it runs, what it runs, and the status it leaves in Redis."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from bot.alerts.evaluator import RunSummary
from bot.bootstrap import build_deps
from bot.scheduler import Scheduler, last_run_at, next_run_at
from tests.alert_helpers import Clock, add_rule, alert_deps, make_evaluator, posted_events
from tests.fake_slack import FakeSlack
from tests.query_helpers import MustNotCompute
from tests.slack_helpers import slack_settings

NEW_YORK = ZoneInfo("America/New_York")
AT = time(16, 30)


@pytest.mark.parametrize("now,expected", [
    # Tuesday before the run -> the same day 16:30 EDT (20:30 UTC)
    (datetime(2024, 3, 26, 14, 0, tzinfo=UTC), datetime(2024, 3, 26, 20, 30, tzinfo=UTC)),
    # exactly at the run time -> the next weekday
    (datetime(2024, 3, 26, 20, 30, tzinfo=UTC), datetime(2024, 3, 27, 20, 30, tzinfo=UTC)),
    # Friday evening -> Monday
    (datetime(2024, 3, 29, 23, 0, tzinfo=UTC), datetime(2024, 4, 1, 20, 30, tzinfo=UTC)),
    # over the switch to daylight saving time (2024-03-10): 16:30 EST is 21:30 UTC, EDT 20:30
    (datetime(2024, 3, 8, 22, 0, tzinfo=UTC), datetime(2024, 3, 11, 20, 30, tzinfo=UTC)),
    (datetime(2024, 3, 7, 22, 0, tzinfo=UTC), datetime(2024, 3, 8, 21, 30, tzinfo=UTC)),
])
def test_next_run_is_the_next_weekday_close_in_new_york(now, expected):
    assert next_run_at(now, AT, NEW_YORK) == expected


def test_time_and_zone_are_configurable():
    london = ZoneInfo("Europe/London")
    now = datetime(2024, 7, 5, 20, 0, tzinfo=UTC)  # Friday 21:00 BST
    assert next_run_at(now, time(22, 15), london) == datetime(2024, 7, 5, 21, 15, tzinfo=UTC)
    # Thursday 2024-07-04 is Independence Day; Wednesday closed at 13:00, three hours early
    assert last_run_at(now, time(22, 15), london) == datetime(2024, 7, 3, 18, 15, tzinfo=UTC)


def test_no_run_on_good_friday_and_an_early_close_runs_three_hours_earlier():
    thursday_evening = datetime(2024, 3, 28, 21, 0, tzinfo=UTC)
    assert next_run_at(thursday_evening, AT, NEW_YORK) == datetime(2024, 4, 1, 20, 30, tzinfo=UTC)
    # 2024-07-03 closed at 13:00 New York: the 16:30 run moves to 13:30 EDT = 17:30 UTC
    morning = datetime(2024, 7, 3, 12, 0, tzinfo=UTC)
    assert next_run_at(morning, AT, NEW_YORK) == datetime(2024, 7, 3, 17, 30, tzinfo=UTC)
    assert last_run_at(datetime(2024, 7, 4, 23, 0, tzinfo=UTC), AT, NEW_YORK) == datetime(
        2024, 7, 3, 17, 30, tzinfo=UTC)


def test_the_last_run_before_a_weekend_is_friday():
    sunday = datetime(2024, 3, 24, 12, 0, tzinfo=UTC)
    assert last_run_at(sunday, AT, NEW_YORK) == datetime(2024, 3, 22, 20, 30, tzinfo=UTC)
    easter = datetime(2024, 3, 31, 12, 0, tzinfo=UTC)  # after Good Friday: Thursday's run
    assert last_run_at(easter, AT, NEW_YORK) == datetime(2024, 3, 28, 20, 30, tzinfo=UTC)


def test_it_catches_up_at_start_then_runs_daily_and_reports_status(cache, market_data_dir):
    with FakeSlack() as fake:
        clock = Clock(datetime(2024, 3, 26, 21, 0, tzinfo=UTC))  # after Tuesday's run time
        deps = alert_deps(fake, cache, market_data_dir, clock)
        rule = add_rule(cache, "gap 3y above 35")
        waits: list[float] = []

        def wait(seconds: float) -> bool:
            waits.append(seconds)
            clock.now = clock.now.fromtimestamp(clock.now.timestamp() + seconds, UTC)
            return len(waits) > 1  # stop after the second sleep

        Scheduler(deps, make_evaluator(deps), wait=wait).run_forever()
        assert posted_events(fake.calls("chat.postMessage")) == [
            (rule.id, "2024-03-26", "fire")]
    assert waits[0] == (datetime(2024, 3, 27, 20, 30, tzinfo=UTC) - datetime(
        2024, 3, 26, 21, 0, tzinfo=UTC)).total_seconds()
    status = {k.decode(): v.decode()
              for k, v in cache.get_hash(cache.key("scheduler", "status")).items()}
    assert status["last_as_of"] == "2024-03-27"
    assert status["last_run_at"] == "2024-03-27T20:30:00+00:00"
    assert status["next_run_at"] == "2024-03-28T20:30:00+00:00"
    assert (status["rules_evaluated"], status["posts"]) == ("1", "0")


def test_a_failed_run_is_retried_later(cache, market_data_dir):
    with FakeSlack() as fake:
        deps = alert_deps(fake, cache, market_data_dir)
        calls: list[date] = []

        class Flaky:
            def run(self, as_of: date) -> RunSummary:
                calls.append(as_of)
                if len(calls) == 1:
                    raise ConnectionError("redis went away")
                return RunSummary(as_of, rules_evaluated=3, posts=1)

        waited: list[float] = []
        scheduler = Scheduler(deps, Flaky(), wait=lambda s: waited.append(s) or False)
        summary = scheduler.run_for(datetime(2024, 3, 26, 20, 30, tzinfo=UTC))
    assert calls == [date(2024, 3, 26)] * 2 and waited == [300.0]
    assert summary is not None and summary.posts == 1


def test_after_the_alerts_it_prerenders_and_says_so(cache, market_data_dir):
    with FakeSlack() as fake:
        clock = Clock(datetime(2024, 3, 26, 21, 0, tzinfo=UTC))
        deps = alert_deps(fake, cache, market_data_dir, clock)
        order: list[str] = []

        class Evaluations:
            def run(self, as_of: date) -> RunSummary:
                order.append("alerts")
                return RunSummary(as_of, rules_evaluated=0, posts=0)

        scheduler = Scheduler(deps, Evaluations(), wait=lambda s: False,
                              prerender_commands=("gap 1y", "gap 1y NOSUCH/SPY"))
        real_run = deps.reports.run
        deps.reports.run = lambda q: (order.append("prerender"), real_run(q))[1]
        scheduler.run_for(datetime(2024, 3, 26, 20, 30, tzinfo=UTC))
    assert order == ["alerts", "prerender", "prerender"]  # the alerts are never delayed
    status = {k.decode(): v.decode()
              for k, v in cache.get_hash(cache.key("scheduler", "status")).items()}
    assert (status["prerendered"], status["prerender_failed"]) == ("1", "1")
    assert status["prerendered_at"] == "2024-03-26T21:00:00+00:00"
    real_run(MustNotCompute("gap 1y"))  # cached: served without computing


class _LateSource:
    """A live source over the real closes to `day`, where ^RUT's `day` close comes in only
    once `arrived` is set (Yahoo has ^GSPC's bar, ^RUT's row is still empty)."""

    name, live = "late source", True
    cache_id = name

    def __init__(self, closes, day: str) -> None:
        self.closes, self.day, self.arrived = closes, pd.Timestamp(day), False

    def fetch(self, symbols, start):
        out = {}
        for symbol in symbols:
            series = self.closes[symbol].loc[: self.day]
            if symbol == "^RUT" and not self.arrived:
                series = series.loc[: self.day - pd.Timedelta(days=1)]
            out[symbol] = series.loc[pd.Timestamp(start):] if start else series
        return out


def test_a_pending_close_is_evaluated_the_same_evening_not_tomorrow(cache, real_closes,
                                                                     market_data_dir):
    with FakeSlack() as fake:
        clock = Clock(datetime(2024, 7, 1, 20, 30, tzinfo=UTC))  # Monday 16:30 New York
        source = _LateSource(real_closes, "2024-07-01")
        deps = build_deps(slack_settings(fake, market_data_dir), source=source, cache=cache,
                          clock=clock)
        seen: list[tuple[date, str]] = []

        class Recording:
            def run(self, as_of: date) -> RunSummary:
                last = deps.market.history(["^RUT"]).closes["^RUT"].index[-1]
                seen.append((as_of, last.date().isoformat()))
                return RunSummary(as_of)

        def wait(seconds: float) -> bool:
            clock.now = clock.now + timedelta(seconds=seconds)
            source.arrived = True  # ^RUT's close is published while we wait
            return False

        Scheduler(deps, Recording(), wait=wait).run_for(clock.now)
    assert seen == [(date(2024, 7, 1), "2024-06-28"), (date(2024, 7, 1), "2024-07-01")]


@pytest.mark.parametrize("first", [RunSummary(date(2024, 3, 26), skipped="another run"),
                                   RunSummary(date(2024, 3, 26), left=3)])
def test_a_skipped_run_or_one_slack_failed_is_tried_again_that_day(cache, market_data_dir,
                                                                   first):
    """Skipped (another process holds the day's lock) or posts left because Slack failed:
    the day is run again soon, not slept over until the next trading day."""
    from bot.scheduler import RETRY_AFTER_S, SKIPPED_RETRY_S

    with FakeSlack() as fake:
        clock = Clock(datetime(2024, 3, 26, 21, 0, tzinfo=UTC))
        deps = alert_deps(fake, cache, market_data_dir, clock)
        results = [first, RunSummary(date(2024, 3, 26), posts=3)]
        runs: list[date] = []
        waits: list[float] = []

        class Replay:
            def run(self, as_of: date) -> RunSummary:
                runs.append(as_of)
                return results[len(runs) - 1]

        def wait(seconds: float) -> bool:
            waits.append(seconds)
            return False

        done = Scheduler(deps, Replay(), wait=wait).run_for(clock.now)
    assert runs == [date(2024, 3, 26)] * 2 and done is results[1]
    assert waits == [SKIPPED_RETRY_S if first.skipped else RETRY_AFTER_S]
    assert SKIPPED_RETRY_S < 60
