"""Channel digests: `/smallcaps digest daily|weekly|off`, posted by the alert run.

Subscriptions live in one Redis hash (`alerts:digests`, channel -> JSON). Each run makes
an outbox record per due digest, keyed by channel and period (the data day for `daily`, the
ISO week for `weekly`), so a digest is posted once per period however often the run goes.
`weekly` is due from the run of the week's last NYSE trading day on (Friday in most weeks,
Thursday when Friday is a holiday such as Good Friday).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

import redis

from bot.alerts.store import AlertStoreError
from bot.data.trading_calendar import nyse
from bot.runtime.cache import Cache

Frequency = Literal["daily", "weekly"]


@dataclass(frozen=True)
class DigestSubscription:
    channel_id: str
    frequency: Frequency
    creator_id: str
    created_at: str


class DigestStore:
    """Which channels get a digest, and how often."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.key = cache.key("alerts", "digests")

    def _client(self) -> redis.Redis:
        if self.cache.client is None:
            raise AlertStoreError("Alert storage (Redis) is not available right now.")
        return self.cache.client

    def _do(self, action: str, *args: Any) -> Any:
        try:
            return getattr(self._client(), action)(self.key, *args)
        except (redis.exceptions.RedisError, OSError) as exc:
            raise AlertStoreError("Alert storage (Redis) is not available right now.") from exc

    def get(self, channel_id: str) -> DigestSubscription | None:
        raw = self._do("hget", channel_id)
        return DigestSubscription(**json.loads(raw)) if raw else None

    def set(self, channel_id: str, frequency: Frequency, creator_id: str,
            now: datetime | None = None) -> DigestSubscription:
        sub = DigestSubscription(channel_id, frequency, creator_id,
                                 (now or datetime.now(UTC)).isoformat(timespec="seconds"))
        self._do("hset", channel_id, json.dumps(sub.__dict__))
        return sub

    def remove(self, channel_id: str) -> bool:
        return bool(self._do("hdel", channel_id))

    def all(self) -> list[DigestSubscription]:
        raw = self._do("hgetall")
        return sorted((DigestSubscription(**json.loads(v)) for v in raw.values()),
                      key=lambda s: s.channel_id)


def digest_period(sub: DigestSubscription, as_of: date, data_day: date) -> str | None:
    """The period a digest run on `as_of` covers ('2024-03-26' or '2024-W13'), or None
    when the digest is not due (a weekly digest before the week's last trading day)."""
    if sub.frequency == "daily":
        return data_day.isoformat()
    last = nyse().last_session_of_week(as_of)
    if last is None or as_of < last.day:
        return None
    year, week, _ = as_of.isocalendar()
    return f"{year}-W{week:02d}"


def digest_record(sub: DigestSubscription, period: str, as_of: date) -> dict[str, Any]:
    """What the delivery needs to post one digest."""
    return {"type": "digest", "channel_id": sub.channel_id, "frequency": sub.frequency,
            "creator_id": sub.creator_id, "period": period, "as_of": as_of.isoformat(),
            "day": as_of.isoformat()}
