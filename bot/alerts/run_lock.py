"""The per-day alert run lock, whose owner can be recognised as dead and replaced at once.

A run takes `alerts:lock:{day}` with SET NX and a 2-minute expiry, renewed as it goes, so a
second scheduler does not repeat the work (correctness rests on the outbox, not on this).
The lock's value names its owner, `host:pid:token`. When a run finds the lock taken by a
process of the same host that no longer exists (killed, crashed), it takes the lock over
at once by compare-and-set instead of skipping the day until the expiry; an owner on
another host cannot be checked from here, so its lock lapses after the expiry. (A recycled
pid of an unrelated process looks alive: the lock then lapses by expiry too.)
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any

import redis

from bot.alerts.store import AlertStoreError

logger = logging.getLogger(__name__)

LOCK_TTL_MS = 120_000
"""The lock lapses this long after the last renewal; a live run renews it after every rule
and every post."""
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_TAKE_OVER = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1
end
return 0
"""
_ERRORS = (redis.exceptions.RedisError, OSError)


def owner_value() -> str:
    """`host:pid:token` for a lock this process takes."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"


def owner_is_dead(value: str) -> bool:
    """True when `value` names a process of this host that no longer exists."""
    host, _, rest = value.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, owned by someone else
        return False
    return False


class RunLock:
    """One run's hold on the day's lock: `acquire()`, `renew()` while working, `release()`."""

    def __init__(self, client: redis.Redis, key: str) -> None:
        self.client = client
        self.key = key
        self.value = owner_value()

    def acquire(self) -> bool:
        """Take the lock, or take it over from a dead owner; False if a live run holds it.
        Raises AlertStoreError when Redis is unavailable."""
        try:
            if self.client.set(self.key, self.value, nx=True, px=LOCK_TTL_MS):
                return True
            holder = self.client.get(self.key)
            if holder is None:  # released meanwhile: try once more
                return bool(self.client.set(self.key, self.value, nx=True, px=LOCK_TTL_MS))
            held_by = holder.decode(errors="replace")
            if owner_is_dead(held_by) and self._eval(_TAKE_OVER, held_by, self.value,
                                                     LOCK_TTL_MS):
                logger.warning("Took over the alert run lock %s from a stopped process (%s)",
                               self.key, held_by.rsplit(":", 1)[0])
                return True
            return False
        except _ERRORS as exc:
            raise AlertStoreError("Alert storage (Redis) is not available.") from exc

    def renew(self) -> None:
        self._quiet(_RENEW, self.value, LOCK_TTL_MS)

    def release(self) -> None:
        self._quiet(_RELEASE, self.value)

    def _eval(self, script: str, *args: Any) -> int:
        return int(self.client.eval(script, 1, self.key, *args))

    def _quiet(self, script: str, *args: Any) -> None:
        try:
            self._eval(script, *args)
        except _ERRORS:
            logger.warning("Could not renew/release the alert run lock %s", self.key)
