"""Durable state and Redis' eviction policy (issue #21 item 4). The bot runs on `noeviction`:
a policy that may evict state is reported (log at start, /healthz, `status`, a metric), and
when Redis fills up under `noeviction` the cache's writes fail open: commands are still
answered and every rule is kept."""

from __future__ import annotations

import urllib.request

import redis

from bot.alerts.store import AlertStore
from bot.runtime.cache import Cache
from tests.fake_slack import FakeSlack
from tests.field.harness import Processes, RedisServer, healthz, wait_until
from tests.field.traffic import Traffic

EVICTING = ("allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu",
            "volatile-random", "volatile-ttl")
RULES = ("gap 3y above 0", "gap 1y etf above -100", "gap 5y below 50")


def test_a_policy_that_can_evict_state_is_reported(redis_srv: RedisServer, procs: Processes,
                                                   fake: FakeSlack, field_port: int):
    redis_srv.maxmemory("64mb", "allkeys-lru")
    serve = procs.serve(field_port, SMALLCAPS_WEB_WORKERS="1")
    assert "maxmemory-policy is allkeys-lru" in procs.log_of(serve)
    traffic = Traffic(fake, field_port)
    traffic.send("status", 1, tag="status")
    traffic.wait_answered(60)
    wait_until(lambda: "maxmemory-policy allkeys-lru" in str([c.params for c in fake.calls()]),
               10, "status to warn about the policy")
    with urllib.request.urlopen(f"http://127.0.0.1:{field_port}/metrics", timeout=5) as page:
        assert "smallcaps_redis_can_evict_state 1.0" in page.read().decode()
    said = {}
    for policy in (*EVICTING, "noeviction"):
        redis_srv.maxmemory("64mb", policy)
        status, checks = healthz(field_port)
        said[policy] = checks.get("redis_policy")
        assert status == 200, checks  # a risk, not an outage
    assert all(policy in str(said[policy]) for policy in EVICTING), said
    assert said["noeviction"] is None


def test_a_full_redis_under_noeviction_keeps_every_rule_and_answers(
        redis_srv: RedisServer, procs: Processes, fake: FakeSlack, field_port: int):
    procs.serve(field_port, SMALLCAPS_WEB_WORKERS="2")
    traffic = Traffic(fake, field_port)
    for rule in RULES:
        traffic.send(f"alert add {rule}", tag="rule")
    traffic.wait_answered(60)
    client = redis_srv.client()
    used = int(client.info("memory")["used_memory"])
    redis_srv.maxmemory(used + 2_000_000, "noeviction")
    filler = b"x" * 100_000
    for i in range(200):  # the report cache grows until Redis is full
        try:
            client.set(f"smallcaps:filler:{i}", filler, ex=3600)
        except redis.exceptions.OutOfMemoryError:
            break
    else:
        raise AssertionError("Redis never filled up")
    statuses = traffic.send("gap 1y as-of 2024-03-04", 3, tag="full")
    statuses += traffic.send("alert list", 1, tag="list")
    traffic.wait_answered(90)
    figures = traffic.figures()
    print(f"\nFIELD full redis (noeviction): {figures}")
    assert statuses == [200] * 4 and figures["lost"] == figures["duplicated"] == 0
    rules = AlertStore(Cache(redis_srv.client())).list_rules()
    assert sorted(r.description for r in rules) == sorted(RULES)
