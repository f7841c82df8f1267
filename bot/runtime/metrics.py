"""What the bot is doing, in Prometheus' format (prometheus_client), served at /metrics.

Metrics live in prometheus_client's process-wide registry, as the library intends; each
process (web, worker, scheduler) counts its own work. `serve` exposes them at /metrics;
`worker` and `scheduler` on SMALLCAPS_METRICS_PORT when it is set.

| metric | type | labels |
|---|---|---|
| smallcaps_requests_total | counter | kind (command, event, action, other), command, outcome |
|   outcome: queued (empty ack), answered_in_ack (help, input error), rejected (4xx), error |
| smallcaps_ack_seconds | histogram | kind |
| smallcaps_reply_seconds | histogram | kind (slash, mention), step (first_post, done) |
| smallcaps_report_cache_total | counter | command, result (hit, miss) |
| smallcaps_provider_fetches_total | counter | source, outcome (ok, error) |
| smallcaps_reply_queue_depth | gauge | - |
| smallcaps_alert_evaluations_total | counter | - (rules evaluated) |
| smallcaps_alert_posts_total | counter | - |
| smallcaps_alert_errors_total | counter | - |
| smallcaps_redis_can_evict_state | gauge | - (1: maxmemory-policy is not noeviction) |
| smallcaps_reply_worker_restarts_total | counter | - |
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)

LATENCY_BUCKETS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0)

REQUESTS = Counter("smallcaps_requests", "Slack requests received",
                   ["kind", "command", "outcome"])
ACK_SECONDS = Histogram("smallcaps_ack_seconds", "Request received to HTTP answer (the ack)",
                        ["kind"], buckets=LATENCY_BUCKETS)
REPLY_SECONDS = Histogram("smallcaps_reply_seconds",
                          "Reply job enqueued to its first post, and to its end",
                          ["kind", "step"], buckets=LATENCY_BUCKETS)
REPORT_CACHE = Counter("smallcaps_report_cache", "Reports served from the cache or computed",
                       ["command", "result"])
PROVIDER_FETCHES = Counter("smallcaps_provider_fetches", "Price fetches from the data source",
                           ["source", "outcome"])
QUEUE_DEPTH = Gauge("smallcaps_reply_queue_depth", "Reply jobs waiting in the queue")
ALERT_EVALUATIONS = Counter("smallcaps_alert_evaluations", "Alert rules evaluated")
ALERT_POSTS = Counter("smallcaps_alert_posts", "Alert and digest messages posted")
ALERT_ERRORS = Counter("smallcaps_alert_errors", "Problems in alert runs (refusals, ...)")
EVICTION_RISK = Gauge("smallcaps_redis_can_evict_state",
                      "1 when Redis' maxmemory-policy may evict rules, schedules and records")
WORKER_RESTARTS = Counter("smallcaps_reply_worker_restarts",
                          "Reply workers restarted after they stopped on an error")


def exposition() -> tuple[bytes, str]:
    """The current metrics as (body, content type) for a /metrics response."""
    return generate_latest(), CONTENT_TYPE_LATEST


def start_metrics_server(port: int | None) -> None:
    """Serve this process's /metrics on `port` (SMALLCAPS_METRICS_PORT) when set."""
    if port:
        start_http_server(port)


def watch_queue_depth(depth: Callable[[], int | None]) -> None:
    """Read the queue depth when scraped (-1 when the queue cannot be read)."""
    QUEUE_DEPTH.set_function(lambda: float(-1 if (n := depth()) is None else n))


def record_alert_run(rules_evaluated: int, posts: int, errors: int) -> None:
    ALERT_EVALUATIONS.inc(rules_evaluated)
    ALERT_POSTS.inc(posts)
    ALERT_ERRORS.inc(errors)


class CountingSource:
    """A PriceSource that counts its fetches (every other attribute is the wrapped one's)."""

    def __init__(self, source: Any) -> None:
        self._source = source

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    @property
    def name(self) -> str:
        return str(self._source.name)

    def fetch(self, symbols: Sequence[str], start: date | None) -> Any:
        try:
            result = self._source.fetch(symbols, start)
        except Exception:
            PROVIDER_FETCHES.labels(self.name, "error").inc()
            raise
        PROVIDER_FETCHES.labels(self.name, "ok").inc()
        return result
