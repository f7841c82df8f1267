"""Run the bot: Socket Mode with SLACK_APP_TOKEN, otherwise HTTP on $PORT at /slack/events."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.config import Settings
from bot.workers import freeze_startup_objects

logger = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HTTP_THREADS = 16
"""Waitress threads answering Slack requests. Each only verifies, parses and acks, but holds
its thread while Bolt polls for the ack (every 10 ms): 8 threads queued a burst of 50
commands for 60+ ms."""


def wsgi_app(app: App):  # type: ignore[no-untyped-def]
    """A WSGI callable serving Bolt at /slack/events and a health check at /healthz."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    bolt = SlackRequestHandler(app)

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
    server = http_server(app, "0.0.0.0", settings.port)
    logger.info("Listening for Slack on http://0.0.0.0:%d%s", settings.port, EVENTS_PATH)
    server.run()


def http_server(app: App, host: str, port: int):  # type: ignore[no-untyped-def]
    """The production waitress server for `app` (port 0 picks a free port: benchmarks)."""
    import waitress

    return waitress.create_server(wsgi_app(app), host=host, port=port, threads=HTTP_THREADS,
                                  ident="smallcaps")
