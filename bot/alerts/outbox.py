"""The posting outbox: what makes every alert and digest post happen at most once.

One record per (rule id, event day, kind) - or (channel, digest period) - at
`alerts:outbox:{...}`, created only if absent (atomically with the rule's state transition),
so re-running a day cannot create it twice. A record moves:

    pending --claim--> sending --posted--> sent
       ^                  |---Slack said no--> failed --(next run, < MAX_ATTEMPTS)--> sending
       |                  |---no answer, not in the history--> failed + check (same)
       |                  |---no answer, history unreadable--> uncertain (never re-sent)
       (created once)     '---rule gone / paused--> dropped

Claiming is compare-and-set (only one process gets a record), and a record is claimed
BEFORE the post and marked after it; the claim token names the claiming process
(bot.alerts.run_lock.owner_value). A crash between the two leaves it `sending`; once that
process is gone (or the claim is stale), a later run looks for the post in the channel's
history: found -> sent, absent -> posted. A `failed` record with `check` had an unclear
answer: it is looked up in the history before it is posted again. Only when the history
cannot be read (no scope) does a record end `uncertain`, reported on the rule instead of
posting again: Slack's chat.postMessage has no idempotency key, so a blind resend would be a
duplicate whenever the answer was lost. Open records (pending, sending, failed) are indexed
in `alerts:outbox-open`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

from bot.alerts.store import AlertStoreError
from bot.runtime.cache import Cache, as_text, raw_hash

MAX_ATTEMPTS = 5
"""A record Slack refused (e.g. bot not in a private channel) is retried on later runs,
this many attempts in all, then abandoned."""
DONE_TTL_S = 400 * 86400
"""Finished records are kept this long (a re-run of last year's days is still a no-op)."""
TERMINAL = frozenset({"sent", "uncertain", "dropped", "abandoned"})

_CREATE = """
if redis.call('exists', KEYS[1]) == 1 then return 0 end
redis.call('hset', KEYS[1], 'status', 'pending', 'record', ARGV[1], 'attempts', '0',
           'created_at', ARGV[2])
redis.call('sadd', KEYS[2], KEYS[1])
return 1
"""
_CLAIM = """
local st = redis.call('hget', KEYS[1], 'status')
if st ~= 'pending' and st ~= 'failed' then return 0 end
local n = tonumber(redis.call('hget', KEYS[1], 'attempts') or '0')
if n >= tonumber(ARGV[3]) then return 0 end
redis.call('hset', KEYS[1], 'status', 'sending', 'token', ARGV[1], 'claimed_at', ARGV[2],
           'attempts', n + 1)
return 1
"""
_FINISH = """
if redis.call('hget', KEYS[1], 'status') ~= ARGV[2] then return 0 end
if redis.call('hget', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('hset', KEYS[1], 'status', ARGV[3], unpack(ARGV, 6))
if ARGV[4] == '1' then
  redis.call('srem', KEYS[2], KEYS[1])
  redis.call('expire', KEYS[1], tonumber(ARGV[5]))
end
return 1
"""


@dataclass(frozen=True)
class OutboxEntry:
    """One record as read from Redis."""

    key: str
    status: str
    record: dict[str, Any]
    attempts: int
    token: str
    claimed_at: datetime | None
    error: str
    check: bool = False
    """The last post's answer was unclear: look in the channel's history before posting."""


class Outbox:
    """Create, claim and finish outbox records (all compare-and-set)."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    @property
    def client(self) -> redis.Redis:
        if self.cache.client is None:
            raise AlertStoreError("Alert storage (Redis) is not available right now.")
        return self.cache.client

    @property
    def open_key(self) -> str:
        return self.cache.key("alerts", "outbox-open")

    def key(self, *parts: str) -> str:
        return self.cache.key("alerts", "outbox", *parts)

    def _eval(self, script: str, keys: list[str], args: list[Any]) -> int:
        try:
            return int(self.client.eval(script, len(keys), *keys, *args))
        except (redis.exceptions.RedisError, OSError) as exc:
            raise AlertStoreError(f"Alert storage (Redis) failed ({type(exc).__name__}).") \
                from exc

    def create(self, key: str, record: dict[str, Any], now: datetime) -> bool:
        """A new pending record at `key`, unless one exists (then False, nothing changes)."""
        return bool(self._eval(_CREATE, [key, self.open_key],
                               [json.dumps(record), _iso(now)]))

    def open_entries(self) -> list[OutboxEntry]:
        """Records not finished yet (pending, sending, failed), oldest first."""
        keys = sorted(as_text(k) for k in self.client.smembers(self.open_key))
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.hgetall(key)
        entries = [_entry(k, f) for k, f in zip(keys, pipe.execute(), strict=True) if f]
        return sorted(entries, key=lambda e: (e.record.get("day", ""), e.key))

    def load(self, key: str) -> OutboxEntry | None:
        fields = self.client.hgetall(key)
        return _entry(key, raw_hash(fields)) if fields else None

    def claim(self, entry: OutboxEntry, token: str, now: datetime) -> bool:
        """Take `entry` for posting; False if another process has it or it is finished."""
        return bool(self._eval(_CLAIM, [entry.key], [token, _iso(now), MAX_ATTEMPTS]))

    def finish(self, key: str, token: str, status: str, expect: str = "sending",
               **fields: str) -> bool:
        """Move a record we claimed (`token`) from `expect` to `status`, with extra fields."""
        flat = [x for kv in fields.items() for x in kv]
        terminal = "1" if status in TERMINAL else "0"
        return bool(self._eval(_FINISH, [key, self.open_key],
                               [token, expect, status, terminal, DONE_TTL_S, *flat]))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _entry(key: str, fields: dict[bytes, bytes]) -> OutboxEntry:
    def text(name: str) -> str:
        value = fields.get(name.encode())
        return value.decode() if value else ""

    claimed = text("claimed_at")
    return OutboxEntry(key=key, status=text("status"), record=json.loads(text("record") or "{}"),
                       attempts=int(text("attempts") or 0), token=text("token"),
                       claimed_at=datetime.fromisoformat(claimed) if claimed else None,
                       error=text("error"), check=text("check") == "1")
