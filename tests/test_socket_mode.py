"""`smallcaps serve` in Socket Mode against a local WebSocket server playing Slack: commands
and mentions arrive as envelopes, a dropped connection is re-opened, a redelivered event is
answered once (however it is stopped: the redelivery middleware or the delivery record)."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import redis
from rq import Queue
from rq.registry import StartedJobRegistry

from bot.runtime.jobs import QUEUE_NAME
from tests.bot.test_serve import free_port, start_serve
from tests.fake_slack import FakeSlack
from tests.fake_socket_mode import FakeSocketMode


def slash_envelope(envelope_id: str, text: str, fake: FakeSlack) -> dict:
    return {"envelope_id": envelope_id, "type": "slash_commands",
            "accepts_response_payload": True, "payload": {
                "token": "legacy", "team_id": "T1", "team_domain": "acme", "channel_id": "C1",
                "channel_name": "markets", "user_id": "U1", "user_name": "ana",
                "command": "/smallcaps", "text": text, "api_app_id": "A1",
                "response_url": fake.response_url(envelope_id), "trigger_id": envelope_id}}


def mention_envelope(envelope_id: str, retry: int) -> dict:
    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> gap 3y as-of 2024-03-26",
             "ts": "1711111111.000100", "channel": "C1", "event_ts": "1711111111.000100"}
    return {"envelope_id": envelope_id, "type": "events_api", "accepts_response_payload": False,
            "retry_attempt": retry, "retry_reason": "timeout" if retry else "",
            "payload": {"token": "legacy", "team_id": "T1", "api_app_id": "A1",
                        "type": "event_callback", "event_id": "Ev1", "event_time": 1711111111,
                        "event": event, "authorizations": [
                            {"team_id": "T1", "user_id": "UBOT", "is_bot": True}]}}


def _wait_for_idle_queue(state: Path, timeout: float = 60) -> None:
    """Until no reply job is queued or running on the bot's embedded Redis. A redelivered
    event is stopped twice over: the redelivery middleware acks it without running the
    listener; if a job were queued anyway, its delivery record would skip the post."""
    client = redis.Redis(unix_socket_path=str(state / "redis.sock"))
    queue = Queue(QUEUE_NAME, connection=client)
    deadline = time.monotonic() + timeout
    while queue.count or StartedJobRegistry(queue=queue).count:
        assert time.monotonic() < deadline, "reply jobs still pending"
        time.sleep(0.1)
    client.close()


def test_socket_mode_answers_reconnects_and_answers_a_redelivery_once(tmp_path,
                                                                       market_data_dir):
    port = free_port()
    with FakeSlack() as fake, FakeSocketMode() as socket_mode:
        fake.socket_url = socket_mode.url
        bot = start_serve(fake, tmp_path / "state", market_data_dir, port,
                          SLACK_APP_TOKEN="xapp-1-test", SLACK_SIGNING_SECRET="")
        try:
            socket_mode.wait_connections(1)
            socket_mode.send(slash_envelope("e1", "gap 3y as-of 2024-03-26", fake))
            socket_mode.wait_ack("e1")
            fake.wait_for("chat.postMessage", 1, timeout=60)

            socket_mode.drop()  # Slack closes the connection; the bot must open a new one
            socket_mode.wait_connections(2, timeout=60)
            assert len(fake.calls("apps.connections.open")) >= 2
            socket_mode.send(slash_envelope("e2", "gap 1y as-of 2024-03-26", fake))
            socket_mode.wait_ack("e2")
            fake.wait_for("chat.postMessage", 2, timeout=60)

            socket_mode.send(mention_envelope("e3", retry=0))
            socket_mode.wait_ack("e3")
            fake.wait_for("chat.postMessage", 3, timeout=60)
            socket_mode.send(mention_envelope("e4", retry=1))  # Slack thought e3 was lost
            socket_mode.wait_ack("e4")
            _wait_for_idle_queue(tmp_path / "state")  # a repeat's job, if queued, has run
            posts = fake.calls("chat.postMessage")
            assert len(posts) == 3  # the redelivered mention was not answered again
            assert "37.73 pp" in json.dumps(posts[2].params["blocks"])
            bot.send_signal(signal.SIGTERM)
            assert bot.wait(timeout=60) == 0
        except AssertionError as exc:
            bot.kill()
            raise AssertionError(f"{exc}\nbot log:\n{bot.stdout.read().decode()}") from exc
        finally:
            if bot.poll() is None:
                bot.kill()
