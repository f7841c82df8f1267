"""Cache behaviour against a real Redis server, and without one."""

from __future__ import annotations

import threading
import time

from bot.runtime.cache import Cache


def test_hash_round_trip_with_expiry(cache):
    cache.set_hash(cache.key("k"), {"a": b"\x00\x01", "b": "text"}, ttl_s=100)
    assert cache.get_hash(cache.key("k")) == {b"a": b"\x00\x01", b"b": b"text"}
    assert 90 <= cache.client.ttl(cache.key("k")) <= 100


def test_single_flight_computes_once_for_concurrent_callers(cache):
    calls = []
    results = []

    def compute():
        calls.append(1)
        time.sleep(0.3)
        return {"v": b"42"}, 60

    def worker():
        results.append(cache.single_flight(cache.key("sf"), compute))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert results == [{b"v": b"42"}] * 8


def test_lock_is_released_only_by_its_owner(cache):
    key = cache.key("lock")
    token = cache.acquire(key, 10_000)
    assert token is not None and cache.acquire(key, 10_000) is None
    cache.release(key, "someone-else")
    assert cache.acquire(key, 10_000) is None
    cache.release(key, token)
    assert cache.acquire(key, 10_000) is not None


def test_a_crashed_winner_lets_a_waiter_take_over(cache):
    key = cache.key("crash")
    assert cache.acquire(key + ":lock", 200) is not None  # a winner that never finishes
    started = time.monotonic()
    fields = cache.single_flight(key, lambda: ({"v": b"mine"}, 60))
    assert fields == {b"v": b"mine"}
    assert time.monotonic() - started < 5


def test_without_redis_everything_is_a_miss_and_still_computes(dead_redis):
    cache = Cache(dead_redis)
    assert cache.get_hash("x") is None
    cache.set_hash("x", {"a": b"1"}, 10)  # no exception
    assert cache.single_flight("x", lambda: ({"a": b"1"}, 10)) == {b"a": b"1"}
    assert cache.healthy() is False


def test_a_field_is_computed_once_and_joins_its_hash_with_its_expiry(cache):
    key = cache.key("report")
    cache.set_hash(key, {"payload": b"{}", "computed": b"v1"}, ttl_s=100)
    calls, results = [], []

    def draw():
        calls.append(1)
        time.sleep(0.3)
        return b"png"

    threads = [threading.Thread(
        target=lambda: results.append(cache.field_once(key, "chart", draw, ("computed", b"v1"))))
        for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and results == [b"png"] * 6
    assert cache.get_hash(key) == {b"payload": b"{}", b"computed": b"v1", b"chart": b"png"}
    assert 90 <= cache.client.ttl(key) <= 100


def test_a_field_is_not_added_to_a_hash_computed_again_meanwhile(cache):
    key = cache.key("report")
    cache.set_hash(key, {"payload": b"new", "computed": b"v2"}, ttl_s=100)
    assert cache.field_once(key, "chart", lambda: b"old png", ("computed", b"v1")) == b"old png"
    assert b"chart" not in cache.get_hash(key)  # the new payload's chart is not the old one
    cache.set_hash(key, {"payload": b"new", "computed": b"v2", "chart": b"new png"}, None)
    assert cache.field_once(key, "chart", lambda: b"drawn", ("computed", b"v1")) == b"drawn"


def test_a_field_without_redis_is_computed(dead_redis):
    cache = Cache(dead_redis)
    assert cache.field_once(cache.key("k"), "chart", lambda: b"png", ("computed", b"v")) \
        == b"png"
