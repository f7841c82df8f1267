"""Run the bot: Socket Mode with SLACK_APP_TOKEN, otherwise HTTP on $PORT at /slack/events."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.config import Settings, get_settings
from bot.http_guard import DEFAULT_MAX_BODY_BYTES, guard
from bot.workers import freeze_startup_objects

logger = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HTTP_THREADS = 16
"""Waitress threads answering Slack requests. Each only verifies, parses and acks, but holds
its thread while Bolt polls for the ack (every 10 ms): 8 threads queued a burst of 50
commands for 60+ ms."""


def wsgi_app(app: App, signing_secret: str | None = None,  # type: ignore[no-untyped-def]
             max_body_bytes: int = DEFAULT_MAX_BODY_BYTES):
    """A WSGI callable serving Bolt at /slack/events and a health check at /healthz.

    Requests to /slack/events pass bot.http_guard first (413 over `max_body_bytes`; with
    `signing_secret`, 401 when unverified and 400 when malformed), so none ends in a 500."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    bolt = guard(SlackRequestHandler(app), signing_secret, max_body_bytes)

    def application(environ, start_response):  # type: ignore[no-untyped-def]
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        if path != EVENTS_PATH:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        return bolt(environ, start_response)

    return application


def serve(app: App, settings: Settings) -> None:
    """Block serving Slack requests in the mode the settings choose."""
    freeze_startup_objects()
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        assert settings.slack_app_token is not None
        logger.info("Starting in Socket Mode")
        SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
        return
    server = http_server(app, "0.0.0.0", settings.port, settings)
    logger.info("Listening for Slack on http://0.0.0.0:%d%s", settings.port, EVENTS_PATH)
    server.run()


def http_server(app: App, host: str, port: int,  # type: ignore[no-untyped-def]
                settings: Settings | None = None):
    """The production waitress server for `app` (port 0 picks a free port: benchmarks), with
    the signing secret and body limit of `settings` (default: the environment's)."""
    import waitress

    settings = settings or get_settings()
    secret = settings.slack_signing_secret
    limit = settings.smallcaps_max_body_bytes
    application = wsgi_app(app, secret.get_secret_value() if secret else None, limit)
    return waitress.create_server(application, host=host, port=port, threads=HTTP_THREADS,
                                  ident="smallcaps", max_request_body_size=limit)
