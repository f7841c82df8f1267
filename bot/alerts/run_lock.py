"""The per-day alert run lock: a Redis lease renewed while the run lives, whose owner can be
recognised as dead (and replaced at once) even when it had the same pid as its successor.

A run takes `alerts:lock:{day}` with redis-py's `Lock` (SET NX with a LEASE_S expiry; release
and renewal compare the owner's token), so a second scheduler does not repeat the work
(correctness rests on the outbox, not on this). A thread renews the lease every LEASE_S / 3
while the run lasts, so a slow Slack cannot make it lapse under a live run, and a killed
run's lease lapses within LEASE_S wherever it ran.

The token names its owner: `host:pid:start:boot:random`, `start` being the process's start
time (clock ticks after boot, /proc/PID/stat) and `boot` the kernel's boot id. A pid alone
does not name a process: in a container the scheduler is pid 1, and so is its successor
after a restart, on the same host name; `os.kill(1, 0)` then answers for the successor
itself. When the holder is of this host and boot and its pid is gone or belongs to a process
started at another time, it is dead: the lock is taken over at once (compare-and-delete,
then SET NX). A holder of another host or boot cannot be checked from here: its lease lapses.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import uuid
from pathlib import Path

import redis
from redis.exceptions import LockError
from redis.lock import Lock

from bot.alerts.store import AlertStoreError

logger = logging.getLogger(__name__)

LEASE_S = 30.0
"""The lock lapses this long after the last renewal (a killed run's lock, at the latest)."""
_ERRORS = (redis.exceptions.RedisError, OSError)


@functools.cache
def boot_id() -> str:
    """The kernel's boot id ('' where there is none, e.g. outside Linux)."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def start_time(pid: int) -> str:
    """When process `pid` started, in clock ticks after boot ('' if it cannot be read)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat.rpartition(")")[2].split()  # the name in parentheses may contain spaces
    return fields[19] if len(fields) > 19 else ""  # field 22 of proc(5)


def process_identity() -> str:
    """`host:pid:start:boot` of this process: unique on a host across pid reuse and restarts."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{start_time(pid)}:{boot_id()}"


def owner_value() -> str:
    """The token of a lock (or outbox claim) this process takes: its identity + a random part."""
    return f"{process_identity()}:{uuid.uuid4().hex}"


def owner_is_dead(value: str) -> bool:
    """True when `value` (an `owner_value()`) names a process of this host and boot that no
    longer runs: its pid is gone, or now belongs to a process started at another time."""
    parts = value.split(":")
    if len(parts) < 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    start = parts[2] if len(parts) >= 5 else ""  # older tokens: host:pid:random
    if len(parts) >= 5 and parts[3] != boot_id():
        return False  # another machine of the same name, or before a reboot: the lease decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, owned by someone else: compare its start below
        pass
    now = start_time(pid)
    return bool(start and now) and now != start


class RunLock:
    """One run's hold on the day's lock: `acquire()`, `renew()` while working, `release()`."""

    def __init__(self, client: redis.Redis, key: str, lease_s: float = LEASE_S) -> None:
        self.client = client
        self.key = key
        self.value = owner_value()
        self.lease_s = lease_s
        self._lock = Lock(client, key, timeout=lease_s, blocking=False, thread_local=False)
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def acquire(self) -> bool:
        """Take the lock, or take it over from a dead owner; False if a live run (or one that
        cannot be checked, until its lease lapses) holds it. AlertStoreError: no Redis."""
        try:
            if not self._take():
                return False
        except _ERRORS as exc:
            raise AlertStoreError("Alert storage (Redis) is not available.") from exc
        self._heartbeat = threading.Thread(target=self._beat, daemon=True,
                                           name=f"lease {self.key}")
        self._heartbeat.start()
        return True

    def _take(self) -> bool:
        if self._lock.acquire(token=self.value):
            return True
        holder = self.client.get(self.key)
        if holder is None:  # released meanwhile: try once more
            return bool(self._lock.acquire(token=self.value))
        held_by = holder.decode() if isinstance(holder, bytes) else str(holder)
        if not owner_is_dead(held_by):
            return False
        try:
            self._lock.do_release(held_by)  # only if the dead owner still holds it
        except LockError:
            return False  # another successor was quicker
        if not self._lock.acquire(token=self.value):
            return False
        logger.warning("Took over the alert run lock %s from a stopped process (%s)",
                       self.key, held_by.rsplit(":", 1)[0])
        return True

    def _beat(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            self.renew()

    def renew(self) -> None:
        """Start the lease afresh (the heartbeat does this; a failure is logged)."""
        try:
            self._lock.reacquire()
        except LockError:
            logger.warning("The alert run lock %s was lost (lease lapsed)", self.key)
        except _ERRORS:
            logger.warning("Could not renew the alert run lock %s", self.key)

    def release(self) -> None:
        """Stop renewing and delete the lock if it is still ours."""
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=5)
        try:
            self._lock.release()
        except LockError:
            logger.warning("The alert run lock %s had lapsed before release", self.key)
        except _ERRORS:
            logger.warning("Could not release the alert run lock %s", self.key)
