"""Replies on a job queue (RQ on the bot's Redis), each delivered once.

The web process verifies, parses and acks a command, then enqueues a reply job; worker
threads (inside `serve`) or `smallcaps worker` processes, on any machine sharing the Redis,
compute, render and post it. RQ was chosen by measurement on this 2-core machine (60 jobs,
one worker, the machine's Redis): enqueue-to-start p50 4.5 ms / p95 13 ms and 37 MB RSS for
RQ's non-forking SimpleWorker, against 31 ms / 64 ms and 54 MB for Dramatiq (and 39 ms for
RQ's forking worker, which also throws away the warm caches every job). RQ retries a job
whose worker died (its entry in the started registry expires) when the job has retries left.

A re-run job must not post twice: every visible Slack call of a job (each chat.postMessage,
chart upload and response_url POST, counted in order; bot.slack.once_client) is a step of the
request's delivery record in Redis, `replies:delivery:{request id}`, claimed by
compare-and-set before the call and marked after, like the alert outbox. A re-run skips
the steps already done; a step claimed but never confirmed (the worker died waiting for
Slack) is not repeated (Slack has no idempotency key), and the user is told once that the
answer may be missing.

Without Redis (it went away, or tests build the bot without a queue) jobs run in the
process's own reply pool (bot.runtime.workers), as before.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any, Literal, cast

import redis

from bot.runtime.cache import Cache, CacheErrors, as_text
from bot.runtime.workers import ReplyPool

logger = logging.getLogger(__name__)

QUEUE_NAME = "smallcaps-replies"
JOB_FUNCTION = "bot.listeners.jobs.run_queued"
"""What workers call: `run_queued(kind, payload)` (the commands layer turns it into a reply)."""
JOB_TIMEOUT_S = 60
"""A reply job is killed after this long; RQ treats a worker silent for this + 60 s as dead
and retries its job."""
JOB_RETRIES = 2
DELIVERY_TTL_S = 86400
"""Delivery records outlive any retry (Slack's response_url itself expires after 30 min)."""

_CLAIM = """
local st = redis.call('hget', KEYS[1], ARGV[1])
if not st then
  redis.call('hset', KEYS[1], ARGV[1], 'sending')
  redis.call('expire', KEYS[1], ARGV[2])
  return 'go'
end
return st
"""

Step = Literal["go", "sent", "sending", "uncertain"]


class DeliveryRecord:
    """The steps of one request's reply that have reached Slack (module docstring)."""

    def __init__(self, cache: Cache, request_id: str) -> None:
        self.cache = cache
        self.key = cache.key("replies", "delivery", request_id)

    def claim(self, step: str) -> Step:
        """'go' (now ours: make the call), 'sent' (done before: skip), 'sending' (claimed
        before and never confirmed: do not repeat). 'go' when Redis is unavailable too: a
        reply without a record is better than none."""
        client = self.cache.client
        if client is None:
            return "go"
        try:
            state = client.eval(_CLAIM, 1, self.key, step, DELIVERY_TTL_S)
        except CacheErrors:
            return "go"
        return cast(Step, as_text(state))  # _CLAIM answers one of the steps

    def mark(self, step: str, state: str) -> None:
        """Record `state` ('sent', or 'uncertain' once reported) for `step`."""
        self._quiet(lambda c: c.hset(self.key, step, state))

    def note(self, step: str) -> str | None:
        """What was recorded for `step` (None: nothing, or Redis is unavailable)."""
        if self.cache.client is None:
            return None
        try:
            value = self.cache.client.hget(self.key, step)
        except CacheErrors:
            return None
        return value.decode() if isinstance(value, bytes) else value

    def release(self, step: str) -> None:
        """Slack refused the call (nothing was posted): a re-run may try the step again."""
        self._quiet(lambda c: c.hdel(self.key, step))

    def _quiet(self, action: Callable[[redis.Redis], Any]) -> None:
        if self.cache.client is None:
            return
        try:
            action(self.cache.client)
        except CacheErrors:
            logger.warning("Could not update delivery record %s", self.key)


class OnceSteps:
    """Numbers a job's Slack calls in order and runs each at most once (DeliveryRecord)."""

    def __init__(self, record: DeliveryRecord, on_uncertain: Callable[[], None],
                 on_first_post: Callable[[], None] = lambda: None) -> None:
        self.record = record
        self.on_uncertain = on_uncertain
        self.on_first_post = on_first_post
        self._posted = False
        self._counts: Counter[str] = Counter()

    def run(self, name: str, call: Callable[[], Any]) -> Any:
        self._counts[name] += 1
        step = f"{name}#{self._counts[name]}"
        state = self.record.claim(step)
        if state == "sent":
            logger.info("%s: %s already delivered; skipped", self.record.key, step)
            return None
        if state in ("sending", "uncertain"):
            if state == "sending":
                self.record.mark(step, "uncertain")
                self.on_uncertain()
            return None
        try:
            result = call()
        except Exception as exc:
            if _surely_not_posted(exc):
                self.record.release(step)
            raise
        self.record.mark(step, "sent")
        if not self._posted:
            self._posted = True
            self.on_first_post()
        return result


def _surely_not_posted(exc: Exception) -> bool:
    """Slack answered with an error (HTTP 4xx/200 ok=false): nothing was posted."""
    from slack_sdk.errors import SlackApiError  # lazy for start-up: slack_sdk takes ~50 ms

    if not isinstance(exc, SlackApiError):
        return False
    status = getattr(exc.response, "status_code", 200)
    return status < 500


CREDENTIAL_FIELDS = frozenset({"token"})
"""Fields of Slack's payloads that are credentials (the deprecated verification token every
request carries): never stored in a job, so never in Redis, a log line or a failed job."""


def scrubbed(value: Any, depth: int = 0) -> Any:
    """`value` with every CREDENTIAL_FIELDS key removed from its dicts (nested ones too)."""
    if depth > 8:
        return value
    if isinstance(value, dict):
        return {k: scrubbed(v, depth + 1) for k, v in value.items()
                if k not in CREDENTIAL_FIELDS}
    if isinstance(value, list):
        return [scrubbed(v, depth + 1) for v in value]
    return value


def job_id(request_id: str) -> str:
    """RQ's job id for a request: `reply-` and the id with anything but letters, digits, `_`
    and `-` replaced (RQ refuses other characters; a mention's id holds a message ts)."""
    return "reply-" + re.sub(r"[^A-Za-z0-9_-]", "_", request_id)


class ReplyQueue:
    """Enqueues reply jobs on RQ, or runs them in the local pool when there is no queue."""

    def __init__(self, cache: Cache, pool: ReplyPool, run_local: Callable[..., Any] | None,
                 use_queue: bool) -> None:
        self.cache = cache
        self.pool = pool
        self.run_local = run_local
        """`(kind, payload) -> None` for jobs run in this process (set by the app factory)."""
        self.use_queue = use_queue and cache.client is not None
        self._queue: Any = None

    def queue(self) -> Any:
        """The RQ queue on the bot's Redis, built on first use (every ack enqueues through
        it, so it is made once, not per request)."""
        if self._queue is None:
            from rq import Queue  # lazy: the CLI's reports do not need RQ

            self._queue = Queue(QUEUE_NAME, connection=self.cache.client)
        return self._queue

    def enqueue(self, kind: str, payload: dict[str, Any], request_id: str | None = None) -> str:
        """Queue a reply; returns the request id its delivery record is keyed by."""
        from rq import Retry  # lazy: as in queue()

        request_id = request_id or uuid.uuid4().hex
        payload = {**scrubbed(payload), "request_id": request_id, "enqueued_at": time.time()}
        client = self.cache.client
        if self.use_queue and client is not None:  # use_queue: there is a client
            try:
                # One MULTI round trip: RQ's own enqueue runs two (the queue-set SADD, then
                # the job's hash and the LPUSH), half of an ack's CPU (bench/RESULTS.md). The
                # same commands, all or nothing, still before the ack.
                pipe = client.pipeline()
                self.queue().enqueue_call(JOB_FUNCTION, args=(kind, payload),
                                          job_id=job_id(request_id), timeout=JOB_TIMEOUT_S,
                                          retry=Retry(max=JOB_RETRIES), result_ttl=60,
                                          failure_ttl=DELIVERY_TTL_S, pipeline=pipe)
                pipe.execute()
                return request_id
            except CacheErrors as exc:
                logger.warning("Reply queue unavailable (%s); answering in this process",
                               type(exc).__name__)
        if self.run_local is None:
            raise RuntimeError("no reply queue and no local runner configured")
        self.pool.submit(self.run_local, kind, payload)
        return request_id

    def depth(self) -> int | None:
        """Jobs waiting in the queue, or None when it cannot be read."""
        if not self.use_queue:
            return 0
        try:
            return int(self.queue().count)
        except CacheErrors:
            return None
