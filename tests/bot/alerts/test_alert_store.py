"""Rules and the outbox on a real Redis: atomic limits, compare-and-set, exclusive claims."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import redis

from analytics.alert_rules import AlertState
from bot.alerts.outbox import MAX_ATTEMPTS, Outbox
from bot.alerts.store import AlertStore, AlertStoreError
from bot.runtime.cache import Cache
from handlers.alert_parsing import parse_rule

NOW = datetime(2024, 3, 26, 21, 0, tzinfo=UTC)


def spec(text: str = "gap 3y above 30 hysteresis 2"):
    return parse_rule(text.split())


def test_a_rule_round_trips_with_its_state_and_shows_in_channel_and_global_lists(cache):
    store = AlertStore(cache)
    outcome, rule = store.add("C1", "U1", spec(), NOW)
    assert outcome == "added" and rule is not None
    assert (rule.id, rule.channel_id, rule.creator_id) == ("A1", "C1", "U1")
    assert rule.description == "gap 3y above 30 hysteresis 2" and rule.spec == spec()
    assert (rule.state, rule.status, rule.paused, rule.last_error) == \
        ("new", "new (first evaluated after the next close)", False, None)
    store.add("C2", "U2", spec("ratio zscore below -2"), NOW)
    assert [r.id for r in store.list_rules("C1")] == ["A1"]
    assert [r.id for r in store.list_rules()] == ["A1", "A2"]


def test_duplicates_are_refused_and_a_channel_has_a_maximum(cache):
    store = AlertStore(cache, max_rules_per_channel=3)
    store.add("C1", "U1", spec(), NOW)
    outcome, existing = store.add("C1", "U2", spec(), NOW)
    assert outcome == "duplicate" and existing is not None and existing.id == "A1"
    for threshold in (31, 32):
        assert store.add("C1", "U1", spec(f"gap 3y above {threshold}"), NOW)[0] == "added"
    assert store.add("C1", "U1", spec("gap 3y above 33"), NOW) == ("full", None)
    assert store.add("C2", "U1", spec("gap 3y above 33"), NOW)[0] == "added"


def test_the_channel_limit_holds_under_concurrent_adds(cache):
    store = AlertStore(cache, max_rules_per_channel=25)
    results: list[str] = []
    barrier = threading.Barrier(8)

    def add(worker: int) -> None:
        barrier.wait()
        for i in range(10):
            results.append(store.add("C1", f"U{worker}", spec(f"gap 3y above {worker * 10 + i}"),
                                     NOW)[0])

    threads = [threading.Thread(target=add, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("added") == 25 and len(store.list_rules("C1")) == 25


def test_remove_and_resume_start_afresh(cache):
    store = AlertStore(cache)
    _, rule = store.add("C1", "U1", spec(), NOW)
    fired = AlertState("fired", None, date(2024, 3, 1), date(2024, 3, 1), 35.0, date(2024, 3, 1))
    assert store.commit(rule, fired, [], NOW) == 1
    assert store.set_paused(rule.id, True)
    assert store.get(rule.id).status == "paused"
    assert store.set_paused(rule.id, False)
    resumed = store.get(rule.id)
    assert resumed.machine == AlertState() and not resumed.paused
    assert store.remove(resumed) and store.get(rule.id) is None
    assert not store.remove(resumed) and not store.set_paused(rule.id, True)
    assert store.list_rules("C1") == []
    assert store.add("C1", "U1", spec(), NOW)[0] == "added"  # the description is free again


def test_commit_is_compare_and_set_on_the_version(cache):
    store = AlertStore(cache)
    _, rule = store.add("C1", "U1", spec(), NOW)
    state = AlertState("armed", None, None, None, 29.0, date(2024, 3, 26))
    outbox_key = Outbox(cache).key(rule.id, "2024-03-26", "fire")
    assert store.commit(rule, state, [(outbox_key, "{}")], NOW) == 1
    assert store.commit(rule, state, [(outbox_key, "{}")], NOW) == 0  # stale version
    fresh = store.get(rule.id)
    assert fresh.version == rule.version + 1 and fresh.machine == state
    assert fresh.last_value == 29.0 and fresh.last_value_date == date(2024, 3, 26)
    store.remove(fresh)
    assert store.commit(fresh, state, [], NOW) == -1


def test_errors_show_until_the_same_kind_succeeds(cache):
    store = AlertStore(cache)
    _, rule = store.add("C1", "U1", spec(), NOW)
    store.set_error(rule.id, "delivery", "Slack refused the post (not_in_channel)")
    assert store.get(rule.id).status == "error: Slack refused the post (not_in_channel)"
    store.clear_error(rule.id, "evaluation")
    assert store.get(rule.id).last_error is not None
    store.clear_error(rule.id, "delivery")
    assert store.get(rule.id).last_error is None
    store.remove(rule)
    store.set_error(rule.id, "delivery", "late")  # a removed rule is not resurrected
    assert store.get(rule.id) is None


def test_an_outbox_record_is_created_once_and_claimed_by_one_process(cache):
    outbox = Outbox(cache)
    key = outbox.key("A1", "2024-03-26", "fire")
    assert outbox.create(key, {"rule_id": "A1", "day": "2024-03-26"}, NOW)
    assert not outbox.create(key, {"rule_id": "A1", "day": "other"}, NOW)
    [entry] = outbox.open_entries()
    assert entry.status == "pending" and entry.record["day"] == "2024-03-26"
    winners = []
    barrier = threading.Barrier(6)

    def claim(token: str) -> None:
        barrier.wait()
        if outbox.claim(entry, token, NOW):
            winners.append(token)

    threads = [threading.Thread(target=claim, args=(f"t{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    assert not outbox.finish(key, "someone-else", "sent")
    assert outbox.finish(key, winners[0], "sent", ts="1.2")
    assert outbox.open_entries() == [] and outbox.load(key).status == "sent"
    assert not outbox.claim(outbox.load(key), "again", NOW)


def test_a_refused_record_is_retried_only_up_to_the_limit(cache):
    outbox = Outbox(cache)
    key = outbox.key("A1", "2024-03-26", "fire")
    outbox.create(key, {"rule_id": "A1"}, NOW)
    for attempt in range(MAX_ATTEMPTS):
        assert outbox.claim(outbox.load(key), f"t{attempt}", NOW)
        assert outbox.finish(key, f"t{attempt}", "failed", error="not_in_channel")
    assert not outbox.claim(outbox.load(key), "late", NOW)


def test_store_errors_are_explicit_when_redis_is_gone(dead_redis):
    store = AlertStore(Cache(dead_redis))
    for call in (lambda: store.add("C1", "U1", spec(), NOW), lambda: store.list_rules("C1"),
                 lambda: store.get("A1")):
        try:
            call()
        except AlertStoreError as exc:
            assert "Redis" in str(exc)
        else:  # pragma: no cover - the assertion is the point
            raise AssertionError("expected AlertStoreError")
    assert isinstance(dead_redis, redis.Redis)
