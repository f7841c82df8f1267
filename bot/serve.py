"""Run the bot: Socket Mode with SLACK_APP_TOKEN, otherwise HTTP on $PORT at /slack/events.

Stopping (SIGTERM from a platform, Docker or systemd; Ctrl-C): the process stops taking
requests (the HTTP listener closes, or the Socket Mode connection is closed, and /healthz
answers 503 "stopping"), lets requests in progress finish, waits up to
SMALLCAPS_STOP_GRACE_S for acked replies still being computed or posted, then stops the
embedded redis-server if no other process uses it. The in-process reply
workers (bot.worker) finish the job in hand and take no more; queued jobs stay in Redis.
While running, a supervisor restarts the embedded Redis if it dies.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App

from analytics.errors import present
from bot.runtime.config import Settings, get_settings
from bot.runtime.deps import Deps
from bot.runtime.health import check_health, warn_if_evictable
from bot.runtime.metrics import ACK_SECONDS, REQUESTS, exposition, watch_queue_depth
from bot.runtime.workers import freeze_startup_objects
from bot.slack.http_guard import DEFAULT_MAX_BODY_BYTES, guard
from bot.worker import WorkerThreads

logger = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
HTTP_THREADS = 16
"""Waitress threads answering Slack requests. Each verifies, parses, enqueues and acks in its
own thread (bot.app: process_before_response); when Bolt still polled for the ack every 10 ms,
8 threads queued a burst of 50 commands for 60+ ms."""

CONNECTION_LIMIT = 1000
"""Open connections waitress keeps (its default, 100, let 101 idle connections lock Slack
out). Connections cost a socket and a few KB, not a thread: waitress reads a request whole
before a thread sees it, so slow senders only hold a connection. Uses poll(), since
select() stops at 1,024 descriptors; the process needs a descriptor limit above this."""
CHANNEL_TIMEOUT_S = 10
"""A connection silent this long is closed (waitress' default, 120 s, let idle connections
hold their slots for two minutes). Slack sends each small request at once."""
CLEANUP_INTERVAL_S = 2
"""How often waitress looks for silent connections to close."""

Health = Callable[[], tuple[bool, dict[str, Any]]]
"""() -> (ready, {check: state}) for /healthz."""


def wsgi_app(app: App | None, signing_secret: str | None = None,
             max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, *, health: Health | None = None,
             stopping: threading.Event | None = None):
    """A WSGI callable serving Bolt at /slack/events (unless `app` is None), /metrics, and
    /healthz: 200 `{"status": "ok", ...}` when `health` says ready, else 503 with the failing
    checks, and 503 `stopping` once `stopping` is set (so load balancers stop sending).

    Requests to /slack/events pass bot.slack.http_guard first (413 over `max_body_bytes`; with
    `signing_secret`, 401 when unverified and 400 when malformed), so none ends in a 500."""
    bolt = None
    if app is not None:
        from slack_bolt.adapter.wsgi import SlackRequestHandler  # lazy: HTTP mode only

        bolt = guard(SlackRequestHandler(app), signing_secret, max_body_bytes)

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH:
            if stopping is not None and stopping.is_set():
                ready, checks = False, {"process": "stopping"}
            else:
                ready, checks = _checked(health)
            body = json.dumps({"status": "ok" if ready else "unavailable", **checks}).encode()
            start_response("200 OK" if ready else "503 Service Unavailable",
                           [("Content-Type", "application/json")])
            return [body]
        if path == METRICS_PATH:
            body, content_type = exposition()
            start_response("200 OK", [("Content-Type", content_type)])
            return [body]
        if bolt is None or path != EVENTS_PATH:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        return observed(bolt, environ, start_response, max_body_bytes)

    return application


def _checked(health: Health | None) -> tuple[bool, dict[str, Any]]:
    """`health()`, or not ready with the error's kind when it raised: /healthz answers 503
    with a reason, never a bare 500."""
    if health is None:
        return True, {}
    try:
        return health()
    except Exception as exc:  # noqa: BLE001 - reported in the answer and logged
        logger.warning("health check failed", exc_info=True)
        return False, {"error": type(exc).__name__}


def classify(raw: bytes, content_type: str) -> tuple[str, str]:
    """(kind, name) of a Slack request body for metrics: ('command', 'gap'),
    ('event', 'app_mention'), ('action', 'block_actions') or ('other', '')."""
    try:
        if content_type.startswith("application/json"):
            body = json.loads(raw or b"{}")
            if body.get("type") == "event_callback":
                return "event", str((body.get("event") or {}).get("type", ""))
            return "other", str(body.get("type", ""))
        form = parse_qs(raw.decode("utf-8", "replace"))
        if "command" in form:
            words = (form.get("text") or [""])[0].split()
            return "command", (words[0].lower() if words else "help")[:20]
        if "payload" in form:
            return "action", str(json.loads(form["payload"][0]).get("type", ""))
    except (ValueError, AttributeError, RecursionError):  # the guard answers 400 for these
        pass
    return "other", ""


def observed(bolt, environ, start_response,
             max_body_bytes: int = DEFAULT_MAX_BODY_BYTES):
    """Run the guarded Bolt handler, counting the request by kind, command and outcome and
    timing the ack (bot.runtime.metrics). A body over the limit is not read here (the guard
    answers 413)."""
    started = time.perf_counter()
    try:
        size = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = -1
    kind, name = "other", ""
    if 0 < size <= max_body_bytes:
        raw = environ["wsgi.input"].read(size)
        environ["wsgi.input"] = io.BytesIO(raw)
        kind, name = classify(raw, environ.get("CONTENT_TYPE", ""))
    seen: dict[str, str] = {}

    def capture(status, headers, exc_info=None):
        seen["status"] = status
        return start_response(status, headers, exc_info)

    try:
        body = list(bolt(environ, capture))
    except Exception:
        REQUESTS.labels(kind, name, "error").inc()
        raise
    code = int(seen.get("status", "500").split()[0])
    outcome = "rejected" if 400 <= code < 500 else "error" if code >= 500 else \
        "answered_in_ack" if sum(len(chunk) for chunk in body) else "queued"
    REQUESTS.labels(kind, name, outcome).inc()
    ACK_SECONDS.labels(kind).observe(time.perf_counter() - started)
    return body


def serve(app: App, settings: Settings, deps: Deps | None = None,
          workers: WorkerThreads | None = None) -> None:
    """Block serving Slack requests in the mode the settings choose, until SIGTERM/SIGINT;
    then stop gracefully (module docstring). `workers`: in-process reply workers to stop
    within the grace period."""
    freeze_startup_objects()
    stopping = threading.Event()
    embedded = getattr(deps.cache.client, "server", None) if deps else None
    if deps is not None:
        watch_queue_depth(deps.reply_queue.depth)
    if embedded is not None:
        embedded.supervise()
    if deps is not None:
        warn_if_evictable(deps.cache.client)
    counts = workers.counts if workers is not None else None
    health: Health | None = (lambda: check_health(deps, counts)) if deps else None
    try:
        if settings.socket_mode:
            _serve_socket_mode(app, settings, health, stopping)
        else:
            _serve_http(app, settings, health, stopping)
    finally:
        stopping.set()
        if workers is not None:
            busy = workers.stop(settings.smallcaps_stop_grace_s)
            if busy:
                logger.warning("%d reply job(s) unfinished; RQ re-queues them once their "
                               "workers' entries expire", busy)
        if deps is not None:
            left = deps.replies.drain(settings.smallcaps_stop_grace_s)
            if left:
                logger.warning("Stopped with %d reply job(s) unfinished after %.0f s", left,
                               settings.smallcaps_stop_grace_s)
        if embedded is not None:
            embedded.close()
        logger.info("Stopped")


def _on_stop_signals(handler: Callable[[int, Any], None]) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)


def _serve_http(app: App, settings: Settings, health: Health | None,
                stopping: threading.Event) -> None:
    server = http_server(app, "0.0.0.0", settings.port, settings, health=health,
                         stopping=stopping)

    def stop(signum: int, _frame: Any) -> None:
        logger.info("Signal %d: no new requests; finishing those in progress", signum)
        stopping.set()
        raise SystemExit  # waitress' run() finishes requests in progress, then returns

    _on_stop_signals(stop)
    logger.info("Listening for Slack on http://0.0.0.0:%d%s", settings.port, EVENTS_PATH)
    server.run()
    with contextlib.suppress(Exception):
        server.close()


def _serve_socket_mode(app: App, settings: Settings, health: Health | None,
                       stopping: threading.Event) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler  # lazy: Socket Mode only

    app_token = present(settings.slack_app_token, "SLACK_APP_TOKEN")  # require_slack checked
    logger.info("Starting in Socket Mode (health on port %d%s)", settings.port, HEALTH_PATH)
    probe = http_server(None, "0.0.0.0", settings.port, settings, health=health,
                        stopping=stopping, threads=1)
    threading.Thread(target=probe.run, name="healthz", daemon=True).start()
    handler = SocketModeHandler(app, app_token.get_secret_value())
    _on_stop_signals(lambda *_: stopping.set())
    handler.connect()
    stopping.wait()
    logger.info("Stopping: closing the Socket Mode connection")
    handler.close()
    with contextlib.suppress(Exception):
        probe.close()


def http_server(app: App | None, host: str, port: int,
                settings: Settings | None = None, *, health: Health | None = None,
                stopping: threading.Event | None = None, threads: int = HTTP_THREADS):
    """The production waitress server for `app` (port 0 picks a free port: benchmarks), with
    the signing secret and body limit of `settings` (default: the environment's)."""
    import waitress  # lazy for start-up: only an HTTP server needs it

    settings = settings or get_settings()
    secret = settings.slack_signing_secret
    limit = settings.smallcaps_max_body_bytes
    application = wsgi_app(app, secret.get_secret_value() if secret else None, limit,
                           health=health, stopping=stopping)
    return waitress.create_server(application, host=host, port=port, threads=threads,
                                  ident="smallcaps", max_request_body_size=limit,
                                  connection_limit=CONNECTION_LIMIT,
                                  channel_timeout=CHANNEL_TIMEOUT_S,
                                  cleanup_interval=CLEANUP_INTERVAL_S, asyncore_use_poll=True)
