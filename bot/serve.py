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

from bot.runtime.config import Settings, get_settings
from bot.runtime.deps import Deps
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

Health = Callable[[], tuple[bool, dict[str, Any]]]
"""() -> (ready, {check: state}) for /healthz."""


def check_health(deps: Deps) -> tuple[bool, dict[str, Any]]:
    """Is this process ready to answer? Redis must answer PING now (alert rules, the reply
    queue and the cache live there) and the reply queue must be readable; the number of
    replies waiting is reported too."""
    redis_ok = deps.cache.healthy()
    checks: dict[str, Any] = {"redis": "ok" if redis_ok else "unavailable"}
    if not redis_ok:
        return False, checks
    waiting = deps.reply_queue.depth()
    checks["queue"] = "unavailable" if waiting is None else "ok"
    checks["replies_waiting"] = waiting
    return waiting is not None, checks


def wsgi_app(app: App | None, signing_secret: str | None = None,  # type: ignore[no-untyped-def]
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

    def application(environ, start_response):  # type: ignore[no-untyped-def]
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH:
            if stopping is not None and stopping.is_set():
                ready, checks = False, {"process": "stopping"}
            else:
                ready, checks = health() if health else (True, {})
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
    except (ValueError, AttributeError):
        pass
    return "other", ""


def observed(bolt, environ, start_response,  # type: ignore[no-untyped-def]
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

    def capture(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
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
    health: Health | None = (lambda: check_health(deps)) if deps else None
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

    assert settings.slack_app_token is not None
    logger.info("Starting in Socket Mode (health on port %d%s)", settings.port, HEALTH_PATH)
    probe = http_server(None, "0.0.0.0", settings.port, settings, health=health,
                        stopping=stopping, threads=1)
    threading.Thread(target=probe.run, name="healthz", daemon=True).start()
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    _on_stop_signals(lambda *_: stopping.set())
    handler.connect()
    stopping.wait()
    logger.info("Stopping: closing the Socket Mode connection")
    handler.close()
    with contextlib.suppress(Exception):
        probe.close()


def http_server(app: App | None, host: str, port: int,  # type: ignore[no-untyped-def]
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
                                  ident="smallcaps", max_request_body_size=limit)
