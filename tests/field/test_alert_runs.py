"""The alert processes in the field: `scheduler` and `alerts run` as pid 1 of a container
killed mid-run and restarted; scheduled reports when Slack's answer is lost or hangs or the
channel also has a digest; Slack answering 5xx through a whole run.

Real processes (`python -m bot.cli ...`), a real redis-server, the recording fake Slack.
What counts is what the channel holds (Slack applies some posts whose answer it loses).
"""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot.alerts.digest import DigestStore
from bot.alerts.schedules import ScheduleStore
from bot.alerts.store import AlertStore
from bot.runtime.cache import Cache
from handlers.alert_parsing import parse_rule
from tests.fake_slack import FakeSlack
from tests.field.alert_procs import (
    UNSHARE,
    Procs,
    alert_env,
    alert_events,
    channel_posts,
    kill9_pid1,
    of_type,
    redis_server,
    schedule_posts,
    settle,
    tally,
)

RULES = 10
AS_OF = "2024-03-26"


@pytest.fixture
def field(tmp_path: Path, market_data_dir: Path) -> Iterator[tuple[FakeSlack, Cache, dict, Procs]]:
    """(fake Slack, the processes' Redis, their environment, process list), torn down."""
    (tmp_path / "logs").mkdir()
    procs = Procs(tmp_path / "logs")
    with FakeSlack() as fake, redis_server(tmp_path) as url:
        try:
            yield (fake, Cache(redis.Redis.from_url(url)),
                   alert_env(fake, url, market_data_dir, tmp_path / "state"), procs)
        finally:
            procs.kill_all()


def add_rules(cache: Cache, count: int = RULES) -> list[str]:
    """`count` rules in C1 that fire at their first evaluation (a gap is never below -100)."""
    store = AlertStore(cache)
    ids = []
    for i in range(count):
        outcome, rule = store.add("C1", "U1", parse_rule(f"gap 1y etf above {-100 - i}".split()))
        assert outcome == "added" and rule is not None
        ids.append(rule.id)
    return ids


def posted_count(output: str) -> int:
    """The `N post(s)` that `alerts run` printed."""
    found = re.search(r"(\d+) post\(s\)", output)
    assert found, output
    return int(found.group(1))


needs_unshare = pytest.mark.skipif(UNSHARE is None, reason="unshare(1) not installed")


@needs_unshare
@pytest.mark.parametrize("command", [["scheduler"], ["alerts", "run", "--as-of", AS_OF]])
def test_pid1_killed_mid_run_and_restarted_posts_every_alert_once_that_day(field, command):
    """As in a container: pid 1, killed with -9 while Slack holds its fourth post (not
    applied), restarted as pid 1 again on the same host name. The successor must neither
    take the dead run's lock for its own nor leave the interrupted post for later."""
    fake, cache, env, procs = field
    rules = add_rules(cache)
    fake.hang("chat.postMessage", 40, after=3, applied=False)
    first = procs.spawn(command, env, pid1=True)
    fake.wait_for("chat.postMessage", 4, timeout=45)
    kill9_pid1(first)
    assert len(alert_events(channel_posts(fake, "C1"))) == 3  # killed mid-run
    second = procs.spawn(command, env, pid1=True)
    settle(lambda: len(alert_events(channel_posts(fake, "C1"))) >= RULES or
           second.poll() not in (None, 0), 45)
    if command[0] == "scheduler":
        settle(lambda: False, 2)  # nothing more arrives
    else:
        second.wait(timeout=30)
    posted = alert_events(channel_posts(fake, "C1"))
    print("pid 1 restart", command[0], tally(RULES, posted))
    if command[0] == "alerts":
        assert second.returncode == 0, procs.output(second)
    assert {rule for rule, _ in posted} == set(rules)
    assert max(posted.values()) == 1, posted


LOST_ANSWERS = {  # Slack posts it, and the answer is lost
    "500 after the post": lambda fake: fake.fail("chat.postMessage", "internal_error",
                                                 times=1, status=500, applied=True),
    "hung post": lambda fake: fake.hang("chat.postMessage", 40, times=1,  # client: 30 s
                                        applied=True),
}


@pytest.mark.parametrize("fault", LOST_ANSWERS)
def test_a_scheduled_report_whose_answer_was_lost_is_posted_once(field, fault):
    fake, cache, env, procs = field
    ScheduleStore(cache).add("C1", "gap 3y etf", "daily", None, "U1")
    LOST_ANSWERS[fault](fake)
    run = procs.spawn(["alerts", "run", "--as-of", AS_OF], env)
    with contextlib.suppress(subprocess.TimeoutExpired):  # reported below
        run.wait(timeout=55)
    schedules = schedule_posts(channel_posts(fake, "C1"))
    print("schedule,", fault, tally(1, schedules))
    assert run.returncode == 0, procs.output(run)
    assert list(schedules.values()) == [1]
    assert posted_count(procs.output(run)) == 1


def test_a_digest_of_the_same_day_does_not_pass_for_the_scheduled_report(field):
    """The channel has that day's digest; the schedule's post gets a 500 and did not go
    through: it is posted, and `alerts run` counts only what Slack has."""
    fake, cache, env, procs = field
    DigestStore(cache).set("C1", "daily", "U1")
    digest_run = procs.spawn(["alerts", "run", "--as-of", AS_OF], env)
    assert digest_run.wait(timeout=50) == 0, procs.output(digest_run)
    assert len(of_type(channel_posts(fake, "C1"), "smallcaps_digest")) == 1
    ScheduleStore(cache).add("C1", "gap 3y etf", "daily", None, "U1")
    fake.fail("chat.postMessage", "internal_error", times=1, status=500)
    run = procs.spawn(["alerts", "run", "--as-of", AS_OF], env)
    run.wait(timeout=50)
    messages = channel_posts(fake, "C1")
    schedules = schedule_posts(messages)
    print("schedule beside a digest", tally(1, schedules))
    assert run.returncode == 0, procs.output(run)
    assert list(schedules.values()) == [1] and len(of_type(messages, "smallcaps_digest")) == 1
    assert posted_count(procs.output(run)) == 1


def test_slack_5xx_through_a_run_then_every_alert_is_posted_once_at_the_next(field):
    """Slack answers 503 to every post for a whole run (and reads the history fine): what
    the bot saw absent is sent at the next run, once."""
    fake, cache, env, procs = field
    rules = add_rules(cache)
    fake.fail("chat.postMessage", "service_unavailable", status=503)
    down = procs.spawn(["alerts", "run", "--as-of", AS_OF], env)
    assert down.wait(timeout=90) == 0, procs.output(down)  # today's code takes ~60 s
    assert channel_posts(fake, "C1") == []
    assert posted_count(procs.output(down)) == 0
    fake.clear_failures()
    up = procs.spawn(["alerts", "run", "--as-of", AS_OF], env)
    assert up.wait(timeout=50) == 0, procs.output(up)
    posted = alert_events(channel_posts(fake, "C1"))
    print("sustained 5xx", tally(RULES, posted))
    assert {rule for rule, _ in posted} == set(rules)
    assert max(posted.values()) == 1, posted
    assert posted_count(procs.output(up)) == RULES


def test_a_scheduler_that_found_the_day_locked_runs_it_once_the_lock_lapses(field):
    """Another host's run held the day's lock and died (its lease runs out): the scheduler
    skips at first, then runs the day soon after, instead of sleeping to the next one."""
    from datetime import UTC, datetime

    from bot.runtime.config import Settings
    from bot.scheduler import last_run_at

    fake, cache, env, procs = field
    rules = add_rules(cache, 3)
    settings = Settings(_env_file=None)
    day = last_run_at(datetime.now(UTC), settings.alert_time, settings.alert_zone)
    lock = cache.key("alerts", "lock", day.astimezone(settings.alert_zone).date().isoformat())
    cache.client.set(lock, "another-host:1:123:boot:token", px=20_000)  # > start-up time
    scheduler = procs.spawn(["scheduler"], env)
    settle(lambda: len(alert_events(channel_posts(fake, "C1"))) >= len(rules), 55)
    posted = alert_events(channel_posts(fake, "C1"))
    print("scheduler after a locked day", tally(len(rules), posted))
    assert "another evaluation" in procs.output(scheduler)  # it did find the day locked
    assert {rule for rule, _ in posted} == set(rules)
    assert max(posted.values()) == 1, posted


@pytest.mark.parametrize("pid1", [False, pytest.param(True, marks=needs_unshare)])
def test_a_timed_schedule_killed_mid_post_is_posted_once_by_the_restarted_scheduler(field,
                                                                                   pid1):
    """A schedule at 22:00 New York whose latest posting time has passed: the scheduler
    posts it at start; Slack applies the post and holds the answer; the process is killed
    (-9) waiting. The restarted scheduler finds the post in the channel (its metadata) and
    does not post it again."""
    from datetime import UTC, datetime, timedelta

    from bot.alerts.schedules import latest_timed_day

    fake, cache, env, procs = field
    schedule = ScheduleStore(cache).add("C1", "gap 3y etf", "daily", None, "U1",
                                        datetime.now(UTC) - timedelta(days=10), at="22:00")
    day = latest_timed_day(schedule, datetime.now(UTC))
    assert day is not None
    fake.hang("chat.postMessage", 40, times=1, applied=True)
    first = procs.spawn(["scheduler"], env, pid1=pid1)
    fake.wait_for("chat.postMessage", 1, timeout=45)
    if pid1:
        kill9_pid1(first)
    else:
        first.kill()
        first.wait(timeout=10)
    assert list(schedule_posts(channel_posts(fake, "C1")).values()) == [1]  # Slack has it
    procs.spawn(["scheduler"], env, pid1=pid1)
    key = cache.key("alerts", "outbox", "schedule", schedule.id, day.isoformat())
    assert settle(lambda: cache.client.hget(key, "status") == b"sent", 45), \
        cache.client.hgetall(key)
    settle(lambda: False, 3)  # nothing more arrives
    posted = schedule_posts(channel_posts(fake, "C1"))
    print("timed schedule killed mid-post", tally(1, posted))
    assert posted == {(schedule.id, day.isoformat()): 1}
