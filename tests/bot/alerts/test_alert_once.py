"""Once and only once, on a real Redis: concurrent evaluators (threads and processes),
crashes between the steps of a post, re-runs, downtime, and Slack refusing posts."""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import date, timedelta

import pandas as pd
import pytest

from bot.alerts import delivery as delivery_module
from bot.alerts.outbox import Outbox
from bot.alerts.store import AlertStore
from bot.runtime.cache import Cache
from tests.alert_helpers import (
    Clock,
    add_rule,
    alert_deps,
    evaluate_in_process,
    make_evaluator,
    posted_events,
    slow_down,
)
from tests.fake_slack import FakeSlack

RULES = ("gap 3y above 35 hysteresis 2", "ratio vs 200dma crosses 0")


class Crash(BaseException):
    """A process dying mid-run: nothing in the bot catches it."""


@pytest.fixture
def fake():
    with FakeSlack() as server:
        yield server


@pytest.fixture
def trading_days(real_closes):
    days = real_closes["^RUT"].index.intersection(real_closes["^GSPC"].index)
    return [d.date() for d in days[(days >= "2024-01-02") & (days <= "2024-09-30")]]


def daily_baseline(redis_server, data_dir, days) -> list[tuple[str, str, str]]:
    """What one evaluator run every day posts (a separate key prefix and fake Slack)."""
    cache = Cache(redis_server, prefix=f"smallcaps-test:{uuid.uuid4().hex[:10]}:")
    with FakeSlack() as other:
        for text in RULES:
            add_rule(cache, text)
        evaluator = make_evaluator(alert_deps(other, cache, data_dir))
        for day in days:
            evaluator.run(day)
        events = posted_events(other.calls("chat.postMessage"))
    keys = list(redis_server.scan_iter(match=cache.prefix + "*"))
    redis_server.delete(*keys)
    return events


def assert_each_once(events):
    duplicates = [e for e, n in Counter(events).items() if n > 1]
    assert duplicates == [], f"posted more than once: {duplicates}"


@pytest.mark.slow  # seconds: processes, threads or a long replay
@pytest.mark.parametrize("use_lock,slow_s,count", [(True, 0.0, 80), (False, 0.0, 80),
                                                   (False, 0.15, 25)])
def test_two_evaluators_at_the_same_moment_post_each_event_once(
        cache, redis_server, fake, market_data_dir, trading_days, use_lock, slow_s, count):
    """Both run every day at the same moment. Without the run lock both evaluate; with
    `slow_s` the second pauses before committing and after reading the outbox, so the first
    has committed and posted by then: only the compare-and-set and the outbox stop it."""
    days = trading_days[:count]
    expected = daily_baseline(redis_server, market_data_dir, days)
    assert len(expected) >= 2
    for text in RULES:
        add_rule(cache, text)
    fake.set_latency("chat.postMessage", 0.05)  # widen the window between claim and mark
    evaluators = [make_evaluator(alert_deps(fake, Cache(redis_server, cache.prefix),
                                            market_data_dir), use_lock=use_lock)
                  for _ in range(2)]
    slow_down(evaluators[1], slow_s)
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def work(evaluator) -> None:
        try:
            for day in days:
                barrier.wait()
                evaluator.run(day)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=work, args=(e,)) for e in evaluators]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    posted = posted_events(fake.calls("chat.postMessage"))
    assert_each_once(posted)
    assert sorted(posted) == sorted(expected)


def _connection(client) -> dict:
    kwargs = client.connection_pool.connection_kwargs
    if "path" in kwargs:
        return {"unix_socket_path": kwargs["path"]}
    return {k: kwargs[k] for k in ("host", "port", "db", "password", "username") if k in kwargs}


@pytest.mark.slow  # seconds: processes, threads or a long replay
def test_two_evaluator_processes_post_each_crossing_once(cache, redis_server, fake,
                                                         market_data_dir, trading_days):
    """Two OS processes, no run lock: only the compare-and-set and the outbox protect."""
    days = trading_days[:120]
    expected = daily_baseline(redis_server, market_data_dir, days)
    for text in RULES:
        add_rule(cache, text)
    args = (_connection(redis_server), cache.prefix, str(market_data_dir), fake.base_url,
            [d.isoformat() for d in days], False)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:  # one of them slow, so they overtake each other
        results = [pool.apply_async(evaluate_in_process, (*args, slow)) for slow in (0, 0.02)]
        outcomes = [r.get(timeout=300) for r in results]
    assert all(not run["errors"] for runs in outcomes for run in runs)
    posted = posted_events(fake.calls("chat.postMessage"))
    assert_each_once(posted)
    fires = sorted(e for e in expected if e[2] == "fire")
    assert sorted(e for e in posted if e[2] == "fire") == fires  # catch-up may skip notes
    assert set(posted) <= set(expected)


def _firing_day(cache, fake, market_data_dir):
    """A new `above` rule on a day its condition holds: it fires at the first run."""
    rule = add_rule(cache, "gap 3y above 35")
    return rule, date(2024, 3, 26)


def test_an_evaluator_that_read_the_rules_before_another_ran_cannot_commit_them(
        cache, fake, market_data_dir):
    """Deterministic interleaving: B reads the rules, A runs the whole day, B goes on."""
    rule, day = _firing_day(cache, fake, market_data_dir)
    first, second = (make_evaluator(alert_deps(fake, cache, market_data_dir), use_lock=False)
                     for _ in range(2))
    read_rules = second.store.list_rules

    def stale_read(*args):
        rules = read_rules(*args)
        first.run(day)  # overtakes: commits, posts, marks sent
        return rules

    second.store.list_rules = stale_read
    commits = []
    real_commit = second.store.commit
    second.store.commit = lambda *a: commits.append(real_commit(*a)) or commits[-1]
    second.run(day)
    assert commits == [0]  # compare-and-set refused the stale state
    assert posted_events(fake.calls("chat.postMessage")) == [(rule.id, "2024-03-26", "fire")]
    assert AlertStore(cache).get(rule.id).version == rule.version + 1


def test_an_evaluator_that_read_the_outbox_before_another_posted_cannot_post_again(
        cache, fake, market_data_dir, monkeypatch):
    rule, day = _firing_day(cache, fake, market_data_dir)
    first, second = (make_evaluator(alert_deps(fake, cache, market_data_dir), use_lock=False)
                     for _ in range(2))
    with monkeypatch.context() as patch:  # evaluate and commit only: the record is pending
        patch.setattr(first.delivery, "deliver_open", lambda *a: None)
        first.run(day)
    read_outbox = second.outbox.open_entries

    def stale_read():
        entries = read_outbox()
        assert [e.status for e in entries] == ["pending"]
        first.run(day)  # overtakes: claims, posts, marks sent
        return entries

    second.outbox.open_entries = stale_read
    second.run(day)
    assert posted_events(fake.calls("chat.postMessage")) == [(rule.id, "2024-03-26", "fire")]


def test_a_crash_after_the_state_commit_is_delivered_by_the_rerun(cache, fake, market_data_dir,
                                                                  monkeypatch):
    rule, day = _firing_day(cache, fake, market_data_dir)
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))

    def crash(*args, **kwargs):
        raise Crash()

    with monkeypatch.context() as patch:
        patch.setattr(evaluator.delivery, "deliver_open", crash)
        with pytest.raises(Crash):
            evaluator.run(day)
    assert fake.calls("chat.postMessage") == []
    assert AlertStore(cache).get(rule.id).machine.last_date == day
    assert [e.status for e in Outbox(cache).open_entries()] == ["pending"]
    evaluator.run(day)
    evaluator.run(day)
    assert posted_events(fake.calls("chat.postMessage")) == [(rule.id, "2024-03-26", "fire")]


@pytest.mark.parametrize("history", ["readable", "missing_scope"])
def test_a_crash_between_claim_and_post_is_reconciled_with_the_channel_history(
        cache, fake, market_data_dir, monkeypatch, history):
    """Interrupted before Slack had the post: with the history scopes the bot sees it is not
    in the channel and posts it once; without them it keeps at-most-once and says why."""
    rule, day = _firing_day(cache, fake, market_data_dir)
    if history == "missing_scope":
        fake.fail("conversations.history", "missing_scope")
    clock = Clock()
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir, clock))

    def crash(*args, **kwargs):
        raise Crash()

    with monkeypatch.context() as patch:
        patch.setattr(delivery_module, "post_message", crash)
        with pytest.raises(Crash):
            evaluator.run(day)
    evaluator.run(day)  # the claim is fresh: maybe still posting, so leave it alone
    assert [e.status for e in Outbox(cache).open_entries()] == ["sending"]
    clock.now += timedelta(minutes=20)
    evaluator.run(day)
    evaluator.run(day)
    assert Outbox(cache).open_entries() == []
    status = AlertStore(cache).get(rule.id).status
    if history == "readable":
        assert posted_events(fake.calls("chat.postMessage")) == [(rule.id, "2024-03-26", "fire")]
        assert not status.startswith("error:")
        return
    assert fake.calls("chat.postMessage") == []  # at most once: not re-sent
    assert status.startswith("error:") and "2024-03-26" in status and "not resent" in status
    assert "channels:history" in status


def test_a_crash_after_posting_before_marking_does_not_post_again(cache, fake, market_data_dir,
                                                                  monkeypatch):
    rule, day = _firing_day(cache, fake, market_data_dir)
    clock = Clock()
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir, clock))
    real_finish = Outbox.finish

    def finish(self, key, token, status, *args, **kwargs):
        if status == "sent":
            raise Crash()
        return real_finish(self, key, token, status, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(Outbox, "finish", finish)
        with pytest.raises(Crash):
            evaluator.run(day)
    clock.now += timedelta(minutes=20)
    evaluator.run(day)
    evaluator.run(day + timedelta(days=1))
    assert posted_events(fake.calls("chat.postMessage")) == [(rule.id, "2024-03-26", "fire")]


def test_a_lock_left_by_a_crashed_run_lapses(cache, fake, market_data_dir):
    rule, day = _firing_day(cache, fake, market_data_dir)
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))
    lock = cache.key("alerts", "lock", day.isoformat())
    cache.client.set(lock, "dead-process", px=60_000)
    assert evaluator.run(day).skipped
    cache.client.pexpire(lock, 1)  # the dead process's lock runs out
    while cache.client.exists(lock):
        time.sleep(0.01)
    summary = evaluator.run(day)
    assert summary.skipped is None and summary.posts == 1


@pytest.mark.slow  # seconds: processes, threads or a long replay
def test_after_downtime_each_rule_posts_one_message_listing_its_crossings(
        cache, redis_server, fake, market_data_dir, trading_days):
    days = [d for d in trading_days if d <= date(2024, 8, 30)]
    expected_fires = sorted(e for e in daily_baseline(redis_server, market_data_dir, days)
                            if e[2] == "fire" and e[1] > "2024-01-02")
    for text in RULES:
        add_rule(cache, text)
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))
    evaluator.run(days[0])
    before = len(fake.calls("chat.postMessage"))
    summary = evaluator.run(days[-1])  # down from January to the end of August
    messages = fake.calls("chat.postMessage")[before:]
    assert summary.posts == len(messages) == 2  # one per rule, not one per day
    events = posted_events(messages)
    assert sorted(events) == expected_fires  # every crossing, with its date; no notes
    catch_up = next(m for m in messages if len(posted_events([m])) > 1)
    text = str(catch_up.params["blocks"])
    assert all(day in text for _, day, _ in posted_events([catch_up]))


def test_a_refused_post_marks_the_rule_and_the_other_rules_still_post(cache, fake,
                                                                      market_data_dir):
    private = add_rule(cache, "gap 3y above 35", channel="CPRIV")
    public = add_rule(cache, "gap 3y above 34", channel="CPUB")
    fake.fail("chat.postMessage", "not_in_channel", channel="CPRIV")
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))
    day = date(2024, 3, 26)
    summary = evaluator.run(day)

    def posts_to(channel):
        return [c for c in fake.calls("chat.postMessage") if c.params["channel"] == channel]

    assert posted_events(posts_to("CPUB")) == [(public.id, "2024-03-26", "fire")]
    assert len(posts_to("CPRIV")) == 1  # refused by Slack
    status = AlertStore(cache).get(private.id).status
    assert "not_in_channel" in status and "/invite" in status and summary.errors
    fake.clear_failures()  # the bot was invited
    evaluator.run(day)
    evaluator.run(day)
    assert len(posts_to("CPUB")) == 1  # not posted again
    assert posted_events(posts_to("CPRIV")[1:]) == [(private.id, "2024-03-26", "fire")]
    assert AlertStore(cache).get(private.id).last_error is None


def test_rate_limits_are_retried_with_backoff_and_posted_once(cache, fake, market_data_dir):
    rule, day = _firing_day(cache, fake, market_data_dir)
    waits: list[float] = []
    deps = alert_deps(fake, cache, market_data_dir)
    evaluator = make_evaluator(deps)
    evaluator.delivery.sleep = waits.append
    fake.rate_limit("chat.postMessage", times=4, retry_after=0)
    summary = evaluator.run(day)
    assert summary.posts == 1 and waits  # the client's retries, then ours
    ok = [c for c in fake.calls("chat.postMessage") if c.status == 200]
    assert posted_events(ok) == [(rule.id, "2024-03-26", "fire")]
    assert len(fake.calls("chat.postMessage")) == 5


def _posts_in_channel(fake) -> list[dict]:
    """What a person sees in C1: the channel's messages as conversations.history lists them."""
    from slack_sdk import WebClient

    history = WebClient(token="xoxb-test", base_url=fake.base_url).conversations_history(
        channel="C1", include_all_metadata=True)
    return [m for m in history["messages"] if m.get("metadata")]


@pytest.mark.parametrize("slack_posted_it", [False, True])
def test_a_500_from_slack_is_reconciled_so_the_alert_appears_exactly_once(
        cache, fake, market_data_dir, slack_posted_it):
    rule, day = _firing_day(cache, fake, market_data_dir)
    fake.fail("chat.postMessage", "internal_error", times=1, status=500, applied=slack_posted_it)
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))
    summary = evaluator.run(day)
    evaluator.run(day)
    [post] = _posts_in_channel(fake)
    assert post["metadata"]["event_payload"]["rule_id"] == rule.id
    assert summary.posts == 1 and not AlertStore(cache).get(rule.id).status.startswith("error")
    assert len(fake.calls("chat.postMessage")) == (1 if slack_posted_it else 2)


def test_without_history_scopes_an_ambiguous_failure_stays_at_most_once(
        cache, fake, market_data_dir):
    rule, day = _firing_day(cache, fake, market_data_dir)
    fake.fail("chat.postMessage", "internal_error", times=1)
    fake.fail("conversations.history", "missing_scope")
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))
    evaluator.run(day)
    evaluator.run(day)
    assert len(fake.calls("chat.postMessage")) == 1
    status = AlertStore(cache).get(rule.id).status
    assert "may not have reached Slack" in status and "channels:history" in status


def test_paused_rules_are_skipped_and_resume_starts_afresh(cache, fake, market_data_dir):
    rule = add_rule(cache, "ratio vs 200dma crosses 0")
    store = AlertStore(cache)
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))
    evaluator.run(date(2024, 7, 1))
    store.set_paused(rule.id, True)
    evaluator.run(date(2024, 7, 31))  # crossings in July happen while paused
    assert posted_events(fake.calls("chat.postMessage")) == []
    store.set_paused(rule.id, False)
    evaluator.run(date(2024, 8, 1))
    assert posted_events(fake.calls("chat.postMessage")) == []  # no replay of the pause
    assert store.get(rule.id).machine.last_date == date(2024, 8, 1)


def test_digests_post_once_per_period(cache, fake, market_data_dir):
    from bot.alerts.digest import DigestStore

    digests = DigestStore(cache)
    digests.set("CDAY", "daily", "U1")
    digests.set("CWEEK", "weekly", "U2")
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))
    for day in pd.bdate_range("2024-03-18", "2024-03-22"):
        evaluator.run(day.date())
        evaluator.run(day.date())  # a re-run posts nothing new
    posts = [c for c in fake.calls("chat.postMessage")
             if (c.params.get("metadata") or {}).get("event_type") == "smallcaps_digest"]
    channels = Counter(c.params["channel"] for c in posts)
    assert channels == {"CDAY": 5, "CWEEK": 1}
    weekly = next(c for c in posts if c.params["channel"] == "CWEEK")
    assert "Weekly digest (2024-W12)" in str(weekly.params["blocks"])
    assert len(fake.calls("files.completeUploadExternal")) == 6
    # one message per digest: each chart is shown inside its post, never shared beside it
    assert not [c for c in fake.calls("files.completeUploadExternal")
                if c.params.get("channel_id")]
    shown = Counter(u.params["channel"] for u in fake.calls("chat.update")
                    if any(b["type"] == "image" for b in u.params["blocks"]))
    assert shown == channels


def test_weekly_digest_goes_out_on_thursday_when_friday_is_good_friday(cache, fake,
                                                                         market_data_dir):
    from bot.alerts.digest import DigestStore

    DigestStore(cache).set("CWEEK", "weekly", "U2")
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))
    for day in ("2024-03-25", "2024-03-26", "2024-03-27", "2024-03-28"):  # 03-29 is closed
        evaluator.run(date.fromisoformat(day))
    posts = [c for c in fake.calls("chat.postMessage")
             if (c.params.get("metadata") or {}).get("event_type") == "smallcaps_digest"]
    assert len(posts) == 1 and "Weekly digest (2024-W13)" in str(posts[0].params["blocks"])


def test_a_rule_that_cannot_be_evaluated_does_not_stop_the_others(cache, fake, market_data_dir,
                                                                  monkeypatch):
    from bot.alerts import evaluator as evaluator_module

    broken = add_rule(cache, "gap 3y above 34")
    healthy = add_rule(cache, "gap 3y above 35")
    real_record = evaluator_module.alert_record

    def record(rule, *args):
        if rule.id == broken.id:
            raise ValueError("unexpected shape")
        return real_record(rule, *args)

    monkeypatch.setattr(evaluator_module, "alert_record", record)
    summary = make_evaluator(alert_deps(fake, cache, market_data_dir)).run(date(2024, 3, 26))
    assert posted_events(fake.calls("chat.postMessage")) == [(healthy.id, "2024-03-26", "fire")]
    assert summary.errors and "evaluation failed" in AlertStore(cache).get(broken.id).status


def _dead_pid() -> int:
    """The pid of a process of this host that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_lock_left_by_a_killed_run_on_this_host_is_taken_over_at_once(cache, fake,
                                                                          market_data_dir):
    rule, day = _firing_day(cache, fake, market_data_dir)
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))
    lock = cache.key("alerts", "lock", day.isoformat())
    cache.client.set(lock, f"{socket.gethostname()}:{_dead_pid()}:token", px=60_000)
    summary = evaluator.run(day)
    assert summary.skipped is None and summary.posts == 1
    assert not cache.client.exists(lock)  # released after the run


def test_a_lock_held_by_a_live_process_or_another_host_is_respected(cache, fake,
                                                                     market_data_dir):
    rule, day = _firing_day(cache, fake, market_data_dir)
    evaluator = make_evaluator(alert_deps(fake, cache, market_data_dir))
    lock = cache.key("alerts", "lock", day.isoformat())
    for holder in (f"{socket.gethostname()}:{os.getpid()}:token", f"elsewhere:{_dead_pid()}:t"):
        cache.client.set(lock, holder, px=60_000)
        assert evaluator.run(day).skipped
        assert cache.client.get(lock).decode() == holder
    assert fake.calls("chat.postMessage") == []
