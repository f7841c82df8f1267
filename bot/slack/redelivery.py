"""Every event and request from Slack is answered once, however often it arrives.

Slack redelivers an event it thinks was not acknowledged in time (header `X-Slack-Retry-Num`
over HTTP, `retry_attempt` in the Socket Mode envelope, which Bolt turns into the same
header), and a signed HTTP request can be replayed within the 5 minutes its timestamp is
accepted. bolt-python runs the listener again each time (bolt-python issues 731, 868, 1027),
so the bot posted the answer and its chart twice.

A global Bolt middleware (after Bolt's own signature check, so only verified requests are
remembered) computes one stable key per delivery and marks it in Redis with `SET NX` and an
expiry, shared by every replica that uses the same Redis. The first delivery runs; a repeat
is acknowledged with an empty 200 and its listener never runs. The key is, in this order:

1. `event_id` (Events API, HTTP and Socket Mode alike): the same on every redelivery, while
   each retry is a new HTTP request with a new timestamp and signature. Kept 1 hour (Slack
   retries three times, the last about 5 minutes after the first).
2. HTTP mode, anything else: the request's (`X-Slack-Request-Timestamp`,
   `X-Slack-Signature`). Two different requests cannot share it (the signature is an HMAC
   of the timestamp and body), and a replay reuses it. Kept 10 minutes: Bolt refuses
   timestamps more than 5 minutes off, so an older replay never gets this far.
3. Socket Mode, anything else (slash commands, button clicks): there is no signature, and
   Bolt does not pass the envelope id on, so the payload's `trigger_id`: Slack issues one
   per user invocation (every slash command and interaction carries one), it is the same
   in every copy of that payload, and a new invocation gets a new one. Kept 1 hour.

A request with none of these (none that Slack sends) is not checked. When Redis cannot be
reached the request is answered anyway and the fact is logged: a possible duplicate is
better than silence (at-least-once).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot.runtime.cache import Cache

logger = logging.getLogger(__name__)

EVENT_TTL_S = 3600
SIGNATURE_TTL_S = 600
TRIGGER_TTL_S = 3600


def _header(req: BoltRequest, name: str) -> str | None:
    values = req.headers.get(name) or []
    return values[0] if values else None


def delivery_key(req: BoltRequest) -> tuple[str, str, int] | None:
    """(kind, id, seconds to remember it) for a verified request, or None when it has no
    stable identity. Kinds: 'event' (event_id), 'signature' (HTTP timestamp and signature,
    hashed), 'trigger' (Socket Mode trigger_id)."""
    body: dict[str, Any] = req.body if isinstance(req.body, dict) else {}
    event_id = body.get("event_id")
    if isinstance(event_id, str) and event_id:
        return "event", event_id, EVENT_TTL_S
    signature = _header(req, "x-slack-signature")
    timestamp = _header(req, "x-slack-request-timestamp")
    if req.mode == "http" and signature and timestamp:
        digest = hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()[:32]
        return "signature", digest, SIGNATURE_TTL_S
    trigger_id = body.get("trigger_id")
    if isinstance(trigger_id, str) and trigger_id:
        return "trigger", trigger_id, TRIGGER_TTL_S
    return None


class Deliveries:
    """Which deliveries were already answered, in Redis (shared by every replica)."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def first_time(self, kind: str, ident: str, ttl_s: int) -> bool:
        """True for the first delivery of (kind, ident), False for a repeat; True (and a
        warning in the log) when Redis cannot tell."""
        seen = self.cache.claim(self.cache.key("delivery", kind, ident), ttl_s)
        if seen is None:
            logger.warning("Could not check whether %s %s was already answered (Redis "
                           "unavailable); answering it", kind, ident)
            return True
        return seen


def answer_once(deliveries: Deliveries) -> Callable[..., BoltResponse | None]:
    """A global Bolt middleware that acks repeats with an empty 200 without running them."""

    def answer_once_middleware(req: BoltRequest, next: Callable[[], None]  # noqa: A002
                               ) -> BoltResponse | None:
        key = delivery_key(req)
        if key is None or deliveries.first_time(*key):
            next()
            return None
        retry = _header(req, "x-slack-retry-num")
        logger.info("Acked a repeat of %s %s without answering it again (retry %s, %s)",
                    key[0], key[1], retry or "-", _header(req, "x-slack-retry-reason") or "-")
        return BoltResponse(status=200, body="")

    return answer_once_middleware


def register(app: App, cache: Cache) -> None:
    """Install the once-only middleware on `app` (before any listener runs)."""
    app.use(answer_once(Deliveries(cache)))
