"""What /healthz checks, and whether the Redis can evict the bot's state.

`/healthz` must not lie: a Redis that answers PING but refuses writes (a replica after a
failover, MISCONF after a failed save, OOM under `noeviction`) cannot take a reply job or a
rule, dead reply workers answer nothing, and a queue whose oldest reply has waited minutes
is not serving anyone. `check_health` answers ready only when all of these hold:

- **redis**: a small write (`SET` with a 60 s expiry) succeeds now;
- **queue**: the reply queue can be read, and its oldest job waited at most
  `max_reply_wait_s` (SMALLCAPS_MAX_REPLY_WAIT_S);
- **reply_workers**: as many in-process reply workers run as configured
  (SMALLCAPS_WEB_WORKERS), when the caller supervises some.

`eviction_risk` reads `maxmemory-policy`: any policy but `noeviction` may delete the bot's
durable state (rules, schedules, outbox and delivery records, locks) when the report cache
fills the memory (`allkeys-*` any key, `volatile-*` every key with an expiry, and delivery
records and locks have one). The bot is meant for `noeviction`, where a full Redis refuses
writes and every cache write fails open (bot.runtime.cache). The risk is reported, not
fatal: a warning at start, a field of /healthz and `status`, and the gauge
`smallcaps_redis_can_evict_state`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import redis

from bot.runtime.cache import CacheErrors, as_text
from bot.runtime.deps import Deps
from bot.runtime.metrics import EVICTION_RISK

logger = logging.getLogger(__name__)

SAFE_POLICY = "noeviction"
PROBE_TTL_S = 60
WorkerCount = Callable[[], tuple[int, int]]
"""() -> (running, configured) in-process reply workers."""


def eviction_risk(client: redis.Redis | None) -> str | None:
    """The server's `maxmemory-policy` when it may evict state (anything but `noeviction`),
    None when it is safe or cannot be read (managed services may forbid CONFIG: then INFO
    is asked)."""
    if client is None:
        return None
    policy: str | None = None
    try:
        policy = str(client.config_get("maxmemory-policy").get("maxmemory-policy") or "")
    except CacheErrors:
        try:
            policy = str(client.info("memory").get("maxmemory_policy") or "")
        except CacheErrors:
            return None
    return policy if policy and policy != SAFE_POLICY else None


def warn_if_evictable(client: redis.Redis | None) -> str | None:
    """Log a warning and set the gauge when the Redis may evict state; returns the policy."""
    policy = eviction_risk(client)
    EVICTION_RISK.set(1 if policy else 0)
    if policy:
        logger.warning("Redis maxmemory-policy is %s: when memory fills it may delete alert "
                       "rules, schedules and delivery records. Set it to noeviction "
                       "(docs/production.md, Redis eviction policy).", policy)
    return policy


def oldest_wait_s(client: redis.Redis, queue_key: str, now: float | None = None) -> float:
    """Seconds the oldest job of RQ queue `queue_key` has waited (0 when empty)."""
    head = client.lindex(queue_key, 0)
    if head is None:
        return 0.0
    raw = client.hget(f"rq:job:{as_text(head)}", "enqueued_at")
    if not raw:
        return 0.0
    text = as_text(raw).rstrip("Z")
    try:
        enqueued = datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return 0.0
    return max(0.0, (time.time() if now is None else now) - enqueued)


def check_health(deps: Deps, workers: WorkerCount | None = None,
                 max_reply_wait_s: float | None = None) -> tuple[bool, dict[str, Any]]:
    """(ready, checks) for /healthz (module docstring); never raises."""
    client = deps.cache.client
    checks: dict[str, Any] = {}
    if client is None:
        return False, {"redis": "unavailable"}
    try:
        client.set(deps.cache.key("health", "probe"), b"1", ex=PROBE_TTL_S)
        checks["redis"] = "ok"
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
        checks["redis"] = "unavailable"
    except CacheErrors as exc:
        checks["redis"] = f"refuses writes: {_reason(exc)}"
    ok = checks["redis"] == "ok"
    if checks["redis"] == "unavailable":
        return False, checks
    queue = deps.reply_queue
    waiting = queue.depth()
    checks["replies_waiting"] = waiting
    checks["queue"] = "ok" if waiting is not None else "unavailable"
    ok = ok and waiting is not None
    bound = max_reply_wait_s if max_reply_wait_s is not None \
        else deps.settings.smallcaps_max_reply_wait_s
    if waiting and queue.use_queue:
        try:
            age = oldest_wait_s(client, queue.queue().key)
        except CacheErrors:
            age = 0.0
        checks["oldest_reply_s"] = round(age, 1)
        if age > bound:
            checks["queue"] = f"oldest reply waited {age:.0f} s (over {bound:.0f} s)"
            ok = False
    if workers is not None:
        running, configured = workers()
        checks["reply_workers"] = f"{running}/{configured}"
        ok = ok and running >= configured
    policy = eviction_risk(client) if checks["redis"] == "ok" else None
    if policy:
        checks["redis_policy"] = f"{policy} may evict state; use noeviction"
    return ok, checks


def _reason(exc: Exception) -> str:
    """The first words of a Redis error (no addresses, no arguments)."""
    text = str(exc).split(".")[0].split("\n")[0][:80]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
